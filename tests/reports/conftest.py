"""Fixtures of the Mängelmelder tests: places, categories, people and photos."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from accounts.models import Membership, Role
from geo import crs as crs_module
from geo.models import Authority
from reports.models import Report
from tests.conftest import FIXTURES

PHOTOS = FIXTURES / "photos"
# Places (lon, lat): Köln's Neumarkt, Moers (Kreis Wesel), Dortmund's centre, Düsseldorf.
KOELN = (6.9490, 50.9363)
MOERS = (6.6267, 51.4513)
DORTMUND = (7.4653, 51.5136)
DUESSELDORF = (6.7735, 51.2277)


def stored(lon: float, lat: float) -> Point:
    """Return a lon/lat place as a point in the storage CRS."""
    x, y = crs_module.transform_coords([(lon, lat)], crs_module.CRS84, crs_module.STORAGE)[0]
    return Point(float(x), float(y), srid=crs_module.STORAGE_SRID)


def geojson(lon: float, lat: float) -> dict[str, Any]:
    """Return a lon/lat place as a GeoJSON Point."""
    return {"type": "Point", "coordinates": [lon, lat]}


@pytest.fixture
def photo_bytes() -> Callable[[str], bytes]:
    """Return the bytes of a real photo from fixtures/photos."""
    return lambda name: (PHOTOS / name).read_bytes()


@pytest.fixture
def staff() -> Callable[[str, str], User]:
    """Return a user working for the authority with this key, in this role."""

    def make(authority_key: str, role: str) -> User:
        user = User.objects.create_user(f"{role}-{authority_key}", f"{role}-{authority_key}@example.org")
        Membership.objects.create(user=user, authority=Authority.objects.get(key=authority_key), role=role)
        return user

    return make


@pytest.fixture
def processor_koeln(staff: Callable[[str, str], User]) -> User:
    return staff("05315000", Role.PROCESSOR)


@pytest.fixture
def staff_api() -> Callable[[User], APIClient]:
    """Return an API client logged in as this user."""

    def make(user: User) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="de")
        client.force_authenticate(user)
        return client

    return make


REPORT_BODY: dict[str, Any] = {
    "category": "strassenschaden",
    "description": "Tiefes Schlagloch auf dem Radweg.",
    "location": geojson(*KOELN),
    "answers": {"groesse": "mittel"},
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}


@pytest.fixture
def create_report(api: APIClient) -> Callable[..., dict[str, Any]]:
    """POST a report through the API and return its answer (asserting it was created)."""

    def make(**overrides: Any) -> dict[str, Any]:
        response = api.post("/api/v1/reports/", {**REPORT_BODY, **overrides}, format="json")
        assert response.status_code == 201, response.json()
        return dict(response.json())

    return make


def public_report(pk: int) -> Report:
    """Publish a report directly (as the confirmation link would) and return it."""
    from django.utils import timezone

    Report.objects.filter(pk=pk).update(published_at=timezone.now(), confirmed_at=timezone.now())
    return Report.objects.get(pk=pk)
