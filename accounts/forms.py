"""Forms of the accounts app: logging in."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log in with username and password; axes counts the failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort stimmen nicht. Nach mehreren Fehlversuchen wird die Anmeldung "
            "für eine Weile gesperrt."
        ),
        "inactive": _("Dieses Benutzerkonto ist gesperrt."),
    }
