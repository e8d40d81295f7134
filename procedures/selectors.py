"""Reads of participation procedures: which procedures and contributions anyone, or staff, may see."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.gis.db import models as gis_models
from django.contrib.gis.db.models.functions import AsGeoJSON, Envelope, PointOnSurface, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.selectors import StaffScope, staff_scope
from geo.crs import CRS, CRS84, STORAGE_SRID
from geo.models import FlipCoordinates
from procedures.errors import ContributionNotFound, ProcedureNotFound
from procedures.models import (
    Contribution,
    ContributionFlag,
    ContributionQuerySet,
    ContributionReply,
    Procedure,
    ProcedureQuerySet,
    ProcedureStatus,
)

_WGS84 = 4326
# Running procedures are what a citizen can still take part in; then what is coming; then the past.
_STATUS_ORDER = {ProcedureStatus.RUNNING: 0, ProcedureStatus.PLANNED: 1, ProcedureStatus.ENDED: 2}


# --- GeoJSON built by PostGIS ---------------------------------------------------------------------


class SimplifyPreserveTopology(Func):
    """ST_SimplifyPreserveTopology: fewer vertices for overview maps, without making polygons invalid."""

    function = "ST_SimplifyPreserveTopology"
    output_field = gis_models.GeometryField(srid=STORAGE_SRID)


class _GeometryType(Func):
    """ST_GeometryType: "ST_Point", "ST_LineString", ..., without loading the geometry into Python."""

    function = "ST_GeometryType"
    output_field = gis_models.CharField()


class _Coordinate(Func):
    """ST_X or ST_Y of a point."""

    output_field = FloatField()


def geojson_expression(geometry: Any, crs: CRS) -> AsGeoJSON:
    """Return an expression that builds a storage-CRS geometry's GeoJSON in `crs`, in its axis order."""
    expression: Any = Transform(geometry, crs.srid) if crs.srid != STORAGE_SRID else geometry
    if crs.northing_first:
        expression = FlipCoordinates(expression)
    # 7 decimals of a degree are about 1 cm, as are 2 decimals of a metre.
    return AsGeoJSON(expression, precision=7 if crs.geographic else 2)


def _public_count() -> Coalesce:
    # A subquery, not a join with GROUP BY: the rows also carry GeoJSON and search annotations.
    counts = (
        Contribution.objects.filter(procedure=OuterRef("pk"), published_at__isnull=False, hidden_at__isnull=True)
        .order_by()
        .values("procedure")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def with_geojson(procedures: ProcedureQuerySet, crs: CRS, *, simplify_m: float | None = None) -> ProcedureQuerySet:
    """Annotate each procedure's area as GeoJSON in `crs` (`area_geojson`) and a point inside it (`center_lon/lat`).

    With `simplify_m`, the area is simplified in the storage CRS first, by that many metres,
    for overview maps; the point inside is always taken from the true area.
    """
    area: Any = F("area")
    if simplify_m:
        area = SimplifyPreserveTopology(F("area"), Value(float(simplify_m)))
    center = Transform(PointOnSurface("area"), _WGS84)
    return procedures.annotate(
        area_geojson=geojson_expression(area, crs),
        center_lon=_Coordinate(center, function="ST_X"),
        center_lat=_Coordinate(center, function="ST_Y"),
    )


def procedure_extent(procedure: Procedure) -> tuple[float, float, float, float]:
    """Return where the procedure's map starts, in lon/lat: its map extent, or else its area's bounds."""
    shape = Coalesce("map_extent", "area", output_field=gis_models.GeometryField(srid=STORAGE_SRID))
    envelope: GEOSGeometry = (
        Procedure.objects.filter(pk=procedure.pk)
        .annotate(envelope=Envelope(Transform(shape, _WGS84)))
        .values_list("envelope", flat=True)
        .get()
    )
    min_lon, min_lat, max_lon, max_lat = envelope.extent
    return (min_lon, min_lat, max_lon, max_lat)


def with_geometry_geojson(contributions: ContributionQuerySet, crs: CRS) -> ContributionQuerySet:
    """Annotate each contribution's place as GeoJSON in `crs` (`geometry_geojson`, None without a place).

    `geometry_type` ("ST_Point", ...) tells its kind without loading the geometry into Python.
    """
    return contributions.annotate(
        geometry_geojson=geojson_expression(F("geometry"), crs), geometry_type=_GeometryType("geometry")
    )


# --- Procedures ---------------------------------------------------------------------------------


def _published_with_details(now: datetime.datetime) -> ProcedureQuerySet:
    return (
        Procedure.objects.published()
        .select_related("authority")
        .with_status(now)
        .annotate(contribution_count=_public_count())
    )


def procedure_list_public(
    *,
    area: GEOSGeometry | None = None,
    authority_key: str | None = None,
    kinds: Sequence[str] = (),
    statuses: Sequence[str] = (),
    text: str | None = None,
) -> ProcedureQuerySet:
    """Return published procedures, running first, then planned, then ended, filtered as asked.

    `area` is in the storage CRS; `authority_key` takes an authority and all inside it; `text`
    searches title, summary, description and the authority's name.
    """
    now = timezone.now()
    procedures = _published_with_details(now)
    if area is not None:
        if area.empty:
            return procedures.none()
        procedures = procedures.intersecting(area)
    if authority_key:
        procedures = procedures.of_authority(authority_key)
    if kinds:
        procedures = procedures.filter(kind__in=kinds)
    if statuses:
        procedures = procedures.of_status(*statuses, now=now)
    if text and text.strip():
        procedures = procedures.search(text.strip())
    status_order = Case(
        *(When(current_status=status.value, then=Value(order)) for status, order in _STATUS_ORDER.items()),
        output_field=IntegerField(),
    )
    ended = Q(current_status=ProcedureStatus.ENDED.value)
    return procedures.annotate(status_order=status_order).order_by(
        "status_order",
        # What ends soonest first while it is open; what ended last first once over.
        Case(When(~ended, then=F("ends_at"))).asc(nulls_last=True),
        Case(When(ended, then=F("ends_at"))).desc(nulls_last=True),
        "title",
        "pk",
    )


def _may_see_drafts_of(user: Any, procedure: Procedure) -> bool:
    scope = staff_scope(user)
    return scope.everything or procedure.authority_id in scope.authority_ids


def _procedure_get(procedures: ProcedureQuerySet, slug: str, user: Any) -> Procedure:
    procedure = (
        procedures.select_related("authority")
        .with_status()
        .annotate(contribution_count=_public_count())
        .prefetch_related("documents")
        .filter(slug=slug)
        .first()
    )
    if procedure is None or not (procedure.is_published or _may_see_drafts_of(user, procedure)):
        raise ProcedureNotFound()
    return procedure


def procedure_get_public(slug: str, *, user: Any = None) -> Procedure:
    """Return a published procedure (or a draft for its own authority's staff) with its documents.

    Raise ProcedureNotFound otherwise: a draft of another authority does not exist for this user.
    """
    return _procedure_get(Procedure.objects.all(), slug, user)


def procedure_get_public_geojson(slug: str, *, user: Any = None, crs: CRS) -> Procedure:
    """Return the procedure as procedure_get_public does, with its area as GeoJSON in `crs` (see with_geojson)."""
    return _procedure_get(with_geojson(Procedure.objects.all(), crs), slug, user)


def procedure_list_for_staff(scope: StaffScope) -> ProcedureQuerySet:
    """Return the procedures of the staff member's authorities, drafts included, newest first."""
    return Procedure.objects.visible_to_staff(scope).select_related("authority").with_status()


# --- Contributions ------------------------------------------------------------------------------

_PUBLIC_REPLIES = Prefetch("replies", queryset=ContributionReply.objects.order_by("created_at", "id"))


def _with_public_details(contributions: ContributionQuerySet) -> ContributionQuerySet:
    return with_geometry_geojson(
        contributions.select_related("procedure__authority")
        .prefetch_related(_PUBLIC_REPLIES)
        .with_support_count()
        .order_by("-created_at", "-id"),
        CRS84,
    )


def contribution_list_public(procedure: Procedure, *, area: GEOSGeometry | None = None) -> ContributionQuerySet:
    """Return a procedure's public contributions, newest first, with support counts and replies.

    With `area` (storage CRS), only those whose place meets it; contributions without a place have none.
    """
    contributions = _with_public_details(Contribution.objects.public().filter(procedure=procedure))
    if area is not None:
        if area.empty:
            return contributions.none()
        contributions = contributions.within(area)
    return contributions


def contribution_get_public(pk: int) -> Contribution:
    """Return a public contribution with its replies and support count, or raise ContributionNotFound."""
    contribution = _with_public_details(Contribution.objects.public()).filter(pk=pk).first()
    if contribution is None:
        raise ContributionNotFound()
    return contribution


def contribution_get_for_author(pk: int) -> Contribution:
    """Return a contribution just created, public or still awaiting confirmation, for the answer to its author."""
    contribution = _with_public_details(Contribution.objects.filter(pk=pk, hidden_at__isnull=True)).first()
    if contribution is None:
        raise ContributionNotFound()
    return contribution


def contribution_list_own(pks: Sequence[int]) -> list[Contribution]:
    """Return the contributions with these ids that are public or await their confirmation, newest first.

    For showing a browser session the contributions it made itself before anyone else sees them;
    hidden ones are left out, and so are unconfirmed ones whose link has expired or been used up.
    """
    if not pks:
        return []
    awaiting = Q(published_at__isnull=True) & ~Q(confirmation_token_hash="")
    return list(
        _with_public_details(
            Contribution.objects.filter(pk__in=list(pks), hidden_at__isnull=True).filter(
                Q(published_at__isnull=False) | awaiting
            )
        )
    )


def _with_staff_details(contributions: ContributionQuerySet) -> ContributionQuerySet:
    return with_geometry_geojson(
        contributions.select_related("procedure__authority", "author")
        .prefetch_related(_PUBLIC_REPLIES, Prefetch("flags", queryset=ContributionFlag.objects.order_by("created_at")))
        .with_support_count()
        .order_by("-created_at", "-id"),
        CRS84,
    )


def contribution_list_for_staff(scope: StaffScope, *, procedure: Procedure | None = None) -> ContributionQuerySet:
    """Return the contributions to the staff member's procedures, hidden and unconfirmed ones included."""
    contributions = Contribution.objects.visible_to_staff(scope)
    if procedure is not None:
        contributions = contributions.filter(procedure=procedure)
    return _with_staff_details(contributions)


def contribution_get_for_staff(scope: StaffScope, pk: int) -> Contribution:
    """Return any contribution to the staff member's procedures, or raise ContributionNotFound."""
    contribution = _with_staff_details(Contribution.objects.visible_to_staff(scope)).filter(pk=pk).first()
    if contribution is None:
        raise ContributionNotFound()
    return contribution


def procedure_get_for_staff(scope: StaffScope, slug: str) -> Procedure:
    """Return a procedure (draft or not) of the staff member's authorities, or raise ProcedureNotFound."""
    procedure = procedure_list_for_staff(scope).filter(slug=slug).first()
    if procedure is None:
        raise ProcedureNotFound()
    return procedure
