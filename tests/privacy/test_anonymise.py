"""Personal data is removed a configurable time after a report is closed or a procedure has ended, and not before."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command

from accounts.publication import person_key
from privacy import services
from privacy.models import AccessibilityFeedback
from procedures.models import Contribution, ContributionFlag, ContributionSupport, Procedure
from reports.models import AbuseFlag, Report, ReportStatus
from tests.privacy.conftest import T0, contribution_values

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
PERIOD = 90 * DAY  # the default of BK_PRIVACY_ANONYMISE_AFTER_DAYS


def anonymise_at(when: datetime.datetime, *args: str) -> str:
    """Run the management command with the clock frozen at `when`; return what it printed."""
    out = StringIO()
    with time_machine.travel(when, tick=False):
        call_command("anonymise_personal_data", *args, stdout=out)
    return out.getvalue()


def personal(report: Report) -> tuple[Any, ...]:
    """Return the personal fields of a report, fresh from the database."""
    report.refresh_from_db()
    return (report.reporter_id, report.reporter_name, report.reporter_email)


@pytest.mark.parametrize("status", [ReportStatus.RESOLVED, ReportStatus.CLOSED_NOT_FIXED, ReportStatus.REJECTED])
def test_closed_report_is_anonymised_just_after_the_period_and_not_before(
    status: str, report_at: Callable[..., Report], change_status: Callable[..., Report], citizen: User
) -> None:
    report = report_at(T0, user=citizen)
    closed = T0 + 3 * DAY
    change_status(report, status, closed)
    supporters = set(report.supports.values_list("supporter_key", flat=True))

    anonymise_at(closed + PERIOD - SECOND)
    assert personal(report) == (citizen.pk, "Erika Mustermann", "erika@example.org")
    assert set(report.supports.values_list("supporter_key", flat=True)) == supporters

    anonymise_at(closed + PERIOD + SECOND)
    assert personal(report) == (None, "", "")
    # The public text stays public, unchanged, with its history and its number of supporters.
    assert report.description == "Tiefes Schlagloch auf dem Radweg."
    assert report.is_public
    assert report.status == status
    assert report.updates.count() == 2
    assert report.supports.count() == len(supporters)
    assert not set(report.supports.values_list("supporter_key", flat=True)) & supporters
    # The citizen's account itself is untouched: only the link from the old report is gone.
    assert User.objects.filter(pk=citizen.pk).exists()


def test_duplicates_count_as_closed(report_at: Callable[..., Report], processor: User) -> None:
    from reports import services as report_services

    original = report_at(T0)
    duplicate = report_at(T0, name="Max Muster", email="max@example.org")
    with time_machine.travel(T0 + DAY, tick=False):
        report_services.report_change_status(
            user=processor,
            report_id=duplicate.pk,
            status=ReportStatus.DUPLICATE,
            note="Doppelt.",
            duplicate_of=original.pk,
        )
    anonymise_at(T0 + DAY + PERIOD + SECOND)
    assert personal(duplicate) == (None, "", "")
    assert personal(original) == (None, "Erika Mustermann", "erika@example.org")  # still open


def test_open_reports_are_never_anonymised(
    report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    never_closed = report_at(T0)
    in_progress = report_at(T0, name="Max Muster", email="max@example.org")
    change_status(in_progress, ReportStatus.IN_PROGRESS, T0 + DAY)
    reopened = report_at(T0, name="Eva Beispiel", email="eva@example.org")
    change_status(reopened, ReportStatus.RESOLVED, T0 + DAY)
    change_status(reopened, ReportStatus.CONFIRMED, T0 + 2 * DAY)

    anonymise_at(T0 + 10 * PERIOD)

    assert personal(never_closed)[1:] == ("Erika Mustermann", "erika@example.org")
    assert personal(in_progress)[1:] == ("Max Muster", "max@example.org")
    assert personal(reopened)[1:] == ("Eva Beispiel", "eva@example.org")


def test_the_period_counts_from_closing_not_from_reporting(
    report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    report = report_at(T0)
    closed = T0 + 200 * DAY  # long after the report was made
    change_status(report, ReportStatus.RESOLVED, closed)
    anonymise_at(closed + PERIOD - SECOND)
    assert personal(report)[1:] == ("Erika Mustermann", "erika@example.org")
    # Closed again after being reopened: the latest closing counts.
    change_status(report, ReportStatus.CONFIRMED, closed + DAY)
    change_status(report, ReportStatus.RESOLVED, closed + 50 * DAY)
    anonymise_at(closed + 50 * DAY + PERIOD - SECOND)
    assert personal(report)[1:] == ("Erika Mustermann", "erika@example.org")
    anonymise_at(closed + 50 * DAY + PERIOD + SECOND)
    assert personal(report)[1:] == ("", "")


def test_flags_of_closed_reports_are_unlinked(
    report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    report = report_at(T0)
    key = person_key(session_key="flagger")
    AbuseFlag.objects.create(report=report, flagger_key=key, reason="Beleidigend")
    change_status(report, ReportStatus.REJECTED, T0 + DAY)
    anonymise_at(T0 + DAY + PERIOD + SECOND)
    flag = report.flags.get()
    assert flag.flagger_key != key
    assert flag.reason == "Beleidigend"


def test_contributions_are_anonymised_after_their_procedure_ended(
    ended_procedure_at: Callable[[datetime.datetime], Procedure],
    make_procedure: Callable[..., Procedure],
    make_contribution: Callable[..., Contribution],
    citizen: User,
) -> None:
    ended = T0 + 10 * DAY
    procedure = ended_procedure_at(ended)
    contribution = make_contribution(procedure, author=citizen, text="Mehr Bäume am Neumarkt.")
    key = person_key(user=citizen)
    ContributionSupport.objects.create(contribution=contribution, supporter_key=key)
    ContributionFlag.objects.create(contribution=contribution, flagger_key=key, reason="Werbung")
    running = make_procedure(starts_at=T0 - 300 * DAY, ends_at=T0 + 10 * PERIOD)
    still_running = make_contribution(running, author=citizen)

    anonymise_at(ended + PERIOD - SECOND)
    assert contribution_values(contribution) == (citizen.pk, "Erika Mustermann", "erika@example.org")
    assert contribution.supports.get().supporter_key == key

    anonymise_at(ended + PERIOD + SECOND)
    assert contribution_values(contribution) == (None, "", "")
    assert contribution.text == "Mehr Bäume am Neumarkt."
    assert contribution.is_public
    assert contribution.supports.get().supporter_key != key
    assert contribution.flags.get().flagger_key != key
    assert contribution_values(still_running) == (citizen.pk, "Erika Mustermann", "erika@example.org")


def test_unconfirmed_confirmation_tokens_are_removed(
    report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    report = report_at(T0)
    Report.objects.filter(pk=report.pk).update(confirmation_token_hash="a" * 64)
    change_status(report, ReportStatus.REJECTED, T0 + DAY)
    anonymise_at(T0 + DAY + PERIOD + SECOND)
    report.refresh_from_db()
    assert report.confirmation_token_hash == ""


def test_dry_run_changes_nothing_and_a_second_run_finds_nothing(
    report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    report = report_at(T0)
    change_status(report, ReportStatus.RESOLVED, T0 + DAY)
    when = T0 + DAY + PERIOD + SECOND

    dry = anonymise_at(when, "--dry-run")
    assert "reports: 1 would be" in dry
    assert personal(report)[1:] == ("Erika Mustermann", "erika@example.org")

    first = anonymise_at(when)
    assert "reports: 1 were" in first
    assert "supports: 1 were" in first
    second = anonymise_at(when + DAY)
    assert "reports: 0 were" in second
    assert "supports: 0 were" in second


def test_the_period_is_configurable(
    settings: Any, report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    settings.BK_PRIVACY = {**settings.BK_PRIVACY, "ANONYMISE_AFTER_DAYS": 7}
    report = report_at(T0)
    change_status(report, ReportStatus.RESOLVED, T0 + DAY)
    anonymise_at(T0 + 8 * DAY - SECOND)
    assert personal(report)[1:] == ("Erika Mustermann", "erika@example.org")
    anonymise_at(T0 + 8 * DAY + SECOND)
    assert personal(report)[1:] == ("", "")


def test_works_in_batches(
    monkeypatch: pytest.MonkeyPatch, report_at: Callable[..., Report], change_status: Callable[..., Report]
) -> None:
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    reports = [report_at(T0, email=f"person{index}@example.org") for index in range(5)]
    for report in reports:
        change_status(report, ReportStatus.RESOLVED, T0 + DAY)
    with time_machine.travel(T0 + DAY + PERIOD + SECOND, tick=False):
        result = services.personal_data_anonymise()
    assert result.reports == 5
    assert not Report.objects.filter(pk__in=[report.pk for report in reports]).exclude(reporter_email="").exists()


def test_old_accessibility_feedback_and_expired_sessions_are_deleted() -> None:
    with time_machine.travel(T0, tick=False):
        old = AccessibilityFeedback.objects.create(message="Kontrast zu schwach", email="a@example.org")
        session = SessionStore()
        session["x"] = 1
        session.set_expiry(3600)
        session.create()
    with time_machine.travel(T0 + 80 * DAY, tick=False):
        young = AccessibilityFeedback.objects.create(message="Fokus unsichtbar")
    anonymise_at(T0 + PERIOD + SECOND)
    assert not AccessibilityFeedback.objects.filter(pk=old.pk).exists()
    assert AccessibilityFeedback.objects.filter(pk=young.pk).exists()
    assert not Session.objects.filter(session_key=session.session_key).exists()
