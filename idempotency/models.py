"""Stored answers of POST requests made with an Idempotency-Key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a request with this key, to answer its repeats with."""

    scope = models.CharField(_("Vorgang"), max_length=100)
    key = models.CharField(_("Schlüssel"), max_length=255)
    request_hash = models.CharField(_("Prüfsumme der Anfrage"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("Status"))
    body = models.JSONField(_("Antwort"))
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("gespeicherte Antwort")
        verbose_name_plural = _("gespeicherte Antworten")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
