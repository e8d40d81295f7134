"""The HTTP side of a tile shared by the Django view and the WSGI fast path: ETag and caching headers."""

from __future__ import annotations

import hashlib
from typing import Final

from tiles.conf import TileSettings

MVT_CONTENT_TYPE: Final = "application/vnd.mapbox-vector-tile"


def tile_etag(layer: str, z: int, x: int, y: int, version: int, conf: TileSettings) -> str:
    """Return the strong ETag of a tile built from the layer's data version under these settings."""
    # The settings shape the bytes too, so a changed budget or cluster zoom never matches an old tag.
    text = f"{layer}/{z}/{x}/{y}@{version}/{conf!r}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def cache_key(etag: str) -> str:
    """Return the key of a tile's bytes in Django's cache."""
    return f"bk-tiles:{etag}"


def caching_headers(etag: str, conf: TileSettings) -> dict[str, str]:
    """Return the ETag and Cache-Control headers of a tile (200 and 304 alike)."""
    return {"ETag": etag, "Cache-Control": f"public, max-age={conf.MAX_AGE}, must-revalidate"}
