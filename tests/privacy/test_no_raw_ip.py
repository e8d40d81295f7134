"""No raw IP address is stored: every flow that sees a client's address is driven, then every column is searched."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from procedures.models import Contribution, Procedure
from reports.models import Report
from reports.open311.services import open311_client_create
from tests.privacy.conftest import PASSWORD
from tests.reports.conftest import KOELN, PHOTOS, REPORT_BODY

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.77"  # TEST-NET-3: documentation only, never a real client
FORWARDED_IP = "2001:db8::77"  # IPv6 documentation prefix
ADDRESSES = (CLIENT_IP, FORWARDED_IP)
HEADERS: dict[str, Any] = {
    "REMOTE_ADDR": CLIENT_IP,
    "HTTP_X_FORWARDED_FOR": f"{FORWARDED_IP}, {CLIENT_IP}",
    "HTTP_X_REAL_IP": FORWARDED_IP,
    "HTTP_USER_AGENT": f"Testbrowser ({CLIENT_IP})",
}
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")
ADDRESS_TYPES = ("inet", "cidr")
# django-axes counts logins under a keyed pseudonym shaped like an address of this private range (abuse.axes),
# which no client on the internet can have; any other address in an address column is a real one.
PSEUDONYM_RANGE = "fd00::/8"


def _columns(data_types: tuple[str, ...]) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "JOIN information_schema.tables USING (table_catalog, table_schema, table_name) "
            "WHERE table_type IN ('BASE TABLE', 'LOCAL TEMPORARY') AND data_type = ANY(%s) "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY 1, 2, 3",
            [list(data_types)],
        )
        return list(cursor.fetchall())


def stored_addresses() -> list[str]:
    """Return where in the database a client address (or any address) is stored, as schema.table.column."""
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for schema, table, column in _columns(TEXT_TYPES):
            cursor.execute(
                f"SELECT count(*) FROM {quote(schema)}.{quote(table)} WHERE {quote(column)}::text LIKE ANY(%s)",  # noqa: S608 - identifiers from the catalog, quoted
                [[f"%{address}%" for address in ADDRESSES]],
            )
            if cursor.fetchone()[0]:
                found.append(f"{schema}.{table}.{column}")
        for schema, table, column in _columns(ADDRESS_TYPES):
            cursor.execute(
                f"SELECT count(*) FROM {quote(schema)}.{quote(table)} "  # noqa: S608 - identifiers from the catalog, quoted
                f"WHERE {quote(column)} IS NOT NULL AND NOT ({quote(column)} <<= %s::inet)",
                [PSEUDONYM_RANGE],
            )
            if cursor.fetchone()[0]:
                found.append(f"{schema}.{table}.{column}")
    # Session data is signed and base64-encoded: read it as Django does.
    for session in Session.objects.all():
        decoded = str(SessionStore().decode(session.session_data))
        if any(address in decoded for address in ADDRESSES):
            found.append(f"session {session.session_key}")
    return found


def test_the_search_finds_a_stored_address(report_at: Callable[..., Report]) -> None:
    from tests.privacy.conftest import T0

    report = report_at(T0)
    assert stored_addresses() == []
    Report.objects.filter(pk=report.pk).update(answers={"note": f"von {CLIENT_IP}"})
    assert stored_addresses() == ["public.reports_report.answers"]
    Report.objects.filter(pk=report.pk).update(answers={})
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE visitors (address inet)")
        cursor.execute("INSERT INTO visitors VALUES (%s)", ["198.51.100.1"])
    found = stored_addresses()
    assert len(found) == 1
    assert found[0].endswith(".visitors.address")


@pytest.fixture
def web() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="de", **HEADERS)


@pytest.fixture
def rest() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="de", **HEADERS)


def _published(model: Any, pk: int) -> None:
    from django.utils import timezone

    model.objects.filter(pk=pk).update(published_at=timezone.now(), confirmed_at=timezone.now())


def test_no_flow_that_sees_an_address_stores_it(
    web: Client,
    rest: APIClient,
    make_procedure: Callable[..., Procedure],
    citizen: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    procedure = make_procedure()
    with django_capture_on_commit_callbacks(execute=True):
        # A report through the pages, with a photo, and one through the API with an idempotency key.
        with (PHOTOS / "DSCN0010.jpg").open("rb") as photo:
            response = web.post(
                f"/meldungen/neu/?lon={KOELN[0]}&lat={KOELN[1]}&category=strassenschaden",
                {"description": "Loch im Radweg", "q_groesse": "klein", "email": "jo@example.org", "photos": [photo]},
            )
        assert response.status_code == 302, response.content.decode()[:500]
        uploaded = rest.post(
            "/api/v1/photos/", {"file": io.BytesIO((PHOTOS / "DSCN0010.jpg").read_bytes())}, format="multipart"
        )
        assert uploaded.status_code == 201, uploaded.content[:300]
        created = rest.post(
            "/api/v1/reports/",
            {**REPORT_BODY, "photos": [uploaded.json()["id"]]},
            format="json",
            HTTP_IDEMPOTENCY_KEY="privacy-ip-test-1",
        )
        assert created.status_code == 201, created.json()
        report_id = created.json()["id"]
        _published(Report, report_id)

        # And one through Open311, from a client application.
        key = open311_client_create(name="Stadt-App", contact_email="app@example.org")[1]
        open311 = web.post(
            "/open311/v2/requests.json",
            {
                "api_key": key,
                "service_code": "strassenschaden",
                "lat": str(KOELN[1]),
                "long": str(KOELN[0]),
                "description": "Schlagloch",
                "attribute[groesse]": "mittel",
                "email": "jo@example.org",
            },
        )
        assert open311.status_code in (200, 201), open311.content[:300]

        # Supports and flags, through the pages and the API.
        assert web.post(f"/meldungen/{report_id}/", {"support": "1"}).status_code == 302
        assert web.post(f"/meldungen/{report_id}/", {"reason": "Beleidigung"}).status_code == 302
        assert rest.post(f"/api/v1/reports/{report_id}/support/", format="json").status_code in (200, 201)
        assert rest.post(f"/api/v1/reports/{report_id}/flag/", {"reason": "Spam"}, format="json").status_code in (
            200,
            201,
        )

        # A contribution through the page and the API, its support and flag.
        contributed = web.post(
            reverse("procedures:detail", kwargs={"slug": procedure.slug}),
            {
                "text": "Hier fehlt ein Radweg.",
                "shape": "",
                "coordinates": "",
                "geometry": "",
                "email": "jo@example.org",
            },
        )
        assert contributed.status_code == 302, contributed.content.decode()[:500]
        api_contribution = rest.post(
            f"/api/v1/procedures/{procedure.slug}/contributions/",
            {"text": "Mehr Bäume.", "email": "jo@example.org"},
            format="json",
        )
        assert api_contribution.status_code == 201, api_contribution.json()
        contribution = Contribution.objects.filter(procedure=procedure).latest("id")
        _published(Contribution, contribution.pk)
        assert web.post(reverse("procedures:contribution-support", kwargs={"pk": contribution.pk})).status_code == 302
        web.post(reverse("procedures:contribution-flag", kwargs={"pk": contribution.pk}), {"reason": "Werbung"})
        rest.post(f"/api/v1/contributions/{contribution.pk}/support/", format="json")
        rest.post(f"/api/v1/contributions/{contribution.pk}/flag/", {"reason": "Spam"}, format="json")

        # Feedback on accessibility.
        feedback = web.post(reverse("privacy:accessibility"), {"message": "Kontrast zu schwach", "page_url": "/"})
        assert feedback.status_code == 302

    # Logins: failed and successful, at the admin and at the citizens' login page.
    for url in ("/admin/login/", "/anmelden/"):
        failed = Client(**HEADERS).post(url, {"username": citizen.username, "password": "falsch"})
        assert failed.status_code in (200, 403, 422, 429)
        unknown = Client(**HEADERS).post(url, {"username": "niemand", "password": "falsch"})
        assert unknown.status_code in (200, 403, 422, 429)
    if apps.is_installed("axes"):
        # The failed logins were recorded, so their address column was really written.
        assert apps.get_model("axes", "AccessAttempt").objects.filter(ip_address__isnull=False).exists()
    logged_in = Client(**HEADERS)
    assert logged_in.post("/anmelden/", {"username": citizen.username, "password": PASSWORD}).status_code == 302
    assert logged_in.get(reverse("privacy:account")).status_code == 200
    assert logged_in.get(reverse("privacy:account-data")).status_code == 200

    assert Report.objects.filter(reporter_email="jo@example.org").exists()
    assert stored_addresses() == []
