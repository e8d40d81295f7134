"""Reads of the Mängelmelder: which categories a place offers, and which reports anyone may see."""

from __future__ import annotations

from django.contrib.gis.db.models.functions import Area, Distance
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Prefetch

from accounts.selectors import StaffScope
from reports.errors import CategoryNotOffered, ReportNotFound, UnknownCategory
from reports.models import Category, Photo, Report, ReportQuerySet, ReportUpdate


def categories_at(point: GEOSGeometry) -> list[Category]:
    """Return the categories a citizen can report in at a point, one per code, from the smallest authority."""
    offered = (
        Category.objects.offered_at(point)
        .select_related("authority", "parent")
        .prefetch_related("questions")
        .annotate(authority_area=Area("authority__boundary"))
        .order_by("authority_area", "position", "name")
    )
    chosen: dict[str, Category] = {}
    for category in offered:
        chosen.setdefault(category.code, category)
    return sorted(chosen.values(), key=lambda category: (category.position, category.name))


def category_for_point(code: str, point: GEOSGeometry) -> Category:
    """Return the category of this code offered by the smallest authority covering the point.

    Raise UnknownCategory if nobody offers it anywhere, and CategoryNotOffered, naming the
    nearest authority that does offer it, if nobody offers it here.
    """
    here = (
        Category.objects.offered_at(point)
        .filter(code=code)
        .select_related("authority")
        .prefetch_related("questions")
        .annotate(authority_area=Area("authority__boundary"))
        .order_by("authority_area")
        .first()
    )
    if here is not None:
        return here
    nearest = (
        Category.objects.active()
        .filter(code=code)
        .select_related("authority")
        .annotate(distance=Distance("authority__boundary", point))
        .order_by("distance")
        .first()
    )
    if nearest is None:
        raise UnknownCategory(category=code[:64])
    distance_km = nearest.distance.m / 1000  # type: ignore[attr-defined]
    raise CategoryNotOffered(
        category=nearest.name,
        authority=nearest.authority.name,
        distance=f"{distance_km:.1f}".replace(".", ","),
        details={"nearest_authority": {"key": nearest.authority.key, "name": nearest.authority.name}},
    )


def _with_public_details(reports: ReportQuerySet) -> ReportQuerySet:
    return (
        reports.select_related("category", "authority", "duplicate_of")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.order_by("position")),
            Prefetch("updates", queryset=ReportUpdate.objects.filter(is_public=True).order_by("created_at", "id")),
        )
        .with_support_count()
    )


def report_get_public(report_id: int) -> Report:
    """Return a public report with its photos and public history, or raise ReportNotFound."""
    report = _with_public_details(Report.objects.public()).filter(pk=report_id).first()
    if report is None:
        raise ReportNotFound()
    return report


def report_get_for_reporter(report_id: int) -> Report:
    """Return a report just created, public or not yet, for the answer to its reporter."""
    report = _with_public_details(Report.objects.filter(pk=report_id, hidden_at__isnull=True)).first()
    if report is None:
        raise ReportNotFound()
    return report


def report_list_public(
    *,
    area: GEOSGeometry | None = None,
    category_codes: list[str] | None = None,
    statuses: list[str] | None = None,
    authority_key: str | None = None,
) -> ReportQuerySet:
    """Return public reports, filtered by area (storage CRS), category, status and authority."""
    reports = _with_public_details(Report.objects.public())
    if area is not None:
        if area.empty:
            return reports.none()
        reports = reports.within(area)
    if category_codes:
        reports = reports.filter(category__code__in=category_codes)
    if statuses:
        reports = reports.filter(status__in=statuses)
    if authority_key:
        reports = reports.filter(authority__key=authority_key)
    return reports


def duplicate_candidates(code: str, point: GEOSGeometry, *, limit: int = 10) -> list[Report]:
    """Return open public reports of this category near the point, nearest first, within its radius."""
    category = category_for_point(code, point)
    return list(
        _with_public_details(Report.objects.public().open())
        .filter(category__code=code)
        .near(point, radius_m=category.duplicate_radius_m)
        .annotate(distance=Distance("location", point))
        .order_by("distance")[:limit]
    )


def report_get_for_staff(scope: StaffScope, report_id: int) -> Report:
    """Return any report of the staff member's authorities, with full history, or raise ReportNotFound."""
    report = (
        Report.objects.visible_to_staff(scope)
        .select_related("category", "authority", "duplicate_of", "reporter")
        .prefetch_related("photos", "updates", "flags")
        .with_support_count()
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise ReportNotFound()
    return report


def report_list_for_staff(scope: StaffScope, *, statuses: list[str] | None = None) -> ReportQuerySet:
    """Return the reports of the staff member's authorities, newest first, hidden ones included."""
    reports = (
        Report.objects.visible_to_staff(scope)
        .select_related("category", "authority")
        .prefetch_related("photos")
        .with_support_count()
    )
    if statuses:
        reports = reports.filter(status__in=statuses)
    return reports
