"""The procedures app: participation procedures, their documents and the spatial contributions of citizens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Beteiligungsverfahren")
