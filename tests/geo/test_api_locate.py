"""GET /api/v1/locate: the Gemeinde responsible for a point."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from shapely.geometry import Point

from geo import crs
from geo.conf import geo_settings
from geo.nrw import nrw_area

pytestmark = pytest.mark.django_db

URL = "/api/v1/locate"


def test_koeln(api: APIClient) -> None:
    response = api.get(URL, {"lon": 6.9583, "lat": 50.9413})
    assert response.status_code == 200
    body = response.json()
    assert body["gemeinde"]["name"] == "Köln"
    assert body["gemeinde"]["key"] == "05315000"
    assert body["gemeinde"]["regional_key"] == "053150000000"
    assert body["kreis"]["key"] == "05315"
    assert body["kreis"]["kind"] == "kreisfreie_stadt"
    assert body["regierungsbezirk"]["name"] == "Köln"
    assert body["land"]["key"] == "05"
    assert body["match"] == "inside"
    assert body["point"] == {"lon": 6.9583, "lat": 50.9413}
    assert body["point_storage"]["crs"] == "EPSG:25832"
    assert body["point_storage"]["x"] == pytest.approx(356560.26, abs=0.01)
    assert body["point_storage"]["y"] == pytest.approx(5645282.14, abs=0.01)
    assert body["gemeinde"]["url"] == "/api/v1/authorities/05315000/"


def test_dortmund(api: APIClient) -> None:
    body = api.get(URL, {"lon": 7.4653, "lat": 51.5136}).json()
    assert (body["gemeinde"]["name"], body["gemeinde"]["key"]) == ("Dortmund", "05913000")
    assert body["regierungsbezirk"]["name"] == "Arnsberg"


def test_gemeinde_in_a_kreis(api: APIClient) -> None:
    body = api.get(URL, {"lon": 6.6267, "lat": 51.4513}).json()  # Moers
    assert (body["gemeinde"]["name"], body["kreis"]["name"], body["kreis"]["kind"]) == ("Moers", "Wesel", "kreis")


def test_utm_coordinates(api: APIClient) -> None:
    body = api.get(URL, {"x": "356560.26", "y": "5645282.14", "crs": "EPSG:25832"}).json()
    assert body["gemeinde"]["key"] == "05315000"
    assert body["point"]["lon"] == pytest.approx(6.9583, abs=1e-6)


def test_x_y_default_to_utm(api: APIClient) -> None:
    assert api.get(URL, {"x": 393506.8, "y": 5708058.2}).json()["gemeinde"]["key"] == "05913000"


def test_gauss_krueger_in_its_own_axis_order(api: APIClient) -> None:
    northing, easting = crs.transform_coords([(6.9583, 50.9413)], crs.CRS84, crs.EPSG_31466)[0]
    body = api.get(URL, {"x": northing, "y": easting, "crs": "EPSG:31466"}).json()
    assert body["gemeinde"]["key"] == "05315000"


def test_epsg_4326_is_lat_lon(api: APIClient) -> None:
    assert api.get(URL, {"x": "50.9413", "y": "6.9583", "crs": "EPSG:4326"}).json()["gemeinde"]["key"] == "05315000"


def test_outside_nrw(api: APIClient) -> None:
    response = api.get(URL, {"lon": 13.40, "lat": 52.52})
    assert response.status_code == 422
    assert response.json() == {
        "code": "outside_area",
        "message": "Der Ort liegt außerhalb von Nordrhein-Westfalen.",
        "details": {"area": "Nordrhein-Westfalen"},
    }


def test_swapped_lon_lat(api: APIClient) -> None:
    response = api.get(URL, {"lon": 50.9413, "lat": 6.9583})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "swapped_axes"
    assert "Länge und Breite" in body["message"]
    assert "vertauscht" in body["message"]


def test_swapped_in_english(api: APIClient) -> None:
    response = api.get(URL, {"lon": 50.9413, "lat": 6.9583}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "longitude and latitude" in response.json()["message"]
    assert "swapped" in response.json()["message"]
    assert response["Content-Language"] == "en"


def test_swapped_utm(api: APIClient) -> None:
    response = api.get(URL, {"x": "5645282.14", "y": "356560.26", "crs": "EPSG:25832"})
    assert response.status_code == 422
    assert response.json()["code"] == "swapped_axes"


def test_just_beyond_the_generalised_border_goes_to_the_nearest_gemeinde(api: APIClient) -> None:
    conf = geo_settings()
    border = nrw_area(conf.nrw_boundary_file, 0.0).geometry
    # 300 m outside NRW's (generalised) border, next to Aachen's corner of the map.
    outside = border.buffer(300).exterior
    candidate = min(
        (outside.interpolate(i / 400, normalized=True) for i in range(400)),
        key=lambda p: p.distance(Point(294000, 5628000)),
    )
    lon, lat = crs.from_storage(candidate).coords[0]
    response = api.get(URL, {"lon": lon, "lat": lat})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["match"] == "nearest"
    assert 250 < body["distance_m"] < 350
    # 5 km out is beyond the buffer: not NRW.
    far = crs.from_storage(Point(border.buffer(5000).exterior.coords[0])).coords[0]
    assert api.get(URL, {"lon": far[0], "lat": far[1]}).status_code == 422


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "bad_request"),
        ({"lon": 6.9}, 400, "bad_request"),
        ({"lat": 50.9}, 400, "bad_request"),
        ({"x": 356560}, 400, "bad_request"),
        ({"lon": 6.9, "lat": 50.9, "crs": "EPSG:25832"}, 400, "bad_request"),
        ({"lon": 6.9, "lat": 50.9, "x": 1, "y": 2}, 400, "bad_request"),
        ({"lng": 6.9, "lat": 50.9}, 400, "unknown_parameter"),
        ({"lon": "sechs", "lat": 50.9}, 400, "bad_request"),
        ({"lon": "nan", "lat": 50.9}, 400, "bad_request"),
        ({"lon": "inf", "lat": 50.9}, 400, "bad_request"),
        ({"lon": 6.9, "lat": 95}, 422, "coordinates_out_of_range"),
        ({"x": 356560, "y": 5645282, "crs": "+proj=utm +zone=32"}, 400, "unsupported_crs"),
        ({"x": 356560, "y": 5645282, "crs": "EPSG:2056"}, 400, "unsupported_crs"),
    ],
)
def test_bad_input_answers_4xx_with_a_message(api: APIClient, params: dict, status: int, code: str) -> None:
    response = api.get(URL, params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "details"}
    assert body["message"]


def test_unknown_parameter_names_the_typo(api: APIClient) -> None:
    body = api.get(URL, {"lng": 6.9, "lat": 50.9}).json()
    assert body["message"] == "Unbekannter Parameter: lng. Erlaubt sind: crs, lat, lon, x, y."
    assert body["details"]["unknown"] == ["lng"]


def test_only_get(api: APIClient) -> None:
    response = api.post(URL, {"lon": 6.9, "lat": 50.9}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
