"""Who may read and change what: every role × authority × staff endpoint (API and admin pages).

Each row of ENDPOINTS names the actors that may use it; everyone else must be refused (403, 404,
or the admin's redirect away from the object) and must leave the database exactly as it was. The
objects all belong to Köln; Duisburg's staff must neither read nor write them. Adding an endpoint
is one line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from accounts.models import Membership, Role
from geo.models import Authority
from procedures.models import Contribution, ContributionReply, Procedure
from reports.models import Category, Report, ReportUpdate
from tests.procedures.conftest import DUISBURG_KEY, KOELN_KEY, make_procedure  # noqa: F401
from tests.reports.conftest import KOELN, stored

pytestmark = pytest.mark.django_db

LAND_KEY = "05"
ANONYMOUS = "anonymous"
KOELN_MODERATOR = "koeln-moderator"
KOELN_PROCESSOR = "koeln-processor"
KOELN_ADMINISTRATOR = "koeln-administrator"
DUISBURG_ADMINISTRATOR = "duisburg-administrator"
LAND_ADMINISTRATOR = "land-administrator"
ACTORS: dict[str, tuple[str, str] | None] = {
    ANONYMOUS: None,
    KOELN_MODERATOR: (KOELN_KEY, Role.MODERATOR),
    KOELN_PROCESSOR: (KOELN_KEY, Role.PROCESSOR),
    KOELN_ADMINISTRATOR: (KOELN_KEY, Role.ADMINISTRATOR),
    DUISBURG_ADMINISTRATOR: (DUISBURG_KEY, Role.ADMINISTRATOR),
    LAND_ADMINISTRATOR: (LAND_KEY, Role.ADMINISTRATOR),
}
KOELN_STAFF = frozenset({KOELN_MODERATOR, KOELN_PROCESSOR, KOELN_ADMINISTRATOR, LAND_ADMINISTRATOR})
MODERATORS = frozenset({KOELN_MODERATOR, KOELN_ADMINISTRATOR, LAND_ADMINISTRATOR})
PROCESSORS = frozenset({KOELN_PROCESSOR, KOELN_ADMINISTRATOR, LAND_ADMINISTRATOR})


@dataclass(frozen=True)
class Endpoint:
    """A staff operation on a Köln object: {report}, {contribution}, {procedure} and {slug} are filled in."""

    method: str
    url: str
    allowed: frozenset[str]
    body: dict[str, Any] = field(default_factory=dict)
    # A list answers everyone on staff, but must not contain objects of other authorities.
    lists: str | None = None
    admin: bool = False


ENDPOINTS: dict[str, Endpoint] = {
    "staff-report-list": Endpoint("GET", "/api/v1/staff/reports/", KOELN_STAFF, lists="report"),
    "staff-report-detail": Endpoint("GET", "/api/v1/staff/reports/{report}/", KOELN_STAFF),
    "staff-report-status": Endpoint(
        "POST", "/api/v1/staff/reports/{report}/status/", PROCESSORS, {"status": "in_progress", "public": False}
    ),
    "staff-report-hide": Endpoint("POST", "/api/v1/staff/reports/{report}/hide/", MODERATORS, {"reason": "Spam"}),
    "staff-report-unhide": Endpoint("POST", "/api/v1/staff/reports/{report}/unhide/", MODERATORS),
    "staff-contribution-list": Endpoint("GET", "/api/v1/staff/contributions/", KOELN_STAFF, lists="contribution"),
    "staff-contribution-list-of-procedure": Endpoint(
        "GET", "/api/v1/staff/contributions/?procedure={slug}", KOELN_STAFF, lists="contribution"
    ),
    "staff-contribution-reply": Endpoint(
        "POST", "/api/v1/staff/contributions/{contribution}/reply/", PROCESSORS, {"text": "Danke für den Hinweis."}
    ),
    "staff-contribution-hide": Endpoint(
        "POST", "/api/v1/staff/contributions/{contribution}/hide/", MODERATORS, {"reason": "Spam"}
    ),
    "staff-contribution-unhide": Endpoint("POST", "/api/v1/staff/contributions/{contribution}/unhide/", MODERATORS),
    "admin-report-list": Endpoint("GET", "/admin/reports/report/", KOELN_STAFF, lists="report", admin=True),
    "admin-report-change": Endpoint("GET", "/admin/reports/report/{report}/change/", KOELN_STAFF, admin=True),
    "admin-report-change-post": Endpoint(
        "POST", "/admin/reports/report/{report}/change/", KOELN_STAFF, {"description": "Überschrieben"}, admin=True
    ),
    "admin-contribution-list": Endpoint(
        "GET", "/admin/procedures/contribution/", KOELN_STAFF, lists="contribution", admin=True
    ),
    "admin-contribution-change": Endpoint(
        "GET", "/admin/procedures/contribution/{contribution}/change/", KOELN_STAFF, admin=True
    ),
    "admin-procedure-list": Endpoint("GET", "/admin/procedures/procedure/", KOELN_STAFF, lists="procedure", admin=True),
    "admin-procedure-change": Endpoint(
        "GET", "/admin/procedures/procedure/{procedure}/change/", KOELN_STAFF, admin=True
    ),
    "admin-procedure-change-post": Endpoint(
        "POST", "/admin/procedures/procedure/{procedure}/change/", KOELN_STAFF, {"title": "Überschrieben"}, admin=True
    ),
}

REPORT_TEXT = "Matrix-Meldung aus Köln"
CONTRIBUTION_TEXT = "Matrix-Beitrag aus Köln"
PROCEDURE_TITLE = "Matrix-Verfahren Köln"


@dataclass(frozen=True)
class Targets:
    report: Report
    contribution: Contribution
    procedure: Procedure

    def fill(self, url: str) -> str:
        return url.format(
            report=self.report.pk,
            contribution=self.contribution.pk,
            procedure=self.procedure.pk,
            slug=self.procedure.slug,
        )

    def text(self, kind: str) -> str:
        return {"report": REPORT_TEXT, "contribution": CONTRIBUTION_TEXT, "procedure": PROCEDURE_TITLE}[kind]

    def pk(self, kind: str) -> int:
        return {"report": self.report.pk, "contribution": self.contribution.pk, "procedure": self.procedure.pk}[kind]


@pytest.fixture
def targets(make_procedure: Any) -> Targets:  # noqa: F811
    now = timezone.now()
    category = Category.objects.filter(code="strassenschaden", authority__key=KOELN_KEY).get()
    report = Report.objects.create(
        category=category,
        authority=category.authority,
        location=stored(*KOELN),
        description=REPORT_TEXT,
        reporter_email="melder@example.org",
        published_at=now,
        confirmed_at=now,
    )
    procedure = make_procedure(title=PROCEDURE_TITLE)
    contribution = Contribution.objects.create(
        procedure=procedure, text=CONTRIBUTION_TEXT, published_at=now, author_email="autorin@example.org"
    )
    return Targets(report=report, contribution=contribution, procedure=procedure)


def client_of(actor: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    membership = ACTORS[actor]
    if membership is None:
        return client
    authority_key, role = membership
    # Staff status and every model permission: only the scoping by authority may stand in the way.
    user = User.objects.create_user(actor, f"{actor}@example.org", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["reports", "procedures"]))
    Membership.objects.create(user=user, authority=Authority.objects.get(key=authority_key), role=role)
    client.force_login(user)
    return client


def snapshot(targets: Targets) -> dict[str, Any]:
    """Return everything a staff operation could change about the Köln objects."""
    return {
        "report": list(
            Report.objects.filter(pk=targets.report.pk).values(
                "status", "description", "hidden_at", "hidden_reason", "duplicate_of", "updated_at"
            )
        ),
        "updates": ReportUpdate.objects.filter(report=targets.report).count(),
        "contribution": list(
            Contribution.objects.filter(pk=targets.contribution.pk).values("text", "hidden_at", "hidden_reason")
        ),
        "replies": ContributionReply.objects.filter(contribution=targets.contribution).count(),
        "procedure": list(Procedure.objects.filter(pk=targets.procedure.pk).values("title", "description", "area")),
    }


def send(client: Client, endpoint: Endpoint, targets: Targets) -> Any:
    url = targets.fill(endpoint.url)
    if endpoint.method == "GET":
        return client.get(url)
    if endpoint.admin:
        return client.post(url, endpoint.body)
    return client.post(url, json.dumps(endpoint.body), content_type="application/json")


def listed_ids(response: Any, endpoint: Endpoint, targets: Targets) -> bool:
    """Tell whether a list answer shows the Köln object."""
    assert endpoint.lists is not None
    if endpoint.admin:
        return f"{endpoint.url}{targets.pk(endpoint.lists)}/change/" in response.content.decode()
    features = response.json()["features"]
    ids = {feature.get("id") for feature in features} | {feature["properties"].get("id") for feature in features}
    return targets.pk(endpoint.lists) in ids


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_permission_matrix(name: str, actor: str, targets: Targets) -> None:
    endpoint = ENDPOINTS[name]
    client = client_of(actor)
    before = snapshot(targets)
    response = send(client, endpoint, targets)
    allowed = actor in endpoint.allowed

    if endpoint.lists is not None:
        if allowed:
            assert response.status_code == 200, response.content[:300]
            assert listed_ids(response, endpoint, targets), f"{actor} misses the object in {name}"
        else:
            # Refused outright, or answered without any other authority's object.
            assert response.status_code in (200, 302, 403, 404), response.status_code
            if response.status_code == 200:
                assert not listed_ids(response, endpoint, targets), f"{actor} sees Köln's object in {name}"
        assert snapshot(targets) == before
        return

    if allowed:
        if endpoint.admin and endpoint.method == "POST":
            # An incomplete form comes back with its errors: the point is that it was not refused.
            assert response.status_code == 200, response.status_code
        else:
            assert response.status_code in (200, 201), (response.status_code, response.content[:300])
        return

    if endpoint.admin:
        # The admin answers an object outside the user's queryset with a redirect to its index.
        assert response.status_code in (302, 403, 404), response.status_code
        if response.status_code == 302:
            assert targets.fill(endpoint.url) not in response["Location"].split("?")[0]
    else:
        expected = {403, 404}
        assert response.status_code in expected, (actor, name, response.status_code, response.content[:300])
        if actor == DUISBURG_ADMINISTRATOR:
            # Another authority's object is not even admitted to exist.
            assert response.status_code == 404
    body = response.content.decode()
    for secret in (REPORT_TEXT, CONTRIBUTION_TEXT, "melder@example.org", "autorin@example.org"):
        assert secret not in body, f"{actor} reads {secret!r} through {name}"
    assert snapshot(targets) == before, f"{actor} changed something through {name}"


def test_every_staff_api_route_is_in_the_matrix() -> None:
    """A new staff API route must be added to the matrix (workspace routes are added by its owner)."""
    from django.urls import get_resolver

    def walk(patterns: Any, prefix: str = "") -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                found += walk(pattern.url_patterns, route)
            else:
                found.append(route)
        return found

    staff_routes = {route for route in walk(get_resolver().url_patterns) if "/staff/" in route}
    covered = {endpoint.url.split("?")[0] for endpoint in ENDPOINTS.values()}
    normalised = {
        route.replace("<int:pk>", "{report}" if "reports" in route else "{contribution}").replace("^", "")
        for route in staff_routes
        if "workspace" not in route
    }
    normalised = {"/" + route if not route.startswith("/") else route for route in normalised}
    assert len(normalised) >= 9
    assert normalised <= covered, normalised - covered
