"""Registered users see, download and delete their data; their public texts stay, detached and anonymous."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role
from accounts.publication import person_key
from geo.models import Authority
from procedures.models import Contribution, ContributionSupport, Procedure
from reports.models import AbuseFlag, Photo, Report, ReportUpdate, Support
from tests.privacy.conftest import PASSWORD, T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(citizen: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(citizen)
    return client


@pytest.fixture
def footprint(
    citizen: User,
    report_at: Callable[..., Report],
    make_procedure: Callable[..., Procedure],
    make_contribution: Callable[..., Contribution],
) -> dict[str, Any]:
    """Give the citizen a report with a photo, a contribution, supports and a flag; and someone else a report."""
    report = report_at(T0, user=citizen)
    Photo.objects.create(
        report=report, sha256="a" * 64, width=10, height=10, thumbnail_width=5, thumbnail_height=5, source_format="JPEG"
    )
    other = report_at(T0, name="Max Muster", email="max@example.org")
    contribution = make_contribution(make_procedure(), author=citizen, text="Mehr Bäume am Neumarkt.")
    key = person_key(user=citizen)
    Support.objects.create(report=other, supporter_key=key)
    ContributionSupport.objects.create(contribution=contribution, supporter_key=key)
    AbuseFlag.objects.create(report=other, flagger_key=key, reason="Werbung")
    return {"report": report, "other": other, "contribution": contribution}


def test_the_account_pages_need_a_login() -> None:
    for name in ("privacy:account", "privacy:account-data", "privacy:account-delete"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('accounts:login')}?next=")


def test_account_overview(signed_in: Client, footprint: dict[str, Any]) -> None:
    html = signed_in.get(reverse("privacy:account")).content.decode()
    assert "erika" in html
    assert reverse("privacy:account-data") in html
    assert reverse("privacy:account-delete") in html


def test_download_holds_everything_about_the_user_and_nothing_about_others(
    signed_in: Client, citizen: User, footprint: dict[str, Any]
) -> None:
    response = signed_in.get(reverse("privacy:account-data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = json.loads(response.content)

    assert data["account"]["username"] == "erika"
    assert data["account"]["email"] == "erika@example.org"
    assert data["account"]["last_name"] == "Muster"
    [report] = data["reports"]
    assert report["id"] == footprint["report"].pk
    assert report["email"] == "erika@example.org"
    assert report["description"] == "Tiefes Schlagloch auf dem Radweg."
    assert report["location"]["type"] == "Point"
    assert 6.9 < report["location"]["coordinates"][0] < 7.0  # lon first
    assert report["photos"][0]["url"].startswith("/photos/")
    assert report["updates"][0]["status"] == "submitted"
    [contribution] = data["contributions"]
    assert contribution["text"] == "Mehr Bäume am Neumarkt."
    assert data["supports"] == {"reports": [footprint["other"].pk], "contributions": [footprint["contribution"].pk]}
    assert data["flags"]["reports"][0]["reason"] == "Werbung"
    # Nothing of another person's report.
    assert "max@example.org" not in response.content.decode()


def test_download_lists_memberships_and_work_as_staff(
    signed_in: Client, citizen: User, report_at: Callable[..., Report]
) -> None:
    Membership.objects.create(user=citizen, authority=Authority.objects.get(key="05315000"), role=Role.MODERATOR)
    report = report_at(T0)
    ReportUpdate.objects.create(
        report=report, status="confirmed", note="Intern geprüft.", is_public=False, author=citizen
    )
    data = json.loads(signed_in.get(reverse("privacy:account-data")).content)
    [update] = data["report_updates_written"]
    assert (update["report"], update["note"], update["public"]) == (report.pk, "Intern geprüft.", False)
    assert data["memberships"] == [
        {"authority": "Köln", "role": "moderator", "created_at": data["memberships"][0]["created_at"]}
    ]


def test_delete_needs_the_password_and_a_yes(signed_in: Client, citizen: User, footprint: dict[str, Any]) -> None:
    url = reverse("privacy:account-delete")
    page = signed_in.get(url).content.decode()
    assert "bleiben sichtbar, aber anonym" in page

    wrong = signed_in.post(url, {"password": "falsch", "confirm": "on"})
    assert wrong.status_code == 422
    assert "Das Passwort stimmt nicht" in wrong.content.decode()
    unconfirmed = signed_in.post(url, {"password": PASSWORD})
    assert unconfirmed.status_code == 422
    assert "Bitte bestätigen Sie" in unconfirmed.content.decode()

    assert User.objects.filter(pk=citizen.pk).exists()
    footprint["report"].refresh_from_db()
    assert footprint["report"].reporter_email == "erika@example.org"


def test_delete_removes_the_account_and_detaches_its_texts(
    signed_in: Client, citizen: User, footprint: dict[str, Any]
) -> None:
    key = person_key(user=citizen)
    response = signed_in.post(reverse("privacy:account-delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=citizen.pk).exists()

    report = Report.objects.get(pk=footprint["report"].pk)
    assert (report.reporter_id, report.reporter_name, report.reporter_email) == (None, "", "")
    assert report.is_public
    assert report.description == "Tiefes Schlagloch auf dem Radweg."
    contribution = Contribution.objects.get(pk=footprint["contribution"].pk)
    assert (contribution.author_id, contribution.author_name, contribution.author_email) == (None, "", "")
    assert contribution.is_public
    # Supports still count, but are nobody's; the other person's report keeps its reporter.
    assert footprint["other"].supports.count() == 2
    assert not Support.objects.filter(supporter_key=key).exists()
    assert not ContributionSupport.objects.filter(supporter_key=key).exists()
    assert not AbuseFlag.objects.filter(flagger_key=key).exists()
    footprint["other"].refresh_from_db()
    assert footprint["other"].reporter_email == "max@example.org"

    # Signed out, and told so.
    follow = signed_in.get(response["Location"])
    assert "Ihr Konto ist gelöscht" in follow.content.decode()
    assert signed_in.get(reverse("privacy:account")).status_code == 302


def test_deleting_a_staff_account_keeps_the_history_without_the_person(
    report_at: Callable[..., Report], processor: User
) -> None:
    from privacy import services

    report = report_at(T0)
    processor.set_password(PASSWORD)
    processor.save()
    update = ReportUpdate.objects.create(report=report, status="confirmed", note="Angesehen.", author=processor)
    services.account_delete(user=processor, password=PASSWORD)
    update.refresh_from_db()
    assert update.author_id is None
    assert update.note == "Angesehen."
    assert not Membership.objects.filter(user_id=processor.pk).exists()


def test_an_account_with_export_records_is_kept_and_nothing_changes(
    signed_in: Client, citizen: User, footprint: dict[str, Any]
) -> None:
    from workspace.models import PersonalDataExport

    PersonalDataExport.objects.create(
        user=citizen, authority=Authority.objects.get(key="05315000"), format="csv", crs=4326, row_count=3
    )
    response = signed_in.post(reverse("privacy:account-delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 409
    assert "Administration" in response.content.decode()
    assert User.objects.filter(pk=citizen.pk).exists()
    footprint["report"].refresh_from_db()
    assert footprint["report"].reporter_id == citizen.pk
