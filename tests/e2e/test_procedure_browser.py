"""A procedure's page in a real headless Chromium: drawing a contribution on the map, by keyboard, and without JS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from playwright.sync_api import Browser, Page, expect

from procedures.models import Contribution, Procedure
from reports.models import ReportingPolicy
from tests.procedures.conftest import make_procedure as make_procedure  # a fixture: pytest finds it here
from tests.reports.conftest import stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Places (lat, lon) inside the 2 km square around Köln's Neumarkt that make_procedure uses.
LINE = [(50.9350, 6.9440), (50.9363, 6.9490), (50.9370, 6.9540)]
TRIANGLE = [(50.9340, 6.9450), (50.9340, 6.9530), (50.9390, 6.9490)]
# At the zoom that fits the 2 km area a pixel is about 5 m; a click lands within half of one.
CLICK_TOLERANCE_M = 5.0
FIND_MAP = 'window[Object.keys(window).find((name) => name.startsWith("map_"))]'
# Where the browser lands after contributing: the procedure's page at the new contribution.
CONTRIBUTED = re.compile(r"/verfahren/[\w-]+/#beitrag-(\d+)$")


def publish_at_once(procedure: Procedure) -> None:
    """Let the procedure's authority publish contributions without an e-mail confirmation."""
    ReportingPolicy.objects.update_or_create(
        authority=procedure.authority, defaults={"confirm_anonymous_reports": False}
    )


def open_procedure(page: Page, live_server: Any, procedure: Procedure) -> None:
    page.goto(f"{live_server.url}/verfahren/{procedure.slug}/")
    # The map has fitted the area and the contributions' request has been answered.
    page.wait_for_load_state("networkidle")
    page.wait_for_function(f"() => !{FIND_MAP}._animatingZoom")
    # Clicks go to the viewport: the map must be inside it.
    page.locator(".folium-map").scroll_into_view_if_needed()


def click_map(page: Page, lat: float, lon: float) -> None:
    """Click the map where a lon/lat place is drawn."""
    x, y = page.evaluate(
        f"([lat, lon]) => {{ const p = {FIND_MAP}.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }}",
        [lat, lon],
    )
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    assert 0 < x < box["width"], "the place is outside the map's view"
    assert 0 < y < box["height"], "the place is outside the map's view"
    page.mouse.click(box["x"] + x, box["y"] + y)


def contributed_pk(page: Page) -> int:
    match = CONTRIBUTED.search(page.url)
    assert match, page.url
    return int(match.group(1))


def assert_clean(page: Page) -> None:
    log = page.request_log  # type: ignore[attr-defined]
    assert log.foreign == []
    assert log.failed == []
    assert log.http_errors == []


def assert_lonlat_vertices(geometry: LineString | Polygon, places: list[tuple[float, float]]) -> None:
    """Assert the stored vertices are these (lat, lon) places, to the half pixel (a few metres here) a click is off."""
    coords = list(geometry.coords if isinstance(geometry, LineString) else geometry[0].coords)
    expected = [stored(lon, lat).coords for lat, lon in places]
    assert [pytest.approx(position, abs=CLICK_TOLERANCE_M) for position in expected] == coords


def test_a_line_drawn_on_the_map_is_saved_and_shown(
    page: Page, live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    publish_at_once(procedure)
    open_procedure(page, live_server, procedure)
    tools = page.get_by_role("group", name="Ort Ihres Beitrags einzeichnen:")
    expect(tools).to_be_visible()
    expect(page.get_by_role("button", name="Fertig")).to_be_hidden()

    line_button = page.get_by_role("button", name="Linie zeichnen")
    line_button.click()
    expect(line_button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#draw-status")).to_contain_text("Klicken Sie nacheinander auf die Punkte der Linie")
    for number, (lat, lon) in enumerate(LINE, start=1):
        click_map(page, lat, lon)
        expect(page.locator("#draw-status")).to_have_text(f"Punkt {number} gesetzt.")
    # Geoman's own way to finish: the last point once more.
    click_map(page, *LINE[-1])
    expect(page.locator("#draw-status")).to_have_text("Linie mit 3 Punkten eingezeichnet.")
    expect(line_button).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("button", name="Fertig")).to_be_hidden()
    expect(page.get_by_role("button", name="Zeichnung löschen")).to_be_visible()
    # The form holds the line twice: as GeoJSON for the server and as coordinates the citizen can read.
    expect(page.get_by_role("radio", name="Linie")).to_be_checked()
    typed = page.input_value("#id_coordinates").splitlines()
    assert len(typed) == 3
    assert [float(value) for value in typed[1].split()] == pytest.approx([LINE[1][1], LINE[1][0]], abs=1e-4)
    assert '"type":"LineString"' in page.input_value("#id_geometry")

    text = "Zwischen Neumarkt und Heumarkt fehlt ein durchgehender Radweg."
    page.get_by_label("Ihr Beitrag").fill(text)
    page.get_by_role("button", name="Beitrag absenden").click()
    page.wait_for_url(CONTRIBUTED)
    pk = contributed_pk(page)

    contribution = Contribution.objects.get(pk=pk)
    assert contribution.procedure_id == procedure.pk
    assert contribution.is_public
    geometry = contribution.geometry
    assert isinstance(geometry, LineString)
    assert geometry.srid == 25832
    assert geometry.num_points == 3
    assert procedure.area.contains(geometry)
    assert_lonlat_vertices(geometry, LINE)

    # After the redirect: the message, the list entry and the line on the map, drawn from the API.
    expect(page.locator(".messages")).to_contain_text("Ihr Beitrag ist veröffentlicht")
    entry = page.locator(f"#beitrag-{pk}")
    expect(entry).to_contain_text(text)
    expect(entry.locator(".contribution-meta")).to_contain_text("Linie")
    line_on_map = page.locator(f"path.contribution-{pk}")
    expect(line_on_map).to_have_count(1)
    assert (line_on_map.get_attribute("d") or "").count("L") == 2  # three vertices: one move, two lines
    page.wait_for_load_state("networkidle")
    assert page.locator("#map-status").inner_text() == ""
    assert_clean(page)


def test_an_area_finished_with_the_button_can_be_cleared_and_replaced_by_a_point(
    page: Page, live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    publish_at_once(procedure)
    open_procedure(page, live_server, procedure)

    page.get_by_role("button", name="Fläche zeichnen").click()
    finish = page.get_by_role("button", name="Fertig")
    expect(finish).to_be_visible()
    for lat, lon in TRIANGLE[:2]:
        click_map(page, lat, lon)
    finish.click()  # two corners are too few: the tool says so and keeps drawing
    expect(page.locator("#draw-status")).to_contain_text("Dafür fehlen noch Punkte")
    click_map(page, *TRIANGLE[2])
    finish.click()
    expect(page.locator("#draw-status")).to_have_text("Fläche mit 3 Ecken eingezeichnet.")
    # The focused button disappeared; the keyboard stays in the tools, on the next useful one.
    assert page.evaluate("document.activeElement.textContent") == "Zeichnung löschen"
    expect(page.get_by_role("radio", name="Fläche")).to_be_checked()
    assert len(page.input_value("#id_coordinates").splitlines()) == 3  # the ring without its closing point

    page.get_by_role("button", name="Zeichnung löschen").click()
    expect(page.locator("#draw-status")).to_have_text("Zeichnung gelöscht.")
    assert page.input_value("#id_geometry") == ""
    assert page.input_value("#id_coordinates") == ""
    expect(page.get_by_role("radio", name="ohne Ort")).to_be_checked()

    page.get_by_role("button", name="Punkt setzen").click()
    click_map(page, *TRIANGLE[2])
    expect(page.locator("#draw-status")).to_contain_text("Punkt eingezeichnet.")
    expect(page.get_by_role("radio", name="Punkt")).to_be_checked()
    # The point can be dragged; the form follows.
    placed = page.input_value("#id_coordinates")
    marker = page.locator(".leaflet-marker-icon[title='Eingezeichneter Ort']")
    expect(marker).to_have_count(1)
    box = marker.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] - 2, steps=5)
    page.mouse.up()
    expect(page.locator("#draw-status")).to_have_text("Punkt verschoben.")
    assert page.input_value("#id_coordinates") != placed
    moved_lon = float(page.input_value("#id_coordinates").split()[0])
    page.get_by_role("button", name="Zeichnung löschen").click()
    page.get_by_role("button", name="Punkt setzen").click()
    click_map(page, *TRIANGLE[2])
    assert float(page.input_value("#id_coordinates").split()[0]) < moved_lon  # back where it was placed
    page.get_by_label("Ihr Beitrag").fill("Hier wäre ein Platz für Fahrradbügel.")
    page.get_by_role("button", name="Beitrag absenden").click()
    page.wait_for_url(CONTRIBUTED)
    geometry = Contribution.objects.get(pk=contributed_pk(page)).geometry
    assert isinstance(geometry, Point)
    lat, lon = TRIANGLE[2]
    assert geometry.coords == pytest.approx(stored(lon, lat).coords, abs=CLICK_TOLERANCE_M)
    assert_clean(page)


def test_by_keyboard_alone_with_typed_coordinates_and_confirmation_pending(
    page: Page, live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    """Köln confirms contributions without an account by e-mail: the author sees theirs marked until then."""
    procedure = make_procedure()
    page.goto(f"{live_server.url}/verfahren/{procedure.slug}/")
    for _press in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_text":
            break
    else:
        pytest.fail("Tab never reached the contribution's text")
    page.keyboard.type("Die Ampel an der Cäcilienstraße schaltet für Radfahrende zu kurz.")
    page.keyboard.press("Tab")  # the first shape, "ohne Ort"
    page.keyboard.press("ArrowDown")  # "Punkt"
    page.keyboard.press("ArrowDown")  # "Linie"
    expect(page.get_by_role("radio", name="Linie")).to_be_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_coordinates"
    page.keyboard.type("\n".join(f"{lon} {lat}" for lat, lon in LINE))
    page.keyboard.press("Tab")  # on to the name; leaving the field shows the typed line on the map
    expect(page.locator("#draw-status")).to_have_text("Die eingegebenen Koordinaten werden auf der Karte gezeigt.")
    expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive")).not_to_have_count(0)
    assert page.input_value("#id_geometry") == ""  # typed coordinates are sent as typed
    page.keyboard.press("Tab")  # from the name to the e-mail
    assert page.evaluate("document.activeElement.id") == "id_email"
    page.keyboard.type("radlerin@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url(CONTRIBUTED)
    pk = contributed_pk(page)

    contribution = Contribution.objects.get(pk=pk)
    assert not contribution.is_public
    assert isinstance(contribution.geometry, LineString)
    assert_lonlat_vertices(contribution.geometry, LINE)
    expect(page.locator(".messages")).to_contain_text("Bitte bestätigen Sie Ihren Beitrag über den Link in der E-Mail")
    expect(page.locator(f"#beitrag-{pk}")).to_contain_text("noch nicht bestätigt")
    expect(page.locator(f"path.contribution-{pk}.contribution-pending")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert_clean(page)


def test_contributing_works_without_javascript(
    browser: Browser, live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    publish_at_once(procedure)
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/verfahren/{procedure.slug}/")
        expect(page.get_by_role("button", name="Linie zeichnen")).to_be_hidden()
        page.get_by_label("Ihr Beitrag").fill("Der Platz braucht mehr Schatten.")
        page.get_by_role("radio", name="Fläche").check()
        page.get_by_label("Koordinaten (Länge Breite, je Zeile ein Punkt)").fill(
            "\n".join(f"{lon} {lat}" for lat, lon in TRIANGLE)
        )
        page.get_by_role("button", name="Beitrag absenden").click()
        page.wait_for_url(CONTRIBUTED)
        pk = contributed_pk(page)
        geometry = Contribution.objects.get(pk=pk).geometry
        assert isinstance(geometry, Polygon)
        assert_lonlat_vertices(geometry, [*TRIANGLE, TRIANGLE[0]])
        expect(page.locator(f"#beitrag-{pk}")).to_contain_text("Der Platz braucht mehr Schatten.")

        # An unreadable line comes back with the input kept and the line named.
        page.get_by_label("Ihr Beitrag").fill("Noch ein Beitrag.")
        page.get_by_role("radio", name="Linie").check()
        page.get_by_label("Koordinaten (Länge Breite, je Zeile ein Punkt)").fill("6.9440 50.9350\nam Dom")
        with page.expect_response(lambda response: response.request.method == "POST") as answer:
            page.get_by_role("button", name="Beitrag absenden").click()
        assert answer.value.status == 422
        expect(page.locator("#error-summary")).to_contain_text("Zeile 2 („am Dom“) ist nicht lesbar")
        expect(page.get_by_label("Ihr Beitrag")).to_have_value("Noch ein Beitrag.")
    finally:
        context.close()
