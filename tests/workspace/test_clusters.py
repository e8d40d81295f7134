"""DBSCAN clusters in metres against the real PostGIS: known synthetic clusters with the right members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
import shapely
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from reports.models import Report
from tests.workspace.conftest import KOELN_KEY, PERIOD, PERIOD_QUERY, at, lonlat_of
from workspace import selectors
from workspace.filters import InvalidQuery
from workspace.scope import Workspace

pytestmark = pytest.mark.django_db

# Three tight groups a few metres apart, far from each other, and scattered noise.
GROUP_A = [(0, 0), (3, 2), (-4, 1), (2, -5), (6, 6), (-2, -3)]
GROUP_B = [(600, 0), (604, 3), (598, -4), (601, 8), (607, -2)]
GROUP_C = [(0, 900), (5, 903), (-3, 896), (2, 908)]
NOISE = [(300, 300), (-500, 200), (900, 900), (-700, -600), (300, -700)]


@pytest.fixture
def synthetic(make_report: Callable[..., Report]) -> dict[str, list[Report]]:
    groups: dict[str, list[Report]] = {}
    for name, offsets in (("a", GROUP_A), ("b", GROUP_B), ("c", GROUP_C), ("noise", NOISE)):
        groups[name] = [
            make_report(
                at(dx, dy),
                category="strassenschaden" if index % 2 == 0 else "muell",
                status="submitted" if index % 3 else "in_progress",
            )
            for index, (dx, dy) in enumerate(offsets)
        ]
    return groups


def keys(reports: list[Report]) -> list[str]:
    return sorted(f"report:{report.pk}" for report in reports)


def test_dbscan_finds_the_three_groups_with_exactly_their_members(
    koeln_ws: Workspace, synthetic: dict[str, list[Report]]
) -> None:
    clusters = selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=15, min_points=3)

    assert [cluster.members for cluster in clusters] == [
        keys(synthetic["a"]),
        keys(synthetic["b"]),
        keys(synthetic["c"]),
    ]
    assert [cluster.size for cluster in clusters] == [6, 5, 4]
    # The key is the smallest member key, so it stays the same while the members do.
    assert [cluster.key for cluster in clusters] == [min(keys(synthetic[name])) for name in "abc"]


def test_counts_by_category_and_status(koeln_ws: Workspace, synthetic: dict[str, list[Report]]) -> None:
    biggest = selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=15, min_points=3)[0]

    assert biggest.by_category == {"strassenschaden": 3, "muell": 3}
    assert biggest.by_status == {"in_progress": 2, "submitted": 4}


def test_hull_covers_every_member_and_centre_lies_inside(
    koeln_ws: Workspace, synthetic: dict[str, list[Report]]
) -> None:
    for cluster, name in zip(selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=15, min_points=3), "abc", strict=True):
        hull = shapely.geometry.shape(cluster.hull)
        assert hull.geom_type == "Polygon"
        for report in synthetic[name]:
            # 1e-6 degrees is about 10 cm: the hull is rounded to 7 decimals.
            assert hull.buffer(1e-6).contains(shapely.geometry.Point(lonlat_of(report.location)))
        assert hull.contains(shapely.geometry.Point(cluster.center))
        # Lon/lat order, in Köln.
        assert 6.8 < cluster.center[0] < 7.1
        assert 50.8 < cluster.center[1] < 51.1


def test_eps_is_in_metres(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    # Two rows of three, exactly 100 m apart: 101 m joins them, 99 m does not.
    west = [make_report(at(0, dy)) for dy in (0, 1, 2)]
    east = [make_report(at(100, dy)) for dy in (0, 1, 2)]

    joined = selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=101, min_points=3)
    apart = selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=99, min_points=3)

    assert [cluster.members for cluster in joined] == [keys(west + east)]
    assert sorted(cluster.members for cluster in apart) == sorted([keys(west), keys(east)])


def test_min_points_drops_smaller_groups(koeln_ws: Workspace, synthetic: dict[str, list[Report]]) -> None:
    clusters = selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=15, min_points=5)

    assert [cluster.members for cluster in clusters] == [keys(synthetic["a"]), keys(synthetic["b"])]


def test_two_points_get_a_small_area_as_hull(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    make_report(at(0, 0))
    make_report(at(4, 0))

    [cluster] = selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=10, min_points=2)

    assert cluster.hull["type"] == "Polygon"
    assert shapely.geometry.shape(cluster.hull).area > 0


def test_filters_apply_before_clustering(koeln_ws: Workspace, synthetic: dict[str, list[Report]]) -> None:
    only_muell = replace(PERIOD, categories=("muell",))

    clusters = selectors.dbscan_clusters(koeln_ws, only_muell, eps_m=15, min_points=2)

    assert [cluster.members for cluster in clusters] == [keys(synthetic[name][1::2]) for name in "abc"]


@pytest.mark.parametrize(("eps", "min_points"), [(0.5, 3), (5001, 3), (10, 1), (10, 1001)])
def test_parameters_out_of_range_are_refused(koeln_ws: Workspace, eps: float, min_points: int) -> None:
    with pytest.raises(InvalidQuery):
        selectors.dbscan_clusters(koeln_ws, PERIOD, eps_m=eps, min_points=min_points)


def test_cluster_detail_lists_the_members(koeln_ws: Workspace, synthetic: dict[str, list[Report]]) -> None:
    key = min(keys(synthetic["b"]))

    detail = selectors.cluster_detail(koeln_ws, PERIOD, eps_m=15, min_points=3, key=key)

    assert sorted(item.key for item in detail.items) == keys(synthetic["b"])
    assert all(item.lon is not None and item.lat is not None for item in detail.items)


def test_unknown_cluster_is_404(koeln_ws: Workspace, synthetic: dict[str, list[Report]]) -> None:
    with pytest.raises(selectors.ClusterNotFound):
        selectors.cluster_detail(koeln_ws, PERIOD, eps_m=15, min_points=3, key="report:0")


def test_cluster_api(
    client_for: Callable[[User], APIClient], koeln_processor: User, synthetic: dict[str, list[Report]]
) -> None:
    client = client_for(koeln_processor)
    url = f"/api/v1/workspace/authorities/{KOELN_KEY}/clusters/?{PERIOD_QUERY}&eps=15&min_points=3"

    body = client.get(url).json()

    assert body["count"] == 3
    assert [cluster["members"] for cluster in body["clusters"]] == [keys(synthetic[name]) for name in "abc"]
    first = body["clusters"][0]
    detail = client.get(
        f"/api/v1/workspace/authorities/{KOELN_KEY}/clusters/{first['key']}/?{PERIOD_QUERY}&eps=15&min_points=3"
    )
    assert detail.status_code == 200
    assert sorted(item["key"] for item in detail.json()["items"]) == first["members"]
    refused = client.get(f"/api/v1/workspace/authorities/{KOELN_KEY}/clusters/?{PERIOD_QUERY}&eps=0")
    assert refused.status_code == 400
    assert "eps" in refused.json()["message"]
