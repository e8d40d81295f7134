"""Check reports, photos and photo files for half-written or stray state; exit 1 when something is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reports.conf import reports_settings
from reports.invariants import report_invariant_findings


class Command(BaseCommand):
    help = (
        "List broken invariants: reports without history or with contradictory publication state, photos whose "
        "files are missing, expired unattached photos and files no row refers to. Run cleanup_uploads first. "
        "Exits with status 1 when anything is found."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        findings = report_invariant_findings(unattached_older_than=reports_settings().unattached_photo_lifetime)
        for finding in findings:
            self.stdout.write(str(finding))
        if findings:
            raise CommandError(f"{len(findings)} findings.", returncode=1)
        self.stdout.write("0 findings.")
