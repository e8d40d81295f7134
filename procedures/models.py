"""Participation procedures of authorities, their documents, and the spatial contributions of citizens."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.publication import PersonFlag, PersonSupport, PublishedText
from accounts.selectors import StaffScope
from geo.crs import STORAGE_SRID
from geo.models import Authority
from procedures.documents import validate_pdf


class ProcedureKind(models.TextChoices):
    """What kind of participation a procedure is."""

    DIALOGUE = "dialogue", _("Dialog")
    FORMAL_STATEMENT = "formal_statement", _("Stellungnahme zu einem Plan")
    MAENGELMELDER = "maengelmelder", _("Mängelmelder")
    SURVEY = "survey", _("Umfrage")
    EVENT = "event", _("Veranstaltung")


class ProcedureStatus(models.TextChoices):
    """Where a procedure stands; follows from its dates, never stored."""

    PLANNED = "planned", _("geplant")
    RUNNING = "running", _("läuft")
    ENDED = "ended", _("beendet")


class GeometryKind(models.TextChoices):
    """Which shape a contribution may have."""

    POINT = "point", _("Punkt")
    LINE = "line", _("Linie")
    POLYGON = "polygon", _("Fläche")

    @property
    def geojson_type(self) -> str:
        """Return the GeoJSON type of this kind."""
        return {"point": "Point", "line": "LineString", "polygon": "Polygon"}[self.value]

    @classmethod
    def of_geojson_type(cls, geojson_type: str) -> GeometryKind:
        """Return the kind of a GeoJSON (or GEOS) geometry type."""
        return {"Point": cls.POINT, "LineString": cls.LINE, "Polygon": cls.POLYGON}[geojson_type]


class Basemap(models.TextChoices):
    """What a procedure's map shows under its own data (proxied raster basemaps follow with the tile proxy)."""

    BOUNDARIES = "boundaries", _("Gemeinde- und Kreisgrenzen")
    NONE = "none", _("keine Grundkarte")


class Overlay(models.TextChoices):
    """Extra layers a procedure's map may show."""

    GEMEINDEN = "gemeinden", _("Gemeindegrenzen")
    REPORTS = "reports", _("Mängelmeldungen im Gebiet")
    OTHER_PROCEDURES = "procedures", _("Andere laufende Verfahren")


def _all_geometry_kinds() -> list[str]:
    return [kind.value for kind in GeometryKind]


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    """Queries over procedures; areas are in the storage CRS."""

    def published(self) -> ProcedureQuerySet:
        """Return the procedures the public may see (drafts excluded)."""
        return self.filter(is_published=True)

    def with_status(self, now: datetime.datetime | None = None) -> ProcedureQuerySet:
        """Annotate each procedure's status as it follows from its dates at `now`."""
        now = now or timezone.now()
        return self.annotate(
            current_status=Case(
                When(starts_at__gt=now, then=Value(ProcedureStatus.PLANNED.value)),
                When(ends_at__lte=now, then=Value(ProcedureStatus.ENDED.value)),
                default=Value(ProcedureStatus.RUNNING.value),
                output_field=models.CharField(),
            )
        )

    def of_status(self, *statuses: str, now: datetime.datetime | None = None) -> ProcedureQuerySet:
        """Return the procedures in one of these statuses at `now`."""
        now = now or timezone.now()
        conditions = {
            ProcedureStatus.PLANNED: Q(starts_at__gt=now),
            ProcedureStatus.RUNNING: Q(starts_at__lte=now, ends_at__gt=now),
            ProcedureStatus.ENDED: Q(ends_at__lte=now),
        }
        query = Q()
        for status in statuses:
            query |= conditions[ProcedureStatus(status)]
        return self.filter(query)

    def running(self, now: datetime.datetime | None = None) -> ProcedureQuerySet:
        """Return the procedures open for contributions at `now`."""
        return self.of_status(ProcedureStatus.RUNNING, now=now)

    def of_authority(self, key: str) -> ProcedureQuerySet:
        """Return the procedures of an authority and of every authority inside it (by official key)."""
        # Official keys nest: Land 05, Regierungsbezirk 051, Kreis 05170, its Gemeinden 05170xxx.
        return self.filter(authority__key__startswith=key)

    def intersecting(self, area: GEOSGeometry) -> ProcedureQuerySet:
        """Return the procedures whose area meets the given area (storage CRS)."""
        return self.filter(area__intersects=area)

    def search(self, text: str) -> ProcedureQuerySet:
        """Return the procedures matching a text: German full text, or part of title, summary or authority."""
        vector = SearchVector("title", "summary", "description", config="german")
        return self.annotate(search=vector).filter(
            Q(search=SearchQuery(text, config="german", search_type="websearch"))
            | Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(authority__name__icontains=text)
        )

    def visible_to_staff(self, scope: StaffScope) -> ProcedureQuerySet:
        """Return the procedures of the authorities a staff member works for (all for Land administrators)."""
        if scope.everything:
            return self.all()
        return self.filter(authority_id__in=scope.authority_ids)


class Procedure(models.Model):
    """A participation procedure of an authority, with its area, period and the shapes citizens may draw."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.PROTECT, related_name="procedures"
    )
    slug = models.SlugField(_("Kurzname für Adressen"), max_length=80, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=500)
    description = models.TextField(_("Beschreibung (Markdown)"), blank=True)
    kind = models.CharField(_("Art"), max_length=20, choices=ProcedureKind.choices, default=ProcedureKind.DIALOGUE)
    area = models.MultiPolygonField(_("Gebiet"), srid=STORAGE_SRID)
    area_attribution = models.CharField(
        _("Quelle des Gebiets"),
        max_length=300,
        blank=True,
        help_text=_(
            "Namensnennung, die die Lizenz der Gebietsdaten verlangt; erscheint auf jeder Karte des Verfahrens."
        ),
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    is_published = models.BooleanField(
        _("veröffentlicht"), default=False, help_text=_("Entwürfe sieht nur die eigene Behörde.")
    )
    contact_name = models.CharField(_("Ansprechperson oder Stelle"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail für Rückfragen"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    allowed_geometries = ArrayField(
        models.CharField(max_length=10, choices=GeometryKind.choices),
        verbose_name=_("erlaubte Formen für Beiträge"),
        default=_all_geometry_kinds,
        blank=True,
        help_text=_("Leer: Beiträge nur als Text."),
    )
    geometry_required = models.BooleanField(_("Beiträge brauchen einen Ort"), default=False)
    max_vertices = models.PositiveIntegerField(
        _("höchstens Stützpunkte je Beitrag"), default=200, validators=[MinValueValidator(2), MaxValueValidator(5000)]
    )
    max_length_m = models.PositiveIntegerField(
        _("höchste Linienlänge (m)"), default=10_000, validators=[MinValueValidator(1)]
    )
    max_area_m2 = models.PositiveIntegerField(
        _("höchste Fläche (m²)"), default=5_000_000, validators=[MinValueValidator(1)]
    )
    map_extent = models.PolygonField(
        _("Kartenausschnitt zu Beginn"),
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        help_text=_("Leer: das ganze Gebiet."),
    )
    basemap = models.CharField(_("Grundkarte"), max_length=20, choices=Basemap.choices, default=Basemap.BOUNDARIES)
    overlays = ArrayField(
        models.CharField(max_length=20, choices=Overlay.choices),
        verbose_name=_("weitere Ebenen"),
        default=list,
        blank=True,
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects: ClassVar[ProcedureQuerySet] = ProcedureQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Verfahren")
        # German writes singular and plural alike; English does not.
        verbose_name_plural = pgettext_lazy("Mehrzahl", "Verfahren")
        ordering = ["-starts_at", "title"]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="procedure_ends_after_start"),
            models.CheckConstraint(condition=Q(kind__in=ProcedureKind.values), name="procedure_kind_known"),
        ]

    def __str__(self) -> str:
        return self.title

    def status_at(self, now: datetime.datetime | None = None) -> ProcedureStatus:
        """Return the status that follows from the dates at `now`."""
        now = now or timezone.now()
        if now < self.starts_at:
            return ProcedureStatus.PLANNED
        if now >= self.ends_at:
            return ProcedureStatus.ENDED
        return ProcedureStatus.RUNNING

    @property
    def status(self) -> ProcedureStatus:
        """Return the status now."""
        return self.status_at()

    @property
    def takes_contributions(self) -> bool:
        """Tell whether citizens contribute here (a Mängelmelder takes reports instead)."""
        return self.kind != ProcedureKind.MAENGELMELDER


def document_path(document: ProcedureDocument, filename: str) -> str:
    """Return where a procedure's document is stored: one folder per procedure, the name kept readable."""
    return f"documents/{document.procedure_id}/{filename}"


class ProcedureDocument(models.Model):
    """A PDF attached to a procedure: the plan, its explanation, an expert report."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(
        _("PDF-Datei"),
        upload_to=document_path,
        max_length=300,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    created_at = models.DateTimeField(_("hochgeladen"), auto_now_add=True)

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ContributionQuerySet(models.QuerySet["Contribution"]):
    """Queries over contributions; geometries are in the storage CRS."""

    def public(self) -> ContributionQuerySet:
        """Return the contributions anyone may see: published, not hidden, in a published procedure."""
        return self.filter(published_at__isnull=False, hidden_at__isnull=True, procedure__is_published=True)

    def visible_to_staff(self, scope: StaffScope) -> ContributionQuerySet:
        """Return the contributions to procedures of the authorities a staff member works for."""
        if scope.everything:
            return self.all()
        return self.filter(procedure__authority_id__in=scope.authority_ids)

    def within(self, area: GEOSGeometry) -> ContributionQuerySet:
        """Return the contributions whose place meets an area (storage CRS)."""
        return self.filter(geometry__intersects=area)

    def with_support_count(self) -> ContributionQuerySet:
        """Annotate how many people support each contribution."""
        return self.annotate(support_count=Count("supports", distinct=True))


class Contribution(PublishedText):
    """A citizen's comment on a procedure, with an optional point, line or area inside the procedure's area."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("Verfahren"), on_delete=models.PROTECT, related_name="contributions"
    )
    text = models.TextField(_("Beitrag"), max_length=4000)
    geometry = models.GeometryField(_("Ort"), srid=STORAGE_SRID, null=True, blank=True)
    # Personal data: never part of any public answer.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
    )
    author_name = models.CharField(_("Name"), max_length=120, blank=True)
    author_email = models.EmailField(_("E-Mail"), blank=True)
    created_at = models.DateTimeField(_("eingegangen"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects: ClassVar[ContributionQuerySet] = ContributionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Beitrag")
        verbose_name_plural = _("Beiträge")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["procedure", "-created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:40]}"

    @property
    def geometry_kind(self) -> GeometryKind | None:
        """Return the contribution's shape, if it has a place."""
        return GeometryKind.of_geojson_type(self.geometry.geom_type) if self.geometry else None


class ContributionReply(models.Model):
    """An authority's public answer to a contribution."""

    contribution = models.ForeignKey(
        Contribution, verbose_name=_("Beitrag"), on_delete=models.CASCADE, related_name="replies"
    )
    text = models.TextField(_("Antwort"), max_length=4000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("von"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Antwort der Behörde")
        verbose_name_plural = _("Antworten der Behörde")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ContributionSupport(PersonSupport):
    """One person's support for a contribution, counted once per person."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="supports")

    class Meta(PersonSupport.Meta):
        constraints = [
            models.UniqueConstraint(fields=["contribution", "supporter_key"], name="contribution_support_once")
        ]


class ContributionFlag(PersonFlag):
    """Someone's notice that a contribution is abusive, for moderators to look at."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="flags")

    class Meta(PersonFlag.Meta):
        constraints = [models.UniqueConstraint(fields=["contribution", "flagger_key"], name="contribution_flag_once")]
