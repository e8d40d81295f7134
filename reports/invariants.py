"""Reads that check the Mängelmelder's stored state for half-written reports and stray uploads."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.utils import timezone

from reports.models import Photo, Report, photo_path


@dataclass(frozen=True)
class Finding:
    """One broken invariant: a stable code and the object it concerns."""

    code: str
    subject: str

    def __str__(self) -> str:
        return f"{self.code}: {self.subject}"


def _photo_files() -> list[str]:
    try:
        folders, _files = default_storage.listdir("photos")
    except FileNotFoundError:
        return []
    return [f"photos/{folder}/{name}" for folder in folders for name in default_storage.listdir(f"photos/{folder}")[1]]


def _damaged(path: str, sha256: str, *, thumbnail: bool) -> bool:
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    # A file cut short by a crash is no JPEG anymore: the display file must hash to its name,
    # the thumbnail must at least end with the JPEG end-of-image marker.
    if thumbnail:
        return not content.endswith(b"\xff\xd9")
    return hashlib.sha256(content).hexdigest() != sha256


def _report_findings() -> list[Finding]:
    findings: list[Finding] = []
    # report_create writes the report and its first history step in one transaction.
    for report_id in Report.objects.annotate(steps=Count("updates")).filter(steps=0).values_list("id", flat=True):
        findings.append(Finding("report_without_history", f"report {report_id}"))
    # Unpublished without a token nobody could ever publish it; confirmed yet unpublished contradicts itself.
    stuck = Report.objects.filter(published_at__isnull=True).filter(
        Q(confirmation_token_hash="", confirmed_at__isnull=True) | Q(confirmed_at__isnull=False)
    )
    for report_id in stuck.values_list("id", flat=True):
        findings.append(Finding("report_publication_inconsistent", f"report {report_id}"))
    return findings


def _photo_findings(older_than: datetime.timedelta) -> list[Finding]:
    findings: list[Finding] = []
    cutoff = timezone.now() - older_than
    for photo in Photo.objects.order_by("created_at", "id"):
        for path, thumbnail in ((photo.path, False), (photo.thumbnail_path, True)):
            if not default_storage.exists(path):
                findings.append(Finding("photo_file_missing", f"photo {photo.id} ({path})"))
            elif _damaged(path, photo.sha256, thumbnail=thumbnail):
                findings.append(Finding("photo_file_damaged", f"photo {photo.id} ({path})"))
        if photo.report_id is None and photo.created_at < cutoff:
            findings.append(Finding("unattached_photo_expired", f"photo {photo.id}"))
    positions = (
        Photo.objects.filter(report__isnull=False)
        .values("report_id", "position")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for row in positions:
        findings.append(Finding("photo_position_twice", f"report {row['report_id']} position {row['position']}"))
    referenced = set(Photo.objects.values_list("sha256", flat=True))
    expected = {photo_path(sha) for sha in referenced} | {photo_path(sha, thumbnail=True) for sha in referenced}
    for path in sorted(set(_photo_files()) - expected):
        findings.append(Finding("file_without_photo", path))
    return findings


def report_invariant_findings(*, unattached_older_than: datetime.timedelta) -> list[Finding]:
    """Return every broken invariant of reports, photos and photo files; empty when all hold.

    Run after the cleanup: unattached photos older than `unattached_older_than` and files
    without a row are findings, because the cleanup should have removed them.
    """
    return _report_findings() + _photo_findings(unattached_older_than)
