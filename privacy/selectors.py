"""Reads of the privacy app: what is due for anonymisation, and everything stored about one user."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.publication import person_key
from procedures.models import Contribution, ContributionFlag, ContributionReply, ContributionSupport
from reports.models import AbuseFlag, Report, ReportStatus, ReportUpdate, Support

# Reports in these statuses are finished; every other status is open and keeps its reporter.
CLOSED_STATUSES = (
    ReportStatus.RESOLVED,
    ReportStatus.CLOSED_NOT_FIXED,
    ReportStatus.DUPLICATE,
    ReportStatus.REJECTED,
)
# Keys of supports and flags that were unlinked from their person start with this; a person key is hex.
ANONYMOUS_KEY_PREFIX = "anon-"


def reports_due(*, cutoff: datetime.datetime) -> QuerySet[Report]:
    """Return the reports closed before `cutoff`.

    A report was closed by its latest history entry in a closed status; a report without one
    (made before the history existed) counts from its last change.
    """
    closed_at = Coalesce(Max("updates__created_at", filter=Q(updates__status__in=CLOSED_STATUSES)), F("updated_at"))
    return Report.objects.filter(status__in=CLOSED_STATUSES).annotate(closed_at=closed_at).filter(closed_at__lt=cutoff)


def contributions_due(*, cutoff: datetime.datetime) -> QuerySet[Contribution]:
    """Return the contributions to procedures that ended before `cutoff`."""
    return Contribution.objects.filter(procedure__ends_at__lt=cutoff)


def supports_of(key: str) -> list[QuerySet[Any]]:
    """Return the supports, of reports and of contributions, made under this person key."""
    return [Support.objects.filter(supporter_key=key), ContributionSupport.objects.filter(supporter_key=key)]


def flags_of(key: str) -> list[QuerySet[Any]]:
    """Return the abuse flags, of reports and of contributions, made under this person key."""
    return [AbuseFlag.objects.filter(flagger_key=key), ContributionFlag.objects.filter(flagger_key=key)]


def _geojson_lonlat(geometry: Any) -> dict[str, Any]:
    """Return a stored geometry as a GeoJSON geometry in lon/lat."""
    data: dict[str, Any] = json.loads(geometry.transform(4326, clone=True).geojson)
    return data


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _report(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "url": reverse("reports:detail", kwargs={"pk": report.pk}),
        "category": report.category.name,
        "authority": report.authority.name,
        "status": report.status,
        "description": report.description,
        "answers": report.answers,
        "location": _geojson_lonlat(report.location),
        "name": report.reporter_name,
        "email": report.reporter_email,
        "language": report.language,
        "created_at": _iso(report.created_at),
        "published_at": _iso(report.published_at),
        "hidden_at": _iso(report.hidden_at),
        "photos": [
            {
                "url": reverse("reports-media:photo", kwargs={"pk": photo.id}),
                "thumbnail_url": reverse("reports-media:photo-thumbnail", kwargs={"pk": photo.id}),
            }
            for photo in report.photos.all()
        ],
        "updates": [
            {"status": update.status, "note": update.note, "created_at": _iso(update.created_at)}
            for update in report.updates.all()
            if update.is_public
        ],
    }


def _contribution(contribution: Contribution) -> dict[str, Any]:
    return {
        "id": contribution.pk,
        "procedure": {"slug": contribution.procedure.slug, "title": contribution.procedure.title},
        "url": reverse("procedures:detail", kwargs={"slug": contribution.procedure.slug})
        + f"#beitrag-{contribution.pk}",
        "text": contribution.text,
        "geometry": _geojson_lonlat(contribution.geometry) if contribution.geometry else None,
        "name": contribution.author_name,
        "email": contribution.author_email,
        "language": contribution.language,
        "created_at": _iso(contribution.created_at),
        "published_at": _iso(contribution.published_at),
        "hidden_at": _iso(contribution.hidden_at),
        "replies": [{"text": reply.text, "created_at": _iso(reply.created_at)} for reply in contribution.replies.all()],
    }


def user_data_export(user: Any) -> dict[str, Any]:
    """Return everything stored about a registered user, as plain data for a JSON download (Art. 15, 20 DSGVO)."""
    key = person_key(user=user)
    reports = (
        Report.objects.filter(reporter=user)
        .select_related("category", "authority")
        .prefetch_related("photos", "updates")
        .order_by("created_at", "id")
    )
    contributions = (
        Contribution.objects.filter(author=user)
        .select_related("procedure")
        .prefetch_related("replies")
        .order_by("created_at", "id")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "memberships": [
            {"authority": membership.authority.name, "role": membership.role, "created_at": _iso(membership.created_at)}
            for membership in Membership.objects.filter(user=user).select_related("authority").order_by("id")
        ],
        "reports": [_report(report) for report in reports],
        "contributions": [_contribution(contribution) for contribution in contributions],
        "supports": {
            "reports": sorted(Support.objects.filter(supporter_key=key).values_list("report_id", flat=True)),
            "contributions": sorted(
                ContributionSupport.objects.filter(supporter_key=key).values_list("contribution_id", flat=True)
            ),
        },
        # Staff: the steps they took on reports and their answers to contributions.
        "report_updates_written": [
            {
                "report": update.report_id,
                "status": update.status,
                "note": update.note,
                "public": update.is_public,
                "created_at": _iso(update.created_at),
            }
            for update in ReportUpdate.objects.filter(author=user).order_by("created_at", "id")
        ],
        "contribution_replies_written": [
            {"contribution": reply.contribution_id, "text": reply.text, "created_at": _iso(reply.created_at)}
            for reply in ContributionReply.objects.filter(author=user).order_by("created_at", "id")
        ],
        "flags": {
            "reports": [
                {"report": flag.report_id, "reason": flag.reason, "created_at": _iso(flag.created_at)}
                for flag in AbuseFlag.objects.filter(flagger_key=key).order_by("id")
            ],
            "contributions": [
                {"contribution": flag.contribution_id, "reason": flag.reason, "created_at": _iso(flag.created_at)}
                for flag in ContributionFlag.objects.filter(flagger_key=key).order_by("id")
            ],
        },
    }
