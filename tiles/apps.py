"""The tiles app: vector tiles of the public layers, and the proxy of external basemaps."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = _("Kacheln")

    def ready(self) -> None:
        """Register the system checks of the tile settings."""
        from tiles import checks  # noqa: F401 - registers on import
