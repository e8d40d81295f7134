"""Remove personal data whose retention period (BK_PRIVACY_ANONYMISE_AFTER_DAYS) has passed."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from privacy.conf import privacy_settings
from privacy.services import personal_data_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise reporters and authors of reports closed, and of contributions to procedures ended, more than "
        "BK_PRIVACY_ANONYMISE_AFTER_DAYS ago; unlink their supports and flags; delete old accessibility feedback "
        "and expired sessions. The public texts stay. Safe to repeat; run it daily, e.g. from cron or a systemd timer."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would change.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options["dry_run"])
        result = personal_data_anonymise(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        days = privacy_settings().anonymise_after_days
        self.stdout.write(f"Retention period: {days} days.")
        for kind, count in result.as_dict().items():
            self.stdout.write(f"{kind.replace('_', ' ')}: {count} {verb} anonymised or removed")
