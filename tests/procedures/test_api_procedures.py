"""The procedures API: GeoJSON built by PostGIS, filters, output CRS, simplification, the detail and the schema."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient
from shapely.geometry import shape

from accounts.models import Role
from geo import crs as crs_module
from procedures.models import Basemap, Overlay, Procedure, ProcedureDocument, ProcedureKind
from tests.procedures.conftest import (
    DUISBURG_CENTRE,
    KOELN_KEY,
    KOELN_NEUMARKT,
    MOERS_CENTRE,
    MOERS_KEY,
    square_around,
)
from tests.reports.conftest import stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_our_procedures(without_demo_procedures: None) -> None:
    """Leave out the demo data's procedures: these tests count every procedure in a list."""


URL = "/api/v1/procedures/"
MakeProcedure = Callable[..., Procedure]


def features(api: APIClient, query: str = "") -> list[dict[str, Any]]:
    response = api.get(f"{URL}{query}")
    assert response.status_code == 200, response.json()
    return list(response.json()["features"])


def slugs(api: APIClient, query: str = "") -> list[str]:
    return [feature["id"] for feature in features(api, query)]


def test_list_is_geojson_with_everything_a_map_needs(
    api: APIClient, running_procedure: Procedure, make_contribution: Any
) -> None:
    make_contribution(running_procedure)
    make_contribution(running_procedure, published_at=None)
    response = api.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == len(body["features"]) == 1
    feature = body["features"][0]
    slug = running_procedure.slug
    assert feature["id"] == slug
    assert feature["geometry"]["type"] == "MultiPolygon"
    area = shape(feature["geometry"])
    assert area.contains(shapely.Point(KOELN_NEUMARKT))
    props = feature["properties"]
    assert props == {
        "slug": slug,
        "title": "Radverkehr in der Innenstadt",
        "summary": "Wo fehlen Radwege, wo sind sie gefährlich?",
        "kind": "dialogue",
        "kind_label": "Dialog",
        "status": "running",
        "status_label": "läuft",
        "starts_at": running_procedure.starts_at.isoformat(),
        "ends_at": running_procedure.ends_at.isoformat(),
        "authority": {"key": KOELN_KEY, "name": "Köln"},
        "contribution_count": 1,
        "allowed_geometries": ["point", "line", "polygon"],
        "area_attribution": "",
        "url": f"/verfahren/{slug}/",
        "embed_url": f"/einbetten/verfahren/{slug}/",
        "center": props["center"],
    }
    assert area.contains(shapely.Point(props["center"]))
    assert "description" not in props


def test_list_order_and_drafts(api: APIClient, make_procedure: MakeProcedure) -> None:
    now = timezone.now()
    day = datetime.timedelta(days=1)
    make_procedure(slug="vorbei", starts_at=now - 9 * day, ends_at=now - day)
    make_procedure(slug="geplant", starts_at=now + day, ends_at=now + 9 * day)
    make_procedure(slug="laeuft", starts_at=now - day, ends_at=now + 9 * day)
    make_procedure(slug="entwurf", is_published=False)
    assert slugs(api) == ["laeuft", "geplant", "vorbei"]
    statuses = [feature["properties"]["status"] for feature in features(api)]
    assert statuses == ["running", "planned", "ended"]


@pytest.fixture
def three(make_procedure: MakeProcedure) -> None:
    now = timezone.now()
    make_procedure(slug="koeln-rad", title="Radverkehr in der Innenstadt")
    make_procedure(
        slug="moers-umfrage",
        title="Umfrage Stadtpark",
        authority_key=MOERS_KEY,
        area=square_around(*MOERS_CENTRE, 500),
        kind=ProcedureKind.SURVEY,
    )
    make_procedure(
        slug="duisburg-plan",
        title="Bebauungsplan Hafen",
        authority_key="05112000",
        area=square_around(*DUISBURG_CENTRE, 500),
        kind=ProcedureKind.FORMAL_STATEMENT,
        starts_at=now - datetime.timedelta(days=30),
        ends_at=now - datetime.timedelta(days=2),
    )


@pytest.mark.usefixtures("three")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?authority=05170", {"moers-umfrage"}),  # Kreis Wesel takes Moers
        ("?authority=05170024", {"moers-umfrage"}),
        ("?authority=05315000", {"koeln-rad"}),
        ("?authority=05", {"koeln-rad", "moers-umfrage", "duisburg-plan"}),
        ("?authority=051", {"moers-umfrage", "duisburg-plan"}),  # Regierungsbezirk Düsseldorf
        ("?kind=survey", {"moers-umfrage"}),
        ("?kind=survey&kind=formal_statement", {"moers-umfrage", "duisburg-plan"}),
        ("?kind=survey,formal_statement", {"moers-umfrage", "duisburg-plan"}),
        ("?status=ended", {"duisburg-plan"}),
        ("?status=running,planned", {"koeln-rad", "moers-umfrage"}),
        ("?status=planned", set()),
        ("?q=Hafen", {"duisburg-plan"}),
        ("?q=stadtpark", {"moers-umfrage"}),
        ("?q=Duisburg", {"duisburg-plan"}),
        ("?q=Bebauungspläne", {"duisburg-plan"}),  # German stemming
        ("?status=running&authority=05", {"koeln-rad", "moers-umfrage"}),
    ],
)
def test_filters(api: APIClient, query: str, expected: set[str]) -> None:
    assert set(slugs(api, query)) == expected


@pytest.mark.usefixtures("three")
def test_bbox_in_lonlat_and_in_utm(api: APIClient) -> None:
    lon, lat = KOELN_NEUMARKT
    assert slugs(api, f"?bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}") == ["koeln-rad"]
    # Touching the area from outside is enough; the constant is transformed, not the column.
    utm = stored(*MOERS_CENTRE)
    bbox = f"{utm.x + 400},{utm.y + 400},{utm.x + 2000},{utm.y + 2000}"
    assert slugs(api, f"?bbox={bbox}&bbox-crs=EPSG:25832") == ["moers-umfrage"]
    bbox = f"{utm.x + 600},{utm.y + 600},{utm.x + 2000},{utm.y + 2000}"
    assert slugs(api, f"?bbox={bbox}&bbox-crs=EPSG:25832") == []
    # EPSG:4326 is latitude first.
    assert slugs(api, f"?bbox={lat - 0.01},{lon - 0.01},{lat + 0.01},{lon + 0.01}&bbox-crs=EPSG:4326") == ["koeln-rad"]
    # Far outside the storage CRS's domain: nothing, not an error.
    assert slugs(api, "?bbox=100,10,110,20") == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?lng=6.9", "unknown_parameter"),
        ("?kind=survey,picknick", "bad_request"),
        ("?status=soon", "bad_request"),
        ("?authority=5", "bad_request"),
        ("?authority=05a", "bad_request"),
        ("?limit=0", "bad_request"),
        ("?limit=1001", "bad_request"),
        ("?simplify=-1", "bad_request"),
        ("?simplify=1001", "bad_request"),
        ("?simplify=nan", "bad_request"),
        ("?bbox=1,2,3", "invalid_bbox"),
        ("?bbox-crs=EPSG:25832", "bad_request"),
        ("?crs=EPSG:2056", "unsupported_crs"),
        ("?bbox=6,50,7,51&bbox-crs=EPSG:9999", "unsupported_crs"),
    ],
)
def test_bad_parameters_answer_400(api: APIClient, query: str, code: str) -> None:
    response = api.get(f"{URL}{query}")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_unknown_kind_names_the_choices(api: APIClient) -> None:
    body = api.get(f"{URL}?kind=picknick").json()
    assert "picknick" in str(body["details"]["fields"]["kind"])
    assert "survey" in str(body["details"]["fields"]["kind"])


def test_output_in_utm_with_content_crs(api: APIClient, running_procedure: Procedure) -> None:
    response = api.get(f"{URL}?crs=EPSG:25832")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/25832>"
    feature = response.json()["features"][0]
    area = shape(feature["geometry"])
    assert area.equals_exact(shapely.from_wkb(bytes(running_procedure.area.wkb)), tolerance=0.01)
    # The marker stays in lon/lat whatever the output CRS.
    lon, lat = feature["properties"]["center"]
    assert 6 < lon < 8
    assert 50 < lat < 52


def test_output_in_epsg_4326_is_latitude_first(api: APIClient, running_procedure: Procedure) -> None:
    response = api.get(f"{URL}?crs=EPSG:4326")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4326>"
    first = response.json()["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 50 < first[0] < 52
    assert 6 < first[1] < 8


def test_simplify_reduces_vertices_for_overview_maps(api: APIClient, make_procedure: MakeProcedure) -> None:
    circle = stored(*KOELN_NEUMARKT).buffer(800, quadsegs=100)
    make_procedure(area=MultiPolygon(circle, srid=25832))

    def vertices(query: str) -> int:
        geometry = features(api, query)[0]["geometry"]
        return int(shapely.get_num_coordinates(shape(geometry)))

    full, simplified = vertices(""), vertices("?simplify=50")
    assert full == 401
    assert simplified < 40
    assert vertices("?simplify=0") == full
    # Simplified in metres before reprojection; the result stays close to the true circle.
    assert vertices("?simplify=1000&crs=EPSG:25832") >= 4


def test_limit(api: APIClient, make_procedure: MakeProcedure) -> None:
    for _ in range(3):
        make_procedure()
    assert len(features(api, "?limit=2")) == 2


# --- Detail ------------------------------------------------------------------------------------


def test_detail_has_description_documents_limits_and_map(api: APIClient, make_procedure: MakeProcedure) -> None:
    procedure = make_procedure(
        description="## Worum es geht\n\nWir planen **neue Radwege**. <script>alert(1)</script>",
        contact_name="Amt für Verkehr",
        contact_email="verkehr@stadt-koeln.de",
        contact_phone="0221 221-0",
        allowed_geometries=["point", "line"],
        geometry_required=True,
        max_vertices=50,
        max_length_m=2000,
        max_area_m2=10_000,
        basemap=Basemap.NONE,
        overlays=[Overlay.GEMEINDEN, Overlay.REPORTS],
    )
    document = ProcedureDocument(procedure=procedure, title="Lageplan", position=1)
    document.file.save("lageplan.pdf", ContentFile(b"%PDF-1.4\n" + b"0" * 100), save=True)
    response = api.get(f"{URL}{procedure.slug}/")
    assert response.status_code == 200
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    feature = response.json()
    props = feature["properties"]
    assert feature["id"] == procedure.slug
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert props["status"] == "running"
    assert props["description"].startswith("## Worum es geht")
    assert "<h2>Worum es geht</h2>" in props["description_html"]
    assert "<strong>neue Radwege</strong>" in props["description_html"]
    assert "<script>" not in props["description_html"]
    assert props["contact"] == {"name": "Amt für Verkehr", "email": "verkehr@stadt-koeln.de", "phone": "0221 221-0"}
    assert props["documents"] == [
        {"title": "Lageplan", "url": f"/dokumente/{document.pk}/lageplan.pdf", "size": 109},
    ]
    assert props["limits"] == {"max_vertices": 50, "max_length_m": 2000, "max_area_m2": 10_000}
    assert props["geometry_required"] is True
    assert props["allowed_geometries"] == ["point", "line"]
    assert props["map"]["basemap"] == "none"
    assert props["map"]["overlays"] == ["gemeinden", "reports"]
    min_lon, min_lat, max_lon, max_lat = props["map"]["extent"]
    assert min_lon < KOELN_NEUMARKT[0] < max_lon
    assert min_lat < KOELN_NEUMARKT[1] < max_lat
    assert max_lon - min_lon == pytest.approx(0.0285, abs=0.001)  # 2 km at 51° N
    assert props["contributions_url"] == f"/api/v1/procedures/{procedure.slug}/contributions/"
    assert props["center"]


def test_detail_map_extent_when_set(api: APIClient, make_procedure: MakeProcedure) -> None:
    extent = square_around(*KOELN_NEUMARKT, 200)[0]
    procedure = make_procedure(map_extent=extent)
    got = api.get(f"{URL}{procedure.slug}/").json()["properties"]["map"]["extent"]
    # The bounds of the extent drawn in lon/lat: a UTM square is slightly turned there.
    lonlat = crs_module.transform(shapely.from_wkb(bytes(extent.wkb)), crs_module.STORAGE, crs_module.CRS84)
    assert got == pytest.approx(list(lonlat.bounds), abs=1e-6)
    area_extent = api.get(f"{URL}{make_procedure().slug}/").json()["properties"]["map"]["extent"]
    assert area_extent[2] - area_extent[0] > got[2] - got[0]


def test_a_lost_document_file_does_not_hide_the_procedure(api: APIClient, running_procedure: Procedure) -> None:
    ProcedureDocument.objects.create(procedure=running_procedure, title="Verloren", file="documents/0/weg.pdf")
    documents = api.get(f"{URL}{running_procedure.slug}/").json()["properties"]["documents"]
    assert documents == [{"title": "Verloren", "url": documents[0]["url"], "size": None}]


def test_detail_in_utm(api: APIClient, running_procedure: Procedure) -> None:
    response = api.get(f"{URL}{running_procedure.slug}/?crs=EPSG:25832")
    assert response["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/25832>"
    x = response.json()["geometry"]["coordinates"][0][0][0][0]
    assert 300_000 < x < 400_000


def test_unknown_and_draft_procedures_answer_404(
    api: APIClient,
    make_procedure: MakeProcedure,
    staff: Callable[[str, str], User],
    staff_api: Callable[[User], APIClient],
) -> None:
    response = api.get(f"{URL}gibt-es-nicht/")
    assert response.status_code == 404
    assert response.json()["code"] == "procedure_not_found"
    draft = make_procedure(is_published=False)
    assert api.get(f"{URL}{draft.slug}/").status_code == 404
    assert staff_api(staff("05112000", Role.ADMINISTRATOR)).get(f"{URL}{draft.slug}/").status_code == 404
    own = staff_api(staff(KOELN_KEY, Role.MODERATOR)).get(f"{URL}{draft.slug}/")
    assert own.status_code == 200
    assert draft.slug not in slugs(staff_api(staff(KOELN_KEY, Role.PROCESSOR)))  # drafts never in the list


def test_english_answers_keep_codes(api: APIClient, running_procedure: Procedure) -> None:
    english = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert english.get(URL).json()["features"][0]["properties"]["status"] == "running"
    response = english.get(f"{URL}gibt-es-nicht/")
    assert response.status_code == 404
    assert response.json()["code"] == "procedure_not_found"
    assert response.json()["message"]


# --- Schema ------------------------------------------------------------------------------------


def test_schema_documents_every_operation(api: APIClient) -> None:
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    operations = {
        ("/api/v1/procedures/", "get"): "procedures_list",
        ("/api/v1/procedures/{slug}/", "get"): "procedures_retrieve",
        ("/api/v1/procedures/{slug}/contributions/", "get"): "procedures_contributions_list",
        ("/api/v1/procedures/{slug}/contributions/", "post"): "procedures_contributions_create",
        ("/api/v1/contributions/{id}/", "get"): "contributions_retrieve",
        ("/api/v1/contributions/{id}/support/", "post"): "contributions_support",
        ("/api/v1/contributions/{id}/flag/", "post"): "contributions_flag",
        ("/api/v1/staff/contributions/", "get"): "staff_contributions_list",
        ("/api/v1/staff/contributions/{id}/reply/", "post"): "staff_contributions_reply",
        ("/api/v1/staff/contributions/{id}/hide/", "post"): "staff_contributions_hide",
        ("/api/v1/staff/contributions/{id}/unhide/", "post"): "staff_contributions_unhide",
    }
    for (path, method), operation_id in operations.items():
        operation = paths[path][method]
        assert operation["operationId"] == operation_id
        assert operation["summary"]
        assert "200" in operation["responses"] or "201" in operation["responses"]
    listing = paths["/api/v1/procedures/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "bbox",
        "bbox-crs",
        "authority",
        "kind",
        "status",
        "q",
        "crs",
        "simplify",
        "limit",
        "format",  # drf-spectacular's, for the two renderers
    }
    create = paths["/api/v1/procedures/{slug}/contributions/"]["post"]
    assert {"201", "409", "422"} <= set(create["responses"])
    assert "Idempotency-Key" in {p["name"] for p in create["parameters"]}
