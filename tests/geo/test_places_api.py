"""Finding a place without a map: place_search and GET /api/v1/places/ over Gemeinden and Köln's streets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from geo import crs
from geo.models import Authority, Street
from geo.selectors import Place, gemeinde_label, place_search
from geo.services import streets_import
from tests.conftest import FIXTURES

pytestmark = pytest.mark.django_db

URL = "/api/v1/places/"
KOELN_STREETS = FIXTURES / "koeln-stadt" / "koeln_strassen_epsg25832.gpkg"


@pytest.fixture(scope="module", autouse=True)
def koeln_streets(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Import Köln's streets once for this module, committed; remove afterwards what this import added.

    The demo data may hold them already (then nothing changes). Importing per test, inside each
    test's transaction, would cost a second a test.
    """
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        report = streets_import(path=KOELN_STREETS, gemeinde_key="05315000")
    yield
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        Street.objects.filter(gemeinde__key="05315000", key__in=report.created).delete()


def stored(point: Place) -> Point:
    """Return a place's lon/lat point in the storage CRS, as the database keeps geometries."""
    x, y = crs.transform_coords([(point.point.lon, point.point.lat)], crs.CRS84, crs.STORAGE)[0]
    return Point(float(x), float(y), srid=25832)


# --- place_search --------------------------------------------------------------------------------


def test_aachener_str_finds_the_aachener_strasse_first() -> None:
    places = place_search("aachener str")
    first = places[0]
    assert (first.kind, first.key, first.name) == ("street", "00002", "Aachener Str.")
    assert first.label == "Aachener Straße, Köln"
    assert (first.gemeinde_key, first.gemeinde_name, first.match) == ("05315000", "Köln", "exact")
    # The Aachener Straße in Porz follows: its name starts the same.
    assert (places[1].key, places[1].label, places[1].match) == ("04000", "Aachener Straße (Porz), Köln", "prefix")


@pytest.mark.parametrize("query", ["Aachener Straße", "aachener strasse", "AACHENER STR.", "  aachener   straße "])
def test_spellings_of_the_same_street(query: str) -> None:
    assert place_search(query)[0].key == "00002"


@pytest.mark.parametrize("query", ["koln", "Köln", "KÖLN", "koeln"])
def test_koln_finds_the_gemeinde_koeln_first(query: str) -> None:
    first = place_search(query)[0]
    assert (first.kind, first.key, first.name, first.match) == ("gemeinde", "05315000", "Köln", "exact")
    assert first.label == "Köln (Kreisfreie Stadt)"


def test_moer_finds_moers() -> None:
    first = place_search("moer")[0]
    assert (first.kind, first.key, first.label, first.match) == (
        "gemeinde",
        "05170024",
        "Moers (Stadt, Kreis Wesel)",
        "prefix",
    )


def test_exact_match_ranks_first_and_gemeinden_before_streets_on_ties() -> None:
    # A street named like a Gemeinde: both match exactly and alike, so the Gemeinde comes first.
    koeln = Authority.objects.get(key="05315000")
    Street.objects.create(gemeinde=koeln, key="99990", name="Moers", geometry=Street.objects.get(key="00002").geometry)
    places = place_search("Moers")
    assert [(p.kind, p.name, p.match) for p in places[:2]] == [
        ("gemeinde", "Moers", "exact"),
        ("street", "Moers", "exact"),
    ]
    assert all(p.match != "exact" for p in places[2:])


def test_typos_still_find_the_street() -> None:
    places = place_search("aachner strase")
    assert places[0].key in {"00002", "04000"}
    assert places[0].match == "similar"


def test_street_points_lie_on_their_street() -> None:
    for place in place_search("straße", limit=25):
        assert place.kind == "street"
        street = Street.objects.get(gemeinde__key=place.gemeinde_key, key=place.key)
        # On the line up to the 7 decimals of the answer (about 1 cm) and pyproj vs PostGIS (below 1 mm).
        assert street.geometry.distance(stored(place)) < 0.02, place
        min_lon, min_lat, max_lon, max_lat = place.bbox
        assert min_lon <= place.point.lon <= max_lon
        assert min_lat <= place.point.lat <= max_lat


def test_gemeinde_points_lie_inside_their_gemeinde() -> None:
    places = [place for query in ("koln", "moers", "aachen", "bergisch gladbach") for place in place_search(query)]
    gemeinden = [place for place in places if place.kind == "gemeinde"]
    assert len(gemeinden) >= 4
    for place in gemeinden:
        assert Authority.objects.filter(key=place.key, boundary__contains=stored(place)).exists(), place


def test_bbox_is_lon_lat_around_the_place() -> None:
    koeln = place_search("Köln")[0]
    min_lon, min_lat, max_lon, max_lat = koeln.bbox
    assert (min_lon, min_lat, max_lon, max_lat) == pytest.approx((6.77, 50.83, 7.16, 51.08), abs=0.01)
    aachener = place_search("Aachener Straße")[0]
    assert 6.8 < aachener.bbox[0] < aachener.bbox[2] < 7.0


def test_limit_is_honoured() -> None:
    assert len(place_search("straße", limit=3)) == 3
    assert len(place_search("straße", limit=25)) == 25
    assert len(place_search("straße")) == 10
    assert place_search("straße", limit=0) == []


@pytest.mark.parametrize("query", ["", "x", " x ", "ö", "%%", "__", "!!", "%_'; --"])
def test_too_short_or_nothing_to_search_finds_nothing(query: str) -> None:
    assert place_search(query) == []


def test_hostile_text_is_only_text() -> None:
    assert place_search("'; DROP TABLE geo_street; --") is not None
    assert Street.objects.exists()
    assert len(place_search("a" * 10_000)) <= 10  # cut to 100 characters, answered like any other


@pytest.mark.parametrize(
    ("parent_name", "parent_kind", "parent_designation", "label"),
    [
        ("Wesel", "kreis", "Kreis", "Moers (Stadt, Kreis Wesel)"),
        ("Rhein-Sieg-Kreis", "kreis", "Kreis", "Moers (Stadt, Rhein-Sieg-Kreis)"),
        ("Städteregion Aachen", "kreis", "Kreis", "Moers (Stadt, Städteregion Aachen)"),
        ("Moers", "kreisfreie_stadt", "Kreisfreie Stadt", "Moers (Kreisfreie Stadt)"),
        (None, None, None, "Moers (Stadt)"),
    ],
)
def test_gemeinde_labels(
    parent_name: str | None, parent_kind: str | None, parent_designation: str | None, label: str
) -> None:
    assert gemeinde_label("Moers", "Stadt", parent_name, parent_kind, parent_designation) == label


# --- GET /api/v1/places/ ---------------------------------------------------------------------------


def test_api_answers_the_places(api: APIClient) -> None:
    response = api.get(URL, {"q": "aachener str", "limit": "2"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["results"]
    assert len(body["results"]) == 2
    first = body["results"][0]
    assert set(first) == {
        "kind",
        "key",
        "name",
        "label",
        "gemeinde_key",
        "gemeinde_name",
        "point",
        "bbox",
        "match",
        "similarity",
    }
    assert first["kind"] == "street"
    assert first["label"] == "Aachener Straße, Köln"
    assert (first["gemeinde_key"], first["gemeinde_name"]) == ("05315000", "Köln")
    assert set(first["point"]) == {"lon", "lat"}
    assert 6.8 < first["point"]["lon"] < 7.0
    assert 50.9 < first["point"]["lat"] < 51.0
    assert len(first["bbox"]) == 4
    assert first["bbox"][0] <= first["point"]["lon"] <= first["bbox"][2]
    assert first["bbox"][1] <= first["point"]["lat"] <= first["bbox"][3]
    assert (first["match"], first["similarity"]) == ("exact", 1.0)


def test_api_gemeinde(api: APIClient) -> None:
    first = api.get(URL, {"q": "koln"}).json()["results"][0]
    assert (first["kind"], first["key"], first["label"]) == ("gemeinde", "05315000", "Köln (Kreisfreie Stadt)")
    assert len(api.get(URL, {"q": "koln"}).json()["results"]) == 10  # the default limit


@pytest.mark.parametrize("query", ["x", "", "%%"])
def test_api_short_queries_find_nothing(api: APIClient, query: str) -> None:
    response = api.get(URL, {"q": query})
    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    ("params", "code", "names"),
    [
        ({"q": "köln", "lng": "7"}, "unknown_parameter", "lng"),
        ({"q": "köln", "limit": "0"}, "bad_request", "limit"),
        ({"q": "köln", "limit": "26"}, "bad_request", "limit"),
        ({"q": "köln", "limit": "zehn"}, "bad_request", "limit"),
        ({"limit": "5"}, "bad_request", "q"),
        ({"q": "k" * 101}, "bad_request", "q"),
    ],
)
def test_api_rejects_bad_parameters(api: APIClient, params: dict[str, str], code: str, names: str) -> None:
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert names in body["message"]


def test_api_limit_25(api: APIClient) -> None:
    assert len(api.get(URL, {"q": "straße", "limit": "25"}).json()["results"]) == 25


def test_api_is_in_the_openapi_schema(api: APIClient) -> None:
    schema = yaml.safe_load(api.get("/api/v1/schema/").content)
    operation = schema["paths"]["/api/v1/places/"]["get"]
    assert operation["operationId"] == "places_search"
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 25)
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/PlaceList")
    place = schema["components"]["schemas"]["Place"]
    assert {"kind", "label", "point", "bbox", "gemeinde_key"} <= set(place["properties"])
