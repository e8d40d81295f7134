"""Errors of the privacy app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, ValidationFailed


class PasswordMismatch(ValidationFailed):
    """The password given to confirm deleting an account is not the account's password."""

    code = "password_mismatch"
    default_message = _("Das Passwort stimmt nicht. Ihr Konto wurde nicht gelöscht.")


class AccountProtected(Conflict):
    """The account is referred to by records that must be kept, such as the log of personal-data exports."""

    code = "account_protected"
    default_message = _(
        "Ihr Konto ist mit Nachweisen verknüpft, die aufbewahrt werden müssen (zum Beispiel Exporte "
        "personenbezogener Daten). Bitte wenden Sie sich an die Administration, um es löschen zu lassen."
    )
