"""System checks of the tile settings, and pruning the basemap proxy's disk cache."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tiles.checks import check_tile_settings


def ids(**overrides: Any) -> set[str]:
    with override_settings(**overrides):
        return {message.id or "" for message in check_tile_settings(app_configs=None)}


def test_the_default_settings_pass() -> None:
    assert ids() == set()


@pytest.mark.parametrize(
    ("tiles", "expected"),
    [
        ({"MAX_FEATURE": 10}, "bk.E101"),
        ({"MAX_FEATURES": 0}, "bk.E102"),
        ({"MEMORY_CACHE_BYTES": -1}, "bk.E102"),
        ({"EXTENT": "4096"}, "bk.E102"),
        ({"EXTENT": 256, "BUFFER": 256}, "bk.E103"),
        ({"CLUSTER_BELOW_ZOOM": 30}, "bk.E104"),
        ({"CACHE_ALIAS": "redis"}, "bk.E105"),
        ({"FAST_PATH": "yes"}, "bk.E106"),
    ],
)
def test_bad_tile_settings_are_named(tiles: dict[str, Any], expected: str) -> None:
    assert expected in ids(BK_TILES=tiles)


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ({"basemap_url": "https://example.org/{z}/{x}/{y}.png"}, "bk.E111"),
        ({"basemap_de_url": "ftp://example.org/{z}/{x}/{y}.png"}, "bk.E112"),
        ({"basemap_de_url": "https://example.org/tiles.png"}, "bk.E113"),
    ],
)
def test_bad_upstream_addresses_are_named(layers: dict[str, str], expected: str) -> None:
    assert expected in ids(BK_LAYERS=layers)


def test_the_maps_basemap_must_be_an_external_layer() -> None:
    assert "bk.E114" in ids(BK_MAP_BASEMAP="osm")
    assert ids(BK_MAP_BASEMAP="nrw-dtk") == set()
    assert ids(BK_MAP_BASEMAP="") == set()


def test_a_good_upstream_passes() -> None:
    assert ids(BK_LAYERS={"basemap_de_url": "http://127.0.0.1:9000/{z}/{x}/{y}.png", "nrw_dop_url": ""}) == set()


def _tile(root: Path, name: str, size: int, age_days: float) -> Path:
    path = root / "basemap-de" / "12" / "2130" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * (size - 8))
    stamp = time.time() - age_days * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_prune_deletes_old_tiles_then_the_oldest_beyond_the_size(tmp_path: Path) -> None:
    old = _tile(tmp_path, "1.png", 1000, 40)
    older_fresh = _tile(tmp_path, "2.png", 600_000, 3)
    newest = _tile(tmp_path, "3.png", 600_000, 1)
    orphan = _tile(tmp_path, ".tmp-abc.png", 100, 0.5)
    out = StringIO()
    with override_settings(BK_TILES={"BASEMAP_CACHE_DIR": str(tmp_path)}):
        call_command("prune_basemap_cache", "--days", "30", "--max-mb", "1", stdout=out)
    assert not old.exists()
    assert not older_fresh.exists()
    assert newest.exists()
    assert not orphan.exists()
    assert "Removed 3 tiles" in out.getvalue()
    assert "1 tiles (0.6 MB) remain" in out.getvalue()


def test_prune_keeps_fresh_tiles_and_their_directories(tmp_path: Path) -> None:
    fresh = _tile(tmp_path, "1.png", 1000, 1)
    with override_settings(BK_TILES={"BASEMAP_CACHE_DIR": str(tmp_path)}):
        call_command("prune_basemap_cache", stdout=StringIO())
    assert fresh.exists()
