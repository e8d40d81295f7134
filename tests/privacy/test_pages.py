"""The privacy notice, the record of stored data, and the accessibility statement with its feedback form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from privacy import registry
from privacy.models import AccessibilityFeedback

pytestmark = pytest.mark.django_db


def page(client: Client, name: str, **params: Any) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode()


def assert_nothing_loaded_from_elsewhere(html: str) -> None:
    """Assert that the browser fetches nothing from another host: no src, no stylesheet or script href."""
    assert not re.search(r"""\ssrc=["'](https?:)?//""", html)
    assert not re.search(r"""<link[^>]+href=["'](https?:)?//""", html)


def test_privacy_notice_names_controller_period_bases_rights_and_cookies(client: Client, settings: Any) -> None:
    settings.BK_PRIVACY = {
        **settings.BK_PRIVACY,
        "CONTROLLER": "Stadt Beispielstadt, Der Bürgermeister",
        "CONTROLLER_ADDRESS": "Rathausplatz 1\n12345 Beispielstadt",
        "CONTROLLER_EMAIL": "datenschutz@beispielstadt.de",
        "ANONYMISE_AFTER_DAYS": 123,
    }
    html = page(client, "privacy:notice")
    assert "Stadt Beispielstadt, Der Bürgermeister" in html
    assert "Rathausplatz 1<br>12345 Beispielstadt" in html
    assert "mailto:datenschutz@beispielstadt.de" in html
    assert "123 Tage" in html
    assert "Art. 6 Abs. 1 lit. e DSGVO" in html
    for right in ("Art. 15", "Art. 17", "Art. 20", "Art. 21", "Aufsichtsbehörde"):
        assert right in html
    for cookie in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME):
        assert f"<code>{cookie}</code>" in html
    assert "keine IP-Adressen" in html
    assert reverse("privacy:record") in html
    assert reverse("privacy:account") in html
    assert "lorem" not in html.lower()
    assert_nothing_loaded_from_elsewhere(html)


def test_pages_exist_in_english_too(client: Client) -> None:
    with translation.override("en"):
        paths = [reverse(name) for name in ("privacy:notice", "privacy:record", "privacy:accessibility")]
    assert paths == ["/en/privacy/", "/en/privacy/record/", "/en/accessibility/"]
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_footer_links_to_privacy_and_accessibility(client: Client) -> None:
    html = page(client, "reports:list")
    assert f'href="{reverse("privacy:notice")}"' in html
    assert f'href="{reverse("privacy:accessibility")}"' in html


# --- The record of stored data ---------------------------------------------------------------


def test_every_personal_looking_field_is_in_the_record() -> None:
    listed = {(entry.model, field) for entry in registry.REGISTRY for field in entry.fields}
    missing = [
        f"{label}.{field}"
        for label, field in registry.personal_looking_fields()
        if (label, field) not in listed and f"{label}.{field}" not in registry.NOT_PERSONAL
    ]
    assert missing == [], "add these to privacy/registry.py (REGISTRY, or NOT_PERSONAL with a reason)"


def test_the_completeness_check_notices_a_new_field(monkeypatch: pytest.MonkeyPatch) -> None:
    without_reports = tuple(entry for entry in registry.REGISTRY if entry.model != "reports.Report")
    monkeypatch.setattr(registry, "REGISTRY", without_reports)
    listed = {(entry.model, field) for entry in registry.REGISTRY for field in entry.fields}
    unlisted = {pair for pair in registry.personal_looking_fields() if pair not in listed}
    assert {("reports.Report", "reporter_name"), ("reports.Report", "reporter_email")} <= unlisted


def test_every_recorded_field_exists_and_every_exception_is_real() -> None:
    for entry in registry.installed_entries():
        model = entry.model_class()
        for field in entry.fields:
            model._meta.get_field(field)  # raises FieldDoesNotExist
        assert entry.retention_text()
    for dotted in registry.NOT_PERSONAL:
        label, field = dotted.rsplit(".", 1)
        apps.get_model(label)._meta.get_field(field)


def test_record_page_lists_every_entry_with_its_period(client: Client, settings: Any) -> None:
    settings.BK_PRIVACY = {**settings.BK_PRIVACY, "ANONYMISE_AFTER_DAYS": 45}
    html = page(client, "privacy:record")
    for entry in registry.installed_entries():
        assert f"<code>{entry.model}: {', '.join(entry.fields)}</code>" in html
    assert "bis 45 Tage nach Abschluss der Meldung" in html
    assert "E-Mail" in html  # verbose names of the fields
    assert_nothing_loaded_from_elsewhere(html)


# --- Accessibility statement ------------------------------------------------------------------


def test_accessibility_statement_has_the_parts_the_model_statement_asks_for(client: Client, settings: Any) -> None:
    settings.BK_PRIVACY = {**settings.BK_PRIVACY, "ACCESSIBILITY_REVIEWED_ON": "2026-10-01"}
    html = page(client, "privacy:accessibility")
    assert "Erklärung zur Barrierefreiheit" in html
    assert "teilweise mit den Anforderungen vereinbar" in html
    assert "Nicht barrierefreie Inhalte" in html
    for alternative in ("Karten", "Koordinaten", "Listen"):
        assert alternative in html
    assert "1. Oktober 2026" in html
    assert "Durchsetzungsverfahren" in html
    assert "Ombudsstelle für barrierefreie Informationstechnik" in html
    assert 'href="https://www.lbbp.nrw.de/ombudsstelle"' in html
    assert 'name="message"' in html
    assert_nothing_loaded_from_elsewhere(html)


def test_feedback_is_stored_and_mailed(client: Client, settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.BK_PRIVACY = {**settings.BK_PRIVACY, "ACCESSIBILITY_CONTACT": "barrierefrei@beispielstadt.de"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("privacy:accessibility"),
            {
                "message": "Die Karte lässt sich nicht mit der Tastatur verschieben.",
                "email": "leser@example.org",
                "page_url": "/meldungen/neu/",
            },
        )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.email == "leser@example.org"
    assert feedback.page_url == "/meldungen/neu/"
    [message] = mail.outbox
    assert message.to == ["barrierefrei@beispielstadt.de"]
    assert message.reply_to == ["leser@example.org"]
    assert "nicht mit der Tastatur" in message.body
    assert "Vielen Dank für Ihre Rückmeldung" in client.get(response["Location"]).content.decode()


def test_feedback_page_can_be_prefilled_with_the_page_it_is_about(client: Client) -> None:
    html = page(client, "privacy:accessibility", seite="/verfahren/radwege/")
    assert 'value="/verfahren/radwege/"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"message": "", "email": ""}, "Bitte beschreiben Sie kurz"),
        ({"message": "   ", "email": ""}, "Bitte beschreiben Sie kurz"),
        ({"message": "Kontrast", "email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"message": "x" * 4001}, "höchstens 4000 Zeichen"),
    ],
)
def test_invalid_feedback_is_explained_and_not_stored(client: Client, data: dict[str, str], message: str) -> None:
    response = client.post(reverse("privacy:accessibility"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html
    assert message in html
    assert not AccessibilityFeedback.objects.exists()
    assert mail.outbox == []


def test_feedback_from_a_bot_is_refused(client: Client) -> None:
    response = client.post(reverse("privacy:accessibility"), {"message": "Billige Uhren", "homepage": "http://spam"})
    assert response.status_code == 400
    assert not AccessibilityFeedback.objects.exists()


def test_settings_are_checked_at_start(settings: Any) -> None:
    from privacy.checks import check_privacy_settings

    assert check_privacy_settings(app_configs=None) == []
    settings.BK_PRIVACY = {**settings.BK_PRIVACY, "ANONYMISE_AFTER_DAYS": 0, "ACCESSIBILITY_CONTACT": " "}
    assert [error.id for error in check_privacy_settings(app_configs=None)] == ["bk.E302", "bk.E303"]
    settings.BK_PRIVACY = {**settings.BK_PRIVACY, "ACCESSIBILITY_REVIEWED_ON": "gestern"}
    assert [error.id for error in check_privacy_settings(app_configs=None)] == ["bk.E301"]
