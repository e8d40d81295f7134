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


# Every action the code throttles must have a rate (abuse.services.throttle).
THROTTLED_ACTIONS = ("report_create", "open311_create", "photo_upload", "contribution_create", "flag", "login")


@register(Tags.security)
def check_abuse_settings(*, app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Sequence[CheckMessage]:
    """Check the throttle rates and the bot and flag limits: present, whole and positive."""
    errors: list[CheckMessage] = []
    rates = getattr(settings, "BK_THROTTLE", {})
    for action in THROTTLED_ACTIONS:
        rate = rates.get(action)
        if not isinstance(rate, dict):
            errors.append(Error(f"BK_THROTTLE has no rate for {action!r}.", id="bk.E020"))
            continue
        for key in ("LIMIT", "WINDOW_SECONDS"):
            value = rate.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                errors.append(
                    Error(f"BK_THROTTLE[{action!r}][{key!r}] must be a whole number of at least 1.", id="bk.E021")
                )
    raw = getattr(settings, "BK_ABUSE", {})
    minimums = {
        "FORM_MIN_SECONDS": 0,
        "FORM_MAX_AGE_SECONDS": 60,
        "FLAG_HIDE_THRESHOLD": 1,
        "COUNTER_RETENTION_HOURS": 1,
    }
    for key, minimum in minimums.items():
        value = raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            errors.append(Error(f"BK_ABUSE[{key!r}] must be a whole number of at least {minimum}.", id="bk.E022"))
    if getattr(settings, "AXES_FAILURE_LIMIT", 0) < 1 or not getattr(settings, "AXES_COOLOFF_TIME", None):
        errors.append(
            Error(
                "BK_LOGIN_FAILURE_LIMIT must be at least 1 and BK_LOGIN_COOLOFF_HOURS positive.",
                hint="Without a cool-off time a locked login stays locked until an administrator resets it.",
                id="bk.E023",
            )
        )
    return errors
