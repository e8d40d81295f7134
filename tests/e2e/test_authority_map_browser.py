"""The authority map and the admin map widget in a real headless Chromium."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from geo.models import Authority

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def click_at(page: Page, lat: float, lon: float) -> None:
    """Click the folium map where this place is drawn."""
    x, y = page.evaluate(
        """([lat, lon]) => {
            const map = window[Object.keys(window).find((name) => name.startsWith("map_"))];
            const point = map.latLngToContainerPoint([lat, lon]);
            return [point.x, point.y];
        }""",
        [lat, lon],
    )
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_map_draws_the_kreise_with_attribution_and_names_who_is_responsible(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("path.leaflet-interactive")
    assert page.locator("path.leaflet-interactive").count() == 53
    assert "© GeoBasis-DE / BKG (2021) (Daten verändert)" in page.locator(".leaflet-control-attribution").inner_text()

    click_at(page, 51.5136, 7.4653)  # Dortmund
    page.wait_for_selector(".leaflet-popup-content strong")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert "Dortmund" in popup
    assert "05913000" in popup
    assert "Kreisfreie Stadt: Dortmund" in popup
    assert "Regierungsbezirk: Arnsberg" in popup
    assert "Dortmund" in page.locator("#map-status").inner_text()  # announced to screen readers too

    assert page.request_log.foreign == []  # type: ignore[attr-defined]
    assert page.request_log.failed == []  # type: ignore[attr-defined]


def test_click_outside_nrw_explains_itself_in_english(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/en/")
    page.wait_for_selector("path.leaflet-interactive")
    click_at(page, 50.60, 5.70)  # Liège, Belgium
    page.wait_for_selector(".leaflet-popup-content")
    assert page.locator(".leaflet-popup-content").inner_text() == "The location is outside North Rhine-Westphalia."


def test_keyboard_only_coordinate_form(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.locator("#id_lon").focus()
    page.keyboard.type("6.6267")
    page.keyboard.press("Tab")
    page.keyboard.type("51.4513")
    page.keyboard.press("Enter")
    page.wait_for_selector("dl.location")
    text = page.locator("dl.location").inner_text()
    assert "Moers" in text
    assert "Wesel" in text


def test_admin_widget_draws_on_our_own_boundaries(page: Page, live_server) -> None:
    User.objects.create_superuser("karte", "karte@example.org", "ein-langes-passwort-123")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "karte")
    page.fill("#id_password", "ein-langes-passwort-123")
    page.click("input[type=submit]")
    koeln = Authority.objects.get(key="05315000")
    page.goto(f"{live_server.url}/admin/geo/authority/{koeln.pk}/change/")
    page.wait_for_selector(".ol-viewport canvas")
    # OpenLayers loaded the Kreise as its base layer from our API, and the area to edit.
    page.wait_for_function(
        """() => {
            const textarea = document.getElementById("id_boundary");
            return textarea && textarea.value.includes("MultiPolygon");
        }"""
    )
    # The source note is shown in full once the base layer has loaded, not behind the "i" button.
    expect(page.locator(".ol-attribution li", has_text="GeoBasis-DE / BKG")).to_be_visible()
    assert page.request_log.foreign == []  # type: ignore[attr-defined]
    assert page.request_log.failed == []  # type: ignore[attr-defined]
