"""The overview map of procedures in a real headless Chromium: outlines, clusters, a click to the page, the list."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from procedures.models import Procedure
from tests.procedures.conftest import make_procedure as make_procedure  # a fixture: pytest finds it here
from tests.procedures.conftest import square_around

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MUENSTER_KEY = "05515000"
# Three places in Münster, about a kilometre apart: one cluster at low zoom, three outlines close up.
MUENSTER = [(7.6261, 51.9607), (7.6400, 51.9607), (7.6261, 51.9700)]
FIND_MAP = 'window[Object.keys(window).find((name) => name.startsWith("map_"))]'


@pytest.fixture
def muenster(make_procedure: Callable[..., Procedure]) -> list[Procedure]:
    """Make three small running procedures of Münster close together, with a title to find them by."""
    return [
        make_procedure(
            authority_key=MUENSTER_KEY,
            title=f"Prinzipalmarkt {number}",
            area=square_around(lon, lat, 200),
        )
        for number, (lon, lat) in enumerate(MUENSTER, start=1)
    ]


def wait_for_map(page: Page) -> str:
    """Wait until the procedures are drawn (the live region says how many) and the view has settled."""
    expect(page.locator("#map-status")).to_contain_text(re.compile(r"Verfahren (auf der Karte|für diese Auswahl)"))
    page.wait_for_function(f"() => !{FIND_MAP}._animatingZoom")
    return page.locator("#map-status").inner_text()


def set_view(page: Page, lat: float, lon: float, zoom: float) -> None:
    page.evaluate(f"([lat, lon, zoom]) => {FIND_MAP}.setView([lat, lon], zoom, {{animate: false}})", [lat, lon, zoom])
    page.wait_for_function(f"(zoom) => {FIND_MAP}.getZoom() === zoom && !{FIND_MAP}._animatingZoom", arg=zoom)


def on_screen(page: Page, lat: float, lon: float) -> tuple[float, float]:
    """Return where on the page the map draws this place."""
    x, y = page.evaluate(
        f"""([lat, lon]) => {{
            const point = {FIND_MAP}.latLngToContainerPoint([lat, lon]);
            return [point.x, point.y];
        }}""",
        [lat, lon],
    )
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    return box["x"] + x, box["y"] + y


def clean_log(page: Page) -> None:
    log = page.request_log  # type: ignore[attr-defined]
    assert log.foreign == []
    assert log.failed == []
    assert log.http_errors == []


def test_running_procedures_are_outlines_close_up_and_a_click_opens_one(
    page: Page, live_server: Any, muenster: list[Procedure]
) -> None:
    page.goto(f"{live_server.url}/karte/")
    status = wait_for_map(page)
    items = page.locator("li.procedure-item")
    listed = items.count()
    # The list shows running procedures only, ours and the demo's, and the map announces as many.
    assert listed >= len(muenster)
    assert status == f"{listed} Verfahren auf der Karte."
    for procedure in muenster:
        expect(page.locator(f'li.procedure-item[data-slug="{procedure.slug}"]')).to_have_count(1)

    # Close up, every procedure is its outline (drawn whether in view or not), none is a marker.
    lon, lat = MUENSTER[0]
    set_view(page, lat, lon, 14)
    expect(page.locator("path.procedure-outline")).to_have_count(listed)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(0)
    # The list is the keyboard's way; the outlines are no tab stops.
    expect(page.locator('path.procedure-outline[tabindex="-1"]')).to_have_count(listed)

    clean_log(page)

    # Hovering names it, a click opens its page.
    first = muenster[0]
    page.mouse.move(*on_screen(page, lat, lon))
    expect(page.locator(".leaflet-tooltip")).to_have_text(first.title)
    page.mouse.click(*on_screen(page, lat, lon))
    page.wait_for_url(re.compile(rf"/verfahren/{first.slug}/$"))
    expect(page.locator("h1")).to_contain_text(first.title)


def test_low_zoom_shows_clusters_that_zoom_in_on_a_click(
    page: Page, live_server: Any, muenster: list[Procedure]
) -> None:
    page.goto(f"{live_server.url}/karte/?q=Prinzipalmarkt&status=running")
    assert wait_for_map(page) == "3 Verfahren auf der Karte."
    lon, lat = MUENSTER[0]
    set_view(page, lat, lon, 8)
    cluster = page.locator(".marker-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("3")
    expect(page.locator("path.procedure-outline")).to_have_count(0)
    cluster.click()
    page.wait_for_function(f"() => {FIND_MAP}.getZoom() > 8 && !{FIND_MAP}._animatingZoom")
    clean_log(page)


def test_a_single_marker_opens_its_page(page: Page, live_server: Any, muenster: list[Procedure]) -> None:
    only = muenster[1]
    page.goto(f"{live_server.url}/karte/?q={only.title.replace(' ', '+')}&status=running")
    assert wait_for_map(page) == "Ein Verfahren auf der Karte."
    # One procedure found: the map frames it, close enough for its outline.
    expect(page.locator("path.procedure-outline")).to_have_count(1)
    set_view(page, MUENSTER[1][1], MUENSTER[1][0], 9)
    marker = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    expect(marker).to_have_count(1)
    clean_log(page)
    marker.click()
    page.wait_for_url(re.compile(rf"/verfahren/{only.slug}/$"))


def test_filters_reach_the_map_and_the_list(page: Page, live_server: Any, muenster: list[Procedure]) -> None:
    page.goto(f"{live_server.url}/karte/")
    wait_for_map(page)
    page.select_option("#id_authority", MUENSTER_KEY)
    page.get_by_label("geplant").check()
    page.get_by_role("button", name="Anzeigen").click()
    assert wait_for_map(page) == "3 Verfahren auf der Karte."
    expect(page.locator("li.procedure-item")).to_have_count(3)
    expect(page.locator("#id_authority")).to_have_value(MUENSTER_KEY)
    expect(page.get_by_label("läuft")).to_be_checked()
    expect(page.get_by_label("geplant")).to_be_checked()
    # The embed code carries the same filters.
    code = page.locator("#embed-code").input_value()
    assert "/einbetten/karte/?authority=05515000&amp;status=planned&amp;status=running" in code
    clean_log(page)


def test_no_results_are_announced(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/karte/?q=Gibtesnichtwirklich")
    assert wait_for_map(page) == "Keine Verfahren für diese Auswahl."
    expect(page.locator("main")).to_contain_text("0 Verfahren gefunden.")
    clean_log(page)


def test_the_list_works_without_javascript(browser: Browser, live_server: Any, muenster: list[Procedure]) -> None:
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/karte/")
        page.select_option("#id_authority", MUENSTER_KEY)
        page.get_by_role("button", name="Anzeigen").click()
        expect(page.locator("li.procedure-item")).to_have_count(3)
        page.get_by_role("link", name=muenster[2].title).click()
        page.wait_for_url(re.compile(rf"/verfahren/{muenster[2].slug}/$"))
    finally:
        context.close()


def test_the_keyboard_passes_the_map_quickly_to_the_list(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/karte/")
    wait_for_map(page)
    # Every label names its field.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll("main label")]
            .filter((label) => !document.getElementById(label.getAttribute("for")))
            .map((label) => label.outerHTML)"""
    )
    assert unlabelled == []
    first_link = page.locator("li.procedure-item h3 a").first
    page.get_by_role("link", name="Auswahl zurücksetzen").focus()
    # The map is one stop with its zoom buttons, attribution links and the few clusters; areas are none.
    presses = 0
    while presses < 15 and not first_link.evaluate("(link) => link === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
    assert first_link.evaluate("(link) => link === document.activeElement"), f"not reached in {presses} presses"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/verfahren/[\w-]+/$"))
