"""Typed access to the privacy and accessibility settings (settings.BK_PRIVACY)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """The privacy and accessibility settings, typed."""

    anonymise_after: datetime.timedelta
    controller: str
    controller_address: str
    controller_email: str
    dpo_email: str
    accessibility_contact: str
    accessibility_reviewed_on: datetime.date

    @property
    def anonymise_after_days(self) -> int:
        """Return the retention period in whole days, as the pages state it."""
        return self.anonymise_after.days


def privacy_settings() -> PrivacySettings:
    """Return the privacy settings as configured now."""
    raw = settings.BK_PRIVACY
    return PrivacySettings(
        anonymise_after=datetime.timedelta(days=int(raw["ANONYMISE_AFTER_DAYS"])),
        controller=str(raw["CONTROLLER"]),
        controller_address=str(raw["CONTROLLER_ADDRESS"]),
        controller_email=str(raw["CONTROLLER_EMAIL"]),
        dpo_email=str(raw["DPO_EMAIL"]),
        accessibility_contact=str(raw["ACCESSIBILITY_CONTACT"]),
        accessibility_reviewed_on=datetime.date.fromisoformat(str(raw["ACCESSIBILITY_REVIEWED_ON"])),
    )
