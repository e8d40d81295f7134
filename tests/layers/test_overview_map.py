"""The overview map of procedures: German and English, filters, and the same procedures as a list without JavaScript."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from geo.models import Authority
from layers.models import EmbedOrigin
from procedures.models import Procedure, ProcedureKind
from procedures.selectors import procedure_list_public
from tests.layers.test_authority_map import EXTERNAL_IN_SCRIPT, EXTERNAL_LOAD
from tests.procedures.conftest import DUISBURG_CENTRE, DUISBURG_KEY, square_around

pytestmark = pytest.mark.django_db

URL = "/karte/"
LISTED = re.compile(r'<li class="procedure-item" data-slug="([^"]+)"')


def listed(page: str) -> list[str]:
    """Return the slugs of the procedures the page lists, in order."""
    return LISTED.findall(page)


def expected(**filters: Any) -> list[str]:
    """Return the slugs the public selector gives for these filters, in its order."""
    return [procedure.slug for procedure in procedure_list_public(**filters)]


@pytest.fixture
def procedures(make_procedure: Callable[..., Procedure]) -> dict[str, Procedure]:
    """Make Köln procedures in every status, a draft, and a running survey of Duisburg."""
    now = timezone.now()
    return {
        "running": make_procedure(title="Radwege Neumarkt"),
        "planned": make_procedure(
            title="Grünflächen", starts_at=now + datetime.timedelta(days=5), ends_at=now + datetime.timedelta(days=9)
        ),
        "ended": make_procedure(
            title="Spielplätze 2025",
            starts_at=now - datetime.timedelta(days=60),
            ends_at=now - datetime.timedelta(days=1),
        ),
        "draft": make_procedure(title="Geheimer Entwurf", is_published=False),
        "duisburg": make_procedure(
            authority_key=DUISBURG_KEY,
            title="Hafenpromenade",
            kind=ProcedureKind.SURVEY,
            area=square_around(*DUISBURG_CENTRE, 800),
        ),
    }


def test_german_page_with_filters_map_and_list(client: Client, procedures: dict[str, Procedure]) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="de">' in page
    assert "<h1>Beteiligungsverfahren in Nordrhein-Westfalen</h1>" in page
    # Without a filter, only running procedures: "läuft" is checked, the others are not.
    assert re.search(r'<input type="checkbox" name="status" value="running"[^>]*checked', page)
    assert not re.search(r'<input type="checkbox" name="status" value="(planned|ended)"[^>]*checked', page)
    assert '<option value="" selected>ganz Nordrhein-Westfalen</option>' in page
    assert '<option value="05315000">Stadt Köln</option>' in page
    assert '<option value="05112000">Stadt Duisburg</option>' in page
    # Leaflet and the clustering come from us; the map reads the API with the same filters.
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in page
    assert "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css" in page
    assert "Beteiligungskarte.procedureOverview(" in page
    assert "/api/v1/procedures/?status=running\\u0026simplify=10\\u0026limit=1000" in page
    assert '"outlineMinZoom": 11' in page
    # The nav leads here.
    assert '<a href="/karte/">Beteiligungsverfahren</a>' in page


def test_english_page(client: Client, procedures: dict[str, Procedure]) -> None:
    with translation.override("en"):
        url = reverse("layers:overview")
        detail = reverse("procedures:detail", kwargs={"slug": procedures["running"].slug})
    assert url.startswith("/en/")
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert procedures["running"].slug in listed(page)
    assert f'<a href="{detail}">' in page  # the list leads to the English page
    assert '"language": "en"' in page  # and the map asks the API for English


def test_list_without_javascript_shows_running_published_procedures(
    client: Client, procedures: dict[str, Procedure]
) -> None:
    page = client.get(URL).content.decode()
    slugs = listed(page)
    assert slugs == expected(statuses=["running"])
    assert procedures["running"].slug in slugs
    assert procedures["duisburg"].slug in slugs
    for hidden in ("planned", "ended", "draft"):
        assert procedures[hidden].slug not in slugs
    assert "Geheimer Entwurf" not in page
    # Each entry links to its page and names authority, kind, status, dates and contributions.
    running = procedures["running"]
    item = page[page.index(f'data-slug="{running.slug}"') :].split("</li>", 1)[0]
    assert f'<a href="/verfahren/{running.slug}/">Radwege Neumarkt</a>' in item
    for text in ("Stadt Köln", "Dialog", "läuft", "Beiträge", "Zeitraum"):
        assert text in item
    assert f"{len(slugs)} Verfahren gefunden." in page


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ({"authority": DUISBURG_KEY}, {"authority_key": DUISBURG_KEY}),
        ({"authority": "05315000", "status": "running"}, {"authority_key": "05315000", "statuses": ["running"]}),
        (
            {"kind": "survey", "status": ["running", "planned"]},
            {"kinds": ["survey"], "statuses": ["running", "planned"]},
        ),
        ({"status": "planned,ended"}, {"statuses": ["planned", "ended"]}),
        ({"q": "Hafenpromenade"}, {"text": "Hafenpromenade"}),
    ],
)
def test_list_follows_the_filters(
    client: Client, procedures: dict[str, Procedure], query: dict[str, Any], filters: dict[str, Any]
) -> None:
    slugs = listed(client.get(URL, query).content.decode())
    assert slugs == expected(**filters)
    assert slugs  # each filter finds something of ours
    assert procedures["draft"].slug not in slugs


def test_a_given_filter_without_status_lists_every_status(client: Client, procedures: dict[str, Procedure]) -> None:
    slugs = listed(client.get(URL, {"authority": "05315000"}).content.decode())
    for status in ("running", "planned", "ended"):
        assert procedures[status].slug in slugs
    assert procedures["duisburg"].slug not in slugs


def test_the_land_means_all_of_nrw(client: Client, procedures: dict[str, Procedure]) -> None:
    page = client.get(URL, {"authority": "05", "status": "running"}).content.decode()
    assert listed(page) == expected(statuses=["running"])
    assert 'class="error"' not in page


def test_map_reads_the_api_with_the_filters(client: Client, procedures: dict[str, Procedure]) -> None:
    page = client.get(URL, {"authority": DUISBURG_KEY, "kind": "survey", "status": ["running", "planned"]})
    script = page.content.decode()
    match = re.search(r'"url": "(/api/v1/procedures/\?[^"]+)"', script)
    assert match
    query = parse_qs(urlsplit(match.group(1).replace("\\u0026", "&")).query)
    assert query == {
        "authority": [DUISBURG_KEY],
        "kind": ["survey"],
        "status": ["running,planned"],
        "simplify": ["10"],
        "limit": ["1000"],
    }
    # A preset authority frames the map itself: the map does not jump to the procedures found.
    assert '"fit": false' in script


def test_unknown_authority_is_explained_and_ignored(client: Client, procedures: dict[str, Procedure]) -> None:
    response = client.get(URL, {"authority": "99999", "status": "running"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert listed(page) == expected(statuses=["running"])


def test_embed_code_for_the_current_filters(client: Client, procedures: dict[str, Procedure]) -> None:
    page = client.get(URL, {"authority": "05315000", "status": ["running", "planned"], "q": "Rad & Weg"}).content
    textarea = re.search(r'<textarea id="embed-code" readonly rows="3">(.*?)</textarea>', page.decode(), re.DOTALL)
    assert textarea
    code = html.unescape(textarea.group(1))  # what a visitor copies
    assert code.startswith('<iframe src="http://testserver/einbetten/karte/?')
    source_match = re.search(r'src="([^"]+)"', code)
    assert source_match
    source = html.unescape(source_match.group(1))
    assert parse_qs(urlsplit(source).query) == {
        "authority": ["05315000"],
        "status": ["running", "planned"],
        "q": ["Rad & Weg"],
    }
    assert 'title="Karte der Beteiligungsverfahren"' in code


def test_embed_section_names_the_allowed_origins(client: Client, procedures: dict[str, Procedure]) -> None:
    EmbedOrigin.objects.get_or_create(
        authority=Authority.objects.get(key=DUISBURG_KEY), origin="https://www.duisburg.de"
    )
    page = client.get(URL, {"authority": DUISBURG_KEY}).content.decode()
    assert "Stadt Duisburg freigegeben hat" in page
    assert "<code>https://www.duisburg.de</code>" in page


def test_hostile_text_is_escaped(client: Client, procedures: dict[str, Procedure]) -> None:
    hostile = '"><script>alert(1)</script>'
    page = client.get(URL, {"q": hostile}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "alert(1)" in page  # shown back in the field, escaped


def test_page_loads_nothing_from_third_parties(client: Client, procedures: dict[str, Procedure]) -> None:
    page = client.get(URL).content.decode()
    assert not EXTERNAL_LOAD.findall(page)
    scripts = "".join(re.findall(r"<script[^>]*>(.*?)</script>", page, re.DOTALL))
    assert "L.map(" in scripts
    assert not [u for u in EXTERNAL_IN_SCRIPT.findall(scripts) if "bkg.bund.de" not in u]
    assert "tile.openstreetmap" not in page


def test_markercluster_assets_are_served_by_us(client: Client) -> None:
    for path in (
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/vendor/leaflet.markercluster/MarkerCluster.css",
        "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css",
        "/static/vendor/leaflet/images/marker-icon.png",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_maps_name_the_proxied_basemap_only_when_configured(client: Client, settings: Any) -> None:
    settings.BK_MAP_BASEMAP = "basemap-de"
    page = client.get("/karte/").content.decode()
    assert "/tiles/basemaps/basemap-de/{z}/{x}/{y}.png" in page
    assert "geodatenzentrum" not in page
    settings.BK_MAP_BASEMAP = ""
    assert "/tiles/basemaps/" not in client.get("/karte/").content.decode()
