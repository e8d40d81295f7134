"""System checks for invariants the settings module cannot express."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from geo.conf import geo_settings


@register(Tags.compatibility)
def check_geo_settings(*, app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Sequence[CheckMessage]:
    """Check the geo settings: limits positive, the NRW boundary file present."""
    errors: list[CheckMessage] = []
    conf = geo_settings()
    if conf.max_vertices < 4:
        errors.append(Error("BK_GEO_MAX_VERTICES must be at least 4 (a closed ring).", id="bk.E001"))
    if conf.nrw_buffer_m < 0:
        errors.append(Error("BK_GEO_NRW_BUFFER_M must not be negative.", id="bk.E002"))
    if not conf.nrw_boundary_file.is_file():
        errors.append(
            Error(
                f"The NRW boundary file {conf.nrw_boundary_file} does not exist.",
                hint="Set BK_GEO_NRW_BOUNDARY_FILE or restore fixtures/vg5000-nrw.",
                id="bk.E003",
            )
        )
    return errors


@register(Tags.database)
def check_database_is_postgis(*, app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Sequence[CheckMessage]:
    """Check that the default database is PostGIS, the only backend the spatial SQL is written for."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.contrib.gis.db.backends.postgis":
        return [Error(f"The database engine must be PostGIS, not {engine}.", id="bk.E010")]
    return []
