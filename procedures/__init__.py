"""Not built yet: see the project's issues. Not in INSTALLED_APPS until it holds something real."""
