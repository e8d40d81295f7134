"""The reports app: the Mängelmelder, where citizens report defects and authorities handle them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Mängelmelder")
