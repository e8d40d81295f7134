"""The reports map of /meldungen/ in a real headless Chromium: our vector tiles, decoded and drawn by Leaflet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from geo.models import Authority
from reports.models import Category, Report, ReportStatus
from tests.reports.conftest import stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Köln-Deutz, a row of three reports 70 m apart: one cluster below zoom 13, three points at zoom 16.
ROW = [(6.9750 + step * 0.001, 50.9380) for step in range(3)]
TILE_REQUEST = re.compile(r"/tiles/reports/(\d+)/(\d+)/(\d+)\.mvt$")
CLUSTER_BLUE = (0, 92, 169)
IN_PROGRESS_ORANGE = (199, 91, 0)

# The folium map of the page, and the vector tile layer portal-map.js hung on it.
MAP_JS = "Object.values(window).find((value) => value instanceof L.Map)"
# The colour of the drawn tiles at a place (offset by dx pixels), or null where nothing is drawn.
PIXEL_JS = f"""([lat, lon, dx]) => {{
    const map = {MAP_JS};
    const point = map.latLngToContainerPoint([lat, lon]);
    const box = map.getContainer().getBoundingClientRect();
    const x = box.left + point.x + dx, y = box.top + point.y;
    for (const canvas of map.getContainer().querySelectorAll("canvas.leaflet-tile")) {{
        const r = canvas.getBoundingClientRect();
        if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
        const data = canvas.getContext("2d").getImageData(
            Math.floor((x - r.left) * canvas.width / r.width), Math.floor((y - r.top) * canvas.height / r.height), 1, 1
        ).data;
        if (data[3] > 0) return [data[0], data[1], data[2]];
    }}
    return null;
}}"""
# What the renderer decoded at a place: the features of our layer within a brush of 24 px.
QUERY_JS = f"""([lat, lon]) => {{
    const layer = ({MAP_JS}).beteiligungskarteVectorTiles;
    const found = [];
    layer.queryTileFeaturesDebug(lon, lat, 24).forEach((picked) => picked.forEach((item) => {{
        if (item.layerName === "reports") found.push({{id: item.feature.id ?? null, props: item.feature.props}});
    }}));
    return found;
}}"""


def make_reports() -> list[Report]:
    category = Category.objects.create(authority=Authority.objects.get(key="05"), code="vt-test", name="Kachelprobe")
    return [
        Report.objects.create(
            authority=Authority.objects.get(key="05315000"),
            category=category,
            location=stored(lon, lat),
            description="Gehweg abgesackt",
            status=ReportStatus.IN_PROGRESS,
            published_at=timezone.now(),
        )
        for lon, lat in ROW
    ]


def close_to(colour: list[int] | None, expected: tuple[int, int, int]) -> bool:
    return colour is not None and all(abs(a - b) <= 8 for a, b in zip(colour, expected, strict=True))


def show(page: Page, lat: float, lon: float, zoom: int) -> None:
    """Move the map to a place and zoom, and wait until the renderer has decoded a tile with features there."""
    with page.expect_response(lambda response: f"/tiles/reports/{zoom}/" in response.url):
        page.evaluate(
            f"([lat, lon, zoom]) => {{ ({MAP_JS}).setView([lat, lon], zoom, {{animate: false}}); }}", [lat, lon, zoom]
        )
    page.wait_for_function(f"(args) => ({QUERY_JS})(args).length > 0", arg=[lat, lon], timeout=15000)


def wait_for_colour(page: Page, lat: float, lon: float, expected: tuple[int, int, int], dx: int = 0) -> None:
    page.wait_for_function(
        f"""(args) => {{
            const colour = ({PIXEL_JS})(args);
            return colour !== null && colour.every((value, i) => Math.abs(value - {list(expected)}[i]) <= 8);
        }}""",
        arg=[lat, lon, dx],
        timeout=15000,
    )
    assert close_to(page.evaluate(PIXEL_JS, [lat, lon, dx]), expected)


def tile_zooms(page: Page) -> set[int]:
    log: list[str] = page.tile_requests  # type: ignore[attr-defined]
    return {int(match.group(1)) for url in log if (match := TILE_REQUEST.search(url))}


def test_reports_map_draws_our_vector_tiles_clusters_and_points(page: Page, live_server: Any) -> None:
    reports = make_reports()
    log = page.request_log  # type: ignore[attr-defined]
    tile_requests: list[str] = []
    page.on("response", lambda response: tile_requests.append(response.url) if response.ok else None)
    page.tile_requests = tile_requests  # type: ignore[attr-defined]

    page.goto(f"{live_server.url}/meldungen/")
    page.wait_for_load_state("networkidle")
    # The list below the map stays, and the map no longer asks the API for a capped GeoJSON list.
    expect(page.locator(".report-list")).to_contain_text(f"#{reports[0].pk} Kachelprobe")
    assert tile_zooms(page), tile_requests
    assert max(tile_zooms(page)) < 13  # all of NRW: clustered tiles
    assert not [url for url in log.foreign + tile_requests if "/api/v1/reports" in url]
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Beteiligungskarte NRW")

    # Below zoom 13 the three are one cluster, a blue circle labelled with its count.
    lon, lat = ROW[1]
    show(page, lat, lon, 11)
    assert 11 in tile_zooms(page)
    clusters = [found["props"]["count"] for found in page.evaluate(QUERY_JS, [lat, lon])]
    assert max(clusters) >= 3, clusters
    wait_for_colour(page, lat, lon, CLUSTER_BLUE, dx=-9)  # beside the white count in its middle

    # A click on the cluster zooms in.
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    point = page.evaluate(f"([lat, lon]) => ({MAP_JS}).latLngToContainerPoint([lat, lon])", [lat, lon])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    # Leaflet ignores a new view while a zoom animates: wait for its end too. A function, not an expression:
    # Playwright polls an expression with eval(), which the site's CSP refuses.
    page.wait_for_function(f"() => {{ const map = {MAP_JS}; return map.getZoom() >= 13 && !map._animatingZoom; }}")

    # At zoom 16 each report is its own point, coloured by its status, with its id from the tile.
    show(page, lat, lon, 16)
    assert 16 in tile_zooms(page)
    for report, (lon, lat) in zip(reports, ROW, strict=True):
        # The row may straddle two tiles: wait until the renderer has decoded this report's one.
        page.wait_for_function(
            f"([lat, lon, id]) => ({QUERY_JS})([lat, lon]).some((item) => item.id === id)",
            arg=[lat, lon, report.pk],
            timeout=15000,
        )
        found = page.evaluate(QUERY_JS, [lat, lon])
        assert all("count" not in item["props"] for item in found)
        assert {item["props"]["status"] for item in found if item["id"] == report.pk} == {"in_progress"}
        wait_for_colour(page, lat, lon, IN_PROGRESS_ORANGE)

    # A click on a point opens the report's page.
    lon, lat = ROW[2]
    point = page.evaluate(f"([lat, lon]) => ({MAP_JS}).latLngToContainerPoint([lat, lon])", [lat, lon])
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_url(re.compile(rf"/meldungen/{reports[2].pk}/$"))
    expect(page.locator("main")).to_contain_text("Gehweg abgesackt")

    page.wait_for_load_state("networkidle")
    assert log.foreign == []
    assert log.http_errors == []
    assert log.failed == []


def test_a_filtered_list_keeps_the_geojson_map(page: Page, live_server: Any) -> None:
    make_reports()
    log = page.request_log  # type: ignore[attr-defined]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/meldungen/?status=in_progress")
    page.wait_for_load_state("networkidle")
    # Clustered tiles carry no status: a filtered map is drawn from the API's GeoJSON.
    assert any("/api/v1/reports/?limit=1000&status=in_progress" in url for url in requests), requests
    assert not [url for url in requests if TILE_REQUEST.search(url)]
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    assert log.foreign == []
    assert log.http_errors == []
