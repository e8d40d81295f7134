"""The planner workspace in a real headless Chromium: clusters on the map, a cluster's page, merging a
duplicate pair and downloading a GeoPackage that GDAL reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyogrio.raw  # type: ignore[import-untyped]  # no stubs
import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from reports.models import Report, ReportStatus
from tests.e2e.axe import assert_accessible
from tests.e2e.axe import axe_page as axe_page  # a fixture: pytest finds it here
from tests.workspace.test_pages import KOELN_KEY, MARKER, NEAR, make_report, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page: Page, live_server: Any, user: Any) -> None:
    """Give the browser a session of this user, as the login page would."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_staff_see_clusters_open_one_merge_a_duplicate_and_download_a_geopackage(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    user = make_user("planerin-koeln", KOELN_KEY)
    original = make_report(NEAR[0], f"{MARKER}: Tiefes Schlagloch vor dem Eingang der Apotheke", photo=True)
    duplicate = make_report(NEAR[1], f"{MARKER}: Tiefes Schlagloch vor der Apotheke am Eingang", photo=True)
    make_report(NEAR[2], f"{MARKER}: Gullydeckel klappert")
    make_report(NEAR[3], f"{MARKER}: Bordstein abgebrochen")
    sign_in(page, live_server, user)

    # The map draws the one cluster of the four as an SVG outline; the table lists it as well.
    page.goto(f"{live_server.url}/arbeitsbereich/{KOELN_KEY}/?q={MARKER}&layer=clusters&eps=50&min_points=3")
    hull = page.locator("path.workspace-cluster")
    expect(hull).to_have_count(1)
    assert (hull.get_attribute("d") or "").startswith("M")
    expect(page.locator(".workspace-cluster-size")).to_have_text("4")
    expect(page.locator("#map-status")).to_have_text("1 Cluster auf der Karte.")
    expect(page.locator("table.clusters tbody tr")).to_have_count(1)

    # Another way of grouping is drawn at once from the workspace API, and the address keeps it.
    page.get_by_label("Darstellung").select_option("hexagon")
    expect(page.locator("path.workspace-cell").first).to_be_visible()
    expect(page.locator(".workspace-legend")).to_contain_text("Einträge je Zelle")
    assert "layer=hexagon" in page.url
    page.get_by_label("Darstellung").select_option("heatmap")
    expect(page.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    expect(page.locator("#map-status")).to_have_text("Heatmap aus 4 Einträgen.")
    page.get_by_label("Darstellung").select_option("clusters")
    expect(page.locator("path.workspace-cluster")).to_have_count(1)
    expect(page.locator("path.workspace-cell")).to_have_count(0)

    # A click on the outline opens the cluster: its counts and its four members.
    hull.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cluster mit 4 Einträgen")
    expect(page.locator(".cluster-members > li")).to_have_count(4)
    expect(page.get_by_role("table", name="Nach Kategorie")).to_contain_text("4")
    expect(page.locator("path.workspace-cluster")).to_have_count(1)

    # The duplicates page shows the pair with both photos; keeping the older one merges it in one step.
    page.get_by_role("link", name="Duplikate", exact=True).click()
    pair = page.locator(".duplicate-pair").filter(has_text=f"Meldung #{original.pk} und Meldung #{duplicate.pk}")
    expect(pair).to_have_count(1)
    page.wait_for_function(
        """() => {
            const images = [...document.querySelectorAll(".duplicate-pair img")];
            return images.length >= 2 && images.every((image) => image.complete && image.naturalWidth > 0);
        }"""
    )
    pair.get_by_label(f"Meldung #{original.pk} bleibt").check()
    pair.get_by_role("button", name="Zusammenführen").click()
    expect(page.locator(".messages")).to_contain_text(
        f"Meldung #{duplicate.pk} ist jetzt als Duplikat von Meldung #{original.pk} markiert."
    )
    merged = Report.objects.get(pk=duplicate.pk)
    assert merged.status == ReportStatus.DUPLICATE
    assert merged.duplicate_of_id == original.pk
    expect(page.locator(".duplicate-pair")).to_have_count(0)

    # The export is exactly what the filter shows: the open reports, so the merged one is left out.
    page.get_by_role("link", name="Export", exact=True).click()
    page.get_by_label("GeoPackage").check()
    page.get_by_label("ETRS89 / UTM 32N (EPSG:25832)").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Herunterladen").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".gpkg")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    meta, _fids, geometry, fields = pyogrio.raw.read(path)
    assert len(geometry) == 3
    assert "25832" in str(meta["crs"])
    keys = set(fields[list(meta["fields"]).index("schluessel")])
    assert f"report:{duplicate.pk}" not in keys
    assert f"report:{original.pk}" in keys

    assert page.request_log.foreign == []  # type: ignore[attr-defined]
    assert page.request_log.failed == []  # type: ignore[attr-defined]


def test_every_workspace_page_meets_wcag_21_aa(axe_page: Page, live_server: Any) -> None:
    user = make_user("planerin-koeln", KOELN_KEY)
    make_report(NEAR[0], f"{MARKER}: Tiefes Schlagloch vor dem Eingang der Apotheke", photo=True)
    make_report(NEAR[1], f"{MARKER}: Tiefes Schlagloch vor der Apotheke am Eingang", photo=True)
    make_report(NEAR[2], f"{MARKER}: Gullydeckel klappert")
    sign_in(axe_page, live_server, user)
    home = f"{live_server.url}/arbeitsbereich/{KOELN_KEY}/"
    pages = [
        f"{live_server.url}/arbeitsbereich/",
        f"{home}?q={MARKER}",
        f"{home}?q={MARKER}&layer=hexagon",
        f"{home}?q={MARKER}&layer=heatmap",
        f"{home}hotspots/?q={MARKER}",
        f"{home}duplikate/?q={MARKER}",
        f"{home}export/?q={MARKER}",
        f"{live_server.url}/arbeitsbereich/datenlexikon/",
    ]
    for address in pages:
        axe_page.goto(address)
        axe_page.wait_for_load_state("networkidle")
        assert_accessible(axe_page, live_server)
    axe_page.goto(f"{home}?q={MARKER}")
    axe_page.locator("table.clusters a").first.click()
    axe_page.wait_for_load_state("networkidle")
    expect(axe_page.locator(".cluster-members > li")).to_have_count(3)
    assert_accessible(axe_page, live_server)
    assert axe_page.js_errors == []  # type: ignore[attr-defined]
