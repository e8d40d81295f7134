"""The demo procedures: real areas of four authorities, in every status on any day, loaded once and only once."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from geo.models import Authority
from layers.models import EmbedOrigin
from procedures import demo
from procedures.models import (
    Contribution,
    ContributionReply,
    ContributionSupport,
    GeometryKind,
    Procedure,
    ProcedureDocument,
    ProcedureKind,
    ProcedureStatus,
)

pytestmark = pytest.mark.django_db

DEMO = json.loads(demo.PROCEDURES_FILE.read_text(encoding="utf-8"))
SLUGS = [entry["slug"] for entry in DEMO["procedures"]]


def demo_procedures() -> list[Procedure]:
    return list(Procedure.objects.filter(slug__in=SLUGS).select_related("authority"))


def test_at_least_twelve_procedures_of_at_least_four_authorities() -> None:
    procedures = demo_procedures()
    assert len(procedures) == len(SLUGS) >= 12
    keys = {procedure.authority.key for procedure in procedures}
    assert {"05315000", "05112000", "05170", "05"} <= keys
    assert all(procedure.is_published for procedure in procedures)
    assert {procedure.kind for procedure in procedures} == set(ProcedureKind.values)
    assert sum(procedure.kind == ProcedureKind.MAENGELMELDER for procedure in procedures) == 1


def test_every_status_today() -> None:
    now = timezone.now()
    statuses = [procedure.status_at(now) for procedure in demo_procedures()]
    assert statuses.count(ProcedureStatus.RUNNING) >= 7
    assert statuses.count(ProcedureStatus.PLANNED) >= 2
    assert statuses.count(ProcedureStatus.ENDED) >= 2
    # The QuerySet says the same as the model.
    running = Procedure.objects.filter(slug__in=SLUGS).running(now)
    assert running.count() == statuses.count(ProcedureStatus.RUNNING)


def test_areas_are_real_and_valid() -> None:
    for procedure in demo_procedures():
        assert procedure.area.srid == 25832
        assert procedure.area.valid, procedure.slug
        # Each area lies in its authority's area, give or take VG5000's generalisation.
        assert procedure.authority.boundary.buffer(1000).covers(procedure.area), procedure.slug
    innenstadt = Procedure.objects.get(slug="koeln-radverkehrskonzept-innenstadt")
    assert innenstadt.area.area / 1e6 == pytest.approx(16.37, abs=0.01)
    wesel = Procedure.objects.get(slug="kreis-wesel-radwegenetz")
    assert wesel.area.equals_exact(Authority.objects.get(key="05170").boundary, 0.01)


def test_map_settings_and_geometries_vary() -> None:
    procedures = {procedure.slug: procedure for procedure in demo_procedures()}
    assert procedures["nrw-klimaanpassung-erfahrungen"].allowed_geometries == []  # text only
    assert procedures["koeln-maengelmelder-altstadt"].allowed_geometries == [GeometryKind.POINT]
    assert set(procedures["koeln-radverkehrskonzept-innenstadt"].allowed_geometries) == set(GeometryKind.values)
    assert any(procedure.overlays for procedure in procedures.values())
    assert {procedure.basemap for procedure in procedures.values()} == {"boundaries", "none"}
    extent = procedures["koeln-radverkehrskonzept-innenstadt"].map_extent
    assert extent is not None
    assert extent.intersects(procedures["koeln-radverkehrskonzept-innenstadt"].area)


def test_texts_say_they_are_demo_content() -> None:
    for procedure in demo_procedures():
        assert "*Demo:" in procedure.description, procedure.slug
        assert procedure.contact_email.endswith("@example.org"), procedure.slug
    koeln = Procedure.objects.get(slug="koeln-bebauungsplan-ehrenfeld-wohnquartier")
    assert "Datenquelle Stadt Köln – Offene Daten Köln" in koeln.area_attribution
    duisburg = Procedure.objects.get(slug="duisburg-mehr-gruen-mitte")
    assert "© OpenStreetMap contributors" in duisburg.area_attribution


def test_contributions_lie_inside_their_areas_in_allowed_shapes() -> None:
    contributions = list(Contribution.objects.filter(procedure__slug__in=SLUGS).select_related("procedure"))
    assert len(contributions) >= 6
    assert len({contribution.procedure_id for contribution in contributions}) >= 2
    kinds = {contribution.geometry_kind for contribution in contributions}
    assert kinds == {None, GeometryKind.POINT, GeometryKind.LINE, GeometryKind.POLYGON}
    for contribution in contributions:
        procedure = contribution.procedure
        assert procedure.takes_contributions
        assert procedure.status == ProcedureStatus.RUNNING
        assert contribution.is_public
        assert contribution.published_at <= timezone.now()
        if contribution.geometry is not None:
            assert contribution.geometry.srid == 25832
            assert contribution.geometry_kind in procedure.allowed_geometries, contribution.text
            assert procedure.area.covers(contribution.geometry), contribution.text
        assert contribution.author_email in ("", "anwohnerin@example.org")
    public = Contribution.objects.public().filter(procedure__slug__in=SLUGS)
    assert public.count() == len(contributions)
    assert ContributionReply.objects.filter(contribution__procedure__slug__in=SLUGS).count() >= 2
    assert ContributionSupport.objects.filter(contribution__procedure__slug__in=SLUGS).count() >= 10


def test_embed_origins() -> None:
    def origins(key: str) -> set[str]:
        return set(EmbedOrigin.objects.filter(authority__key=key).values_list("origin", flat=True))

    assert origins("05315000") == {"https://www.stadt-koeln.de", "http://localhost:8080"}
    assert origins("05112000") == {"https://www.duisburg.de"}


def test_documents_are_pdfs_on_storage() -> None:
    # Each test has its own MEDIA_ROOT, empty: the session's load stored the files elsewhere.
    documents = list(ProcedureDocument.objects.filter(procedure__slug__in=SLUGS))
    assert len(documents) == 2
    assert not any(default_storage.exists(document.file.name) for document in documents)
    report = demo.procedures_load()
    assert report.documents_stored == 2
    for document in ProcedureDocument.objects.filter(procedure__slug__in=SLUGS):
        assert document.file.name == f"documents/{document.procedure_id}/demo-planunterlage.pdf"
        with default_storage.open(document.file.name, "rb") as stored:
            assert stored.read(5) == b"%PDF-"
    # Stored once: a second load finds the files.
    assert demo.procedures_load().documents_stored == 0


def snapshot() -> dict[str, Any]:
    """Return everything the demo loader writes, by natural key, with timestamps."""
    return {
        "procedures": sorted(
            (p.slug, p.pk, p.updated_at, p.starts_at, p.ends_at, bytes(p.area.wkb)) for p in demo_procedures()
        ),
        "documents": sorted(ProcedureDocument.objects.values_list("pk", "procedure_id", "title", "file")),
        "contributions": sorted(Contribution.objects.values_list("pk", "procedure_id", "updated_at", "published_at")),
        "replies": sorted(ContributionReply.objects.values_list("pk", "contribution_id")),
        "supports": sorted(ContributionSupport.objects.values_list("pk", "contribution_id", "supporter_key")),
        "origins": sorted(EmbedOrigin.objects.values_list("pk", "authority_id", "origin", "note")),
        "procedure_count": Procedure.objects.count(),
    }


def test_loading_the_demo_data_again_changes_nothing() -> None:
    before = snapshot()
    call_command("load_demo_data", verbosity=0)
    assert snapshot() == before
    report = demo.procedures_load()
    assert report.created == []
    assert report.updated == []
    assert sorted(report.unchanged) == sorted(SLUGS)
    assert (report.contributions_created, report.embed_origins_created) == (0, 0)
    assert snapshot() == before


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def test_dates_follow_the_day_of_loading() -> None:
    first = {p.slug: (p.starts_at, p.ends_at) for p in demo_procedures()}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    report = demo.procedures_load(today=tomorrow)
    assert sorted(report.updated) == sorted(SLUGS)
    for procedure in demo_procedures():
        starts, ends = first[procedure.slug]
        # A day later by the calendar; across a change of summer time that is 23 or 25 hours.
        assert local_day(procedure.starts_at) - local_day(starts) == datetime.timedelta(days=1)
        assert local_day(procedure.ends_at) - local_day(ends) == datetime.timedelta(days=1)
        assert timezone.localtime(procedure.starts_at).time() == datetime.time(0, 0)
        assert timezone.localtime(procedure.ends_at).time() == datetime.time(23, 59)
    assert Contribution.objects.filter(procedure__slug__in=SLUGS).count() == sum(
        len(entry.get("contributions", [])) for entry in DEMO["procedures"]
    )


@pytest.mark.django_db
def test_demo_areas_carry_the_source_note_their_licence_asks_for() -> None:
    duisburg = Procedure.objects.get(slug="duisburg-mehr-gruen-mitte")
    koeln = Procedure.objects.get(slug="koeln-radverkehrskonzept-innenstadt")
    assert "OpenStreetMap" in duisburg.area_attribution
    assert "Stadt Köln" in koeln.area_attribution


@pytest.mark.django_db
def test_the_area_source_note_reaches_the_api_and_the_procedure_map(client: Client) -> None:
    feature = client.get("/api/v1/procedures/duisburg-mehr-gruen-mitte/").json()
    assert "OpenStreetMap" in feature["properties"]["area_attribution"]
    listed = client.get("/api/v1/procedures/", {"authority": "05112000"}).json()
    assert all("OpenStreetMap" in f["properties"]["area_attribution"] for f in listed["features"])
    page = client.get("/verfahren/duisburg-mehr-gruen-mitte/").content.decode()
    assert "OpenStreetMap contributors" in page
