"""What every import command writes about its import."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from geo.services import ImportReport


def write_import_report(command: BaseCommand, report: ImportReport, verbosity: int) -> None:
    """Write the counts, the changed keys (at verbosity 2) and every skip with its reason."""
    command.stdout.write(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.skipped)} skipped."
    )
    if verbosity >= 2:
        for label, keys in (("created", report.created), ("updated", report.updated)):
            if keys:
                command.stdout.write(f"  {label}: {', '.join(keys)}")
    for skipped in report.skipped:
        key = f" (key {skipped.key})" if skipped.key else ""
        command.stdout.write(command.style.WARNING(f"Skipped {skipped.source}{key}: {skipped.reason}."))
