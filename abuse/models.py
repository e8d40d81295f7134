"""Counters of throttled actions per client and fixed time window."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleCounter(models.Model):
    """How often a client did an action in one fixed window; written only by abuse/sql/hit.sql."""

    action = models.CharField(_("Vorgang"), max_length=40)
    # A keyed hash of the client's address (abuse.services.client_key); never the address itself.
    client_key = models.CharField(_("Client"), max_length=64)
    window_start = models.DateTimeField(_("Zeitfenster ab"))
    window_end = models.DateTimeField(_("Zeitfenster bis"), db_index=True)
    hits = models.PositiveIntegerField(_("Anzahl"))

    class Meta:
        verbose_name = _("Zähler")
        verbose_name_plural = _("Zähler")
        constraints = [
            models.UniqueConstraint(fields=["action", "client_key", "window_start"], name="throttle_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.client_key[:8]} {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"
