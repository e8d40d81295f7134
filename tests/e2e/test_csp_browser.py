"""The site's Content-Security-Policy in a real headless Chromium: every page works under it.

Each page is opened with a listener for `securitypolicyviolation` and the console; a page passes when
the browser blocked nothing, logged no error and every request it made reached our server and came
back without an error. A last test proves the listener sees what the policy blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, Request
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from procedures.models import Procedure
from reports.models import Report
from tests.procedures.conftest import make_contribution as make_contribution  # fixtures: pytest finds them here
from tests.procedures.conftest import make_procedure as make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Köln, near the cathedral (inside NRW and inside a Gemeinde with report categories).
LON, LAT = 6.9603, 50.9375
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.reportCspViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


@dataclass
class BrowserLog:
    """What the browser blocked or failed on, per page opened."""

    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        return [*self.violations, *self.console, *self.failed_requests]


@pytest.fixture
def watched(page: Page) -> tuple[Page, BrowserLog]:
    """Return the page with a log of CSP violations, console errors and failed requests."""
    log = BrowserLog()

    def on_violation(text: str) -> None:
        log.violations.append(text)

    page.expose_function("reportCspViolation", on_violation)
    page.add_init_script(LISTEN)

    def on_console(message: Any) -> None:
        # Chromium logs every blocked resource or inline code as an error naming the policy.
        if message.type == "error" or "Content Security Policy" in message.text:
            log.console.append(f"{message.type}: {message.text}")

    def on_failed(request: Request) -> None:
        # A navigation away from a page aborts its last requests; those are not the page's fault.
        if request.failure != "net::ERR_ABORTED":
            log.failed_requests.append(f"{request.failure} {request.url}")

    page.on("console", on_console)
    page.on("requestfailed", on_failed)
    return page, log


def visit(page: Page, log: BrowserLog, url: str, *, ready: str | None = None) -> list[str]:
    """Open a URL, wait until it is quiet (and `ready` is visible), and return what went wrong there."""
    before = len(log.failures())
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url}: {response.status}"
    assert "content-security-policy" in response.headers  # Playwright gives header names in lower case
    page.wait_for_load_state("networkidle")
    if ready:
        try:
            page.locator(ready).first.wait_for(state="visible", timeout=15000)
        except PlaywrightTimeoutError:
            pytest.fail(f"{url}: {ready} never appeared; the browser logged {log.failures()[before:]}")
    # Violations are reported through an exposed function: give the last ones time to arrive.
    page.wait_for_timeout(200)
    request_log = page.request_log  # type: ignore[attr-defined]
    assert request_log.foreign == [], f"{url}: requests to other hosts"
    assert request_log.http_errors == [], f"{url}: {request_log.http_errors}"
    return [f"{url}: {failure}" for failure in log.failures()[before:]]


def test_public_pages_run_under_the_policy(
    watched: tuple[Page, BrowserLog],
    live_server: Any,
    make_procedure: Callable[..., Procedure],
    make_contribution: Callable[..., Any],
) -> None:
    page, log = watched
    procedure = make_procedure()
    make_contribution(procedure)
    report = Report.objects.public().first()
    assert report is not None, "the demo data has public reports"
    base = live_server.url
    problems: list[str] = []
    pages = [
        ("/", ".leaflet-container"),
        ("/karte/", ".leaflet-container"),
        ("/meldungen/", ".leaflet-container"),
        ("/meldungen/neu/", ".leaflet-container"),
        (f"/meldungen/neu/?lon={LON}&lat={LAT}", None),
        (f"/meldungen/neu/?lon={LON}&lat={LAT}&category=strassenschaden", None),
        (f"/meldungen/{report.pk}/", ".leaflet-container"),
        (f"/verfahren/{procedure.slug}/", ".leaflet-container"),
        ("/ogc/?f=html", None),
        ("/ogc/collections?f=html", None),
    ]
    for path, ready in pages:
        problems += visit(page, log, f"{base}{path}", ready=ready)
    assert problems == []


def test_the_drawing_map_runs_under_the_policy(
    watched: tuple[Page, BrowserLog], live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    page, log = watched
    procedure = make_procedure()
    problems = visit(page, log, f"{live_server.url}/verfahren/{procedure.slug}/", ready=".leaflet-container")
    # leaflet-geoman builds its drawing layer and hint lines only once drawing starts.
    page.locator('[data-draw="point"]').click()
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(200)
    assert [*problems, *log.failures()] == []


def test_embeds_run_under_the_policy(
    watched: tuple[Page, BrowserLog], live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    page, log = watched
    procedure = make_procedure()
    problems: list[str] = []
    for path in (f"/einbetten/verfahren/{procedure.slug}/", "/einbetten/karte/?authority=05315000"):
        problems += visit(page, log, f"{live_server.url}{path}", ready=".leaflet-container")
    assert problems == []


def test_admin_and_its_map_widget_run_under_the_policy(
    watched: tuple[Page, BrowserLog], live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    page, log = watched
    procedure = make_procedure()
    report = Report.objects.first()
    assert report is not None
    get_user_model().objects.create_superuser("csp-admin", "csp@example.org", "ein-langes-Passwort-123")
    problems = visit(page, log, f"{live_server.url}/admin/login/")
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", "ein-langes-Passwort-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    for path in (
        "/admin/",
        f"/admin/procedures/procedure/{procedure.pk}/change/",
        f"/admin/reports/report/{report.pk}/change/",
        "/admin/procedures/procedure/",
    ):
        problems += visit(page, log, f"{live_server.url}{path}")
    # The map widget started from its static file: OpenLayers drew the map and our boundaries.
    page.goto(f"{live_server.url}/admin/procedures/procedure/{procedure.pk}/change/")
    page.locator(".dj_map .ol-viewport canvas").first.wait_for(state="attached")
    assert page.evaluate("() => typeof window.geodjango_area") == "object"
    page.wait_for_function("() => window.geodjango_area.featureOverlay.getSource().getFeatures().length > 0")
    assert [*problems, *log.failures()] == []


def test_api_documentation_runs_under_the_policy(watched: tuple[Page, BrowserLog], live_server: Any) -> None:
    page, log = watched
    assert visit(page, log, f"{live_server.url}/api/v1/docs/", ready=".swagger-ui .opblock") == []


def test_the_browser_reports_what_the_policy_blocks(
    watched: tuple[Page, BrowserLog], live_server: Any, make_procedure: Callable[..., Procedure]
) -> None:
    """The listener is not deaf: an inline script without the nonce and a foreign image are refused and reported."""
    page, log = watched
    assert visit(page, log, f"{live_server.url}/karte/", ready=".leaflet-container") == []
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true;";
            document.body.appendChild(script);
            const image = document.createElement("img");
            image.src = "https://tile.openstreetmap.org/0/0/0.png";
            document.body.appendChild(image);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected === true") is False
    assert any(violation.startswith("script-src-elem blocked inline") for violation in log.violations), log.violations
    assert any(
        violation.startswith("img-src blocked https://tile.openstreetmap.org") for violation in log.violations
    ), log.violations
