"""Reads of Open311: services, public requests, tokens and the public history, in the storage CRS."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.gis.db.models.functions import Area
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db.models import Prefetch
from django.utils import timezone

from reports.models import (
    OPEN_STATUSES,
    Category,
    Open311Submission,
    Photo,
    Report,
    ReportQuerySet,
    ReportStatus,
    ReportUpdate,
)
from reports.open311.errors import UnknownService, UnknownToken
from reports.selectors import categories_at

# The spec's default window when a list names neither ids nor dates, and its largest answer.
DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_RESULTS = 1000
CLOSED_STATUSES = tuple(status for status in ReportStatus if status not in OPEN_STATUSES)


def _land_most(categories: Sequence[Category]) -> list[Category]:
    chosen: dict[str, Category] = {}
    for category in categories:
        chosen.setdefault(category.code, category)
    return sorted(chosen.values(), key=lambda category: (category.position, category.name))


def _categories_by_area_desc() -> list[Category]:
    return list(
        Category.objects.active()
        .select_related("authority", "parent")
        .prefetch_related("questions")
        .annotate(authority_area=Area("authority__boundary"))
        .order_by("-authority_area", "authority__key")
    )


def service_list(point: GEOSGeometry | None = None) -> list[Category]:
    """Return one category per code: offered at the point (smallest authority), or anywhere (largest authority)."""
    if point is not None:
        return categories_at(point)
    return _land_most(_categories_by_area_desc())


def service_get(code: str) -> Category:
    """Return the category of this code from the largest authority offering it, or raise UnknownService."""
    for category in _land_most([c for c in _categories_by_area_desc() if c.code == code]):
        return category
    raise UnknownService(service_code=code[:64])


def _public_requests() -> ReportQuerySet:
    return (
        Report.objects.public()
        .select_related("category", "authority")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.order_by("position")),
            Prefetch("updates", queryset=ReportUpdate.objects.filter(is_public=True).order_by("created_at", "id")),
        )
    )


def request_list(
    *,
    ids: Sequence[int] = (),
    service_codes: Sequence[str] = (),
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    closed: bool | None = None,
    area: GEOSGeometry | None = None,
    near: tuple[Point, float] | None = None,
) -> list[Report]:
    """Return public reports, newest first: by id (ignoring every other filter, as the spec says) or filtered."""
    reports = _public_requests()
    if ids:
        return list(reports.filter(pk__in=ids).order_by("-created_at", "-id")[:MAX_RESULTS])
    if start is None and end is None:
        start = timezone.now() - DEFAULT_WINDOW
    if start is not None:
        reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    if service_codes:
        reports = reports.filter(category__code__in=service_codes)
    if closed is not None:
        reports = reports.filter(status__in=CLOSED_STATUSES if closed else OPEN_STATUSES)
    if area is not None:
        reports = reports.none() if area.empty else reports.within(area)
    if near is not None:
        reports = reports.near(near[0], radius_m=near[1])
    return list(reports.order_by("-created_at", "-id")[:MAX_RESULTS])


def submission_by_token(token: str) -> Open311Submission:
    """Return the Open311 submission answered with this token, or raise UnknownToken."""
    submission = Open311Submission.objects.select_related("report").filter(token=token).first()
    if submission is None:
        raise UnknownToken()
    return submission


def update_list(*, start: datetime.datetime | None = None, end: datetime.datetime | None = None) -> list[ReportUpdate]:
    """Return the public changes of public reports, oldest first; a report's creation is no update."""
    if start is None and end is None:
        start = timezone.now() - DEFAULT_WINDOW
    updates = (
        ReportUpdate.objects.filter(is_public=True, report__published_at__isnull=False, report__hidden_at__isnull=True)
        .exclude(status=ReportStatus.SUBMITTED)
        .select_related("report")
    )
    if start is not None:
        updates = updates.filter(created_at__gte=start)
    if end is not None:
        updates = updates.filter(created_at__lte=end)
    return list(updates.order_by("created_at", "id")[:MAX_RESULTS])
