"""Whose feedback a workspace shows and who may open it: staff of that authority, Land administrators all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.selectors import StaffScope, staff_scope
from config.errors import NotFound
from geo.models import Authority
from procedures.models import Procedure
from reports.models import Report


class WorkspaceNotFound(NotFound):
    """The workspace does not exist, or the user may not know that it does."""

    code = "workspace_not_found"
    default_message = _("Diesen Arbeitsbereich gibt es nicht, oder Sie arbeiten nicht für diese Behörde.")


@dataclass(frozen=True)
class Workspace:
    """The feedback of one authority (or of one of its procedures) as one staff member sees it."""

    authority: Authority
    procedure: Procedure | None
    scope: StaffScope
    # Only the authority's own staff may export reporters' names and addresses, and only when they tick it.
    may_see_personal_data: bool


def _may_open(scope: StaffScope, authority: Authority) -> bool:
    return scope.everything or authority.pk in scope.authority_ids


def _workspace(user: Any, authority: Authority, procedure: Procedure | None) -> Workspace:
    scope = staff_scope(user)
    if not _may_open(scope, authority):
        # 404, not 403: other authorities' staff do not learn what exists.
        raise WorkspaceNotFound()
    return Workspace(
        authority=authority,
        procedure=procedure,
        scope=scope,
        may_see_personal_data=authority.pk in scope.authority_ids,
    )


def workspace_for_authority(user: Any, authority_key: str) -> Workspace:
    """Return the workspace of an authority, or raise WorkspaceNotFound unless the user works for it."""
    authority = Authority.objects.filter(key=authority_key).first()
    if authority is None:
        raise WorkspaceNotFound()
    return _workspace(user, authority, None)


def workspace_for_procedure(user: Any, slug: str) -> Workspace:
    """Return the workspace of a procedure, or raise WorkspaceNotFound unless the user works for its authority."""
    procedure = Procedure.objects.select_related("authority").filter(slug=slug).first()
    if procedure is None:
        raise WorkspaceNotFound()
    return _workspace(user, procedure.authority, procedure)


def workspaces_of(user: Any) -> list[tuple[Authority, list[Procedure]]]:
    """Return the authorities whose workspace the user may open, each with its procedures."""
    scope = staff_scope(user)
    if not scope.is_staff:
        return []
    authorities = Authority.objects.order_by("key")
    # A Land administrator may open every workspace; the start page lists the authorities with feedback or procedures.
    if scope.everything:
        with_feedback = set(Procedure.objects.values_list("authority_id", flat=True))
        # One index probe per authority, not a scan of every report.
        has_reports = Exists(Report.objects.filter(authority_id=OuterRef("pk")))
        with_feedback |= set(Authority.objects.filter(has_reports).values_list("pk", flat=True))
        with_feedback |= set(scope.authority_ids)
        authorities = authorities.filter(pk__in=with_feedback)
    else:
        authorities = authorities.filter(pk__in=scope.authority_ids)
    procedures: dict[int, list[Procedure]] = {}
    for procedure in Procedure.objects.filter(authority__in=authorities).order_by("-starts_at", "title"):
        procedures.setdefault(procedure.authority_id, []).append(procedure)
    return [(authority, procedures.get(authority.pk, [])) for authority in authorities]
