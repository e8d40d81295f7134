"""The map of a procedure's page: its area, its contributions, what lies around it, and the drawing tool.

Built on layers.maps: folium only places the map; every layer is drawn by a function of
procedures/static/procedures/procedure-map.js (or of layers' portal-map.js) from our own API.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from shapely.geometry import mapping

from geo import crs as crs_module
from geo.models import AuthorityKind
from layers.attributions import BKG_VG5000
from layers.maps import PortalMap, PortalMapCall, RemoteGeoJsonLayer
from procedures.models import Basemap, Contribution, GeometryKind, Overlay, Procedure, ProcedureKind
from procedures.selectors import procedure_extent

# The live region below the map that says what the map is doing.
STATUS_ELEMENT = "map-status"
# Areas drawn on the page need no more detail than a screen shows: a few metres for a square, more for
# a Kreis or the Land (a fraction of the area's extent); metres in the storage CRS.
AREA_SIMPLIFY_MIN_M = 2.0
AREA_SIMPLIFY_SHARE = 1 / 5000
# 7 decimals of a degree are about a centimetre.
LONLAT_DECIMALS = 7

CONTRIBUTION_STYLE: dict[str, Any] = {"color": "#a8005c", "weight": 4, "opacity": 0.9, "fillOpacity": 0.2}
PENDING_STYLE: dict[str, Any] = {**CONTRIBUTION_STYLE, "dashArray": "6 6", "color": "#6b3fa0"}
# Outlines only: an area covering the whole map would otherwise answer every hover with its tooltip.
OTHER_PROCEDURE_STYLE: dict[str, Any] = {"color": "#2e7d32", "weight": 2, "dashArray": "2 6", "fill": False}
# The citizen's own drawing stands out from the contributions already there.
DRAWING_STYLE: dict[str, Any] = {"color": "#d84a00", "weight": 5, "opacity": 1, "fillOpacity": 0.25}
AREA_STYLE: dict[str, Any] = {"color": "#005ca9", "weight": 3, "fillColor": "#7fb2dc", "fillOpacity": 0.08}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, LONLAT_DECIMALS)
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def lonlat_geojson(geometry: GEOSGeometry, *, simplify_m: float = 0.0) -> dict[str, Any]:
    """Return a stored (EPSG:25832) geometry as a GeoJSON geometry in lon/lat, optionally simplified first."""
    shape = shapely.from_wkb(bytes(geometry.wkb))
    if simplify_m:
        shape = shape.simplify(simplify_m, preserve_topology=True)
    data = mapping(crs_module.from_storage(shape, crs_module.CRS84))
    return {"type": data["type"], "coordinates": _rounded(data["coordinates"])}


class ProcedureArea(PortalMapCall):
    """The procedure's area as an outline that takes no clicks (the map's clicks are for drawing)."""

    function = "showProcedureArea"

    def __init__(self, geojson: dict[str, Any], *, style: dict[str, Any], attribution: str) -> None:
        super().__init__({"geojson": geojson, "style": style, "attribution": attribution})


class OtherProcedures(PortalMapCall):
    """The other running procedures around, from our API, each linking to its page."""

    function = "addOtherProcedures"

    def __init__(self, url: str, *, exclude: str, error_text: str, status_element: str) -> None:
        super().__init__(
            {
                "url": url,
                "exclude": exclude,
                "style": OTHER_PROCEDURE_STYLE,
                "errorText": error_text,
                "statusElement": status_element,
            }
        )


class ContributionLayer(PortalMapCall):
    """The public contributions, loaded from our API, and the visitor's own unconfirmed ones, given inline."""

    function = "addContributions"

    def __init__(
        self,
        url: str,
        *,
        own: dict[str, Any],
        labels: dict[str, str],
        error_text: str,
        status_element: str,
    ) -> None:
        super().__init__(
            {
                "url": url,
                "own": own,
                "labels": labels,
                "style": CONTRIBUTION_STYLE,
                "pendingStyle": PENDING_STYLE,
                "errorText": error_text,
                "statusElement": status_element,
            }
        )


@dataclass(frozen=True)
class DrawingFields:
    """The ids of the form's fields and of the tool buttons the drawing tool works with."""

    geometry: str
    coordinates: str
    shape: str
    tools: str
    announcer: str


class DrawContribution(PortalMapCall):
    """Drawing one point, line or area for a contribution with our own buttons; it fills the form's fields."""

    function = "drawContribution"

    def __init__(self, *, kinds: Sequence[str], fields: DrawingFields, language: str) -> None:
        super().__init__(
            {
                "kinds": list(kinds),
                "geometryField": fields.geometry,
                "coordinatesField": fields.coordinates,
                "shapeField": fields.shape,
                "tools": fields.tools,
                "statusElement": fields.announcer,
                "language": language,
                "style": DRAWING_STYLE,
                "labels": drawing_labels(),
            }
        )


def drawing_labels() -> dict[str, str]:
    """Return what the drawing tool announces, in the active language; %(n)s is a count of points."""
    return {
        "startPoint": str(_("Klicken Sie auf die Karte, um den Punkt zu setzen.")),
        "startLine": str(
            _(
                "Klicken Sie nacheinander auf die Punkte der Linie. Zum Abschließen klicken Sie den letzten "
                "Punkt noch einmal an oder wählen „Fertig“."
            )
        ),
        "startPolygon": str(
            _(
                "Klicken Sie nacheinander auf die Ecken der Fläche. Zum Abschließen klicken Sie den ersten "
                "Punkt an oder wählen „Fertig“."
            )
        ),
        "vertex": str(_("Punkt %(n)s gesetzt.")),
        "removed": str(_("Letzten Punkt entfernt.")),
        "tooFew": str(_("Dafür fehlen noch Punkte: Eine Linie braucht mindestens zwei, eine Fläche mindestens drei.")),
        "createdPoint": str(_("Punkt eingezeichnet. Sie können ihn mit der Maus verschieben.")),
        "createdLine": str(_("Linie mit %(n)s Punkten eingezeichnet.")),
        "createdPolygon": str(_("Fläche mit %(n)s Ecken eingezeichnet.")),
        "moved": str(_("Punkt verschoben.")),
        "cancelled": str(_("Zeichnen abgebrochen.")),
        "cleared": str(_("Zeichnung gelöscht.")),
        "typed": str(_("Die eingegebenen Koordinaten werden auf der Karte gezeigt.")),
        "drawn": str(_("Eingezeichneter Ort")),
    }


def _bbox(extent: tuple[float, float, float, float]) -> str:
    """Return the extent widened by half its size on each side, as a lon/lat bbox parameter."""
    min_lon, min_lat, max_lon, max_lat = extent
    # The map shows more than the extent it fits; what lies just beyond should have its lines too.
    margin_lon = max((max_lon - min_lon) / 2, 0.01)
    margin_lat = max((max_lat - min_lat) / 2, 0.01)
    return (
        f"{min_lon - margin_lon:.5f},{min_lat - margin_lat:.5f},{max_lon + margin_lon:.5f},{max_lat + margin_lat:.5f}"
    )


def _boundaries(bbox: str, kinds: Sequence[AuthorityKind], style: dict[str, Any]) -> RemoteGeoJsonLayer:
    return RemoteGeoJsonLayer(
        f"{reverse('geo:authority-list')}?kind={','.join(kinds)}&bbox={bbox}",
        attribution=BKG_VG5000,
        label_property="name",
        style=style,
        error_text=str(_("Die Grenzen konnten nicht geladen werden.")),
        status_element=STATUS_ELEMENT,
    )


def own_features(contributions: Sequence[Contribution]) -> dict[str, Any]:
    """Return a visitor's own contributions that have a place as a GeoJSON FeatureCollection in lon/lat."""
    features = [
        {
            "type": "Feature",
            "id": contribution.pk,
            "geometry": lonlat_geojson(contribution.geometry),
            "properties": {"id": contribution.pk, "text": contribution.text},
        }
        for contribution in contributions
        if contribution.geometry is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def procedure_map(
    procedure: Procedure,
    *,
    own: Sequence[Contribution] = (),
    drawing: DrawingFields | None = None,
    language: str = "de",
) -> dict[str, str]:
    """Return the procedure's map: area, contributions, basemap and overlays, and the drawing tool if asked."""
    min_lon, min_lat, max_lon, max_lat = extent = procedure_extent(procedure)
    folium_map = PortalMap(
        location=[(min_lat + max_lat) / 2, (min_lon + max_lon) / 2], zoom_start=13, zoom_snap=0.25, zoom_delta=0.5
    )
    folium_map.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    bbox = _bbox(extent)
    overlays = set(procedure.overlays)
    outline = {"color": "#555", "weight": 1.5, "fill": False, "dashArray": "4 4"}
    if procedure.basemap == Basemap.BOUNDARIES:
        levels = [AuthorityKind.KREIS, AuthorityKind.KREISFREIE_STADT, AuthorityKind.GEMEINDE]
        folium_map.add_child(_boundaries(bbox, levels, outline))
    elif Overlay.GEMEINDEN in overlays:
        # With the boundaries basemap the Gemeinden are drawn already.
        folium_map.add_child(_boundaries(bbox, [AuthorityKind.GEMEINDE], outline))
    if Overlay.OTHER_PROCEDURES in overlays:
        folium_map.add_child(
            OtherProcedures(
                f"{reverse('procedures-api:procedures')}?status=running&bbox={bbox}",
                exclude=procedure.slug,
                error_text=str(_("Die anderen Verfahren konnten nicht geladen werden.")),
                status_element=STATUS_ELEMENT,
            )
        )
    min_x, min_y, max_x, max_y = procedure.area.extent
    simplify_m = max(AREA_SIMPLIFY_MIN_M, max(max_x - min_x, max_y - min_y) * AREA_SIMPLIFY_SHARE)
    folium_map.add_child(
        ProcedureArea(
            lonlat_geojson(procedure.area, simplify_m=simplify_m),
            style=AREA_STYLE,
            attribution=procedure.area_attribution,
        )
    )
    if procedure.kind == ProcedureKind.MAENGELMELDER or Overlay.REPORTS in overlays:
        folium_map.add_child(
            RemoteGeoJsonLayer(
                f"{reverse('reports-api:reports')}?limit=1000&bbox={bbox}",
                attribution=BKG_VG5000,
                label_property="category.name",
                style={},
                error_text=str(_("Die Mängelmeldungen konnten nicht geladen werden.")),
                status_element=STATUS_ELEMENT,
            )
        )
    if procedure.takes_contributions:
        folium_map.add_child(
            ContributionLayer(
                f"{reverse('procedures-api:procedure-contributions', kwargs={'slug': procedure.slug})}?limit=1000",
                own=own_features(own),
                labels={
                    "pending": str(_("Ihr Beitrag, noch nicht bestätigt")),
                    "show": str(_("Zum Beitrag in der Liste")),
                },
                error_text=str(_("Die Beiträge konnten nicht geladen werden.")),
                status_element=STATUS_ELEMENT,
            )
        )
    if drawing is not None and procedure.allowed_geometries:
        shapes = [GeometryKind(kind).value for kind in procedure.allowed_geometries]
        folium_map.add_child(DrawContribution(kinds=shapes, fields=drawing, language=language))
    return folium_map.parts()
