"""Fixtures of the privacy tests: reports and contributions with personal data, made at chosen times."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from accounts.models import Role
from accounts.publication import person_key
from procedures.models import Contribution, Procedure
from reports import services as report_services
from reports.models import Report, Support
from tests.procedures.conftest import make_contribution, make_procedure  # noqa: F401 - shared fixtures
from tests.reports.conftest import KOELN, staff, staff_api, stored  # noqa: F401 - shared fixtures

PASSWORD = "ein-langes-Passwort-2026"
# A fixed past, before the demo data was loaded, so that the demo's own reports are never due.
T0 = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def citizen() -> User:
    """Return a registered citizen with a password."""
    return User.objects.create_user("erika", "erika@example.org", PASSWORD, first_name="Erika", last_name="Muster")


@pytest.fixture
def processor(staff: Callable[[str, str], User]) -> User:  # noqa: F811
    """Return a processor of Köln, who may close Köln's reports."""
    return staff("05315000", Role.PROCESSOR)


@pytest.fixture
def report_at() -> Callable[..., Report]:
    """Return a factory of public Köln reports with a reporter's name and e-mail, created at a given time."""

    def make(when: datetime.datetime, *, user: User | None = None, **overrides: Any) -> Report:
        with time_machine.travel(when, tick=False):
            report = report_services.report_create(
                category_code="strassenschaden",
                location=stored(*KOELN),
                description=overrides.pop("description", "Tiefes Schlagloch auf dem Radweg."),
                answers={"groesse": "mittel"},
                name=overrides.pop("name", "Erika Mustermann"),
                email=overrides.pop("email", "erika@example.org"),
                user=user,
            )
            Report.objects.filter(pk=report.pk).update(published_at=when, confirmed_at=when)
            # A supporter, so that unlinking supports can be seen.
            Support.objects.create(report=report, supporter_key=person_key(session_key="someone-else"))
        return Report.objects.get(pk=report.pk)

    return make


@pytest.fixture
def change_status(processor: User) -> Callable[..., Report]:
    """Return a function that moves a report to a status at a given time, as its processor would."""

    def change(report: Report, status: str, when: datetime.datetime) -> Report:
        with time_machine.travel(when, tick=False):
            return report_services.report_change_status(
                user=processor, report_id=report.pk, status=status, note="Erledigt durch den Bauhof."
            )

    return change


@pytest.fixture
def ended_procedure_at(make_procedure: Callable[..., Procedure]) -> Callable[[datetime.datetime], Procedure]:  # noqa: F811
    """Return a factory of procedures that ended at a given time."""

    def make(ends_at: datetime.datetime) -> Procedure:
        return make_procedure(starts_at=ends_at - datetime.timedelta(days=30), ends_at=ends_at)

    return make


def contribution_values(contribution: Contribution) -> tuple[Any, ...]:
    """Return the personal fields of a contribution, fresh from the database."""
    contribution.refresh_from_db()
    return (contribution.author_id, contribution.author_name, contribution.author_email)


@pytest.fixture(autouse=True)
def _no_bot_checks(settings: Any) -> None:
    """Let these tests send forms at once and as often as they need; the abuse tests check those limits."""
    settings.BK_ABUSE = {**settings.BK_ABUSE, "FORM_MIN_SECONDS": 0}
    settings.BK_THROTTLE = {action: {**rate, "LIMIT": 10_000} for action, rate in settings.BK_THROTTLE.items()}
