"""Settings of the vector tiles: settings.BK_TILES overrides the defaults here, key by key."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings


@dataclass(frozen=True, slots=True)
class TileSettings:
    """What a tile may hold and how long it is kept.

    Production sets a shared cache (CACHES["default"], e.g. Redis); the default LocMemCache holds
    tiles per process only, which is still correct because every key carries the data version.
    """

    # Point layers are drawn as clusters with counts below this zoom.
    CLUSTER_BELOW_ZOOM: int = 13
    # Cluster cells per tile width: 16 cells of 256 px tiles are 16 px each.
    CLUSTER_CELLS: int = 16
    MAX_FEATURES: int = 5000
    MAX_BYTES: int = 500_000
    EXTENT: int = 4096
    BUFFER: int = 64
    MAX_AGE: int = 60
    CACHE_ALIAS: str = "default"
    # Keys carry the data version, so an old entry is never served; the timeout only frees memory.
    CACHE_TIMEOUT: int = 24 * 3600
    # The WSGI front of tiles.server (config/wsgi.py): tiles and 304s without Django's request cycle.
    FAST_PATH: bool = True
    # Each server process keeps the most recently served tiles in memory, up to this many bytes (0: none).
    MEMORY_CACHE_BYTES: int = 64 * 1024 * 1024


def tile_settings() -> TileSettings:
    """Return the tile settings, read on each call so that tests may override them."""
    configured: dict[str, Any] = dict(getattr(settings, "BK_TILES", {}) or {})
    known = {field.name for field in fields(TileSettings)}
    return TileSettings(**{name: value for name, value in configured.items() if name in known})
