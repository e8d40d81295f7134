"""Pages of the planner workspace, under /arbeitsbereich/ (/en/arbeitsbereich/)."""

from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from workspace import views


def _pages(prefix: str) -> list[URLPattern | URLResolver]:
    """Return the pages of one kind of workspace (an authority's or a procedure's), named `prefix`-…."""
    return [
        path("", views.workspace, name=prefix),
        path(_("cluster/<str:cluster>/"), views.cluster, name=f"{prefix}-cluster"),
        path(_("hotspots/"), views.hotspots, name=f"{prefix}-hotspots"),
        path(_("diagramme/wochen.png"), views.chart_weekly, name=f"{prefix}-chart-weekly"),
        path(_("diagramme/kategorien.png"), views.chart_categories, name=f"{prefix}-chart-categories"),
        path(_("duplikate/"), views.duplicates, name=f"{prefix}-duplicates"),
        path(_("duplikate/zusammenfuehren/"), views.merge, name=f"{prefix}-merge"),
        path(_("export/"), views.export, name=f"{prefix}-export"),
    ]


page_patterns: tuple[list[URLPattern | URLResolver], str] = (
    [
        path("", views.start, name="start"),
        path(_("datenlexikon/"), views.dictionary, name="dictionary"),
        # Before the authorities' pages: "verfahren" and "datenlexikon" are no authority keys (those are digits).
        path(_("verfahren/<slug:slug>/"), include(_pages("procedure"))),
        path("<str:key>/", include(_pages("authority"))),
    ],
    "workspace",
)
