"""Maps built with folium, on Leaflet served by us, drawing data read live from our own API.

folium's defaults load Leaflet, jQuery and Bootstrap from CDNs and tiles from OpenStreetMap;
a citizen's browser must talk only to us (DSGVO), so these maps bring their own assets and
add layers with small MacroElements that fetch our API instead of embedding data.
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import MacroElement
from django.templatetags.static import static
from jinja2 import Template

from layers.attributions import Attribution

# NRW's extent in lon/lat (from the VG5000 Land boundary), south-west and north-east corners.
NRW_BOUNDS = [[50.32, 5.86], [52.53, 9.46]]


class PortalMap(folium.Map):
    """A folium map without third-party assets or tiles."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        kwargs.setdefault("control_scale", True)
        kwargs.setdefault("prefer_canvas", False)
        super().__init__(**kwargs)
        self.default_js = [("leaflet", static("vendor/leaflet/leaflet.js"))]
        self.default_css = [("leaflet_css", static("vendor/leaflet/leaflet.css"))]

    def parts(self) -> dict[str, str]:
        """Return the map's HTML and script, to place inside one of our own templates."""
        figure = self.get_root()
        figure.render()
        return {"html": figure.html.render(), "script": figure.script.render(), "name": self.get_name()}


class RemoteGeoJsonLayer(MacroElement):  # type: ignore[misc]
    """A GeoJSON layer the browser loads from our API, styled, with a tooltip and a link per feature."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            fetch({{ this.url|tojson }}, {headers: {"Accept": "application/geo+json"}, credentials: "same-origin"})
                .then(function (response) {
                    if (!response.ok) { throw new Error(response.status); }
                    return response.json();
                })
                .then(function (data) {
                    var layer = L.geoJSON(data, {
                        attribution: {{ this.attribution|tojson }},
                        style: function () { return {{ this.style|tojson }}; },
                        onEachFeature: function (feature, featureLayer) {
                            var label = feature.properties[{{ this.label_property|tojson }}];
                            featureLayer.bindTooltip(String(label), {sticky: true});
                        }
                    });
                    layer.addTo(map);
                    {% if this.fit %}map.fitBounds(layer.getBounds());{% endif %}
                })
                .catch(function () {
                    var status = document.getElementById({{ this.status_element|tojson }});
                    if (status) { status.textContent = {{ this.error_text|tojson }}; }
                });
        })();
        {% endmacro %}
        """
    )

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
        super().__init__()
        self._name = "RemoteGeoJsonLayer"
        self.url = url
        self.attribution = str(attribution.html())
        self.label_property = label_property
        self.style = style
        self.error_text = error_text
        self.status_element = status_element
        self.fit = fit


class LocateOnClick(MacroElement):  # type: ignore[misc]
    """On a click, ask our locate API who is responsible there and show it in a popup and a live region."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var labels = {{ this.labels|tojson }};
            function escapeHtml(text) {
                var div = document.createElement("div");
                div.textContent = text;
                return div.innerHTML;
            }
            map.on("click", function (event) {
                var lon = event.latlng.lng.toFixed(6), lat = event.latlng.lat.toFixed(6);
                var url = {{ this.url|tojson }} + "?lon=" + lon + "&lat=" + lat;
                fetch(url, {headers: {"Accept": "application/json", "Accept-Language": {{ this.language|tojson }}}})
                    .then(function (response) { return response.json(); })
                    .then(function (data) {
                        var html;
                        if (data.gemeinde) {
                            html = "<strong>" + escapeHtml(data.gemeinde.name) + "</strong> (" +
                                escapeHtml(data.gemeinde.designation || data.gemeinde.kind_label) + ")<br>" +
                                labels.key + ": " + escapeHtml(data.gemeinde.key);
                            [["kreis", labels.kreis], ["regierungsbezirk", labels.regierungsbezirk]].forEach(function (pair) {
                                if (data[pair[0]]) { html += "<br>" + pair[1] + ": " + escapeHtml(data[pair[0]].name); }
                            });
                        } else {
                            html = escapeHtml(data.message || labels.error);
                        }
                        L.popup().setLatLng(event.latlng).setContent(html).openOn(map);
                        var status = document.getElementById({{ this.status_element|tojson }});
                        if (status) { status.innerHTML = html; }
                    })
                    .catch(function () {
                        L.popup().setLatLng(event.latlng).setContent(escapeHtml(labels.error)).openOn(map);
                    });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str, *, language: str, labels: dict[str, str], status_element: str) -> None:
        super().__init__()
        self._name = "LocateOnClick"
        self.url = url
        self.language = language
        self.labels = labels
        self.status_element = status_element
