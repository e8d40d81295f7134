"""Turn a citizen's photo upload into metadata-free JPEGs for display and thumbnail, without a database.

The upload is untrusted: its type is decided by its content alone, its size and pixel count are bounded
before anything is decoded, and the JPEGs written carry no EXIF, ICC, XMP or comment, so neither the
camera's serial number nor the place where the citizen lives leaks into a public photo. The GPS position is
read from the original first, because it can suggest where the defect is.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from io import BytesIO
from typing import Any, BinaryIO, Final, Literal

import pillow_heif
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, JpegImagePlugin, UnidentifiedImageError
from PIL.TiffImagePlugin import IFDRational

from config.errors import ApplicationError, ValidationFailed

# iPhones store HEIC by default; Pillow reads it only through this plugin. Registering twice is harmless.
pillow_heif.register_heif_opener()

SourceFormat = Literal["JPEG", "PNG", "WEBP", "HEIF"]

# Pillow's format names; MPO is the multi-picture JPEG some phones write, read by the JPEG plugin.
_ALLOWED_FORMATS: Final = ("JPEG", "PNG", "WEBP", "HEIF")
_SOURCE_FORMATS: Final[Mapping[str, SourceFormat]] = {
    "JPEG": "JPEG",
    "MPO": "JPEG",
    "PNG": "PNG",
    "WEBP": "WEBP",
    "HEIF": "HEIF",
}

# Pillow answers hostile bytes with whatever its parsers trip over, from OSError and struct.error to
# IndexError and even AssertionError; for an upload each of them means the same: the file cannot be read.
# MemoryError stays out on purpose: it is the server's problem, not the citizen's.
_PARSE_ERRORS: Final = (
    ArithmeticError,
    AssertionError,
    AttributeError,
    EOFError,
    LookupError,
    OSError,
    RuntimeError,
    SyntaxError,
    TypeError,
    ValueError,
    struct.error,
)

_MIB: Final = 1024 * 1024
# libjpeg decodes each scan of a progressive JPEG over the whole image, so a small file repeating near-empty
# scans a thousand times costs minutes. Encoders write about ten; metadata adds a few false counts at most.
_MAX_JPEG_SCANS: Final = 100
_MEGAPIXEL: Final = 1_000_000
# Pillow first reduces by a whole factor while staying this many times above the target, then resamples;
# its documentation finds a gap of 3 indistinguishable from one pass, and it is much faster on large photos.
_REDUCING_GAP: Final = 3.0
_SRGB: Final = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# A missing datum means WGS84: phones write it or nothing. Any other datum would shift the place.
_WGS84_DATUMS: Final = frozenset({"", "WGS84", "WGS1984"})


def _format_number(value: float) -> str:
    """Return the number formatted for the active language."""
    return number_format(value)


# Formatted when the message is rendered, so the decimal separator follows the answer's language.
_localized_number = lazy(_format_number, str)


class UnsupportedPhotoType(ApplicationError):
    """The upload is not a JPEG, PNG, WebP or HEIC image."""

    status_code = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_photo_type"
    default_message = _(
        "Dieses Dateiformat wird nicht unterstützt. Bitte laden Sie ein Foto als JPEG, PNG, WebP oder HEIC hoch."
    )


class PhotoTooLarge(ApplicationError):
    """The upload has more bytes than allowed."""

    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "photo_too_large"
    default_message = _(
        "Das Foto ist zu groß. Erlaubt sind höchstens %(limit)s MB; "
        "bitte verkleinern Sie es oder wählen Sie ein anderes Foto."
    )


class PhotoTooManyPixels(ValidationFailed):
    """The image declares more pixels than allowed, so it is not decoded at all."""

    code = "photo_too_many_pixels"
    default_message = _(
        "Das Foto hat zu viele Bildpunkte. Erlaubt sind höchstens %(limit)s Megapixel; "
        "bitte verkleinern Sie es und laden Sie es erneut hoch."
    )


class PhotoUnreadable(ValidationFailed):
    """The image is truncated or corrupt."""

    code = "photo_unreadable"
    default_message = _(
        "Das Foto ist beschädigt oder unvollständig und kann nicht gelesen werden. Bitte laden Sie es noch einmal hoch."
    )


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    """Bound what one upload may cost, and set the sizes it is turned into."""

    max_bytes: int = 15 * _MIB
    max_pixels: int = 50_000_000
    display_max_px: int = 2048
    thumbnail_max_px: int = 400
    jpeg_quality: int = 85

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "display_max_px", "thumbnail_max_px"):
            if getattr(self, name) < 1:
                raise ValueError(f"PhotoLimits.{name} must be positive.")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError("PhotoLimits.jpeg_quality must lie between 1 and 100.")
        # Pillow warns about, and above twice the value refuses, images bigger than its own limit; a larger
        # limit here would reject photos it claims to allow.
        if Image.MAX_IMAGE_PIXELS is not None and self.max_pixels > Image.MAX_IMAGE_PIXELS:
            raise ValueError(
                f"PhotoLimits.max_pixels ({self.max_pixels}) exceeds PIL.Image.MAX_IMAGE_PIXELS "
                f"({Image.MAX_IMAGE_PIXELS}); raise that first."
            )


DEFAULT_LIMITS: Final = PhotoLimits()


@dataclass(frozen=True, slots=True)
class GpsPosition:
    """A position in WGS84 longitude and latitude, in decimal degrees."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """A photo ready to store: display and thumbnail JPEGs without metadata, and what was learnt on the way."""

    display: bytes
    thumbnail: bytes
    width: int
    height: int
    thumbnail_width: int
    thumbnail_height: int
    sha256: str
    source_format: SourceFormat
    gps: GpsPosition | None


def process_photo(stream: BinaryIO, *, limits: PhotoLimits = DEFAULT_LIMITS) -> ProcessedPhoto:
    """Check an uploaded photo and return it upright, in sRGB and stripped of metadata, as display and thumbnail."""
    data = _read_at_most(stream, limits.max_bytes)
    if not data:
        raise UnsupportedPhotoType
    with _open(data, limits) as image:
        source_format = _SOURCE_FORMATS.get(image.format or "")
        if source_format is None:
            raise UnsupportedPhotoType
        _check_pixels(image, limits)
        if source_format == "JPEG":
            _check_scans(data)
        _decode(image, limits)
        gps = read_gps(_exif(image))
        icc_profile = image.info.get("icc_profile")
        _apply_orientation(image)
        # Every step may hand back the opened image itself, which closing would spoil: finish inside.
        working = _fit(_normalise_mode(image), limits.display_max_px)
        display = _to_srgb(_flatten(working), icc_profile if isinstance(icc_profile, bytes) else None)
        thumbnail = _fit(display, limits.thumbnail_max_px)
        display_jpeg = _encode_jpeg(display, limits.jpeg_quality)
        thumbnail_jpeg = _encode_jpeg(thumbnail, limits.jpeg_quality)
    return ProcessedPhoto(
        display=display_jpeg,
        thumbnail=thumbnail_jpeg,
        width=display.width,
        height=display.height,
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
        sha256=hashlib.sha256(display_jpeg).hexdigest(),
        source_format=source_format,
        gps=gps,
    )


def read_gps(exif: Image.Exif) -> GpsPosition | None:
    """Return the position in the EXIF GPS IFD, or None if it is missing, incomplete or implausible."""
    try:
        gps = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except _PARSE_ERRORS:
        return None
    if not _is_wgs84(gps.get(ExifTags.GPS.GPSMapDatum)):
        return None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90.0)
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180.0)
    if lat is None or lon is None:
        return None
    return GpsPosition(lon=lon, lat=lat)


def _read_at_most(stream: BinaryIO, max_bytes: int) -> bytes:
    """Return the stream's bytes, reading one more than allowed at most to tell that there are too many."""
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        # A raw stream may return fewer bytes than asked for; only an empty read means the end.
        chunk = stream.read(min(remaining, _MIB))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if remaining <= 0:
        raise PhotoTooLarge(details={"max_bytes": max_bytes}, limit=_localized_number(_rounded(max_bytes / _MIB)))
    return b"".join(chunks)


def _open(data: bytes, limits: PhotoLimits) -> ImageFile.ImageFile:
    """Identify the image by its content among the allowed formats, reading its header only."""
    try:
        return Image.open(BytesIO(data), formats=_ALLOWED_FORMATS)
    except UnidentifiedImageError as error:
        raise UnsupportedPhotoType from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # The warning arrives as an exception only where warnings are errors; otherwise _check_pixels decides.
        raise _too_many_pixels(limits) from error
    except _PARSE_ERRORS as error:
        raise PhotoUnreadable from error


def _check_pixels(image: Image.Image, limits: PhotoLimits) -> None:
    """Refuse an image whose header declares no pixels or more than allowed, before it is decoded."""
    width, height = image.size
    if width < 1 or height < 1:
        raise PhotoUnreadable
    if width * height > limits.max_pixels:
        raise _too_many_pixels(limits, width=width, height=height)


def _check_scans(data: bytes) -> None:
    """Refuse a JPEG with more scans than any encoder writes, before libjpeg spends minutes on them."""
    # Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, never by SOS.
    scans = data.count(b"\xff\xda")
    if scans > _MAX_JPEG_SCANS:
        raise PhotoUnreadable(details={"scans": scans, "max_scans": _MAX_JPEG_SCANS})


def _too_many_pixels(limits: PhotoLimits, **size: int) -> PhotoTooManyPixels:
    """Return the error for too many pixels, naming the limit in megapixels."""
    details: dict[str, Any] = {"max_pixels": limits.max_pixels, **size}
    return PhotoTooManyPixels(details=details, limit=_localized_number(_rounded(limits.max_pixels / _MEGAPIXEL)))


def _rounded(value: float) -> float | int:
    """Return the value with three significant digits, as an integer if it is whole."""
    rounded = float(f"{value:.3g}")
    return int(rounded) if rounded.is_integer() else rounded


def _decode(image: ImageFile.ImageFile, limits: PhotoLimits) -> None:
    """Decode the pixels, letting libjpeg scale a large JPEG down while it decodes."""
    target = _fitted_size(image.size, limits.display_max_px)
    if isinstance(image, JpegImagePlugin.JpegImageFile) and target != image.size:
        # libjpeg scales by 1/2, 1/4 or 1/8 but never below the target, so LANCZOS still takes the last step.
        image.draft(None, target)
    try:
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(limits) from error
    except _PARSE_ERRORS as error:
        raise PhotoUnreadable from error


def _exif(image: Image.Image) -> Image.Exif:
    """Return the image's EXIF, or an empty one if it cannot be parsed."""
    try:
        return image.getexif()
    except _PARSE_ERRORS:
        return Image.Exif()


def _apply_orientation(image: Image.Image) -> None:
    """Turn the pixels upright as the EXIF orientation says."""
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except _PARSE_ERRORS:
        # Pillow turns the pixels before it writes the changed EXIF back into image.info; a tag it cannot
        # write back does not matter, because the output carries no metadata at all.
        return


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Return the image in L, LA, RGB, RGBA or CMYK, the modes the colour conversion understands."""
    mode = image.mode
    transparent = "transparency" in image.info
    if mode in ("LA", "RGBA", "CMYK") or (mode in ("L", "RGB") and not transparent):
        return image
    if mode == "I" or mode.startswith("I;16"):
        # 16-bit greyscale PNG: a plain conversion to L would clip everything above 255 to white.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if mode in ("1", "L"):
        return image.convert("LA" if transparent else "L")
    has_alpha = transparent or any(band in ("A", "a") for band in image.getbands())
    return image.convert("RGBA" if has_alpha else "RGB")


def _fitted_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """Return the size scaled so that its longest side is at most `longest`, never enlarged."""
    width, height = size
    if max(width, height) <= longest:
        return size
    if width >= height:
        return longest, max(1, round(height * longest / width))
    return max(1, round(width * longest / height)), longest


def _fit(image: Image.Image, longest: int) -> Image.Image:
    """Return the image shrunk with LANCZOS so that its longest side is at most `longest`."""
    size = _fitted_size(image.size, longest)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)


def _flatten(image: Image.Image) -> Image.Image:
    """Return the image without alpha, laid onto white as a browser would show a transparent photo."""
    if image.mode not in ("LA", "RGBA"):
        return image
    background = Image.new(image.mode[:-1], image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Return the image as RGB in sRGB, converting through its ICC profile when it has a usable one."""
    if icc_profile:
        converted = _convert_with_profile(image, icc_profile)
        if converted is not None:
            return converted
    return image if image.mode == "RGB" else image.convert("RGB")


def _convert_with_profile(image: Image.Image, icc_profile: bytes) -> Image.Image | None:
    """Return the image converted from its profile to sRGB, or None if the profile is broken or does not fit."""
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc_profile))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, *_PARSE_ERRORS):
        # A broken profile, or a grey one on colour pixels, must not cost the citizen the photo.
        return None


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    """Return the image as a progressive JPEG that carries no metadata at all."""
    # Pillow writes a comment from image.info unless told otherwise, and may take more from there in future.
    image.info = {}
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True, exif=b"", comment=b"")
    return buffer.getvalue()


def _degrees(value: object, ref: object, positive: str, negative: str, limit: float) -> float | None:
    """Return degrees, minutes and seconds with their reference as signed decimal degrees, or None."""
    if not isinstance(value, tuple | list) or len(value) != 3:
        return None
    parts = [_rational(part) for part in value]
    degrees, minutes, seconds = parts
    if degrees is None or minutes is None or seconds is None or minutes >= 60 or seconds >= 60:
        return None
    decimal = degrees + minutes / 60 + seconds / 3600
    if decimal > limit:
        return None
    direction = _normalised_text(ref)
    if direction == positive:
        return decimal
    if direction == negative:
        return -decimal
    return None


def _rational(value: object) -> float | None:
    """Return an EXIF rational as a finite, non-negative float, or None."""
    if not isinstance(value, int | float | IFDRational) or isinstance(value, bool):
        return None
    number = float(value)  # Pillow reads a zero denominator as NaN
    if not math.isfinite(number) or number < 0:
        return None
    return number


def _is_wgs84(datum: object) -> bool:
    """Return whether a GPSMapDatum value names WGS84, or is missing."""
    return _normalised_text(datum).replace("-", "").replace(" ", "") in _WGS84_DATUMS


def _normalised_text(value: object) -> str:
    """Return an EXIF ASCII value upper-cased, without padding and the NUL terminator."""
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    if not isinstance(value, str):
        return ""
    return value.strip("\x00 ").upper()
