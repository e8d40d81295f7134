"""Pages of a data layer as GeoJSON text, built whole by PostGIS in one statement (layers/sql/features.sql)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.db import connection
from shapely.geometry.base import BaseGeometry

from geo.crs import CRS, STORAGE_SRID
from layers.registry import DataLayer, Match

_SQL_DIR: Final = Path(__file__).resolve().parent / "sql"
DEFAULT_LIMIT: Final = 1000
MAX_LIMIT: Final = 10_000


@dataclass(frozen=True, slots=True)
class FeatureQuery:
    """What one request asks of a layer; `area` is in the storage CRS, already clipped."""

    output_crs: CRS
    limit: int = DEFAULT_LIMIT
    after: int = 0
    area: BaseGeometry | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    # One feature by its id (OGC API – Features' /items/{featureId}); None for a page.
    feature_id: int | None = None


@dataclass(frozen=True, slots=True)
class FeaturePage:
    """A FeatureCollection as JSON text, and the id to continue after if there is more."""

    body: str
    next_url: str | None


@cache
def _template() -> str:
    return (_SQL_DIR / "features.sql").read_text(encoding="utf-8")


def _properties_sql(layer: DataLayer) -> str:
    # Names and expressions are registry constants; names are also quoted as SQL string literals.
    pairs = ", ".join(f"'{prop.name}', {prop.sql}" for prop in layer.properties)
    return f"jsonb_build_object({pairs})"


def _conditions(layer: DataLayer, query: FeatureQuery, params: dict[str, Any]) -> str:
    conditions = [f"({layer.public_filter})"]
    if query.area is not None:
        if query.area.is_empty:
            conditions.append("FALSE")
        else:
            # The bbox was transformed to the storage CRS in Python; the column is compared untransformed.
            minx, miny, maxx, maxy = query.area.bounds
            params.update(bbox_minx=minx, bbox_miny=miny, bbox_maxx=maxx, bbox_maxy=maxy, bbox_wkb=query.area.wkb)
            conditions.append(
                f"{layer.geometry_column} && ST_MakeEnvelope("
                f"%(bbox_minx)s, %(bbox_miny)s, %(bbox_maxx)s, %(bbox_maxy)s, {STORAGE_SRID})"
                f" AND ST_Intersects({layer.geometry_column}, ST_GeomFromWKB(%(bbox_wkb)s, {STORAGE_SRID}))"
            )
    filterable = layer.filterable
    for index, (name, values) in enumerate(query.filters):
        prop = filterable[name]
        param = f"filter_{index}"
        if prop.match is Match.PREFIX:
            params[param] = values[0]
            conditions.append(f"starts_with({prop.sql}, %({param})s)")
        else:
            params[param] = list(values)
            conditions.append(f"{prop.sql} = ANY(%({param})s::text[])")
    if query.feature_id is not None:
        params["feature_id"] = query.feature_id
        conditions.append(f"{layer.id_column} = %(feature_id)s")
    if layer.time_column is not None:
        if query.start is not None:
            params["time_start"] = query.start
            conditions.append(f"{layer.time_column} >= %(time_start)s")
        if query.end is not None:
            params["time_end"] = query.end
            conditions.append(f"{layer.time_column} <= %(time_end)s")
    return " AND ".join(conditions)


def _output_geometry(output_crs: CRS) -> str:
    # PostGIS writes easting (longitude) first; a CRS whose first axis is northing (latitude for
    # EPSG:4326, OGC API – Features Part 2) needs the coordinates swapped after transforming.
    transformed = "ST_Transform(geom, %(srid)s)"
    return f"ST_FlipCoordinates({transformed})" if output_crs.northing_first else transformed


def feature_page(
    layer: DataLayer,
    query: FeatureQuery,
    *,
    next_prefix: str,
    links: Sequence[Mapping[str, str]] = (),
) -> FeaturePage:
    """Return one page of the layer's public features, as PostGIS writes it, in one SQL statement.

    The next page's address is `next_prefix` followed by the last id shown; `links` come before it.
    """
    params: dict[str, Any] = {
        "links": json.dumps(list(links)),
        "next_prefix": next_prefix,
        "after": query.after,
        "limit": query.limit,
        "srid": query.output_crs.srid,
        # 7 decimals of a degree are about 1 cm, as are 2 decimals of a metre.
        "precision": 7 if query.output_crs.geographic else 2,
    }
    sql = _template().format(
        source=layer.source,
        id=layer.id_column,
        geometry=layer.geometry_column,
        output_geometry=_output_geometry(query.output_crs),
        properties=_properties_sql(layer),
        conditions=_conditions(layer, query, params),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        body, next_url = cursor.fetchone()
    return FeaturePage(body=str(body), next_url=next_url)
