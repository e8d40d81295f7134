"""System checks of the privacy settings: a retention period that exists and a contact that can be reached."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register

from privacy.conf import privacy_settings


@register(Tags.compatibility)
def check_privacy_settings(*, app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Sequence[CheckMessage]:
    """Check the privacy settings: a positive anonymisation period, contacts and a valid review date."""
    try:
        conf = privacy_settings()
    except (KeyError, TypeError, ValueError) as exc:
        return [Error(f"BK_PRIVACY is incomplete or invalid: {exc}.", id="bk.E301")]
    errors: list[CheckMessage] = []
    if conf.anonymise_after_days < 1:
        errors.append(Error("BK_PRIVACY_ANONYMISE_AFTER_DAYS must be at least 1.", id="bk.E302"))
    for name, value in (
        ("BK_PRIVACY_CONTROLLER", conf.controller),
        ("BK_PRIVACY_CONTROLLER_EMAIL", conf.controller_email),
        ("BK_ACCESSIBILITY_CONTACT", conf.accessibility_contact),
    ):
        if not value.strip():
            errors.append(
                Error(f"{name} must not be empty: the privacy and accessibility pages name it.", id="bk.E303")
            )
    return errors
