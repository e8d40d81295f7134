"""Hostile geometries through the real API: each answers 4xx with a clear message, fast, small, storing nothing.

Every case is posted as raw JSON text, so that tokens Python's encoder would never write (NaN,
Infinity, 1e309) and nesting deeper than its recursion limit reach the server as an attacker sends
them. The same cases go to the report form (a Point) and to a procedure taking points, lines and
areas. Corpus files in hostile/ hold the small cases; the big ones are built here at test time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from procedures.models import Procedure
from tests.procedures.conftest import CONTRIBUTION_BODY, contributions_url
from tests.reports.conftest import REPORT_BODY

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "hostile" / "geometries"
REPORTS_URL = "/api/v1/reports/"
# CPU seconds of one request: a hostile request is refused in milliseconds of CPU when the checks hold.
MAX_SECONDS = 2.0
# Wall time on a shared two-core machine also counts waiting for a core; it only has to catch hangs.
MAX_WALL_SECONDS = 15.0
# A geometry refused before it is built costs little; building a million vertices in shapely and GEOS, or
# decoding them into Python lists, costs hundreds of megabytes.
MAX_PEAK_BYTES = 48 * 1024 * 1024

KOELN = "[6.9490, 50.9363]"


def _repeat_positions(count: int) -> str:
    # Distinct positions, so that no check could shortcut repeated points.
    return ",".join(f"[6.9{i % 1000:03d},50.9{i // 1000 % 1000:03d}]" for i in range(count))


def _nested_collections(depth: int) -> str:
    inner = f'{{"type": "Point", "coordinates": {KOELN}}}'
    return '{"type": "GeometryCollection", "geometries": [' * depth + inner + "]}" * depth


@dataclass(frozen=True)
class Case:
    """A hostile geometry and the answers allowed for it: status and the codes that name the problem."""

    geometry: str
    status: int
    codes: frozenset[str]
    crs: str | None = None


def case(geometry: str, status: int, *codes: str, crs: str | None = None) -> Case:
    return Case(geometry=geometry, status=status, codes=frozenset(codes), crs=crs)


def corpus(name: str) -> str:
    return (CORPUS / name).read_text()


# Codes a geometry the endpoint never takes may also answer: a report's place is a Point only.
WRONG_KIND = ("invalid_geometry", "geometry_not_allowed")

CASES: dict[str, Case] = {
    "self-intersecting polygon": case(corpus("bowtie.json"), 422, *WRONG_KIND),
    "unclosed ring": case(corpus("unclosed_ring.json"), 422, *WRONG_KIND),
    "ring of three points": case(corpus("three_point_ring.json"), 422, *WRONG_KIND),
    "swapped lat/lon": case('{"type": "Point", "coordinates": [50.9363, 6.9490]}', 422, "swapped_axes"),
    "NaN token": case('{"type": "Point", "coordinates": [NaN, 50.9363]}', 400, "bad_request"),
    "Infinity token": case('{"type": "Point", "coordinates": [6.949, Infinity]}', 400, "bad_request"),
    "-Infinity token": case('{"type": "Point", "coordinates": [-Infinity, 50.9]}', 400, "bad_request"),
    # Python reads 1e309 as infinity without complaint; the field then refuses what it cannot write back.
    "1e309 overflows to infinity": case(
        '{"type": "Point", "coordinates": [1e309, 50.9363]}', 422, "validation_failed", "non_finite_coordinates"
    ),
    "1e300 far outside the world": case(
        '{"type": "Point", "coordinates": [1e300, 1e300]}', 422, "coordinates_out_of_range"
    ),
    "EPSG:25832 metres sent as lon/lat": case(
        '{"type": "Point", "coordinates": [356560.26, 5645282.14]}', 422, "coordinates_out_of_range"
    ),
    "lon/lat sent as EPSG:25832": case(
        f'{{"type": "Point", "coordinates": {KOELN}}}', 422, "outside_area", crs="EPSG:25832"
    ),
    "crs member inside the geometry": case(corpus("crs_member.json"), 422, "invalid_geometry"),
    "unknown CRS": case(f'{{"type": "Point", "coordinates": {KOELN}}}', 400, "unsupported_crs", crs="EPSG:2056"),
    "CRS as a URL": case(
        f'{{"type": "Point", "coordinates": {KOELN}}}', 400, "unsupported_crs", crs="http://evil.example/crs.wkt"
    ),
    "collections nested 1000 deep": case(_nested_collections(1000), 400, "too_deeply_nested"),
    "collections nested 100 deep": case(_nested_collections(100), 422, *WRONG_KIND),
    "coordinates nested 100000 deep": case(
        '{"type": "Point", "coordinates": ' + "[" * 100_000 + "]" * 100_000 + "}", 400, "too_deeply_nested"
    ),
    "10^6 vertices": case(
        '{"type": "LineString", "coordinates": [' + _repeat_positions(1_000_000) + "]}", 413, "payload_too_large"
    ),
    "10^5 vertices within the body limit": case(
        '{"type": "LineString", "coordinates": [' + _repeat_positions(100_000) + "]}",
        422,
        "too_many_vertices",
        *WRONG_KIND,
    ),
    "coordinates as strings": case('{"type": "Point", "coordinates": ["6.949", "50.9363"]}', 422, "invalid_geometry"),
    "coordinates as booleans": case('{"type": "Point", "coordinates": [true, false]}', 422, "invalid_geometry"),
    "type as a number": case(f'{{"type": 42, "coordinates": {KOELN}}}', 422, "invalid_geometry"),
    "unknown type": case(f'{{"type": "Circle", "coordinates": {KOELN}, "radius": 5}}', 422, *WRONG_KIND),
    "WKT instead of GeoJSON": case('"POINT (6.949 50.9363)"', 422, *WRONG_KIND),
    "geometry as a list": case(KOELN, 422, *WRONG_KIND),
    "four coordinates": case('{"type": "Point", "coordinates": [6.949, 50.9363, 1, 2]}', 422, "invalid_geometry"),
    "empty point": case('{"type": "Point", "coordinates": []}', 422, "invalid_geometry"),
    "empty polygon": case('{"type": "Polygon", "coordinates": []}', 422, *WRONG_KIND),
    "empty collection": case('{"type": "GeometryCollection", "geometries": []}', 422, *WRONG_KIND),
    "empty object": case("{}", 422, *WRONG_KIND),
}


def raw_body(template: dict[str, Any], field: str, geometry: str, crs: str | None) -> str:
    """Return the JSON text of a form with the geometry's own text spliced in, unparsed."""
    body = {key: value for key, value in template.items() if key != field}
    if crs is not None:
        body["crs"] = crs
    text = json.dumps(body)
    return text[:-1] + f', "{field}": {geometry}}}'


@pytest.fixture
def procedure(make_procedure: Callable[..., Procedure]) -> Procedure:
    # Every shape a procedure can take, and the vertex limit far above any honest sketch.
    return make_procedure(allowed_geometries=["point", "line", "polygon"], max_vertices=5000)


@dataclass(frozen=True)
class Endpoint:
    """Where a geometry is posted, and in which form field."""

    url: str
    template: dict[str, Any]
    field: str

    def body(self, hostile: Case) -> bytes:
        """Return the request body, encoded before any measuring starts."""
        return raw_body(self.template, self.field, hostile.geometry, hostile.crs).encode()

    def post(self, api: APIClient, body: bytes) -> Any:
        return api.post(self.url, body, content_type="application/json")


@pytest.fixture(params=["report", "contribution"])
def endpoint(request: pytest.FixtureRequest, procedure: Procedure) -> Endpoint:
    """Return the report form or a procedure's contributions, each taking a place as GeoJSON."""
    if request.param == "report":
        return Endpoint(REPORTS_URL, REPORT_BODY, "location")
    return Endpoint(contributions_url(procedure), CONTRIBUTION_BODY, "geometry")


@pytest.mark.parametrize("name", CASES)
def test_hostile_geometry_is_refused_fast_small_and_clearly(
    api: APIClient, endpoint: Endpoint, name: str, cost_of: Any, nothing_stored: Callable[[], None]
) -> None:
    hostile = CASES[name]
    body = endpoint.body(hostile)
    response, cost = cost_of(lambda: endpoint.post(api, body))
    assert response.status_code == hostile.status, response.content[:500]
    answer = response.json()
    assert answer["code"] in hostile.codes, answer
    assert len(answer["message"].strip()) > 10, answer
    assert cost.seconds < MAX_SECONDS, f"{name}: {cost.seconds:.2f} s of CPU"
    assert cost.wall_seconds < MAX_WALL_SECONDS, f"{name}: {cost.wall_seconds:.2f} s"
    assert cost.peak_bytes < MAX_PEAK_BYTES, f"{name}: peak grew by {cost.peak_bytes / 2**20:.0f} MiB"
    nothing_stored()


# Messages the English catalogue already translates; the wording of newer ones follows with makemessages.
ENGLISH = {
    "NaN token": "The request body is not valid JSON.",
    "10^5 vertices within the body limit": "too many vertices",
    "unknown CRS": "is not supported",
}


@pytest.mark.parametrize("name", CASES)
def test_english_answers_carry_the_same_status_and_code(api: APIClient, endpoint: Endpoint, name: str) -> None:
    body = endpoint.body(CASES[name])
    german = endpoint.post(api, body)
    english = endpoint.post(APIClient(HTTP_ACCEPT_LANGUAGE="en"), body)
    assert english.status_code == german.status_code
    assert english.json()["code"] == german.json()["code"]
    assert english.json()["message"].strip()
    if name in ENGLISH and english.json()["code"] not in WRONG_KIND:
        assert ENGLISH[name] in english.json()["message"]
        assert english.json()["message"] != german.json()["message"]


def test_messages_name_the_problem_in_german(api: APIClient, endpoint: Endpoint) -> None:
    expectations = {
        "self-intersecting polygon": ("schneidet sich selbst", "nicht erlaubt"),
        "swapped lat/lon": ("vertauscht",),
        "collections nested 1000 deep": ("zu tief verschachtelt",),
        "10^6 vertices": ("zu groß",),
        "crs member inside the geometry": ("„crs“",),
        "EPSG:25832 metres sent as lon/lat": ("außerhalb des gültigen Bereichs",),
    }
    for name, words in expectations.items():
        message = endpoint.post(api, endpoint.body(CASES[name])).json()["message"]
        assert any(word in message for word in words), (name, message)


# Parameters that name places: bbox, bbox-crs, lon/lat, x/y/crs on the JSON API and OGC API Features, and
# the z/x/y of vector tiles.
QUERY_CASES: dict[str, tuple[str, str]] = {
    "bbox with NaN": ("/api/v1/reports/?bbox=nan,50.9,7.0,51.0", "invalid_bbox"),
    "bbox with inf": ("/api/v1/reports/?bbox=6.9,50.9,inf,51.0", "invalid_bbox"),
    "bbox with 1e309": ("/api/v1/reports/?bbox=1e309,50.9,7.0,51.0", "invalid_bbox"),
    "bbox with five numbers": ("/api/v1/reports/?bbox=6.9,50.9,7.0,51.0,3", "invalid_bbox"),
    "bbox upside down": ("/api/v1/reports/?bbox=7.0,51.0,6.9,50.9", "invalid_bbox"),
    "bbox with swapped axes out of range": ("/api/v1/reports/?bbox=50.9,6.9,51.0,200", "invalid_bbox"),
    "bbox of 10000 commas": ("/api/v1/reports/?bbox=" + "," * 10_000, "bad_request"),
    "unknown bbox-crs": ("/api/v1/reports/?bbox=6.9,50.9,7.0,51.0&bbox-crs=EPSG:2056", "unsupported_crs"),
    "bbox-crs as a file path": ("/api/v1/reports/?bbox=6.9,50.9,7.0,51.0&bbox-crs=/etc/passwd", "unsupported_crs"),
    "layer bbox beyond the world": ("/api/v1/layers/reports/features?bbox=-1e308,-1e308,1e308,1e308", "invalid_bbox"),
    "layer with a WKT crs": ("/api/v1/layers/reports/features?crs=GEOGCS[%22x%22]", "unsupported_crs"),
    "OGC bbox with NaN": ("/ogc/collections/reports/items?bbox=nan,0,1,1", "invalid_bbox"),
    "lon NaN": ("/api/v1/categories/?lon=nan&lat=50.9", "bad_request"),
    "lon Infinity": ("/api/v1/categories/?lon=Infinity&lat=50.9", "bad_request"),
    "x 1e309": ("/api/v1/categories/?x=1e309&y=5645282&crs=EPSG:25832", "bad_request"),
    "metres as lon/lat": ("/api/v1/categories/?lon=356560&lat=5645282", "coordinates_out_of_range"),
    "lat/lon swapped": ("/api/v1/categories/?lon=50.9363&lat=6.9490", "swapped_axes"),
    "tile zoom beyond the pyramid": ("/tiles/reports/23/0/0.mvt", "tile_out_of_range"),
    "tile x beyond 2^z": ("/tiles/reports/3/8/0.mvt", "tile_out_of_range"),
    "tile x of 40 digits": ("/tiles/reports/3/" + "9" * 40 + "/0.mvt", "tile_out_of_range"),
    "tile layer unknown": ("/tiles/passwd/3/0/0.mvt", "unknown_layer"),
}


@pytest.mark.parametrize("name", QUERY_CASES)
def test_hostile_place_parameters_answer_4xx(
    api: APIClient, name: str, cost_of: Any, nothing_stored: Callable[[], None]
) -> None:
    url, code = QUERY_CASES[name]
    response, cost = cost_of(lambda: api.get(url))
    assert response.status_code in (400, 404, 422), response.content[:300]
    answer = response.json()
    assert answer["code"] == code, answer
    # OGC API Features answers RFC 7807-like {"code", "description"}; our API {"code", "message"}.
    assert len(str(answer.get("message") or answer.get("description")).strip()) > 10
    assert cost.seconds < MAX_SECONDS
    assert cost.wall_seconds < MAX_WALL_SECONDS
    assert cost.peak_bytes < MAX_PEAK_BYTES
    nothing_stored()
