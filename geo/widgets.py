"""Map widgets for the admin that need no external tile server."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.forms.widgets import OpenLayersWidget
from django.urls import reverse

from geo.crs import STORAGE_SRID
from geo.models import AuthorityKind
from layers.attributions import BKG_VG5000


class BoundaryMapWidget(OpenLayersWidget):
    """GeoDjango's OpenLayers widget on OpenLayers served by us, over our own boundaries as the base layer.

    Django's widget loads OpenLayers from a CDN and draws NASA or OSM tiles; both are third-party
    requests. Here the base layer is NRW's Kreise from our API, so drawing and editing work offline,
    and the map is started from a static file, so the admin needs no inline script (CSP).
    """

    template_name = "geo/widgets/boundary_map.html"
    map_srid = 3857

    class Media:
        # Replace, not extend, the parent's media: that one loads OpenLayers from a CDN.
        extend = False
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "geo/boundary-map-widget.js")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        kinds = f"{AuthorityKind.KREIS},{AuthorityKind.KREISFREIE_STADT}"
        # GeoDjango's template writes these into an inline script; ours hands them to
        # geo/boundary-map-widget.js as JSON, since a widget cannot know the page's CSP nonce.
        context.update(
            options_id=f"{context['id']}_options",
            widget_options={
                "base_layer_url": f"{reverse('geo:authority-list')}?kind={kinds}",
                "attribution": str(BKG_VG5000.html()),
                "geom_name": context["geom_type"],
                "id": context["id"],
                "map_id": f"{context['id']}_map",
                "map_srid": self.map_srid,
                "name": context["name"],
                "module": context["module"],
                "default_lon": 7.6,
                "default_lat": 51.45,
                "default_zoom": 7,
            },
            storage_srid=STORAGE_SRID,
        )
        return context
