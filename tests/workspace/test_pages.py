"""The workspace pages: who may open them, what their filters select, merging duplicates and downloading exports."""

from __future__ import annotations

import csv
import io
import json
from io import BytesIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.shortcuts import resolve_url
from django.test import Client

from accounts.models import Membership, Role
from geo.models import Authority
from reports import services as report_services
from reports.models import Report, ReportStatus
from tests.conftest import FIXTURES
from tests.reports.conftest import stored

pytestmark = pytest.mark.django_db

KOELN_KEY = "05315000"
DORTMUND_KEY = "05913000"
LAND_KEY = "05"
# Köln's Neumarkt, and places about 10 m and 20 m from it: near enough to cluster with eps = 50 m.
NEUMARKT = (6.9490, 50.9363)
NEAR = [(6.9490, 50.9363), (6.94912, 50.93638), (6.94895, 50.93647), (6.94925, 50.9362)]
# Far from the Neumarkt (about 2 km): never in its cluster.
EHRENFELD = (6.9170, 50.9490)
DORTMUND = (7.4653, 51.5136)
MARKER = "Werkstatttest"
PHOTO = FIXTURES / "photos" / "DSCN0010.jpg"
# The demo categories' required questions.
ANSWERS: dict[str, dict[str, Any]] = {
    "strassenschaden": {"groesse": "mittel"},
    "muell": {"art": ["sperrmuell"], "menge": 2},
}


def make_user(username: str, authority_key: str, role: str = Role.PROCESSOR) -> User:
    """Return a new user working for the authority with this key, in this role."""
    user = User.objects.create_user(username, f"{username}@example.org")
    Membership.objects.create(user=user, authority=Authority.objects.get(key=authority_key), role=role)
    return user


def make_report(
    place: tuple[float, float],
    description: str,
    *,
    code: str = "strassenschaden",
    photo: bool = False,
    name: str = "Erika Mustermann",
) -> Report:
    """Create a report through the Mängelmelder's own service, with a real photo if asked."""
    photo_ids = []
    if photo:
        photo_ids.append(report_services.photo_upload(stream=BytesIO(PHOTO.read_bytes())).photo.id)
    return report_services.report_create(
        category_code=code,
        location=stored(*place),
        description=description,
        answers=ANSWERS.get(code, {}),
        photo_ids=photo_ids,
        name=name,
        email="erika@example.org",
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def processor() -> User:
    return make_user("planerin-koeln", KOELN_KEY)


@pytest.fixture
def cluster_reports() -> list[Report]:
    """Four potholes around the Neumarkt (a cluster), one far away."""
    reports = [make_report(place, f"{MARKER}: Schlagloch Nummer {n}") for n, place in enumerate(NEAR)]
    reports.append(make_report(EHRENFELD, f"{MARKER}: Ein anderes Schlagloch"))
    return reports


def home(key: str = KOELN_KEY) -> str:
    return f"/arbeitsbereich/{key}/"


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/arbeitsbereich/",
        "/arbeitsbereich/datenlexikon/",
        home(),
        home() + "hotspots/",
        home() + "duplikate/",
        home() + "export/",
        home() + "diagramme/wochen.png",
    ],
)
def test_anonymous_visitors_are_sent_to_the_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={path}"


@pytest.mark.parametrize(
    "suffix", ["", "hotspots/", "duplikate/", "export/", "diagramme/wochen.png", "diagramme/kategorien.png"]
)
def test_another_authoritys_workspace_is_not_found(suffix: str) -> None:
    client = logged_in(make_user("planer-dortmund", DORTMUND_KEY))
    assert client.get(home(KOELN_KEY) + suffix).status_code == 404
    assert client.get(home("99999999") + suffix).status_code == 404
    assert client.get(home(DORTMUND_KEY) + suffix).status_code == 200


def test_someone_without_membership_sees_no_workspace() -> None:
    client = logged_in(User.objects.create_user("buerger"))
    assert client.get(home()).status_code == 404
    response = client.get("/arbeitsbereich/")
    assert response.status_code == 200
    assert "Sie arbeiten für keine Behörde" in response.content.decode()


def test_the_start_page_lists_the_users_authorities_and_land_administrators_open_any(processor: User) -> None:
    body = logged_in(processor).get("/arbeitsbereich/").content.decode()
    assert f'href="/arbeitsbereich/{KOELN_KEY}/"' in body
    assert f'href="/arbeitsbereich/{DORTMUND_KEY}/"' not in body
    land = logged_in(make_user("land-admin", LAND_KEY, Role.ADMINISTRATOR))
    assert land.get(home(KOELN_KEY)).status_code == 200
    assert land.get(home(DORTMUND_KEY)).status_code == 200


def test_a_procedures_workspace_belongs_to_its_authoritys_staff(processor: User) -> None:
    from procedures.models import Procedure

    procedure = Procedure.objects.select_related("authority").first()
    assert procedure is not None
    owner = logged_in(make_user("verfahren-staff", procedure.authority.key))
    response = owner.get(f"/arbeitsbereich/verfahren/{procedure.slug}/")
    assert response.status_code == 200
    assert procedure.title in response.content.decode()
    stranger_key = DORTMUND_KEY if procedure.authority.key != DORTMUND_KEY else KOELN_KEY
    stranger = logged_in(make_user("fremd", stranger_key))
    assert stranger.get(f"/arbeitsbereich/verfahren/{procedure.slug}/").status_code == 404
    assert owner.get("/arbeitsbereich/verfahren/gibt-es-nicht/").status_code == 404


# --- Map, list, clusters ----------------------------------------------------------------------


def _map_data(body: str) -> dict[str, object]:
    start = body.index('<script id="workspace-map-data" type="application/json">') + len(
        '<script id="workspace-map-data" type="application/json">'
    )
    return dict(json.loads(body[start : body.index("</script>", start)]))


def test_the_workspace_shows_clusters_in_map_and_table_with_links_to_their_pages(
    processor: User, cluster_reports: list[Report]
) -> None:
    client = logged_in(processor)
    response = client.get(home(), {"q": MARKER, "eps": "50", "min_points": "3"})
    assert response.status_code == 200
    body = response.content.decode()
    data = _map_data(body)
    clusters = data["clusters"]["features"]  # type: ignore[index]
    assert len(clusters) == 1
    cluster = clusters[0]
    assert cluster["properties"]["size"] == 4
    assert cluster["geometry"]["type"] == "Polygon"
    assert cluster["properties"]["key"] == f"report:{min(r.pk for r in cluster_reports[:4])}"
    url = cluster["properties"]["url"]
    assert url in body.replace("&amp;", "&")  # the table links to the same page as the map
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cluster mit 4 Einträgen" in text
    for report in cluster_reports[:4]:
        assert f"Schlagloch Nummer {NEAR.index(NEAR[cluster_reports.index(report)])}" in text
    assert "Ein anderes Schlagloch" not in text
    assert "Eingegangen" in text  # counts by status, by label


def test_a_cluster_that_is_gone_is_not_found(processor: User, cluster_reports: list[Report]) -> None:
    client = logged_in(processor)
    assert client.get(home() + f"cluster/report:{cluster_reports[-1].pk}/", {"q": MARKER}).status_code == 404


def test_filters_are_reflected_in_the_form_and_the_list(processor: User, cluster_reports: list[Report]) -> None:
    make_report(NEUMARKT, f"{MARKER}: Müll am Neumarkt", code="muell")
    client = logged_in(processor)
    response = client.get(home(), {"q": MARKER, "category": "muell", "status": "submitted", "start": "2020-01-01"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{MARKER}"' in body
    assert '<option value="muell" selected>' in body
    assert '<option value="submitted" selected>' in body
    assert 'value="2020-01-01"' in body
    assert "Müll am Neumarkt" in body
    assert "Schlagloch Nummer" not in body
    assert "1 Eintrag für diese Auswahl" in body


def test_map_layers_grid_hexagon_heatmap_and_points(processor: User, cluster_reports: list[Report]) -> None:
    client = logged_in(processor)
    for layer, key in (("grid", "cells"), ("hexagon", "cells"), ("heatmap", "heat"), ("points", "points")):
        response = client.get(home(), {"q": MARKER, "layer": layer, "cell": "100"})
        assert response.status_code == 200
        data = _map_data(response.content.decode())
        assert data["layer"] == layer
        if key == "cells":
            counts = sorted(feature["properties"]["count"] for feature in data["cells"]["features"])  # type: ignore[index]
            assert sum(counts) == 5
        elif key == "heat":
            assert sum(point[2] for point in data["heat"]) == 5  # type: ignore[attr-defined]
        else:
            assert len(data["points"]["features"]) == 5  # type: ignore[index]


def test_all_statuses_beside_single_ones_means_all(processor: User, cluster_reports: list[Report]) -> None:
    Report.objects.filter(pk=cluster_reports[0].pk).update(status=ReportStatus.RESOLVED)
    client = logged_in(processor)
    body = client.get(home() + "?status=all&status=submitted&q=" + MARKER).content.decode()
    assert "5 Einträge für diese Auswahl" in body
    assert "4 Einträge für diese Auswahl" in client.get(home(), {"q": MARKER}).content.decode()


def test_invalid_filters_and_settings_are_explained(processor: User) -> None:
    client = logged_in(processor)
    response = client.get(home(), {"start": "gestern"})
    assert response.status_code == 400
    assert "Bitte ein Datum wie 2026-03-31 angeben." in response.content.decode()
    response = client.get(home(), {"eps": 0})
    assert "größer oder gleich 1" in response.content.decode()


# --- Hotspots and charts ------------------------------------------------------------------------


def test_hotspots_page_ranks_places_and_shows_charts_with_tables(
    processor: User, cluster_reports: list[Report]
) -> None:
    client = logged_in(processor)
    response = client.get(home() + "hotspots/", {"q": MARKER, "cell": "500"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Orte mit dem stärksten Zuwachs" in body
    # New this week against nothing before: the Neumarkt's cell ranks first with four.
    assert '<th scope="row">1</th>' in body
    assert body.index("<td>+4</td>") < body.index("<td>+1</td>")
    assert 'src="/arbeitsbereich/05315000/diagramme/wochen.png?' in body
    assert "Eingänge nach Kategorie" in body
    assert "<caption>Eingänge pro Woche nach Kategorie</caption>" in body
    png = client.get(home() + "diagramme/kategorien.png", {"q": MARKER})
    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_reversed_hotspot_periods_are_a_form_error(processor: User) -> None:
    response = logged_in(processor).get(home() + "hotspots/", {"after_start": "2026-03-10", "after_end": "2026-03-01"})
    assert response.status_code == 200
    assert "Das Ende liegt vor dem Beginn." in response.content.decode()


# --- Duplicates -------------------------------------------------------------------------------


@pytest.fixture
def pair() -> tuple[Report, Report]:
    first = make_report(NEUMARKT, f"{MARKER}: Tiefes Schlagloch vor dem Eingang der Apotheke", photo=True)
    second = make_report(NEAR[1], f"{MARKER}: Tiefes Schlagloch vor der Apotheke am Eingang", photo=True)
    return first, second


def test_duplicate_pairs_are_shown_side_by_side_with_photos(processor: User, pair: tuple[Report, Report]) -> None:
    response = logged_in(processor).get(home() + "duplikate/", {"q": MARKER})
    assert response.status_code == 200
    body = response.content.decode()
    first, second = pair
    assert f"Meldung #{first.pk} und Meldung #{second.pk}" in body
    for report in pair:
        thumbnail = f"/photos/{report.photos.get().pk}/thumbnail.jpg"
        assert thumbnail in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_merging_a_pair_marks_the_duplicate_in_one_step(processor: User, pair: tuple[Report, Report]) -> None:
    first, second = pair
    client = logged_in(processor)
    response = client.post(
        home() + "duplikate/zusammenfuehren/",
        {"a": first.pk, "b": second.pk, "keep": "a", "note": "", "query": f"q={MARKER}&evil=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/arbeitsbereich/{KOELN_KEY}/duplikate/?q={MARKER}"
    second.refresh_from_db()
    assert second.status == ReportStatus.DUPLICATE
    assert second.duplicate_of_id == first.pk
    page = client.get(response["Location"])
    assert f"Meldung #{second.pk} ist jetzt als Duplikat von Meldung #{first.pk} markiert." in page.content.decode()
    # Merging it again explains why not, without an error page.
    again = client.post(
        home() + "duplikate/zusammenfuehren/", {"a": first.pk, "b": second.pk, "keep": "a"}, follow=True
    )
    assert again.status_code == 200
    assert 'class="notice error"' in again.content.decode()


def test_merging_reports_of_another_authority_is_not_found(processor: User, pair: tuple[Report, Report]) -> None:
    foreign = make_report(DORTMUND, f"{MARKER}: Schlagloch in Dortmund")
    client = logged_in(processor)
    response = client.post(home() + "duplikate/zusammenfuehren/", {"a": pair[0].pk, "b": foreign.pk, "keep": "a"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == ReportStatus.SUBMITTED
    # Nor can staff of Dortmund merge Köln's reports through their own workspace.
    dortmund = logged_in(make_user("planer-dortmund", DORTMUND_KEY))
    response = dortmund.post(
        home(DORTMUND_KEY) + "duplikate/zusammenfuehren/", {"a": pair[0].pk, "b": pair[1].pk, "keep": "a"}
    )
    assert response.status_code == 404
    assert client.get(home() + "duplikate/zusammenfuehren/").status_code == 405


def test_merging_needs_the_csrf_token(processor: User, pair: tuple[Report, Report]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(processor)
    response = client.post(home() + "duplikate/zusammenfuehren/", {"a": pair[0].pk, "b": pair[1].pk, "keep": "a"})
    assert response.status_code == 403


# --- Export -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "signature"),
    [
        ("csv", "text/csv", None),
        ("geojson", "application/geo+json", b"{"),
        ("gpkg", "application/geopackage+sqlite3", b"SQLite format 3\x00"),
    ],
)
def test_export_downloads_exactly_the_selection(
    processor: User, cluster_reports: list[Report], fmt: str, content_type: str, signature: bytes | None
) -> None:
    response = logged_in(processor).post(home() + f"export/?q={MARKER}", {"format": fmt, "crs": "4326"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    if signature:
        assert response.content.startswith(signature)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == 5
        assert {row["schluessel"] for row in rows} == {f"report:{report.pk}" for report in cluster_reports}
        assert not any("Erika" in value for row in rows for value in row.values())
    if fmt == "geojson":
        assert len(json.loads(response.content)["features"]) == 5


def test_the_personal_data_box_is_offered_only_to_the_authoritys_own_staff(
    processor: User, cluster_reports: list[Report]
) -> None:
    own = logged_in(processor).get(home() + f"export/?q={MARKER}").content.decode()
    assert 'name="personal"' in own
    assert "Die Datei enthält genau die 5 Rückmeldungen, die Ihre Auswahl zeigt:" in own
    land = logged_in(make_user("land-admin", LAND_KEY, Role.ADMINISTRATOR))
    page = land.get(home() + "export/")
    assert page.status_code == 200
    assert 'name="personal"' not in page.content.decode()
    # Ticking it anyway changes nothing: the field is not there to be ticked.
    response = land.post(home() + f"export/?q={MARKER}", {"format": "csv", "crs": "25832", "personal": "on"})
    assert response.status_code == 200
    assert b"Erika" not in response.content


def test_a_ticked_personal_data_export_contains_it_and_is_logged(
    processor: User, cluster_reports: list[Report]
) -> None:
    from workspace.models import PersonalDataExport

    response = logged_in(processor).post(
        home() + f"export/?q={MARKER}", {"format": "csv", "crs": "4326", "personal": "on"}
    )
    assert response.status_code == 200
    assert b"Erika Mustermann" in response.content
    assert PersonalDataExport.objects.filter(user=processor).count() == 1


def test_an_invalid_export_form_is_explained(processor: User) -> None:
    response = logged_in(processor).post(home() + "export/", {"format": "shp", "crs": "4326"})
    assert response.status_code == 422
    assert "shp ist keine gültige Auswahl" in response.content.decode()


def test_the_data_dictionary_names_the_personal_columns(processor: User) -> None:
    body = logged_in(processor).get("/arbeitsbereich/datenlexikon/").content.decode()
    assert "<code>schluessel</code>" in body
    assert "ja – nur auf ausdrücklichen Wunsch, protokolliert" in body


def test_the_list_pages_on_with_the_same_selection(
    processor: User, cluster_reports: list[Report], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workspace.views.ITEMS_PER_PAGE", 3)
    client = logged_in(processor)
    first = client.get(home(), {"q": MARKER}).content.decode()
    assert first.count('class="feedback-item') == 3
    start = first.index('rel="next"')
    link = first[first.rindex('href="', 0, start) + 6 : first.index('"', first.rindex('href="', 0, start) + 6)]
    second = client.get(home() + link.replace("&amp;", "&").split("#")[0]).content.decode()
    assert second.count('class="feedback-item') == 2
    assert 'rel="next"' not in second
    shown = {f"Schlagloch Nummer {n}" for n in range(4)} | {"Ein anderes Schlagloch"}
    assert all(text in first + second for text in shown)


def test_staff_without_the_processing_role_see_pairs_but_no_merge_form(pair: tuple[Report, Report]) -> None:
    moderator = logged_in(make_user("moderatorin", KOELN_KEY, Role.MODERATOR))
    body = moderator.get(home() + "duplikate/", {"q": MARKER}).content.decode()
    assert f"Meldung #{pair[0].pk} und Meldung #{pair[1].pk}" in body
    assert "Zusammenführen</button>" not in body
    assert "Zusammenführen dürfen nur Mitarbeitende mit der Rolle Bearbeitung." in body
    response = moderator.post(
        home() + "duplikate/zusammenfuehren/", {"a": pair[0].pk, "b": pair[1].pk, "keep": "a"}, follow=True
    )
    assert 'class="notice error"' in response.content.decode()
    pair[1].refresh_from_db()
    assert pair[1].status == ReportStatus.SUBMITTED


def test_contributions_are_listed_with_reports_and_can_be_left_out(
    processor: User, cluster_reports: list[Report]
) -> None:
    from procedures.models import Contribution, Procedure

    procedure = Procedure.objects.filter(authority__key=KOELN_KEY).order_by("slug").first()
    assert procedure is not None
    contribution = Contribution.objects.create(
        procedure=procedure, text=f"{MARKER}: Mehr Bänke am Platz", geometry=procedure.area.point_on_surface
    )
    client = logged_in(processor)
    body = client.get(home(), {"q": MARKER}).content.decode()
    assert f"Beitrag #{contribution.pk}: {procedure.title}" in body
    assert "6 Einträge für diese Auswahl" in body
    only_reports = client.get(home(), {"q": MARKER, "sources": "reports"}).content.decode()
    assert f"Beitrag #{contribution.pk}" not in only_reports
    assert 'value="contributions" id="id_sources_1">' in only_reports  # shown unticked
    in_procedure = client.get(f"/arbeitsbereich/verfahren/{procedure.slug}/", {"q": MARKER}).content.decode()
    assert f"Beitrag #{contribution.pk}" in in_procedure
