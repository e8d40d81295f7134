"""URLs of vector tiles, their TileJSON, and the basemap proxy (mounted at /tiles/ by config/urls.py)."""

from django.urls import path, register_converter

from tiles import api, basemaps


class _Zoom:
    regex = "[0-9]{1,2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(_Zoom, "zoom")

app_name = "tiles"

urlpatterns = [
    path("basemaps/<slug:name>/<zoom:z>/<int:x>/<int:y>.<str:ext>", basemaps.basemap_tile, name="basemap-tile"),
    path("<slug:layer>.json", api.tilejson, name="tilejson"),
    path("<slug:layer>/<zoom:z>/<int:x>/<int:y>.mvt", api.tile, name="tile"),
]
