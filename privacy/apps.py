"""The privacy app: anonymisation, the user's own data, the privacy notice and the accessibility statement."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Datenschutz und Barrierefreiheit")

    def ready(self) -> None:
        # Registers the system checks of the privacy settings.
        from privacy import checks  # noqa: F401
