"""The basemap under every map, in a real headless Chromium: drawn from our proxy, never from the upstream."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.tiles.test_basemaps import Upstream
from tests.tiles.test_basemaps import upstream as upstream  # a fixture: pytest finds it here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_overview_map_draws_the_basemap_through_our_proxy(
    page: Page, live_server: Any, upstream: Upstream, settings: Any
) -> None:
    settings.BK_MAP_BASEMAP = "basemap-de"
    page.goto(f"{live_server.url}/karte/")
    tiles = page.locator("img.leaflet-tile-loaded")
    expect(tiles.first).to_be_visible()
    sources = tiles.evaluate_all("(images) => images.map((image) => image.src)")
    assert sources
    assert all(src.startswith(f"{live_server.url}/tiles/basemaps/basemap-de/") for src in sources)
    # The stand-in upstream was asked by our server, the browser only talked to us.
    assert upstream.count >= 1
    assert all(path.startswith("/wmts/") for path, _headers in upstream.requests)
    log = page.request_log  # type: ignore[attr-defined]
    assert log.foreign == []
    assert log.http_errors == []
    # The licence's source note is on the map.
    expect(page.locator('.leaflet-control-attribution a[href="https://basemap.de"]')).to_be_visible()
