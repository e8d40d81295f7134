"""API routes of the planner workspace, under /api/v1/workspace/."""

from django.urls import URLPattern, URLResolver

api_patterns: tuple[list[URLPattern | URLResolver], str] = ([], "workspace-api")
