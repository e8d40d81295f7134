"""The abuse app: throttling shared by all worker processes, bot checks on public forms, login pseudonyms."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AbuseConfig(AppConfig):
    name = "abuse"
    verbose_name = _("Missbrauchsschutz")
