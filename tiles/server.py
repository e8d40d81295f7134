"""A WSGI front for vector tiles: serves tile requests without Django's request cycle.

Django's middleware, URL resolver and view cost more than a cached tile itself. This front
answers `GET /tiles/<layer>/<z>/<x>/<y>.mvt` directly: the ETag comes from the layer version
held in memory (tiles.versions), a matching If-None-Match answers 304, the bytes come from a
per-process memory cache, Django's cache, or PostGIS through the same `render_tile` the view
uses. Everything else goes to Django, and so does every tile request it cannot answer for sure:
while the versions are unknown (the watcher is not listening), for unknown layers or tiles
outside the grid (Django answers those errors), with a query string, or when anything fails.

The headers are Django's own: the first tile answer of each process goes through Django, and
the front repeats its response headers (security policy, nosniff and the like) on every tile
it answers, with its own ETag, Cache-Control, type and length.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Final

from django.core.cache import caches
from django.db import DatabaseError, close_old_connections

from config.http import etag_matches
from layers.registry import data_layer
from tiles.conf import TileSettings, tile_settings
from tiles.http import MVT_CONTENT_TYPE, cache_key, caching_headers, tile_etag
from tiles.vector import render_tile, valid_tile
from tiles.versions import VersionWatcher

_TILE_PATH: Final = re.compile(
    r"/tiles/(?P<layer>[a-z0-9-]{1,100})/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,8})/(?P<y>[0-9]{1,8})\.mvt"
)
# Headers the front sets per tile, or that belong to one response only; everything else is repeated.
_OWN_HEADERS: Final = frozenset(
    {"etag", "cache-control", "content-type", "content-length", "date", "server", "set-cookie"}
    | {"vary", "content-language"}  # tiles are bytes: they do not vary by the client's language
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class TileMemory:
    """A least-recently-used map from ETag to tile bytes, bounded in bytes, safe across threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        """Return the bytes under the ETag, if held."""
        with self._lock:
            body = self._entries.get(etag)
            if body is not None:
                self._entries.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        """Hold the bytes under the ETag, dropping the least recently used beyond the budget."""
        if len(body) > self.max_bytes or self.max_bytes <= 0:
            return
        with self._lock:
            previous = self._entries.pop(etag, None)
            if previous is not None:
                self._size -= len(previous)
            self._entries[etag] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _etag, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped)


class TileServer:
    """Wrap the Django WSGI application and answer vector tile requests in front of it."""

    def __init__(self, app: WSGIApp, *, watcher: VersionWatcher | None = None) -> None:
        self.app = app
        self.watcher = watcher or VersionWatcher()
        self.memory = TileMemory(tile_settings().MEMORY_CACHE_BYTES)
        self._learned: list[tuple[str, str]] | None = None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        match = _TILE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
            return self.app(environ, start_response)
        if self._learned is None:
            return self._through_django(environ, start_response)
        try:
            answer = self._answer(match, environ)
        except Exception:  # Django answers whatever went wrong, in its error shape
            answer = None
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(status, self._learned + headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _answer(self, match: re.Match[str], environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        layer = data_layer(match["layer"])
        z, x, y = int(match["z"]), int(match["x"]), int(match["y"])
        if layer is None or not valid_tile(z, x, y):
            return None
        version = self.watcher.version(layer.key)
        if version is None:
            return None
        conf = tile_settings()
        etag = tile_etag(layer.key, z, x, y, version, conf)
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            return "304 Not Modified", list(caching_headers(etag, conf).items()), b""
        body = self.memory.get(etag)
        if body is None:
            etag, body = self._bytes(layer.key, z, x, y, etag, conf)
        headers = [
            *caching_headers(etag, conf).items(),
            ("Content-Type", MVT_CONTENT_TYPE),
            ("Content-Length", str(len(body))),
        ]
        return "200 OK", headers, body

    def _bytes(self, key: str, z: int, x: int, y: int, etag: str, conf: TileSettings) -> tuple[str, bytes]:
        cache = caches[conf.CACHE_ALIAS]
        body = cache.get(cache_key(etag))
        if not isinstance(body, bytes):
            layer = data_layer(key)
            assert layer is not None  # noqa: S101 - checked by the caller
            try:
                built = render_tile(layer, z, x, y, conf)
            except DatabaseError:
                # Outside Django's request cycle nobody else drops a broken connection: do it, and let
                # Django answer this request (it reconnects, or answers the error in its own shape).
                close_old_connections()
                raise
            # Tag and cache by the version of the tile's own snapshot, as the view does.
            etag = tile_etag(key, z, x, y, built.version, conf)
            body = built.body
            cache.set(cache_key(etag), body, conf.CACHE_TIMEOUT)
        self.memory.put(etag, body)
        return etag, body

    def _through_django(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def learning_start_response(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
            if status.startswith("200") and content_type == MVT_CONTENT_TYPE:
                self._learned = [(name, value) for name, value in headers if name.lower() not in _OWN_HEADERS]
            return start_response(status, headers, *args)

        return self.app(environ, learning_start_response)


def tile_front(app: WSGIApp) -> WSGIApp:
    """Return the application behind the tile front, unless settings turn the front off."""
    return TileServer(app) if tile_settings().FAST_PATH else app
