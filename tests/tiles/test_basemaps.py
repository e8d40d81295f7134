"""The basemap proxy, against a stand-in upstream on loopback: fetch, cache, refetch, failures and privacy."""

from __future__ import annotations

import hashlib
import io
import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from PIL import Image

from tiles import proxy


def _image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (30, 120, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")


@dataclass
class Upstream:
    """A stand-in map server that records what it was asked and answers as `mode` says."""

    port: int = 0
    mode: str = "ok"
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(upstream: Upstream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with upstream.lock:
                upstream.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            mode = upstream.mode
            if mode == "slow":
                time.sleep(1.0)
            if mode == "error":
                self._send(500, "text/plain", b"boom")
                return
            if mode == "html":
                self._send(200, "text/html", b"<html>not a tile</html>")
                return
            if mode == "lying":
                self._send(200, "image/png", b"<html>not a tile</html>")
                return
            if mode == "big":
                self._send(200, "image/png", PNG + b"\0" * (3 * 1024 * 1024))
                return
            jpeg = self.path.startswith("/wms") and "image%2Fjpeg" in self.path
            self._send(200, "image/jpeg" if jpeg else "image/png", JPEG if jpeg else PNG)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Set-Cookie", "upstream=tracking")
                self.send_header("X-Upstream-Secret", "internal")
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the proxy gave up first, as it should

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def upstream(settings: Any, tmp_path: Path) -> Iterator[Upstream]:
    """Run a stand-in upstream on a free loopback port and point every external layer and the cache at it."""
    state = Upstream()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BK_LAYERS = {
        "basemap_de_url": state.url("/wmts/{z}/{y}/{x}.png"),
        "nrw_dop_url": state.url("/wms/dop?key=abc&SERVICE=WFS"),
        "nrw_dtk_url": state.url("/wms/dtk"),
    }
    settings.BK_TILES = {"BASEMAP_CACHE_DIR": str(tmp_path / "cache"), "BASEMAP_TIMEOUT": (1.0, 0.3)}
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _cached(tmp_path: Path, name: str, z: int, x: int, y: int, ext: str) -> Path:
    return tmp_path / "cache" / name / str(z) / str(x) / f"{y}.{ext}"


def test_first_request_fetches_and_second_comes_from_cache(client: Client, upstream: Upstream, tmp_path: Path) -> None:
    first = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert first.status_code == 200
    assert first.content == PNG
    assert first["Content-Type"] == "image/png"
    assert first["Cache-Control"] == "public, max-age=86400"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert upstream.count == 1
    assert upstream.requests[0][0] == "/wmts/5/10/16.png"
    assert _cached(tmp_path, "basemap-de", 5, 16, 10, "png").read_bytes() == PNG

    second = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert second.status_code == 200
    assert second.content == PNG
    assert upstream.count == 1


def test_cache_leaves_no_temporary_files(client: Client, upstream: Upstream, tmp_path: Path) -> None:
    client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert [p.name for p in _cached(tmp_path, "basemap-de", 5, 16, 10, "png").parent.iterdir()] == ["10.png"]


def test_tile_past_its_max_age_is_fetched_again(client: Client, upstream: Upstream, tmp_path: Path) -> None:
    client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    path = _cached(tmp_path, "basemap-de", 5, 16, 10, "png")
    eight_days_ago = time.time() - 8 * 24 * 3600
    os.utime(path, (eight_days_ago, eight_days_ago))
    response = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert response.status_code == 200
    assert upstream.count == 2
    assert path.stat().st_mtime > eight_days_ago + 24 * 3600


def test_max_age_is_configurable(client: Client, upstream: Upstream, settings: Any) -> None:
    settings.BK_TILES = {**settings.BK_TILES, "BASEMAP_MAX_AGE": 0}
    client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    time.sleep(0.01)
    client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert upstream.count == 2


@pytest.mark.parametrize("mode", ["error", "slow", "html", "lying", "big"])
def test_failing_upstream_answers_502_in_the_json_shape(client: Client, upstream: Upstream, mode: str) -> None:
    upstream.mode = mode
    response = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert response.status_code == 502
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "upstream_unavailable"
    assert body["message"].startswith("Die Hintergrundkarte ist gerade nicht erreichbar.")
    assert body["details"] == {"layer": "basemap-de"}
    assert "Traceback" not in response.content.decode()


def test_failed_fetch_is_not_cached(client: Client, upstream: Upstream, tmp_path: Path) -> None:
    upstream.mode = "html"
    client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert not (tmp_path / "cache" / "basemap-de").exists()
    upstream.mode = "ok"
    assert client.get("/tiles/basemaps/basemap-de/5/16/10.png").status_code == 200
    assert upstream.count == 2


def test_stale_tile_is_served_when_upstream_is_down(client: Client, upstream: Upstream, tmp_path: Path) -> None:
    client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    path = _cached(tmp_path, "basemap-de", 5, 16, 10, "png")
    long_ago = time.time() - 30 * 24 * 3600
    os.utime(path, (long_ago, long_ago))
    upstream.mode = "error"
    response = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Warning"] == '110 - "Response is Stale"'
    assert response["Cache-Control"] == "public, max-age=60"
    assert upstream.count == 2


def test_unreachable_upstream_answers_502(client: Client, upstream: Upstream, settings: Any) -> None:
    # A port that was free a moment ago: nothing listens there.
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    settings.BK_LAYERS = {"basemap_de_url": f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"}
    response = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert response.status_code == 502
    assert response.json()["code"] == "upstream_unavailable"


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/basemaps/openstreetmap/5/16/10.png",
        "/tiles/basemaps/reports/5/16/10.png",
        "/tiles/basemaps/basemap-de/19/0/0.png",
        "/tiles/basemaps/nrw-dop/11/1060/680.jpeg",
        "/tiles/basemaps/basemap-de/5/32/10.png",
        "/tiles/basemaps/basemap-de/5/16/32.png",
        "/tiles/basemaps/basemap-de/5/16/10.jpeg",
        "/tiles/basemaps/nrw-dop/12/2120/1360.png",
        "/tiles/basemaps/basemap-de/5/16/10.svg",
    ],
)
def test_unknown_or_impossible_tiles_are_404(client: Client, upstream: Upstream, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert upstream.count == 0


def test_wms_getmap_asks_for_the_tiles_3857_bbox(client: Client, upstream: Upstream) -> None:
    # Tile 12/2120/1360 lies over the Ruhr; its bounds follow from the 3857 grid.
    response = client.get("/tiles/basemaps/nrw-dop/12/2120/1360.jpeg")
    assert response.status_code == 200
    assert response.content == JPEG
    assert response["Content-Type"] == "image/jpeg"
    path, _ = upstream.requests[0]
    url = urlsplit(path)
    assert url.path == "/wms/dop"
    query = parse_qs(url.query, keep_blank_values=True)
    assert query["key"] == ["abc"]
    assert query["SERVICE"] == ["WMS"]
    assert query["REQUEST"] == ["GetMap"]
    assert query["VERSION"] == ["1.3.0"]
    assert query["CRS"] == ["EPSG:3857"]
    assert query["LAYERS"] == ["nw_dop_rgb"]
    assert query["STYLES"] == [""]
    assert query["WIDTH"] == ["256"]
    assert query["HEIGHT"] == ["256"]
    assert query["FORMAT"] == ["image/jpeg"]
    assert query["TRANSPARENT"] == ["FALSE"]
    size = 2 * 20037508.342789244 / 2**12
    expected = (
        -20037508.342789244 + 2120 * size,
        20037508.342789244 - 1361 * size,
        -20037508.342789244 + 2121 * size,
        20037508.342789244 - 1360 * size,
    )
    bbox = [float(value) for value in query["BBOX"][0].split(",")]
    assert bbox == pytest.approx(expected, abs=0.01)
    # The same corner by the slippy-map formulas, through lon/lat: 6.328° E, 51.618° N.
    west = 2120 / 2**12 * 360 - 180
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * 1360 / 2**12))))
    assert bbox[0] == pytest.approx(6378137 * math.radians(west), abs=0.01)
    assert bbox[3] == pytest.approx(6378137 * math.log(math.tan(math.pi / 4 + math.radians(north) / 2)), abs=0.01)
    assert (round(west, 3), round(north, 3)) == (6.328, 51.618)


def test_wms_png_layer_asks_for_transparency(client: Client, upstream: Upstream) -> None:
    assert client.get("/tiles/basemaps/nrw-dtk/8/132/85.png").status_code == 200
    query = parse_qs(urlsplit(upstream.requests[0][0]).query, keep_blank_values=True)
    assert query["FORMAT"] == ["image/png"]
    assert query["TRANSPARENT"] == ["TRUE"]
    assert query["LAYERS"] == ["nw_dtk_col"]


def test_nothing_of_the_citizen_reaches_the_upstream(client: Client, upstream: Upstream) -> None:
    client.cookies["sessionid"] = "citizen-session"
    response = client.get(
        "/tiles/basemaps/basemap-de/5/16/10.png",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        HTTP_USER_AGENT="Citizen-Browser/1.0",
        HTTP_REFERER="https://beteiligung.nrw.de/verfahren/geheim/",
        HTTP_ACCEPT_LANGUAGE="de",
        HTTP_AUTHORIZATION="Bearer secret",
    )
    assert response.status_code == 200
    _, headers = upstream.requests[0]
    assert not {"cookie", "x-forwarded-for", "referer", "authorization", "accept-language"} & set(headers)
    assert "203.0.113.7" not in str(headers)
    assert headers["user-agent"] == proxy.USER_AGENT


def test_nothing_of_the_upstream_reaches_the_citizen(client: Client, upstream: Upstream) -> None:
    response = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    assert "upstream" not in response.cookies
    assert "Set-Cookie" not in response
    assert "X-Upstream-Secret" not in response


def test_etag_and_304(client: Client, upstream: Upstream) -> None:
    first = client.get("/tiles/basemaps/basemap-de/5/16/10.png")
    etag = first["ETag"]
    assert etag == '"' + hashlib.sha256(PNG).hexdigest()[:32] + '"'
    again = client.get("/tiles/basemaps/basemap-de/5/16/10.png", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    other = client.get("/tiles/basemaps/basemap-de/5/16/10.png", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    assert other.content == PNG
    assert upstream.count == 1


def test_only_safe_methods(client: Client, upstream: Upstream) -> None:
    assert client.post("/tiles/basemaps/basemap-de/5/16/10.png").status_code == 405
    assert upstream.count == 0


def test_cache_dir_defaults_to_var(settings: Any) -> None:
    settings.BK_TILES = {}
    assert proxy.cache_dir() == Path(settings.BASE_DIR) / "var" / "tile-cache"


def test_template_upstream_url() -> None:
    layer = proxy.external_layer("basemap-de")
    assert proxy.upstream_url(layer, 3, 4, 5).endswith("/GLOBAL_WEBMERCATOR/3/5/4.png")
