"""URLs of the privacy app's pages (mounted by config/urls.py)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from privacy import views

page_patterns = (
    [
        path(_("datenschutz/"), views.privacy_notice, name="notice"),
        path(_("datenschutz/verzeichnis/"), views.processing_record, name="record"),
        path(_("barrierefreiheit/"), views.accessibility_statement, name="accessibility"),
        path(_("konto/"), views.account, name="account"),
        path(_("konto/daten/"), views.account_data, name="account-data"),
        path(_("konto/loeschen/"), views.account_delete, name="account-delete"),
    ],
    "privacy",
)
