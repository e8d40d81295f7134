"""The idempotency app: a repeated POST with the same Idempotency-Key answers the first answer again."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    name = "idempotency"
    verbose_name = _("Wiederholte Anfragen")
