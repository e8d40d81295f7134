"""Public authorities of NRW and the areas they are responsible for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import AsGeoJSON, Distance, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.gis.measure import D
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.validators import RegexValidator
from django.db.models import F, Func
from django.db.models.functions import Greatest, Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from geo.crs import CRS, STORAGE_SRID


class AuthorityKind(models.TextChoices):
    """The administrative levels, from the Land down to the Gemeinde."""

    LAND = "land", _("Land")
    REGIERUNGSBEZIRK = "regierungsbezirk", _("Regierungsbezirk")
    KREIS = "kreis", _("Kreis")
    KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt")
    GEMEINDE = "gemeinde", _("Gemeinde")

    @property
    def level(self) -> int:
        """Return the administrative level: 0 for the Land down to 3 for a Gemeinde."""
        return _LEVELS[self]

    @property
    def key_length(self) -> int:
        """Return the length of the official key (AGS) at this level."""
        return _KEY_LENGTHS[self.level]

    @classmethod
    def for_key(cls, key: str) -> list[AuthorityKind]:
        """Return the kinds whose official keys have the length of this one."""
        return [kind for kind in cls if kind.key_length == len(key)]


_LEVELS = {
    AuthorityKind.LAND: 0,
    AuthorityKind.REGIERUNGSBEZIRK: 1,
    AuthorityKind.KREIS: 2,
    AuthorityKind.KREISFREIE_STADT: 2,
    AuthorityKind.GEMEINDE: 3,
}
# The Amtlicher Gemeindeschlüssel nests: Land 05, Regierungsbezirk 053, Kreis 05315, Gemeinde 05315000.
_KEY_LENGTHS = {0: 2, 1: 3, 2: 5, 3: 8}
AGS_PATTERN = r"^\d{2}(\d(\d{2}(\d{3})?)?)?$"


def parent_key(key: str) -> str | None:
    """Return the official key of the next level up, or None for a Land."""
    lengths = sorted(_KEY_LENGTHS.values())
    shorter = [length for length in lengths if length < len(key)]
    return key[: shorter[-1]] if shorter else None


class FlipCoordinates(Func):
    """ST_FlipCoordinates: exchange x and y, for output in a CRS whose first axis is northing."""

    function = "ST_FlipCoordinates"
    output_field = models.GeometryField()


class AuthorityQuerySet(models.QuerySet["Authority"]):
    """Queries over authorities; every geometry argument is in the storage CRS."""

    def of_kind(self, *kinds: AuthorityKind | str) -> AuthorityQuerySet:
        """Return the authorities of these kinds."""
        return self.filter(kind__in=kinds)

    def containing(self, point: GEOSGeometry) -> AuthorityQuerySet:
        """Return the authorities whose area covers the point (borders included)."""
        return self.filter(boundary__covers=point)

    def intersecting(self, geometry: GEOSGeometry) -> AuthorityQuerySet:
        """Return the authorities whose area meets the geometry."""
        return self.filter(boundary__intersects=geometry)

    def nearest_to(self, point: GEOSGeometry, *, within_m: float) -> AuthorityQuerySet:
        """Return the authorities within `within_m` metres of the point, nearest first."""
        return (
            self.filter(boundary__dwithin=(point, D(m=within_m)))
            .annotate(distance=Distance("boundary", point))
            .order_by("distance")
        )

    def with_geojson(self, crs: CRS, *, precision: int | None = None) -> AuthorityQuerySet:
        """Annotate each row with its boundary as a GeoJSON string in `crs`, built in PostGIS."""
        geometry: Any = Transform("boundary", crs.srid) if crs.srid != STORAGE_SRID else F("boundary")
        if crs.northing_first:
            geometry = FlipCoordinates(geometry)
        digits = precision if precision is not None else (7 if crs.geographic else 2)
        return self.annotate(boundary_geojson=AsGeoJSON(geometry, precision=digits))


class Authority(models.Model):
    """A public authority of NRW: the Land, a Regierungsbezirk, a Kreis or kreisfreie Stadt, a Gemeinde."""

    key = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(AGS_PATTERN, _("Ein AGS hat 2, 3, 5 oder 8 Ziffern."))],
        help_text=_("AGS: 2 Ziffern für das Land, 3 für den Regierungsbezirk, 5 für den Kreis, 8 für die Gemeinde."),
    )
    regional_key = models.CharField(
        _("Amtlicher Regionalschlüssel"),
        max_length=12,
        blank=True,
        help_text=_("ARS, bei Gemeinden 12 Ziffern."),
    )
    name = models.CharField(_("Name"), max_length=200)
    designation = models.CharField(
        _("Bezeichnung"), max_length=100, blank=True, help_text=_("z. B. Stadt, Gemeinde, Kreis")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=AuthorityKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("übergeordnete Einheit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    boundary = models.MultiPolygonField(_("Gebiet"), srid=STORAGE_SRID)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects: ClassVar[AuthorityQuerySet] = AuthorityQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Behörde")
        verbose_name_plural = _("Behörden")
        ordering = ["key"]
        indexes = [models.Index(fields=["kind", "key"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=AuthorityKind.values), name="authority_kind_known"),
            models.CheckConstraint(
                condition=models.Q(kind=AuthorityKind.LAND, parent__isnull=True) | ~models.Q(kind=AuthorityKind.LAND),
                name="authority_land_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.key})"


# --- Streets ------------------------------------------------------------------------------------

# The database function that folds a name into its search key: lower case without accents, ß as
# ss, "str." and a trailing "str" spelt out as "strasse", anything but letters and digits as
# single spaces ("Aachener Str. (Porz)" → "aachener strasse porz"). Created by migration
# geo 0002, where its SQL is; one definition for the stored street keys, the Gemeinde names and
# the query, so all are folded alike.
SEARCH_KEY_FUNCTION = "geo_search_key"


def search_key(expression: Any) -> Func:
    """Return the search key of a name (an expression or field name), folded by the database."""
    return Func(expression, function=SEARCH_KEY_FUNCTION, output_field=models.TextField())


_Q = TypeVar("_Q", bound=models.QuerySet[Any])
# Names shorter than this (once folded) are not worth searching for.
MIN_SEARCH_LENGTH = 2


def rank_by_search_key(queryset: _Q, search_name: str, queries: Sequence[Func]) -> _Q:
    """Return the rows whose search key equals, starts with or resembles one of the folded queries, best first.

    `search_name` names a column or annotation built with `search_key`; `queries` are folded
    query strings, also built with `search_key`. Each row gets `match` (0 equal, 1 starts with,
    2 resembles), `word_similarity` and `similarity` (pg_trgm, 0 to 1), which order the rows
    with `name` and `key`.
    """
    equal, starts, resembles = models.Q(), models.Q(), models.Q()
    for query in queries:
        equal |= models.Q(**{search_name: query})
        starts |= models.Q(**{f"{search_name}__startswith": query})
        resembles |= models.Q(**{f"{search_name}__trigram_word_similar": query})
    # The stubs want plain strings; Django takes any expression.
    word_similarities = [TrigramWordSimilarity(query, search_name) for query in queries]  # type: ignore[arg-type]
    similarities = [TrigramSimilarity(search_name, query) for query in queries]  # type: ignore[arg-type]
    return (
        queryset.filter(*[GreaterThanOrEqual(Length(query), MIN_SEARCH_LENGTH) for query in queries])
        .filter(starts | resembles)
        .annotate(
            match=models.Case(
                models.When(equal, then=0), models.When(starts, then=1), default=2, output_field=models.IntegerField()
            ),
            word_similarity=Greatest(*word_similarities) if len(queries) > 1 else word_similarities[0],
            similarity=Greatest(*similarities) if len(queries) > 1 else similarities[0],
        )
        .order_by("match", "-word_similarity", "-similarity", "name", "key")
    )


class StreetQuerySet(models.QuerySet["Street"]):
    """Queries over streets; every geometry argument is in the storage CRS."""

    def of_gemeinde(self, gemeinde: Authority) -> StreetQuerySet:
        """Return the streets of one Gemeinde."""
        return self.filter(gemeinde=gemeinde)

    def search(self, *queries: Func) -> StreetQuerySet:
        """Return the streets whose name matches one of the folded queries, best first (see rank_by_search_key).

        Equality, prefix and trigram conditions on the stored search key can all use its trigram index.
        """
        return rank_by_search_key(self, "search_name", queries)


class Street(models.Model):
    """A named street of a Gemeinde, as the Gemeinde's own street directory keys it."""

    key = models.CharField(
        _("Straßenschlüssel"), max_length=20, help_text=_("Schlüssel der Straße im Verzeichnis der Gemeinde")
    )
    name = models.CharField(_("Name"), max_length=200)
    gemeinde = models.ForeignKey(
        Authority,
        verbose_name=_("Gemeinde"),
        on_delete=models.PROTECT,
        related_name="streets",
        limit_choices_to={"kind": AuthorityKind.GEMEINDE},
    )
    geometry = models.MultiLineStringField(_("Linienverlauf"), srid=STORAGE_SRID)
    search_name = models.GeneratedField(
        verbose_name=_("Suchschlüssel"),
        expression=search_key(F("name")),
        output_field=models.TextField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert"), auto_now=True)

    objects: ClassVar[StreetQuerySet] = StreetQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Straße")
        verbose_name_plural = _("Straßen")
        ordering = ["gemeinde__key", "name", "key"]
        constraints = [models.UniqueConstraint(fields=["gemeinde", "key"], name="street_key_unique_per_gemeinde")]
        indexes = [GinIndex(fields=["search_name"], opclasses=["gin_trgm_ops"], name="street_search_name_trgm")]

    def __str__(self) -> str:
        return f"{self.name} ({self.gemeinde.name}, {self.key})"
