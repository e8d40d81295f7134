"""Vector tiles of the data layers, built by PostGIS in one statement each (tiles/sql/*.sql)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.db import connection

from geo.crs import STORAGE_DOMAIN_LONLAT, STORAGE_SRID
from layers.registry import DataLayer, GeometryType
from tiles.conf import TileSettings

_SQL_DIR: Final = Path(__file__).resolve().parent / "sql"
MAX_ZOOM: Final = 22
# Half the Web Mercator world's width, in metres.
_MERCATOR_HALF_WORLD: Final = 20037508.342789244
# Mercator metres are stretched by 1/cos(latitude); at NRW's (about 51.5°) one is about 0.62 metres in UTM.
_NRW_SCALE: Final = math.cos(math.radians(51.5))
# A coarser grid for tiles over the byte budget: ST_AsMVTGeom snaps to it and drops what collapses.
_COARSE_EXTENT: Final = 512


@dataclass(frozen=True, slots=True)
class Tile:
    """The MVT bytes of one tile, the data version they were built from, and how they were built."""

    body: bytes
    version: int
    features: int
    clustered: bool


@cache
def _template(name: str) -> str:
    return (_SQL_DIR / name).read_text(encoding="utf-8")


def valid_tile(z: int, x: int, y: int) -> bool:
    """Return whether z/x/y names a tile of the Web Mercator grid up to MAX_ZOOM."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def clusters(layer: DataLayer) -> bool:
    """Return whether the layer's features are points, which are clustered at low zooms."""
    return layer.geometry_type is GeometryType.POINT


def _property_sql(sql: str, kind: str) -> str:
    # MVT values are strings, numbers and booleans; times go out as ISO 8601 text, as in the GeoJSON.
    return f"(to_json({sql}) #>> '{{}}')" if kind == "date-time" else sql


def _properties_sql(layer: DataLayer) -> str:
    # Names are registry constants; quoted, they become the MVT property keys.
    return ", ".join(f'{_property_sql(prop.sql, prop.type)} AS "{prop.name}"' for prop in layer.tile_properties)


def _run(
    layer: DataLayer, z: int, x: int, y: int, conf: TileSettings, *, clustered: bool, extent: int, max_features: int
) -> Tile:
    domain_minx, domain_miny, domain_maxx, domain_maxy = STORAGE_DOMAIN_LONLAT
    params: dict[str, Any] = {
        "z": z,
        "x": x,
        "y": y,
        "layer": layer.key,
        "extent": extent,
        "buffer": conf.BUFFER * extent // conf.EXTENT,
        "margin": conf.BUFFER / conf.EXTENT,
        "max_features": max_features,
        "storage_srid": STORAGE_SRID,
        "domain_minx": domain_minx,
        "domain_miny": domain_miny,
        "domain_maxx": domain_maxx,
        "domain_maxy": domain_maxy,
    }
    if clustered:
        params["cell"] = 2 * _MERCATOR_HALF_WORLD / 2**z / conf.CLUSTER_CELLS * _NRW_SCALE
        sql = _template("tile_clustered.sql").format(
            source=layer.source, id=layer.id_column, geometry=layer.geometry_column, public_filter=layer.public_filter
        )
    else:
        sql = _template("tile.sql").format(
            source=layer.source,
            id=layer.id_column,
            geometry=layer.geometry_column,
            properties=_properties_sql(layer),
            public_filter=layer.public_filter,
        )
    connection.ensure_connection()
    # A server-side prepared statement: planning the tile SQL costs more than running it for a
    # typical tile (0.6 ms against 0.4 ms for 10 features), and a prepared plan is reused.
    # Django's wrapper turns psycopg's errors into its own and marks a broken connection for closing.
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        body, features, version = cursor.execute(sql, params, prepare=True).fetchone()
    return Tile(body=bytes(body), version=int(version), features=int(features), clustered=clustered)


def render_tile(layer: DataLayer, z: int, x: int, y: int, conf: TileSettings) -> Tile:
    """Return the tile z/x/y of the layer, within the feature and byte budgets.

    A tile over the byte budget degrades step by step: a point layer is clustered, then the
    coordinate grid coarsens, then the feature limit halves until the tile fits (or is empty).
    """
    clustered = clusters(layer) and z < conf.CLUSTER_BELOW_ZOOM
    extent, max_features = conf.EXTENT, conf.MAX_FEATURES
    tile = _run(layer, z, x, y, conf, clustered=clustered, extent=extent, max_features=max_features)
    while len(tile.body) > conf.MAX_BYTES:
        if clusters(layer) and not clustered:
            clustered = True
        elif extent > _COARSE_EXTENT:
            extent = _COARSE_EXTENT
        else:
            max_features = min(max_features, tile.features) // 2
        tile = _run(layer, z, x, y, conf, clustered=clustered, extent=extent, max_features=max_features)
    return tile
