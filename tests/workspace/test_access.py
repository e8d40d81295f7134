"""Who may open which workspace: staff of that authority, Land administrators all; others get 404, anonymous 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from accounts.models import Role
from config.errors import NotFound
from tests.workspace.conftest import DORTMUND_KEY, KOELN_KEY, LAND_KEY
from workspace.scope import workspace_for_authority, workspace_for_procedure, workspaces_of

pytestmark = pytest.mark.django_db

KOELN_PROCEDURE = "koeln-radverkehrskonzept-innenstadt"
GETS = [
    "items/",
    "features/",
    "clusters/",
    "clusters/report:1/",
    "grid/",
    "heatmap/",
    "hotspots/?before_start=2025-01-01&before_end=2025-01-31&after_start=2025-02-01&after_end=2025-02-28",
    "charts/weekly/",
    "charts/categories/",
    "duplicates/",
    "export/",
]


def urls(prefix: str) -> list[str]:
    return [f"/api/v1/workspace/{prefix}/{path}" for path in GETS]


def test_staff_open_their_own_authoritys_workspace(koeln_processor: User) -> None:
    ws = workspace_for_authority(koeln_processor, KOELN_KEY)

    assert ws.authority.key == KOELN_KEY
    assert ws.procedure is None
    assert ws.may_see_personal_data


def test_other_authorities_and_unknown_keys_are_not_found(koeln_processor: User) -> None:
    with pytest.raises(NotFound):
        workspace_for_authority(koeln_processor, DORTMUND_KEY)
    with pytest.raises(NotFound):
        workspace_for_authority(koeln_processor, "99999")
    with pytest.raises(NotFound):
        workspace_for_procedure(koeln_processor, "duisburg-mehr-gruen-mitte")


def test_people_without_membership_are_not_found(django_user_model: type[User]) -> None:
    citizen = django_user_model.objects.create_user("buergerin")

    with pytest.raises(NotFound):
        workspace_for_authority(citizen, KOELN_KEY)
    assert workspaces_of(citizen) == []


def test_land_administrators_open_every_workspace_without_personal_data(land_admin: User) -> None:
    koeln = workspace_for_authority(land_admin, KOELN_KEY)
    procedure = workspace_for_procedure(land_admin, "duisburg-mehr-gruen-mitte")
    land = workspace_for_authority(land_admin, LAND_KEY)

    assert not koeln.may_see_personal_data
    assert procedure.authority.key == "05112000"
    assert land.may_see_personal_data
    listed = {authority.key for authority, _procedures in workspaces_of(land_admin)}
    assert {KOELN_KEY, "05112000", LAND_KEY} <= listed


def test_workspaces_of_lists_own_authorities_with_procedures(koeln_processor: User) -> None:
    [(authority, procedures)] = workspaces_of(koeln_processor)

    assert authority.key == KOELN_KEY
    assert KOELN_PROCEDURE in {procedure.slug for procedure in procedures}


def test_a_moderator_is_staff_of_the_authority_too(staff: Callable[[str, str], User]) -> None:
    moderator = staff(KOELN_KEY, Role.MODERATOR)

    assert workspace_for_authority(moderator, KOELN_KEY).may_see_personal_data


@pytest.mark.parametrize("url", urls(f"authorities/{KOELN_KEY}") + urls(f"procedures/{KOELN_PROCEDURE}"))
def test_every_endpoint_answers_anonymous_with_403(url: str) -> None:
    response = APIClient(HTTP_ACCEPT_LANGUAGE="de").get(url)

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("url", urls(f"authorities/{KOELN_KEY}") + urls(f"procedures/{KOELN_PROCEDURE}"))
def test_every_endpoint_answers_other_authorities_with_404(
    url: str, client_for: Callable[[User], APIClient], dortmund_processor: User
) -> None:
    response = client_for(dortmund_processor).get(url)

    assert response.status_code == 404
    assert response.json()["code"] == "workspace_not_found"


@pytest.mark.parametrize("url", urls(f"authorities/{KOELN_KEY}") + urls(f"procedures/{KOELN_PROCEDURE}"))
def test_every_endpoint_answers_own_staff_and_land_administrators(
    url: str, client_for: Callable[[User], APIClient], koeln_processor: User, land_admin: User
) -> None:
    for user in (koeln_processor, land_admin):
        response = client_for(user).get(url)
        # The made-up cluster key is the one 404 left: the workspace itself opened.
        expected = 404 if "report:1" in url else 200
        assert response.status_code == expected, (user, response.content[:300])
        if expected == 404:
            assert response.json()["code"] == "cluster_not_found"


def test_merge_in_another_authority_is_not_found(
    client_for: Callable[[User], APIClient], dortmund_processor: User
) -> None:
    response = client_for(dortmund_processor).post(
        f"/api/v1/workspace/procedures/{KOELN_PROCEDURE}/merge/", {"duplicate": 1, "original": 2}, format="json"
    )

    assert response.status_code == 404


def test_dictionary_needs_a_login() -> None:
    assert APIClient().get("/api/v1/workspace/dictionary/").status_code == 403
