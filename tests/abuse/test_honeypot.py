"""Bot checks on public forms instead of a CAPTCHA: a field only bots fill, and a minimum time to fill in."""

from __future__ import annotations

import re
import time
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.test import Client

from abuse.forms import HONEYPOT_FIELD, STARTED_FIELD, started_token
from procedures.models import Contribution, Procedure
from reports.models import Report
from tests.procedures.conftest import make_procedure, running_procedure  # noqa: F401
from tests.reports.conftest import KOELN

pytestmark = pytest.mark.django_db

DETAILS_URL = f"/meldungen/neu/?lon={KOELN[0]}&lat={KOELN[1]}&category=strassenschaden"
REPORT_FORM = {"description": "Loch im Radweg (Honigtopf)", "q_groesse": "klein", "email": "jo@example.org"}
BOT_MESSAGE = "Ihre Angaben konnten nicht angenommen werden"


@pytest.fixture(autouse=True)
def _form_checks_on(settings: Any) -> None:
    settings.BK_ABUSE = {**settings.BK_ABUSE, "FORM_MIN_SECONDS": 3, "FORM_MAX_AGE_SECONDS": 3600}


def token_from(seconds_ago: float) -> str:
    """Return the start token of a form shown this many seconds ago."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds_ago):
        return started_token()


def contribution_form(**fields: str) -> dict[str, str]:
    return {
        "text": "Honigtopf-Beitrag",
        "shape": "",
        "coordinates": "",
        "geometry": "",
        "email": "jo@example.org",
    } | fields


def test_the_forms_carry_a_hidden_honeypot_and_a_signed_start(client: Client, running_procedure: Procedure) -> None:  # noqa: F811
    for url in (DETAILS_URL, f"/verfahren/{running_procedure.slug}/"):
        html = client.get(url).content.decode()
        honeypot = re.search(rf'<input[^>]*name="{HONEYPOT_FIELD}"[^>]*>', html)
        assert honeypot is not None, url
        assert 'tabindex="-1"' in honeypot.group(0)
        assert 'autocomplete="off"' in honeypot.group(0)
        wrapper = html[: honeypot.start()].rsplit("<div", 1)[1]
        assert 'class="visually-hidden"' in wrapper
        assert 'aria-hidden="true"' in wrapper
        assert "Bitte leer lassen" in html
        started = re.search(rf'<input type="hidden" name="{STARTED_FIELD}" value="([^"]+)"', html)
        assert started is not None, url
        signing.TimestampSigner(salt="abuse.forms.started").unsign(started.group(1), max_age=60)
        # Once, not also in the loop over the form's fields or its error summary.
        assert html.count(f'name="{HONEYPOT_FIELD}"') == 1


def test_a_human_report_passes(client: Client) -> None:
    response = client.post(DETAILS_URL, {**REPORT_FORM, STARTED_FIELD: token_from(10)})
    assert response.status_code == 302
    assert Report.objects.filter(description=REPORT_FORM["description"]).exists()


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({HONEYPOT_FIELD: "http://spam.example", STARTED_FIELD: "later"}, id="honeypot"),
        pytest.param({STARTED_FIELD: "now"}, id="too-fast"),
        pytest.param({}, id="no-start"),
        pytest.param({STARTED_FIELD: "form:1:forged"}, id="forged"),
        pytest.param({STARTED_FIELD: "old"}, id="expired"),
    ],
)
def test_a_bot_report_is_refused_and_nothing_stored(client: Client, extra: dict[str, str]) -> None:
    tokens = {"later": token_from(10), "now": token_from(0.5), "old": token_from(7200)}
    data = {**REPORT_FORM, **{key: tokens.get(value, value) for key, value in extra.items()}}
    response = client.post(DETAILS_URL, data)
    assert response.status_code == 400
    assert BOT_MESSAGE in response.content.decode()
    assert not Report.objects.filter(description=REPORT_FORM["description"]).exists()


def test_a_human_contribution_passes(client: Client, running_procedure: Procedure) -> None:  # noqa: F811
    response = client.post(
        f"/verfahren/{running_procedure.slug}/", contribution_form(**{STARTED_FIELD: token_from(10)})
    )
    assert response.status_code == 302
    assert Contribution.objects.filter(text="Honigtopf-Beitrag").exists()


@pytest.mark.parametrize("bot", ["honeypot", "too-fast", "no-start"])
def test_a_bot_contribution_is_refused_and_nothing_stored(
    client: Client,
    running_procedure: Procedure,  # noqa: F811
    bot: str,
) -> None:
    fields = {
        "honeypot": {HONEYPOT_FIELD: "Kaufen Sie jetzt", STARTED_FIELD: token_from(10)},
        "too-fast": {STARTED_FIELD: token_from(1)},
        "no-start": {},
    }[bot]
    response = client.post(f"/verfahren/{running_procedure.slug}/", contribution_form(**fields))
    assert response.status_code == 400
    assert BOT_MESSAGE in response.content.decode()
    assert not Contribution.objects.filter(text="Honigtopf-Beitrag").exists()


def test_a_refused_form_can_be_sent_again_after_waiting(client: Client) -> None:
    """The refusal page carries a fresh start for a missing one; a human sending it later gets through."""
    refused = client.post(DETAILS_URL, REPORT_FORM)
    assert refused.status_code == 400
    fresh = re.search(rf'name="{STARTED_FIELD}" value="([^"]+)"', refused.content.decode())
    assert fresh is not None
    with mock.patch("abuse.forms.time.time", return_value=time.time() + 5):
        again = client.post(DETAILS_URL, {**REPORT_FORM, STARTED_FIELD: fresh.group(1)})
    assert again.status_code == 302
