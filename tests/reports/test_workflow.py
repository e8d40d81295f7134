"""The status workflow, duplicates, moderation and who may do what (other authorities get 404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from reports.models import AbuseFlag, Report, ReportUpdate, Support
from tests.reports.conftest import DORTMUND, KOELN, geojson, public_report

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/reports"


@pytest.fixture
def report(create_report: Any) -> Report:
    return public_report(create_report()["id"])


def change(client: APIClient, report_id: int, **body: Any) -> Any:
    return client.post(f"{STAFF}/{report_id}/status/", body, format="json")


def test_processor_moves_a_report_with_notes_and_the_reporter_hears_of_it(
    report: Report, processor_koeln: Any, staff_api: Any, api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    staff = staff_api(processor_koeln)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(staff, report.pk, status="in_progress", note="Ist beauftragt.")
    assert response.status_code == 200
    assert response.json()["properties"]["reporter"]["email"] == "erika@example.org"  # staff see the contact
    with django_capture_on_commit_callbacks(execute=True):
        change(staff, report.pk, status="resolved", note="Repariert.")
        change(staff, report.pk, status="resolved", note="intern", public=False)  # not a transition
        change(staff, report.pk, status="in_progress", note="Kollegin prüft nach.", public=False)

    history = api.get(f"/api/v1/reports/{report.pk}/").json()["properties"]["history"]
    assert [(entry["status"], entry["note"]) for entry in history] == [
        ("submitted", ""),
        ("in_progress", "Ist beauftragt."),
        ("resolved", "Repariert."),
    ]
    assert [message.to for message in mail.outbox] == [["erika@example.org"], ["erika@example.org"]]
    assert "In Bearbeitung" in mail.outbox[0].subject
    assert "Ist beauftragt." in mail.outbox[0].body
    assert f"/meldungen/{report.pk}/" in mail.outbox[1].body


def test_public_change_needs_a_note_and_a_valid_transition(
    report: Report, processor_koeln: Any, staff_api: Any
) -> None:
    staff = staff_api(processor_koeln)
    missing = change(staff, report.pk, status="confirmed", note="  ")
    assert missing.status_code == 422
    assert missing.json()["code"] == "note_required"
    assert change(staff, report.pk, status="rejected", note="Privatgrund, nicht zuständig.").status_code == 200
    back_to_start = change(staff, report.pk, status="submitted", note="?")
    assert back_to_start.status_code == 409
    assert back_to_start.json()["code"] == "invalid_transition"
    assert "Abgelehnt" in back_to_start.json()["message"]
    assert change(staff, report.pk, status="confirmed", note="Doch zuständig.").status_code == 200  # reopened


def test_duplicate_takes_its_supporters_and_followers_to_the_original(
    create_report: Any, processor_koeln: Any, staff_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    original = public_report(create_report(email="first@example.org")["id"])
    duplicate = public_report(create_report(email="second@example.org", description="Schon wieder das Loch")["id"])
    for key in ("a" * 64, "b" * 64):
        Support.objects.create(report=duplicate, supporter_key=key)
    Support.objects.create(report=original, supporter_key="a" * 64)
    staff = staff_api(processor_koeln)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(staff, duplicate.pk, status="duplicate", note="Bereits gemeldet.", duplicate_of=original.pk)
        assert response.status_code == 200
        change(staff, original.pk, status="resolved", note="Repariert.")
    assert set(original.supports.values_list("supporter_key", flat=True)) == {"a" * 64, "b" * 64}
    assert not duplicate.supports.exists()
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id == original.pk
    # The second reporter heard of the duplicate, and of the original's repair.
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["first@example.org", "second@example.org", "second@example.org"]


def test_duplicate_needs_another_report(report: Report, processor_koeln: Any, staff_api: Any) -> None:
    staff = staff_api(processor_koeln)
    assert change(staff, report.pk, status="duplicate", note="x").status_code == 409
    assert change(staff, report.pk, status="duplicate", note="x", duplicate_of=report.pk).status_code == 409


def test_hiding_takes_a_report_out_of_public_view(report: Report, staff: Any, staff_api: Any, api: APIClient) -> None:
    moderator = staff_api(staff("05315000", Role.MODERATOR))
    assert moderator.post(f"{STAFF}/{report.pk}/hide/", {"reason": ""}, format="json").status_code == 422
    response = moderator.post(f"{STAFF}/{report.pk}/hide/", {"reason": "Beleidigung im Text"}, format="json")
    assert response.status_code == 200
    assert response.json()["properties"]["public"] is False
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert Client().get(f"/meldungen/{report.pk}/").status_code == 404
    internal = ReportUpdate.objects.filter(report=report, is_public=False).get()
    assert "Beleidigung" in internal.note
    assert moderator.post(f"{STAFF}/{report.pk}/unhide/", format="json").status_code == 200
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 200


def test_anyone_may_support_once_and_flag(report: Report, api: APIClient) -> None:
    first = api.post(f"/api/v1/reports/{report.pk}/support/")
    again = api.post(f"/api/v1/reports/{report.pk}/support/")
    assert first.json() == {"supported": True, "new": True, "support_count": 1}
    assert again.json() == {"supported": True, "new": False, "support_count": 1}
    other = APIClient()
    assert other.post(f"/api/v1/reports/{report.pk}/support/").json()["support_count"] == 2
    assert api.post(f"/api/v1/reports/{report.pk}/flag/", {"reason": ""}, format="json").status_code == 422
    assert api.post(f"/api/v1/reports/{report.pk}/flag/", {"reason": "Werbung"}, format="json").status_code == 201
    assert AbuseFlag.objects.filter(report=report).count() == 1
    assert api.get(f"/api/v1/reports/{report.pk}/").json()["properties"]["support_count"] == 2


def test_unpublished_reports_cannot_be_supported(create_report: Any, api: APIClient) -> None:
    pending = create_report()["id"]
    assert api.post(f"/api/v1/reports/{pending}/support/").status_code == 404


@pytest.mark.parametrize(
    "attempt",
    [
        lambda c, pk: c.get(f"{STAFF}/{pk}/"),
        lambda c, pk: c.post(f"{STAFF}/{pk}/status/", {"status": "confirmed", "note": "x"}, format="json"),
        lambda c, pk: c.post(f"{STAFF}/{pk}/hide/", {"reason": "x"}, format="json"),
        lambda c, pk: c.post(f"{STAFF}/{pk}/unhide/", format="json"),
    ],
)
def test_another_authoritys_staff_get_404(report: Report, staff: Any, staff_api: Any, attempt: Any) -> None:
    dortmund = staff_api(staff("05913000", Role.ADMINISTRATOR))
    response = attempt(dortmund, report.pk)
    assert response.status_code == 404
    assert response.json()["code"] == "report_not_found"
    report.refresh_from_db()
    assert (report.status, report.hidden_at) == ("submitted", None)


def test_staff_list_shows_only_their_authoritys_reports(
    create_report: Any, staff: Any, staff_api: Any, processor_koeln: Any
) -> None:
    koeln = public_report(create_report()["id"])
    dortmund = public_report(create_report(location=geojson(*DORTMUND))["id"])
    ids = {f["id"] for f in staff_api(processor_koeln).get(f"{STAFF}/").json()["features"]}
    assert koeln.pk in ids
    assert dortmund.pk not in ids
    land = staff_api(staff("05", Role.ADMINISTRATOR))
    land_ids = {f["id"] for f in land.get(f"{STAFF}/", {"limit": 1000}).json()["features"]}
    assert {koeln.pk, dortmund.pk} <= land_ids
    assert (
        land.post(f"{STAFF}/{dortmund.pk}/status/", {"status": "confirmed", "note": "ok"}, format="json").status_code
        == 200
    )


def test_roles_limit_what_staff_may_do(report: Report, staff: Any, staff_api: Any, processor_koeln: Any) -> None:
    moderator = staff_api(staff("05315000", Role.MODERATOR))
    processor = staff_api(processor_koeln)
    assert change(moderator, report.pk, status="confirmed", note="x").status_code == 403
    assert processor.post(f"{STAFF}/{report.pk}/hide/", {"reason": "x"}, format="json").status_code == 403


def test_citizens_are_not_staff(report: Report, api: APIClient, django_user_model: Any) -> None:
    assert api.get(f"{STAFF}/").status_code in (401, 403)
    citizen = APIClient()
    citizen.force_authenticate(django_user_model.objects.create_user("citizen"))
    assert citizen.get(f"{STAFF}/").status_code == 403
    assert citizen.get(f"{STAFF}/{report.pk}/").status_code == 404


def test_duplicate_search_while_reporting(create_report: Any, api: APIClient) -> None:
    near = public_report(create_report()["id"])
    response = api.get(f"/api/v1/reports/duplicates/?category=strassenschaden&lon={KOELN[0] + 0.0003}&lat={KOELN[1]}")
    results = response.json()["results"]
    assert [result["id"] for result in results][:1] == [near.pk]
    assert 15 < results[0]["distance_m"] < 30
    far = api.get(f"/api/v1/reports/duplicates/?category=strassenschaden&lon={KOELN[0] + 0.002}&lat={KOELN[1]}")
    assert near.pk not in [result["id"] for result in far.json()["results"]]  # beyond the 50 m of the category
