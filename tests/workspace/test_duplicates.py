"""Duplicate review: near reports of one category with similar text (pg_trgm), ranked; others left out."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from reports.models import Photo, Report
from tests.workspace.conftest import KOELN_KEY, PERIOD, PERIOD_QUERY, at
from workspace import selectors
from workspace.scope import Workspace

pytestmark = pytest.mark.django_db

TEXT = "Tiefes Schlagloch auf dem Radweg vor der Bäckerei"


def pairs_of(found: list[selectors.DuplicatePair]) -> list[tuple[int, int]]:
    return [(pair.a.id, pair.b.id) for pair in found]


def test_near_similar_reports_of_one_category_pair_up(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    original = make_report(at(0, 0), description=TEXT)
    close = make_report(at(8, 0), description="Tiefes Schlagloch auf dem Radweg vor der Bäckerei!")
    farther = make_report(at(40, 0), description="Schlagloch auf dem Radweg vor der Bäckerei")
    # Each of these differs in one thing: too far, another category, another text, already a duplicate.
    make_report(at(300, 0), description=TEXT)
    make_report(at(5, 5), description=TEXT, category="muell")
    make_report(at(3, 3), description="Laterne flackert seit Tagen am Spielplatz")
    make_report(at(2, 0), description=TEXT, status="duplicate")

    found = selectors.duplicate_pairs(koeln_ws, PERIOD, distance_m=50, min_similarity=0.5)

    assert pairs_of(found) == [(original.pk, close.pk), (close.pk, farther.pk), (original.pk, farther.pk)]
    best = found[0]
    assert best.distance_m == pytest.approx(8, abs=0.01)
    assert best.similarity > 0.9
    assert best.score > found[1].score > found[2].score
    # The older report comes first: it is the one to keep.
    assert best.a.created_at <= best.b.created_at


def test_distance_is_in_metres(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    make_report(at(0, 0), description=TEXT)
    make_report(at(30, 0), description=TEXT)

    assert len(selectors.duplicate_pairs(koeln_ws, PERIOD, distance_m=31)) == 1
    assert selectors.duplicate_pairs(koeln_ws, PERIOD, distance_m=29) == []


def test_other_authorities_reports_never_pair(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    make_report(at(0, 0), description=TEXT)
    # A Dortmund category for a place in Köln: not in Köln's workspace, so no pair.
    make_report(at(1, 0), description=TEXT, authority="05913000")

    assert selectors.duplicate_pairs(koeln_ws, PERIOD) == []


def test_pairs_carry_photos(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    first = make_report(at(0, 0), description=TEXT)
    make_report(at(1, 0), description=TEXT)
    photo = Photo.objects.create(
        report=first,
        sha256="a" * 64,
        width=800,
        height=600,
        thumbnail_width=200,
        thumbnail_height=150,
        source_format="JPEG",
    )

    [pair] = selectors.duplicate_pairs(koeln_ws, PERIOD)

    assert pair.a.photos == (f"/photos/{photo.pk}/thumbnail.jpg",)
    assert pair.b.photos == ()


def test_duplicates_api(
    client_for: Callable[[User], APIClient], koeln_processor: User, make_report: Callable[..., Report]
) -> None:
    first = make_report(at(0, 0), description=TEXT)
    second = make_report(at(1, 0), description=TEXT)

    response = client_for(koeln_processor).get(
        f"/api/v1/workspace/authorities/{KOELN_KEY}/duplicates/?{PERIOD_QUERY}&distance=20&similarity=0.4"
    )

    assert response.status_code == 200
    [pair] = response.json()["pairs"]
    assert (pair["a"]["id"], pair["b"]["id"]) == (first.pk, second.pk)
    assert pair["similarity"] == 1.0
    bad = client_for(koeln_processor).get(f"/api/v1/workspace/authorities/{KOELN_KEY}/duplicates/?similarity=2")
    assert bad.status_code == 400


def test_every_pair_within_the_distance_is_found_once(koeln_ws: Workspace, make_report: Callable[..., Report]) -> None:
    # Scattered over cell borders in every direction: the grid hashing must miss no pair and repeat none.
    rng = random.Random(25832)
    reports = [make_report(at(rng.uniform(0, 200), rng.uniform(0, 200)), description=TEXT) for _ in range(40)]
    expected = {
        (a.pk, b.pk)
        for a, b in itertools.combinations(sorted(reports, key=lambda report: report.pk), 2)
        if a.location.distance(b.location) <= 50
    }

    found = pairs_of(selectors.duplicate_pairs(koeln_ws, PERIOD, distance_m=50, min_similarity=0.5, limit=500))

    assert len(found) == len(set(found))
    assert set(found) == expected
    assert len(expected) > 50
