"""Writes of the Mängelmelder: reports, photos, support, moderation and the status workflow."""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO
from uuid import UUID, uuid4

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.publication import hide_when_flagged, person_key, publication_confirm, publication_for
from accounts.selectors import staff_scope
from config.errors import Forbidden
from reports import notifications
from reports.conf import reports_settings
from reports.errors import (
    EmailRequired,
    InvalidAnswers,
    InvalidConfirmation,
    InvalidPhotos,
    InvalidTransition,
    NoteRequired,
    ReportNotFound,
)
from reports.models import (
    AbuseFlag,
    Category,
    CategoryQuestion,
    Photo,
    QuestionType,
    Report,
    ReportingPolicy,
    ReportStatus,
    ReportUpdate,
    Support,
    photo_path,
)
from reports.photos import GpsPosition, process_photo
from reports.selectors import category_for_point

# Which status may follow which. Closed reports may be reopened; nothing returns to "submitted".
_FINAL = (ReportStatus.RESOLVED, ReportStatus.CLOSED_NOT_FIXED, ReportStatus.DUPLICATE, ReportStatus.REJECTED)
TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.SUBMITTED: frozenset({ReportStatus.CONFIRMED, ReportStatus.IN_PROGRESS, *_FINAL}),
    ReportStatus.CONFIRMED: frozenset({ReportStatus.IN_PROGRESS, *_FINAL}),
    ReportStatus.IN_PROGRESS: frozenset({ReportStatus.CONFIRMED, *_FINAL}),
    **{status: frozenset({ReportStatus.CONFIRMED, ReportStatus.IN_PROGRESS}) for status in _FINAL},
}


# --- Photos ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedPhoto:
    """A stored photo and the position its EXIF data suggested before it was stripped."""

    photo: Photo
    suggested_location: GpsPosition | None


def _store_once(path: str, content: bytes) -> None:
    # Content-addressed: the same bytes always have the same name, so an existing file is this file.
    if default_storage.exists(path):
        # Young again: `uploads_cleanup` must not take it away before this upload's row is committed.
        os.utime(default_storage.path(path))
        return
    # Storage writes straight to the final name; a process killed mid-write would leave a cut-off
    # file there that every later upload of the same photo trusts. Write aside, then rename atomically.
    temporary = default_storage.save(f"{path}.{uuid4().hex}.part", ContentFile(content))
    os.replace(default_storage.path(temporary), default_storage.path(path))


def photo_upload(*, stream: BinaryIO) -> UploadedPhoto:
    """Process an uploaded photo (checked, re-encoded, stripped) and store it unattached.

    Files are written before the row: a crash in between leaves a file without a row, which
    `uploads_cleanup` removes; a row never points at a missing file.
    """
    processed = process_photo(stream, limits=reports_settings().photo_limits)
    _store_once(photo_path(processed.sha256), processed.display)
    _store_once(photo_path(processed.sha256, thumbnail=True), processed.thumbnail)
    photo = Photo.objects.create(
        sha256=processed.sha256,
        width=processed.width,
        height=processed.height,
        thumbnail_width=processed.thumbnail_width,
        thumbnail_height=processed.thumbnail_height,
        source_format=processed.source_format,
    )
    return UploadedPhoto(photo=photo, suggested_location=processed.gps)


@dataclass
class CleanupReport:
    """What `uploads_cleanup` removed."""

    photos: int = 0
    files: list[str] = field(default_factory=list)


def uploads_cleanup(*, older_than: datetime.timedelta) -> CleanupReport:
    """Remove unattached uploads older than `older_than`, and files that no row refers to."""
    report = CleanupReport()
    cutoff = timezone.now() - older_than
    report.photos, _ = Photo.objects.filter(report__isnull=True, created_at__lt=cutoff).delete()
    referenced = set(Photo.objects.values_list("sha256", flat=True))
    try:
        folders, _files = default_storage.listdir("photos")
    except FileNotFoundError:
        return report
    for folder in folders:
        for name in default_storage.listdir(f"photos/{folder}")[1]:
            path = f"photos/{folder}/{name}"
            sha = name.removesuffix(".jpg").removesuffix("-thumb")
            # A young file may belong to an upload whose row is not committed yet.
            if sha not in referenced and default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                report.files.append(path)
    return report


# --- Reports --------------------------------------------------------------------------------


def _answer_error(question: CategoryQuestion, message: Any) -> InvalidAnswers:
    return InvalidAnswers(details={"answers": {question.code: [str(message)]}})


def _clean_answer(question: CategoryQuestion, value: Any) -> Any:
    kind = question.datatype
    if kind in (QuestionType.STRING, QuestionType.TEXT):
        limit = 300 if kind == QuestionType.STRING else 4000
        if not isinstance(value, str) or len(value) > limit:
            raise _answer_error(question, _("Bitte höchstens %(limit)s Zeichen Text.") % {"limit": limit})
        return value.strip()
    if kind == QuestionType.NUMBER:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _answer_error(question, _("Bitte eine Zahl angeben.")) from None
        if isinstance(value, bool) or not math.isfinite(number):
            raise _answer_error(question, _("Bitte eine Zahl angeben."))
        return int(number) if number.is_integer() else number
    if kind == QuestionType.DATE:
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise _answer_error(question, _("Bitte ein Datum wie 2026-11-23 angeben.")) from None
    if kind == QuestionType.SINGLE_CHOICE:
        if str(value) not in question.choice_keys:
            raise _answer_error(question, _("Bitte eine der angebotenen Antworten wählen."))
        return str(value)
    values = value if isinstance(value, list) else [value]
    if not values or any(str(item) not in question.choice_keys for item in values):
        raise _answer_error(question, _("Bitte nur angebotene Antworten wählen."))
    return sorted({str(item) for item in values}, key=question.choice_keys.index)


def clean_answers(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    """Return the answers checked against the category's questions, or raise InvalidAnswers."""
    questions = {question.code: question for question in category.questions.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise InvalidAnswers(details={"answers": {code: [str(_("Diese Frage gibt es nicht."))] for code in unknown}})
    cleaned: dict[str, Any] = {}
    for code, question in questions.items():
        value = answers.get(code)
        if value in (None, "", []):
            if question.required:
                raise _answer_error(question, _("Bitte beantworten Sie diese Frage."))
            continue
        cleaned[code] = _clean_answer(question, value)
    return cleaned


def _attach_photos(report: Report, photo_ids: Sequence[UUID]) -> None:
    limit = reports_settings().photos_per_report
    if len(photo_ids) > limit:
        raise InvalidPhotos(reason=_("höchstens %(limit)s Fotos je Meldung.") % {"limit": limit})
    if len(set(photo_ids)) != len(photo_ids):
        raise InvalidPhotos(reason=_("ein Foto ist doppelt angegeben."))
    photos = {photo.id: photo for photo in Photo.objects.select_for_update().filter(id__in=photo_ids)}
    if len(photos) != len(photo_ids):
        raise InvalidPhotos(reason=_("ein Foto ist unbekannt oder abgelaufen; bitte laden Sie es erneut hoch."))
    if any(photo.report_id is not None for photo in photos.values()):
        raise InvalidPhotos(reason=_("ein Foto gehört schon zu einer anderen Meldung."))
    for position, photo_id in enumerate(photo_ids):
        photos[photo_id].report = report
        photos[photo_id].position = position
    Photo.objects.bulk_update(photos.values(), ["report", "position"])


@transaction.atomic
def report_create(
    *,
    category_code: str,
    location: Point,
    description: str,
    answers: dict[str, Any] | None = None,
    photo_ids: Sequence[UUID] = (),
    name: str = "",
    email: str = "",
    user: Any = None,
    language: str = "de",
) -> Report:
    """Create a report at `location` (storage CRS), routed to the smallest authority offering the category.

    With an account the report is public at once; without one, once its confirmation link is
    opened, unless the authority's policy says otherwise.
    """
    category = category_for_point(category_code, location)
    cleaned_answers = clean_answers(category, answers or {})
    has_account = bool(getattr(user, "is_authenticated", False))
    publication = publication_for(
        user=user,
        email=email,
        confirm_anonymous=ReportingPolicy.objects.confirms_anonymous(category.authority_id),
        email_required=EmailRequired,
    )
    report = Report.objects.create(
        authority=category.authority,
        category=category,
        location=location,
        description=description.strip(),
        answers=cleaned_answers,
        reporter=user if has_account else None,
        reporter_name=name.strip(),
        reporter_email=publication.email,
        language=language,
        confirmation_token_hash=publication.token_hash,
        published_at=publication.published_at,
    )
    _attach_photos(report, list(photo_ids))
    ReportUpdate.objects.create(report=report, status=ReportStatus.SUBMITTED, note="", is_public=True, author=None)
    if token := publication.token:
        # robust: a mail server that fails must not turn a stored report into an error answer.
        transaction.on_commit(lambda: notifications.send_confirmation(report, token), robust=True)
    return report


@transaction.atomic
def report_confirm(*, token: str) -> Report:
    """Publish the anonymous report whose confirmation link was opened."""
    report = publication_confirm(Report.objects.all(), token)
    if report is None:
        raise InvalidConfirmation()
    return report


def report_support(*, report: Report, supporter_key: str) -> bool:
    """Count one person's "me too" for an open public report; return False if they supported it before."""
    if not report.is_public:
        raise ReportNotFound()
    _, created = Support.objects.get_or_create(report=report, supporter_key=supporter_key)
    return created


@transaction.atomic
def report_flag(*, report: Report, flagger_key: str, reason: str) -> bool:
    """Record that someone finds a public report abusive; return False if they flagged it before.

    Enough people's flags hide the report until a moderator looks at it (accounts.publication).
    """
    if not report.is_public:
        raise ReportNotFound()
    _, created = AbuseFlag.objects.get_or_create(
        report=report, flagger_key=flagger_key, defaults={"reason": reason.strip()[:1000]}
    )
    if created:
        hide_when_flagged(Report.objects.all(), report.pk, report.flags.all())
    return created


# --- Staff ----------------------------------------------------------------------------------


def _report_for_staff(user: Any, report_id: int, *roles: Role) -> Report:
    """Return the report locked for change if the user may act on it in one of these roles.

    Another authority's report answers 404, as if it did not exist; a report of one's own
    authority without the needed role answers 403.
    """
    scope = staff_scope(user)
    report = Report.objects.visible_to_staff(scope).select_for_update().filter(pk=report_id).first()
    if report is None:
        raise ReportNotFound()
    if not scope.may(report.authority_id, *roles):
        raise Forbidden()
    return report


def _followers(report: Report) -> list[tuple[str, str]]:
    """Return who hears of public changes: the reporter, and the reporters of its duplicates."""
    followers = {report.reporter_email: report.language} if report.reporter_email else {}
    for address, language in report.duplicates.exclude(reporter_email="").values_list("reporter_email", "language"):
        followers.setdefault(address, language)
    return list(followers.items())


def _record(report: Report, *, user: Any, status: str, note: str, public: bool) -> ReportUpdate:
    update = ReportUpdate.objects.create(report=report, status=status, note=note, is_public=public, author=user)
    if public and report.is_public:
        recipients = _followers(report)
        transaction.on_commit(lambda: notifications.send_status_change(report, update, recipients), robust=True)
    return update


@transaction.atomic
def report_change_status(
    *, user: Any, report_id: int, status: str, note: str, public: bool = True, duplicate_of: int | None = None
) -> Report:
    """Move a report to a new status with a note; mark a duplicate and move its supporters."""
    report = _report_for_staff(user, report_id, Role.PROCESSOR)
    note = note.strip()
    if public and not note:
        raise NoteRequired()
    if status not in TRANSITIONS.get(report.status, frozenset()):
        raise InvalidTransition(
            current=ReportStatus(report.status).label,
            target=ReportStatus(status).label if status in ReportStatus.values else status,
        )
    if status == ReportStatus.DUPLICATE:
        original = _duplicate_target(user, report, duplicate_of)
        report.duplicate_of = original
        _move_supporters(report, original)
    elif duplicate_of is not None:
        raise InvalidTransition(current=ReportStatus(report.status).label, target=ReportStatus(status).label)
    else:
        report.duplicate_of = None
    report.status = status
    report.save(update_fields=["status", "duplicate_of", "updated_at"])
    _record(report, user=user, status=status, note=note, public=public)
    return report


def _duplicate_target(user: Any, report: Report, duplicate_of: int | None) -> Report:
    if duplicate_of is None or duplicate_of == report.pk:
        raise InvalidTransition(current=ReportStatus(report.status).label, target=ReportStatus.DUPLICATE.label)
    original = Report.objects.visible_to_staff(staff_scope(user)).filter(pk=duplicate_of).first()
    if original is None:
        raise ReportNotFound()
    # Follow a chain to its head, so that duplicates never point at duplicates.
    seen = {report.pk}
    head: Report = original
    while head.duplicate_of is not None and head.pk not in seen:
        seen.add(head.pk)
        head = head.duplicate_of
    original = head
    if original.pk == report.pk:
        raise InvalidTransition(current=ReportStatus(report.status).label, target=ReportStatus.DUPLICATE.label)
    return original


def _move_supporters(duplicate: Report, original: Report) -> None:
    """Let the duplicate's supporters (and its reporter, if registered) support the original instead."""
    keys = set(duplicate.supports.values_list("supporter_key", flat=True))
    if duplicate.reporter_id is not None:
        keys.add(person_key(user=duplicate.reporter))
    existing = set(original.supports.filter(supporter_key__in=keys).values_list("supporter_key", flat=True))
    Support.objects.bulk_create([Support(report=original, supporter_key=key) for key in sorted(keys - existing)])
    duplicate.supports.all().delete()
    # Reports that pointed at the duplicate now point at the original.
    Report.objects.filter(duplicate_of=duplicate).update(duplicate_of=original)


@transaction.atomic
def report_hide(*, user: Any, report_id: int, reason: str) -> Report:
    """Hide a report from the public, with the reason kept in its internal history."""
    report = _report_for_staff(user, report_id, Role.MODERATOR)
    reason = reason.strip()
    if not reason:
        raise NoteRequired(_("Bitte geben Sie einen Grund an, warum die Meldung verborgen wird."))
    report.hidden_at = timezone.now()
    report.hidden_reason = reason[:500]
    report.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    AbuseFlag.objects.filter(report=report, handled_at__isnull=True).update(handled_at=report.hidden_at)
    _record(
        report, user=user, status=report.status, note=str(_("Verborgen: %(reason)s") % {"reason": reason}), public=False
    )
    return report


@transaction.atomic
def report_unhide(*, user: Any, report_id: int) -> Report:
    """Show a hidden report again."""
    report = _report_for_staff(user, report_id, Role.MODERATOR)
    report.hidden_at = None
    report.hidden_reason = ""
    report.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    AbuseFlag.objects.filter(report=report, handled_at__isnull=True).update(handled_at=timezone.now())
    _record(report, user=user, status=report.status, note=str(_("Wieder sichtbar.")), public=False)
    return report
