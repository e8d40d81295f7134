"""Enough people's flags hide a report or a contribution until a moderator has looked at it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.publication import AUTO_HIDDEN_REASON
from geo.models import Authority
from procedures import services as procedure_services
from procedures.models import Contribution, Procedure
from reports import services as report_services
from reports.models import Category, Report
from tests.procedures.conftest import KOELN_KEY, make_procedure, running_procedure  # noqa: F401
from tests.reports.conftest import KOELN, stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold_three(settings: Any) -> None:
    settings.BK_ABUSE = {**settings.BK_ABUSE, "FLAG_HIDE_THRESHOLD": 3}


@pytest.fixture
def moderator() -> User:
    user = User.objects.create_user("moderatorin", "mod@example.org")
    Membership.objects.create(user=user, authority=Authority.objects.get(key=KOELN_KEY), role=Role.MODERATOR)
    return user


@pytest.fixture
def report() -> Report:
    now = timezone.now()
    category = Category.objects.filter(code="strassenschaden", authority__key=KOELN_KEY).get()
    return Report.objects.create(
        category=category,
        authority=category.authority,
        location=stored(*KOELN),
        description="Beleidigender Text",
        published_at=now,
        confirmed_at=now,
    )


@pytest.fixture
def contribution(running_procedure: Procedure) -> Contribution:  # noqa: F811
    return Contribution.objects.create(
        procedure=running_procedure, text="Beleidigender Beitrag", published_at=timezone.now()
    )


def flag_report(report: Report, person: str) -> bool:
    return report_services.report_flag(
        report=Report.objects.get(pk=report.pk), flagger_key=person, reason="Beleidigung"
    )


def flag_contribution(contribution: Contribution, person: str) -> bool:
    fresh = Contribution.objects.select_related("procedure").get(pk=contribution.pk)
    return procedure_services.contribution_flag(contribution=fresh, flagger_key=person, reason="Beleidigung")


def test_a_report_is_hidden_after_three_people_flag_it(report: Report) -> None:
    flag_report(report, "a")
    flag_report(report, "a")  # the same person twice counts once
    flag_report(report, "b")
    report.refresh_from_db()
    assert report.is_public
    flag_report(report, "c")
    report.refresh_from_db()
    assert not report.is_public
    assert report.hidden_reason == str(AUTO_HIDDEN_REASON) == "automatisch nach Meldungen ausgeblendet"
    # The flags stay open for the moderators.
    assert report.flags.filter(handled_at__isnull=True).count() == 3


def test_a_hidden_report_stays_hidden_until_a_moderator_shows_it(report: Report, moderator: User) -> None:
    for person in "abc":
        flag_report(report, person)
    report_services.report_unhide(user=moderator, report_id=report.pk)
    report.refresh_from_db()
    assert report.is_public
    # The earlier flags are handled: one new flag does not hide it again, three new people's do.
    flag_report(report, "d")
    report.refresh_from_db()
    assert report.is_public
    flag_report(report, "e")
    flag_report(report, "f")
    report.refresh_from_db()
    assert not report.is_public


def test_a_contribution_is_hidden_after_three_people_flag_it(contribution: Contribution, moderator: User) -> None:
    for person in "ab":
        flag_contribution(contribution, person)
    contribution.refresh_from_db()
    assert contribution.is_public
    flag_contribution(contribution, "c")
    contribution.refresh_from_db()
    assert not contribution.is_public
    assert contribution.hidden_reason == "automatisch nach Meldungen ausgeblendet"
    procedure_services.contribution_unhide(user=moderator, contribution_id=contribution.pk)
    flag_contribution(contribution, "d")
    contribution.refresh_from_db()
    assert contribution.is_public


def test_the_threshold_is_a_setting(settings: Any, report: Report) -> None:
    settings.BK_ABUSE = {**settings.BK_ABUSE, "FLAG_HIDE_THRESHOLD": 1}
    flag_report(report, "a")
    report.refresh_from_db()
    assert not report.is_public


def test_a_hidden_report_disappears_from_the_public_api(report: Report, api: Any) -> None:
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 200
    for person in "abc":
        flag_report(report, person)
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 404
