"""Writes of participation procedures: contributions, their confirmation, support, flags, replies and moderation."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry

from accounts.models import Role
from accounts.publication import hide_when_flagged, publication_confirm, publication_for
from accounts.selectors import staff_scope
from config.errors import Forbidden
from geo import crs as crs_module
from geo.geojson import GEOMETRY_TYPES, parse_geometry
from geo.selectors import to_geos
from geo.validation import Area, clean_geometry
from procedures import notifications
from procedures.errors import (
    ContributionEmailRequired,
    ContributionNotFound,
    ContributionsNotTaken,
    ContributionTextRequired,
    FlagReasonRequired,
    GeometryNotAllowed,
    GeometryNotTaken,
    GeometryRequired,
    GeometryTooLarge,
    HideReasonRequired,
    InvalidContributionConfirmation,
    ProcedureEnded,
    ProcedureNotStarted,
    ReplyRequired,
    TextTooLong,
)
from procedures.models import (
    Contribution,
    ContributionFlag,
    ContributionReply,
    ContributionSupport,
    GeometryKind,
    Procedure,
    ProcedureStatus,
)
from reports.models import ReportingPolicy

# Areas are drawn on generalised maps; a point a few metres beyond the drawn border still belongs.
AREA_TOLERANCE_M: Final = 5.0
# As long as the text field of the model.
MAX_TEXT_LENGTH: Final = 4000


# --- Messages formatted when they are shown, in the language of the answer ---------------------


def _format_number(value: float) -> str:
    # Rounded here: number_format cuts decimals off, and 1199.99 m is 1.200 m, not 1.199 m.
    return number_format(round(value), force_grouping=True)


def _format_datetime(value: datetime.datetime) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _format_message(message: str | Promise, params: tuple[tuple[str, Any], ...]) -> str:
    return str(message) % {name: str(value) for name, value in params}


def _join_labels(kinds: tuple[str, ...]) -> str:
    return ", ".join(str(GeometryKind(kind).label) for kind in kinds)


_localized_number: Callable[[float], str] = lazy(_format_number, str)
_localized_datetime: Callable[[datetime.datetime], str] = lazy(_format_datetime, str)
_lazy_message: Callable[[str | Promise, tuple[tuple[str, Any], ...]], str] = lazy(_format_message, str)
_lazy_labels: Callable[[tuple[str, ...]], str] = lazy(_join_labels, str)


# --- Whether a procedure takes contributions ---------------------------------------------------


def procedure_check_open(procedure: Procedure, *, now: datetime.datetime | None = None) -> None:
    """Raise the 409 that explains why the procedure takes no contributions at `now`, if it takes none."""
    if not procedure.takes_contributions:
        raise ContributionsNotTaken(url=reverse("reports:new"))
    status = procedure.status_at(now or timezone.now())
    if status == ProcedureStatus.PLANNED:
        raise ProcedureNotStarted(
            title=procedure.title,
            starts=_localized_datetime(procedure.starts_at),
            details={"starts_at": procedure.starts_at.isoformat()},
        )
    if status == ProcedureStatus.ENDED:
        raise ProcedureEnded(
            title=procedure.title,
            ends=_localized_datetime(procedure.ends_at),
            details={"ends_at": procedure.ends_at.isoformat()},
        )


# --- Geometries of contributions ---------------------------------------------------------------


@lru_cache(maxsize=32)
def _area(title: str, wkb: bytes) -> Area:
    name = _lazy_message(_("dem Gebiet des Verfahrens „%(title)s“"), (("title", title),))
    return Area.of(name, shapely.from_wkb(wkb), buffer_m=AREA_TOLERANCE_M)


def procedure_area(procedure: Procedure) -> Area:
    """Return the area a contribution's place must lie in, named so that errors name the procedure."""
    # Keyed by the area itself, so that a changed area is never checked against its old buffer.
    return _area(procedure.title, bytes(procedure.area.wkb))


def _check_kind(procedure: Procedure, geometry_type: str) -> None:
    allowed = tuple(procedure.allowed_geometries)
    if not allowed:
        raise GeometryNotTaken()
    if geometry_type not in {GeometryKind(kind).geojson_type for kind in allowed}:
        raise GeometryNotAllowed(
            allowed=_lazy_labels(allowed), details={"allowed": list(allowed), "type": str(geometry_type)[:40]}
        )


def _check_limits(procedure: Procedure, stored: BaseGeometry) -> None:
    # UTM distorts lengths in NRW by less than 0.05 %: metres in the storage CRS are metres on the ground.
    if stored.geom_type == "LineString" and stored.length > procedure.max_length_m:
        raise GeometryTooLarge(
            reason=_lazy_message(
                _("die Linie ist %(length)s m lang, erlaubt sind höchstens %(limit)s m."),
                (("length", _localized_number(stored.length)), ("limit", _localized_number(procedure.max_length_m))),
            ),
            details={"length_m": round(stored.length, 1), "max_length_m": procedure.max_length_m},
        )
    if stored.geom_type == "Polygon" and stored.area > procedure.max_area_m2:
        raise GeometryTooLarge(
            reason=_lazy_message(
                _("die Fläche ist %(area)s m² groß, erlaubt sind höchstens %(limit)s m²."),
                (("area", _localized_number(stored.area)), ("limit", _localized_number(procedure.max_area_m2))),
            ),
            details={"area_m2": round(stored.area, 1), "max_area_m2": procedure.max_area_m2},
        )


def contribution_geometry(procedure: Procedure, data: Any, crs_text: str | None = None) -> GEOSGeometry:
    """Return a GeoJSON geometry (lon/lat, or in `crs_text`) as a place for a contribution, validated, in 25832.

    The shape must be one the procedure allows, lie inside its area, and keep within its limits
    of vertices, length and area; each failure says which.
    """
    source = crs_module.parse_crs(crs_text)
    # Named in the procedure's words ("Punkt, Linie") rather than as a GeoJSON type error.
    kind = data.get("type") if isinstance(data, dict) else None
    if not procedure.allowed_geometries or (isinstance(kind, str) and kind in GEOMETRY_TYPES):
        _check_kind(procedure, str(kind))
    allowed_types = [GeometryKind(kind).geojson_type for kind in procedure.allowed_geometries]
    geometry = parse_geometry(data, max_vertices=procedure.max_vertices, allowed_types=allowed_types)
    stored = clean_geometry(geometry, source, area=procedure_area(procedure), max_vertices=procedure.max_vertices)
    _check_limits(procedure, stored)
    return to_geos(stored)


def _checked_geometry(procedure: Procedure, geometry: GEOSGeometry) -> GEOSGeometry:
    """Return a geometry given as GEOS checked as contribution_geometry checks GeoJSON, in 25832."""
    _check_kind(procedure, geometry.geom_type)
    if geometry.srid is None:
        raise ValueError("a contribution's geometry needs an SRID")
    if geometry.srid != crs_module.STORAGE_SRID:
        geometry = geometry.transform(crs_module.STORAGE_SRID, clone=True)
    stored = clean_geometry(
        shapely.from_wkb(bytes(geometry.wkb)),
        crs_module.STORAGE,
        area=procedure_area(procedure),
        max_vertices=procedure.max_vertices,
    )
    _check_limits(procedure, stored)
    return to_geos(stored)


# --- Contributions -----------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise TextTooLong(limit=MAX_TEXT_LENGTH, length=len(text))
    return text


@transaction.atomic
def contribution_create(
    *,
    procedure: Procedure,
    text: str,
    geometry: GEOSGeometry | None,
    name: str = "",
    email: str = "",
    user: Any = None,
    language: str = "de",
) -> Contribution:
    """Create a contribution to a running procedure, with an optional place inside its area.

    With an account the contribution is public at once; without one, once its confirmation
    link is opened, unless the authority's policy says otherwise.
    """
    # Locked, so that a contribution cannot slip in while the procedure's dates are being changed.
    locked = Procedure.objects.select_for_update(of=("self",)).select_related("authority").get(pk=procedure.pk)
    procedure_check_open(locked)
    text = _clean_text(text)
    if not text:
        raise ContributionTextRequired()
    if geometry is None:
        if locked.geometry_required:
            raise GeometryRequired()
    else:
        geometry = _checked_geometry(locked, geometry)
    has_account = bool(getattr(user, "is_authenticated", False))
    publication = publication_for(
        user=user,
        email=email,
        confirm_anonymous=ReportingPolicy.objects.confirms_anonymous(locked.authority_id),
        email_required=ContributionEmailRequired,
    )
    contribution = Contribution.objects.create(
        procedure=locked,
        text=text,
        geometry=geometry,
        author=user if has_account else None,
        author_name=name.strip()[:120],
        author_email=publication.email,
        language=language,
        confirmation_token_hash=publication.token_hash,
        published_at=publication.published_at,
    )
    if token := publication.token:
        # robust: a mail server that fails must not turn a stored contribution into an error answer.
        transaction.on_commit(lambda: notifications.send_confirmation(contribution, token), robust=True)
    return contribution


@transaction.atomic
def contribution_confirm(*, token: str) -> Contribution:
    """Publish the contribution whose confirmation link was opened."""
    contribution = publication_confirm(Contribution.objects.all(), token)
    if contribution is None:
        raise InvalidContributionConfirmation()
    return contribution


def _check_public(contribution: Contribution) -> None:
    if not (contribution.is_public and contribution.procedure.is_published):
        raise ContributionNotFound()


def contribution_support(*, contribution: Contribution, supporter_key: str) -> bool:
    """Count one person's support for a public contribution; return False if they supported it before.

    Support is part of taking part: it closes with the procedure, so that the counts the
    authority evaluates do not change afterwards.
    """
    _check_public(contribution)
    procedure_check_open(contribution.procedure)
    _, created = ContributionSupport.objects.get_or_create(contribution=contribution, supporter_key=supporter_key)
    return created


@transaction.atomic
def contribution_flag(*, contribution: Contribution, flagger_key: str, reason: str) -> bool:
    """Record that someone finds a public contribution abusive; return False if they flagged it before.

    Enough people's flags hide the contribution until a moderator looks at it (accounts.publication).
    """
    _check_public(contribution)
    reason = reason.strip()
    if not reason:
        raise FlagReasonRequired()
    _, created = ContributionFlag.objects.get_or_create(
        contribution=contribution, flagger_key=flagger_key, defaults={"reason": reason[:1000]}
    )
    if created:
        hide_when_flagged(Contribution.objects.all(), contribution.pk, contribution.flags.all())
    return created


# --- Staff -------------------------------------------------------------------------------------


def _contribution_for_staff(user: Any, contribution_id: int, *roles: Role) -> Contribution:
    """Return the contribution locked for change if the user may act on it in one of these roles.

    Another authority's contribution answers 404, as if it did not exist; one of one's own
    authority without the needed role answers 403.
    """
    scope = staff_scope(user)
    contribution = (
        Contribution.objects.visible_to_staff(scope)
        .select_related("procedure")
        .select_for_update(of=("self",))
        .filter(pk=contribution_id)
        .first()
    )
    if contribution is None:
        raise ContributionNotFound()
    if not scope.may(contribution.procedure.authority_id, *roles):
        raise Forbidden()
    return contribution


@transaction.atomic
def contribution_reply(*, user: Any, contribution_id: int, text: str) -> ContributionReply:
    """Answer a contribution publicly on behalf of the procedure's authority; its author hears of it."""
    contribution = _contribution_for_staff(user, contribution_id, Role.PROCESSOR)
    text = _clean_text(text)
    if not text:
        raise ReplyRequired()
    reply = ContributionReply.objects.create(contribution=contribution, text=text, author=user)
    # Like reports: an address nobody has confirmed hears nothing, so nobody is mailed on another's behalf.
    if contribution.author_email and contribution.is_public:
        transaction.on_commit(lambda: notifications.send_reply(contribution, reply), robust=True)
    return reply


@transaction.atomic
def contribution_hide(*, user: Any, contribution_id: int, reason: str) -> Contribution:
    """Hide a contribution from the public, with the reason kept for the staff."""
    contribution = _contribution_for_staff(user, contribution_id, Role.MODERATOR)
    reason = reason.strip()
    if not reason:
        raise HideReasonRequired()
    contribution.hidden_at = timezone.now()
    contribution.hidden_reason = reason[:500]
    contribution.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    ContributionFlag.objects.filter(contribution=contribution, handled_at__isnull=True).update(
        handled_at=contribution.hidden_at
    )
    return contribution


@transaction.atomic
def contribution_unhide(*, user: Any, contribution_id: int) -> Contribution:
    """Show a hidden contribution again; the flags that led to hiding it count as handled."""
    contribution = _contribution_for_staff(user, contribution_id, Role.MODERATOR)
    contribution.hidden_at = None
    contribution.hidden_reason = ""
    contribution.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    ContributionFlag.objects.filter(contribution=contribution, handled_at__isnull=True).update(
        handled_at=timezone.now()
    )
    return contribution
