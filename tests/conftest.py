"""Fixtures every test shares: the real PostGIS test database with NRW's authorities loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
VG5000_GPKG = FIXTURES / "vg5000-nrw" / "nrw_vg5000_epsg25832.gpkg"


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Import NRW's 455 authorities into the test database once; each test runs in a transaction on top."""
    # The demo documents are files: keep them out of the checkout's var/media.
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media"))):  # type: ignore[attr-defined]
        call_command("load_demo_data", verbosity=0)
        # Browser tests need a live server, so pytest-django empties the tables after each of them;
        # their serialized_rollback restores this snapshot, demo data included, before each one.
        for connection in connections.all():
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()  # type: ignore[attr-defined]


@pytest.fixture
def api() -> APIClient:
    """Return an API client that asks for German, the default language."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="de")


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Store uploads of each test in a fresh directory, never in the checkout's var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _abuse_checks_relaxed(settings: Any) -> None:
    """Let tests create many texts quickly; tests/abuse and the login tests switch the checks back on."""
    settings.BK_THROTTLE = {action: {"LIMIT": 10_000, "WINDOW_SECONDS": 3600} for action in settings.BK_THROTTLE}
    settings.BK_ABUSE = {**settings.BK_ABUSE, "FORM_MIN_SECONDS": 0}


@pytest.fixture(autouse=True)
def _no_basemap(settings: Any) -> None:
    """Draw maps without the proxied basemap: its upstream is on the internet, which tests never reach.

    Tests of the basemap itself set BK_MAP_BASEMAP and point BK_LAYERS at a local stand-in upstream.
    """
    settings.BK_MAP_BASEMAP = ""


@pytest.fixture(autouse=True)
def _german() -> Iterator[None]:
    """Run every test in German unless it switches, as a request without Accept-Language would."""
    with translation.override("de"):
        yield
