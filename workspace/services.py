"""Writes of the planner workspace: merging duplicate reports in one step, and logged exports."""

from __future__ import annotations

from typing import Any, Final, Literal

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import BadRequest, Conflict, Forbidden
from reports import services as report_services
from reports.errors import ReportNotFound
from reports.models import OPEN_STATUSES, Report, ReportStatus
from workspace.exports import BUILDERS, SUPPORTED_SRIDS, DictionaryEntry, ExportFile
from workspace.exports import data_dictionary as _data_dictionary
from workspace.filters import FeedbackFilter, filter_as_json
from workspace.models import PersonalDataExport
from workspace.scope import Workspace
from workspace.selectors import feedback_count, workspace_report_ids

EXPORT_MAX_ROWS: Final = 250_000


class AlreadyMerged(Conflict):
    """One of the two reports is already a duplicate."""

    code = "already_merged"
    default_message = _("Meldung #%(id)s ist bereits als Duplikat zusammengeführt worden.")


class AlreadyClosed(Conflict):
    """The report to merge away is already closed."""

    code = "already_closed"
    default_message = _(
        "Meldung #%(id)s ist bereits abgeschlossen („%(status)s“) und kann nicht mehr zusammengeführt werden."
    )


class SameReport(BadRequest):
    """A report cannot be merged into itself."""

    code = "same_report"
    default_message = _("Eine Meldung kann nicht mit sich selbst zusammengeführt werden.")


class PersonalDataNotAllowed(Forbidden):
    """Personal data is exported only for staff of the authority itself."""

    code = "personal_data_not_allowed"
    default_message = _("Personenbezogene Daten dürfen nur Beschäftigte der zuständigen Behörde exportieren.")


class ExportTooLarge(BadRequest):
    """More rows than one export may hold."""

    code = "export_too_large"
    default_message = _(
        "Die Auswahl enthält %(rows)s Rückmeldungen; ein Export darf höchstens %(max)s enthalten. "
        "Bitte grenzen Sie Zeitraum oder Kategorien ein."
    )


@transaction.atomic
def reports_merge(*, user: Any, ws: Workspace, duplicate_id: int, original_id: int, note: str = "") -> Report:
    """Mark `duplicate_id` as a duplicate of `original_id` in one transaction; supporters and history follow."""
    if duplicate_id == original_id:
        raise SameReport()
    # Both rows are locked in id order, so two staff merging the same pair cannot deadlock or both win.
    locked = {
        report.pk: report
        for report in Report.objects.select_for_update().filter(pk__in=[duplicate_id, original_id]).order_by("pk")
    }
    inside = workspace_report_ids(ws, list(locked))
    if duplicate_id not in inside or original_id not in inside:
        raise ReportNotFound()
    duplicate, original = locked[duplicate_id], locked[original_id]
    for report in (duplicate, original):
        if report.status == ReportStatus.DUPLICATE:
            raise AlreadyMerged(id=report.pk)
    if duplicate.status not in OPEN_STATUSES:
        raise AlreadyClosed(id=duplicate.pk, status=ReportStatus(duplicate.status).label)
    note = note.strip() or gettext("Diese Meldung wurde mit Meldung #%(id)s zusammengeführt.") % {"id": original.pk}
    # The report workflow checks the role, moves the supporters, re-points older duplicates and
    # records the public history entry that tells the reporter.
    return report_services.report_change_status(
        user=user,
        report_id=duplicate.pk,
        status=ReportStatus.DUPLICATE,
        note=note,
        public=True,
        duplicate_of=original.pk,
    )


@transaction.atomic
def export_feedback(
    *,
    user: Any,
    ws: Workspace,
    flt: FeedbackFilter,
    fmt: Literal["csv", "geojson", "gpkg"],
    crs: int,
    personal: bool,
) -> ExportFile:
    """Return exactly what the filter shows as a file; personal data only for the authority's staff, logged."""
    if fmt not in BUILDERS:
        raise BadRequest(_("Unbekanntes Format. Erlaubt sind csv, geojson und gpkg."))
    if crs not in SUPPORTED_SRIDS:
        raise BadRequest(_("Unbekanntes Koordinatensystem. Erlaubt sind 4326 und 25832."))
    if personal and not ws.may_see_personal_data:
        raise PersonalDataNotAllowed()
    rows = feedback_count(ws, flt)
    if rows > EXPORT_MAX_ROWS:
        raise ExportTooLarge(
            rows=number_format(rows, force_grouping=True), max=number_format(EXPORT_MAX_ROWS, force_grouping=True)
        )
    export = BUILDERS[fmt](ws, flt, srid=crs, personal=personal)
    if personal:
        PersonalDataExport.objects.create(
            user=user,
            authority=ws.authority,
            procedure_slug=ws.procedure.slug if ws.procedure is not None else (flt.procedure or ""),
            filter=filter_as_json(flt),
            format=fmt,
            crs=crs,
            row_count=export.rows,
        )
    return export


def data_dictionary() -> list[DictionaryEntry]:
    """Return every column an export may hold, with its German description."""
    return _data_dictionary()
