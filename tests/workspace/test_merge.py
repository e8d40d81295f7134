"""Merging duplicates in one step: status, pointer, supporters and history follow; conflicts answer 409."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.publication import person_key
from config.errors import Forbidden
from reports.errors import ReportNotFound
from reports.models import Report, ReportUpdate, Support
from tests.workspace.conftest import DORTMUND_KEY, KOELN_KEY, at
from workspace import services
from workspace.scope import Workspace, workspace_for_authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_report: Callable[..., Report]) -> tuple[Report, Report]:
    original = make_report(at(0, 0))
    duplicate = make_report(at(5, 0), reporter=User.objects.create_user("melderin", "melderin@example.org"))
    Support.objects.create(report=duplicate, supporter_key="k1")
    Support.objects.create(report=duplicate, supporter_key="shared")
    Support.objects.create(report=original, supporter_key="shared")
    return original, duplicate


def test_merge_moves_status_supporters_and_history(
    koeln_ws: Workspace, koeln_processor: User, pair: tuple[Report, Report]
) -> None:
    original, duplicate = pair

    merged = services.reports_merge(
        user=koeln_processor, ws=koeln_ws, duplicate_id=duplicate.pk, original_id=original.pk
    )

    assert merged.pk == duplicate.pk
    duplicate.refresh_from_db()
    assert duplicate.status == "duplicate"
    assert duplicate.duplicate_of_id == original.pk
    reporter_key = person_key(user=duplicate.reporter)
    assert set(original.supports.values_list("supporter_key", flat=True)) == {"k1", "shared", reporter_key}
    assert not duplicate.supports.exists()
    [update] = ReportUpdate.objects.filter(report=duplicate)
    assert update.status == "duplicate"
    assert f"#{original.pk}" in update.note
    assert update.is_public


def test_merging_again_is_a_conflict(koeln_ws: Workspace, koeln_processor: User, pair: tuple[Report, Report]) -> None:
    original, duplicate = pair
    services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=duplicate.pk, original_id=original.pk)

    with pytest.raises(services.AlreadyMerged) as error:
        services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=duplicate.pk, original_id=original.pk)
    assert error.value.status_code == 409
    assert "bereits" in error.value.message
    with pytest.raises(services.AlreadyMerged):
        services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=original.pk, original_id=duplicate.pk)


def test_a_closed_report_is_not_merged(
    koeln_ws: Workspace, koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    original = make_report(at(0, 0))
    closed = make_report(at(1, 0), status="resolved")

    with pytest.raises(services.AlreadyClosed) as error:
        services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=closed.pk, original_id=original.pk)
    assert "abgeschlossen" in error.value.message
    closed.refresh_from_db()
    assert closed.status == "resolved"


def test_reports_outside_the_workspace_are_not_found(
    koeln_ws: Workspace, koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    original = make_report(at(0, 0))
    foreign = make_report(at(1, 0), authority=DORTMUND_KEY)

    with pytest.raises(ReportNotFound):
        services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=foreign.pk, original_id=original.pk)
    with pytest.raises(ReportNotFound):
        services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=original.pk, original_id=foreign.pk)
    foreign.refresh_from_db()
    assert foreign.status == "submitted"


def test_a_moderator_may_not_merge(staff: Callable[[str, str], User], pair: tuple[Report, Report]) -> None:
    original, duplicate = pair
    moderator = staff(KOELN_KEY, Role.MODERATOR)
    ws = workspace_for_authority(moderator, KOELN_KEY)

    with pytest.raises(Forbidden):
        services.reports_merge(user=moderator, ws=ws, duplicate_id=duplicate.pk, original_id=original.pk)
    duplicate.refresh_from_db()
    assert duplicate.status == "submitted"


def test_merge_api(
    client_for: Callable[[User], APIClient],
    koeln_processor: User,
    dortmund_processor: User,
    pair: tuple[Report, Report],
) -> None:
    original, duplicate = pair
    url = f"/api/v1/workspace/authorities/{KOELN_KEY}/merge/"
    body = {"duplicate": duplicate.pk, "original": original.pk, "note": "Gleicher Schaden."}

    foreign = client_for(dortmund_processor).post(url, body, format="json")
    merged = client_for(koeln_processor).post(url, body, format="json")
    again = client_for(koeln_processor).post(url, body, format="json")
    anonymous = APIClient().post(url, body, format="json")

    assert foreign.status_code == 404
    assert merged.status_code == 200
    assert merged.json() == {"duplicate": duplicate.pk, "original": original.pk, "status": "duplicate"}
    assert again.status_code == 409
    assert "bereits" in again.json()["message"]
    assert anonymous.status_code == 403
    assert ReportUpdate.objects.get(report=duplicate).note == "Gleicher Schaden."
    invalid = client_for(koeln_processor).post(url, {"duplicate": "x"}, format="json")
    assert invalid.status_code == 422


def test_a_report_is_not_merged_into_itself(
    koeln_ws: Workspace, koeln_processor: User, pair: tuple[Report, Report]
) -> None:
    original, _duplicate = pair

    with pytest.raises(services.SameReport):
        services.reports_merge(user=koeln_processor, ws=koeln_ws, duplicate_id=original.pk, original_id=original.pk)
