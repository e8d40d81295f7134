"""OGC API – Features (Part 1 and Part 2) at /ogc/, read by our tests, OWSLib and GDAL alike."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pyproj
import pytest
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone
from owslib.ogcapi.features import Features

from geo.models import Authority
from layers.ogc import urls as ogc_urls
from layers.ogc.documents import CONFORMANCE
from layers.registry import DATA_LAYERS
from reports.models import Category, Report
from tests.reports.conftest import DORTMUND, KOELN, stored

pytestmark = pytest.mark.django_db

CODE = "ogc-test"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """Return a factory of public reports in category `ogc-test`."""
    category = Category.objects.create(authority=Authority.objects.get(key="05"), code=CODE, name="OGC-Test")

    def make(lonlat: tuple[float, float] = KOELN, **overrides: Any) -> Report:
        values: dict[str, Any] = {
            "authority": Authority.objects.get(key="05315000"),
            "category": category,
            "location": stored(*lonlat),
            "description": "Schlagloch",
            "reporter_name": "Erika Mustermann",
            "reporter_email": "erika@example.org",
            "published_at": timezone.now(),
        }
        values.update(overrides)
        return Report.objects.create(**values)

    return make


def get_json(client: Client, address: str, status: int = 200, **headers: str) -> dict[str, Any]:
    response = client.get(address, headers=headers)
    assert response.status_code == status, response.content
    body: dict[str, Any] = json.loads(response.content)
    return body


def rels(body: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    found: dict[str, list[dict[str, str]]] = {}
    for link in body["links"]:
        found.setdefault(link["rel"], []).append(link)
    return found


def test_landing_page_links_absolute(client: Client) -> None:
    response = client.get("/ogc/")
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["title"]
    assert body["description"]
    links = rels(body)
    for rel in ("self", "alternate", "service-desc", "service-doc", "conformance", "data"):
        assert rel in links, rel
    assert links["service-desc"][0]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert all(link["href"].startswith("http://testserver/ogc/") for link in body["links"])
    assert links["alternate"][0]["type"] == "text/html"


def test_conformance(client: Client) -> None:
    body = get_json(client, "/ogc/conformance?f=json")
    assert set(body["conformsTo"]) == set(CONFORMANCE)
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in body["conformsTo"]


def test_collections_are_the_data_layers_with_crs(client: Client) -> None:
    body = get_json(client, "/ogc/collections")
    assert [c["id"] for c in body["collections"]] == [layer.key for layer in DATA_LAYERS]
    reports = next(c for c in body["collections"] if c["id"] == "reports")
    assert reports["itemType"] == "feature"
    assert reports["storageCrs"] == EPSG + "25832"
    assert reports["crs"] == [CRS84, EPSG + "4326", EPSG + "3857", EPSG + "25832"]
    minx, miny, maxx, maxy = reports["extent"]["spatial"]["bbox"][0]
    assert minx < KOELN[0] < maxx
    assert miny < KOELN[1] < maxy
    assert get_json(client, "/ogc/collections/reports") == reports
    assert "basemap-de" not in {c["id"] for c in body["collections"]}


def test_unknown_collection_is_404(client: Client) -> None:
    for address in ("/ogc/collections/basemap-de", "/ogc/collections/nope/items", "/ogc/collections/x/items/1"):
        body = get_json(client, address, 404)
        assert body["code"] == "unknown_collection"
        assert body["description"]


def test_unknown_feature_is_404(client: Client) -> None:
    assert get_json(client, "/ogc/collections/reports/items/999999999", 404)["code"] == "unknown_feature"
    assert get_json(client, "/ogc/collections/reports/items/abc", 404)["code"] == "unknown_feature"


@pytest.mark.parametrize(
    "address",
    [
        "/ogc/?lng=7",
        "/ogc/conformance?x=1",
        "/ogc/collections?limit=2",
        "/ogc/collections/reports?bbox=1,2,3,4",
        "/ogc/collections/reports/items?lng=7",
        "/ogc/collections/reports/items?key=05",
        "/ogc/collections/reports/items/1?limit=1",
    ],
)
def test_unknown_parameter_is_400(client: Client, address: str) -> None:
    body = get_json(client, address, 400)
    assert body["code"] == "unknown_parameter"
    assert body["description"].startswith("Unbekannter Parameter")


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=10001",
        "limit=x",
        "crs=EPSG:31467",
        "crs=http://www.opengis.net/def/crs/EPSG/0/2056",
        "bbox=1,2,3",
        "bbox-crs=EPSG:25832",
        "bbox=1,2,3,4&bbox-crs=http://example.org/crs",
        "datetime=gestern",
        "f=xml",
    ],
)
def test_invalid_values_are_400(client: Client, query: str) -> None:
    assert get_json(client, f"/ogc/collections/reports/items?{query}", 400)["code"]


def test_items_feature_collection(client: Client, make_report: Callable[..., Report]) -> None:
    report = make_report()
    response = client.get(f"/ogc/collections/reports/items?category={CODE}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == f"<{CRS84}>"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == 1
    assert body["timeStamp"].endswith("Z")
    (feature,) = body["features"]
    assert feature["id"] == report.pk
    assert feature["geometry"]["coordinates"] == pytest.approx(list(KOELN), abs=1e-6)
    assert "Mustermann" not in response.content.decode()
    links = rels(body)
    assert links["self"][0]["type"] == "application/geo+json"
    assert links["alternate"][0]["type"] == "text/html"
    assert "next" not in links


def test_default_limit_is_10(client: Client) -> None:
    body = get_json(client, "/ogc/collections/authorities-gemeinden/items")
    assert body["numberReturned"] == 10
    assert "next" in rels(body)


def test_paging_walks_every_row_once(client: Client, make_report: Callable[..., Report]) -> None:
    made = {make_report().pk for _ in range(7)}
    seen: list[int] = []
    address: str | None = f"/ogc/collections/reports/items?category={CODE}&limit=3"
    pages = 0
    while address:
        response = client.get(address)
        body = json.loads(response.content)
        seen += [feature["id"] for feature in body["features"]]
        following = rels(body).get("next", [])
        address = following[0]["href"] if following else None
        if address:
            assert address.startswith("http://testserver/ogc/collections/reports/items?")
            assert response["Link"] == f'<{address}>; rel="next"'
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


def test_bbox_in_crs84_and_25832(client: Client, make_report: Callable[..., Report]) -> None:
    koeln = make_report(KOELN)
    make_report(DORTMUND)
    box = f"{KOELN[0] - 0.01},{KOELN[1] - 0.01},{KOELN[0] + 0.01},{KOELN[1] + 0.01}"
    body = get_json(client, f"/ogc/collections/reports/items?category={CODE}&bbox={box}")
    assert [f["id"] for f in body["features"]] == [koeln.pk]
    x, y = koeln.location.x, koeln.location.y
    metres = f"{x - 500},{y - 500},{x + 500},{y + 500}"
    for crs in ("EPSG:25832", EPSG + "25832"):
        body = get_json(client, f"/ogc/collections/reports/items?category={CODE}&bbox={metres}&bbox-crs={crs}")
        assert [f["id"] for f in body["features"]] == [koeln.pk]
    # EPSG:4326 takes latitude first in bbox too.
    flipped = f"{KOELN[1] - 0.01},{KOELN[0] - 0.01},{KOELN[1] + 0.01},{KOELN[0] + 0.01}"
    body = get_json(client, f"/ogc/collections/reports/items?category={CODE}&bbox={flipped}&bbox-crs={EPSG}4326")
    assert [f["id"] for f in body["features"]] == [koeln.pk]


def test_crs_4326_is_lat_lon(client: Client, make_report: Callable[..., Report]) -> None:
    report = make_report()
    response = client.get(f"/ogc/collections/reports/items?category={CODE}&crs={EPSG}4326")
    assert response["Content-Crs"] == f"<{EPSG}4326>"
    (feature,) = json.loads(response.content)["features"]
    lat, lon = feature["geometry"]["coordinates"]
    assert lat == pytest.approx(KOELN[1], abs=1e-6)
    assert lon == pytest.approx(KOELN[0], abs=1e-6)
    single = client.get(f"/ogc/collections/reports/items/{report.pk}?crs={EPSG}4326")
    assert single["Content-Crs"] == f"<{EPSG}4326>"
    assert json.loads(single.content)["geometry"]["coordinates"] == [lat, lon]


def test_crs_3857_and_25832(client: Client, make_report: Callable[..., Report]) -> None:
    report = make_report()
    response = client.get(f"/ogc/collections/reports/items?category={CODE}&crs={EPSG}3857")
    assert response["Content-Crs"] == f"<{EPSG}3857>"
    (feature,) = json.loads(response.content)["features"]
    expected = pyproj.Transformer.from_crs(4326, 3857, always_xy=True).transform(*KOELN)
    assert feature["geometry"]["coordinates"] == pytest.approx(list(expected), abs=0.05)
    response = client.get(f"/ogc/collections/reports/items?category={CODE}&crs={EPSG}25832")
    assert response["Content-Crs"] == f"<{EPSG}25832>"
    (feature,) = json.loads(response.content)["features"]
    assert feature["geometry"]["coordinates"] == pytest.approx([report.location.x, report.location.y], abs=0.01)


def test_datetime_and_filters(client: Client, make_report: Callable[..., Report]) -> None:
    report = make_report()
    day = report.created_at.date().isoformat()
    body = get_json(client, f"/ogc/collections/reports/items?category={CODE}&datetime={day}/..")
    assert [f["id"] for f in body["features"]] == [report.pk]
    body = get_json(client, f"/ogc/collections/reports/items?category={CODE}&datetime=../2000-01-01")
    assert body["features"] == []
    assert get_json(client, "/ogc/collections/authorities-land/items?datetime=2020-01-01", 400)["code"]
    body = get_json(client, "/ogc/collections/authorities-gemeinden/items?key=05170&limit=100")
    assert body["features"]
    assert all(f["properties"]["key"].startswith("05170") for f in body["features"])


def test_single_feature(client: Client, make_report: Callable[..., Report]) -> None:
    report = make_report()
    hidden = make_report(hidden_at=timezone.now())
    response = client.get(f"/ogc/collections/reports/items/{report.pk}")
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "Feature"
    assert body["id"] == report.pk
    assert rels(body)["collection"][0]["href"] == "http://testserver/ogc/collections/reports"
    assert get_json(client, f"/ogc/collections/reports/items/{hidden.pk}", 404)["code"] == "unknown_feature"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_document(client: Client) -> None:
    response = client.get("/ogc/api")
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.0.")
    assert document["servers"] == [{"url": "http://testserver/ogc"}]
    for key in ("info", "paths", "components"):
        assert key in document
    expected = {"/", "/api", "/conformance", "/collections"}
    for layer in DATA_LAYERS:
        expected |= {f"/collections/{layer.key}", f"/collections/{layer.key}/items"}
        expected.add(f"/collections/{layer.key}/items/{{featureId}}")
        parameters = document["paths"][f"/collections/{layer.key}/items"]["get"]["parameters"]
        names = {p["name"] for p in parameters if "name" in p}
        assert set(layer.filterable) <= names
    assert set(document["paths"]) == expected
    # Every URL pattern of the service is described.
    patterns = [p for p in ogc_urls.urlpatterns if isinstance(p, URLPattern)]
    assert len(patterns) == 7
    refs = list(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        assert isinstance(target, dict)
    assert "http" not in "".join(refs)
    for item in document["paths"].values():
        operation = item["get"]
        assert operation["operationId"]
        assert "200" in operation["responses"]


@pytest.mark.parametrize(
    ("address", "text"),
    [
        ("/ogc/?f=html", "OGC API Features"),
        ("/ogc/conformance?f=html", "conf/core"),
        ("/ogc/collections?f=html", "Mängelmeldungen"),
        ("/ogc/collections/reports?f=html", "25832"),
        ("/ogc/collections/authorities-land/items?f=html", "Nordrhein-Westfalen"),
        ("/ogc/collections/authorities-land/items/{land}?f=html", "Nordrhein-Westfalen"),
        ("/ogc/api?f=html", "/collections/reports/items"),
    ],
)
def test_html_pages(client: Client, address: str, text: str) -> None:
    land = Authority.objects.get(kind="land").pk
    response = client.get(address.format(land=land))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/html")
    assert text in response.content.decode()


def test_accept_header_prefers_html(client: Client) -> None:
    assert client.get("/ogc/collections", headers={"Accept": HTML})["Content-Type"].startswith("text/html")
    assert client.get("/ogc/collections", headers={"Accept": "*/*"})["Content-Type"] == "application/json"
    response = client.get("/ogc/collections?f=json", headers={"Accept": HTML})
    assert response["Content-Type"] == "application/json"


def test_post_is_refused(client: Client) -> None:
    assert client.post("/ogc/collections").status_code == 405


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_owslib_reads_collections_and_items(live_server: Any, make_report: Callable[..., Report]) -> None:
    report = make_report()
    api = Features(f"{live_server.url}/ogc/")
    assert "reports" in api.feature_collections()
    assert api.collection("reports")["storageCrs"] == EPSG + "25832"
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    items = api.collection_items("reports", category=CODE, limit=5)
    assert [feature["id"] for feature in items["features"]] == [report.pk]
    assert api.api()["openapi"].startswith("3.0")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_gdal_ogrinfo_reads_reports(live_server: Any, make_report: Callable[..., Report]) -> None:
    # `make test` installs gdal-bin; a missing client is a broken set-up, not a reason to skip.
    assert shutil.which("ogrinfo"), "GDAL's ogrinfo is missing; `make test` installs the Debian package gdal-bin."
    make_report()
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", f"OAPIF:{live_server.url}/ogc/", "reports"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"GDAL_HTTP_TIMEOUT": "60", "PATH": "/usr/bin:/bin", "CPL_DEBUG": "OFF"},
    )
    assert result.returncode == 0, result.stderr
    assert "Layer name: reports" in result.stdout
    assert "Geometry: Point" in result.stdout
    assert "Feature Count: " in result.stdout
    assert "category" in result.stdout
