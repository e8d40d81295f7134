"""Throttling of citizens' writes: per client, in German, with Retry-After, and shared by every worker process."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from abuse.models import ThrottleCounter
from abuse.services import client_key, hit
from procedures.models import Contribution, ContributionFlag, Procedure
from reports.models import AbuseFlag, Report
from reports.open311.services import open311_client_create
from tests.procedures.conftest import CONTRIBUTION_BODY, contributions_url, make_procedure, running_procedure  # noqa: F401
from tests.reports.conftest import KOELN, REPORT_BODY, public_report

pytestmark = pytest.mark.django_db

Limits = Callable[..., None]
WAIT_MESSAGE = "zu oft versucht"


def assert_throttled_json(response: Any) -> None:
    assert response.status_code == 429, response.content[:500]
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert body["code"] == "throttled"
    assert WAIT_MESSAGE in body["message"]


def assert_throttled_page(response: Any) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert "Zu viele Versuche" in html
    assert WAIT_MESSAGE in html


def test_report_creation_by_api_stops_at_the_limit(api: APIClient, limits: Limits) -> None:
    limits(report_create=2)
    before = Report.objects.count()
    for _ in range(2):
        assert api.post("/api/v1/reports/", REPORT_BODY, format="json").status_code == 201
    assert_throttled_json(api.post("/api/v1/reports/", REPORT_BODY, format="json"))
    assert Report.objects.count() == before + 2


def test_the_limit_is_per_client(limits: Limits) -> None:
    limits(report_create=1)
    first = APIClient(REMOTE_ADDR="198.51.100.1")
    second = APIClient(REMOTE_ADDR="198.51.100.2")
    assert first.post("/api/v1/reports/", REPORT_BODY, format="json").status_code == 201
    assert first.post("/api/v1/reports/", REPORT_BODY, format="json").status_code == 429
    assert second.post("/api/v1/reports/", REPORT_BODY, format="json").status_code == 201


def test_invalid_requests_count_too(api: APIClient, limits: Limits) -> None:
    limits(photo_upload=1)
    assert api.post("/api/v1/photos/", {}, format="multipart").status_code == 400
    assert_throttled_json(api.post("/api/v1/photos/", {}, format="multipart"))


def test_report_creation_by_page_answers_a_friendly_page(client: Client, limits: Limits) -> None:
    limits(report_create=1)
    url = f"/meldungen/neu/?lon={KOELN[0]}&lat={KOELN[1]}&category=strassenschaden"
    data = {"description": "Loch im Radweg", "q_groesse": "klein", "email": "jo@example.org"}
    assert client.post(url, data).status_code == 302
    assert_throttled_page(client.post(url, data))
    assert Report.objects.filter(description="Loch im Radweg").count() == 1


def test_photo_first_upload_by_page(client: Client, limits: Limits) -> None:
    limits(photo_upload=1)
    client.post("/meldungen/neu/", {"photo-first": "1"})
    assert_throttled_page(client.post("/meldungen/neu/", {"photo-first": "1"}))


def test_open311_creation_answers_in_its_own_format(limits: Limits) -> None:
    limits(open311_create=1)
    key = open311_client_create(name="Stadt-App", contact_email="app@example.org")[1]
    body = {
        "api_key": key,
        "service_code": "strassenschaden",
        "lat": str(KOELN[1]),
        "long": str(KOELN[0]),
        "description": "Schlagloch",
        "email": "jo@example.org",
        "attribute[groesse]": "klein",
    }
    client = APIClient()
    assert client.post("/open311/v2/requests.json", body).status_code == 200
    refused = client.post("/open311/v2/requests.json", body)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert WAIT_MESSAGE in refused.json()[0]["description"]


def test_contributions_by_api_and_page(running_procedure: Procedure, limits: Limits) -> None:  # noqa: F811
    limits(contribution_create=1)
    api = APIClient()
    assert api.post(contributions_url(running_procedure), CONTRIBUTION_BODY, format="json").status_code == 201
    assert_throttled_json(api.post(contributions_url(running_procedure), CONTRIBUTION_BODY, format="json"))
    page = Client()
    page.cookies = api.cookies
    form = {"text": "Noch ein Beitrag", "shape": "", "coordinates": "", "geometry": "", "email": "jo@example.org"}
    assert_throttled_page(page.post(f"/verfahren/{running_procedure.slug}/", form))
    assert not Contribution.objects.filter(text="Noch ein Beitrag").exists()


def test_flags_of_reports_and_contributions_share_one_limit(
    running_procedure: Procedure,  # noqa: F811
    limits: Limits,
) -> None:
    limits(flag=2)
    api = APIClient()
    created = api.post("/api/v1/reports/", REPORT_BODY, format="json").json()
    report = public_report(created["id"])
    contribution = Contribution.objects.create(
        procedure=running_procedure, text="Unsinn", published_at=timezone.now(), author_email="a@example.org"
    )
    assert api.post(f"/api/v1/reports/{report.pk}/flag/", {"reason": "Spam"}, format="json").status_code == 201
    assert (
        api.post(f"/api/v1/contributions/{contribution.pk}/flag/", {"reason": "Spam"}, format="json").status_code == 201
    )
    assert_throttled_json(api.post(f"/api/v1/reports/{report.pk}/flag/", {"reason": "Spam"}, format="json"))
    page = Client(REMOTE_ADDR="127.0.0.1")
    assert_throttled_page(page.post(f"/meldungen/{report.pk}/", {"reason": "Spam"}))
    assert_throttled_page(page.post(f"/verfahren/beitraege/{contribution.pk}/melden/", {"reason": "Spam"}))
    assert AbuseFlag.objects.filter(report=report).count() == 1
    assert ContributionFlag.objects.filter(contribution=contribution).count() == 1


def test_login_attempts_are_throttled(client: Client, limits: Limits) -> None:
    limits(login=2)
    User.objects.create_user("erika", "erika@example.org", "ein langes Passwort 1")
    for name in ("a", "b"):
        assert client.post("/anmelden/", {"username": name, "password": "falsch"}).status_code == 422
    assert_throttled_page(client.post("/anmelden/", {"username": "erika", "password": "ein langes Passwort 1"}))
    assert "_auth_user_id" not in client.session


def test_no_address_is_stored(api: APIClient, limits: Limits) -> None:
    limits(report_create=5)
    api.post("/api/v1/reports/", REPORT_BODY, format="json", REMOTE_ADDR="203.0.113.99")
    rows = list(ThrottleCounter.objects.values_list("client_key", flat=True))
    assert rows
    assert not any("203.0.113" in key for key in rows)
    assert len(rows[0]) == 64


def delete_committed(key: str) -> None:
    """Delete a counter committed outside the test's transaction, from a connection of its own."""

    def clean() -> None:
        try:
            ThrottleCounter.objects.filter(client_key=key).delete()
        finally:
            connections["default"].close()

    cleaner = threading.Thread(target=clean)
    cleaner.start()
    cleaner.join()


def test_the_counter_is_shared_by_concurrent_connections() -> None:
    """Two workers (own threads, own database connections) hitting one counter lose no hit and share it."""
    key = f"test-{uuid.uuid4()}"
    per_worker = 25
    start = threading.Barrier(2)
    seen: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            start.wait()
            for _ in range(per_worker):
                counted = hit(action="flag", key=key)
                with lock:
                    seen.append(counted.hits)
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Each hit saw a different count: the increments were atomic, across both connections.
    assert sorted(seen) == list(range(1, 2 * per_worker + 1))

    delete_committed(key)


def test_a_second_process_sees_the_same_count() -> None:
    """A hit counted by another process (its own connection, committed) counts for this one too."""
    key = f"test-{uuid.uuid4()}"
    code = f"import django; django.setup();from abuse.services import hit; print(hit(action='flag', key={key!r}).hits)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BK_PG_DATABASE": django_settings.DATABASES["default"]["NAME"],
    }
    # Our own interpreter running our own code.
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
        cwd=django_settings.BASE_DIR,
    )
    assert done.stdout.strip().splitlines()[-1] == "1"
    # This process counts on from the other's hit (from a connection outside the test's transaction,
    # which would otherwise keep the row locked against the clean-up).
    counted: list[int] = []

    def count_and_clean() -> None:
        try:
            counted.append(hit(action="flag", key=key).hits)
            ThrottleCounter.objects.filter(client_key=key).delete()
        finally:
            connections["default"].close()

    worker = threading.Thread(target=count_and_clean)
    worker.start()
    worker.join()
    assert counted == [2]


def test_cleanup_removes_old_windows(limits: Limits) -> None:
    old = timezone.now() - datetime.timedelta(days=10)
    ThrottleCounter.objects.create(action="flag", client_key="x" * 64, window_start=old, window_end=old, hits=3)
    hit(action="flag", key="y" * 64)
    call_command("cleanup_throttle", stdout=io.StringIO())
    assert not ThrottleCounter.objects.filter(client_key="x" * 64).exists()
    assert ThrottleCounter.objects.filter(client_key="y" * 64).exists()


def test_client_key_is_a_keyed_hash() -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.5")
    assert "192.0.2.5" not in client_key(request)
    assert client_key(request) == client_key(RequestFactory().get("/", REMOTE_ADDR="192.0.2.5"))
    assert client_key(request) != client_key(RequestFactory().get("/", REMOTE_ADDR="192.0.2.6"))


def test_the_system_check_rejects_broken_rates(settings: Any) -> None:
    from config.checks import check_abuse_settings

    assert list(check_abuse_settings(app_configs=None)) == []
    settings.BK_THROTTLE = {**settings.BK_THROTTLE, "flag": {"LIMIT": 0, "WINDOW_SECONDS": 3600}}
    del settings.BK_THROTTLE["login"]
    settings.BK_ABUSE = {**settings.BK_ABUSE, "FLAG_HIDE_THRESHOLD": 0}
    ids = sorted(error.id for error in check_abuse_settings(app_configs=None))
    assert ids == ["bk.E020", "bk.E021", "bk.E022"]
