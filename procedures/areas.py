"""Read a procedure's area from a vector file: any format GDAL reads, any CRS, stored as a MultiPolygon in EPSG:25832.

The same reading as the boundary import (`geo.boundary_files`): reprojection by GDAL, invalid
polygons repaired, lines and points left out. One layer is read, optionally only the features
whose fields have given values; several features are unioned into one area. Every failure is an
error that tells staff in German what to change in the file or the choice.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import shapely
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.gdal.feature import Feature
from django.contrib.gis.gdal.layer import Layer
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from config.errors import ValidationFailed
from geo.boundary_files import GeometryProblem, open_data_source, polygons_of, storage_geometry
from geo.conf import configured_nrw_area
from geo.crs import STORAGE_SRID

# Formats staff may upload. GDAL opens far more, some of which (VRT) read other files of the
# server; files named on the command line are the operator's own and may be of any format.
UPLOAD_FORMATS: Final = frozenset({"GeoJSON", "GPKG", "ESRI Shapefile", "FlatGeobuf"})
# A Kreis outline at full resolution is a few megabytes; more is a mistake, or an attack.
MAX_UPLOAD_BYTES: Final = 20 * 1024 * 1024
# The suffixes GDAL needs to tell formats apart; anything else is read by content.
_KNOWN_SUFFIXES: Final = frozenset({".geojson", ".json", ".gpkg", ".fgb", ".zip"})
_EXAMPLE_VALUES: Final = 10
_LABELS: Final = {"Point": _("Punkte"), "LineString": _("Linien"), "LinearRing": _("Linien")}


class AreaFileError(ValidationFailed):
    """A file cannot give a procedure its area."""

    code = "area_file_invalid"
    default_message = _("Aus der Datei lässt sich kein Gebiet lesen.")


class AreaFileUnreadable(AreaFileError):
    """GDAL cannot open the file as vector data."""

    code = "area_file_unreadable"
    default_message = _(
        "Die Datei „%(name)s“ lässt sich nicht als Geodaten lesen. Möglich sind GeoJSON, GeoPackage, "
        "FlatGeobuf und Shapefiles (als ZIP mit .shp, .shx, .dbf und .prj)."
    )


class AreaFileTooLarge(AreaFileError):
    """The uploaded file is larger than any area needs."""

    code = "area_file_too_large"
    default_message = _("Die Datei ist zu groß (höchstens %(limit)s MB).")


class AreaFormatRefused(AreaFileError):
    """GDAL reads the file, but not in a format staff may upload."""

    code = "area_format_refused"
    default_message = _("Dateien im Format %(format)s werden nicht angenommen. Möglich sind: %(formats)s.")


class AreaLayerUnknown(AreaFileError):
    """The file has no layer of the given name."""

    code = "area_layer_unknown"
    default_message = _("Die Datei hat keine Ebene „%(layer)s“. Vorhandene Ebenen: %(layers)s.")


class AreaLayerRequired(AreaFileError):
    """The file has several layers and none was chosen."""

    code = "area_layer_required"
    default_message = _("Die Datei hat mehrere Ebenen: %(layers)s. Bitte geben Sie an, welche das Gebiet enthält.")


class AreaConditionInvalid(AreaFileError):
    """A feature filter is not of the form FIELD=VALUE."""

    code = "area_condition_invalid"
    default_message = _("„%(condition)s“ ist keine Auswahl der Form Feld=Wert, etwa name=Innenstadt.")


class AreaFieldUnknown(AreaFileError):
    """A feature filter names a field the layer does not have."""

    code = "area_field_unknown"
    default_message = _("Die Ebene „%(layer)s“ hat kein Feld „%(field)s“. Vorhandene Felder: %(fields)s.")


class AreaNoMatch(AreaFileError):
    """No feature of the layer has the chosen values."""

    code = "area_no_match"
    default_message = _(
        "Kein Objekt der Ebene „%(layer)s“ hat %(condition)s. "
        "Werte im Feld „%(field)s“ sind zum Beispiel: %(examples)s."
    )


class AreaWithoutPolygons(AreaFileError):
    """The chosen features hold no areas: points, lines or no geometry at all."""

    code = "area_without_polygons"
    default_message = _(
        "Die gewählten Objekte der Ebene „%(layer)s“ enthalten keine Flächen (gefunden: %(found)s). "
        "Ein Gebiet muss aus Polygonen bestehen."
    )


class AreaCRSUnknown(AreaFileError):
    """The layer names no coordinate reference system, or one its coordinates do not fit."""

    code = "area_crs_unknown"
    default_message = _(
        "Für die Ebene „%(layer)s“ ist kein Koordinatenreferenzsystem angegeben, daher lässt sie sich nicht nach "
        "ETRS89 / UTM 32N (EPSG:25832) umrechnen. Bei Shapefiles fehlt dann meist die .prj-Datei."
    )


class AreaNotReprojectable(AreaCRSUnknown):
    """The coordinates cannot be transformed from the CRS the layer names."""

    code = "area_not_reprojectable"
    default_message = _(
        "Die Koordinaten der Ebene „%(layer)s“ lassen sich nicht aus %(crs)s nach ETRS89 / UTM 32N (EPSG:25832) "
        "umrechnen. Passt das angegebene Koordinatenreferenzsystem zu den Koordinaten? (GeoJSON ohne Angabe gilt "
        "als Länge/Breite in WGS 84.)"
    )


class AreaOutsideNRW(AreaCRSUnknown):
    """The area lies outside NRW, which nearly always means a wrong CRS."""

    code = "area_outside_nrw"
    default_message = _(
        "Das Gebiet liegt nicht in Nordrhein-Westfalen. Stimmt das Koordinatenreferenzsystem der Datei (%(crs)s)?"
    )


class AreaInvalid(AreaFileError):
    """The polygons are invalid and GEOS could not repair them."""

    code = "area_invalid"
    default_message = _("Die Flächen der Datei sind ungültig und ließen sich nicht reparieren (%(reason)s).")


@dataclass(frozen=True, slots=True)
class AreaRead:
    """An area read from a file, with what is worth telling about it."""

    area: MultiPolygon
    layer: str
    features: int
    repaired: bool
    source_crs: str
    file_format: str

    @property
    def area_km2(self) -> float:
        """Return the area's size in square kilometres (the storage CRS is metric)."""
        return float(self.area.area) / 1_000_000

    @property
    def vertices(self) -> int:
        """Return how many vertices the area has."""
        return int(self.area.num_coords)


Conditions = Mapping[str, Sequence[str]]


def parse_conditions(texts: Iterable[str]) -> dict[str, list[str]]:
    """Return `FIELD=VALUE` texts as values by field; several values of one field select any of them."""
    conditions: dict[str, list[str]] = {}
    for text in texts:
        field, separator, value = text.partition("=")
        field, value = field.strip(), value.strip()
        if not separator or not field or not value:
            raise AreaConditionInvalid(condition=text.strip()[:100])
        conditions.setdefault(field, []).append(value)
    return conditions


def read_area(
    path: Path | str,
    *,
    layer: str | None = None,
    where: Conditions | None = None,
    formats: Collection[str] | None = None,
    file_name: str | None = None,
) -> AreaRead:
    """Return the area of the chosen features of one layer of a vector file, unioned, valid, in EPSG:25832.

    `where` maps field names to values; a feature is chosen when each named field has one of its
    values (compared as text, ignoring case). Without `where`, every feature of the layer is.
    `formats` limits the GDAL drivers accepted; `file_name` names the file in messages.
    """
    name = file_name or Path(str(path)).name
    try:
        source = open_data_source(path)
    except FileNotFoundError:
        raise AreaFileUnreadable(name=name) from None
    file_format = str(source.driver.name)
    if formats is not None and file_format not in formats:
        raise AreaFormatRefused(format=file_format, formats=", ".join(sorted(formats)))
    chosen = _layer(source, layer, name)
    # The stubs say a layer always has an SRS; a Shapefile without .prj has none.
    if chosen.srs is None:
        raise AreaCRSUnknown(layer=chosen.name)
    crs_name = str(chosen.srs.name)
    conditions = _resolve_fields(chosen, where or {})
    folded = {field: frozenset(value.casefold() for value in values) for field, values in conditions.items()}

    polygons: list[Polygon] = []
    matched = 0
    repaired = False
    found: set[str] = set()
    for feature in chosen:
        if not _matches(feature, folded):
            continue
        matched += 1
        result = storage_geometry(feature)
        if isinstance(result, GeometryProblem):
            _raise_for(result, chosen, crs_name)
            found.add(_found_label(feature, result))
            continue
        multi, was_repaired = result
        polygons.extend(polygons_of(multi))
        repaired = repaired or was_repaired
    if matched == 0 and conditions:
        raise _no_match(chosen, conditions)
    if not polygons:
        raise AreaWithoutPolygons(layer=chosen.name, found=", ".join(sorted(found)) or str(_("keine Objekte")))

    area = _union(polygons) if matched > 1 else MultiPolygon(*polygons, srid=STORAGE_SRID)
    if not configured_nrw_area().prepared.intersects(shapely.from_wkb(bytes(area.wkb))):
        raise AreaOutsideNRW(crs=crs_name)
    return AreaRead(
        area=area,
        layer=chosen.name,
        features=matched,
        repaired=repaired,
        source_crs=crs_name,
        file_format=file_format,
    )


def read_uploaded_area(upload: File, *, layer: str | None = None, where: Conditions | None = None) -> AreaRead:  # type: ignore[type-arg]
    """Return the area of an uploaded file, as `read_area` does, for the formats staff may upload.

    A ZIP is read as a folder (a Shapefile with its .shx, .dbf and .prj, or one file of another format).
    """
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise AreaFileTooLarge(limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    original = Path(upload.name or "gebiet").name
    suffix = Path(original).suffix.lower()
    # GDAL tells most formats by content; the name it sees is ours, never the uploader's.
    safe_suffix = suffix if suffix in _KNOWN_SUFFIXES else ""
    with tempfile.TemporaryDirectory(prefix="bk-area-") as directory:
        path = Path(directory) / f"gebiet{safe_suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        source: Path | str = f"/vsizip/{path}" if safe_suffix == ".zip" else path
        return read_area(source, layer=layer, where=where, formats=UPLOAD_FORMATS, file_name=original[:100])


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"„{name}“" for name in names)


def _layer(source: DataSource, name: str | None, file_name: str) -> Layer:
    layers = {source[index].name: source[index] for index in range(len(source))}
    if not layers:
        raise AreaFileUnreadable(name=file_name)
    if name is None:
        if len(layers) == 1:
            return next(iter(layers.values()))
        raise AreaLayerRequired(layers=_quoted(layers))
    if name in layers:
        return layers[name]
    folded = [layer for layer_name, layer in layers.items() if layer_name.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise AreaLayerUnknown(layer=name[:100], layers=_quoted(layers))


def _resolve_fields(layer: Layer, where: Conditions) -> dict[str, list[str]]:
    """Return the conditions by the layer's own spelling of each field name (case is forgiven)."""
    fields = list(layer.fields)
    resolved: dict[str, list[str]] = {}
    for field, values in where.items():
        if field in fields:
            actual = field
        else:
            folded = [candidate for candidate in fields if candidate.casefold() == field.casefold()]
            if len(folded) != 1:
                raise AreaFieldUnknown(layer=layer.name, field=field[:100], fields=_quoted(fields))
            actual = folded[0]
        resolved.setdefault(actual, []).extend(value.strip() for value in values)
    return resolved


def _value_text(feature: Feature, field: str) -> str:
    value = feature.get(field)
    if value is None:
        return ""
    # Numbers stored as reals ("1.0") are meant as the integers people type ("1").
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _matches(feature: Feature, folded: Mapping[str, Collection[str]]) -> bool:
    return all(_value_text(feature, field).casefold() in values for field, values in folded.items())


def _no_match(layer: Layer, conditions: Mapping[str, Sequence[str]]) -> AreaNoMatch:
    described = str(_(" und ")).join(
        str(_("im Feld „%(field)s“ den Wert %(values)s")) % {"field": field, "values": _alternatives(values)}
        for field, values in conditions.items()
    )
    field = next(iter(conditions))
    examples = sorted({_value_text(feature, field) for feature in layer} - {""})
    shown = _quoted(examples[:_EXAMPLE_VALUES]) + (" …" if len(examples) > _EXAMPLE_VALUES else "")
    return AreaNoMatch(layer=layer.name, condition=described, field=field, examples=shown or str(_("keine")))


def _alternatives(values: Sequence[str]) -> str:
    quoted = [f"„{value}“" for value in values]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + str(_(" oder ")) + quoted[-1]


def _found_label(feature: Feature, problem: GeometryProblem) -> str:
    """Return what a feature holds instead of an area, in words staff know."""
    if problem.kind in ("missing", "empty"):
        return str(_("keine Geometrie"))
    name = str(feature.geom.geom_type.name).removeprefix("Multi")
    return str(_LABELS.get(name, name))


def _raise_for(problem: GeometryProblem, layer: Layer, crs_name: str) -> None:
    """Raise the error for a problem that spoils the whole area; a feature that is no area is left out."""
    if problem.kind == "not_reprojectable":
        raise AreaNotReprojectable(layer=layer.name, crs=crs_name)
    if problem.kind == "unrepairable":
        raise AreaInvalid(reason=re.sub(r"^.*\((.*)\)$", r"\1", problem.reason))


def _union(polygons: list[Polygon]) -> MultiPolygon:
    """Return the polygons of several features merged into one valid MultiPolygon."""
    merged = MultiPolygon(*polygons, srid=STORAGE_SRID).unary_union
    if not merged.valid:
        merged = merged.make_valid()  # type: ignore[attr-defined]  # Django 4.1+, missing from the stubs
    area = MultiPolygon(*polygons_of(merged), srid=STORAGE_SRID)
    if not area.valid:
        raise AreaInvalid(reason=area.valid_reason)
    return area
