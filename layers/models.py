"""Which other sites may embed an authority's maps."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from geo.models import Authority
from layers.origins import validate_origin


class EmbedOriginQuerySet(models.QuerySet["EmbedOrigin"]):
    """Queries over embed origins."""

    def of_authority(self, authority: Authority) -> EmbedOriginQuerySet:
        """Return the origins an authority lists."""
        return self.filter(authority=authority)


class EmbedOrigin(models.Model):
    """A web origin (scheme, host, port) on which an authority allows its maps to be embedded."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.CASCADE, related_name="embed_origins"
    )
    origin = models.CharField(
        _("Herkunft (Origin)"),
        max_length=200,
        validators=[validate_origin],
        help_text=_("z. B. https://www.stadt-koeln.de – ohne Pfad"),
    )
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    objects: ClassVar[EmbedOriginQuerySet] = EmbedOriginQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("erlaubte einbettende Seite")
        verbose_name_plural = _("erlaubte einbettende Seiten")
        ordering = ["origin"]
        constraints = [models.UniqueConstraint(fields=["authority", "origin"], name="embed_origin_once")]

    def __str__(self) -> str:
        return self.origin
