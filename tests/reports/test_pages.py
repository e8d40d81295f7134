"""The report pages without a browser: every step is an ordinary form, usable without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from reports.models import Report
from tests.reports.conftest import KOELN, PHOTOS, public_report

pytestmark = pytest.mark.django_db


def test_place_step_offers_map_search_coordinates_and_photo(client: Client) -> None:
    html = client.get("/meldungen/neu/").content.decode()
    for part in ('name="lon"', 'name="lat"', 'name="q"', 'name="photo-first"', "use-my-location", "placePin"):
        assert part in html


def test_search_results_lead_to_the_category_step(client: Client) -> None:
    html = client.get("/meldungen/neu/", {"q": "Aachener Straße"}).content.decode()
    assert "Aachener Straße" in html
    assert "?lon=" in html


def test_coordinates_outside_nrw_are_explained(client: Client) -> None:
    response = client.get("/meldungen/neu/", {"lon": "13.4", "lat": "52.5"})
    assert response.status_code == 422
    assert "außerhalb von Nordrhein-Westfalen" in response.content.decode()


def test_the_whole_path_without_javascript(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    place = {"lon": str(KOELN[0]), "lat": str(KOELN[1])}
    categories = client.get("/meldungen/neu/", place).content.decode()
    assert 'value="strassenschaden"' in categories
    details = client.get("/meldungen/neu/", {**place, "category": "strassenschaden"})
    assert "Wie groß ist der Schaden?" in details.content.decode()
    with (PHOTOS / "DSCN0010.jpg").open("rb") as photo, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/meldungen/neu/?lon={KOELN[0]}&lat={KOELN[1]}&category=strassenschaden",
            {"description": "Loch im Radweg", "q_groesse": "klein", "email": "jo@example.org", "photos": [photo]},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.latest("id")
    assert response["Location"] == f"/meldungen/{report.pk}/?neu=1"
    assert report.photos.count() == 1
    assert report.answers == {"groesse": "klein"}
    # Its author sees it before confirming; nobody else does.
    own = client.get(response["Location"]).content.decode()
    assert "Noch nicht veröffentlicht" in own
    assert "Loch im Radweg" in own
    assert Client().get(f"/meldungen/{report.pk}/").status_code == 404
    assert len(mail.outbox) == 1


def test_errors_keep_the_input_and_answer_422(client: Client) -> None:
    response = client.post(
        f"/meldungen/neu/?lon={KOELN[0]}&lat={KOELN[1]}&category=strassenschaden",
        {"description": "", "email": "jo@example.org"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "jo@example.org" in html
    assert not Report.objects.filter(reporter_email="jo@example.org").exists()


def test_photo_first_outside_nrw_keeps_the_photo(client: Client) -> None:
    with (PHOTOS / "DSCN0010.jpg").open("rb") as photo:  # taken in Italy
        response = client.post("/meldungen/neu/", {"photo-first": "1", "photo": photo})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 422
    html = follow.content.decode()
    assert "außerhalb von Nordrhein-Westfalen" in html
    assert 'name="photo" value="' in html


def test_report_page_english_and_support_without_javascript(client: Client, create_report: Any) -> None:
    report = public_report(create_report()["id"])
    english = client.get(f"/en/reports/{report.pk}/").content.decode()
    assert "Road damage" in english or "Straßenschaden" in english  # category names are data
    assert "History" in english
    response = client.post(f"/meldungen/{report.pk}/", {"support": "1"})
    assert response.status_code == 302
    assert report.supports.count() == 1


def test_list_page_filters(client: Client, create_report: Any) -> None:
    report = public_report(create_report()["id"])
    html = client.get("/meldungen/", {"q": "Köln", "category": "strassenschaden"}).content.decode()
    assert f"/meldungen/{report.pk}/" in html
    assert client.get("/meldungen/", {"status": "erledigt-oder-so"}).status_code == 200


def test_photos_uploaded_with_a_refused_attempt_are_kept_for_the_next(client: Client) -> None:
    url = f"/meldungen/neu/?lon={KOELN[0]}&lat={KOELN[1]}&category=strassenschaden"
    with (PHOTOS / "DSCN0010.jpg").open("rb") as photo:
        # No e-mail without an account: refused by the service after the photo was stored.
        refused = client.post(url, {"description": "Loch", "q_groesse": "klein", "photos": [photo]})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "E-Mail" in html
    assert "nicht übernommen" not in html  # the photo was kept, nothing to choose again
    action = re.search(r'enctype="multipart/form-data" action="([^"]+)"', html)
    assert action is not None
    retry = client.post(
        action.group(1).replace("&amp;", "&"),
        {"description": "Loch", "q_groesse": "klein", "email": "jo@example.org"},
    )
    assert retry.status_code == 302
    assert Report.objects.latest("id").photos.count() == 1
