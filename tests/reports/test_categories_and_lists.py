"""Categories at a place, and the public list of reports."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from reports.models import Category, Report
from tests.reports.conftest import DORTMUND, DUESSELDORF, KOELN, MOERS, public_report

pytestmark = pytest.mark.django_db


def codes(api: APIClient, lon: float, lat: float) -> dict[str, str]:
    response = api.get("/api/v1/categories/", {"lon": lon, "lat": lat})
    assert response.status_code == 200
    return {category["code"]: category["authority"]["name"] for category in response.json()["results"]}


def test_categories_of_every_authority_covering_the_place(api: APIClient) -> None:
    assert codes(api, *KOELN) == {
        "strassenschaden": "Köln",
        "strassenbeleuchtung": "Köln",
        "muell": "Köln",
        "gruenflaeche": "Köln",
        "landesstrasse": "Nordrhein-Westfalen",
    }
    assert codes(api, *MOERS) == {"muell": "Wesel", "landesstrasse": "Nordrhein-Westfalen"}
    assert codes(api, *DUESSELDORF) == {"landesstrasse": "Nordrhein-Westfalen"}


def test_smallest_authority_wins_for_one_code(api: APIClient) -> None:
    from geo.models import Authority

    Category.objects.create(authority=Authority.objects.get(key="05"), code="muell", name="Müll (Land)")
    assert codes(api, *MOERS)["muell"] == "Wesel"
    assert codes(api, *DUESSELDORF)["muell"] == "Nordrhein-Westfalen"


def test_category_shaped_like_an_open311_definition(api: APIClient) -> None:
    results = api.get("/api/v1/categories/", {"lon": KOELN[0], "lat": KOELN[1]}).json()["results"]
    damage = next(category for category in results if category["code"] == "strassenschaden")
    question = damage["questions"][0]
    assert question["code"] == "groesse"
    assert question["datatype"] == "singlevaluelist"
    assert question["required"] is True
    assert {"key": "klein", "name": "kleiner als ein Teller"} in question["choices"]
    assert damage["duplicate_radius_m"] == 50


def test_categories_need_a_place_in_nrw(api: APIClient) -> None:
    assert api.get("/api/v1/categories/").status_code == 400
    assert api.get("/api/v1/categories/", {"lon": 13.4, "lat": 52.5}).status_code == 422
    assert api.get("/api/v1/categories/?x=356560&y=5645282&crs=EPSG:25832").status_code == 200


def test_public_list_filters_and_pages(api: APIClient, create_report: Any) -> None:
    ids = [public_report(create_report()["id"]).pk for _ in range(3)]
    dortmund = public_report(create_report(location={"type": "Point", "coordinates": list(DORTMUND)})["id"]).pk
    pending = create_report()["id"]
    listed = api.get("/api/v1/reports/", {"limit": 1000}).json()
    assert pending not in [f["id"] for f in listed["features"]]
    in_koeln = api.get("/api/v1/reports/?bbox=6.94,50.93,6.96,50.94&limit=1000").json()
    assert set(ids) <= {f["id"] for f in in_koeln["features"]}
    assert dortmund not in {f["id"] for f in in_koeln["features"]}
    by_authority = api.get("/api/v1/reports/", {"authority": "05913000"}).json()
    assert dortmund in {f["id"] for f in by_authority["features"]}
    first = api.get("/api/v1/reports/?limit=2&category=strassenschaden").json()
    assert first["numberReturned"] == 2
    following = api.get(first["links"][0]["href"]).json()
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in following["features"]}
    assert api.get("/api/v1/reports/", {"status": "erfunden"}).status_code == 400
    assert api.get("/api/v1/reports/", {"limit": 5000}).status_code == 400
    assert Report.objects.count() >= 5
