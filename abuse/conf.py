"""Typed access to the abuse settings (settings.BK_THROTTLE and settings.BK_ABUSE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `limit` hits per fixed window of `window_seconds`."""

    limit: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class AbuseSettings:
    """The abuse settings, typed."""

    rates: dict[str, Rate]
    form_min_seconds: int
    form_max_age_seconds: int
    flag_hide_threshold: int
    counter_retention: timedelta


def abuse_settings() -> AbuseSettings:
    """Return the abuse settings as configured now."""
    raw = settings.BK_ABUSE
    return AbuseSettings(
        rates={
            action: Rate(limit=int(rate["LIMIT"]), window_seconds=int(rate["WINDOW_SECONDS"]))
            for action, rate in settings.BK_THROTTLE.items()
        },
        form_min_seconds=int(raw["FORM_MIN_SECONDS"]),
        form_max_age_seconds=int(raw["FORM_MAX_AGE_SECONDS"]),
        flag_hide_threshold=int(raw["FLAG_HIDE_THRESHOLD"]),
        counter_retention=timedelta(hours=int(raw["COUNTER_RETENTION_HOURS"])),
    )
