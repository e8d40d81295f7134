"""The privacy and accessibility pages in a real Chromium: no WCAG 2.1 A/AA violation, nothing loaded from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from privacy.models import AccessibilityFeedback
from tests.e2e.axe import assert_accessible
from tests.e2e.axe import axe_page as axe_page  # a fixture: pytest finds it here
from tests.e2e.conftest import browser as browser  # a fixture: pytest finds it here
from tests.e2e.conftest import page as page  # a fixture: pytest finds it here
from tests.privacy.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pages_are_accessible_in_every_state(axe_page: Page, live_server: Any, citizen: User) -> None:
    for path in ("/datenschutz/", "/datenschutz/verzeichnis/", "/barrierefreiheit/"):
        axe_page.goto(f"{live_server.url}{path}")
        assert_accessible(axe_page, live_server)

    # The feedback form with errors, then sent.
    axe_page.goto(f"{live_server.url}/barrierefreiheit/")
    axe_page.get_by_label("E-Mail für eine Antwort (freiwillig)").fill("keine-adresse")
    axe_page.get_by_role("button", name="Rückmeldung senden").click()
    expect(axe_page.get_by_role("alert")).to_contain_text("Bitte beschreiben Sie kurz")
    assert_accessible(axe_page, live_server)
    axe_page.get_by_label("Welche Barriere ist Ihnen begegnet?").fill("Die Karte reagiert nicht auf die Tastatur.")
    axe_page.get_by_label("E-Mail für eine Antwort (freiwillig)").fill("")
    axe_page.get_by_role("button", name="Rückmeldung senden").click()
    expect(axe_page.get_by_role("status")).to_contain_text("Vielen Dank für Ihre Rückmeldung")
    assert_accessible(axe_page, live_server)
    assert AccessibilityFeedback.objects.get().message == "Die Karte reagiert nicht auf die Tastatur."

    # The account pages, signed in.
    axe_page.goto(f"{live_server.url}/anmelden/?next=/konto/")
    axe_page.get_by_label("Benutzername").fill(citizen.username)
    axe_page.get_by_label("Passwort").fill(PASSWORD)
    axe_page.locator("main form button[type=submit]").click()
    expect(axe_page.get_by_role("heading", name="Mein Konto")).to_be_visible()
    assert_accessible(axe_page, live_server)
    axe_page.get_by_role("link", name="Konto löschen …").click()
    axe_page.get_by_role("button", name="Konto endgültig löschen").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    assert_accessible(axe_page, live_server)


def test_nothing_is_loaded_from_another_host(page: Page, live_server: Any) -> None:
    for path in ("/datenschutz/", "/datenschutz/verzeichnis/", "/barrierefreiheit/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    log = page.request_log  # type: ignore[attr-defined]
    assert log.foreign == []
    assert log.http_errors == []
