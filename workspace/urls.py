"""URLs of the planner workspace (mounted by config/urls.py): its API and its pages."""

from workspace.api_urls import api_patterns
from workspace.page_urls import page_patterns

__all__ = ["api_patterns", "page_patterns"]
