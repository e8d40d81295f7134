"""Grid and hexagon cells in metres, the heatmap, hotspots between two periods, and the chart data."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import replace

import pytest
import shapely
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from reports.models import Report
from tests.workspace.conftest import KOELN_KEY, PERIOD, PERIOD_QUERY, at, origin
from workspace import selectors
from workspace.filters import InvalidQuery
from workspace.scope import Workspace

pytestmark = pytest.mark.django_db


def cell_origin(size: float) -> tuple[float, float]:
    """Return the south-west corner (EPSG:25832) of the grid cell of `size` metres holding Köln's Neumarkt."""
    x, y = origin()
    return (x // size) * size, (y // size) * size


def at_cell(size: float, i: int, j: int, dx: float = 10, dy: float = 10) -> tuple[float, float]:
    """Return offsets from the origin that land in the cell (i, j) counted from the Neumarkt's cell."""
    x0, y0 = cell_origin(size)
    x, y = origin()
    return x0 + i * size + dx - x, y0 + j * size + dy - y


def test_square_cells_count_what_lies_in_them(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    for _ in range(3):
        make_report(at(*at_cell(100, 0, 0)))
    make_report(at(*at_cell(100, 0, 0, dx=90, dy=90)), category="muell")
    make_report(at(*at_cell(100, 2, 1)))

    collection = json.loads(selectors.grid_cells(koeln_ws, PERIOD, cell_m=100, shape="square"))

    counts = [feature["properties"]["count"] for feature in collection["features"]]
    assert counts == [4, 1]
    assert collection["features"][0]["properties"]["by_category"] == {"strassenschaden": 3, "muell": 1}
    cell = shapely.geometry.shape(collection["features"][0]["geometry"])
    # A 100 m square at 51° N spans about 0.0009° of latitude and 0.0014° of longitude.
    minx, miny, maxx, maxy = cell.bounds
    assert maxy - miny == pytest.approx(0.0009, abs=0.0001)
    assert maxx - minx == pytest.approx(0.00143, abs=0.0001)


def test_hexagons_hold_every_point_once(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    offsets = [(0, 0), (5, 5), (400, 0), (0, 400), (800, 800), (-300, 200)]
    for dx, dy in offsets:
        make_report(at(dx, dy))

    collection = json.loads(selectors.grid_cells(koeln_ws, PERIOD, cell_m=100, shape="hexagon"))

    assert sum(feature["properties"]["count"] for feature in collection["features"]) == len(offsets)
    assert collection["features"][0]["properties"]["count"] == 2
    assert all(len(feature["geometry"]["coordinates"][0]) == 7 for feature in collection["features"])


def test_cell_size_out_of_range_is_refused(koeln_ws: Workspace) -> None:
    with pytest.raises(InvalidQuery):
        selectors.grid_cells(koeln_ws, PERIOD, cell_m=5, shape="square")


def test_heat_points_weigh_by_count(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    for _ in range(3):
        make_report(at(*at_cell(25, 0, 0)))
    make_report(at(*at_cell(25, 4, 0)))

    points = selectors.heat_points(koeln_ws, PERIOD)

    assert [weight for _lat, _lon, weight in points] == [3.0, 1.0]
    lat, lon, _weight = points[0]
    assert 50.9 < lat < 51.0
    assert 6.9 < lon < 7.0


BEFORE = (datetime.date(2025, 1, 1), datetime.date(2025, 1, 31))
AFTER = (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))


def test_hotspots_rank_cells_by_growth(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    jan, feb = datetime.date(2025, 1, 15), datetime.date(2025, 2, 15)
    # Cell (0, 0): 1 → 5; cell (3, 0): 0 → 2; cell (0, 3): 4 → 1 (shrank); cell (5, 5): 2 → 4.
    for cell, before, after in (((0, 0), 1, 5), ((3, 0), 0, 2), ((0, 3), 4, 1), ((5, 5), 2, 4)):
        for _ in range(before):
            make_report(at(*at_cell(500, *cell)), day=jan)
        for _ in range(after):
            make_report(at(*at_cell(500, *cell)), day=feb)
    # Outside both periods: not counted.
    make_report(at(*at_cell(500, 3, 0)), day=datetime.date(2025, 4, 1))

    found = selectors.hotspots(koeln_ws, replace(PERIOD, start=None, end=None), before=BEFORE, after=AFTER, cell_m=500)

    assert [(spot.rank, spot.count_before, spot.count_after, spot.growth) for spot in found] == [
        (1, 1, 5, 4),
        # Equal growth: the cell with more feedback now comes first.
        (2, 2, 4, 2),
        (3, 0, 2, 2),
    ]
    assert found[0].ratio == 5.0
    assert found[2].ratio is None
    assert shapely.geometry.shape(found[0].cell).contains(shapely.geometry.Point(found[0].center))


def test_hotspot_periods_must_be_ordered(koeln_ws: Workspace) -> None:
    with pytest.raises(InvalidQuery):
        selectors.hotspots(koeln_ws, PERIOD, before=(BEFORE[1], BEFORE[0]), after=AFTER, cell_m=500)


def test_weekly_and_category_counts(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    # 2025-03-03 is a Monday; the 9th a Sunday of the same ISO week; the 10th the next Monday.
    make_report(at(0, 0), day=datetime.date(2025, 3, 3))
    make_report(at(0, 0), day=datetime.date(2025, 3, 9))
    make_report(at(0, 0), day=datetime.date(2025, 3, 10), category="muell")

    weeks = selectors.weekly_counts(koeln_ws, PERIOD)
    categories = selectors.category_counts(koeln_ws, PERIOD)

    assert weeks == [
        (datetime.date(2025, 3, 3), "Straßenschaden", 2),
        (datetime.date(2025, 3, 10), "Illegale Müllablagerung", 1),
    ]
    assert categories == [("Straßenschaden", 2), ("Illegale Müllablagerung", 1)]


def test_grid_hotspot_and_chart_api(
    client_for: Callable[[User], APIClient], koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    make_report(at(0, 0), day=datetime.date(2025, 2, 10))
    client = client_for(koeln_processor)
    base = f"/api/v1/workspace/authorities/{KOELN_KEY}"

    grid = client.get(f"{base}/grid/?{PERIOD_QUERY}&cell=250&shape=hexagon")
    hotspots = client.get(
        f"{base}/hotspots/?status=all&before_start=2025-01-01&before_end=2025-01-31"
        "&after_start=2025-02-01&after_end=2025-02-28&cell=250"
    )
    heat = client.get(f"{base}/heatmap/?{PERIOD_QUERY}")
    weekly = client.get(f"{base}/charts/weekly/?{PERIOD_QUERY}")
    categories = client.get(f"{base}/charts/categories/?{PERIOD_QUERY}")

    assert grid.status_code == 200
    assert grid["Content-Type"] == "application/geo+json"
    assert json.loads(grid.content)["features"][0]["properties"]["count"] == 1
    assert hotspots.json()["hotspots"][0]["growth"] == 1
    assert heat.json()["points"][0][2] == 1
    assert weekly.json()["weeks"] == [{"week": "2025-02-10", "category": "Straßenschaden", "count": 1}]
    assert categories.json()["categories"] == [{"category": "Straßenschaden", "count": 1}]
    missing = client.get(f"{base}/hotspots/?before_start=2025-01-01")
    assert missing.status_code == 400
