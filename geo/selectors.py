"""Reads of the geo app: which authority is responsible for a place, and authority listings."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, Point
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry

from config.errors import NotFound
from geo import crs as crs_module
from geo.conf import configured_nrw_area, geo_settings
from geo.crs import CRS, STORAGE_SRID
from geo.errors import OutsideArea
from geo.models import Authority, AuthorityKind, AuthorityQuerySet
from geo.validation import clean_geometry


def to_geos(geometry: BaseGeometry) -> GEOSGeometry:
    """Return a shapely geometry in the storage CRS as a GEOS geometry for the ORM."""
    return GEOSGeometry(memoryview(geometry.wkb), srid=STORAGE_SRID)


@dataclass(frozen=True)
class Location:
    """The authorities responsible for a point, from the Gemeinde up to the Land."""

    point: Point
    gemeinde: Authority
    kreis: Authority | None
    regierungsbezirk: Authority | None
    land: Authority | None
    # "inside": the point lies in the Gemeinde; "nearest": just beyond the generalised border.
    match: str
    distance_m: float


def locate(point: Point) -> Location:
    """Return the Gemeinde responsible for a point in the storage CRS, with its Kreis, Bezirk and Land.

    Boundaries are generalised (VG5000 can be off by hundreds of metres), so a point in NRW
    that no Gemeinde covers goes to the nearest one within the NRW border buffer.
    """
    gemeinden = Authority.objects.of_kind(AuthorityKind.GEMEINDE).select_related("parent__parent__parent")
    gemeinde = gemeinden.containing(point).first()
    match, distance = "inside", 0.0
    if gemeinde is None:
        gemeinde = gemeinden.nearest_to(point, within_m=geo_settings().nrw_buffer_m).first()
        if gemeinde is None:
            nrw = configured_nrw_area().name
            raise OutsideArea(area=nrw, details={"area": str(nrw)})
        match, distance = "nearest", float(gemeinde.distance.m)  # type: ignore[attr-defined]
    chain: dict[str, Authority] = {}
    ancestor = gemeinde.parent
    while ancestor is not None:
        level = "kreis" if ancestor.kind in (AuthorityKind.KREIS, AuthorityKind.KREISFREIE_STADT) else ancestor.kind
        chain[level] = ancestor
        ancestor = ancestor.parent
    return Location(
        point=point,
        gemeinde=gemeinde,
        kreis=chain.get("kreis"),
        regierungsbezirk=chain.get(AuthorityKind.REGIERUNGSBEZIRK),
        land=chain.get(AuthorityKind.LAND),
        match=match,
        distance_m=distance,
    )


def locate_coordinates(first: float, second: float, source: CRS = crs_module.CRS84) -> Location:
    """Validate a coordinate pair given in `source` (in its axis order) and locate it."""
    stored = clean_geometry(
        ShapelyPoint(first, second),
        source,
        area=configured_nrw_area(),
        max_vertices=geo_settings().max_vertices,
    )
    return locate(to_geos(stored))  # type: ignore[arg-type]


def authority_list(
    *,
    kinds: list[AuthorityKind] | None = None,
    area: BaseGeometry | None = None,
    parent_key: str | None = None,
    output_crs: CRS,
) -> AuthorityQuerySet:
    """Return authorities filtered by kind, by an area in the storage CRS, and by parent, with GeoJSON."""
    authorities = Authority.objects.select_related("parent")
    if kinds:
        authorities = authorities.of_kind(*kinds)
    if parent_key:
        authorities = authorities.filter(parent__key=parent_key)
    if area is not None:
        if area.is_empty:
            return authorities.none()
        authorities = authorities.intersecting(to_geos(area))
    return authorities.with_geojson(output_crs)


def authority_get(key: str, *, output_crs: CRS) -> Authority:
    """Return the authority with this official key, with its GeoJSON, or raise NotFound."""
    authority = Authority.objects.select_related("parent").with_geojson(output_crs).filter(key=key).first()
    if authority is None:
        raise NotFound(_("Es gibt keine Behörde mit dem Schlüssel „%(key)s“."), key=key[:20])
    return authority
