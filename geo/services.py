"""Writes of the geo app: importing authorities and their boundaries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from geo.boundary_files import VG5000_MAPPING, BoundaryRecord, FieldMapping, Skipped, read_boundaries
from geo.models import Authority, AuthorityKind, parent_key

# Boundaries that moved by less than this are unchanged: the files round to 1 cm.
_UNCHANGED_TOLERANCE_M = 0.01


@dataclass
class ImportReport:
    """What an import did, feature by feature."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    without_parent: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Return how many features were stored or found unchanged."""
        return len(self.created) + len(self.updated) + len(self.unchanged)


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
) -> ImportReport:
    """Upsert the authorities in a vector file by official key, then link each to its parent.

    Runs in one transaction: a file that fails half-way changes nothing.
    """
    report = ImportReport()
    records: dict[str, BoundaryRecord] = {}
    for item in read_boundaries(path, layer_names=layer_names, mapping=mapping, kind=kind):
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
