"""Keyboard only, in a real headless Chromium: reporting and contributing, visible focus, errors announced.

No mouse and no .click(): Tab, Shift+Tab, Enter, Space, arrows and typing, as a person without a pointing
device works. The place is typed as coordinates; the map is passed over, never used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import Page, expect

from procedures.models import Contribution, Procedure, ProcedureStatus
from reports.models import Report

LONLAT = 4326  # GeoDjango transforms to x = longitude, y = latitude

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KOELN = (6.9583, 50.9413)  # lon, lat: near the cathedral
NEW_REPORT = re.compile(r"/meldungen/(\d+)/\?neu=1(#[\w-]*)?$")
CONTRIBUTED = re.compile(r"/verfahren/[\w-]+/#beitrag-(\d+)$")
# The indicator must stand out from what is around it: the contrast WCAG asks of non-text parts (1.4.11).
FOCUS_CONTRAST = 3.0


def focused(page: Page) -> dict[str, str]:
    """Describe the element that has keyboard focus."""
    description: dict[str, str] = page.evaluate(
        """() => {
            const element = document.activeElement;
            return {
                tag: element.tagName.toLowerCase(),
                id: element.id,
                name: element.getAttribute("name") || "",
                type: element.getAttribute("type") || "",
                text: (element.innerText || element.value || "").trim(),
                href: element.getAttribute("href") || "",
                inMain: String(Boolean(element.closest("main"))),
            };
        }"""
    )
    return description


def tab_to(page: Page, wanted: Callable[[dict[str, str]], bool], *, key: str = "Tab", limit: int = 60) -> int:
    """Press Tab (or Shift+Tab) until `wanted(focused element)` holds; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if wanted(focused(page)):
            return presses
    pytest.fail(f"{key} never reached the element; focus is on {focused(page)}")


def by_id(wanted: str) -> Callable[[dict[str, str]], bool]:
    return lambda element: element["id"] == wanted


def running_procedure() -> Procedure:
    """A running demo procedure that takes points, with its area."""
    for procedure in Procedure.objects.published().with_status().order_by("slug"):
        if procedure.status == ProcedureStatus.RUNNING and "point" in procedure.allowed_geometries:
            return procedure
    pytest.fail("the demo data has no running procedure that takes points")


# --- Journeys ----------------------------------------------------------------------------------


def test_skip_link_is_the_first_stop_and_leads_into_the_content(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/meldungen/neu/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["inMain"] == "true", focused(page)


def test_report_with_typed_coordinates_by_keyboard_alone(page: Page, live_server: Any) -> None:
    lon, lat = KOELN
    page.goto(f"{live_server.url}/meldungen/neu/")
    page.wait_for_load_state("networkidle")

    # Step 1: the coordinates, typed; Shift+Tab goes back to correct the longitude.
    presses = tab_to(page, by_id("id_lon"))
    assert presses <= 25, f"{presses} presses of Tab to reach the coordinates"
    page.keyboard.type("6.9")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_lat"
    page.keyboard.type(str(lat))
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "id_lon"
    page.keyboard.press("End")
    page.keyboard.type("583")
    expect(page.locator("#id_lon")).to_have_value(str(lon))
    tab_to(page, lambda element: element["text"] == "Weiter", limit=3)
    page.keyboard.press("Enter")

    # Step 2: the category, chosen with the arrows and Space.
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Kategorie")
    if not focused(page)["id"].startswith("category-"):
        tab_to(page, lambda element: element["id"].startswith("category-"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect(page.locator("#category-strassenschaden")).to_be_checked()
    tab_to(page, lambda element: element["text"] == "Weiter", limit=3)
    page.keyboard.press("Space")

    # Step 3: sent once without a description; the error is read out and leads to the field.
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Beschreibung und Fotos")
    tab_to(page, by_id("id_q_groesse"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_q_groesse")).to_have_value("mittel")
    tab_to(page, by_id("id_email"))
    page.keyboard.type("tastatur@example.org")
    tab_to(page, lambda element: element["text"] == "Meldung absenden", limit=6)
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#id_description"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_description"
    description = "Gehwegplatte gebrochen, nur mit der Tastatur gemeldet."
    page.keyboard.type(description)
    tab_to(page, lambda element: element["text"] == "Meldung absenden", limit=12)
    page.keyboard.press("Space")

    page.wait_for_url(NEW_REPORT)
    match = NEW_REPORT.search(page.url)
    assert match
    report = Report.objects.get(pk=int(match.group(1)))
    assert report.description == description
    assert report.category.code == "strassenschaden"
    assert report.answers == {"groesse": "mittel"}
    assert report.reporter_email == "tastatur@example.org"
    stored = report.location.transform(LONLAT, clone=True)
    assert isinstance(stored, Point)
    assert stored.coords == pytest.approx(KOELN, abs=1e-6)


def test_contribution_with_typed_coordinates_by_keyboard_alone(page: Page, live_server: Any) -> None:
    procedure = running_procedure()
    inside = procedure.area.point_on_surface.transform(LONLAT, clone=True)
    assert isinstance(inside, Point)
    page.goto(f"{live_server.url}/verfahren/{procedure.slug}/")
    page.wait_for_load_state("networkidle")

    # The page's own jump link leads to the form.
    tab_to(page, lambda element: element["href"] == "#beitragen")
    page.keyboard.press("Enter")
    tab_to(page, by_id("id_text"), limit=5)

    # Sent empty first: the summary gets focus and its link leads to the text.
    tab_to(page, lambda element: element["text"] == "Beitrag absenden", limit=20)
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#id_text"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_text"
    text = "Hier fehlt eine sichere Querung für Fußgänger."
    page.keyboard.type(text)

    # The shape with the arrows, then the place typed.
    tab_to(page, lambda element: element["name"] == "shape", limit=3)
    for _ in range(4):
        if page.get_by_role("radio", name="Punkt", exact=True).is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Punkt", exact=True)).to_be_checked()
    tab_to(page, by_id("id_coordinates"), limit=3)
    page.keyboard.type(f"{inside.x:.6f} {inside.y:.6f}")
    tab_to(page, by_id("id_email"), limit=3)
    page.keyboard.type("tastatur@example.org")
    tab_to(page, lambda element: element["text"] == "Beitrag absenden", limit=6)
    page.keyboard.press("Space")

    page.wait_for_url(CONTRIBUTED)
    match = CONTRIBUTED.search(page.url)
    assert match
    contribution = Contribution.objects.get(pk=int(match.group(1)))
    assert contribution.procedure_id == procedure.pk
    assert contribution.text == text
    assert isinstance(contribution.geometry, Point)
    place = contribution.geometry.transform(LONLAT, clone=True)
    assert isinstance(place, Point)
    assert place.coords == pytest.approx(inside.coords, abs=1e-5)


# --- Visible focus ------------------------------------------------------------------------------

FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const parse = (color) => {
        const match = color.match(/rgba?\\(([^)]+)\\)/);
        if (!match) { return null; }
        const [r, g, b, a = 1] = match[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
        return {r, g, b, a};
    };
    const luminance = ({r, g, b}) => {
        const channel = (value) => {
            value /= 255;
            return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const contrast = (one, two) => {
        const [light, dark] = [luminance(one), luminance(two)].sort((a, b) => b - a);
        return (light + 0.05) / (dark + 0.05);
    };
    // What the indicator is drawn on: the first opaque background around the element.
    let background = {r: 255, g: 255, b: 255, a: 1};
    for (let node = element.parentElement; node; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if (color && color.a > 0.5) { background = color; break; }
    }
    const style = getComputedStyle(element);
    const colors = [];
    const outlineWidth = parseFloat(style.outlineWidth) || 0;
    if (style.outlineStyle !== "none" && style.outlineStyle !== "auto" && outlineWidth >= 2) {
        colors.push(parse(style.outlineColor));
    }
    if (style.boxShadow && style.boxShadow !== "none") {
        for (const part of style.boxShadow.match(/rgba?\\([^)]+\\)/g) || []) { colors.push(parse(part)); }
    }
    const best = Math.max(0, ...colors.filter(Boolean).filter((c) => c.a > 0.5).map((c) => contrast(c, background)));
    return {
        element: element.outerHTML.slice(0, 120),
        outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
        boxShadow: style.boxShadow,
        contrast: best,
    };
}"""


def assert_focus_visible(page: Page) -> None:
    """Assert the focused element shows a solid indicator at least 2px wide that contrasts with its surroundings."""
    style = page.evaluate(FOCUS_STYLE)
    assert style["contrast"] >= FOCUS_CONTRAST, f"focus not visible enough: {style}"


# Per page: (a selector that matches the element while it has focus, what it is).
FOCUS_TARGETS = {
    "/meldungen/neu/": [
        ("a.skip-link", "skip link"),
        (".site-nav a", "link on the blue header"),
        (".language-switch button", "button on the blue header"),
        (".folium-map", "the map itself"),
        (".leaflet-control-zoom-in", "a map control"),
        ("#id_lon", "text input"),
        ("button.primary", "primary button"),
        ("#id_q", "search field"),
        ("form[role=search] button", "secondary button"),
        ("input[type=file]", "file input"),
        (".site-footer a", "footer link"),
    ],
    "/meldungen/neu/?lon=6.9583&lat=50.9413": [("input[type=radio]", "radio button"), ("main p a", "link in the text")],
    "/meldungen/neu/?lon=6.9583&lat=50.9413&category=strassenschaden": [
        ("select", "select"),
        ("textarea", "textarea"),
        ("input[type=checkbox]", "checkbox"),
    ],
}


def test_focus_is_visible_on_every_kind_of_control(page: Page, live_server: Any) -> None:
    weak: dict[str, dict[str, Any]] = {}
    for path, targets in FOCUS_TARGETS.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        seen: dict[str, dict[str, Any]] = {}
        for _press in range(80):
            page.keyboard.press("Tab")
            for selector, label in targets:
                if label not in seen and page.evaluate("(s) => document.activeElement.matches(s)", selector):
                    seen[label] = page.evaluate(FOCUS_STYLE)
            if len(seen) == len(targets):
                break
        missing = [label for _selector, label in targets if label not in seen]
        assert missing == [], f"never reached by Tab on {path}: {missing}"
        weak.update({label: style for label, style in seen.items() if style["contrast"] < FOCUS_CONTRAST})
    assert weak == {}, f"focus not visible enough: {weak}"


def test_procedure_drawing_tools_show_focus(page: Page, live_server: Any) -> None:
    procedure = running_procedure()
    page.goto(f"{live_server.url}/verfahren/{procedure.slug}/")
    page.wait_for_load_state("networkidle")
    tab_to(page, lambda element: element["tag"] == "button" and bool(re.search("Punkt setzen", element["text"])))
    assert_focus_visible(page)
    tab_to(page, lambda element: element["id"] == "id_text")
    assert_focus_visible(page)


# --- Errors announced ---------------------------------------------------------------------------

ERROR_WIRING = """(form) => {
    const root = document.querySelector(form);
    const alerts = [...root.querySelectorAll("[role=alert], [aria-live=assertive]")];
    const alert = alerts.map((element) => element.textContent).join(" ").replace(/\\s+/g, " ").trim();
    const invalid = [...root.querySelectorAll("[aria-invalid=true]")].map((field) => {
        const ids = (field.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
        const described = ids.map((id) => document.getElementById(id)).filter(Boolean);
        return {
            id: field.id,
            describedBy: ids,
            missing: ids.filter((id) => !document.getElementById(id)),
            errorText: described.filter((element) => element.querySelector(".error") || element.matches(".error"))
                .map((element) => element.textContent.trim()).join(" "),
        };
    });
    return {alert, invalid};
}"""


def error_wiring(page: Page, form: str) -> dict[str, Any]:
    wiring: dict[str, Any] = page.evaluate(ERROR_WIRING, form)
    return wiring


def assert_errors_announced(wiring: dict[str, Any], fields: set[str]) -> None:
    assert wiring["alert"], "no element announces the errors"
    by_field = {field["id"]: field for field in wiring["invalid"]}
    assert fields <= set(by_field), f"not marked aria-invalid: {fields - set(by_field)}"
    for field in by_field.values():
        assert field["missing"] == [], field
        assert f"{field['id']}_error" in field["describedBy"], field
        assert field["errorText"], f"{field['id']} is not described by its error: {field}"
        assert field["errorText"] in wiring["alert"] or any(
            part in wiring["alert"] for part in field["errorText"].split(". ")
        ), (field, wiring["alert"])


def test_report_details_errors_are_announced_and_tied_to_their_fields(page: Page, live_server: Any) -> None:
    lon, lat = KOELN
    page.goto(f"{live_server.url}/meldungen/neu/?lon={lon}&lat={lat}&category=strassenschaden")
    page.fill("#id_email", "keine-adresse")
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_visible()
    wiring = error_wiring(page, "main form[method=post][enctype]")
    assert_errors_announced(wiring, {"id_description", "id_q_groesse", "id_email"})
    assert "Bitte prüfen Sie Ihre Angaben" in wiring["alert"]


def test_errors_of_the_place_step_and_the_map_forms_are_announced_and_tied_to_their_fields(
    page: Page, live_server: Any
) -> None:
    for path, form, fields in (
        ("/meldungen/neu/?lon=200&lat=abc", "#place-form", {"id_lon", "id_lat"}),
        ("/?lon=abc&lat=", "form.locate-form", {"id_lon", "id_lat"}),
        ("/karte/?kind=gibtesnicht", "form.procedure-filters", {"id_kind"}),
    ):
        page.goto(f"{live_server.url}{path}")
        assert_errors_announced(error_wiring(page, form), fields)


def test_contribution_errors_are_announced_and_tied_to_their_fields(page: Page, live_server: Any) -> None:
    procedure = running_procedure()
    page.goto(f"{live_server.url}/verfahren/{procedure.slug}/")
    page.get_by_role("radio", name="Punkt", exact=True).check()
    page.fill("#id_coordinates", "200 abc")
    page.fill("#id_email", "keine-adresse")
    page.locator("#id_email").press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    wiring = error_wiring(page, "#contribution-form")
    assert_errors_announced(wiring, {"id_text", "id_coordinates", "id_email"})
