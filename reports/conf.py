"""Typed access to the Mängelmelder settings (settings.BK_REPORTS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from reports.photos import PhotoLimits


@dataclass(frozen=True, slots=True)
class ReportsSettings:
    """The Mängelmelder settings, typed."""

    photo_limits: PhotoLimits
    photos_per_report: int
    unattached_photo_lifetime: timedelta
    idempotency_lifetime: timedelta


def reports_settings() -> ReportsSettings:
    """Return the Mängelmelder settings as configured now."""
    raw = settings.BK_REPORTS
    return ReportsSettings(
        photo_limits=PhotoLimits(max_bytes=int(raw["PHOTO_MAX_BYTES"]), max_pixels=int(raw["PHOTO_MAX_PIXELS"])),
        photos_per_report=int(raw["PHOTOS_PER_REPORT"]),
        unattached_photo_lifetime=timedelta(hours=int(raw["UNATTACHED_PHOTO_HOURS"])),
        idempotency_lifetime=timedelta(hours=int(raw["IDEMPOTENCY_HOURS"])),
    )
