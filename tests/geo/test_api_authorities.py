"""GET /api/v1/authorities/ and /api/v1/authorities/{key}/ as GeoJSON."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from shapely.geometry import shape

from geo import crs

pytestmark = pytest.mark.django_db

URL = "/api/v1/authorities/"


def test_filter_by_kind(api: APIClient) -> None:
    response = api.get(URL, {"kind": "gemeinde"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == len(body["features"]) == 396
    koeln = next(f for f in body["features"] if f["id"] == "05315000")
    assert koeln["properties"]["name"] == "Köln"
    assert koeln["properties"]["parent_key"] == "05315"
    assert koeln["geometry"]["type"] == "MultiPolygon"


def test_several_kinds_repeated_or_comma_separated(api: APIClient) -> None:
    repeated = api.get(f"{URL}?kind=kreis&kind=kreisfreie_stadt").json()
    commas = api.get(URL, {"kind": "kreis,kreisfreie_stadt"}).json()
    assert repeated["numberReturned"] == commas["numberReturned"] == 53


def test_default_output_is_lon_lat(api: APIClient) -> None:
    feature = api.get(f"{URL}05315000/").json()
    boundary = shape(feature["geometry"])
    assert boundary.contains(shape({"type": "Point", "coordinates": [6.9583, 50.9413]}))
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 6.7 < lon < 7.2
    assert 50.8 < lat < 51.1


def test_output_in_utm_on_request(api: APIClient) -> None:
    response = api.get(f"{URL}05315000/", {"crs": "EPSG:25832"})
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/25832>"
    x, y = response.json()["geometry"]["coordinates"][0][0][0]
    assert 340_000 < x < 372_000
    assert 5_630_000 < y < 5_663_000


def test_output_in_epsg_4326_is_lat_lon(api: APIClient) -> None:
    response = api.get(f"{URL}05315000/", {"crs": "http://www.opengis.net/def/crs/EPSG/0/4326"})
    first, second = response.json()["geometry"]["coordinates"][0][0][0]
    assert 50.8 < first < 51.1
    assert 6.7 < second < 7.2


def test_bbox_in_lon_lat(api: APIClient) -> None:
    body = api.get(URL, {"kind": "gemeinde", "bbox": "6.95,50.93,6.97,50.95"}).json()
    assert [f["id"] for f in body["features"]] == ["05315000"]


def test_bbox_in_utm(api: APIClient) -> None:
    x, y = crs.transform_coords([(7.4653, 51.5136)], crs.CRS84, crs.STORAGE)[0]
    body = api.get(
        URL, {"kind": "gemeinde", "bbox": f"{x - 10},{y - 10},{x + 10},{y + 10}", "bbox-crs": "EPSG:25832"}
    ).json()
    assert [f["properties"]["name"] for f in body["features"]] == ["Dortmund"]


def test_bbox_outside_nrw_is_empty_and_the_world_is_everything(api: APIClient) -> None:
    assert api.get(URL, {"bbox": "100,10,110,20"}).json()["numberReturned"] == 0
    assert api.get(URL, {"kind": "regierungsbezirk", "bbox": "-180,-90,180,90"}).json()["numberReturned"] == 5


def test_children_of_a_parent(api: APIClient) -> None:
    body = api.get(URL, {"parent": "05170"}).json()  # Kreis Wesel
    names = {f["properties"]["name"] for f in body["features"]}
    assert "Moers" in names
    assert len(names) == 13


def test_detail_of_the_land(api: APIClient) -> None:
    feature = api.get(f"{URL}05/").json()
    assert feature["properties"]["kind"] == "land"
    assert feature["properties"]["parent_key"] is None


def test_unknown_key_is_404_in_our_shape(api: APIClient) -> None:
    response = api.get(f"{URL}09162000/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "09162000" in response.json()["message"]
    english = api.get(f"{URL}09162000/", HTTP_ACCEPT_LANGUAGE="en")
    assert "09162000" in english.json()["message"]
    assert english.json()["message"] != response.json()["message"]


def test_plain_json_for_clients_that_ask_for_it(api: APIClient) -> None:
    response = api.get(f"{URL}05/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"kind": "bundesland"}, "bad_request"),
        ({"bbox": "6.9,50.9,7.0"}, "invalid_bbox"),
        ({"bbox": "7.0,50.9,6.9,51.0"}, "invalid_bbox"),
        ({"bbox": "a,b,c,d"}, "invalid_bbox"),
        ({"bbox": "6.9,50.9,7.0,nan"}, "invalid_bbox"),
        ({"bbox": "6.9,50.9,7.0,95"}, "invalid_bbox"),
        ({"bbox": "6.9,50.9,7.0,51.0", "bbox-crs": "EPSG:9999"}, "unsupported_crs"),
        ({"bbox-crs": "EPSG:25832"}, "bad_request"),
        ({"crs": "+proj=longlat"}, "unsupported_crs"),
        ({"parent": "Köln"}, "bad_request"),
        ({"limit": "10"}, "unknown_parameter"),
    ],
)
def test_bad_parameters_answer_400(api: APIClient, params: dict, code: str) -> None:
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
