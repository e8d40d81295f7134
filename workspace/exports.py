"""Files of exactly what the workspace's filters show: CSV, GeoJSON and GeoPackage, and their data dictionary.

CSV is written for German staff who open it in Excel: UTF-8 with a byte order mark (without it,
Excel reads UTF-8 as Windows-1252 and breaks every umlaut) and `;` as separator (German Excel
expects it, because `,` is the decimal comma there). Numbers keep the decimal point so that GIS
tools (QGIS, GDAL) read the coordinates unchanged; the `wkt` column carries the full geometry.
Text that Excel would run as a formula (=, +, -, @ first) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import pyogrio.raw  # type: ignore[import-untyped]  # no stubs; one call, checked by tests
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.models import ReportStatus
from workspace.filters import FeedbackFilter
from workspace.scope import Workspace
from workspace.selectors import conditions, feedback_count, fetch_all, sql_template

Format = Literal["csv", "geojson", "gpkg"]
SUPPORTED_SRIDS: Final = (4326, 25832)
CONTENT_TYPES: Final[dict[str, str]] = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}
LAYER_NAME: Final = "rueckmeldungen"


@dataclass(frozen=True)
class DictionaryEntry:
    """One column of an export: its name, type, German description, and whether it is personal data."""

    name: str
    type: str
    description: str | Promise
    personal: bool = False


COLUMNS: Final = (
    DictionaryEntry("schluessel", "Text", _("Eindeutiger Schlüssel: „report:“ oder „contribution:“ und die Nummer.")),
    DictionaryEntry("art", "Text", _("Art der Rückmeldung: „meldung“ (Mängelmelder) oder „beitrag“ (Verfahren).")),
    DictionaryEntry("nummer", "Ganzzahl", _("Nummer der Meldung oder des Beitrags im Portal.")),
    DictionaryEntry("behoerde", "Text", _("Amtlicher Gemeindeschlüssel (AGS) der zuständigen Behörde.")),
    DictionaryEntry("verfahren", "Text", _("Kurzname des Beteiligungsverfahrens (nur bei Beiträgen).")),
    DictionaryEntry("kategorie", "Text", _("Kennung der Kategorie (Open311 service_code); „beitrag“ bei Beiträgen.")),
    DictionaryEntry("kategorie_name", "Text", _("Name der Kategorie.")),
    DictionaryEntry("status", "Text", _("Bearbeitungsstand als Kennung (nur bei Meldungen).")),
    DictionaryEntry("status_name", "Text", _("Bearbeitungsstand in Worten (nur bei Meldungen).")),
    DictionaryEntry("eingegangen", "Datum und Uhrzeit", _("Eingang in deutscher Ortszeit, Form JJJJ-MM-TTThh:mm:ss.")),
    DictionaryEntry("text", "Text", _("Beschreibung der Meldung oder Text des Beitrags.")),
    DictionaryEntry("unterstuetzungen", "Ganzzahl", _("Wie viele Personen die Rückmeldung unterstützen.")),
    DictionaryEntry("oeffentlich", "Wahrheitswert", _("Ob die Rückmeldung öffentlich zu sehen ist.")),
    DictionaryEntry("name", "Text", _("Name, den die meldende Person angegeben hat (personenbezogen)."), personal=True),
    DictionaryEntry(
        "email", "Text", _("E-Mail-Adresse, die die meldende Person angegeben hat (personenbezogen)."), personal=True
    ),
    DictionaryEntry(
        "konto_email", "Text", _("E-Mail-Adresse des Benutzerkontos, falls vorhanden (personenbezogen)."), personal=True
    ),
)
GEOMETRY_COLUMNS: Final = (
    DictionaryEntry(
        "x", "Dezimalzahl", _("Rechtswert bzw. Länge eines Punkts auf dem Ort (nur CSV), mit Dezimalpunkt.")
    ),
    DictionaryEntry(
        "y", "Dezimalzahl", _("Hochwert bzw. Breite eines Punkts auf dem Ort (nur CSV), mit Dezimalpunkt.")
    ),
    DictionaryEntry(
        "wkt",
        "Text",
        _("Ort als WKT (nur CSV): Punkt, Linie oder Fläche; Koordinaten im gewählten Koordinatensystem."),
    ),
    DictionaryEntry(
        "geometrie",
        "Geometrie",
        _(
            "Ort (GeoJSON und GeoPackage) in EPSG:4326 (Länge/Breite) oder EPSG:25832 (ETRS89 / UTM 32N, Meter);"
            " leer bei Beiträgen ohne Ort."
        ),
    ),
)
# Constant SQL of the personal columns: chosen by code, never by request text.
_PERSONAL_REPORT = ", r.reporter_name AS name, r.reporter_email AS email, COALESCE(ru.email, '') AS konto_email"
_PERSONAL_CONTRIBUTION = ", k.author_name, k.author_email, COALESCE(ku.email, '')"
_INTEGER_COLUMNS: Final = frozenset({"nummer", "unterstuetzungen"})


def data_dictionary() -> list[DictionaryEntry]:
    """Return every column an export may hold, with its German description."""
    return [*COLUMNS, *GEOMETRY_COLUMNS]


def column_names(*, personal: bool) -> list[str]:
    """Return the attribute columns of an export, personal ones only when asked."""
    return [column.name for column in COLUMNS if personal or not column.personal]


@dataclass(frozen=True)
class ExportFile:
    """A file to download."""

    filename: str
    content_type: str
    content: bytes
    rows: int


def _rows_sql(ws: Workspace, flt: FeedbackFilter, params: dict[str, Any], *, srid: int, personal: bool) -> str:
    report_conditions, contribution_conditions = conditions(ws, flt, params)
    params.update(
        srid=srid,
        precision=7 if srid == 4326 else 2,
        time_zone=settings.TIME_ZONE,
        status_names=_status_names(),
    )
    return (
        sql_template("export_rows")
        .replace("{report_conditions}", report_conditions)
        .replace("{contribution_conditions}", contribution_conditions)
        .replace("{personal_report}", _PERSONAL_REPORT if personal else "")
        .replace("{personal_contribution}", _PERSONAL_CONTRIBUTION if personal else "")
    )


def _status_names() -> str:
    return json.dumps({status.value: str(status.label) for status in ReportStatus})


def _filename(ws: Workspace, extension: str, srid: int) -> str:
    scope = ws.procedure.slug if ws.procedure is not None else ws.authority.key
    return f"rueckmeldungen-{scope}-epsg{srid}.{extension}"


def _table(ws: Workspace, flt: FeedbackFilter, *, srid: int, personal: bool) -> tuple[list[str], list[tuple[Any, ...]]]:
    params: dict[str, Any] = {}
    names = column_names(personal=personal)
    sql = (
        sql_template("export_table")
        .replace("{rows}", _rows_sql(ws, flt, params, srid=srid, personal=personal))
        .replace("{columns}", ", ".join(names))
    )
    return names, fetch_all(sql, params)


def export_csv(ws: Workspace, flt: FeedbackFilter, *, srid: int, personal: bool) -> ExportFile:
    """Return the filtered feedback as CSV for German Excel: UTF-8 with BOM, `;`, decimal point."""
    names, rows = _table(ws, flt, srid=srid, personal=personal)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*names, "x", "y", "wkt"])
    for row in rows:
        *attributes, x, y, wkt, _wkb = row
        writer.writerow([_csv_value(value) for value in (*attributes, x, y, wkt)])
    return ExportFile(
        filename=_filename(ws, "csv", srid),
        content_type=CONTENT_TYPES["csv"],
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        rows=len(rows),
    )


# Excel runs a cell that starts with one of these as a formula: citizens' text must never do that.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        # OWASP's advice against CSV injection: a leading apostrophe makes Excel show the text as text.
        return "'" + value
    return str(value)


def export_geojson(ws: Workspace, flt: FeedbackFilter, *, srid: int, personal: bool) -> ExportFile:
    """Return the filtered feedback as one GeoJSON FeatureCollection, built by PostGIS."""
    params: dict[str, Any] = {"name": LAYER_NAME}
    names = column_names(personal=personal)
    crs_member = (
        ""
        if srid == 4326
        else "'crs', json_build_object('type', 'name', 'properties', "
        "json_build_object('name', 'urn:ogc:def:crs:EPSG::' || %(srid)s)),"
    )
    sql = (
        sql_template("export_geojson")
        .replace("{rows}", _rows_sql(ws, flt, params, srid=srid, personal=personal))
        .replace("{crs_member}", crs_member)
        .replace("{properties}", ", ".join(f"'{name}', {name}" for name in names))
    )
    body = str(fetch_all(sql, params)[0][0])
    # Same conditions, so the same rows as the collection holds.
    rows = feedback_count(ws, flt)
    return ExportFile(
        filename=_filename(ws, "geojson", srid),
        content_type=CONTENT_TYPES["geojson"],
        content=body.encode("utf-8"),
        rows=rows,
    )


def _field_array(name: str, values: Sequence[Any]) -> np.ndarray[Any, Any]:
    if name in _INTEGER_COLUMNS:
        return np.array(values, dtype=np.int64)
    if name == "oeffentlich":
        return np.array(values, dtype=np.bool_)
    return np.array(["" if value is None else str(value) for value in values], dtype=object)


def export_gpkg(ws: Workspace, flt: FeedbackFilter, *, srid: int, personal: bool) -> ExportFile:
    """Return the filtered feedback as a GeoPackage written by GDAL (pyogrio), layer `rueckmeldungen`."""
    names, rows = _table(ws, flt, srid=srid, personal=personal)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(len(names) + 4)]
    geometry = np.array([None if wkb is None else bytes(wkb) for wkb in columns[-1]], dtype=object)
    field_data = [_field_array(name, columns[index]) for index, name in enumerate(names)]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{LAYER_NAME}.gpkg"
        pyogrio.raw.write(
            str(path),
            geometry,
            field_data,
            names,
            layer=LAYER_NAME,
            driver="GPKG",
            # Contributions may be points, lines or areas in one layer.
            geometry_type="Unknown",
            crs=f"EPSG:{srid}",
            encoding="UTF-8",
            layer_metadata={"DESCRIPTION": gettext("Rückmeldungen aus dem Arbeitsbereich der Beteiligungskarte")},
        )
        content = path.read_bytes()
    return ExportFile(
        filename=_filename(ws, "gpkg", srid),
        content_type=CONTENT_TYPES["gpkg"],
        content=content,
        rows=len(rows),
    )


BUILDERS: Final = {"csv": export_csv, "geojson": export_geojson, "gpkg": export_gpkg}
