"""The Mängelmelder: categories offered by authorities, reports, their photos and their history."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.measure import D
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.publication import PersonFlag, PersonSupport, PublishedText
from accounts.selectors import StaffScope
from geo.crs import STORAGE_SRID
from geo.models import Authority


class ReportingPolicyQuerySet(models.QuerySet["ReportingPolicy"]):
    """Queries over reporting policies."""

    def confirms_anonymous(self, authority_id: int) -> bool:
        """Tell whether the authority publishes texts without an account only after e-mail confirmation."""
        policy = self.filter(authority_id=authority_id).first()
        # Privacy by default: an authority without a policy confirms.
        return policy is None or policy.confirm_anonymous_reports


class ReportingPolicy(models.Model):
    """How one authority wants reports handled: one object per body, no `if authority == ...`."""

    authority = models.OneToOneField(
        Authority, verbose_name=_("Behörde"), on_delete=models.CASCADE, related_name="reporting_policy"
    )
    confirm_anonymous_reports = models.BooleanField(
        _("Meldungen und Beiträge ohne Konto erst nach E-Mail-Bestätigung veröffentlichen"), default=True
    )

    objects: ClassVar[ReportingPolicyQuerySet] = ReportingPolicyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Regeln für Meldungen")
        verbose_name_plural = _("Regeln für Meldungen")

    def __str__(self) -> str:
        return str(self.authority)


class QuestionType(models.TextChoices):
    """Answer types, named as Open311 GeoReport v2 names its attribute datatypes."""

    STRING = "string", _("Kurzer Text")
    NUMBER = "number", _("Zahl")
    DATE = "datetime", _("Datum")
    TEXT = "text", _("Langer Text")
    SINGLE_CHOICE = "singlevaluelist", _("Auswahl (eine)")
    MULTIPLE_CHOICE = "multivaluelist", _("Auswahl (mehrere)")


class CategoryQuerySet(models.QuerySet["Category"]):
    """Queries over categories."""

    def active(self) -> CategoryQuerySet:
        """Return the categories citizens can report in."""
        return self.filter(is_active=True)

    def offered_at(self, point: GEOSGeometry) -> CategoryQuerySet:
        """Return the active categories of every authority whose area covers the point."""
        return self.active().filter(authority__boundary__covers=point)


class Category(models.Model):
    """A kind of defect an authority takes reports about; shaped like an Open311 service.

    The same `code` offered by several authorities (a Gemeinde and the Land, say) is one kind of
    defect; a report goes to the smallest authority that offers it where it lies.
    """

    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.PROTECT, related_name="categories"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Obergruppe"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.SlugField(_("Kennung"), max_length=64, help_text=_("Open311 service_code, z. B. strassenschaden"))
    name = models.CharField(_("Name"), max_length=120)
    description = models.TextField(_("Beschreibung"), blank=True)
    keywords = models.CharField(_("Suchbegriffe"), max_length=300, blank=True)
    duplicate_radius_m = models.PositiveIntegerField(
        _("Umkreis für ähnliche Meldungen (m)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(2000)],
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)

    objects: ClassVar[CategoryQuerySet] = CategoryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Kategorie")
        verbose_name_plural = _("Kategorien")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="category_code_per_authority")]

    def __str__(self) -> str:
        return f"{self.name} ({self.authority.name})"


class CategoryQuestion(models.Model):
    """An extra question of a category (an Open311 attribute)."""

    category = models.ForeignKey(
        Category, verbose_name=_("Kategorie"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField(_("Kennung"), max_length=64)
    prompt = models.CharField(_("Frage"), max_length=300)
    help_text = models.CharField(_("Hinweis"), max_length=300, blank=True)
    datatype = models.CharField(_("Antworttyp"), max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(_("Pflichtfrage"), default=False)
    choices = models.JSONField(
        _("Antwortmöglichkeiten"),
        default=list,
        blank=True,
        help_text=_('Für Auswahlfragen: [{"key": "gross", "name": "Groß"}, ...]'),
    )
    position = models.PositiveIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Zusatzfrage")
        verbose_name_plural = _("Zusatzfragen")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="question_code_per_category")]

    def __str__(self) -> str:
        return self.prompt

    @property
    def choice_keys(self) -> list[str]:
        """Return the keys a choice question accepts."""
        return [str(choice["key"]) for choice in self.choices]


class ReportStatus(models.TextChoices):
    """Where a report stands."""

    SUBMITTED = "submitted", _("Eingegangen")
    CONFIRMED = "confirmed", _("Bestätigt")
    IN_PROGRESS = "in_progress", _("In Bearbeitung")
    RESOLVED = "resolved", _("Erledigt")
    CLOSED_NOT_FIXED = "closed_not_fixed", _("Geschlossen, nicht behoben")
    DUPLICATE = "duplicate", _("Doppelte Meldung")
    REJECTED = "rejected", _("Abgelehnt")


OPEN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED, ReportStatus.IN_PROGRESS)


class ReportQuerySet(models.QuerySet["Report"]):
    """Queries over reports; geometries are in the storage CRS."""

    def public(self) -> ReportQuerySet:
        """Return the reports anyone may see: published and not hidden."""
        return self.filter(published_at__isnull=False, hidden_at__isnull=True)

    def open(self) -> ReportQuerySet:
        """Return the reports still being worked on."""
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to_staff(self, scope: StaffScope) -> ReportQuerySet:
        """Return the reports of the authorities a staff member works for (all for Land administrators)."""
        if scope.everything:
            return self.all()
        return self.filter(authority_id__in=scope.authority_ids)

    def within(self, area: GEOSGeometry) -> ReportQuerySet:
        """Return the reports inside an area."""
        return self.filter(location__intersects=area)

    def near(self, point: GEOSGeometry, *, radius_m: float) -> ReportQuerySet:
        """Return the reports within `radius_m` metres of a point."""
        return self.filter(location__dwithin=(point, D(m=radius_m)))

    def with_support_count(self) -> ReportQuerySet:
        """Annotate how many people support each report ("me too")."""
        return self.annotate(support_count=Count("supports", distinct=True))


class Report(PublishedText):
    """A citizen's report of a defect at a place, handled by the responsible authority."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("zuständige Behörde"), on_delete=models.PROTECT, related_name="reports"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("Kategorie"), on_delete=models.PROTECT, related_name="reports"
    )
    location = models.PointField(_("Ort"), srid=STORAGE_SRID)
    description = models.TextField(_("Beschreibung"), max_length=4000)
    answers = models.JSONField(_("Antworten auf Zusatzfragen"), default=dict, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED, db_index=True
    )
    # Personal data: never part of any public answer.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Konto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    reporter_name = models.CharField(_("Name"), max_length=120, blank=True)
    reporter_email = models.EmailField(_("E-Mail"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("Duplikat von"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    created_at = models.DateTimeField(_("eingegangen"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects: ClassVar[ReportQuerySet] = ReportQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["authority", "status", "-created_at"]),
            # Trigram index (pg_trgm): the workspace's text filter (ILIKE '%…%') without a full scan.
            GinIndex(fields=["description"], name="report_description_trgm", opclasses=["gin_trgm_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_known"),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("id")), name="report_not_duplicate_of_itself"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name}"

    @property
    def is_open(self) -> bool:
        """Tell whether the report is still being worked on."""
        return self.status in OPEN_STATUSES


class ReportUpdate(models.Model):
    """One step in a report's history: a status change or a note, public or internal."""

    report = models.ForeignKey(Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("Status"), max_length=20, choices=ReportStatus.choices)
    note = models.TextField(_("Hinweis"), max_length=4000)
    is_public = models.BooleanField(_("öffentlich"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("von"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Verlaufseintrag")
        verbose_name_plural = _("Verlauf")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_status_display()}"


def photo_path(sha256: str, *, thumbnail: bool = False) -> str:
    """Return the content-addressed storage path of a photo's display file or thumbnail."""
    return f"photos/{sha256[:2]}/{sha256}{'-thumb' if thumbnail else ''}.jpg"


class Photo(models.Model):
    """A photo, re-encoded without metadata; unattached until its report is created."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(
        Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    sha256 = models.CharField(_("Prüfsumme"), max_length=64, db_index=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()
    source_format = models.CharField(_("Ursprungsformat"), max_length=10)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    created_at = models.DateTimeField(_("hochgeladen"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Foto")
        verbose_name_plural = _("Fotos")
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return str(self.id)

    @property
    def path(self) -> str:
        """Return the storage path of the display file."""
        return photo_path(self.sha256)

    @property
    def thumbnail_path(self) -> str:
        """Return the storage path of the thumbnail."""
        return photo_path(self.sha256, thumbnail=True)


class Support(PersonSupport):
    """One person's "me too" for a report, counted once per person."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")

    class Meta(PersonSupport.Meta):
        constraints = [models.UniqueConstraint(fields=["report", "supporter_key"], name="support_once_per_person")]


class AbuseFlag(PersonFlag):
    """Someone's notice that a report is abusive, for moderators to look at."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="flags")

    class Meta(PersonFlag.Meta):
        constraints = [models.UniqueConstraint(fields=["report", "flagger_key"], name="flag_once_per_person")]


class Open311ClientQuerySet(models.QuerySet["Open311Client"]):
    """Queries over Open311 client applications."""

    def active(self) -> Open311ClientQuerySet:
        """Return the clients whose key is accepted."""
        return self.filter(is_active=True)


class Open311Client(models.Model):
    """An application that creates reports through Open311 GeoReport v2 with its own api_key."""

    name = models.CharField(_("Name"), max_length=120)
    contact_email = models.EmailField(_("Kontakt (E-Mail)"))
    # Only the SHA-256 of the key: a leaked database opens no door.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    objects: ClassVar[Open311ClientQuerySet] = Open311ClientQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Open311-Anwendung")
        verbose_name_plural = _("Open311-Anwendungen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Open311Submission(models.Model):
    """Which Open311 client created a report, and the token it may ask about the report with."""

    report = models.OneToOneField(
        Report, verbose_name=_("Meldung"), on_delete=models.CASCADE, related_name="open311_submission"
    )
    client = models.ForeignKey(
        Open311Client, verbose_name=_("Anwendung"), on_delete=models.PROTECT, related_name="submissions"
    )
    # Not the confirmation token: this one only tells the client its report's id once it is public.
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311-Einreichung")
        verbose_name_plural = _("Open311-Einreichungen")

    def __str__(self) -> str:
        return f"{self.client}: #{self.report_id}"
