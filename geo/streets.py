"""Read streets from any vector file GDAL can open, reprojected to EPSG:25832.

This module reads; it does not write to the database. Every feature comes back either as a
`StreetRecord` ready to store or as a `Skipped` entry that says why it cannot be used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, OGRGeometry, SpatialReference
from django.contrib.gis.gdal.feature import Feature
from django.contrib.gis.gdal.layer import Layer
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry, LineString, MultiLineString

from geo.boundary_files import Skipped, unusable_layer
from geo.crs import STORAGE_SRID


@dataclass(frozen=True, slots=True)
class StreetFields:
    """Which attribute of the file holds a street's key and which its name."""

    key: str = "NUMMER"
    # Köln's LANGNAME tells apart the names that repeat: "Amselstr. (Porz)", where NAME has "Amselstr. Po".
    name: str = "LANGNAME"


# The field names of Köln's street directory (Offene Daten Köln), the default for every import.
KOELN_FIELDS = StreetFields()


@dataclass(frozen=True, slots=True)
class StreetRecord:
    """One street read from a file, its course in the storage CRS."""

    key: str
    name: str
    geometry: MultiLineString
    source: str


# Street directories abbreviate "Straße": Köln's writes "Str." in 2,954 of its 5,516 names.
_STRASSE_ABBREVIATION = re.compile(r"([Ss])tr\.")


def display_name(name: str) -> str:
    """Return a street name as a citizen reads it: "Amselstr. (Porz)" → "Amselstraße (Porz)".

    Spelt out so that a label reads naturally, aloud too; the stored name keeps the directory's spelling.
    """
    return _STRASSE_ABBREVIATION.sub(r"\1traße", name)


def street_layer(path: Path, layer_name: str | None = None) -> Layer:
    """Return the named layer of the file, or its only layer when none is named."""
    try:
        source = DataSource(str(path))
    except GDALException as exc:
        raise FileNotFoundError(f"GDAL cannot open {path}: {exc}") from exc
    layers = {source[index].name: source[index] for index in range(len(source))}
    if layer_name is None:
        if len(layers) != 1:
            raise KeyError(f"the file has {len(layers)} layers, choose one with --layer: {', '.join(layers)}")
        return next(iter(layers.values()))
    if layer_name not in layers:
        raise KeyError(f"no layer {layer_name} in the file (layers: {', '.join(layers)})")
    # The layer keeps its DataSource alive, so the file stays open while it is read.
    return layers[layer_name]


def read_streets(layer: Layer, *, fields: StreetFields = KOELN_FIELDS) -> Iterator[StreetRecord | Skipped]:
    """Yield every feature of the layer as a street to store, or as a skip with its reason."""
    problem = unusable_layer(layer, (fields.key, fields.name))
    if problem is not None:
        yield problem
        return
    # One transformation for the whole layer: building it is dearer than applying it.
    to_storage = CoordTransform(layer.srs, SpatialReference(STORAGE_SRID))
    for feature in layer:
        yield _read_feature(layer, feature, fields, to_storage)


def _text(feature: Feature, field: str) -> str:
    value = feature.get(field)
    return "" if value is None else str(value).strip()


def _read_feature(
    layer: Layer, feature: Feature, fields: StreetFields, to_storage: CoordTransform
) -> StreetRecord | Skipped:
    where = f"{layer.name}#{feature.fid}"
    key = _text(feature, fields.key)
    if not key:
        return Skipped(where, None, "the feature has no key")
    name = _text(feature, fields.name)
    if not name:
        return Skipped(where, key, "the feature has no name")
    geometry = _storage_geometry(feature, to_storage)
    if isinstance(geometry, str):
        return Skipped(where, key, geometry)
    return StreetRecord(key=key, name=name, geometry=geometry, source=where)


def _storage_geometry(feature: Feature, to_storage: CoordTransform) -> MultiLineString | str:
    """Return the feature's course as a 2D MultiLineString in EPSG:25832, or why it has none."""
    try:
        ogr: OGRGeometry | None = feature.geom
    except GDALException:
        ogr = None
    if ogr is None:
        return "the feature has no geometry"
    if ogr.empty:
        return "its geometry is empty"
    try:
        transformed = ogr.transform(to_storage, clone=True)
    except GDALException as exc:
        return f"its geometry cannot be reprojected to EPSG:{STORAGE_SRID}: {exc}"
    # Heights and measures are of no use on a 2D map, and the column is 2D.
    transformed.set_3d(False)
    transformed.set_measured(False)
    geometry = transformed.geos
    if isinstance(geometry, MultiLineString):
        multi = geometry
    else:
        lines = _lines_of(geometry)
        if not lines:
            return f"its geometry is a {geometry.geom_type}, not a line"
        multi = MultiLineString(*lines, srid=STORAGE_SRID)
    multi.srid = STORAGE_SRID
    if not multi.valid:
        return f"its geometry is invalid ({multi.valid_reason})"
    return multi


def _lines_of(geometry: GEOSGeometry) -> list[LineString]:
    if isinstance(geometry, LineString):  # LinearRing included
        return [] if geometry.empty else [LineString(geometry.coords)]
    if isinstance(geometry, GeometryCollection):  # the lines of a mixed collection
        return [line for member in geometry for line in _lines_of(member)]
    return []
