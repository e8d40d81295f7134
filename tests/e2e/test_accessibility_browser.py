"""axe-core in a real headless Chromium over every public page state: no WCAG 2.1 A/AA violation anywhere.

Each test walks through related pages and their states (maps drawn, forms with errors, lists, embeds) and
collects what axe finds on each, so that one failing run names every page and node to fix.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from procedures.models import Procedure, ProcedureStatus
from reports.models import Report
from tests.e2e.axe import assert_accessible, axe_violations, describe
from tests.e2e.axe import axe_page as axe_page  # a fixture: pytest finds it here

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KOELN = (6.9583, 50.9413)  # lon, lat: near the cathedral


class Audit:
    """Collect axe's findings page by page; fail once at the end with all of them."""

    def __init__(self, page: Page, live_server: Any) -> None:
        self.page = page
        self.live_server = live_server
        self.findings: list[str] = []
        self.checked: list[str] = []

    def open(self, path: str, *, status: int = 200) -> None:
        """Load a page of ours and wait until its maps and lists have loaded."""
        response = self.page.goto(f"{self.live_server.url}{path}")
        assert response is not None
        assert response.status == status, f"{path}: {response.status}"
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        # Leaflet's zoom and fade animations move nodes in and out while they run.
        self.page.wait_for_timeout(300)

    def check(self, label: str) -> None:
        """Run axe on the page as it is now."""
        violations = axe_violations(self.page, self.live_server)
        self.checked.append(label)
        if violations:
            self.findings.append(f"== {label} ({self.page.url})\n{describe(violations)}")

    def visit(self, label: str, path: str, *, status: int = 200) -> None:
        self.open(path, status=status)
        self.check(label)

    def done(self) -> None:
        assert self.checked, "no page was checked"
        js_errors = self.page.js_errors  # type: ignore[attr-defined]
        assert js_errors == [], js_errors
        if self.findings:
            pytest.fail("WCAG 2.1 A/AA violations found by axe-core:\n\n" + "\n\n".join(self.findings), pytrace=False)


@pytest.fixture
def audit(axe_page: Page, live_server: Any) -> Audit:
    return Audit(axe_page, live_server)


def english(name: str, *args: Any) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def running_procedure() -> Procedure:
    """The running procedure with a drawing map (several kinds of place) and the most public contributions."""
    candidates = [
        procedure
        for procedure in Procedure.objects.published().with_status()
        if procedure.status == ProcedureStatus.RUNNING and len(procedure.allowed_geometries) > 1
    ]
    assert candidates, "the demo data has no running procedure that takes places"
    return max(candidates, key=lambda procedure: (procedure.contributions.public().count(), procedure.slug))


# --- The helper itself ------------------------------------------------------------------------


def test_axe_finds_what_it_is_meant_to_find(axe_page: Page, live_server: Any) -> None:
    """The check can fail: a page stripped of its protections shows the violations this suite guards against."""
    axe_page.goto(f"{live_server.url}/meldungen/neu/")
    axe_page.wait_for_load_state("networkidle")
    assert_accessible(axe_page, live_server)
    axe_page.evaluate(
        """() => {
            document.documentElement.removeAttribute("lang");
            document.querySelector("label[for=id_lon]").remove();
            document.querySelector(".leaflet-control-zoom-in").removeAttribute("aria-label");
            document.querySelector(".leaflet-control-zoom-in").removeAttribute("title");
            document.querySelector(".leaflet-control-zoom-in").textContent = "";
            document.querySelector("header").style.background = "#7fb2dc";
            document.querySelector("main h1").insertAdjacentHTML("afterend", "<h4>Zwischentitel</h4>");
        }"""
    )
    found = {violation["id"] for violation in axe_violations(axe_page, live_server)}
    assert {"html-has-lang", "label", "link-name", "color-contrast", "heading-order"} <= found, found
    with pytest.raises(AssertionError, match="html-has-lang"):
        assert_accessible(axe_page, live_server)


# --- Maps of authorities and procedures --------------------------------------------------------


def test_map_pages_in_german_and_english(audit: Audit) -> None:
    lon, lat = KOELN
    audit.visit("who is responsible", "/")
    audit.visit("who is responsible, answered", f"/?lon={lon}&lat={lat}")
    audit.visit("who is responsible, invalid coordinates", "/?lon=abc&lat=")
    audit.visit("who is responsible, outside NRW", "/?lon=11.88&lat=43.46")
    audit.visit("who is responsible, English", "/en/")
    audit.visit("overview map", reverse("layers:overview"))
    audit.visit("overview map, filtered to nothing", f"{reverse('layers:overview')}?q=gibtesnichtxyz")
    audit.visit("overview map, invalid filter", f"{reverse('layers:overview')}?kind=gibtesnicht")
    audit.visit("overview map, English", english("layers:overview"))
    audit.done()


def test_reports_list_and_detail(audit: Audit) -> None:
    audit.visit("reports list with its tile map", reverse("reports:list"))
    audit.visit("reports list, filtered", f"{reverse('reports:list')}?status=in_progress")
    audit.visit("reports list, English", english("reports:list"))
    reports = Report.objects.public()
    with_photo = reports.filter(photos__isnull=False).order_by("pk").first()
    for report in {reports.order_by("pk").first(), with_photo} - {None}:
        assert report is not None
        audit.visit(f"report {report.pk}", reverse("reports:detail", args=[report.pk]))
    first = reports.order_by("pk").first()
    assert first is not None
    audit.visit("report, English", english("reports:detail", first.pk))
    audit.done()


# --- The report wizard ---------------------------------------------------------------------------


def test_report_wizard_with_its_errors_and_confirmation(audit: Audit) -> None:
    page = audit.page
    lon, lat = KOELN
    new = reverse("reports:new")
    audit.visit("place step", new)
    audit.visit("place step, search results", f"{new}?q=Aachener")
    audit.visit("place step, nothing found", f"{new}?q=Gibtsnichtstrasse")
    audit.visit("place step, invalid coordinates", f"{new}?lon=200&lat=abc", status=422)
    audit.visit("place step, outside NRW", f"{new}?lon=11.88&lat=43.46", status=422)
    audit.visit("place step, English", english("reports:new"))

    audit.visit("category step", f"{new}?lon={lon}&lat={lat}")
    audit.visit("category step, unknown category", f"{new}?lon={lon}&lat={lat}&category=gibtesnicht", status=422)
    expect(page.locator("main [role=alert]")).to_be_visible()

    audit.visit("details step", f"{new}?lon={lon}&lat={lat}&category=strassenschaden")
    page.get_by_role("button", name="Meldung absenden").click()
    audit.settle()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("details step with errors")
    audit.visit("details step, English", f"{english('reports:new')}?lon={lon}&lat={lat}&category=muell")

    page.fill("#id_description", "Sperrmüll am Straßenrand.")
    page.check("#id_q_art_0")
    page.fill("#id_email", "melder@example.org")
    page.get_by_role("button", name="Submit report").click()
    page.wait_for_url(re.compile(r"/reports/\d+/\?neu=1"))
    audit.settle()
    audit.check("own report, just submitted, English")

    confirm = reverse("reports:confirm", args=["kein-gueltiger-schluessel"])
    audit.visit("report confirmation", confirm)
    page.get_by_role("button", name="Meldung jetzt bestätigen").click()
    audit.settle()
    audit.check("report confirmation, invalid link")
    audit.done()


# --- Procedures ---------------------------------------------------------------------------------


def test_procedure_pages_with_the_contribution_form_and_its_errors(audit: Audit) -> None:
    page = audit.page
    procedure = running_procedure()
    detail = reverse("procedures:detail", args=[procedure.slug])
    audit.visit("procedure with drawing map", detail)
    audit.visit("procedure, English", english("procedures:detail", procedure.slug))

    audit.open(detail)
    page.get_by_role("button", name="Beitrag absenden").click()
    audit.settle()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("contribution form with errors")

    page.fill("#id_text", "Hier fehlt ein Zebrastreifen.")
    page.get_by_label("Punkt", exact=True).check()
    page.fill("#id_coordinates", "200 abc")
    page.get_by_role("button", name="Beitrag absenden").click()
    audit.settle()
    audit.check("contribution form, invalid coordinates")

    ended = next(
        (item for item in Procedure.objects.published().with_status() if item.status == ProcedureStatus.ENDED), None
    )
    if ended is not None:
        audit.visit("ended procedure", reverse("procedures:detail", args=[ended.slug]))
    idea = next((item for item in Procedure.objects.published() if not item.allowed_geometries), None)
    if idea is not None:
        audit.visit("procedure without places", reverse("procedures:detail", args=[idea.slug]))

    confirm = reverse("procedures:confirm", args=["kein-gueltiger-schluessel"])
    audit.visit("contribution confirmation", confirm)
    page.get_by_role("button").filter(has_text="bestätigen").last.click()
    audit.settle()
    audit.check("contribution confirmation, invalid link")
    audit.done()


def test_embeds(audit: Audit) -> None:
    page = audit.page
    procedure = running_procedure()
    audit.visit("overview embed", reverse("layers:embed-overview"))
    summary = page.locator(".embed-list summary")
    if summary.count():
        summary.click()
        audit.check("overview embed, list open")
    audit.visit("procedure embed", reverse("layers:embed-procedure", args=[procedure.slug]))
    audit.visit("procedure embed, English", english("layers:embed-procedure", procedure.slug))
    audit.done()


# --- OGC API, site pages and errors ------------------------------------------------------------


def test_ogc_api_html_pages(audit: Audit) -> None:
    page = audit.page
    audit.visit("OGC landing page", "/ogc/?f=html")
    audit.visit("OGC conformance", "/ogc/conformance?f=html")
    audit.visit("OGC collections", "/ogc/collections?f=html")
    collection = page.locator("main a[href*='/ogc/collections/']").first.get_attribute("href")
    assert collection
    collection_path = collection.split("?")[0].removeprefix(audit.live_server.url)
    audit.visit("OGC collection", f"{collection_path}?f=html")
    audit.visit("OGC items", f"{collection_path}/items?f=html&limit=5")
    item = page.locator("main a[href*='/items/']").first.get_attribute("href")
    if item:
        audit.visit("OGC item", f"{item.split('?')[0].removeprefix(audit.live_server.url)}?f=html")
    audit.visit("OGC API description", "/ogc/api?f=html")
    audit.done()


def test_login_privacy_and_accessibility_pages(audit: Audit) -> None:
    page = audit.page
    login = reverse("accounts:login")
    audit.visit("login", login)
    page.get_by_role("button", name="Anmelden").last.click()
    audit.settle()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("login, nothing entered")
    page.locator("input[name=username]").fill("niemand")
    page.locator("input[name=password]").fill("falsches-passwort")
    page.get_by_role("button", name="Anmelden").last.click()
    audit.settle()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.check("login, wrong password")
    audit.visit("login, English", english("accounts:login"))
    audit.visit("privacy notice", reverse("privacy:notice"))
    audit.visit("record of processing", reverse("privacy:record"))
    audit.visit("accessibility statement", reverse("privacy:accessibility"))
    audit.visit("accessibility statement, English", english("privacy:accessibility"))
    audit.done()


def test_not_found_pages(audit: Audit) -> None:
    audit.visit("404", "/gibt-es-nicht/", status=404)
    audit.visit("404, English", "/en/does-not-exist/", status=404)
    audit.visit("404 of a report", "/meldungen/999999/", status=404)
    audit.done()


# --- Maps named for assistive technology ---------------------------------------------------------

MAP_NAMES = """() => [...document.querySelectorAll(".folium-map")].map((map) => ({
    role: map.getAttribute("role"),
    label: map.getAttribute("aria-label"),
    tabindex: map.getAttribute("tabindex"),
    zoom: [...map.querySelectorAll(".leaflet-control-zoom a")].map((link) => link.getAttribute("aria-label")),
    markers: [...map.querySelectorAll("img.leaflet-marker-icon")].map((img) => img.getAttribute("alt")),
}))"""


def test_maps_say_what_they_show_and_how_keys_move_them(page: Page, live_server: Any) -> None:
    """Leaflet's container is a tab stop; without a role and name a screen reader announces nothing there."""
    hint = "Pfeiltasten verschieben die Karte, Plus und Minus vergrößern und verkleinern sie."
    for path in ("/", "/meldungen/neu/?lon=6.9583&lat=50.9413&aendern=1", "/meldungen/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        (described,) = page.evaluate(MAP_NAMES)
        frame_label = page.locator(".map-frame").get_attribute("aria-label")
        assert frame_label
        assert described["tabindex"] == "0", path
        assert described["role"] == "application", path
        assert described["label"] == f"{frame_label}. {hint}", path
        assert described["zoom"] == ["Vergrößern", "Verkleinern"], path
        assert all(alt and alt != "Marker" for alt in described["markers"]), (path, described["markers"])
        if "aendern" in path:
            assert len(described["markers"]) == 1, "the place given is pinned"
