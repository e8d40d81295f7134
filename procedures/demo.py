"""Demo data of participation procedures: procedures with real areas, their documents, contributions and embed origins.

Everything comes from `fixtures/demo/procedures.json`; areas are read from the files it names
through `procedures.areas`, the path staff use too. Loading again changes nothing: rows are found
by their natural keys (a procedure by slug) and written only when they differ.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from shapely.geometry import shape

from accounts.models import Membership
from geo import crs as crs_module
from geo.models import Authority
from layers.models import EmbedOrigin
from layers.origins import normalise_origin
from procedures.areas import read_area
from procedures.models import (
    Basemap,
    Contribution,
    ContributionReply,
    ContributionSupport,
    GeometryKind,
    Overlay,
    Procedure,
    ProcedureDocument,
    ProcedureKind,
    document_path,
)

FIXTURES: Final = Path(settings.BASE_DIR) / "fixtures"
PROCEDURES_FILE: Final = FIXTURES / "demo" / "procedures.json"
# Stored areas are read from files rounded to 1 cm; anything closer is the same area.
_SAME_GEOMETRY_M: Final = 0.01
# Numbers a demo procedure may set; the model's defaults apply to those it leaves out.
_LIMITS: Final = ("max_vertices", "max_length_m", "max_area_m2")


@dataclass
class DemoReport:
    """What loading the demo procedures did (procedures by slug)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    documents_stored: int = 0
    contributions_created: int = 0
    embed_origins_created: int = 0


@transaction.atomic
def procedures_load(path: Path = PROCEDURES_FILE, *, today: datetime.date | None = None) -> DemoReport:
    """Upsert the demo procedures of a file by slug, with documents, contributions and embed origins."""
    data = json.loads(path.read_text(encoding="utf-8"))
    today = today or timezone.localdate()
    report = DemoReport()
    for entry in data["procedures"]:
        procedure = _procedure_upsert(entry, _values(entry, data, today), report)
        report.documents_stored += _documents_store(procedure, entry.get("documents", []))
        report.contributions_created += _contributions_create(procedure, entry.get("contributions", []))
    for entry in data.get("embed_origins", []):
        _, created = EmbedOrigin.objects.get_or_create(
            authority=Authority.objects.get(key=entry["authority"]),
            origin=normalise_origin(entry["origin"]),
            defaults={"note": entry.get("note", "")},
        )
        report.embed_origins_created += int(created)
    return report


def _day_start(day: datetime.date) -> datetime.datetime:
    """Return 00:00 of a day in the portal's time zone, so that a second load on the same day sets the same times."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _description(entry: dict[str, Any], data: dict[str, Any]) -> str:
    """Return the Markdown description with the demo note below it."""
    return f"{entry['description'].rstrip()}\n\n---\n\n{data['demo_note']}"


def _area_attribution(entry: dict[str, Any], data: dict[str, Any]) -> str:
    """Return the source note the licence of the area's file asks for."""
    return next(
        (note for prefix, note in data["area_attributions"].items() if entry["area"]["file"].startswith(prefix)), ""
    )


def _extent(bbox: list[float] | None) -> Polygon | None:
    """Return a lon/lat bounding box as a polygon in the storage CRS."""
    if bbox is None:
        return None
    lonlat = shapely.box(*bbox)
    stored = crs_module.to_storage(lonlat)
    # GEOSGeometry() answers with the subclass of what it reads: a Polygon here.
    return GEOSGeometry(memoryview(shapely.to_wkb(stored)), srid=crs_module.STORAGE_SRID)  # type: ignore[return-value]


def _values(entry: dict[str, Any], data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """Return the field values of a demo procedure, its area read from the file it names."""
    spec = entry["area"]
    area = read_area(FIXTURES / spec["file"], layer=spec.get("layer"), where=spec.get("where")).area
    contact = entry.get("contact", {})
    values: dict[str, Any] = {
        "authority_id": Authority.objects.only("pk").get(key=entry["authority"]).pk,
        "title": entry["title"],
        "summary": entry["summary"],
        "description": _description(entry, data),
        "area_attribution": _area_attribution(entry, data),
        "kind": ProcedureKind(entry["kind"]).value,
        "area": area,
        "starts_at": _day_start(today + datetime.timedelta(days=entry["starts_in_days"])),
        # An end day is the last whole day: the procedure ends a minute before midnight after it;
        # 24:00 would read as the next day on every page.
        "ends_at": _day_start(today + datetime.timedelta(days=entry["ends_in_days"] + 1))
        - datetime.timedelta(minutes=1),
        "is_published": entry.get("is_published", True),
        "contact_name": contact.get("name", ""),
        "contact_email": contact.get("email", ""),
        "contact_phone": contact.get("phone", ""),
        "allowed_geometries": [GeometryKind(kind).value for kind in entry["allowed_geometries"]],
        "geometry_required": entry.get("geometry_required", False),
        "map_extent": _extent(entry.get("map_extent")),
        "basemap": Basemap(entry.get("basemap", Basemap.BOUNDARIES)).value,
        "overlays": [Overlay(overlay).value for overlay in entry.get("overlays", [])],
    }
    for name in _LIMITS:
        # Plain columns, not relations: the stubs cannot know that from the name.
        model_field = cast("models.Field[Any, Any]", Procedure._meta.get_field(name))
        values[name] = entry.get(name, model_field.get_default())
    return values


def _differs(procedure: Procedure, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        current = getattr(procedure, name)
        if isinstance(value, GEOSGeometry) or isinstance(current, GEOSGeometry):
            if current is None or value is None or not current.equals_exact(value, _SAME_GEOMETRY_M):
                return True
        elif current != value:
            return True
    return False


def _procedure_upsert(entry: dict[str, Any], values: dict[str, Any], report: DemoReport) -> Procedure:
    """Create or update the procedure with the entry's slug; leave it untouched when nothing differs."""
    slug = entry["slug"]
    procedure = Procedure.objects.filter(slug=slug).first()
    if procedure is not None and not _differs(procedure, values):
        report.unchanged.append(slug)
        return procedure
    if procedure is None:
        procedure = Procedure(slug=slug)
        report.created.append(slug)
    else:
        report.updated.append(slug)
    for name, value in values.items():
        setattr(procedure, name, value)
    # Demo data is data like any other: a typo in the file fails here, not on a page.
    procedure.full_clean()
    procedure.save()
    return procedure


def _documents_store(procedure: Procedure, entries: list[dict[str, Any]]) -> int:
    """Attach the documents once; store a file again only where storage lacks it. Return how many files were stored."""
    stored = 0
    for position, entry in enumerate(entries):
        document, _ = ProcedureDocument.objects.get_or_create(
            procedure=procedure, title=entry["title"], defaults={"position": position}
        )
        if document.file and default_storage.exists(document.file.name):
            continue
        source = FIXTURES / entry["file"]
        name = document_path(document, source.name)
        with source.open("rb") as handle:
            # The same file may already be there from an earlier load into another database.
            if not (default_storage.exists(name) and _same_content(name, source)):
                name = default_storage.save(name, File(handle, name=source.name))
                stored += 1
        if document.file.name != name:
            document.file.name = name
            document.save(update_fields=["file"])
    return stored


def _same_content(name: str, source: Path) -> bool:
    with default_storage.open(name, "rb") as stored:
        return bool(stored.read() == source.read_bytes())


def _place(geojson: dict[str, Any] | None) -> GEOSGeometry | None:
    """Return a lon/lat GeoJSON geometry in the storage CRS."""
    if geojson is None:
        return None
    stored = crs_module.to_storage(shape(geojson))
    return GEOSGeometry(memoryview(shapely.to_wkb(stored)), srid=crs_module.STORAGE_SRID)


def _contributions_create(procedure: Procedure, entries: list[dict[str, Any]]) -> int:
    """Create the published demo contributions of a procedure once (by text), with replies and supports."""
    created_count = 0
    replier = Membership.objects.filter(authority=procedure.authority).select_related("user").order_by("pk").first()
    now = timezone.now()
    for entry in entries:
        geometry = _place(entry["geometry"])
        if geometry is not None:
            kind = GeometryKind.of_geojson_type(geometry.geom_type)
            if kind not in procedure.allowed_geometries or not procedure.area.covers(geometry):
                raise ValueError(f"demo contribution of {procedure.slug} is a {kind} outside its area or not allowed")
        when = min(procedure.starts_at + datetime.timedelta(days=entry["days_after_start"], hours=10), now)
        contribution, created = Contribution.objects.get_or_create(
            procedure=procedure,
            text=entry["text"],
            defaults={
                "geometry": geometry,
                "author_name": entry.get("author_name", ""),
                "author_email": entry.get("author_email", ""),
                "language": "de",
                "confirmed_at": when,
                "published_at": when,
            },
        )
        if created:
            # Spread over the procedure's course, as contributions arrive; auto_now_add would say "now".
            Contribution.objects.filter(pk=contribution.pk).update(created_at=when, updated_at=when)
            created_count += 1
        for text in entry.get("replies", []):
            ContributionReply.objects.get_or_create(
                contribution=contribution, text=text, defaults={"author": replier.user if replier else None}
            )
        for number in range(entry.get("supports", 0)):
            # Real supporter keys are hashes too; these stand for no one.
            key = hashlib.sha256(f"demo:{procedure.slug}:{number}".encode()).hexdigest()
            ContributionSupport.objects.get_or_create(contribution=contribution, supporter_key=key)
    return created_count
