"""GeoJSON of the data layers at /api/v1/layers/{layer}/features, built whole in PostGIS."""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from geo import crs as crs_module
from geo.models import Authority
from procedures.models import Procedure, ProcedureKind
from reports.models import Category, Report, ReportStatus
from tests.procedures.conftest import DUISBURG_CENTRE, DUISBURG_KEY, KOELN_NEUMARKT, square_around
from tests.reports.conftest import DORTMUND, KOELN, stored

pytestmark = pytest.mark.django_db

PERSONAL = ("Erika Mustermann", "erika@example.org")
CODE = "layer-test"


def url(layer: str, query: str = "") -> str:
    return f"/api/v1/layers/{layer}/features" + (f"?{query}" if query else "")


def features(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    return list(body["features"])


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """Return a factory of reports stored directly, public unless told, in category `layer-test`."""
    category = Category.objects.create(authority=Authority.objects.get(key="05"), code=CODE, name="Ebenen-Test")

    def make(lonlat: tuple[float, float] = KOELN, **overrides: Any) -> Report:
        values: dict[str, Any] = {
            "authority": Authority.objects.get(key="05315000"),
            "category": category,
            "location": stored(*lonlat),
            "description": "Schlagloch",
            "reporter_name": PERSONAL[0],
            "reporter_email": PERSONAL[1],
            "published_at": timezone.now(),
        }
        values.update(overrides)
        return Report.objects.create(**values)

    return make


def test_reports_only_public_rows_and_properties(api: APIClient, make_report: Callable[..., Report]) -> None:
    public = make_report()
    hidden = make_report(hidden_at=timezone.now())
    unconfirmed = make_report(published_at=None)
    response = api.get(url("reports", f"category={CODE}"))
    found = features(response)
    assert [feature["id"] for feature in found] == [public.pk]
    assert hidden.pk not in {f["id"] for f in found}
    assert unconfirmed.pk not in {f["id"] for f in found}
    assert set(found[0]["properties"]) == {
        "status",
        "category",
        "category_name",
        "authority",
        "description",
        "created_at",
        "updated_at",
    }
    assert PERSONAL[0].encode() not in response.content
    assert PERSONAL[1].encode() not in response.content
    lon, lat = found[0]["geometry"]["coordinates"]
    assert lon == pytest.approx(KOELN[0], abs=1e-6)
    assert lat == pytest.approx(KOELN[1], abs=1e-6)
    assert response["Content-Crs"] == f"<{crs_module.CRS84.uri}>"


def test_no_personal_data_in_any_layer(
    api: APIClient,
    make_report: Callable[..., Report],
    make_procedure: Callable[..., Procedure],
    make_contribution: Callable[..., Any],
) -> None:
    make_report()
    procedure = make_procedure(contact_email="amt@example.org")
    make_contribution(procedure, geometry=stored(*KOELN_NEUMARKT))
    for layer in ("reports", "procedures", "contributions"):
        response = api.get(url(layer, "limit=10000"))
        assert response.status_code == 200
        for secret in (*PERSONAL, "Mustermann", "amt@example.org"):
            assert secret.encode() not in response.content, (layer, secret)


def test_procedures_exclude_drafts(api: APIClient, make_procedure: Callable[..., Procedure]) -> None:
    published = make_procedure()
    draft = make_procedure(is_published=False)
    ids = {feature["id"] for feature in features(api.get(url("procedures", "limit=10000")))}
    assert published.pk in ids
    assert draft.pk not in ids


def test_contributions_public_with_geometry_in_published_procedures(
    api: APIClient, make_procedure: Callable[..., Procedure], make_contribution: Callable[..., Any]
) -> None:
    procedure = make_procedure()
    draft = make_procedure(is_published=False)
    place = stored(*KOELN_NEUMARKT)
    shown = make_contribution(procedure, geometry=place)
    make_contribution(procedure)  # no place
    make_contribution(procedure, geometry=place, hidden_at=timezone.now())
    make_contribution(procedure, geometry=place, published_at=None)
    make_contribution(draft, geometry=place)
    found = features(api.get(url("contributions", f"procedure={procedure.slug},{draft.slug}")))
    assert [feature["id"] for feature in found] == [shown.pk]
    assert set(found[0]["properties"]) == {"procedure", "text", "created_at"}


@pytest.mark.parametrize(
    ("layer", "kinds", "count"),
    [
        ("authorities-land", {"land"}, 1),
        ("authorities-regierungsbezirke", {"regierungsbezirk"}, 5),
        ("authorities-kreise", {"kreis", "kreisfreie_stadt"}, 53),
        ("authorities-gemeinden", {"gemeinde"}, 396),
    ],
)
def test_authority_layers_by_level(api: APIClient, layer: str, kinds: set[str], count: int) -> None:
    found = features(api.get(url(layer, "limit=10000")))
    assert {feature["properties"]["kind"] for feature in found} == kinds
    assert len(found) == count
    assert found[0]["geometry"]["type"] == "MultiPolygon"


def test_authority_key_prefix_filter(api: APIClient) -> None:
    found = features(api.get(url("authorities-gemeinden", "key=05170")))
    assert found
    assert all(feature["properties"]["key"].startswith("05170") for feature in found)


def test_bbox_in_crs84_and_25832(api: APIClient, make_report: Callable[..., Report]) -> None:
    koeln = make_report(KOELN)
    make_report(DORTMUND)
    box = f"{KOELN[0] - 0.01},{KOELN[1] - 0.01},{KOELN[0] + 0.01},{KOELN[1] + 0.01}"
    assert [f["id"] for f in features(api.get(url("reports", f"category={CODE}&bbox={box}")))] == [koeln.pk]
    x, y = koeln.location.x, koeln.location.y
    metres = f"{x - 500},{y - 500},{x + 500},{y + 500}"
    found = features(api.get(url("reports", f"category={CODE}&bbox={metres}&bbox-crs=EPSG:25832")))
    assert [f["id"] for f in found] == [koeln.pk]
    far = "6.0,50.0,6.01,50.01"
    assert features(api.get(url("reports", f"category={CODE}&bbox={far}"))) == []


def test_output_crs_25832(api: APIClient, make_report: Callable[..., Report]) -> None:
    report = make_report()
    response = api.get(url("reports", f"category={CODE}&crs=EPSG:25832"))
    (feature,) = features(response)
    x, y = feature["geometry"]["coordinates"]
    assert x == pytest.approx(report.location.x, abs=0.01)
    assert y == pytest.approx(report.location.y, abs=0.01)
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/25832>"


def test_other_output_crs_is_refused(api: APIClient) -> None:
    response = api.get(url("reports", "crs=EPSG:4326"))
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_crs"
    assert "CRS84, EPSG:25832" in response.json()["message"]


def test_keyset_pagination_walks_every_row_once(api: APIClient, make_report: Callable[..., Report]) -> None:
    made = {make_report().pk for _ in range(7)}
    seen: list[int] = []
    address: str | None = url("reports", f"category={CODE}&limit=3")
    pages = 0
    while address:
        response = api.get(address)
        body = json.loads(response.content)
        seen += [feature["id"] for feature in body["features"]]
        links = [link["href"] for link in body["links"] if link["rel"] == "next"]
        address = links[0] if links else None
        if address:
            assert response["Link"] == f'<{address}>; rel="next"'
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("limit", ["0", "10001", "x"])
def test_limit_bounds(api: APIClient, limit: str) -> None:
    response = api.get(url("reports", f"limit={limit}"))
    assert response.status_code == 400
    assert "limit" in response.json()["message"]


def test_property_filter(api: APIClient, make_report: Callable[..., Report]) -> None:
    resolved = make_report(status=ReportStatus.RESOLVED)
    make_report(status=ReportStatus.SUBMITTED)
    found = features(api.get(url("reports", f"category={CODE}&status=resolved")))
    assert [f["id"] for f in found] == [resolved.pk]


def test_filter_not_declared_by_layer_is_refused(api: APIClient) -> None:
    response = api.get(url("reports", "kind=dialogue"))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"


def test_datetime_filter(api: APIClient, make_report: Callable[..., Report]) -> None:
    old, new = make_report(), make_report()
    Report.objects.filter(pk=old.pk).update(created_at=datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC))
    assert [f["id"] for f in features(api.get(url("reports", f"category={CODE}&datetime=../2021-01-01")))] == [old.pk]
    found = features(api.get(url("reports", f"category={CODE}&datetime=2021-01-01T00:00:00Z/..")))
    assert [f["id"] for f in found] == [new.pk]
    assert api.get(url("reports", "datetime=gestern")).status_code == 400
    assert api.get(url("authorities-land", "datetime=2021-01-01/..")).status_code == 400


@pytest.mark.usefixtures("without_demo_procedures")
def test_procedure_filters(api: APIClient, make_procedure: Callable[..., Procedure]) -> None:
    koeln = make_procedure(kind=ProcedureKind.DIALOGUE)
    duisburg = make_procedure(authority_key=DUISBURG_KEY, area=square_around(*DUISBURG_CENTRE, 1000))
    found = features(api.get(url("procedures", f"authority={DUISBURG_KEY}")))
    assert [f["id"] for f in found] == [duisburg.pk]
    assert [f["id"] for f in features(api.get(url("procedures", "kind=dialogue&authority=05315")))] == [koeln.pk]
    assert features(api.get(url("procedures", "kind=survey"))) == []


def test_unknown_layer_is_404_in_api_shape(api: APIClient) -> None:
    for layer in ("nope", "nrw-dop"):
        response = api.get(url(layer))
        assert response.status_code == 404
        assert set(response.json()) == {"code", "message", "details"}


def test_unknown_parameter(api: APIClient) -> None:
    response = api.get(url("reports", "lng=7"))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"


def test_etag_and_304(api: APIClient, make_report: Callable[..., Report]) -> None:
    report = make_report()
    address = url("reports", f"category={CODE}")
    first, second = api.get(address), api.get(address)
    assert first["ETag"] == second["ETag"]
    assert first["ETag"].startswith('"')
    cached = api.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert cached.status_code == 304
    assert cached.content == b""
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RESOLVED)
    changed = api.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_gzip(api: APIClient, make_report: Callable[..., Report]) -> None:
    for _ in range(5):
        make_report()
    response = api.get(url("reports", f"category={CODE}"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.content))["features"]) == 5
    again = api.get(
        url("reports", f"category={CODE}"), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_one_query_for_the_features(api: APIClient, make_report: Callable[..., Report]) -> None:
    for _ in range(3):
        make_report()
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url("reports", f"category={CODE}&bbox=6.8,50.8,7.1,51.0&datetime=2020-01-01/..&limit=2"))
    assert len(features(response)) == 2
    assert len(queries) == 1
