"""Writes of the geo app: importing authorities with their boundaries, and streets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from django.contrib.gis.geos.prepared import PreparedGeometry
from django.db import transaction
from django.utils import timezone

from geo.boundary_files import VG5000_MAPPING, BoundaryRecord, FieldMapping, Skipped, read_boundaries
from geo.models import Authority, AuthorityKind, Street, parent_key
from geo.streets import KOELN_FIELDS, StreetFields, StreetRecord, read_streets, street_layer

# Boundaries that moved by less than this are unchanged: the files round to 1 cm.
_UNCHANGED_TOLERANCE_M = 0.01


@dataclass
class ImportReport:
    """What an import did, feature by feature (by key)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Return how many features were stored or found unchanged."""
        return len(self.created) + len(self.updated) + len(self.unchanged)


class _Record(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def source(self) -> str: ...


_RecordT = TypeVar("_RecordT", bound=_Record)


def _collect(
    items: Iterable[_RecordT | Skipped], report: ImportReport, on_feature: Callable[[], object] | None
) -> dict[str, _RecordT]:
    """Return the records read by key; record skips, and a key read twice, in the report."""
    records: dict[str, _RecordT] = {}
    for item in items:
        if on_feature is not None and not (isinstance(item, Skipped) and item.whole_layer):
            on_feature()
        if isinstance(item, Skipped):
            report.skipped.append(item)
        elif item.key in records:
            report.skipped.append(
                Skipped(item.source, item.key, f"the key was already read from {records[item.key].source}")
            )
        else:
            records[item.key] = item
    return records


@dataclass
class BoundaryImportReport(ImportReport):
    """What a boundary import did, with repairs and authorities still missing their parent."""

    repaired: list[str] = field(default_factory=list)
    without_parent: list[str] = field(default_factory=list)


def _differs(authority: Authority, record: BoundaryRecord) -> bool:
    return (
        authority.name != record.name
        or authority.kind != record.kind
        or authority.regional_key != record.regional_key
        or authority.designation != record.designation
        or not authority.boundary.equals_exact(record.boundary, _UNCHANGED_TOLERANCE_M)
    )


@transaction.atomic
def boundaries_import(
    *,
    path: Path,
    layer_names: Sequence[str] | None = None,
    mapping: FieldMapping = VG5000_MAPPING,
    kind: AuthorityKind | None = None,
    on_feature: Callable[[], object] | None = None,
) -> BoundaryImportReport:
    """Upsert the authorities in a vector file by official key, then link each to its parent.

    Runs in one transaction: a file that fails half-way changes nothing.
    """
    report = BoundaryImportReport()
    records: dict[str, BoundaryRecord] = _collect(
        read_boundaries(path, layer_names=layer_names, mapping=mapping, kind=kind), report, on_feature
    )

    existing = Authority.objects.in_bulk(list(records), field_name="key")
    to_create: list[Authority] = []
    to_update: list[Authority] = []
    for key, record in records.items():
        if record.repaired:
            report.repaired.append(key)
        authority = existing.get(key)
        if authority is None:
            to_create.append(
                Authority(
                    key=key,
                    name=record.name,
                    kind=record.kind,
                    regional_key=record.regional_key,
                    designation=record.designation,
                    boundary=record.boundary,
                )
            )
            report.created.append(key)
        elif _differs(authority, record):
            authority.name = record.name
            authority.kind = record.kind
            authority.regional_key = record.regional_key
            authority.designation = record.designation
            authority.boundary = record.boundary
            to_update.append(authority)
            report.updated.append(key)
        else:
            report.unchanged.append(key)
    Authority.objects.bulk_create(to_create, batch_size=200)
    # bulk_update skips auto_now, and an update is a change worth its timestamp.
    for authority in to_update:
        authority.save(update_fields=["name", "kind", "regional_key", "designation", "boundary", "updated_at"])

    report.without_parent = _link_parents(list(records))
    return report


def _link_parents(keys: list[str]) -> list[str]:
    """Point each authority at the one whose key is the next prefix up; return keys left without."""
    wanted = {key: parent_key(key) for key in keys}
    parents = Authority.objects.in_bulk([p for p in wanted.values() if p], field_name="key")
    children = Authority.objects.in_bulk(keys, field_name="key")
    missing: list[str] = []
    changed: list[Authority] = []
    for key, pkey in wanted.items():
        child = children[key]
        parent = parents.get(pkey) if pkey else None
        if pkey and parent is None:
            missing.append(key)
        if child.parent_id != (parent.pk if parent else None):
            child.parent = parent
            changed.append(child)
    Authority.objects.bulk_update(changed, ["parent"], batch_size=200)
    return missing


# --- Streets ------------------------------------------------------------------------------------

# VG5000 boundaries are generalised for 1:5 million and can be off by hundreds of metres, so a
# street may run this far beyond its Gemeinde's stored boundary and still belong to it.
STREET_BEYOND_GEMEINDE_M = 1000.0


class UnknownGemeinde(LookupError):
    """The Gemeinde streets are imported for is not in the database."""


@dataclass
class StreetImportReport(ImportReport):
    """What a street import did, street by street (keys)."""

    # Streets of the Gemeinde in the database that the file no longer has; left as they are.
    not_in_file: list[str] = field(default_factory=list)


def _street_differs(street: Street, record: StreetRecord) -> bool:
    return street.name != record.name or not street.geometry.equals_exact(record.geometry, _UNCHANGED_TOLERANCE_M)


def _outside(record: StreetRecord, gemeinde: Authority, allowed: PreparedGeometry) -> str | None:
    """Return why the street does not belong to the Gemeinde's area, or None if it does."""
    if allowed.covers(record.geometry):
        return None
    distance_km = record.geometry.distance(gemeinde.boundary) / 1000
    beyond = STREET_BEYOND_GEMEINDE_M / 1000
    if distance_km > beyond:
        return f"it lies {distance_km:.1f} km outside {gemeinde.name} ({beyond:g} km allowed)"
    return f"it runs more than {beyond:g} km beyond the boundary of {gemeinde.name}"


@transaction.atomic
def streets_import(
    *,
    path: Path,
    gemeinde_key: str,
    layer_name: str | None = None,
    fields: StreetFields = KOELN_FIELDS,
    on_feature: Callable[[], object] | None = None,
) -> StreetImportReport:
    """Upsert a Gemeinde's streets from a vector file by street key.

    Streets more than `STREET_BEYOND_GEMEINDE_M` outside the Gemeinde are skipped; streets the
    file no longer has are reported, not deleted. Runs in one transaction.
    """
    gemeinde = Authority.objects.of_kind(AuthorityKind.GEMEINDE).filter(key=gemeinde_key).first()
    if gemeinde is None:
        raise UnknownGemeinde(f"there is no Gemeinde with the key {gemeinde_key!r}; import the boundaries first")
    allowed = gemeinde.boundary.buffer(STREET_BEYOND_GEMEINDE_M).prepared

    report = StreetImportReport()
    read: dict[str, StreetRecord] = _collect(
        read_streets(street_layer(path, layer_name), fields=fields), report, on_feature
    )
    records: dict[str, StreetRecord] = {}
    for key, record in read.items():
        reason = _outside(record, gemeinde, allowed)
        if reason is None:
            records[key] = record
        else:
            report.skipped.append(Skipped(record.source, key, reason))

    existing = {street.key: street for street in Street.objects.of_gemeinde(gemeinde)}
    to_create: list[Street] = []
    to_update: list[Street] = []
    for key, record in records.items():
        street = existing.get(key)
        if street is None:
            to_create.append(Street(key=key, name=record.name, gemeinde=gemeinde, geometry=record.geometry))
            report.created.append(key)
        elif _street_differs(street, record):
            street.name = record.name
            street.geometry = record.geometry
            to_update.append(street)
            report.updated.append(key)
        else:
            report.unchanged.append(key)
    Street.objects.bulk_create(to_create, batch_size=500)
    # bulk_update skips auto_now, and an update is a change worth its timestamp.
    now = timezone.now()
    for street in to_update:
        street.updated_at = now
    Street.objects.bulk_update(to_update, ["name", "geometry", "updated_at"], batch_size=500)
    report.not_in_file = sorted(set(existing) - set(records))
    return report
