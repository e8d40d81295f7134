"""Remove photo uploads never attached to a report, files without a row, and expired idempotency records."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from idempotency.services import records_expire
from reports.conf import reports_settings
from reports.services import uploads_cleanup


class Command(BaseCommand):
    help = (
        "Remove uploads not attached to a report within BK_UNATTACHED_PHOTO_HOURS, photo files no row refers "
        "to (left by a crash between writing a file and committing its row), and expired idempotency records. "
        "Run it hourly, e.g. from cron or a systemd timer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        conf = reports_settings()
        cleaned = uploads_cleanup(older_than=conf.unattached_photo_lifetime)
        records = records_expire(older_than=conf.idempotency_lifetime)
        self.stdout.write(
            f"{cleaned.photos} unattached photos, {len(cleaned.files)} files without a row and "
            f"{records} idempotency records removed."
        )
