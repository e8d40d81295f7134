"""Fixtures of the workspace tests: synthetic reports with known places, periods and texts, and staff."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Membership, Role
from geo import crs as crs_module
from geo.models import Authority
from procedures.models import Contribution, Procedure
from reports.models import Category, Report
from workspace.filters import FeedbackFilter
from workspace.scope import Workspace, workspace_for_authority

KOELN_KEY = "05315000"
DORTMUND_KEY = "05913000"
LAND_KEY = "05"
# Köln's Neumarkt in EPSG:25832; the synthetic reports lie at known offsets in metres from it.
KOELN_LONLAT = (6.9490, 50.9363)
# A period long before the demo data (created "now"), so a test sees only its own reports.
DAY = datetime.date(2025, 3, 3)
PERIOD = FeedbackFilter(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 6, 30))


def origin() -> tuple[float, float]:
    """Return Köln's Neumarkt in EPSG:25832."""
    x, y = crs_module.transform_coords([KOELN_LONLAT], crs_module.CRS84, crs_module.STORAGE)[0]
    return float(x), float(y)


def at(dx: float, dy: float) -> Point:
    """Return the point `dx` metres east and `dy` metres north of Köln's Neumarkt (EPSG:25832)."""
    x, y = origin()
    return Point(x + dx, y + dy, srid=crs_module.STORAGE_SRID)


def lonlat_of(point: Point) -> tuple[float, float]:
    """Return a stored point as (lon, lat)."""
    lon, lat = crs_module.transform_coords([point.coords], crs_module.STORAGE, crs_module.CRS84)[0]
    return float(lon), float(lat)


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """Create a report at a stored point, with its category code, status, text and creation day."""

    def make(
        point: Point,
        *,
        category: str = "strassenschaden",
        authority: str = KOELN_KEY,
        status: str = "submitted",
        description: str = "Schlagloch auf der Fahrbahn",
        day: datetime.date = DAY,
        name: str = "Erika Mustermann",
        email: str = "erika@example.org",
        reporter: User | None = None,
    ) -> Report:
        owner = Authority.objects.get(key=authority)
        report = Report.objects.create(
            authority=owner,
            category=Category.objects.get(authority=owner, code=category),
            location=point,
            description=description,
            status=status,
            reporter_name=name,
            reporter_email=email,
            reporter=reporter,
            published_at=timezone.now(),
        )
        created = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
        Report.objects.filter(pk=report.pk).update(created_at=created)
        report.refresh_from_db()
        return report

    return make


@pytest.fixture
def make_contribution() -> Callable[..., Contribution]:
    """Create a contribution to a procedure, with a geometry (any type) and a creation day."""

    def make(
        procedure: Procedure, geometry: Any, *, text: str = "Hier fehlt ein Radweg.", day: datetime.date = DAY
    ) -> Contribution:
        contribution = Contribution.objects.create(
            procedure=procedure,
            text=text,
            geometry=geometry,
            author_name="Max Muster",
            author_email="max@example.org",
            published_at=timezone.now(),
        )
        created = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
        Contribution.objects.filter(pk=contribution.pk).update(created_at=created)
        contribution.refresh_from_db()
        return contribution

    return make


@pytest.fixture
def staff() -> Callable[[str, str], User]:
    """Return a user working for the authority with this key, in this role."""

    def make(authority_key: str, role: str) -> User:
        user = User.objects.create_user(f"ws-{role}-{authority_key}", f"ws-{role}-{authority_key}@example.org")
        Membership.objects.create(user=user, authority=Authority.objects.get(key=authority_key), role=role)
        return user

    return make


@pytest.fixture
def koeln_processor(staff: Callable[[str, str], User]) -> User:
    return staff(KOELN_KEY, Role.PROCESSOR)


@pytest.fixture
def dortmund_processor(staff: Callable[[str, str], User]) -> User:
    return staff(DORTMUND_KEY, Role.PROCESSOR)


@pytest.fixture
def land_admin(staff: Callable[[str, str], User]) -> User:
    return staff(LAND_KEY, Role.ADMINISTRATOR)


@pytest.fixture
def koeln_ws(koeln_processor: User) -> Workspace:
    return workspace_for_authority(koeln_processor, KOELN_KEY)


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """Return an API client logged in as this user."""

    def make(user: User) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="de")
        client.force_authenticate(user)
        return client

    return make


# Query string of the test period, for API calls: every status, the synthetic period only.
PERIOD_QUERY = "start=2025-01-01&end=2025-06-30&status=all"
