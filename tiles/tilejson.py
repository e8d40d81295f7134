"""TileJSON 3.0.0 documents of the data layers."""

from __future__ import annotations

from typing import Any, Final

from layers.registry import DataLayer
from tiles.vector import MAX_ZOOM, clusters

# NRW in lon/lat (west, south, east, north), and a centre that shows the whole Land.
NRW_BOUNDS: Final = (5.86, 50.32, 9.46, 52.53)
NRW_CENTER: Final = (7.56, 51.43, 7)
_FIELD_TYPES: Final = {"string": "String", "date-time": "String", "integer": "Number", "number": "Number"}


def tilejson(layer: DataLayer, tile_url_template: str) -> dict[str, Any]:
    """Return the TileJSON of a layer whose tiles are at the {z}/{x}/{y} URL template."""
    fields = {prop.name: _FIELD_TYPES.get(prop.type, "String") for prop in layer.tile_properties}
    if clusters(layer):
        # Clustered tiles carry a count, and the id of a cluster of one.
        fields.update(count="Number", id="Number")
    return {
        "tilejson": "3.0.0",
        "name": str(layer.title),
        "description": str(layer.description),
        "attribution": str(layer.attribution.html()),
        "scheme": "xyz",
        "tiles": [tile_url_template],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": list(NRW_BOUNDS),
        "center": list(NRW_CENTER),
        "vector_layers": [
            {
                "id": layer.key,
                "description": str(layer.description),
                "fields": fields,
                "minzoom": layer.minzoom,
                "maxzoom": layer.maxzoom,
            }
        ],
    }
