"""Forms of the workspace pages: they draw the controls and check the page's own settings.

The feedback filter itself is read by workspace.filters.filter_from_query, as the API reads it, so
that a page, its map, its charts and its export always select the same feedback.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from procedures.models import Procedure
from reports.models import Category, ReportStatus
from workspace.filters import ALL_STATUSES, FeedbackFilter
from workspace.scope import Workspace

# Limits the backend checks as well (contract): out of range answers 400 there, a form error here.
EPS_RANGE = (1, 5000)
MIN_POINTS_RANGE = (2, 1000)
CELL_RANGE = (10, 50000)


class DateInput(forms.DateInput):
    """A date field the browser offers a calendar for."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class FilterForm(forms.Form):
    """What feedback the workspace shows: period, category, status, procedure and text."""

    sources = forms.MultipleChoiceField(
        label=_("Art"),
        required=False,
        choices=[("reports", _("Meldungen")), ("contributions", _("Beiträge"))],
        widget=forms.CheckboxSelectMultiple,
    )
    # "von" alone is also the author of a history entry ("by"): these are the two ends of a period.
    start = forms.DateField(label=pgettext_lazy("Zeitraum", "von"), required=False, widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("Zeitraum", "bis"), required=False, widget=DateInput())
    category = forms.MultipleChoiceField(
        label=_("Kategorie"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        # Nothing chosen means the open ones (filters.DEFAULT_STATUSES); "all" means every status.
        choices=[(ALL_STATUSES, _("alle Status")), *ReportStatus.choices],
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Ohne Auswahl: die offenen Meldungen."),
    )
    procedure = forms.ChoiceField(label=_("Verfahren"), required=False)
    q = forms.CharField(label=_("Text enthält"), required=False, max_length=200)

    def __init__(self, *args: Any, workspace: Workspace, flt: FeedbackFilter | None = None, **kwargs: Any) -> None:
        if flt is not None:
            # The filter in effect, defaults included: what the page shows is what the form says.
            kwargs.setdefault("initial", initial_from_filter(flt))
        super().__init__(*args, **kwargs)
        categories = Category.objects.all()
        # A report's category is always one of its authority's.
        categories = categories.filter(authority=workspace.authority)
        names = dict(categories.order_by("code").values_list("code", "name").distinct())
        category_field: Any = self.fields["category"]
        category_field.choices = sorted(names.items(), key=lambda item: item[1])
        if workspace.procedure is not None:
            # A procedure's workspace is that procedure: no choice to make.
            del self.fields["procedure"]
        else:
            procedures = Procedure.objects.filter(authority=workspace.authority).order_by("title")
            procedure_field: Any = self.fields["procedure"]
            procedure_field.choices = [("", _("alle")), *procedures.values_list("slug", "title")]


def initial_from_filter(flt: FeedbackFilter) -> dict[str, Any]:
    """Return a filter as the filter form's initial values."""
    return {
        "sources": sorted(flt.sources),
        "start": flt.start,
        "end": flt.end,
        "category": list(flt.categories),
        "status": list(flt.statuses) or [ALL_STATUSES],
        "procedure": flt.procedure or "",
        "q": flt.text,
    }


class MapForm(forms.Form):
    """How the map groups the feedback: clusters, grid or hexagon cells, a heatmap or single points."""

    layer = forms.ChoiceField(
        label=_("Darstellung"),
        required=False,
        choices=[
            ("clusters", _("Cluster (DBSCAN)")),
            ("grid", _("Quadratraster")),
            ("hexagon", _("Sechseckraster")),
            ("heatmap", _("Heatmap")),
            ("points", _("Einzelne Punkte")),
        ],
    )
    eps = forms.IntegerField(
        label=_("Cluster-Abstand (m)"),
        required=False,
        min_value=EPS_RANGE[0],
        max_value=EPS_RANGE[1],
        help_text=_("Punkte, die höchstens so weit voneinander entfernt sind, bilden einen Cluster."),
    )
    min_points = forms.IntegerField(
        label=_("Mindestgröße eines Clusters"),
        required=False,
        min_value=MIN_POINTS_RANGE[0],
        max_value=MIN_POINTS_RANGE[1],
    )
    cell = forms.IntegerField(
        label=_("Zellgröße (m)"), required=False, min_value=CELL_RANGE[0], max_value=CELL_RANGE[1]
    )

    DEFAULTS: dict[str, Any] = {"layer": "clusters", "eps": 50, "min_points": 3, "cell": 250}

    def settings(self) -> dict[str, Any]:
        """Return the valid settings, with the defaults for those not given or invalid (the form shows why)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or default for name, default in self.DEFAULTS.items()}


def _weeks_ago(weeks: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(weeks=weeks)


class HotspotForm(forms.Form):
    """The two periods compared and the size of the places compared."""

    before_start = forms.DateField(label=_("Vergleichszeitraum von"), required=False, widget=DateInput())
    before_end = forms.DateField(label=_("Vergleichszeitraum bis"), required=False, widget=DateInput())
    after_start = forms.DateField(label=_("Betrachteter Zeitraum von"), required=False, widget=DateInput())
    after_end = forms.DateField(label=_("Betrachteter Zeitraum bis"), required=False, widget=DateInput())
    cell = forms.IntegerField(
        label=_("Größe eines Orts (m)"), required=False, min_value=CELL_RANGE[0], max_value=CELL_RANGE[1]
    )

    @staticmethod
    def defaults() -> dict[str, Any]:
        """Return the last four weeks against the four weeks before, in cells of 250 m."""
        return {
            "before_start": _weeks_ago(8) + datetime.timedelta(days=1),
            "before_end": _weeks_ago(4),
            "after_start": _weeks_ago(4) + datetime.timedelta(days=1),
            "after_end": timezone.localdate(),
            "cell": 250,
        }

    @classmethod
    def from_query(cls, query: QueryDict) -> HotspotForm:
        """Return the form bound to a query; what it leaves out keeps its default, and the form shows it."""
        data = query.copy()
        for name, default in cls.defaults().items():
            if not data.get(name):
                data[name] = default.isoformat() if isinstance(default, datetime.date) else str(default)
        return cls(data)

    def clean(self) -> dict[str, Any]:
        """Reject a period that ends before it begins."""
        data = super().clean() or {}
        for prefix in ("before", "after"):
            start, end = data.get(f"{prefix}_start"), data.get(f"{prefix}_end")
            if start and end and start > end:
                self.add_error(f"{prefix}_end", _("Das Ende liegt vor dem Beginn."))
        return data

    def periods(self) -> dict[str, Any]:
        """Return the valid periods and cell size, the defaults where the form shows an error."""
        self.is_valid()
        chosen = getattr(self, "cleaned_data", {})
        if any(name in self.errors for name in ("before_start", "before_end", "after_start", "after_end")) or (
            "__all__" in self.errors
        ):
            chosen = {}
        return {name: chosen.get(name) or default for name, default in self.defaults().items()}


class MergeForm(forms.Form):
    """Merge a pair of duplicate reports: one stays, the other becomes its duplicate."""

    a = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    b = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    keep = forms.ChoiceField(label=_("Welche Meldung bleibt?"), choices=[("a", "a"), ("b", "b")])
    note = forms.CharField(
        label=_("Hinweis für den Verlauf (freiwillig)"),
        required=False,
        max_length=4000,
        widget=forms.TextInput(),
    )

    def ids(self) -> tuple[int, int]:
        """Return (duplicate id, original id) of a valid form."""
        a, b = self.cleaned_data["a"], self.cleaned_data["b"]
        return (b, a) if self.cleaned_data["keep"] == "a" else (a, b)


class ExportForm(forms.Form):
    """The file to download: format, coordinate reference system and, for those allowed, personal data."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (Tabelle)")), ("geojson", _("GeoJSON")), ("gpkg", _("GeoPackage"))],
        initial="gpkg",
        widget=forms.RadioSelect,
    )
    crs = forms.TypedChoiceField(
        label=_("Koordinatenbezugssystem"),
        choices=[("4326", _("WGS 84, Länge/Breite (EPSG:4326)")), ("25832", _("ETRS89 / UTM 32N (EPSG:25832)"))],
        coerce=int,
        initial="4326",
        widget=forms.RadioSelect,
    )
    personal = forms.BooleanField(
        label=_("Personenbezogene Daten der Meldenden einschließen (Name, E-Mail)"),
        required=False,
        help_text=_("Nur für die Bearbeitung in Ihrer Behörde. Jeder Export mit diesen Daten wird protokolliert."),
    )

    def __init__(self, *args: Any, may_see_personal_data: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_see_personal_data:
            del self.fields["personal"]
