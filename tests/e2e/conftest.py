"""A real headless Chromium (Debian's package), driven by Playwright, against a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("BK_CHROMIUM", "/usr/bin/chromium"))
# No background traffic: the machine may have no network, and a citizen's browser talks only to us.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Start Debian's Chromium for one test.

    Not once per session: Playwright keeps an asyncio loop running in the test thread, and Django's
    connections are context-local, so while it runs the database fixtures of the next test would
    get a fresh connection without the snapshot that serialized_rollback restores.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}; `make test` installs the Debian package chromium.")
    # Playwright's sync API runs an event loop in the test thread, and Django then refuses ORM
    # calls there; the tests' own queries are plain synchronous ones, so allow them while it runs.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        # The test's own queries ran on connections of Playwright's context; close them, or they
        # keep the test database from being dropped at the end.
        connections.close_all()
        chromium.close()


class RequestLog:
    """Every request a page makes, so that a test can prove none leaves our server."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.http_errors: list[str] = []

    def record(self, url: str) -> None:
        if not url.startswith((self.origin, "data:", "blob:")):
            self.foreign.append(url)


@pytest.fixture
def page(browser: Browser, live_server: object) -> Iterator[Page]:
    """Open a fresh page in its own context (no cookies shared between tests)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="de-DE")
    page = context.new_page()
    log = RequestLog(str(live_server.url))  # type: ignore[attr-defined]
    page.on("request", lambda request: log.record(request.url))
    page.on("console", lambda message: log.failed.append(message.text) if message.type == "error" else None)
    page.on(
        "response",
        lambda response: (
            log.http_errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.request_log = log  # type: ignore[attr-defined]
    yield page
    context.close()
