"""API routes of the planner workspace, under /api/v1/workspace/."""

from django.urls import URLPattern, URLResolver, path

from workspace.api import AUTHORITY_VIEWS, PROCEDURE_VIEWS, DictionaryApi

# Path of each operation below a workspace; names are "authority-<op>" and "procedure-<op>".
_PATHS = {
    "items": "items/",
    "features": "features/",
    "clusters": "clusters/",
    "cluster": "clusters/<str:cluster>/",
    "grid": "grid/",
    "heatmap": "heatmap/",
    "hotspots": "hotspots/",
    "weekly": "charts/weekly/",
    "categories": "charts/categories/",
    "duplicates": "duplicates/",
    "merge": "merge/",
    "export": "export/",
}

api_patterns: tuple[list[URLPattern | URLResolver], str] = (
    [
        path("workspace/dictionary/", DictionaryApi.as_view(), name="dictionary"),
        *(
            path(f"workspace/authorities/<str:key>/{route}", AUTHORITY_VIEWS[op].as_view(), name=f"authority-{op}")
            for op, route in _PATHS.items()
        ),
        *(
            path(f"workspace/procedures/<slug:slug>/{route}", PROCEDURE_VIEWS[op].as_view(), name=f"procedure-{op}")
            for op, route in _PATHS.items()
        ),
    ],
    "workspace-api",
)
