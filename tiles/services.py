"""Writes of the tiles app: pruning the disk cache of the basemap proxy."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from tiles.proxy import cache_dir

_ORPHAN_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What a prune removed and what stays."""

    removed_files: int
    removed_bytes: int
    kept_files: int
    kept_bytes: int


def basemap_cache_prune(*, older_than_seconds: float, max_bytes: int | None = None) -> PruneResult:
    """Delete cached basemap tiles older than the limit, then the oldest until the cache fits `max_bytes`."""
    root = cache_dir()
    now = time.time()
    entries: list[tuple[float, int, Path]] = []
    removed_files = removed_bytes = 0
    for path in root.rglob("*") if root.is_dir() else ():
        if not path.is_file():
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        # The proxy writes a temporary file beside the tile and renames it; one left for an hour was orphaned.
        limit = _ORPHAN_SECONDS if path.name.startswith(".tmp-") else older_than_seconds
        if now - stat.st_mtime > limit:
            path.unlink(missing_ok=True)
            removed_files += 1
            removed_bytes += stat.st_size
        else:
            entries.append((stat.st_mtime, stat.st_size, path))
    kept_bytes = sum(size for _mtime, size, _path in entries)
    if max_bytes is not None:
        entries.sort()
        while entries and kept_bytes > max_bytes:
            _mtime, size, path = entries.pop(0)
            path.unlink(missing_ok=True)
            removed_files += 1
            removed_bytes += size
            kept_bytes -= size
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True) if root.is_dir() else ():
        try:
            directory.rmdir()
        except OSError:
            # Not empty, or the proxy is writing into it right now: it stays.
            continue
    return PruneResult(removed_files, removed_bytes, len(entries), kept_bytes)
