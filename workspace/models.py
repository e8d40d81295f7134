"""The planner workspace's own records: the log of every export that contained personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from geo.models import Authority


class ExportFormat(models.TextChoices):
    """The file formats the workspace exports."""

    CSV = "csv", _("CSV")
    GEOJSON = "geojson", _("GeoJSON")
    GPKG = "gpkg", _("GeoPackage")


class PersonalDataExport(models.Model):
    """One export that contained reporters' or authors' personal data: who, what, when (no IP address)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        related_name="personal_data_exports",
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.PROTECT, related_name="personal_data_exports"
    )
    procedure_slug = models.CharField(_("Verfahren"), max_length=80, blank=True)
    filter = models.JSONField(_("Filter"), default=dict)
    format = models.CharField(_("Format"), max_length=10, choices=ExportFormat.choices)
    crs = models.PositiveIntegerField(_("Koordinatensystem (EPSG)"))
    row_count = models.PositiveIntegerField(_("Zeilen"))
    created_at = models.DateTimeField(_("am"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Export mit personenbezogenen Daten")
        verbose_name_plural = _("Exporte mit personenbezogenen Daten")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} – {self.authority.name} ({self.created_at:%Y-%m-%d %H:%M})"
