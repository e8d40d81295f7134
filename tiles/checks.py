"""System checks of the tile settings (BK_TILES) and the upstream addresses of external layers (BK_LAYERS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from layers.registry import EXTERNAL_LAYERS, external_layer
from tiles import proxy
from tiles.conf import TileSettings
from tiles.vector import MAX_ZOOM

_POSITIVE = ("CLUSTER_CELLS", "MAX_FEATURES", "MAX_BYTES", "EXTENT", "CACHE_TIMEOUT")
_NOT_NEGATIVE = ("BUFFER", "MAX_AGE", "MEMORY_CACHE_BYTES", "BASEMAP_MAX_AGE", "BASEMAP_MAX_BYTES")


def _tile_errors(configured: dict[str, Any]) -> list[CheckMessage]:
    known = {field.name for field in fields(TileSettings)} | set(proxy.DEFAULTS)
    errors: list[CheckMessage] = [
        Error(f"BK_TILES has an unknown key {key!r}.", hint=f"Known keys: {', '.join(sorted(known))}.", id="bk.E101")
        for key in sorted(set(configured) - known)
    ]
    for key in _POSITIVE + _NOT_NEGATIVE:
        value = configured.get(key)
        if value is None:
            continue
        floor = 1 if key in _POSITIVE else 0
        if not isinstance(value, int) or isinstance(value, bool) or value < floor:
            errors.append(Error(f"BK_TILES[{key!r}] must be an integer of at least {floor}.", id="bk.E102"))
    extent, buffer = configured.get("EXTENT"), configured.get("BUFFER")
    if isinstance(extent, int) and isinstance(buffer, int) and buffer >= extent:
        errors.append(Error("BK_TILES['BUFFER'] must be smaller than BK_TILES['EXTENT'].", id="bk.E103"))
    cluster_zoom = configured.get("CLUSTER_BELOW_ZOOM")
    if cluster_zoom is not None and (not isinstance(cluster_zoom, int) or not 0 <= cluster_zoom <= MAX_ZOOM + 1):
        errors.append(Error(f"BK_TILES['CLUSTER_BELOW_ZOOM'] must be 0 to {MAX_ZOOM + 1}.", id="bk.E104"))
    alias = configured.get("CACHE_ALIAS")
    if alias is not None and alias not in settings.CACHES:
        errors.append(Error(f"BK_TILES['CACHE_ALIAS'] names no cache of CACHES: {alias!r}.", id="bk.E105"))
    fast_path = configured.get("FAST_PATH")
    if fast_path is not None and not isinstance(fast_path, bool):
        errors.append(Error("BK_TILES['FAST_PATH'] must be True or False.", id="bk.E106"))
    return errors


def _layer_errors(configured: dict[str, Any]) -> list[CheckMessage]:
    by_setting = {layer.setting: layer for layer in EXTERNAL_LAYERS}
    errors: list[CheckMessage] = []
    for key, url in sorted(configured.items()):
        layer = by_setting.get(key)
        if layer is None:
            hint = f"Known keys: {', '.join(sorted(by_setting))}."
            errors.append(Error(f"BK_LAYERS has an unknown key {key!r}.", hint=hint, id="bk.E111"))
            continue
        if not url:
            continue
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            errors.append(Error(f"BK_LAYERS[{key!r}] must be an http(s) address, not {url!r}.", id="bk.E112"))
        elif layer.service == "WMTS" and not all(part in str(url) for part in ("{z}", "{x}", "{y}")):
            errors.append(Error(f"BK_LAYERS[{key!r}] must hold {{z}}, {{x}} and {{y}}: {url!r}.", id="bk.E113"))
    return errors


@register(Tags.compatibility)
def check_tile_settings(*, app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Sequence[CheckMessage]:
    """Check BK_TILES and BK_LAYERS: known keys, sensible numbers, usable upstream addresses."""
    tiles = getattr(settings, "BK_TILES", {}) or {}
    layers = getattr(settings, "BK_LAYERS", {}) or {}
    errors: list[CheckMessage] = []
    for name, value in (("BK_TILES", tiles), ("BK_LAYERS", layers)):
        if not isinstance(value, dict):
            errors.append(Error(f"{name} must be a dict.", id="bk.E100"))
    if isinstance(tiles, dict):
        errors += _tile_errors(tiles)
    if isinstance(layers, dict):
        errors += _layer_errors(layers)
    basemap = getattr(settings, "BK_MAP_BASEMAP", "")
    if basemap and external_layer(basemap) is None:
        known = ", ".join(layer.key for layer in EXTERNAL_LAYERS)
        message = f"BK_MAP_BASEMAP names no external layer: {basemap!r}."
        errors.append(Error(message, hint=f"Known: {known}.", id="bk.E114"))
    return errors
