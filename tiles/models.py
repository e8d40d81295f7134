"""The data version of each vector tile layer, bumped by PostgreSQL triggers whenever a source table changes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LayerVersion(models.Model):
    """The current data version of one data layer; tiles are cached and tagged by it.

    Only the triggers of migration 0001 write here (statement-level, on every source table), so an
    ORM save, a queryset update, COPY or a write in psql all invalidate the layer's cached tiles.
    Versions come from a sequence, which a rollback never rewinds, so no version is ever reused.
    """

    # The registry key; the primary key, so that restoring a serialized database updates rather than duplicates.
    layer = models.CharField(_("Ebene"), max_length=100, primary_key=True)
    version = models.BigIntegerField(_("Version"))
    changed_at = models.DateTimeField(_("geändert am"))

    class Meta:
        verbose_name = _("Datenstand einer Ebene")
        verbose_name_plural = _("Datenstände der Ebenen")

    def __str__(self) -> str:
        return f"{self.layer} v{self.version}"
