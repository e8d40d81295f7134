"""The invariant checker: each half-written or stray state is reported, a clean state passes."""

from __future__ import annotations

import datetime
import io
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from reports import services
from reports.invariants import report_invariant_findings
from reports.models import Photo, Report, ReportUpdate

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(hours=24)


def upload(api: APIClient, data: bytes) -> str:
    response = api.post("/api/v1/photos/", {"file": io.BytesIO(data)}, format="multipart")
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


@pytest.fixture
def report_with_photos(api: APIClient, photo_bytes: Any, create_report: Any) -> tuple[Report, list[Photo]]:
    ids = [upload(api, photo_bytes(name)) for name in ("DSCN0010.jpg", "DSCN0021.jpg")]
    report = Report.objects.get(pk=create_report(photos=ids)["properties"]["id"])
    return report, [Photo.objects.get(pk=pk) for pk in ids]


def codes() -> list[str]:
    return [finding.code for finding in report_invariant_findings(unattached_older_than=DAY)]


def test_clean_state_has_no_findings(report_with_photos: Any, api: APIClient, photo_bytes: Any) -> None:
    upload(api, photo_bytes("exiftool_GPS.jpg"))  # young and unattached: allowed
    assert codes() == []
    out = io.StringIO()
    call_command("check_report_invariants", stdout=out)
    assert "0 findings." in out.getvalue()


@pytest.mark.parametrize("which", ["path", "thumbnail_path"])
def test_photo_whose_file_is_missing(report_with_photos: Any, which: str) -> None:
    _report, photos = report_with_photos
    default_storage.delete(getattr(photos[0], which))
    assert codes() == ["photo_file_missing"]


@pytest.mark.parametrize("which", ["path", "thumbnail_path"])
def test_photo_whose_file_was_cut_short(report_with_photos: Any, which: str) -> None:
    _report, photos = report_with_photos
    path = default_storage.path(getattr(photos[1], which))
    with open(path, "r+b") as handle:
        handle.truncate(os.path.getsize(path) // 2)
    assert codes() == ["photo_file_damaged"]


def test_file_without_a_row(report_with_photos: Any) -> None:
    default_storage.save("photos/ab/" + "ab" * 32 + ".jpg", io.BytesIO(b"\xff\xd8 left over"))
    assert codes() == ["file_without_photo"]


def test_unattached_photo_older_than_the_limit(api: APIClient, photo_bytes: Any) -> None:
    pk = upload(api, photo_bytes("DSCN0010.jpg"))
    Photo.objects.filter(pk=pk).update(created_at=datetime.datetime.now(tz=datetime.UTC) - DAY * 2)
    assert codes() == ["unattached_photo_expired"]


def test_report_without_its_first_history_step(report_with_photos: Any) -> None:
    report, _photos = report_with_photos
    ReportUpdate.objects.filter(report=report).delete()
    assert codes() == ["report_without_history"]


@pytest.mark.parametrize(
    "change",
    [{"confirmation_token_hash": ""}, {"confirmed_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)}],
    ids=["unpublishable", "confirmed-unpublished"],
)
def test_report_with_contradictory_publication_state(report_with_photos: Any, change: dict[str, Any]) -> None:
    report, _photos = report_with_photos
    assert report.published_at is None
    Report.objects.filter(pk=report.pk).update(**change)
    assert codes() == ["report_publication_inconsistent"]


def test_two_photos_at_one_position(report_with_photos: Any) -> None:
    _report, photos = report_with_photos
    Photo.objects.filter(pk__in=[photo.pk for photo in photos]).update(position=0)
    assert codes() == ["photo_position_twice"]


def test_command_lists_findings_and_exits_with_1(report_with_photos: Any) -> None:
    _report, photos = report_with_photos
    default_storage.delete(photos[0].path)
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("check_report_invariants", stdout=out)
    assert raised.value.returncode == 1
    assert f"photo_file_missing: photo {photos[0].pk}" in out.getvalue()


def test_cleanup_leaves_nothing_for_the_checker(report_with_photos: Any, api: APIClient, photo_bytes: Any) -> None:
    stale = upload(api, photo_bytes("exiftool_GPS.jpg"))
    Photo.objects.filter(pk=stale).update(created_at=datetime.datetime.now(tz=datetime.UTC) - DAY * 2)
    leftover = default_storage.save("photos/cd/" + "cd" * 32 + ".jpg.0123.part", io.BytesIO(b"\xff\xd8"))
    old = time.time() - 2 * DAY.total_seconds()
    for path in (leftover, Photo.objects.get(pk=stale).path, Photo.objects.get(pk=stale).thumbnail_path):
        os.utime(default_storage.path(path), (old, old))
    assert sorted(codes()) == ["file_without_photo", "unattached_photo_expired"]
    call_command("cleanup_uploads", stdout=io.StringIO())
    assert codes() == []


# --- the gaps the checker found in `photo_upload` ----------------------------------------------------------


def test_a_crash_while_writing_never_leaves_a_cut_off_file_at_the_final_name(
    monkeypatch: pytest.MonkeyPatch, photo_bytes: Any
) -> None:
    def killed(*args: Any) -> None:
        raise SystemExit("killed before the rename")

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(SystemExit):
        services.photo_upload(stream=io.BytesIO(photo_bytes("DSCN0010.jpg")))
    # Only a `.part` file exists; the next upload of the same photo writes the whole file again.
    folders = default_storage.listdir("photos")[0]
    names = [name for folder in folders for name in default_storage.listdir(f"photos/{folder}")[1]]
    assert names
    assert all(name.endswith(".part") for name in names)
    monkeypatch.undo()
    photo = services.photo_upload(stream=io.BytesIO(photo_bytes("DSCN0010.jpg"))).photo
    assert default_storage.exists(photo.path)
    # The `.part` file is what is left: a stray file the cleanup removes once it is old.
    assert codes() == ["file_without_photo"]


def test_storing_an_existing_file_again_makes_it_young(photo_bytes: Any) -> None:
    photo = services.photo_upload(stream=io.BytesIO(photo_bytes("DSCN0010.jpg"))).photo
    old = time.time() - 2 * DAY.total_seconds()
    os.utime(default_storage.path(photo.path), (old, old))
    Photo.objects.all().delete()  # as if the cleanup took the row, and a new upload's row is not committed yet
    store: Callable[[str, bytes], None] = services._store_once
    store(photo.path, default_storage.open(photo.path).read())
    services.uploads_cleanup(older_than=DAY)
    assert default_storage.exists(photo.path)
