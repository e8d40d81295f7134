"""Embedded maps in a real headless Chromium: shown on a page of a listed origin, refused on any other.

Two small HTTP servers on 127.0.0.1 stand in for other sites; each serves one page with an iframe
of our live server (on localhost, so a different origin in any case). Only the first is listed.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from geo.models import Authority
from layers.models import EmbedOrigin
from procedures.models import Contribution, Procedure
from tests.procedures.conftest import KOELN_KEY, KOELN_NEUMARKT
from tests.procedures.conftest import make_contribution as make_contribution  # fixtures: pytest finds them here
from tests.procedures.conftest import make_procedure as make_procedure
from tests.reports.conftest import stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOADED = re.compile(r"Beitr(ag|äge) mit Ort auf der Karte\.|Verfahren auf der Karte\.")


@dataclass
class OtherSite:
    """A site of someone else's on 127.0.0.1 that serves one page embedding a path of ours."""

    embed_url: str
    server: http.server.ThreadingHTTPServer = field(init=False)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def page_html(self) -> bytes:
        return (
            '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Andere Seite</title></head>'
            f'<body><h1>Andere Seite</h1><iframe id="karte" src="{self.embed_url}" title="Karte" '
            'width="800" height="500"></iframe></body></html>'
        ).encode()


@contextmanager
def other_site(embed_url: str) -> Iterator[OtherSite]:
    """Serve a page embedding `embed_url` on a free port of 127.0.0.1 while the block runs."""
    site = OtherSite(embed_url)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site.page_html() if self.path == "/" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    site.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
        thread.join(timeout=5)


@dataclass
class Visit:
    """A page of another site opened in a fresh browser context, with what it logged and requested."""

    context: BrowserContext
    page: Page
    console: list[str]
    requests: list[str]


@pytest.fixture
def visit(browser: Browser) -> Iterator[Callable[[str], Visit]]:
    """Open a URL in a fresh context (no cookies, nothing shared) and record console and requests."""
    contexts: list[BrowserContext] = []

    def open_(url: str) -> Visit:
        context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        result = Visit(context, page, [], [])

        def on_console(message: ConsoleMessage) -> None:
            result.console.append(message.text)

        page.on("console", on_console)
        page.on("request", lambda request: result.requests.append(request.url))
        page.goto(url)
        return result

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def koeln_procedure(
    make_procedure: Callable[..., Procedure], make_contribution: Callable[..., Contribution]
) -> Procedure:
    """Return a running procedure of Köln with one public contribution at a place and one without."""
    procedure = make_procedure(title="Radwege Neumarkt")
    make_contribution(procedure, text="Hier fehlt ein Radweg.", geometry=stored(*KOELN_NEUMARKT))
    make_contribution(procedure, text="Allgemein: mehr Abstellplätze.")
    return procedure


def allow(origin: str, key: str = KOELN_KEY) -> None:
    EmbedOrigin.objects.create(authority=Authority.objects.get(key=key), origin=origin)


def only_our_and_their_requests(visit: Visit, live_server: Any, site: OtherSite) -> None:
    foreign = [url for url in visit.requests if not url.startswith((str(live_server.url), site.origin, "data:"))]
    assert foreign == []


def test_embed_shows_on_a_listed_origin_and_is_refused_on_another(
    visit: Callable[[str], Visit], live_server: Any, koeln_procedure: Procedure
) -> None:
    embed_url = f"{live_server.url}/einbetten/verfahren/{koeln_procedure.slug}/"
    with other_site(embed_url) as listed, other_site(embed_url) as unlisted:
        allow(listed.origin)

        # Listed: the frame shows the map with the procedure's outline and its contribution at a place.
        shown = visit(f"{listed.origin}/")
        frame = shown.page.frame_locator("#karte")
        expect(frame.locator(".leaflet-container")).to_be_visible()
        expect(frame.locator("#map-status")).to_have_text("Ein Beitrag mit Ort auf der Karte.")
        expect(frame.locator("path.procedure-outline")).to_have_count(1)
        expect(frame.locator("path.contribution")).to_have_count(1)
        # Read-only: nothing to draw with, no form; the way to take part is a link to the full page.
        expect(frame.locator(".leaflet-pm-toolbar")).to_have_count(0)
        expect(frame.locator("form")).to_have_count(0)
        link = frame.get_by_role("link", name=re.compile("^Jetzt mitmachen"))
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener")
        only_our_and_their_requests(shown, live_server, listed)
        # The embed set no cookie, neither for our server nor for the page around it.
        assert shown.context.cookies() == []
        assert not [text for text in shown.console if "frame-ancestors" in text]

        # The link opens the procedure's page in a new tab.
        with shown.context.expect_page() as opened:
            link.click()
        opened.value.wait_for_url(re.compile(rf"/verfahren/{koeln_procedure.slug}/$"))

        # Not listed: Chromium refuses to show our page in the frame.
        refused = visit(f"{unlisted.origin}/")
        expect(refused.page.locator("#karte")).to_be_visible()
        refused.page.wait_for_load_state("load")
        (embedded,) = [frame for frame in refused.page.frames if frame is not refused.page.main_frame]
        expect(refused.page.frame_locator("#karte").locator(".leaflet-container")).to_have_count(0)
        assert not embedded.url.startswith(str(live_server.url))  # an error page stands in for ours
        assert embedded.url.startswith("chrome-error://")
        assert [text for text in refused.console if "frame-ancestors" in text and listed.origin in text]
        assert refused.context.cookies() == []


def test_overview_embed_follows_the_named_authority(
    visit: Callable[[str], Visit], live_server: Any, koeln_procedure: Procedure
) -> None:
    embed_url = f"{live_server.url}/einbetten/karte/?authority={KOELN_KEY}&status=running"
    with other_site(embed_url) as koeln_site, other_site(embed_url) as duisburg_site:
        allow(koeln_site.origin)
        allow(duisburg_site.origin, "05112000")  # listed, but by another authority

        shown = visit(f"{koeln_site.origin}/")
        frame = shown.page.frame_locator("#karte")
        expect(frame.locator("#map-status")).to_have_text(LOADED)
        count = frame.locator("li.procedure-item").count()
        assert count >= 1
        expect(frame.locator("#map-status")).to_have_text(
            "Ein Verfahren auf der Karte." if count == 1 else f"{count} Verfahren auf der Karte."
        )
        expect(frame.locator(f'li.procedure-item[data-slug="{koeln_procedure.slug}"]')).to_have_count(1)
        # Köln's area frames the map: its procedures show as markers or clusters at this zoom.
        expect(frame.locator(".leaflet-marker-icon").first).to_be_visible()
        only_our_and_their_requests(shown, live_server, koeln_site)
        assert shown.context.cookies() == []

        refused = visit(f"{duisburg_site.origin}/")
        refused.page.wait_for_load_state("load")
        expect(refused.page.frame_locator("#karte").locator(".leaflet-container")).to_have_count(0)
        assert [text for text in refused.console if "frame-ancestors" in text]
