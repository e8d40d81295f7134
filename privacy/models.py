"""Feedback on the portal's accessibility, the one kind of data this app keeps itself."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessibilityFeedback(models.Model):
    """A barrier someone met on the portal, sent through the accessibility statement's form."""

    message = models.TextField(_("Nachricht"), max_length=4000)
    # Personal data: only to answer; removed with the message after the retention period.
    email = models.EmailField(_("E-Mail für eine Antwort"), blank=True)
    page_url = models.CharField(_("betroffene Seite"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("eingegangen"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d}: {self.message[:40]}"
