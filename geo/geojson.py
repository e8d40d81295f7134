"""Read GeoJSON geometries strictly, before shapely sees them.

shapely accepts much that a citizen never meant (strings as numbers, unclosed rings, deep
collections) and fails with messages nobody understands. This reader walks the structure
once, counts vertices as it goes so that a huge input is rejected before it is built, and
names what is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, Final

import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.errors import InvalidGeometry, NonFiniteCoordinates, TooManyVertices

GEOMETRY_TYPES: Final = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
# How deep each type nests its coordinate arrays: a Point is one position, a Polygon a list of rings.
# A collection inside a collection is allowed once; RFC 7946 advises against any nesting.
MAX_COLLECTION_DEPTH: Final = 2


class _Counter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def add(self, n: int = 1) -> None:
        self.count += n
        if self.count > self.limit:
            raise TooManyVertices(count=_("mehr als %(limit)s") % {"limit": self.limit}, limit=self.limit)


def parse_geometry(
    data: Any,
    *,
    max_vertices: int,
    allowed_types: Collection[str] | None = None,
) -> BaseGeometry:
    """Return a shapely geometry for a GeoJSON geometry object, or raise InvalidGeometry."""
    if not isinstance(data, dict):
        raise InvalidGeometry(reason=_("Es wurde kein GeoJSON-Geometrieobjekt übergeben."))
    counter = _Counter(max_vertices)
    _check_geometry(data, counter, depth=1, allowed_types=allowed_types)
    try:
        geometry = shape(data)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        raise InvalidGeometry(reason=str(exc)) from exc
    return geometry


def _check_geometry(data: Any, counter: _Counter, *, depth: int, allowed_types: Collection[str] | None) -> None:
    if not isinstance(data, dict):
        raise InvalidGeometry(reason=_("Ein Element der Geometriesammlung ist kein Geometrieobjekt."))
    kind = data.get("type")
    if kind not in GEOMETRY_TYPES:
        raise InvalidGeometry(
            reason=_("Unbekannter Geometrietyp „%(type)s“. Möglich sind: %(types)s.")
            % {"type": str(kind)[:40], "types": ", ".join(allowed_types or GEOMETRY_TYPES)}
        )
    if "crs" in data:
        # RFC 7946 dropped the member; honouring some of its spellings and ignoring others would put a
        # place given in Gauß-Krüger or UTM somewhere else without a word.
        raise InvalidGeometry(
            reason=_(
                "Eine GeoJSON-Geometrie darf kein eigenes „crs“ angeben; ihre Koordinaten sind Länge und Breite. "
                "Ein anderes Koordinatenreferenzsystem nennt das Feld „crs“ der Anfrage."
            )
        )
    if allowed_types is not None and kind not in allowed_types:
        raise InvalidGeometry(
            reason=_("Der Geometrietyp „%(type)s“ ist hier nicht erlaubt. Möglich sind: %(types)s.")
            % {"type": kind, "types": ", ".join(allowed_types)}
        )
    if kind == "GeometryCollection":
        if depth > MAX_COLLECTION_DEPTH:
            raise InvalidGeometry(reason=_("Geometriesammlungen sind zu tief verschachtelt."))
        members = data.get("geometries")
        if not isinstance(members, list):
            raise InvalidGeometry(reason=_("Einer Geometriesammlung fehlt die Liste „geometries“."))
        for member in members:
            _check_geometry(member, counter, depth=depth + 1, allowed_types=None)
        return
    coordinates = data.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise InvalidGeometry(reason=_("Der Geometrie fehlen die Koordinaten („coordinates“)."))
    if kind == "Point":
        _check_position(coordinates, counter)
    elif kind == "MultiPoint":
        for position in coordinates:
            _check_position(position, counter)
    elif kind == "LineString":
        _check_line(coordinates, counter)
    elif kind == "MultiLineString":
        for line in coordinates:
            _check_line(line, counter)
    elif kind == "Polygon":
        _check_polygon(coordinates, counter)
    else:
        for polygon in coordinates:
            _check_polygon(polygon, counter)


def _check_line(line: Any, counter: _Counter) -> None:
    if not isinstance(line, list) or len(line) < 2:
        raise InvalidGeometry(reason=_("Eine Linie braucht mindestens zwei Punkte."))
    for position in line:
        _check_position(position, counter)


def _check_polygon(rings: Any, counter: _Counter) -> None:
    if not isinstance(rings, list) or not rings:
        raise InvalidGeometry(reason=_("Eine Fläche braucht mindestens einen Ring."))
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise InvalidGeometry(
                reason=_("Ein Flächenring braucht mindestens vier Punkte (der letzte gleich dem ersten).")
            )
        for position in ring:
            _check_position(position, counter)
        if ring[0][:2] != ring[-1][:2]:
            raise InvalidGeometry(
                reason=_("Ein Flächenring ist nicht geschlossen: der letzte Punkt muss dem ersten gleichen.")
            )


def _check_position(position: Any, counter: _Counter) -> None:
    if not isinstance(position, list) or len(position) not in (2, 3):
        raise InvalidGeometry(reason=_("Ein Punkt braucht zwei Koordinaten (optional eine dritte für die Höhe)."))
    for number in position:
        # bool is an int in Python, but `true` is no coordinate.
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise InvalidGeometry(reason=_("Koordinaten müssen Zahlen sein."))
        if not math.isfinite(number):
            raise NonFiniteCoordinates()
    counter.add()
