"""Pages of the planner workspace, under /arbeitsbereich/ (/en/arbeitsbereich/)."""

from django.urls import URLPattern, URLResolver

page_patterns: tuple[list[URLPattern | URLResolver], str] = ([], "workspace")
