"""Fixtures of the procedure tests: procedures with real areas, in every status."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from geo import crs as crs_module
from geo.models import Authority
from procedures.models import Contribution, Procedure, ProcedureKind
from tests.reports.conftest import staff, staff_api, stored  # noqa: F401 - staff fixtures shared with reports

KOELN_KEY = "05315000"
DUISBURG_KEY = "05112000"
# Places (lon, lat) inside Köln: the Neumarkt and the Deutzer Brücke's east end; and one in Duisburg.
KOELN_NEUMARKT = (6.9490, 50.9363)
KOELN_DEUTZ = (6.9700, 50.9360)
DUISBURG_CENTRE = (6.7623, 51.4344)

_slugs = itertools.count(1)


def square_around(lon: float, lat: float, half_side_m: float) -> MultiPolygon:
    """Return a square area in the storage CRS around a lon/lat place."""
    centre = stored(lon, lat)
    x, y = centre.x, centre.y
    ring = (
        (x - half_side_m, y - half_side_m),
        (x + half_side_m, y - half_side_m),
        (x + half_side_m, y + half_side_m),
        (x - half_side_m, y + half_side_m),
        (x - half_side_m, y - half_side_m),
    )
    return MultiPolygon(Polygon(ring), srid=centre.srid)


@pytest.fixture
def make_procedure() -> Callable[..., Procedure]:
    """Return a factory of published procedures; by default Köln's, running, a 2 km square around the Neumarkt."""

    def make(**overrides: Any) -> Procedure:
        now = timezone.now()
        values: dict[str, Any] = {
            "authority": Authority.objects.get(key=overrides.pop("authority_key", KOELN_KEY)),
            "slug": f"test-verfahren-{next(_slugs)}",
            "title": "Radverkehr in der Innenstadt",
            "summary": "Wo fehlen Radwege, wo sind sie gefährlich?",
            "description": "## Worum es geht\n\nWir planen **neue Radwege**.",
            "kind": ProcedureKind.DIALOGUE,
            "area": square_around(*KOELN_NEUMARKT, 1000),
            "starts_at": now - datetime.timedelta(days=10),
            "ends_at": now + datetime.timedelta(days=20),
            "is_published": True,
        }
        values.update(overrides)
        return Procedure.objects.create(**values)

    return make


@pytest.fixture
def running_procedure(make_procedure: Callable[..., Procedure]) -> Procedure:
    return make_procedure()


@pytest.fixture
def ended_procedure(make_procedure: Callable[..., Procedure]) -> Procedure:
    now = timezone.now()
    return make_procedure(
        title="Spielplätze 2025", starts_at=now - datetime.timedelta(days=60), ends_at=now - datetime.timedelta(days=1)
    )


@pytest.fixture
def planned_procedure(make_procedure: Callable[..., Procedure]) -> Procedure:
    now = timezone.now()
    return make_procedure(
        title="Grünflächen", starts_at=now + datetime.timedelta(days=5), ends_at=now + datetime.timedelta(days=40)
    )


# --- Contributions (helper A) ---------------------------------------------------------------------

MOERS_KEY = "05170024"
DORTMUND_KEY = "05913000"
MOERS_CENTRE = (6.6267, 51.4513)
DORTMUND_CENTRE = (7.4653, 51.5136)
PERSONAL = ("Erika", "Mustermann", "erika@example.org")
CONTRIBUTION_BODY: dict[str, Any] = {
    "text": "Hier fehlt ein sicherer Radweg.",
    "geometry": {"type": "Point", "coordinates": list(KOELN_NEUMARKT)},
    "name": "Erika Mustermann",
    "email": "erika@example.org",
}


def contributions_url(procedure: Procedure) -> str:
    """Return the API address of a procedure's contributions."""
    return f"/api/v1/procedures/{procedure.slug}/contributions/"


def lonlat_offset(lon: float, lat: float, dx_m: float, dy_m: float) -> list[float]:
    """Return the lon/lat place `dx_m` east and `dy_m` north of a lon/lat place (in the storage CRS)."""
    centre = stored(lon, lat)
    point = crs_module.transform_coords([(centre.x + dx_m, centre.y + dy_m)], crs_module.STORAGE, crs_module.CRS84)
    return [float(point[0][0]), float(point[0][1])]


@pytest.fixture
def make_contribution() -> Callable[..., Any]:
    """Return a factory of contributions stored directly: public by default, with a point or none."""

    def make(procedure: Procedure, **overrides: Any) -> Contribution:
        values: dict[str, Any] = {
            "procedure": procedure,
            "text": "Mehr Bäume bitte.",
            "author_name": PERSONAL[0] + " " + PERSONAL[1],
            "author_email": PERSONAL[2],
            "published_at": timezone.now(),
        }
        values.update(overrides)
        return Contribution.objects.create(**values)

    return make


@pytest.fixture
def without_demo_procedures(db: None) -> None:
    """Remove the demo procedures, for tests that count every procedure there is."""
    Contribution.objects.all().delete()
    Procedure.objects.all().delete()
