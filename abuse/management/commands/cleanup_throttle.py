"""Remove throttle counters of windows long past; run it periodically (e.g. hourly from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from abuse.services import counters_cleanup


class Command(BaseCommand):
    help = "Remove throttle counters whose window ended longer ago than BK_THROTTLE_RETENTION_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        """Delete the old counters and say how many."""
        deleted = counters_cleanup(now=timezone.now())
        self.stdout.write(f"{deleted} throttle counters removed.")
