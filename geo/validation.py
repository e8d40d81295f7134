"""Validation of geometries that explains itself to the person who sent them.

Checks run in the order a person would fix them: readable numbers, size, the plausible range
of the CRS, then validity (with GEOS's reason), then whether the place lies in the area it
must be in. A place that lies outside but would lie inside with its axes exchanged answers
that the axes look swapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

from geo import crs as crs_module
from geo.crs import CRS
from geo.errors import (
    CoordinatesOutOfRange,
    InvalidGeometry,
    NonFiniteCoordinates,
    OutsideArea,
    SwappedAxes,
    TooManyVertices,
)

DEFAULT_MAX_VERTICES: Final = 5000


@dataclass(frozen=True)
class Area:
    """An area a geometry must lie in, in the storage CRS, with the name a citizen knows."""

    name: str | Promise
    geometry: BaseGeometry
    prepared: PreparedGeometry

    @classmethod
    def of(cls, name: str | Promise, geometry: BaseGeometry, *, buffer_m: float = 0.0) -> Area:
        """Return the area, widened by `buffer_m` metres for generalised borders."""
        if buffer_m:
            geometry = geometry.buffer(buffer_m)
        return cls(name=name, geometry=geometry, prepared=prep(geometry))

    def covers(self, geometry: BaseGeometry) -> bool:
        """Tell whether the geometry (in the storage CRS) lies wholly inside the area."""
        return bool(self.prepared.covers(geometry))


# GEOS's validity reasons, in words a citizen reads; the raw reason goes into the details.
_GEOS_REASONS: Final[dict[str, str | Promise]] = {
    "Self-intersection": _("die Umrisslinie schneidet sich selbst"),
    "Ring Self-intersection": _("ein Ring schneidet sich selbst"),
    "Too few points": _("zu wenige Punkte"),
    "Hole lies outside shell": _("ein Loch liegt außerhalb der Fläche"),
    "Holes are nested": _("Löcher liegen ineinander"),
    "Interior is disconnected": _("die Fläche zerfällt in getrennte Teile"),
    "Nested shells": _("Teilflächen liegen ineinander"),
    "Duplicate Rings": _("ein Ring kommt doppelt vor"),
    "Invalid Coordinate": _("eine Koordinate ist ungültig"),
    "Ring is not closed": _("ein Ring ist nicht geschlossen"),
}
_REASON_PATTERN: Final = re.compile(r"^(?P<kind>[A-Za-z -]+?)\s*(?:\[(?P<x>\S+) (?P<y>\S+)\])?$")


def explain_invalid(geometry: BaseGeometry) -> InvalidGeometry:
    """Return the InvalidGeometry error for an invalid geometry, naming GEOS's reason and place."""
    raw = shapely.is_valid_reason(geometry)
    match = _REASON_PATTERN.match(raw)
    kind = match.group("kind") if match else raw
    reason = _GEOS_REASONS.get(kind, raw)
    details: dict[str, object] = {"reason": raw}
    if match and match.group("x") is not None:
        details["location"] = [float(match.group("x")), float(match.group("y"))]
        text = _("%(reason)s (bei %(x)s, %(y)s)") % {
            "reason": reason,
            "x": _round(float(match.group("x"))),
            "y": _round(float(match.group("y"))),
        }
    else:
        text = str(reason)
    return InvalidGeometry(reason=text, details=details)


def _round(value: float) -> str:
    # Enough digits to find the spot: 1e-6 degrees or 1 cm in a projected CRS.
    return f"{value:.6f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.2f}"


def check_finite(geometry: BaseGeometry) -> None:
    """Raise NonFiniteCoordinates if any coordinate is NaN or infinite."""
    if not bool(np.isfinite(shapely.get_coordinates(geometry)).all()):
        raise NonFiniteCoordinates()


def check_vertex_count(geometry: BaseGeometry, *, max_vertices: int) -> None:
    """Raise TooManyVertices if the geometry has more than `max_vertices` vertices."""
    count = int(shapely.get_num_coordinates(geometry))
    if count > max_vertices:
        raise TooManyVertices(count=count, limit=max_vertices)


def check_range(geometry: BaseGeometry, source: CRS) -> None:
    """Raise CoordinatesOutOfRange if geographic coordinates exceed ±180°/±90°."""
    if not source.geographic:
        return
    coords = shapely.get_coordinates(geometry)
    lon, lat = (coords[:, 1], coords[:, 0]) if source.northing_first else (coords[:, 0], coords[:, 1])
    if bool((np.abs(lon) > 180).any() or (np.abs(lat) > 90).any()):
        raise CoordinatesOutOfRange()


def check_valid(geometry: BaseGeometry) -> None:
    """Raise InvalidGeometry with GEOS's reason if the geometry is not valid."""
    if geometry.is_empty:
        raise InvalidGeometry(reason=_("die Geometrie ist leer"))
    if not geometry.is_valid:
        raise explain_invalid(geometry)


def _axes_label(source: CRS) -> str | Promise:
    if source.geographic:
        return _("Länge und Breite")
    return _("Rechtswert und Hochwert (x und y)")


def _inside_when_swapped(geometry: BaseGeometry, source: CRS, area: Area) -> BaseGeometry | None:
    swapped = crs_module.swap_axes(geometry)
    try:
        check_range(swapped, source)
        stored = crs_module.to_storage(swapped, source)
        check_finite(stored)
    except InvalidGeometry:
        return None
    return swapped if area.covers(stored) else None


def clean_geometry(
    geometry: BaseGeometry,
    source: CRS,
    *,
    area: Area,
    max_vertices: int = DEFAULT_MAX_VERTICES,
) -> BaseGeometry:
    """Return the geometry in the storage CRS after every check, or raise what is wrong with it."""
    check_finite(geometry)
    check_vertex_count(geometry, max_vertices=max_vertices)
    try:
        check_range(geometry, source)
    except CoordinatesOutOfRange:
        if _inside_when_swapped(geometry, source, area) is not None:
            raise SwappedAxes(area=area.name, axes=_axes_label(source), details={"area": str(area.name)}) from None
        raise
    stored = crs_module.to_storage(geometry, source)
    try:
        check_finite(stored)
    except NonFiniteCoordinates:
        raise OutsideArea(area=area.name, details={"area": str(area.name)}) from None
    # Check validity in the sender's own coordinates, so that the place named is theirs;
    # a projection can still fold a valid shape, so check the stored one too.
    check_valid(geometry)
    check_valid(stored)
    if not area.covers(stored):
        if _inside_when_swapped(geometry, source, area) is not None:
            raise SwappedAxes(area=area.name, axes=_axes_label(source), details={"area": str(area.name)})
        raise OutsideArea(area=area.name, details={"area": str(area.name)})
    return stored
