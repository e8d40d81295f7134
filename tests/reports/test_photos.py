"""Photo uploads: sniffed by content, bounded, upright, in sRGB, stripped of metadata, GPS read first."""

from __future__ import annotations

import hashlib
import math
import re
import struct
import subprocess
import sys
import time
import warnings
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal, cast

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, PngImagePlugin
from PIL.TiffImagePlugin import IFDRational

from config.errors import ApplicationError
from reports.photos import (
    PhotoLimits,
    PhotoTooLarge,
    PhotoTooManyPixels,
    PhotoUnreadable,
    ProcessedPhoto,
    UnsupportedPhotoType,
    process_photo,
    read_gps,
)

ROOT = Path(__file__).resolve().parents[2]
PHOTOS = ROOT / "fixtures" / "photos"

# Documented in fixtures/photos/SOURCE.md (decoded with exifread): file -> (lat, lon).
REAL_GPS = {
    "DSCN0010.jpg": (43.4674483, 11.8851267),
    "DSCN0021.jpg": (43.4670817, 11.8845383),
    "exiftool_GPS.jpg": (54.9896667, -1.9141667),
}

# Köln Cathedral, 50° 56' 28.68" N, 6° 57' 29.88" E: an NRW place written into copies made in the tests.
KOELN_DMS = ((50, 1), (56, 1), (2868, 100))
KOELN_LON_DMS = ((6, 1), (57, 1), (2988, 100))
KOELN = (50 + 56 / 60 + 28.68 / 3600, 6 + 57 / 60 + 29.88 / 3600)

# A JPEG without metadata consists of these segments only: SOI, APP0 (JFIF), DQT, SOF0-2, DHT, DRI, SOS, EOI.
ALLOWED_JPEG_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA, 0xD9}
ALLOWED_INFO_KEYS = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression"}


# --- helpers ---------------------------------------------------------------------------------------------


def _photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def _process(data: bytes, **limits: int) -> ProcessedPhoto:
    return process_photo(BytesIO(data), limits=PhotoLimits(**limits))


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _halves(size: tuple[int, int], left: str, right: str) -> Image.Image:
    """Return an image whose left half has one colour and whose right half has another."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def _rationals(dms: tuple[tuple[int, int], ...]) -> tuple[IFDRational, ...]:
    return tuple(IFDRational(numerator, denominator) for numerator, denominator in dms)


def _gps_exif(lat=KOELN_DMS, lat_ref="N", lon=KOELN_LON_DMS, lon_ref="E", datum: str | None = None) -> Image.Exif:
    """Return EXIF with a GPS IFD, written to bytes and read back as a file would be."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Testkamera"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if lat_ref is not None:
        gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
    if lat is not None:
        gps[ExifTags.GPS.GPSLatitude] = _rationals(lat)
    if lon_ref is not None:
        gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
    if lon is not None:
        gps[ExifTags.GPS.GPSLongitude] = _rationals(lon)
    if datum is not None:
        gps[ExifTags.GPS.GPSMapDatum] = datum
    reread = Image.Exif()
    reread.load(exif.tobytes())
    return reread


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield each JPEG segment's marker and payload, skipping entropy-coded data and fill bytes."""
    assert data[:2] == b"\xff\xd8"
    yield 0xD8, b""
    pos = 2
    next_marker = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")  # in scan data 0xFF is stuffed or starts RSTn
    while pos < len(data):
        assert data[pos] == 0xFF, f"no marker at {pos}"
        while data[pos] == 0xFF:
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            yield marker, b""
            return
        length = int.from_bytes(data[pos : pos + 2], "big")
        yield marker, data[pos + 2 : pos + length]
        pos += length
        if marker == 0xDA:
            found = next_marker.search(data, pos)
            assert found is not None, "scan data without end"
            pos = found.start()


def _assert_no_metadata(jpeg: bytes) -> None:
    segments = list(_jpeg_segments(jpeg))
    markers = {marker for marker, _ in segments}
    assert markers <= ALLOWED_JPEG_MARKERS, (
        f"unexpected segments {sorted(hex(m) for m in markers - ALLOWED_JPEG_MARKERS)}"
    )
    assert [payload[:5] for marker, payload in segments if marker == 0xE0] == [b"JFIF\x00"]
    assert b"Exif" not in jpeg
    assert b"ICC_PROFILE" not in jpeg
    assert b"http://ns.adobe.com/xap/1.0/" not in jpeg
    with Image.open(BytesIO(jpeg)) as image:
        assert image.format == "JPEG"
        assert set(image.info) <= ALLOWED_INFO_KEYS, image.info
        assert not image.getexif()
        assert read_gps(image.getexif()) is None
        assert image.mode == "RGB"


def _pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[float, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple), value
    return value


def _icc_profile_swapping_red_and_green() -> bytes:
    """Return an ICC v2 RGB profile whose red primary is sRGB's green and whose green primary is sRGB's red."""

    def s15fixed16(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \x00\x00\x00\x00" + s15fixed16(x) + s15fixed16(y) + s15fixed16(z)

    name = b"red and green swapped"
    trc = b"curv\x00\x00\x00\x00" + struct.pack(">IH", 1, 0x0233)  # gamma 2.2 as u8Fixed8
    tags = [
        (b"desc", b"desc\x00\x00\x00\x00" + struct.pack(">I", len(name) + 1) + name + bytes(1 + 8 + 3 + 67)),
        (b"cprt", b"text\x00\x00\x00\x00test\x00"),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.3851, 0.7169, 0.0971)),  # sRGB's green
        (b"gXYZ", xyz(0.4361, 0.2225, 0.0139)),  # sRGB's red
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", trc),
        (b"gTRC", trc),
        (b"bTRC", trc),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", offset + len(body))
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + xyz(0.9642, 1.0, 0.8249)[8:]
        + bytes(48)
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


def _png_declaring(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header declares a 1-bit greyscale image of the given size."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(4096))) + chunk(b"IEND", b"")
    )


def _jpeg_declaring(width: int, height: int) -> bytes:
    """Return a small real JPEG whose frame header is patched to declare the given size."""
    data = bytearray(_encode(Image.new("RGB", (64, 48), "grey"), "JPEG"))
    pos = 2
    while data[pos + 1] not in (0xC0, 0xC2):
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    data[pos + 5 : pos + 9] = struct.pack(">HH", height, width)
    return bytes(data)


class EndlessStream:
    """A stream of zeros that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        assert size >= 0, "reading an endless stream to its end"
        self.bytes_read += size
        return bytes(size)


# --- GPS -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), REAL_GPS.items())
def test_real_photos_give_their_documented_position(name: str, expected: tuple[float, float]) -> None:
    photo = _process(_photo(name))

    assert photo.gps is not None
    assert photo.gps.lat == pytest.approx(expected[0], abs=1e-6)
    assert photo.gps.lon == pytest.approx(expected[1], abs=1e-6)


def test_western_longitude_is_negative() -> None:
    with Image.open(PHOTOS / "exiftool_GPS.jpg") as image:
        position = read_gps(image.getexif())

    assert position is not None
    assert position.lon < 0


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_gps_is_read_from_every_format_that_carries_exif(fmt: str) -> None:
    data = _encode(Image.new("RGB", (64, 48), "green"), fmt, exif=_gps_exif().tobytes())

    photo = _process(data)

    assert photo.source_format == fmt
    assert photo.gps is not None
    assert math.isclose(photo.gps.lat, KOELN[0], abs_tol=1e-9)
    assert math.isclose(photo.gps.lon, KOELN[1], abs_tol=1e-9)


def test_zero_denominator_in_the_gps_ifd_gives_no_position() -> None:
    exif = _gps_exif(lat=((50, 1), (56, 0), (0, 1)))
    data = _encode(Image.new("RGB", (64, 48), "green"), "JPEG", exif=exif.tobytes())
    with Image.open(BytesIO(data)) as image:  # the zero really is in the file
        latitude = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude]
        assert latitude[1].denominator == 0

    photo = _process(data)

    assert photo.gps is None
    assert (photo.width, photo.height) == (64, 48)


@pytest.mark.parametrize(
    "exif",
    [
        pytest.param(Image.Exif(), id="no exif"),
        pytest.param(_gps_exif(lat=None, lat_ref=None), id="longitude only"),
        pytest.param(_gps_exif(lat_ref=None), id="latitude without reference"),
        pytest.param(_gps_exif(lon_ref="X"), id="unknown reference"),
        pytest.param(_gps_exif(lat=((50, 1), (56, 1))), id="two parts only"),
        pytest.param(_gps_exif(lat=((91, 1), (0, 1), (0, 1))), id="latitude beyond 90"),
        pytest.param(_gps_exif(lon=((180, 1), (0, 1), (1, 1))), id="longitude beyond 180"),
        pytest.param(_gps_exif(lat=((50, 1), (60, 1), (0, 1))), id="sixty minutes"),
        pytest.param(_gps_exif(lon=((6, 1), (0, 1), (0, 0))), id="zero denominator in seconds"),
        pytest.param(_gps_exif(datum="TOKYO"), id="other datum"),
    ],
)
def test_incomplete_or_implausible_gps_gives_no_position(exif: Image.Exif) -> None:
    assert read_gps(exif) is None


@pytest.mark.parametrize(
    ("lat_ref", "lon_ref", "datum", "sign"),
    [("N", "E", "WGS-84", (1, 1)), ("S", "W", "WGS84", (-1, -1)), ("n", "e", None, (1, 1))],
)
def test_references_set_the_sign(lat_ref: str, lon_ref: str, datum: str | None, sign: tuple[int, int]) -> None:
    position = read_gps(_gps_exif(lat_ref=lat_ref, lon_ref=lon_ref, datum=datum))

    assert position is not None
    assert position.lat == pytest.approx(sign[0] * KOELN[0], abs=1e-9)
    assert position.lon == pytest.approx(sign[1] * KOELN[1], abs=1e-9)


# --- no metadata in what we publish ----------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_GPS)
def test_real_photos_lose_all_metadata(name: str) -> None:
    with Image.open(PHOTOS / name) as original:  # the input has what the output must not
        assert original.getexif()
        assert read_gps(original.getexif()) is not None

    photo = _process(_photo(name))

    _assert_no_metadata(photo.display)
    _assert_no_metadata(photo.thumbnail)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("with_icc", [False, True], ids=["without icc", "with icc"])
def test_exif_icc_xmp_and_comments_are_all_stripped(fmt: str, with_icc: bool) -> None:
    params: dict[str, object] = {"exif": _gps_exif().tobytes()}
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("comment", "Hauptstr. 1, Wohnung von Frau M.")
        params["pnginfo"] = text
    else:
        params["xmp"] = (
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:li>Hauptstr. 1</rdf:li></rdf:RDF></x:xmpmeta>'
        )
    if fmt == "JPEG":
        params["comment"] = b"Hauptstr. 1, Wohnung von Frau M."
    if with_icc:
        params["icc_profile"] = _icc_profile_swapping_red_and_green()
    data = _encode(Image.new("RGB", (64, 48), "green"), fmt, **params)
    with Image.open(BytesIO(data)) as original:  # the input has what the output must not
        expected = {"exif", "comment" if fmt == "PNG" else "xmp"} | ({"icc_profile"} if with_icc else set())
        assert expected <= set(original.info)

    photo = _process(data)

    for jpeg in (photo.display, photo.thumbnail):
        _assert_no_metadata(jpeg)
        assert b"Hauptstr" not in jpeg
        assert b"Testkamera" not in jpeg


def test_bytes_appended_to_a_jpeg_are_not_carried_over() -> None:
    data = _photo("DSCN0010.jpg") + b"PK\x03\x04geheimes-zip-archiv"

    photo = _process(data)

    assert photo.source_format == "JPEG"
    assert b"geheimes" not in photo.display
    _assert_no_metadata(photo.display)


# --- orientation, colour, alpha --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_exif_orientation_is_applied(fmt: str) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored 90° counter-clockwise: turn clockwise to show it
    data = _encode(_halves((64, 32), "red", "blue"), fmt, exif=exif.tobytes())

    photo = _process(data)

    assert (photo.width, photo.height) == (32, 64)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (32, 64)
    with Image.open(BytesIO(photo.display)) as image:
        top, bottom = _pixel(image, (16, 8)), _pixel(image, (16, 56))
    assert top[0] > 200 > top[2], "the stored left (red) half must end up on top"
    assert bottom[2] > 200 > bottom[0]


def test_icc_profile_colours_are_converted_to_srgb() -> None:
    data = _encode(Image.new("RGB", (64, 48), (255, 0, 0)), "PNG", icc_profile=_icc_profile_swapping_red_and_green())

    photo = _process(data)

    with Image.open(BytesIO(photo.display)) as image:
        red, green, blue = _pixel(image, (32, 24))
    assert green > 230
    assert red < 30
    assert blue < 30


def test_a_broken_icc_profile_falls_back_to_plain_conversion() -> None:
    data = _encode(Image.new("RGB", (64, 48), (255, 0, 0)), "PNG", icc_profile=b"kein ICC-Profil" * 20)

    photo = _process(data)

    with Image.open(BytesIO(photo.display)) as image:
        red, green, _ = _pixel(image, (32, 24))
    assert red > 230
    assert green < 30
    _assert_no_metadata(photo.display)


def test_png_alpha_is_laid_onto_white() -> None:
    image = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (32, 0, 64, 48))

    photo = _process(_encode(image, "PNG"))

    assert photo.source_format == "PNG"
    with Image.open(BytesIO(photo.display)) as output:
        assert output.getpixel((8, 24)) == pytest.approx((255, 255, 255), abs=3)
        assert output.getpixel((56, 24)) == pytest.approx((200, 0, 0), abs=6)


@pytest.mark.parametrize(
    ("mode", "fmt", "params", "colour", "expected"),
    [
        ("1", "PNG", {}, 1, (255, 255, 255)),
        ("L", "PNG", {}, 128, (128, 128, 128)),
        ("L", "PNG", {"transparency": 0}, 0, (255, 255, 255)),
        ("LA", "PNG", {}, (0, 0), (255, 255, 255)),
        ("P", "PNG", {"transparency": 0}, 0, (255, 255, 255)),
        ("RGB", "PNG", {"transparency": (0, 0, 0)}, (0, 0, 0), (255, 255, 255)),
        ("I;16", "PNG", {}, 32768, (128, 128, 128)),  # 16-bit grey is scaled, not clipped to white
        ("CMYK", "JPEG", {}, (0, 255, 255, 0), (255, 0, 0)),
        ("RGBA", "WEBP", {"lossless": True}, (0, 0, 255, 0), (255, 255, 255)),
        ("L", "HEIF", {}, 128, (128, 128, 128)),
    ],
)
def test_every_input_mode_ends_up_as_rgb(
    mode: str, fmt: str, params: dict[str, object], colour: float | tuple[float, ...], expected: tuple[int, int, int]
) -> None:
    data = _encode(Image.new(mode, (40, 30), colour), fmt, **params)

    photo = _process(data)

    with Image.open(BytesIO(photo.display)) as image:
        assert image.mode == "RGB"
        assert image.getpixel((20, 15)) == pytest.approx(expected, abs=8)


# --- sizes and the hash ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "display", "thumbnail"),
    [
        ((4000, 3000), (2048, 1536), (400, 300)),
        ((3000, 4000), (1536, 2048), (300, 400)),
        ((8192, 4096), (2048, 1024), (400, 200)),  # libjpeg scales by 4 while decoding: exactly the display size
        ((8000, 6000), (2048, 1536), (400, 300)),  # 48 MP: draft to half, then LANCZOS
        ((5000, 3000), (2048, 1229), (400, 240)),  # draft to half, then LANCZOS
        ((1000, 750), (1000, 750), (400, 300)),
        ((300, 200), (300, 200), (300, 200)),  # never enlarged
    ],
)
def test_longest_side_is_limited_and_never_enlarged(
    size: tuple[int, int], display: tuple[int, int], thumbnail: tuple[int, int]
) -> None:
    photo = _process(_encode(_halves(size, "red", "blue"), "JPEG"))

    assert (photo.width, photo.height) == display
    assert (photo.thumbnail_width, photo.thumbnail_height) == thumbnail
    with Image.open(BytesIO(photo.display)) as image:
        assert image.size == display
    with Image.open(BytesIO(photo.thumbnail)) as image:
        assert image.size == thumbnail
        assert max(image.size) <= 400


def test_limits_set_the_sizes_and_quality() -> None:
    data = _encode(_halves((1200, 900), "red", "blue"), "PNG")

    small = _process(data, display_max_px=600, thumbnail_max_px=100, jpeg_quality=20)
    large = _process(data, display_max_px=600, thumbnail_max_px=100, jpeg_quality=95)

    assert (small.width, small.height, small.thumbnail_width, small.thumbnail_height) == (600, 450, 100, 75)
    assert len(small.display) < len(large.display)


def test_sha256_is_the_digest_of_the_display_jpeg() -> None:
    photo = _process(_photo("DSCN0021.jpg"))

    assert photo.sha256 == hashlib.sha256(photo.display).hexdigest()
    assert photo.sha256 != hashlib.sha256(photo.thumbnail).hexdigest()


def test_same_upload_gives_the_same_file_name() -> None:
    assert _process(_photo("DSCN0010.jpg")).sha256 == _process(_photo("DSCN0010.jpg")).sha256


def test_output_is_a_progressive_jpeg() -> None:
    photo = _process(_photo("DSCN0010.jpg"))

    assert 0xC2 in {marker for marker, _ in _jpeg_segments(photo.display)}


# --- content, not names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "content", "source_format"),
    [
        ("foto.png", "jpeg", "JPEG"),
        ("foto.jpg", "png", "PNG"),
        ("foto.gif", "webp", "WEBP"),
        ("foto.txt", "heif", "HEIF"),
        ("foto.jpg", "mpo", "JPEG"),
    ],
)
def test_type_is_recognised_by_content_not_by_name(
    tmp_path: Path, file_name: str, content: str, source_format: str
) -> None:
    image = Image.new("RGB", (40, 30), "red")
    if content == "mpo":  # multi-picture JPEG from phones with two cameras
        data = _encode(image, "MPO", save_all=True, append_images=[Image.new("RGB", (40, 30), "blue")])
    else:
        data = _encode(image, content.upper())
    path = tmp_path / file_name
    path.write_bytes(data)

    with path.open("rb") as stream:
        photo = process_photo(stream)

    assert photo.source_format == source_format


def _saved(fmt: str) -> bytes:
    return _encode(Image.new("RGB", (40, 30), "red"), fmt)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        pytest.param(_saved("GIF"), UnsupportedPhotoType, id="gif"),
        pytest.param(_saved("BMP"), UnsupportedPhotoType, id="bmp"),
        pytest.param(_saved("TIFF"), UnsupportedPhotoType, id="tiff"),
        pytest.param(_saved("ICO"), UnsupportedPhotoType, id="ico"),
        pytest.param(_saved("AVIF"), UnsupportedPhotoType, id="avif"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(1)</script><rect width="10" height="10"/></svg>',
            UnsupportedPhotoType,
            id="svg",
        ),
        pytest.param(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", UnsupportedPhotoType, id="pdf"
        ),
        pytest.param("Schlagloch in der Hauptstraße".encode(), UnsupportedPhotoType, id="text"),
        pytest.param(b"", UnsupportedPhotoType, id="empty"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40), UnsupportedPhotoType, id="zip"),
        pytest.param(b"GIF89a" + _photo("DSCN0010.jpg"), UnsupportedPhotoType, id="gif header, jpeg body"),
        pytest.param(
            b"\xff\xd8\xff<html><body><script>alert(document.cookie)</script></body></html>",
            UnsupportedPhotoType,
            id="html behind jpeg magic",
        ),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(100), UnsupportedPhotoType, id="png magic, zeros"),
        pytest.param(_photo("DSCN0010.jpg")[:700] + bytes(range(256)) * 40, PhotoUnreadable, id="garbage after header"),
        pytest.param(_saved("PNG")[:60], PhotoUnreadable, id="png cut short"),
        pytest.param(_saved("WEBP")[:40], PhotoUnreadable, id="webp cut short"),
        pytest.param(_saved("HEIF")[:300], UnsupportedPhotoType, id="heif cut short"),
    ],
)
def test_everything_else_is_refused(data: bytes, error: type[ApplicationError]) -> None:
    with pytest.raises(error) as raised:
        _process(data)

    assert 400 <= raised.value.status_code < 500


def test_truncated_jpeg_is_unreadable() -> None:
    data = _photo("DSCN0010.jpg")

    with pytest.raises(PhotoUnreadable) as raised:
        _process(data[: len(data) // 2])

    assert raised.value.status_code == 422
    assert raised.value.code == "photo_unreadable"


# --- limits ----------------------------------------------------------------------------------------------


def test_more_bytes_than_allowed_are_refused() -> None:
    data = _photo("DSCN0010.jpg")

    assert _process(data, max_bytes=len(data)).source_format == "JPEG"
    with pytest.raises(PhotoTooLarge) as raised:
        _process(data, max_bytes=len(data) - 1)

    assert raised.value.status_code == 413
    assert raised.value.details == {"max_bytes": len(data) - 1}


def test_an_endless_upload_is_read_only_one_byte_past_the_limit() -> None:
    stream = EndlessStream()

    with pytest.raises(PhotoTooLarge) as raised:
        process_photo(cast(BinaryIO, stream))

    assert stream.bytes_read == 15 * 1024 * 1024 + 1
    assert "höchstens 15 MB" in raised.value.message


def test_size_limit_is_named_with_a_german_decimal_comma() -> None:
    with pytest.raises(PhotoTooLarge) as raised:
        _process(_photo("DSCN0010.jpg"), max_bytes=128 * 1024)

    assert "höchstens 0,125 MB" in raised.value.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_png_declaring(9000, 6000), id="png 54 MP: our limit"),
        pytest.param(_png_declaring(30000, 30000), id="png 900 MP: Pillow's error"),
        pytest.param(_png_declaring(10000, 10000), id="png 100 MP: Pillow's warning"),
        pytest.param(_jpeg_declaring(9000, 6000), id="jpeg 54 MP: our limit"),
        pytest.param(_jpeg_declaring(60000, 60000), id="jpeg 3600 MP: Pillow's error"),
    ],
)
@pytest.mark.parametrize("pillow_warning", ["error", "ignore"])
def test_decompression_bombs_are_refused_without_decoding(
    data: bytes, pillow_warning: Literal["error", "ignore"]
) -> None:
    started = time.perf_counter()
    with warnings.catch_warnings():
        # Whether Pillow's DecompressionBombWarning is an error depends on the configuration; both must work.
        warnings.simplefilter(pillow_warning, Image.DecompressionBombWarning)
        with pytest.raises(PhotoTooManyPixels) as raised:
            _process(data)

    assert time.perf_counter() - started < 2
    assert raised.value.status_code == 422
    assert "höchstens 50 Megapixel" in raised.value.message


def test_jpeg_with_a_thousand_scans_is_refused_before_decoding() -> None:
    # libjpeg would decode each repeated scan over the whole image: minutes for a large one.
    data = _encode(Image.new("RGB", (256, 256), "grey"), "JPEG", progressive=True)
    last_scan = data[data.rfind(b"\xff\xda") : -2]
    bomb = data[:-2] + last_scan * 1000 + b"\xff\xd9"

    started = time.perf_counter()
    with pytest.raises(PhotoUnreadable) as raised:
        _process(bomb)

    assert time.perf_counter() - started < 2
    assert raised.value.details["scans"] > 1000


def test_our_own_progressive_output_is_accepted_again() -> None:
    first = _process(_photo("DSCN0010.jpg"))

    second = _process(first.display)

    assert (second.width, second.height) == (first.width, first.height)


def test_pixel_limit_counts_width_times_height() -> None:
    data = _photo("DSCN0010.jpg")  # 640 × 480 = 307 200 pixels

    assert _process(data, max_pixels=640 * 480).width == 640
    with pytest.raises(PhotoTooManyPixels) as raised:
        _process(data, max_pixels=640 * 480 - 1)

    assert raised.value.details == {"max_pixels": 640 * 480 - 1, "width": 640, "height": 480}


@pytest.mark.parametrize(
    "limits",
    [
        {"max_bytes": 0},
        {"max_pixels": -1},
        {"display_max_px": 0},
        {"thumbnail_max_px": 0},
        {"jpeg_quality": 0},
        {"jpeg_quality": 101},
        {"max_pixels": 10**12},  # beyond Pillow's own bomb limit, which would refuse what we allow
    ],
)
def test_nonsensical_limits_are_refused_at_once(limits: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="PhotoLimits"):
        PhotoLimits(**limits)


# --- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "code", "german"),
    [
        (
            UnsupportedPhotoType(),
            415,
            "unsupported_photo_type",
            "Dieses Dateiformat wird nicht unterstützt. Bitte laden Sie ein Foto als JPEG, PNG, WebP oder HEIC hoch.",
        ),
        (PhotoTooLarge(limit=15), 413, "photo_too_large", "Das Foto ist zu groß. Erlaubt sind höchstens 15 MB"),
        (
            PhotoTooManyPixels(limit=50),
            422,
            "photo_too_many_pixels",
            "Das Foto hat zu viele Bildpunkte. Erlaubt sind höchstens 50 Megapixel",
        ),
        (PhotoUnreadable(), 422, "photo_unreadable", "Das Foto ist beschädigt oder unvollständig"),
    ],
)
def test_errors_carry_status_code_and_a_german_message(
    error: ApplicationError, status: int, code: str, german: str
) -> None:
    with translation.override("de"):
        body = error.as_dict()

    assert isinstance(error, ApplicationError)
    assert error.status_code == status
    assert body["code"] == code
    assert body["message"].startswith(german)


# --- hostile bytes ---------------------------------------------------------------------------------------

MAGIC_NUMBERS = [
    b"\xff\xd8\xff",
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01",
    b"\xff\xd8\xff\xe1\x00\x40Exif\x00\x00MM\x00*",
    b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"RIFF\x00\x01\x00\x00WEBPVP8 ",
    b"RIFF\x00\x01\x00\x00WEBPVP8L",
    b"RIFF\x00\x01\x00\x00WEBPVP8X",
    b"GIF89a",
    b"\x00\x00\x00\x18ftypheic",
    b"\x00\x00\x00\x1cftypmif1",
]

SEED_FILES = [
    _photo("exiftool_GPS.jpg"),
    _encode(Image.new("RGB", (48, 32), "red"), "JPEG", exif=_gps_exif().tobytes(), progressive=True),
    _encode(Image.new("RGBA", (48, 32), (0, 0, 255, 128)), "PNG", exif=_gps_exif().tobytes()),
    _encode(Image.new("RGB", (48, 32), "green"), "WEBP", exif=_gps_exif().tobytes()),
    _encode(Image.new("RGB", (48, 32), "blue"), "HEIF", exif=_gps_exif().tobytes()),
]


def _assert_accepted_or_refused_as_client_error(data: bytes) -> None:
    try:
        outcome: ProcessedPhoto | ApplicationError = process_photo(
            BytesIO(data), limits=PhotoLimits(display_max_px=128, thumbnail_max_px=32)
        )
    except ApplicationError as error:
        outcome = error
    if isinstance(outcome, ApplicationError):
        assert 400 <= outcome.status_code < 500, outcome
    else:
        _assert_no_metadata(outcome.display)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the damaged EXIF it skips
@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096) | st.builds(bytes.__add__, st.sampled_from(MAGIC_NUMBERS), st.binary(max_size=4096)))
def test_arbitrary_bytes_are_a_client_error_at_worst(data: bytes) -> None:
    _assert_accepted_or_refused_as_client_error(data)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the damaged EXIF it skips
@settings(max_examples=200, deadline=None)
@given(
    seed=st.sampled_from(SEED_FILES),
    cut=st.none() | st.floats(min_value=0, max_value=1),
    edits=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1), st.binary(max_size=8), st.integers(0, 8)), max_size=6
    ),
)
def test_damaged_real_images_are_a_client_error_at_worst(
    seed: bytes, cut: float | None, edits: list[tuple[float, bytes, int]]
) -> None:
    data = bytearray(seed if cut is None else seed[: int(len(seed) * cut)])
    for where, insert, remove in edits:
        pos = int(len(data) * where)
        data[pos : pos + remove] = insert

    _assert_accepted_or_refused_as_client_error(bytes(data))


# --- purity ----------------------------------------------------------------------------------------------


def test_photo_processing_does_not_import_the_orm() -> None:
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings';"
        "import reports.photos;"
        "bad = sorted(m for m in sys.modules if m.startswith(('django.db', 'rest_framework')));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
