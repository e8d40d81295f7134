"""Properties of the whole geometry path a citizen's GeoJSON takes: parse, check, project, and back.

test_validation.py fuzzes the parser alone and test_crs.py round-trips single points; here the
parser and every check run together, in every CRS a client may name, on input that is JSON-shaped
but hostile, and valid shapes inside NRW must come back where they were sent.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from config.errors import ApplicationError
from geo import crs
from geo.conf import configured_nrw_area
from geo.errors import SwappedAxes, TooManyVertices
from geo.geojson import parse_geometry
from geo.validation import Area, clean_geometry

# Bounded and derandomised: the same examples on every run, so that CI is never red by chance.
PROPERTY = settings(
    max_examples=150, deadline=2000, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)
MAX_VERTICES = 50
# The area is read from its file once; reading it inside an example would eat the deadline.
NRW: Area = configured_nrw_area()
# Warm PROJ's transformers for every allowed CRS before the deadline counts.
for _crs in crs.ALLOWED:
    crs.transform_coords([(7.0, 51.0)], crs.CRS84, _crs)

# --- Hostile, JSON-shaped input ----------------------------------------------------------------------

_NUMBERS = (
    st.floats()  # NaN, ±inf, subnormals, ±1e308
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([6.95, 50.94, 356560.26, 5645282.14, 0, -0.0, 1e309, 90.0000001, 180.0])
)
_SCALARS = st.none() | st.booleans() | _NUMBERS | st.text(max_size=6)
_KEYS = st.sampled_from(["type", "coordinates", "geometries", "crs", "bbox", "properties", "x"])
_TYPES = st.sampled_from(
    ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection", "Feature"]
)


def _json_like(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.lists(children, max_size=6) | st.dictionaries(_KEYS, children, max_size=4),
        max_leaves=60,
    )


_SHAPED = st.recursive(
    st.builds(lambda kind, coords: {"type": kind, "coordinates": coords}, _TYPES, _json_like(_NUMBERS)),
    lambda children: st.builds(
        lambda members, extra: {"type": "GeometryCollection", "geometries": members, **extra},
        st.lists(children, max_size=3),
        st.dictionaries(st.just("crs"), _SCALARS, max_size=1),
    ),
    max_leaves=8,
)


@PROPERTY
@given(data=_json_like(_SCALARS) | _SHAPED, source=st.sampled_from(crs.ALLOWED))
def test_any_json_is_a_stored_geometry_in_nrw_or_a_client_error(data: Any, source: crs.CRS) -> None:
    outcome: BaseGeometry | ApplicationError
    try:
        outcome = clean_geometry(
            parse_geometry(data, max_vertices=MAX_VERTICES), source, area=NRW, max_vertices=MAX_VERTICES
        )
    except ApplicationError as error:
        outcome = error
    if isinstance(outcome, ApplicationError):
        assert 400 <= outcome.status_code < 500, outcome
        assert outcome.message.strip()
        return
    stored = outcome
    # What passes every check is a real place: valid, finite, inside NRW, and no bigger than allowed.
    assert stored.is_valid
    assert not stored.is_empty
    assert bool(np.isfinite(shapely.get_coordinates(stored)).all())
    assert NRW.covers(stored)
    assert shapely.get_num_coordinates(stored) <= MAX_VERTICES


# --- Valid shapes inside NRW ------------------------------------------------------------------------

# NRW's bounding box in lon/lat; places are kept only where NRW covers the whole shape.
_LON = st.floats(min_value=5.87, max_value=9.46, allow_nan=False, allow_infinity=False)
_LAT = st.floats(min_value=50.33, max_value=52.53, allow_nan=False, allow_infinity=False)


def _as_json(geometry: BaseGeometry) -> dict[str, Any]:
    """Return the geometry as GeoJSON read back from text: lists where shapely's mapping has tuples."""
    return json.loads(json.dumps(mapping(geometry)))  # type: ignore[no-any-return]


@st.composite
def _star_polygon(draw: st.DrawFn) -> dict[str, Any]:
    """Return a simple polygon: vertices at increasing angles around a centre can never cross."""
    lon, lat = draw(_LON), draw(_LAT)
    radius = draw(st.floats(min_value=0.0005, max_value=0.02))
    count = draw(st.integers(min_value=3, max_value=24))
    angles = sorted(
        draw(st.lists(st.floats(0, 2 * math.pi, exclude_max=True), min_size=count, max_size=count, unique=True))
    )
    assume(all(b - a > 1e-3 for a, b in zip(angles, [*angles[1:], angles[0] + 2 * math.pi], strict=True)))
    scales = draw(st.lists(st.floats(0.5, 1.0), min_size=count, max_size=count))
    ring = [
        [lon + radius * scale * math.cos(angle), lat + radius * scale * math.sin(angle)]
        for angle, scale in zip(angles, scales, strict=True)
    ]
    polygon = orient(shapely.Polygon(ring))
    assume(polygon.is_valid and polygon.area > 1e-9)
    return _as_json(polygon)


@st.composite
def _line(draw: st.DrawFn) -> dict[str, Any]:
    lon, lat = draw(_LON), draw(_LAT)
    offsets = draw(
        st.lists(
            st.tuples(st.floats(-0.02, 0.02), st.floats(-0.02, 0.02)), min_size=2, max_size=MAX_VERTICES, unique=True
        )
    )
    return {"type": "LineString", "coordinates": [[lon + dx, lat + dy] for dx, dy in offsets]}


_POINT = st.builds(lambda lon, lat: {"type": "Point", "coordinates": [lon, lat]}, _LON, _LAT)
_VALID = _POINT | _line() | _star_polygon()


def _inside(data: dict[str, Any]) -> BaseGeometry:
    geometry = shapely.geometry.shape(data)
    assume(NRW.covers(crs.to_storage(geometry, crs.CRS84)))
    return geometry


@PROPERTY
@given(data=_VALID)
def test_valid_shapes_in_nrw_come_back_within_a_micro_degree(data: dict[str, Any]) -> None:
    original = _inside(data)
    stored = clean_geometry(parse_geometry(data, max_vertices=MAX_VERTICES), crs.CRS84, area=NRW)
    back = crs.from_storage(stored, crs.CRS84)
    assert back.geom_type == original.geom_type
    sent, returned = shapely.get_coordinates(original), shapely.get_coordinates(back)
    assert sent.shape == returned.shape
    assert float(np.abs(sent - returned).max()) < 1e-6


@PROPERTY
@given(data=_POINT | _star_polygon())
def test_swapped_axes_are_named_as_such(data: dict[str, Any]) -> None:
    original = _inside(data)
    swapped = _as_json(crs.swap_axes(original))
    try:
        clean_geometry(parse_geometry(swapped, max_vertices=MAX_VERTICES), crs.CRS84, area=NRW)
    except SwappedAxes:
        return
    raise AssertionError(f"swapped {data} was not recognised")


@PROPERTY
@given(data=_line(), limit=st.integers(min_value=2, max_value=MAX_VERTICES))
def test_a_vertex_more_than_allowed_is_refused_before_anything_else(data: dict[str, Any], limit: int) -> None:
    count = len(data["coordinates"])
    try:
        parse_geometry(data, max_vertices=limit)
    except TooManyVertices:
        assert count > limit
    else:
        assert count <= limit
