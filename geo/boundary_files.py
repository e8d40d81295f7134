"""Read administrative boundaries from any vector file GDAL can open, reprojected to EPSG:25832.

This module reads; it does not write to the database. Every feature comes back either as a
`BoundaryRecord` ready to store or as a `Skipped` entry that says why it cannot be used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.contrib.gis.gdal import DataSource, GDALException, OGRGeometry
from django.contrib.gis.gdal.feature import Feature
from django.contrib.gis.gdal.layer import Layer
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, MultiPolygon, Polygon

from geo.crs import STORAGE_SRID
from geo.models import AGS_PATTERN, AuthorityKind

# VG5000's level codes (ADE) and designations (BEZ); other files may carry no level at all,
# and then the length of the official key decides.
_LEVEL_CODES = {
    "2": AuthorityKind.LAND,
    "3": AuthorityKind.REGIERUNGSBEZIRK,
    "4": AuthorityKind.KREIS,
    "6": AuthorityKind.GEMEINDE,
}
_KEY_PATTERN = re.compile(AGS_PATTERN)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """Which attribute of the file holds which property of an authority."""

    key: str = "AGS"
    name: str = "GEN"
    regional_key: str | None = "ARS"
    designation: str | None = "BEZ"
    level: str | None = "ADE"


# VG5000's field names, the default for every import.
VG5000_MAPPING = FieldMapping()


@dataclass(frozen=True, slots=True)
class BoundaryRecord:
    """One authority read from a file, its boundary in the storage CRS."""

    key: str
    name: str
    kind: AuthorityKind
    regional_key: str
    designation: str
    boundary: MultiPolygon
    repaired: bool
    source: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A feature (or a whole layer) that was not imported, and why."""

    source: str
    key: str | None
    reason: str
    whole_layer: bool = False


@dataclass(frozen=True, slots=True)
class GeometryProblem:
    """Why a feature has no usable area: a kind to act on and a reason to report."""

    kind: Literal["missing", "not_reprojectable", "empty", "not_an_area", "unrepairable"]
    reason: str


def layer_count(path: Path, layer_names: Sequence[str] | None = None) -> int:
    """Return how many features the selected layers hold, for a progress bar."""
    return sum(len(layer) for layer in _layers(open_data_source(path), layer_names))


def read_boundaries(
    path: Path,
    *,
    layer_names: Sequence[str] | None = None,
    mapping: FieldMapping = VG5000_MAPPING,
    kind: AuthorityKind | None = None,
) -> Iterator[BoundaryRecord | Skipped]:
    """Yield every feature of the file as a record to store, or as a skip with its reason."""
    source = open_data_source(path)
    for layer in _layers(source, layer_names):
        problem = unusable_layer(layer, (mapping.key, mapping.name))
        if problem is not None:
            yield problem
            continue
        for feature in layer:
            yield _read_feature(layer, feature, mapping, kind)


def unusable_layer(layer: Layer, required_fields: Sequence[str]) -> Skipped | None:
    """Return why a whole layer cannot be imported (no CRS, a required field missing), or None."""
    # The stubs say a layer always has an SRS; a Shapefile without .prj has none.
    if layer.srs is None:
        return Skipped(  # type: ignore[unreachable]
            source=layer.name,
            key=None,
            reason="the layer has no coordinate reference system, so it cannot be reprojected",
            whole_layer=True,
        )
    missing = [name for name in required_fields if name not in layer.fields]
    if missing:
        return Skipped(
            source=layer.name,
            key=None,
            reason=f"the layer has no field {', '.join(missing)} (fields: {', '.join(layer.fields)})",
            whole_layer=True,
        )
    return None


def open_data_source(path: Path | str) -> DataSource:
    """Open a vector file (or a GDAL virtual path such as /vsizip/...), or raise FileNotFoundError."""
    try:
        return DataSource(str(path))
    except GDALException as exc:
        raise FileNotFoundError(f"GDAL cannot open {path}: {exc}") from exc


def _layers(source: DataSource, names: Sequence[str] | None) -> list[Layer]:
    every = [source[index] for index in range(len(source))]
    if not names:
        return every
    available = {layer.name: layer for layer in every}
    unknown = [name for name in names if name not in available]
    if unknown:
        raise KeyError(f"no layer {', '.join(unknown)} in the file (layers: {', '.join(available)})")
    return [available[name] for name in names]


def _text(feature: Feature, field: str | None) -> str:
    if field is None or field not in feature.fields:
        return ""
    value = feature.get(field)
    return "" if value is None else str(value).strip()


def _read_feature(
    layer: Layer, feature: Feature, mapping: FieldMapping, kind: AuthorityKind | None
) -> BoundaryRecord | Skipped:
    where = f"{layer.name}#{feature.fid}"
    key = _text(feature, mapping.key)
    if not _KEY_PATTERN.match(key):
        return Skipped(where, key or None, f"the official key {key!r} is not an AGS of 2, 3, 5 or 8 digits")
    name = _text(feature, mapping.name)
    if not name:
        return Skipped(where, key, "the feature has no name")
    resolved = kind or _kind_of(key, _text(feature, mapping.level), _text(feature, mapping.designation))
    if resolved is None:
        return Skipped(where, key, "its administrative level cannot be told from the level field or the key")
    if resolved.key_length != len(key):
        return Skipped(where, key, f"a key of {len(key)} digits does not belong to a {resolved.label}")
    geometry = storage_geometry(feature)
    if isinstance(geometry, GeometryProblem):
        return Skipped(where, key, geometry.reason)
    boundary, repaired = geometry
    return BoundaryRecord(
        key=key,
        name=name,
        kind=resolved,
        regional_key=_text(feature, mapping.regional_key),
        designation=_text(feature, mapping.designation),
        boundary=boundary,
        repaired=repaired,
        source=where,
    )


def _kind_of(key: str, level: str, designation: str) -> AuthorityKind | None:
    kind = _LEVEL_CODES.get(level)
    if kind is None:
        candidates = AuthorityKind.for_key(key)
        kind = candidates[0] if candidates else None
    if kind == AuthorityKind.KREIS and designation.casefold() == "kreisfreie stadt":
        return AuthorityKind.KREISFREIE_STADT
    return kind


def storage_geometry(feature: Feature) -> tuple[MultiPolygon, bool] | GeometryProblem:
    """Return the feature's area as a valid 2D MultiPolygon in EPSG:25832 and whether it was repaired, or why none."""
    try:
        ogr: OGRGeometry | None = feature.geom
    except GDALException:
        ogr = None
    if ogr is None:
        return GeometryProblem("missing", "the feature has no geometry")
    try:
        transformed = ogr.transform(STORAGE_SRID, clone=True)
    except GDALException as exc:
        return GeometryProblem("not_reprojectable", f"its geometry cannot be reprojected to EPSG:{STORAGE_SRID}: {exc}")
    # Heights and measures are of no use on a 2D map, and the columns are 2D.
    transformed.set_3d(False)
    transformed.set_measured(False)
    geometry = transformed.geos
    if geometry.empty:
        return GeometryProblem("empty", "its geometry is empty")
    repaired = False
    if not geometry.valid:
        geometry = geometry.make_valid()
        repaired = True
    polygons = polygons_of(geometry)
    if not polygons:
        return GeometryProblem("not_an_area", f"its geometry is a {geometry.geom_type}, not an area")
    multi = MultiPolygon(*polygons, srid=STORAGE_SRID)
    if not multi.valid:
        return GeometryProblem(
            "unrepairable", f"its geometry is invalid and could not be repaired ({multi.valid_reason})"
        )
    return multi, repaired


def polygons_of(geometry: GEOSGeometry) -> list[Polygon]:
    """Return the polygons in a geometry, from inside collections too; lines and points are left out."""
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, GeometryCollection):  # MultiPolygon included
        return [part for member in geometry for part in polygons_of(member)]
    return []
