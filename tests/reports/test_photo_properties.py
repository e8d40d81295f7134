"""Properties of the photo reader on generated images: every readable image becomes a clean JPEG.

test_photos.py fuzzes the reader with arbitrary and damaged bytes; here the inputs are real
images of any size, mode and format a phone or an editor writes, carrying EXIF, ICC, XMP and
comments, and the headers of images declaring sizes up to 2^31 pixels a side.
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from config.errors import ApplicationError
from reports.photos import PhotoLimits, PhotoTooManyPixels, process_photo

# Bounded and derandomised: the same examples on every run, so that CI is never red by chance.
PROPERTY = settings(
    max_examples=60, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)
LIMITS = PhotoLimits(max_pixels=4_000_000, display_max_px=256, thumbnail_max_px=64)
_SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

# Modes each format can write, as phones, scanners and editors produce them.
_MODES = {
    "JPEG": ["RGB", "L", "CMYK"],
    "PNG": ["RGB", "RGBA", "L", "LA", "P", "1", "I;16"],
    "WEBP": ["RGB", "RGBA"],
    "HEIF": ["RGB", "RGBA"],
}


@st.composite
def _image(draw: st.DrawFn) -> tuple[bytes, tuple[int, int], str]:
    """Return an encoded image with metadata, its size and format."""
    fmt = draw(st.sampled_from(sorted(_MODES)))
    mode = draw(st.sampled_from(_MODES[fmt]))
    size = (draw(st.integers(1, 700)), draw(st.integers(1, 700)))
    colour = draw(st.integers(0, 255))
    image = Image.new("RGB", size, (colour, 255 - colour, colour // 2)).convert(mode)
    exif = Image.Exif()
    exif[0x010F] = "Hersteller"  # Make
    exif[0x0131] = "Kamera-Software 1.0"  # Software
    exif[0x0112] = draw(st.integers(1, 8))  # Orientation
    options: dict[str, object] = {"exif": exif.tobytes()}
    if draw(st.booleans()) and mode in ("RGB", "RGBA"):
        options["icc_profile"] = _SRGB_ICC
    if fmt == "JPEG":
        options.update(quality=draw(st.integers(30, 95)), progressive=draw(st.booleans()), comment=b"Seriennummer 123")
    if fmt == "PNG" and draw(st.booleans()):
        options["pnginfo"] = _png_text()
    buffer = BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue(), size, fmt


def _png_text() -> object:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "Wohnort: Musterstraße 1")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
    return info


@PROPERTY
@given(_image())
def test_every_readable_image_becomes_a_metadata_free_jpeg_within_the_limits(
    generated: tuple[bytes, tuple[int, int], str],
) -> None:
    data, (width, height), fmt = generated
    photo = process_photo(BytesIO(data), limits=LIMITS)
    for jpeg, longest in ((photo.display, LIMITS.display_max_px), (photo.thumbnail, LIMITS.thumbnail_max_px)):
        output = Image.open(BytesIO(jpeg))
        assert output.format == "JPEG"
        assert output.mode == "RGB"
        assert max(output.size) <= longest
        assert not output.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(output.info)
        for leak in (b"Exif\x00\x00", b"Hersteller", b"Seriennummer", b"Musterstra", b"xmpmeta"):
            assert leak not in jpeg
    # Upright and never enlarged: the longer side stays the longer side, whatever the orientation tag said.
    assert max(photo.width, photo.height) <= max(width, height, 1)
    assert photo.source_format == ("HEIF" if fmt == "HEIF" else fmt)


def _png_header(width: int, height: int) -> bytes:
    """Return a PNG that declares a size in its header and has one row of pixel data at most."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(1 + 3 * min(width, 4096)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@PROPERTY
@given(width=st.integers(0, 2**31 - 1), height=st.integers(0, 2**31 - 1))
def test_a_declared_size_beyond_the_limit_is_refused_before_decoding(width: int, height: int) -> None:
    refused: ApplicationError | None = None
    try:
        process_photo(BytesIO(_png_header(width, height)), limits=LIMITS)
    except ApplicationError as error:
        refused = error
    if isinstance(refused, PhotoTooManyPixels):
        assert width * height > LIMITS.max_pixels
    elif refused is not None:
        # Anything else is a client error too: no pixels, or a body much shorter than its header says.
        assert 400 <= refused.status_code < 500
    else:
        assert 0 < width * height <= LIMITS.max_pixels
