"""Delete old basemap tiles from the proxy's disk cache, and keep it under a size limit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tiles.services import basemap_cache_prune


class Command(BaseCommand):
    help = "Delete cached basemap tiles older than --days, then the oldest beyond --max-mb (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=float, default=30.0, help="delete tiles cached longer ago (default 30)")
        parser.add_argument("--max-mb", type=float, default=None, help="then delete the oldest beyond this size")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 0 or (options["max_mb"] is not None and options["max_mb"] < 0):
            self.stderr.write("--days and --max-mb must not be negative.")
            raise SystemExit(2)
        max_bytes = None if options["max_mb"] is None else int(options["max_mb"] * 1024 * 1024)
        result = basemap_cache_prune(older_than_seconds=options["days"] * 86400, max_bytes=max_bytes)
        self.stdout.write(
            f"Removed {result.removed_files} tiles ({result.removed_bytes / 1024 / 1024:.1f} MB);"
            f" {result.kept_files} tiles ({result.kept_bytes / 1024 / 1024:.1f} MB) remain."
        )
