"""Pages of the layers app: who is responsible where, the overview map of procedures, and the embeddable maps.

The embeds are standalone pages for other sites' iframes: they read no session, set no cookie,
and may be framed only by the origins the authority lists (layers.embedding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.gis.geos import GEOSGeometry
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from config.errors import ApplicationError
from geo import crs as crs_module
from geo.models import Authority, AuthorityKind
from geo.selectors import Location, locate_coordinates
from layers.attributions import BKG_VG5000
from layers.embedding import LAND_KEY, allow_framing, allowed_origins, embedding_authority
from layers.maps import (
    NRW_BOUNDS,
    ContextBoundaries,
    LocateOnClick,
    PortalMap,
    ProcedureContributions,
    ProcedureOverview,
    RemoteGeoJsonLayer,
)
from procedures.errors import ProcedureNotFound
from procedures.models import Procedure, ProcedureKind, ProcedureQuerySet, ProcedureStatus
from procedures.selectors import procedure_extent, procedure_get_public, procedure_list_public


class LocateForm(forms.Form):
    """Find the responsible Gemeinde by coordinates, without the map."""

    lon = forms.FloatField(label=_("Länge (z. B. 6.9583)"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Breite (z. B. 50.9413)"), min_value=-90, max_value=90)


def authority_map(request: HttpRequest) -> HttpResponse:
    """Show NRW's Kreise and kreisfreie Städte on a map; a click or the form names who is responsible."""
    language = get_language() or "de"
    folium_map = PortalMap(location=[51.45, 7.6], zoom_start=8, min_zoom=6, zoom_snap=0.25, zoom_delta=0.5)
    folium_map.fit_bounds(NRW_BOUNDS)
    kinds = f"{AuthorityKind.KREIS},{AuthorityKind.KREISFREIE_STADT}"
    folium_map.add_child(
        RemoteGeoJsonLayer(
            f"{reverse('geo:authority-list')}?kind={kinds}",
            attribution=BKG_VG5000,
            label_property="name",
            style={"color": "#005ca9", "weight": 1.5, "fillColor": "#7fb2dc", "fillOpacity": 0.15},
            error_text=str(_("Die Gebiete konnten nicht geladen werden.")),
            status_element="map-status",
        )
    )
    folium_map.add_child(
        LocateOnClick(
            reverse("geo:locate"),
            language=language,
            labels={
                "key": str(_("Gemeindeschlüssel")),
                "error": str(_("Die Zuständigkeit konnte nicht ermittelt werden.")),
            },
            status_element="map-status",
        )
    )

    location: Location | None = None
    error: str | None = None
    form = LocateForm(request.GET or None)
    if form.is_valid():
        try:
            location = locate_coordinates(form.cleaned_data["lon"], form.cleaned_data["lat"])
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "layers/authority_map.html",
        {"map": folium_map.parts(), "form": form, "location": location, "error": error, "attribution": BKG_VG5000},
    )


# --- Procedures on one map -------------------------------------------------------------------

# As many procedures as the API gives in one answer; the list shows the same ones.
PROCEDURE_LIMIT = 1000
# Metres the API simplifies areas by: less than a pixel where outlines start (zoom 11), and far fewer bytes.
SIMPLIFY_M = 10
# Below this zoom procedures are clustered markers, from it on their outlines.
OUTLINE_MIN_ZOOM = 11
STATUS_ELEMENT = "map-status"


def authority_label(authority: Authority) -> str:
    """Return an authority's name as people say it: "Stadt Köln", "Kreis Wesel"."""
    return f"{authority.designation} {authority.name}" if authority.designation else authority.name


def _authority_choices(requested_key: str | None) -> list[tuple[str, str]]:
    """Return the authorities with published procedures (and the one asked for, if it exists), by name."""
    wanted = Authority.objects.filter(pk__in=Procedure.objects.published().values("authority_id"))
    if requested_key:
        wanted = wanted | Authority.objects.filter(key=requested_key)
    authorities = sorted(
        wanted.exclude(key=LAND_KEY), key=lambda authority: (authority_label(authority), authority.key)
    )
    return [(authority.key, authority_label(authority)) for authority in authorities]


class ProcedureFilterForm(forms.Form):
    """Filters of the overview map and its list; the overview embed takes the same as presets."""

    authority = forms.ChoiceField(label=_("Behörde"), required=False)
    kind = forms.ChoiceField(label=_("Art"), required=False)
    q = forms.CharField(label=_("Suchbegriff"), required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=ProcedureStatus.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data: QueryDict) -> None:
        super().__init__(data)
        authority_field: Any = self.fields["authority"]
        authority_field.choices = [("", _("ganz Nordrhein-Westfalen")), *_authority_choices(data.get("authority"))]
        kind_field: Any = self.fields["kind"]
        kind_field.choices = [("", _("alle Arten")), *ProcedureKind.choices]

    @classmethod
    def from_query(cls, query: QueryDict) -> ProcedureFilterForm:
        """Read the filters from a query: running procedures when none is given; statuses may be comma-separated."""
        data = query.copy()
        statuses = [part.strip() for value in query.getlist("status") for part in value.split(",") if part.strip()]
        if not any(name in query for name in cls.base_fields):
            statuses = [ProcedureStatus.RUNNING.value]
        data.setlist("status", statuses)
        # The Land's procedures include everyone's (keys nest): the Land is "ganz Nordrhein-Westfalen".
        if data.get("authority") == LAND_KEY:
            data["authority"] = ""
        return cls(data)

    def selection(self) -> ProcedureSelection:
        """Return the valid filters; an invalid one counts as not given (the form shows why)."""
        self.is_valid()
        data = self.cleaned_data
        key = data.get("authority") or ""
        return ProcedureSelection(
            authority=Authority.objects.filter(key=key).first() if key else None,
            kind=data.get("kind") or "",
            statuses=tuple(data.get("status") or ()),
            text=(data.get("q") or "").strip(),
        )


@dataclass(frozen=True)
class ProcedureSelection:
    """Which procedures the overview shows: of an authority (and all inside it), a kind, statuses, a text."""

    authority: Authority | None
    kind: str
    statuses: tuple[str, ...]
    text: str

    def procedures(self) -> ProcedureQuerySet:
        """Return the published procedures selected, running first."""
        return procedure_list_public(
            authority_key=self.authority.key if self.authority else None,
            kinds=(self.kind,) if self.kind else (),
            statuses=self.statuses,
            text=self.text or None,
        )

    def query(self) -> str:
        """Return the selection as the query of the overview page or its embed."""
        params = [
            ("authority", self.authority.key if self.authority else ""),
            ("kind", self.kind),
            *(("status", status) for status in self.statuses),
            ("q", self.text),
        ]
        return urlencode([(name, value) for name, value in params if value])

    def api_url(self) -> str:
        """Return the address of the procedures API that lists the selection for the map."""
        params = {
            "authority": self.authority.key if self.authority else "",
            "kind": self.kind,
            "status": ",".join(self.statuses),
            "q": self.text,
            "simplify": str(SIMPLIFY_M),
            "limit": str(PROCEDURE_LIMIT),
        }
        return f"{reverse('procedures-api:procedures')}?{urlencode({k: v for k, v in params.items() if v})}"


@dataclass(frozen=True)
class ListedProcedure:
    """A procedure as the list shows it."""

    procedure: Procedure
    status: str
    status_label: str
    authority_label: str


def _listed(procedures: ProcedureQuerySet) -> tuple[list[ListedProcedure], bool]:
    """Return the procedures for the list, and whether there were more than it shows."""
    rows = list(procedures[: PROCEDURE_LIMIT + 1])
    listed = [
        ListedProcedure(
            procedure=procedure,
            status=procedure.current_status,  # type: ignore[attr-defined]
            status_label=str(ProcedureStatus(procedure.current_status).label),  # type: ignore[attr-defined]
            authority_label=authority_label(procedure.authority),
        )
        for procedure in rows[:PROCEDURE_LIMIT]
    ]
    return listed, len(rows) > PROCEDURE_LIMIT


def lonlat_bounds(geometry: GEOSGeometry) -> list[list[float]]:
    """Return the bounds of a storage-CRS geometry as Leaflet takes them: [[south, west], [north, east]]."""
    min_x, min_y, max_x, max_y = geometry.extent
    corners = crs_module.transform_coords(
        [(min_x, min_y), (min_x, max_y), (max_x, min_y), (max_x, max_y)], crs_module.STORAGE, crs_module.CRS84
    )
    lons, lats = corners[:, 0], corners[:, 1]
    return [[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]]


def _overview_labels() -> dict[str, str]:
    return {
        "none": str(_("Keine Verfahren für diese Auswahl.")),
        "one": str(_("Ein Verfahren auf der Karte.")),
        "other": str(_("%(count)s Verfahren auf der Karte.")),
        "error": str(_("Die Verfahren konnten nicht geladen werden.")),
    }


def _overview_map(selection: ProcedureSelection, *, embedded: bool) -> dict[str, str]:
    """Return the map of the selected procedures, starting on the authority's area or on NRW."""
    credentials = "omit" if embedded else "same-origin"
    folium_map = PortalMap(location=[51.45, 7.6], zoom_start=8, min_zoom=6, zoom_snap=0.25, zoom_delta=0.5)
    folium_map.fit_bounds(lonlat_bounds(selection.authority.boundary) if selection.authority else NRW_BOUNDS)
    kinds = f"{AuthorityKind.KREIS},{AuthorityKind.KREISFREIE_STADT}"
    folium_map.add_child(
        ContextBoundaries(
            f"{reverse('geo:authority-list')}?kind={kinds}",
            attribution=BKG_VG5000,
            style={"color": "#767676", "weight": 1, "fill": False},
            error_text=str(_("Die Gebiete konnten nicht geladen werden.")),
            status_element=STATUS_ELEMENT,
            credentials=credentials,
        )
    )
    folium_map.add_child(
        ProcedureOverview(
            selection.api_url(),
            language=get_language() or "de",
            labels=_overview_labels(),
            status_element=STATUS_ELEMENT,
            outline_min_zoom=OUTLINE_MIN_ZOOM,
            # A preset authority frames the map; otherwise the procedures found do.
            fit=selection.authority is None,
            new_window=embedded,
            credentials=credentials,
        )
    )
    return folium_map.parts()


def _embed_code(request: HttpRequest, selection: ProcedureSelection) -> str:
    """Return the HTML another site puts into its page to show this selection on the overview map."""
    query = selection.query()
    source = request.build_absolute_uri(reverse("layers:embed-overview") + (f"?{query}" if query else ""))
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="500" style="border:0" loading="lazy"></iframe>',
        source,
        _("Karte der Beteiligungsverfahren"),
    )


@require_safe
def overview_map(request: HttpRequest) -> HttpResponse:
    """Show the procedures of every authority on one map and as a list, filtered by authority, kind, status, text."""
    filters = ProcedureFilterForm.from_query(request.GET)
    selection = filters.selection()
    listed, truncated = _listed(selection.procedures())
    framing_authority = embedding_authority(selection.authority.key if selection.authority else None)
    return render(
        request,
        "layers/overview.html",
        {
            "filters": filters,
            "selection": selection,
            "procedures": listed,
            "truncated": truncated,
            "limit": PROCEDURE_LIMIT,
            "map": _overview_map(selection, embedded=False),
            "embed_code": _embed_code(request, selection),
            "embed_authority": authority_label(framing_authority),
            "embed_origins": allowed_origins(framing_authority),
        },
    )


# --- Embeddable maps --------------------------------------------------------------------------
# No session, no CSRF token, no messages: whatever would set a cookie stays out of these views.


@require_safe
def embed_overview(request: HttpRequest) -> HttpResponse:
    """Show the overview map for another site's iframe, preset by the query like the overview page."""
    filters = ProcedureFilterForm.from_query(request.GET)
    selection = filters.selection()
    if filters.has_error("authority"):
        raise Http404
    listed, truncated = _listed(selection.procedures())
    overview_url = reverse("layers:overview")
    query = selection.query()
    response = render(
        request,
        "layers/embed_overview.html",
        {
            "selection": selection,
            "procedures": listed,
            "truncated": truncated,
            "map": _overview_map(selection, embedded=True),
            "overview_url": request.build_absolute_uri(overview_url + (f"?{query}" if query else "")),
            "authority_label": authority_label(selection.authority) if selection.authority else "",
        },
    )
    return allow_framing(response, embedding_authority(selection.authority.key if selection.authority else None))


@require_safe
def embed_procedure(request: HttpRequest, slug: str) -> HttpResponse:
    """Show one procedure's area and public contributions, read-only, for another site's iframe."""
    try:
        # Anonymous on purpose: an embed shows what everyone sees, and reads no session.
        procedure = procedure_get_public(slug)
    except ProcedureNotFound:
        raise Http404 from None
    if not procedure.is_published:
        raise Http404
    min_lon, min_lat, max_lon, max_lat = procedure_extent(procedure)
    folium_map = PortalMap(location=[51.45, 7.6], zoom_start=12, min_zoom=6, zoom_snap=0.25, zoom_delta=0.5)
    folium_map.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    folium_map.add_child(
        ProcedureContributions(
            reverse("procedures-api:procedure-detail", kwargs={"slug": procedure.slug}),
            contributions_url=(
                reverse("procedures-api:procedure-contributions", kwargs={"slug": procedure.slug})
                + f"?limit={PROCEDURE_LIMIT}"
            ),
            language=get_language() or "de",
            labels={
                "none": str(_("Noch keine Beiträge mit Ort.")),
                "one": str(_("Ein Beitrag mit Ort auf der Karte.")),
                "other": str(_("%(count)s Beiträge mit Ort auf der Karte.")),
                "error": str(_("Das Verfahren konnte nicht geladen werden.")),
            },
            status_element=STATUS_ELEMENT,
            boundaries={
                "url": f"{reverse('geo:authority-list')}?kind={AuthorityKind.GEMEINDE}",
                "attribution": str(BKG_VG5000.html()),
                "style": {"color": "#767676", "weight": 1, "fill": False},
                "errorText": str(_("Die Gebiete konnten nicht geladen werden.")),
            },
        )
    )
    status = ProcedureStatus(procedure.current_status)  # type: ignore[attr-defined]
    response = render(
        request,
        "layers/embed_procedure.html",
        {
            "procedure": procedure,
            "status_label": status.label,
            "invites": status == ProcedureStatus.RUNNING and procedure.takes_contributions,
            "page_url": request.build_absolute_uri(reverse("procedures:detail", kwargs={"slug": procedure.slug})),
            "authority_label": authority_label(procedure.authority),
            "map": folium_map.parts(),
        },
    )
    return allow_framing(response, procedure.authority)
