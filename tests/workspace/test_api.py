"""The workspace's filters and list: defaults, strict parameters, keyset pages, GeoJSON, procedure scope."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import LineString
from django.utils import timezone
from rest_framework.test import APIClient

from procedures.models import Contribution, Procedure
from reports.models import Report
from tests.workspace.conftest import KOELN_KEY, PERIOD, PERIOD_QUERY, at
from workspace import selectors
from workspace.filters import (
    DEFAULT_PERIOD_DAYS,
    DEFAULT_STATUSES,
    FeedbackFilter,
    InvalidQuery,
    filter_from_query,
    filter_to_query,
)
from workspace.scope import Workspace, workspace_for_procedure

pytestmark = pytest.mark.django_db

PROCEDURE = "koeln-radverkehrskonzept-innenstadt"


# --- Filters --------------------------------------------------------------------------------


def test_an_empty_query_means_open_reports_of_the_last_90_days() -> None:
    flt = filter_from_query({})

    assert flt.start == timezone.localdate() - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)
    assert flt.end is None
    assert flt.statuses == DEFAULT_STATUSES
    assert flt.sources == frozenset({"reports", "contributions"})


def test_empty_start_and_status_all_mean_everything() -> None:
    flt = filter_from_query({"start": "", "status": ["all"]})

    assert flt.start is None
    assert flt.statuses == ()


def test_a_full_query_is_read_and_written_back_the_same() -> None:
    params: dict[str, str | list[str]] = {
        "sources": ["reports"],
        "start": "2025-01-01",
        "end": "2025-02-01",
        "category": ["muell", "strassenschaden"],
        "status": "submitted,resolved",
        "procedure": PROCEDURE,
        "q": "Radweg",
    }

    flt = filter_from_query(params)

    assert flt == FeedbackFilter(
        sources=frozenset({"reports"}),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 2, 1),
        categories=("muell", "strassenschaden"),
        statuses=("resolved", "submitted"),
        procedure=PROCEDURE,
        text="Radweg",
    )
    assert filter_from_query(filter_to_query(flt)) == flt
    assert filter_from_query(filter_to_query(FeedbackFilter())) == FeedbackFilter()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"start": "31.12.2025"}, "start"),
        ({"start": "2025-02-01", "end": "2025-01-01"}, "end"),
        ({"status": "kaputt"}, "status"),
        ({"sources": "tweets"}, "sources"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_filters_answer_400_naming_the_filter(params: dict[str, Any], name: str) -> None:
    with pytest.raises(InvalidQuery) as error:
        filter_from_query(params)
    assert error.value.status_code == 400
    assert f"„{name}“" in error.value.message


# --- List -----------------------------------------------------------------------------------


def test_pages_follow_each_other_newest_first(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    made = [make_report(at(i, 0), day=datetime.date(2025, 3, 1) + datetime.timedelta(days=i % 3)) for i in range(7)]
    expected = [f"report:{r.pk}" for r in sorted(made, key=lambda r: (r.created_at, f"report:{r.pk}"), reverse=True)]

    seen: list[str] = []
    cursor = None
    while True:
        page = selectors.feedback_page(koeln_ws, PERIOD, after=cursor, limit=3)
        assert page.total == 7
        seen += [item.key for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == expected


def test_text_filter_takes_percent_and_underscore_literally(
    koeln_ws: Workspace, make_report: Callable[..., Report]
) -> None:
    hit = make_report(at(0, 0), description="Ampel zu 100% ausgefallen")
    make_report(at(1, 0), description="Ampel zu 1000 Prozent ausgefallen")

    page = selectors.feedback_page(koeln_ws, replace(PERIOD, text="100%"))

    assert [item.id for item in page.items] == [hit.pk]
    assert selectors.feedback_page(koeln_ws, replace(PERIOD, text="ampel")).total == 2


def test_items_api_answers_json_with_next_cursor(
    client_for: Callable[[User], APIClient], koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    for i in range(3):
        make_report(at(i, 0))
    client = client_for(koeln_processor)
    url = f"/api/v1/workspace/authorities/{KOELN_KEY}/items/?{PERIOD_QUERY}&limit=2"

    first = client.get(url).json()
    second = client.get(f"{url}&after={first['next']}").json()
    unknown = client.get(f"{url}&lng=7")
    broken = client.get(f"{url}&after=nonsense")

    assert first["total"] == 3
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next"] is None
    item = first["items"][0]
    assert item["kind"] == "report"
    assert item["url"] == f"/admin/reports/report/{item['id']}/change/"
    assert item["status_name"] == "Eingegangen"
    assert 6.9 < item["lon"] < 7.0
    assert 50.9 < item["lat"] < 51.0
    assert unknown.status_code == 400
    assert broken.status_code == 400


def test_features_api_is_geojson_points(
    client_for: Callable[[User], APIClient], koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    report = make_report(at(0, 0))

    response = client_for(koeln_processor).get(f"/api/v1/workspace/authorities/{KOELN_KEY}/features/?{PERIOD_QUERY}")

    assert response["Content-Type"] == "application/geo+json"
    [feature] = json.loads(response.content)["features"]
    assert feature["properties"]["key"] == f"report:{report.pk}"
    assert feature["geometry"]["type"] == "Point"


# --- Procedure workspace --------------------------------------------------------------------


def test_procedure_workspace_holds_its_contributions_and_the_reports_in_its_area(
    koeln_processor: User,
    make_report: Callable[..., Report],
    make_contribution: Callable[..., Contribution],
) -> None:
    procedure = Procedure.objects.get(slug=PROCEDURE)
    inside = procedure.area.point_on_surface
    line = LineString((inside.x, inside.y), (inside.x + 30, inside.y + 5), srid=inside.srid)
    contribution = make_contribution(procedure, line)
    other = make_contribution(Procedure.objects.get(slug="koeln-bebauungsplan-ehrenfeld-wohnquartier"), inside)
    report_inside = make_report(inside)
    make_report(_outside(procedure))
    ws = workspace_for_procedure(koeln_processor, PROCEDURE)

    keys = {item.key for item in selectors.feedback_page(ws, PERIOD).items}

    assert keys == {f"contribution:{contribution.pk}", f"report:{report_inside.pk}"}
    assert f"contribution:{other.pk}" not in keys
    [item] = [item for item in selectors.feedback_page(ws, PERIOD).items if item.kind == "contribution"]
    assert item.category == "beitrag"
    assert item.status == ""
    assert item.url == f"/admin/procedures/contribution/{contribution.pk}/change/"


def _outside(procedure: Procedure) -> Any:
    """Return a point in Köln outside the procedure's area."""
    from django.contrib.gis.geos import Point

    from geo.models import Authority

    koeln = Authority.objects.get(key=KOELN_KEY).boundary
    minx, miny, maxx, maxy = koeln.extent
    for step in range(1, 50):
        point = Point(minx + (maxx - minx) * step / 50, miny + (maxy - miny) / 2, srid=koeln.srid)
        if koeln.contains(point) and not procedure.area.contains(point):
            return point
    raise AssertionError("no place in Köln outside the procedure")


def test_procedure_filter_in_an_authority_workspace(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    procedure = Procedure.objects.get(slug=PROCEDURE)
    inside = make_report(procedure.area.point_on_surface)
    make_report(_outside(procedure))

    page = selectors.feedback_page(koeln_ws, replace(PERIOD, procedure=PROCEDURE))

    assert [item.id for item in page.items] == [inside.pk]
    with pytest.raises(selectors.UnknownProcedure):
        selectors.feedback_page(koeln_ws, replace(PERIOD, procedure="duisburg-mehr-gruen-mitte"))


def test_hostile_text_is_only_ever_a_value(
    client_for: Callable[[User], APIClient], koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    make_report(at(0, 0))
    url = f"/api/v1/workspace/authorities/{KOELN_KEY}/items/?{PERIOD_QUERY}"

    response = client_for(koeln_processor).get(url, {"q": "'; DROP TABLE reports_report; --"})
    nul = client_for(koeln_processor).get(url, {"q": "a\x00b"})

    assert response.status_code == 200
    assert response.json()["total"] == 0
    assert Report.objects.exists()
    assert nul.status_code == 400
