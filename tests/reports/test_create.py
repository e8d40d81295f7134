"""Creating reports: routing, validation, privacy by default, confirmation and idempotency."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from geo.models import Authority
from reports.models import Category, Report, ReportStatus
from tests.reports.conftest import DORTMUND, DUESSELDORF, KOELN, MOERS, REPORT_BODY, geojson

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"
PERSONAL = ("Erika", "Mustermann", "erika@example.org")


def test_anonymous_report_waits_for_its_confirmation_link(
    api: APIClient, create_report: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        body = create_report()
    props = body["properties"]
    assert props["authority"] == {"key": "05315000", "name": "Köln"}
    assert props["status"] == "submitted"
    assert props["public"] is False
    assert props["confirmation_required"] is True
    assert body["geometry"]["coordinates"] == pytest.approx(list(KOELN), abs=1e-7)
    # Not public yet: neither the API nor the list show it.
    assert api.get(f"{URL}{props['id']}/").status_code == 404
    assert props["id"] not in [f["id"] for f in api.get(URL).json()["features"]]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    assert "bestätigen" in message.subject
    link = re.search(r"http://\S+/meldungen/bestaetigen/(\S+)/", str(message.body))
    assert link is not None
    path = link.group(0).split("8000", 1)[1] if "8000" in link.group(0) else link.group(0)

    # Opening the link asks; only the button publishes (mail scanners open links on their own).
    assert client.get(path).status_code == 200
    assert Report.objects.get(pk=props["id"]).published_at is None
    response = client.post(path)
    assert response.status_code == 302
    assert api.get(f"{URL}{props['id']}/").status_code == 200
    # The link works once.
    assert client.post(path).status_code == 404


def test_with_an_account_the_report_is_public_at_once(api: APIClient, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("ben", "ben@example.org")
    api.force_authenticate(user)
    body = {key: value for key, value in REPORT_BODY.items() if key != "email"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["properties"]["public"] is True
    report = Report.objects.get(pk=response.json()["id"])
    assert report.reporter == user
    assert report.reporter_email == "ben@example.org"


def test_authority_can_switch_confirmation_off(api: APIClient) -> None:
    # Dortmund's policy in the demo data publishes reports without an account at once.
    response = api.post(URL, {**REPORT_BODY, "location": geojson(*DORTMUND), "email": ""}, format="json")
    assert response.status_code == 201
    assert response.json()["properties"]["public"] is True
    assert response.json()["properties"]["authority"]["key"] == "05913000"


def test_without_account_an_email_is_required(api: APIClient) -> None:
    response = api.post(URL, {**REPORT_BODY, "email": ""}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "email_required"
    assert "E-Mail" in response.json()["message"]
    assert not Report.objects.filter(description=REPORT_BODY["description"]).exists()


def test_routed_to_the_smallest_authority_offering_the_category(api: APIClient) -> None:
    land = Authority.objects.get(key="05")
    Category.objects.create(authority=land, code="strassenschaden", name="Straßenschaden (Land)")
    in_koeln = api.post(URL, REPORT_BODY, format="json").json()
    assert in_koeln["properties"]["authority"]["key"] == "05315000"
    in_moers = api.post(URL, {**REPORT_BODY, "location": geojson(*MOERS), "answers": {}}, format="json").json()
    assert in_moers["properties"]["authority"]["key"] == "05"
    kreis = api.post(
        URL,
        {**REPORT_BODY, "category": "muell", "location": geojson(*MOERS), "answers": {"art": ["reifen"]}},
        format="json",
    ).json()
    assert kreis["properties"]["authority"] == {"key": "05170", "name": "Wesel"}


def test_nobody_offers_the_category_here_names_the_nearest_authority(api: APIClient) -> None:
    response = api.post(URL, {**REPORT_BODY, "location": geojson(*DUESSELDORF)}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "category_not_offered"
    assert "Straßenschaden" in body["message"]
    assert body["details"]["nearest_authority"]["name"] in body["message"]
    assert "km" in body["message"]


def test_unknown_category(api: APIClient) -> None:
    response = api.post(URL, {**REPORT_BODY, "category": "ufo-landung"}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_category"


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({}, "groesse"),  # required
        ({"groesse": "riesig"}, "groesse"),  # not a choice
        ({"groesse": "klein", "flaeche": ["dach"]}, "flaeche"),
        ({"groesse": "klein", "farbe": "rot"}, "farbe"),  # no such question
    ],
)
def test_answers_are_checked_against_the_questions(api: APIClient, answers: dict, question: str) -> None:
    response = api.post(URL, {**REPORT_BODY, "answers": answers}, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_answers"
    assert question in response.json()["details"]["answers"]


def test_typed_answers_are_normalised(api: APIClient) -> None:
    body = {**REPORT_BODY, "category": "strassenbeleuchtung", "answers": {"mastnummer": " K-17 ", "seit": "2026-11-01"}}
    assert api.post(URL, body, format="json").json()["properties"]["answers"] == {
        "mastnummer": "K-17",
        "seit": "2026-11-01",
    }
    bad_date = {**body, "answers": {"seit": "gestern"}}
    assert api.post(URL, bad_date, format="json").status_code == 422
    number = {**REPORT_BODY, "category": "muell", "answers": {"art": ["reifen", "sperrmuell"], "menge": "2.5"}}
    assert api.post(URL, number, format="json").json()["properties"]["answers"] == {
        "art": ["sperrmuell", "reifen"],
        "menge": 2.5,
    }
    assert api.post(URL, {**number, "answers": {"art": ["reifen"], "menge": "viel"}}, format="json").status_code == 422


@pytest.mark.parametrize(
    ("override", "status", "code"),
    [
        ({"description": "x" * 4001}, 422, "validation_failed"),
        ({"description": ""}, 422, "validation_failed"),
        ({"location": geojson(13.40, 52.52)}, 422, "outside_area"),
        ({"location": geojson(50.9363, 6.9490)}, 422, "swapped_axes"),
        ({"location": {"type": "LineString", "coordinates": [[6.9, 50.9], [7, 51]]}}, 422, "invalid_geometry"),
        ({"location": {"type": "Point", "coordinates": ["6.9", 50.9]}}, 422, "invalid_geometry"),
        ({"location": "POINT(6.9 50.9)"}, 422, "invalid_geometry"),
        ({"crs": "EPSG:2056"}, 400, "unsupported_crs"),
        ({"email": "keine-adresse"}, 422, "validation_failed"),
        ({"photos": ["not-a-uuid"]}, 422, "validation_failed"),
    ],
)
def test_bad_input_answers_4xx_and_stores_nothing(api: APIClient, override: dict, status: int, code: str) -> None:
    before = Report.objects.count()
    response = api.post(URL, {**REPORT_BODY, **override}, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Report.objects.count() == before


def test_location_in_utm_on_request(api: APIClient) -> None:
    body = {**REPORT_BODY, "location": {"type": "Point", "coordinates": [356560.26, 5645282.14]}, "crs": "EPSG:25832"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["geometry"]["coordinates"] == pytest.approx([6.9583, 50.9413], abs=1e-6)


def test_malformed_json_answers_400(api: APIClient) -> None:
    response = api.post(URL, "{kaputt", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_reporters_name_and_email_never_appear_in_public_answers(api: APIClient, create_report: Any) -> None:
    report_id = create_report(location=geojson(*DORTMUND))["id"]  # public at once in Dortmund
    answers = [
        api.get(f"{URL}{report_id}/").content,
        api.get(URL).content,
        api.get(f"/api/v1/reports/duplicates/?category=strassenschaden&lon={DORTMUND[0]}&lat={DORTMUND[1]}").content,
        Client().get(f"/meldungen/{report_id}/").content,
        Client().get("/meldungen/").content,
    ]
    for content in answers:
        for personal in PERSONAL:
            assert personal.encode() not in content


def test_idempotency_key_repeats_the_first_answer_and_creates_nothing(api: APIClient) -> None:
    key = "5f0c2a8e-6a1d-4d58-9a59-1b0c3d0e7f11"
    first = api.post(URL, REPORT_BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = api.post(URL, REPORT_BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Report.objects.filter(description=REPORT_BODY["description"]).count() == 1
    reused = api.post(URL, {**REPORT_BODY, "description": "Etwas anderes"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert api.post(URL, REPORT_BODY, format="json", HTTP_IDEMPOTENCY_KEY="kurz").status_code == 400


def test_a_failed_request_leaves_its_key_free(api: APIClient) -> None:
    key = "retry-after-fixing-0001"
    assert api.post(URL, {**REPORT_BODY, "answers": {}}, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 422
    assert Report.objects.filter(status=ReportStatus.SUBMITTED, description=REPORT_BODY["description"]).count() == 0
    # Corrected, the same key goes through: nothing was stored for the failed attempt.
    assert api.post(URL, REPORT_BODY, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201


def test_a_mail_server_that_fails_does_not_fail_the_report(
    api: APIClient, settings: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = "tests.reports.failing_mail.UnreachableServer"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, REPORT_BODY, format="json")
    assert response.status_code == 201
    assert Report.objects.filter(pk=response.json()["id"]).exists()
    assert "send_confirmation" in caplog.text  # logged for the operators, not answered to the citizen
