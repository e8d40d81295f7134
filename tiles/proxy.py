"""Fetch and cache tiles of the external basemaps, so that a citizen's browser only ever talks to us.

The upstream is asked with our own User-Agent and nothing of the citizen's request: no cookies,
no forwarded address, no headers. What comes back is accepted only if it is an image of the
layer's format and of bounded size; it is kept on disk for a while and served from there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError, NotFound
from layers.registry import EXTERNAL_LAYERS, ExternalLayer

logger = logging.getLogger(__name__)

TILE_SIZE = 256
# Half the width of the EPSG:3857 world square, in metres.
WEB_MERCATOR_HALF = 20037508.342789244
USER_AGENT = "Beteiligungskarte-NRW-Kachelproxy/1.0 (+https://beteiligung.nrw.de)"

_CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}
# The first bytes of each format: a Content-Type header alone proves nothing about the body.
_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}

DEFAULTS: dict[str, Any] = {
    "BASEMAP_CACHE_DIR": None,
    "BASEMAP_MAX_AGE": 7 * 24 * 3600,
    "BASEMAP_TIMEOUT": (3.0, 10.0),
    "BASEMAP_MAX_BYTES": 2 * 1024 * 1024,
    "BASEMAP_HTTP_PROXY": None,
}


class UpstreamUnavailable(ApplicationError):
    """The external map service did not deliver a usable tile."""

    status_code = HTTPStatus.BAD_GATEWAY
    code = "upstream_unavailable"
    default_message = _("Die Hintergrundkarte ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.")


@dataclass(frozen=True, slots=True)
class Tile:
    """The bytes of one tile, their content type and ETag, and whether they are past their max age."""

    content: bytes
    content_type: str
    etag: str
    stale: bool = False


def _config(key: str) -> Any:
    configured = getattr(settings, "BK_TILES", {}) or {}
    value = configured.get(key)
    return DEFAULTS[key] if value is None else value


def cache_dir() -> Path:
    """Return the directory tiles are cached in: BK_TILES["BASEMAP_CACHE_DIR"], or var/tile-cache."""
    configured = _config("BASEMAP_CACHE_DIR")
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var" / "tile-cache"


def external_layer(name: str) -> ExternalLayer:
    """Return the external layer with this key, or raise NotFound."""
    for layer in EXTERNAL_LAYERS:
        if layer.key == name:
            return layer
    raise NotFound(_("Diese Hintergrundkarte gibt es nicht."))


def check_tile(layer: ExternalLayer, z: int, x: int, y: int, ext: str) -> None:
    """Raise NotFound unless the tile lies in the layer's zoom range and grid and ext is its format."""
    if not layer.minzoom <= z <= layer.maxzoom or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise NotFound(_("Diese Kachel gibt es nicht."))
    if ext != layer.image_format:
        raise NotFound(_("Diese Kachel gibt es in diesem Format nicht."))


def tile_bbox(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the EPSG:3857 bounds (minx, miny, maxx, maxy) of an XYZ tile."""
    size = 2 * WEB_MERCATOR_HALF / 2**z
    minx = -WEB_MERCATOR_HALF + x * size
    maxy = WEB_MERCATOR_HALF - y * size
    return minx, maxy - size, minx + size, maxy


def upstream_url(layer: ExternalLayer, z: int, x: int, y: int) -> str:
    """Return the URL to ask the layer's upstream for one tile: a filled template, or a WMS GetMap."""
    base = layer.url()
    if layer.service.upper() != "WMS":
        return base.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    ours = {
        "SERVICE": "WMS",
        "REQUEST": "GetMap",
        "VERSION": "1.3.0",
        "LAYERS": layer.upstream_layer,
        "STYLES": "",
        # EPSG:3857 is easting before northing in WMS 1.3.0 too, unlike EPSG:4326.
        "CRS": "EPSG:3857",
        "BBOX": ",".join(f"{value:.6f}" for value in tile_bbox(z, x, y)),
        "WIDTH": str(TILE_SIZE),
        "HEIGHT": str(TILE_SIZE),
        "FORMAT": _CONTENT_TYPES[layer.image_format],
        "TRANSPARENT": "TRUE" if layer.image_format == "png" else "FALSE",
    }
    parts = urlsplit(base)
    # A configured base URL may carry its own parameters (a key, a language); ours win over same-named ones.
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key.upper() not in ours]
    return urlunsplit(parts._replace(query=urlencode([*kept, *ours.items()])))


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _tile(content: bytes, image_format: str, *, stale: bool = False) -> Tile:
    return Tile(content=content, content_type=_CONTENT_TYPES[image_format], etag=_etag(content), stale=stale)


def _fail(layer: ExternalLayer, reason: str) -> UpstreamUnavailable:
    logger.warning("Basemap %s: upstream failed: %s", layer.key, reason)
    return UpstreamUnavailable(details={"layer": layer.key})


def fetch_upstream(layer: ExternalLayer, z: int, x: int, y: int) -> bytes:
    """Fetch one tile from the upstream and return its bytes, or raise UpstreamUnavailable."""
    max_bytes = int(_config("BASEMAP_MAX_BYTES"))
    connect, read = _config("BASEMAP_TIMEOUT")
    expected = _CONTENT_TYPES[layer.image_format]
    # A fresh session per fetch: no cookie jar survives, and trust_env=False keeps .netrc credentials out.
    with requests.Session() as session:
        session.trust_env = False
        proxy = _config("BASEMAP_HTTP_PROXY")
        if proxy:
            session.proxies = {"http": str(proxy), "https": str(proxy)}
        try:
            with session.get(
                upstream_url(layer, z, x, y),
                headers={"User-Agent": USER_AGENT, "Accept": expected},
                timeout=(float(connect), float(read)),
                stream=True,
                # The configured address is the upstream; a redirect elsewhere is not followed.
                allow_redirects=False,
            ) as response:
                if response.status_code != HTTPStatus.OK:
                    raise _fail(layer, f"status {response.status_code}")
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if content_type != expected:
                    raise _fail(layer, f"content type {content_type!r}")
                body = bytearray()
                for chunk in response.iter_content(chunk_size=65536):
                    body += chunk
                    # Stop reading as soon as the limit is passed, whatever Content-Length claimed.
                    if len(body) > max_bytes:
                        raise _fail(layer, f"more than {max_bytes} bytes")
        except requests.RequestException as exc:
            raise _fail(layer, type(exc).__name__) from exc
    if not body.startswith(_SIGNATURES[layer.image_format]):
        raise _fail(layer, "body is not a " + layer.image_format)
    return bytes(body)


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A reader sees the old tile or the new one, never half of one.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def basemap_tile(*, name: str, z: int, x: int, y: int, ext: str) -> Tile:
    """Return a basemap tile: from the cache while it is fresh, else from the upstream, else stale from the cache."""
    layer = external_layer(name)
    check_tile(layer, z, x, y, ext)
    # The name is a registry key and the rest are integers and the checked format: no path escapes the cache.
    path = cache_dir() / layer.key / str(z) / str(x) / f"{y}.{layer.image_format}"
    cached: bytes | None = None
    try:
        age = time.time() - path.stat().st_mtime
        cached = path.read_bytes()
    except FileNotFoundError:
        age = None
    if cached is not None and age is not None and age <= float(_config("BASEMAP_MAX_AGE")):
        return _tile(cached, layer.image_format)
    try:
        content = fetch_upstream(layer, z, x, y)
    except UpstreamUnavailable:
        if cached is None:
            raise
        logger.warning("Basemap %s: serving stale tile %s/%s/%s", layer.key, z, x, y)
        return _tile(cached, layer.image_format, stale=True)
    try:
        _write_atomically(path, content)
    except OSError:
        # A full or read-only disk costs the cache, not the citizen's map.
        logger.exception("Basemap %s: could not cache tile %s/%s/%s", layer.key, z, x, y)
    return _tile(content, layer.image_format)
