"""URLs of the accounts app: its pages (mounted by config/urls.py)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts import views

page_patterns = (
    [
        path(_("anmelden/"), views.login_page, name="login"),
        path(_("abmelden/"), views.logout_page, name="logout"),
    ],
    "accounts",
)
