"""The project package as an app: its templates, static files and system checks."""

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Beteiligungskarte"

    def ready(self) -> None:
        from config import checks  # noqa: F401  (registers the system checks)
