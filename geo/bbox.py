"""Bounding boxes from query strings, as areas in the storage CRS."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import shapely
from django.utils.translation import gettext_lazy as _
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from config.errors import BadRequest
from geo import crs as crs_module
from geo.crs import CRS

# A bbox edge becomes a curve in another CRS; points every ~1/64 of the edge keep it honest.
_DENSIFY_PARTS: Final = 64


class InvalidBbox(BadRequest):
    """A bbox parameter that cannot be read."""

    code = "invalid_bbox"
    default_message = _(
        "Der Parameter bbox muss vier Zahlen enthalten, durch Kommas getrennt: "
        "minx,miny,maxx,maxy (in der Achsenfolge von bbox-crs). %(problem)s"
    )


def parse_bbox(text: str, source: CRS) -> BaseGeometry:
    """Return the bbox "minx,miny,maxx,maxy" (or with two heights, six numbers) as a storage-CRS polygon."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) not in (4, 6):
        raise InvalidBbox(problem=_("Es wurden %(count)s Werte übergeben.") % {"count": len(parts)})
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise InvalidBbox(problem=_("Nicht alle Werte sind Zahlen.")) from None
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidBbox(problem=_("Nicht alle Werte sind endliche Zahlen."))
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    minx, miny, maxx, maxy = numbers
    if minx > maxx or miny > maxy:
        raise InvalidBbox(problem=_("Die kleineren Werte müssen vor den größeren stehen."))
    if source.geographic:
        lon = (miny, maxy) if source.northing_first else (minx, maxx)
        lat = (minx, maxx) if source.northing_first else (miny, maxy)
        if max(abs(v) for v in lon) > 180 or max(abs(v) for v in lat) > 90:
            raise InvalidBbox(problem=_("Länge oder Breite liegt außerhalb des gültigen Bereichs."))
    return clip_to_storage(box(minx, miny, maxx, maxy), source)


def clip_to_storage(area: BaseGeometry, source: CRS) -> BaseGeometry:
    """Return an area given in `source` as a storage-CRS polygon, clipped to the storage CRS's domain.

    Far from its zone, UTM stops being meaningful; nothing is stored there, so what a
    zoomed-out map asks for beyond the domain can be dropped before projecting.
    """
    if source.srid == crs_module.STORAGE_SRID:
        return area
    minx, miny, maxx, maxy = area.bounds
    longest = max(maxx - minx, maxy - miny)
    if longest > 0:
        area = shapely.segmentize(area, longest / _DENSIFY_PARTS)
    lonlat = crs_module.transform(area, source, crs_module.CRS84) if source is not crs_module.CRS84 else area
    if not bool(np.isfinite(shapely.get_coordinates(lonlat)).all()):
        lonlat = lonlat.intersection(box(-180, -85, 180, 85))
    clipped = lonlat.intersection(box(*crs_module.STORAGE_DOMAIN_LONLAT))
    if clipped.is_empty:
        return clipped
    return crs_module.to_storage(clipped, crs_module.CRS84)
