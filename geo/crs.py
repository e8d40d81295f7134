"""The coordinate reference systems the portal accepts, and reprojection between them.

Geometries are stored in ETRS89 / UTM 32N (EPSG:25832). They arrive and leave as RFC 7946
GeoJSON in lon/lat (CRS84) unless a client explicitly asks for one of the few CRSs below.
A CRS is only ever chosen from this allow-list: text from a request is matched against the
known identifiers and never handed to PROJ or GDAL as a definition.

Coordinates handed to and returned by this module are in the axis order the CRS defines
(latitude first for EPSG:4326, northing first for Gauss-Krüger), as OGC API – Features
Part 2 requires; internally everything runs in easting/northing (lon/lat) order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import UnsupportedCRS

STORAGE_SRID: Final = 25832
# Where (in lon/lat) the storage CRS is used: its zone ±7°, far beyond NRW and any stored place.
STORAGE_DOMAIN_LONLAT: Final = (2.0, 45.0, 16.0, 57.0)


@dataclass(frozen=True, slots=True)
class CRS:
    """One CRS of the allow-list."""

    key: str
    srid: int
    uri: str
    title: str
    # True where the CRS's first axis is northing or latitude, not easting or longitude.
    northing_first: bool
    geographic: bool

    def __str__(self) -> str:
        return self.key


def _epsg(srid: int, title: str, *, northing_first: bool, geographic: bool = False) -> CRS:
    return CRS(
        key=f"EPSG:{srid}",
        srid=srid,
        uri=f"http://www.opengis.net/def/crs/EPSG/0/{srid}",
        title=title,
        northing_first=northing_first,
        geographic=geographic,
    )


CRS84: Final = CRS(
    key="CRS84",
    srid=4326,
    uri="http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    title="WGS 84, Länge/Breite (RFC 7946)",
    northing_first=False,
    geographic=True,
)
EPSG_4326: Final = _epsg(4326, "WGS 84, Breite/Länge", northing_first=True, geographic=True)
EPSG_3857: Final = _epsg(3857, "WGS 84 / Pseudo-Mercator", northing_first=False)
EPSG_25832: Final = _epsg(STORAGE_SRID, "ETRS89 / UTM Zone 32N", northing_first=False)
EPSG_31466: Final = _epsg(31466, "DHDN / 3-Grad-Gauß-Krüger Zone 2", northing_first=True)
EPSG_31467: Final = _epsg(31467, "DHDN / 3-Grad-Gauß-Krüger Zone 3", northing_first=True)

ALLOWED: Final[tuple[CRS, ...]] = (CRS84, EPSG_4326, EPSG_3857, EPSG_25832, EPSG_31466, EPSG_31467)
DEFAULT: Final = CRS84
STORAGE: Final = EPSG_25832

_BY_KEY: Final = {crs.key: crs for crs in ALLOWED}
_BY_SRID: Final = {crs.srid: crs for crs in ALLOWED if crs is not CRS84}

# The spellings of one CRS that clients send: short codes, OGC URNs and OGC URIs (http or https).
_EPSG_PATTERNS: Final = (
    re.compile(r"^EPSG:(?P<code>\d{1,6})$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(?P<code>\d{1,6})$", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/(?P<code>\d{1,6})$", re.IGNORECASE),
)
_CRS84_SPELLINGS: Final = frozenset(
    {
        "CRS84",
        "OGC:CRS84",
        "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
        "URN:OGC:DEF:CRS:OGC::CRS84",
        "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84",
        "HTTPS://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84",
    }
)
_MAX_IDENTIFIER_LENGTH: Final = 100


def parse_crs(text: str | None, *, default: CRS = DEFAULT) -> CRS:
    """Return the allow-listed CRS a client named, or raise UnsupportedCRS."""
    if text is None or not text.strip():
        return default
    candidate = text.strip()
    if len(candidate) <= _MAX_IDENTIFIER_LENGTH:
        if candidate.upper() in _CRS84_SPELLINGS:
            return CRS84
        for pattern in _EPSG_PATTERNS:
            match = pattern.match(candidate)
            if match:
                found = _BY_SRID.get(int(match.group("code")))
                if found is not None:
                    return found
                break
    raise UnsupportedCRS(crs=candidate[:_MAX_IDENTIFIER_LENGTH], supported=", ".join(c.key for c in ALLOWED))


def crs_for_srid(srid: int) -> CRS:
    """Return the allow-listed CRS with this EPSG code (EPSG:4326 in its own lat/lon order)."""
    try:
        return _BY_SRID[srid]
    except KeyError:
        raise UnsupportedCRS(crs=f"EPSG:{srid}", supported=", ".join(c.key for c in ALLOWED)) from None


def use_proj_grid_dirs(directories: Iterable[str | Path]) -> None:
    """Let PROJ find transformation grids (BETA2007 for DHDN) in these extra directories.

    PostGIS and GDAL use the system's PROJ with its grids; pyproj brings its own PROJ. Both must
    pick the same transformation, or DHDN coordinates differ by up to a metre between them.
    """
    known = set(pyproj.datadir.get_data_dir().split(":"))
    for directory in directories:
        path = Path(directory)
        if path.is_dir() and str(path) not in known:
            pyproj.datadir.append_data_dir(str(path))
            known.add(str(path))
    _transformer.cache_clear()


@lru_cache(maxsize=64)
def _transformer(source_srid: int, target_srid: int) -> pyproj.Transformer:
    # always_xy: the transformer works in easting/northing order; axis order is ours to handle.
    return pyproj.Transformer.from_crs(
        pyproj.CRS.from_epsg(source_srid), pyproj.CRS.from_epsg(target_srid), always_xy=True
    )


def transform_coords(coords: npt.ArrayLike, source: CRS, target: CRS) -> npt.NDArray[np.float64]:
    """Transform an (n, 2) array of coordinates from one allow-listed CRS to another."""
    array = np.array(coords, dtype=np.float64).reshape(-1, 2)
    if source.northing_first:
        array = array[:, ::-1]
    if source.srid != target.srid:
        xs, ys = _transformer(source.srid, target.srid).transform(array[:, 0], array[:, 1], errcheck=False)
        array = np.column_stack([xs, ys])
    if target.northing_first:
        array = array[:, ::-1]
    return np.ascontiguousarray(array)


def transform(geometry: BaseGeometry, source: CRS, target: CRS) -> BaseGeometry:
    """Return the geometry reprojected from `source` to `target` (2D, in each CRS's axis order)."""
    return shapely.transform(geometry, lambda coords: transform_coords(coords, source, target), include_z=False)


def to_storage(geometry: BaseGeometry, source: CRS = DEFAULT) -> BaseGeometry:
    """Return the geometry in the storage CRS (EPSG:25832)."""
    return transform(geometry, source, STORAGE)


def from_storage(geometry: BaseGeometry, target: CRS = DEFAULT) -> BaseGeometry:
    """Return a stored (EPSG:25832) geometry in the requested output CRS."""
    return transform(geometry, STORAGE, target)


def swap_axes(geometry: BaseGeometry) -> BaseGeometry:
    """Return the geometry with its first and second coordinates exchanged."""
    return shapely.transform(geometry, lambda coords: coords[:, ::-1], include_z=False)
