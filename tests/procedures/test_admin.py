"""The procedure and contribution admin: scoped to the staff member's authorities, areas drawn or read from files."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Role
from geo.models import Authority
from procedures.areas import read_area
from procedures.models import Contribution, Procedure, ProcedureDocument
from tests.conftest import FIXTURES
from tests.procedures.conftest import DUISBURG_KEY, KOELN_KEY

pytestmark = pytest.mark.django_db

URL = "/admin/procedures/procedure/"
CONTRIBUTIONS_URL = "/admin/procedures/contribution/"
STADTBEZIRKE = FIXTURES / "koeln-stadt" / "koeln_stadtbezirke_demo_epsg25832.geojson"
DEMO_PDF = FIXTURES / "demo" / "demo-planunterlage.pdf"
# The demo procedures (fixtures/demo/procedures.json), loaded once for the test session.
KOELN_DEMO = "koeln-radverkehrskonzept-innenstadt"
DUISBURG_DEMO = "duisburg-mehr-gruen-mitte"


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "ein-langes-passwort"))
    return client


@pytest.fixture
def staff_client(client: Client) -> Callable[[str], Client]:
    """Return a client logged in as staff of the authority with this key, allowed to manage procedures."""

    def make(authority_key: str) -> Client:
        user = User.objects.create_user(f"verfahren-{authority_key}", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="procedures"))
        Membership.objects.create(user=user, authority=Authority.objects.get(key=authority_key), role=Role.PROCESSOR)
        client.force_login(user)
        return client

    return make


def form_data(procedure: Procedure, **changes: Any) -> dict[str, Any]:
    """Return what the change form posts for a procedure, its area as EWKT, with no documents."""
    local_start = timezone.localtime(procedure.starts_at)
    local_end = timezone.localtime(procedure.ends_at)
    data: dict[str, Any] = {
        "authority": procedure.authority_id,
        "title": procedure.title,
        "slug": procedure.slug,
        "kind": procedure.kind,
        "summary": procedure.summary,
        "description": procedure.description,
        "is_published": "on",
        "starts_at_0": local_start.date().isoformat(),
        "starts_at_1": local_start.time().isoformat(timespec="seconds"),
        "ends_at_0": local_end.date().isoformat(),
        "ends_at_1": local_end.time().isoformat(timespec="seconds"),
        "area": procedure.area.ewkt if procedure.area else "",
        "area_layer": "",
        "area_where": "",
        "allowed_geometries": list(procedure.allowed_geometries),
        "max_vertices": procedure.max_vertices,
        "max_length_m": procedure.max_length_m,
        "max_area_m2": procedure.max_area_m2,
        "map_extent": procedure.map_extent.ewkt if procedure.map_extent else "",
        "basemap": procedure.basemap,
        "overlays": list(procedure.overlays),
        "contact_name": procedure.contact_name,
        "contact_email": procedure.contact_email,
        "contact_phone": procedure.contact_phone,
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def errors_of(html: str) -> str:
    """Return the text of the form's error lists, for assertion messages."""
    return " | ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.DOTALL))


# --- Pages ---------------------------------------------------------------------------------------


def test_superuser_pages_render(superuser_client: Client) -> None:
    response = superuser_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Radverkehrskonzept Innenstadt" in html
    assert "Mehr Grün für Duisburg-Mitte" in html
    for status in ("läuft", "geplant", "beendet"):  # the status column
        assert status in html

    add = superuser_client.get(f"{URL}add/").content.decode()
    assert "Gebiet aus Datei" in add
    assert 'type="checkbox" name="allowed_geometries" value="line"' in add
    assert "/static/vendor/ol/ol.js" in add  # the map widget on our own assets
    assert "openstreetmap" not in add

    procedure = Procedure.objects.get(slug=KOELN_DEMO)
    change = superuser_client.get(f"{URL}{procedure.pk}/change/")
    assert change.status_code == 200
    assert "/static/geo/boundary-map-widget.js" in change.content.decode()


@pytest.mark.parametrize(("status", "slug"), [("running", KOELN_DEMO), ("planned", "koeln-spielplatz-nippes")])
def test_status_filter(superuser_client: Client, status: str, slug: str) -> None:
    response = superuser_client.get(URL, {"status": status})
    assert response.status_code == 200
    shown = {procedure.slug for procedure in response.context["cl"].result_list}
    assert slug in shown
    now = timezone.now()
    assert all(procedure.status_at(now) == status for procedure in response.context["cl"].result_list)


def test_search(superuser_client: Client) -> None:
    response = superuser_client.get(URL, {"q": "Lärmaktionsplan"})
    assert [p.slug for p in response.context["cl"].result_list] == ["koeln-laermaktionsplan-muelheim"]


def test_staff_see_only_their_authoritys_procedures(staff_client: Callable[[str], Client]) -> None:
    client = staff_client(KOELN_KEY)
    response = client.get(URL)
    assert response.status_code == 200
    shown = {procedure.authority.key for procedure in response.context["cl"].result_list}
    assert shown == {KOELN_KEY}

    koeln = Procedure.objects.get(slug=KOELN_DEMO)
    assert client.get(f"{URL}{koeln.pk}/change/").status_code == 200
    duisburg = Procedure.objects.get(slug=DUISBURG_DEMO)
    response = client.get(f"{URL}{duisburg.pk}/change/")
    # Django's admin answers an object outside the queryset as a missing one: back to the index.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.post(f"{URL}{duisburg.pk}/delete/", {"post": "yes"}).status_code == 302
    assert Procedure.objects.filter(pk=duisburg.pk).exists()


def test_staff_may_choose_only_their_authority(staff_client: Callable[[str], Client]) -> None:
    client = staff_client(KOELN_KEY)
    html = client.get(f"{URL}add/").content.decode()
    koeln = Authority.objects.get(key=KOELN_KEY)
    duisburg = Authority.objects.get(key=DUISBURG_KEY)
    assert f'<option value="{koeln.pk}"' in html
    assert f'<option value="{duisburg.pk}"' not in html

    procedure = Procedure.objects.get(slug=KOELN_DEMO)
    response = client.post(f"{URL}{procedure.pk}/change/", form_data(procedure, authority=duisburg.pk))
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen." in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.authority == koeln


def test_a_land_administrator_sees_everything(client: Client) -> None:
    user = User.objects.create_user("land-admin", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="procedures"))
    Membership.objects.create(user=user, authority=Authority.objects.get(key="05"), role=Role.ADMINISTRATOR)
    client.force_login(user)
    shown = {p.authority.key for p in client.get(URL).context["cl"].result_list}
    assert {KOELN_KEY, DUISBURG_KEY, "05170", "05"} <= shown


# --- Areas from files ----------------------------------------------------------------------------


def test_an_uploaded_file_replaces_the_area(superuser_client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    upload = SimpleUploadedFile(STADTBEZIRKE.name, STADTBEZIRKE.read_bytes())
    response = superuser_client.post(
        f"{URL}{procedure.pk}/change/", form_data(procedure, area_file=upload, area_where="STB_NAME=Porz")
    )
    assert response.status_code == 302, errors_of(response.content.decode())
    procedure.refresh_from_db()
    expected = read_area(STADTBEZIRKE, where={"STB_NAME": ["Porz"]}).area
    assert procedure.area.equals_exact(expected, 0.001)


def test_a_new_procedure_with_its_area_from_a_file(superuser_client: Client) -> None:
    template = Procedure(
        authority=Authority.objects.get(key=KOELN_KEY),
        slug="kalk-und-muelheim",
        title="Kalk und Mülheim",
        summary="Zwei Stadtbezirke",
        kind="dialogue",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(days=30),
        allowed_geometries=["point"],
    )
    upload = SimpleUploadedFile(STADTBEZIRKE.name, STADTBEZIRKE.read_bytes())
    data = form_data(
        template,
        area_file=upload,
        area_where="STB_NAME=Kalk\r\nSTB_NAME=Mülheim\r\n",
        allowed_geometries=["point", "line"],
        overlays=["reports"],
    )
    response = superuser_client.post(f"{URL}add/", data)
    assert response.status_code == 302, errors_of(response.content.decode())
    created = Procedure.objects.get(slug="kalk-und-muelheim")
    assert created.area.area / 1e6 == pytest.approx(90.36, abs=0.01)
    assert created.allowed_geometries == ["point", "line"]
    assert created.overlays == ["reports"]


def test_a_bad_area_file_is_a_form_error(superuser_client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    area = procedure.area.clone()
    upload = SimpleUploadedFile(STADTBEZIRKE.name, STADTBEZIRKE.read_bytes())
    response = superuser_client.post(
        f"{URL}{procedure.pk}/change/", form_data(procedure, area_file=upload, area_where="STB_NAME=Deutz")
    )
    assert response.status_code == 200
    assert "Kein Objekt der Ebene „stadtbezirke“ hat im Feld „STB_NAME“ den Wert „Deutz“" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.area.equals_exact(area, 0)


def test_a_layer_without_a_file_is_a_form_error(
    superuser_client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    response = superuser_client.post(f"{URL}{procedure.pk}/change/", form_data(procedure, area_layer="stadtteile"))
    assert response.status_code == 200
    assert "Ebene und Auswahl gelten nur zusammen mit einer Datei." in response.content.decode()


def test_an_area_is_required(superuser_client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    response = superuser_client.post(f"{URL}{procedure.pk}/change/", form_data(procedure, area=""))
    assert response.status_code == 200
    assert "Bitte zeichnen Sie das Gebiet ein oder laden Sie es aus einer Datei." in response.content.decode()


# --- Documents -----------------------------------------------------------------------------------


def document_form(upload: SimpleUploadedFile) -> dict[str, Any]:
    return {
        "documents-TOTAL_FORMS": "1",
        "documents-0-title": "Planentwurf",
        "documents-0-file": upload,
        "documents-0-position": "0",
    }


def test_a_pdf_document_is_stored(superuser_client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    upload = SimpleUploadedFile("planentwurf.pdf", DEMO_PDF.read_bytes(), content_type="application/pdf")
    response = superuser_client.post(f"{URL}{procedure.pk}/change/", form_data(procedure, **document_form(upload)))
    assert response.status_code == 302, errors_of(response.content.decode())
    document = ProcedureDocument.objects.get(procedure=procedure)
    assert document.file.name == f"documents/{procedure.pk}/planentwurf.pdf"
    with default_storage.open(document.file.name, "rb") as stored:
        assert stored.read(5) == b"%PDF-"


def test_a_non_pdf_document_is_refused(superuser_client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    upload = SimpleUploadedFile("planentwurf.pdf", b"<html>kein PDF</html>", content_type="application/pdf")
    response = superuser_client.post(f"{URL}{procedure.pk}/change/", form_data(procedure, **document_form(upload)))
    assert response.status_code == 200
    assert "Die Datei ist kein PDF-Dokument." in response.content.decode()
    assert not ProcedureDocument.objects.filter(procedure=procedure).exists()


def test_a_document_must_be_named_pdf(superuser_client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    upload = SimpleUploadedFile("planentwurf.docx", DEMO_PDF.read_bytes())
    response = superuser_client.post(f"{URL}{procedure.pk}/change/", form_data(procedure, **document_form(upload)))
    assert response.status_code == 200
    assert "Dateiendung" in response.content.decode()
    assert not ProcedureDocument.objects.filter(procedure=procedure).exists()


# --- Contributions -------------------------------------------------------------------------------


def test_contributions_with_their_authors_for_staff(staff_client: Callable[[str], Client]) -> None:
    client = staff_client(KOELN_KEY)
    response = client.get(CONTRIBUTIONS_URL)
    assert response.status_code == 200
    shown = {contribution.procedure.authority.key for contribution in response.context["cl"].result_list}
    assert shown == {KOELN_KEY}

    with_author = Contribution.objects.get(author_email="anwohnerin@example.org")
    html = client.get(f"{CONTRIBUTIONS_URL}{with_author.pk}/change/").content.decode()
    assert "anwohnerin@example.org" in html
    assert "Anwohnerin (Demo)" in html
    assert "Am Neumarkt prüfen wir gerade" in html  # the reply, inline

    duisburg = Contribution.objects.filter(procedure__slug=DUISBURG_DEMO).first()
    assert client.get(f"{CONTRIBUTIONS_URL}{duisburg.pk}/change/").status_code == 302


def test_contributions_are_read_only_in_the_admin(superuser_client: Client) -> None:
    contribution = Contribution.objects.filter(procedure__slug=KOELN_DEMO).first()
    assert superuser_client.get(f"{CONTRIBUTIONS_URL}add/").status_code == 403
    html = superuser_client.get(f"{CONTRIBUTIONS_URL}{contribution.pk}/change/").content.decode()
    assert 'name="_save"' not in html
    response = superuser_client.post(f"{CONTRIBUTIONS_URL}{contribution.pk}/change/", {"text": "geändert"})
    assert response.status_code == 403
    contribution.refresh_from_db()
    assert contribution.text != "geändert"


def test_contribution_list_pages_render(superuser_client: Client) -> None:
    response = superuser_client.get(CONTRIBUTIONS_URL, {"q": "Königstraße"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Linie, 3 Stützpunkte" in html
    assert "Mehr Grün für Duisburg-Mitte" in html
