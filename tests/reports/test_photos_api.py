"""Photo uploads through the API: content checks, stripped metadata, suggested place, attachment, cleanup."""

from __future__ import annotations

import datetime
import io
import os
import time
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from reports.models import Photo, Report
from tests.reports.conftest import REPORT_BODY

pytestmark = pytest.mark.django_db

URL = "/api/v1/photos/"


def upload(api: APIClient, data: bytes, name: str = "foto.jpg") -> Any:
    return api.post(URL, {"file": io.BytesIO(data)}, format="multipart")


def served(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "image/jpeg"
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()
    assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    assert b"Exif\x00\x00" not in data
    assert b"GPS" not in data


@pytest.mark.parametrize(
    ("name", "lon", "lat"),
    [
        ("DSCN0010.jpg", 11.8851267, 43.4674483),
        ("DSCN0021.jpg", 11.8845383, 43.4670817),
        ("exiftool_GPS.jpg", -1.9141667, 54.9896667),
    ],
)
def test_upload_suggests_the_exif_position_and_serves_no_metadata(
    api: APIClient, client: Client, photo_bytes: Any, name: str, lon: float, lat: float
) -> None:
    response = upload(api, photo_bytes(name))
    assert response.status_code == 201
    body = response.json()
    assert body["suggested_location"]["type"] == "Point"
    assert body["suggested_location"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    assert_no_metadata(served(client, body["url"]))
    assert_no_metadata(served(client, body["thumbnail_url"]))
    photo = Photo.objects.get(pk=body["id"])
    assert photo.report is None
    assert default_storage.exists(photo.path)


def test_photo_without_gps_suggests_nothing(api: APIClient) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "PNG")
    body = upload(api, buffer.getvalue(), "plan.png").json()
    assert body["suggested_location"] is None
    assert (body["width"], body["height"]) == (64, 48)


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", 415),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415),
        (b"%PDF-1.7\n", 415),
        (b"", 415),
    ],
)
def test_other_content_is_refused(api: APIClient, data: bytes, status: int) -> None:
    before = Photo.objects.count()
    response = upload(api, data)
    assert response.status_code == status
    assert response.json()["code"] == "unsupported_photo_type"
    assert Photo.objects.count() == before


def test_missing_file_field(api: APIClient) -> None:
    response = api.post(URL, {"datei": io.BytesIO(b"x")}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["message"]


def test_photos_attach_to_their_report_in_order(api: APIClient, client: Client, photo_bytes: Any) -> None:
    ids = [upload(api, photo_bytes(name)).json()["id"] for name in ("DSCN0021.jpg", "DSCN0010.jpg")]
    report = api.post("/api/v1/reports/", {**REPORT_BODY, "photos": ids}, format="json").json()
    assert [photo["id"] for photo in report["properties"]["photos"]] == ids
    # Reusing a photo of another report is refused, and the second report is not created.
    again = api.post("/api/v1/reports/", {**REPORT_BODY, "photos": ids[:1]}, format="json")
    assert again.status_code == 422
    assert again.json()["code"] == "invalid_photos"
    assert Report.objects.filter(description=REPORT_BODY["description"]).count() == 1
    # The report is not public yet (no confirmation): its photos are not served to others.
    assert Client().get(report["properties"]["photos"][0]["url"]).status_code == 404


def test_more_photos_than_allowed_or_unknown_ones(api: APIClient, photo_bytes: Any, settings: Any) -> None:
    settings.BK_REPORTS = {**settings.BK_REPORTS, "PHOTOS_PER_REPORT": 1}
    ids = [upload(api, photo_bytes("DSCN0010.jpg")).json()["id"] for _ in range(2)]
    too_many = api.post("/api/v1/reports/", {**REPORT_BODY, "photos": ids}, format="json")
    assert too_many.status_code == 422
    assert "höchstens 1" in too_many.json()["message"]
    unknown = api.post(
        "/api/v1/reports/", {**REPORT_BODY, "photos": ["7d8e3c1a-0000-4000-8000-000000000000"]}, format="json"
    )
    assert unknown.status_code == 422
    assert Photo.objects.filter(report__isnull=False).count() == 0


def test_cleanup_removes_stale_uploads_and_orphan_files_only(api: APIClient, photo_bytes: Any) -> None:
    stale = Photo.objects.get(pk=upload(api, photo_bytes("DSCN0010.jpg")).json()["id"])
    fresh = Photo.objects.get(pk=upload(api, photo_bytes("exiftool_GPS.jpg")).json()["id"])
    attached_id = upload(api, photo_bytes("DSCN0021.jpg")).json()["id"]
    api.post("/api/v1/reports/", {**REPORT_BODY, "photos": [attached_id]}, format="json")
    attached = Photo.objects.get(pk=attached_id)
    a_day_ago = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=25)
    Photo.objects.filter(pk__in=[stale.pk, attached.pk]).update(created_at=a_day_ago)
    # A file a crash left behind: written, but its row never committed.
    orphan = "photos/ab/" + "ab" * 32 + ".jpg"
    default_storage.save(orphan, io.BytesIO(b"\xff\xd8 left over"))
    old = time.time() - 25 * 3600
    for path in (orphan, stale.path, stale.thumbnail_path):
        os.utime(default_storage.path(path), (old, old))

    out = io.StringIO()
    call_command("cleanup_uploads", stdout=out)

    assert not Photo.objects.filter(pk=stale.pk).exists()
    assert Photo.objects.filter(pk=fresh.pk).exists()
    assert Photo.objects.filter(pk=attached.pk).exists()
    assert not default_storage.exists(orphan)
    assert not default_storage.exists(stale.path)
    assert default_storage.exists(fresh.path)
    assert default_storage.exists(attached.path)
    assert "1 unattached photos" in out.getvalue()
