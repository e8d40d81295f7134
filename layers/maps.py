"""Maps built with folium, on Leaflet served by us, drawing data read live from our own API.

folium's defaults load Leaflet, jQuery and Bootstrap from CDNs and tiles from OpenStreetMap;
a citizen's browser must talk only to us (DSGVO), so these maps bring their own assets and
add layers with small MacroElements that fetch our API instead of embedding data.
"""

from __future__ import annotations

from typing import Any, cast

import folium
from branca.element import Figure, MacroElement
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from jinja2 import Template

from layers.attributions import Attribution
from layers.registry import external_layer

# NRW's extent in lon/lat (from the VG5000 Land boundary), south-west and north-east corners.
NRW_BOUNDS = [[50.32, 5.86], [52.53, 9.46]]


class PortalMap(folium.Map):
    """A folium map without third-party assets or tiles."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        kwargs.setdefault("control_scale", True)
        # Read by portal-map.js: Leaflet's own names are English and its map container, a tab stop, has none.
        kwargs.setdefault(
            "accessibility",
            {
                "map": gettext("Karte"),
                "keys": gettext("Pfeiltasten verschieben die Karte, Plus und Minus vergrößern und verkleinern sie."),
                "zoomIn": gettext("Vergrößern"),
                "zoomOut": gettext("Verkleinern"),
                "marker": gettext("Markierung"),
            },
        )
        super().__init__(**kwargs)
        basemap = external_layer(settings.BK_MAP_BASEMAP) if settings.BK_MAP_BASEMAP else None
        if basemap is not None:
            # Through our proxy: the citizen's browser never asks the upstream service itself.
            sample = reverse("tiles:basemap-tile", kwargs={"name": basemap.key, "z": 0, "x": 0, "y": 0, "ext": "png"})
            template = sample.removesuffix("/0/0/0.png") + "/{z}/{x}/{y}." + basemap.image_format
            folium.TileLayer(
                tiles=template,
                attr=str(basemap.attribution.html()),
                name=str(basemap.title),
                min_zoom=0,
                max_zoom=22,
                max_native_zoom=basemap.maxzoom,
                overlay=False,
                control=False,
            ).add_to(self)
        self.default_js = [
            ("leaflet", static("vendor/leaflet/leaflet.js")),
            ("portal_map", static("layers/portal-map.js")),
        ]
        self.default_css = [("leaflet_css", static("vendor/leaflet/leaflet.css"))]

    def parts(self) -> dict[str, str]:
        """Return the map's HTML and script, to place inside one of our own templates."""
        figure = cast(Figure, self.get_root())
        figure.render()
        return {"html": figure.html.render(), "script": figure.script.render(), "name": self.get_name()}


class PortalMapCall(MacroElement):
    """A call of one function of layers/portal-map.js on this map, with options passed as JSON."""

    function: str = ""
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        Beteiligungskarte.{{ this.function }}({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = type(self).__name__
        self.options = options


class RemoteGeoJsonLayer(PortalMapCall):
    """A GeoJSON layer the browser loads from our API, styled, with a tooltip per feature."""

    function = "addRemoteGeoJson"

    def __init__(
        self,
        url: str,
        *,
        attribution: Attribution,
        label_property: str,
        style: dict[str, Any],
        error_text: str,
        status_element: str,
        fit: bool = False,
    ) -> None:
        super().__init__(
            {
                "url": url,
                "attribution": str(attribution.html()),
                "labelProperty": label_property,
                "style": style,
                "errorText": error_text,
                "statusElement": status_element,
                "fit": fit,
            }
        )


class PlacePin(PortalMapCall):
    """A pin the citizen sets by clicking, dragging or "use my location"; it fills the form's lon/lat fields."""

    function = "placePin"

    def __init__(
        self, *, lon_field: str, lat_field: str, locate_button: str, labels: dict[str, str], status_element: str
    ) -> None:
        super().__init__(
            {
                "lonField": lon_field,
                "latField": lat_field,
                "locateButton": locate_button,
                "labels": labels,
                "statusElement": status_element,
            }
        )


class LocateOnClick(PortalMapCall):
    """On a click, ask our locate API who is responsible there; show it in a popup and a live region."""

    function = "locateOnClick"

    def __init__(self, url: str, *, language: str, labels: dict[str, str], status_element: str) -> None:
        super().__init__({"url": url, "language": language, "labels": labels, "statusElement": status_element})


class ContextBoundaries(PortalMapCall):
    """Administrative boundaries from our API as quiet, unclickable context beneath the other layers."""

    function = "addContextBoundaries"

    def __init__(
        self,
        url: str,
        *,
        attribution: Attribution,
        style: dict[str, Any],
        error_text: str,
        status_element: str,
        credentials: str = "same-origin",
    ) -> None:
        super().__init__(
            {
                "url": url,
                "attribution": str(attribution.html()),
                "style": style,
                "errorText": error_text,
                "statusElement": status_element,
                "credentials": credentials,
            }
        )


class ProcedureOverview(PortalMapCall):
    """Procedures from our API: outlines when zoomed in, clustered markers below `outline_min_zoom`."""

    function = "procedureOverview"

    def __init__(
        self,
        url: str,
        *,
        language: str,
        labels: dict[str, str],
        status_element: str,
        outline_min_zoom: int = 11,
        fit: bool = True,
        new_window: bool = False,
        credentials: str = "same-origin",
    ) -> None:
        super().__init__(
            {
                "url": url,
                "language": language,
                "labels": labels,
                "statusElement": status_element,
                "outlineMinZoom": outline_min_zoom,
                "fit": fit,
                "newWindow": new_window,
                "credentials": credentials,
            }
        )


class ProcedureContributions(PortalMapCall):
    """One procedure's outline and its public contributions, read-only, both from our API."""

    function = "procedureContributions"

    def __init__(
        self,
        url: str,
        *,
        contributions_url: str,
        language: str,
        labels: dict[str, str],
        status_element: str,
        boundaries: dict[str, Any] | None = None,
        credentials: str = "omit",
    ) -> None:
        super().__init__(
            {
                "url": url,
                "contributionsUrl": contributions_url,
                "language": language,
                "labels": labels,
                "statusElement": status_element,
                # Drawn within the procedure's extent when its map asks for boundaries: url, attribution, style.
                "boundaries": boundaries,
                "credentials": credentials,
            }
        )


class VectorTileLayer(PortalMapCall):
    """Points of one of our vector tile layers (/tiles/{layer}/{z}/{x}/{y}.mvt), drawn by protomaps-leaflet.

    For layers too large for one GeoJSON answer (the reports). Clusters (a `count` above 1) are
    circles sized by their count and labelled with it, and zoom in on a click; a single point is
    coloured by its `colour_property` and opens `detail_url` (with `{id}` for the feature's id).
    The procedure maps stay on GeoJSON: a few hundred areas fit one answer, with outlines to click.
    """

    function = "addVectorTiles"

    def __init__(
        self,
        url_template: str,
        *,
        layer: str,
        attribution: Attribution,
        detail_url: str,
        colour_property: str,
        colours: dict[str, str],
        default_colour: str,
        labels: dict[str, str],
        status_element: str,
        max_data_zoom: int = 16,
    ) -> None:
        super().__init__(
            {
                "url": url_template,
                "layer": layer,
                "attribution": str(attribution.html()),
                "detailUrl": detail_url,
                "colourProperty": colour_property,
                "colours": colours,
                "defaultColour": default_colour,
                "labels": labels,
                "statusElement": status_element,
                "maxDataZoom": max_data_zoom,
            }
        )
