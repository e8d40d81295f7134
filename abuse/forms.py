"""Bot checks for public forms instead of a CAPTCHA: a field only bots fill, and a minimum time to fill in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from abuse.conf import abuse_settings
from config.errors import BadRequest

HONEYPOT_FIELD = "homepage"
STARTED_FIELD = "form_started"
_SALT = "abuse.forms.started"


class SuspectedBot(BadRequest):
    """A public form was filled in the way only programs do: the hidden field filled, or too fast."""

    code = "suspected_bot"
    default_message = _(
        "Ihre Angaben konnten nicht angenommen werden. Bitte warten Sie einen Moment und senden Sie "
        "das Formular dann noch einmal ab. Lassen Sie das Feld „Bitte leer lassen“ leer."
    )


def started_token() -> str:
    """Return a signed note of when a form was shown."""
    return signing.TimestampSigner(salt=_SALT).sign("form")


def _age_seconds(token: str) -> float | None:
    """Return the age of a genuine, not yet expired token, or None."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        signer.unsign(token, max_age=abuse_settings().form_max_age_seconds)
    except signing.BadSignature:
        return None
    # The token is "form:<timestamp>:<signature>", its timestamp in base 62.
    return time.time() - signing.b62_decode(token.split(signing.Signer().sep)[-2])


class HumanCheckMixin(forms.Form):
    """Add the honeypot and the signed start time to a public form; `check_human` rejects bots.

    Both fields are left out of iteration over the form, so that templates which render all
    fields in a loop do not show them; `abuse/_human_check.html` renders them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Bitte leer lassen"),
            required=False,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        self.fields[STARTED_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.initial.setdefault(STARTED_FIELD, started_token())

    def __iter__(self) -> Iterator[forms.BoundField]:
        for field in super().__iter__():
            if field.name not in (HONEYPOT_FIELD, STARTED_FIELD):
                yield field

    @property
    def human_check_fields(self) -> list[forms.BoundField]:
        """Return the honeypot and the start time, for abuse/_human_check.html."""
        return [self[HONEYPOT_FIELD], self[STARTED_FIELD]]

    def check_human(self) -> None:
        """Raise SuspectedBot if the honeypot is filled or the form came back too soon or without its start."""
        if self.data.get(HONEYPOT_FIELD, "").strip():
            raise SuspectedBot()
        minimum = abuse_settings().form_min_seconds
        if minimum <= 0:
            return
        age = _age_seconds(str(self.data.get(STARTED_FIELD, "")))
        if age is None:
            # Missing, forged or expired: the next attempt gets a fresh start time.
            fresh = QueryDict(mutable=True)
            fresh.update(self.data)
            fresh[STARTED_FIELD] = started_token()
            self.data = fresh
            raise SuspectedBot()
        if age < minimum:
            raise SuspectedBot()
