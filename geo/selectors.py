"""Reads of the geo app: which authority is responsible for a place, authority listings, places by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.gis.db.models.functions import Centroid, ClosestPoint, Envelope, PointOnSurface, Transform
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db.models import F, Func, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry.base import BaseGeometry

from config.errors import NotFound
from geo import crs as crs_module
from geo.conf import configured_nrw_area, geo_settings
from geo.crs import CRS, STORAGE_SRID
from geo.errors import OutsideArea
from geo.models import (
    MIN_SEARCH_LENGTH,
    Authority,
    AuthorityKind,
    AuthorityQuerySet,
    Street,
    rank_by_search_key,
    search_key,
)
from geo.streets import display_name
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


def stored_point(first: float, second: float, source: CRS = crs_module.CRS84) -> Point:
    """Return a coordinate pair given in `source` (in its axis order) as a validated point in NRW, in 25832."""
    stored = clean_geometry(
        ShapelyPoint(first, second),
        source,
        area=configured_nrw_area(),
        max_vertices=geo_settings().max_vertices,
    )
    return to_geos(stored)  # type: ignore[return-value]


def locate_coordinates(first: float, second: float, source: CRS = crs_module.CRS84) -> Location:
    """Validate a coordinate pair given in `source` (in its axis order) and locate it."""
    return locate(stored_point(first, second, source))


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


# --- Places: Gemeinden and streets found by name ------------------------------------------------

# Longer queries are cut: no place name is longer, and trigram work grows with the text.
MAX_QUERY_LENGTH = 100
_WGS84 = 4326


@dataclass(frozen=True, slots=True)
class LonLat:
    """A point in WGS 84 longitude/latitude."""

    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Place:
    """A Gemeinde or street found by name, with where to show it (lon/lat)."""

    kind: Literal["gemeinde", "street"]
    # The AGS of a Gemeinde, the Gemeinde's own key of a street.
    key: str
    name: str
    label: str
    gemeinde_key: str
    gemeinde_name: str
    # A point on the street or inside the Gemeinde, not merely in its bounding box.
    point: LonLat
    # min lon, min lat, max lon, max lat
    bbox: tuple[float, float, float, float]
    # Why it was found: the name (folded) equals the query, starts with it, or is similar to it.
    match: Literal["exact", "prefix", "similar"]
    # How much of the query the name holds (pg_trgm word similarity, 0 to 1).
    similarity: float


_MATCHES: dict[int, Literal["exact", "prefix", "similar"]] = {0: "exact", 1: "prefix", 2: "similar"}
# How places compare across kinds: as rank_by_search_key orders rows, Gemeinden before streets on ties.
_Ranked = tuple[tuple[int, float, float, bool, str, str], Place]


def place_search(query: str, *, limit: int = 10) -> list[Place]:
    """Return the Gemeinden and streets whose names match the query, best first.

    Case, accents, ß/ss, "str."/"Straße" and "oe"/"ö" do not matter; exact and prefix matches
    come before similar names (pg_trgm), Gemeinden before streets when they rank alike.
    """
    text = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if len(text) < MIN_SEARCH_LENGTH or limit < 1:
        return []
    folded = search_key(Value(text))
    # "koeln" for "Köln": the folded names have "o" where the query may spell "oe".
    respelt = Replace(
        Replace(Replace(folded, Value("ae"), Value("a")), Value("oe"), Value("o")), Value("ue"), Value("u")
    )
    queries = [folded, respelt]
    ranked = _gemeinden_matching(queries, limit) + _streets_matching(queries, limit)
    ranked.sort(key=lambda item: item[0])
    return [place for _, place in ranked[:limit]]


def _lon_lat_box(envelope: GEOSGeometry) -> tuple[float, float, float, float]:
    min_lon, min_lat, max_lon, max_lat = envelope.extent
    return (min_lon, min_lat, max_lon, max_lat)


def _ranked(row: dict[str, Any], place: Place) -> _Ranked:
    order = (
        row["match"],
        -row["word_similarity"],
        -row["similarity"],
        place.kind != "gemeinde",
        row["name"],
        row["key"],
    )
    return order, place


def _gemeinden_matching(queries: list[Func], limit: int) -> list[_Ranked]:
    gemeinden = Authority.objects.of_kind(AuthorityKind.GEMEINDE).annotate(search_name=search_key(F("name")))
    rows = (
        rank_by_search_key(gemeinden, "search_name", queries)
        # Transformed here, in the SELECT of the few rows returned, never in a condition.
        .annotate(
            point_lonlat=Transform(PointOnSurface("boundary"), _WGS84),
            bbox_lonlat=Envelope(Transform("boundary", _WGS84)),
        )
        .values(
            "key",
            "name",
            "designation",
            "parent__name",
            "parent__kind",
            "parent__designation",
            "match",
            "word_similarity",
            "similarity",
            "point_lonlat",
            "bbox_lonlat",
        )[:limit]
    )
    return [
        _ranked(
            row,
            Place(
                kind="gemeinde",
                key=row["key"],
                name=row["name"],
                label=gemeinde_label(
                    row["name"],
                    row["designation"],
                    row["parent__name"],
                    row["parent__kind"],
                    row["parent__designation"],
                ),
                gemeinde_key=row["key"],
                gemeinde_name=row["name"],
                point=LonLat(row["point_lonlat"].x, row["point_lonlat"].y),
                bbox=_lon_lat_box(row["bbox_lonlat"]),
                match=_MATCHES[row["match"]],
                similarity=round(float(row["word_similarity"]), 3),
            ),
        )
        for row in rows
    ]


def _streets_matching(queries: list[Func], limit: int) -> list[_Ranked]:
    rows = (
        Street.objects.search(*queries)
        # A point on the line nearest its centre of mass: on the street even where it bends.
        .annotate(
            point_lonlat=Transform(ClosestPoint("geometry", Centroid("geometry")), _WGS84),
            bbox_lonlat=Envelope(Transform("geometry", _WGS84)),
        )
        .values(
            "key",
            "name",
            "gemeinde__key",
            "gemeinde__name",
            "match",
            "word_similarity",
            "similarity",
            "point_lonlat",
            "bbox_lonlat",
        )[:limit]
    )
    return [
        _ranked(
            row,
            Place(
                kind="street",
                key=row["key"],
                name=row["name"],
                label=f"{display_name(row['name'])}, {row['gemeinde__name']}",
                gemeinde_key=row["gemeinde__key"],
                gemeinde_name=row["gemeinde__name"],
                point=LonLat(row["point_lonlat"].x, row["point_lonlat"].y),
                bbox=_lon_lat_box(row["bbox_lonlat"]),
                match=_MATCHES[row["match"]],
                similarity=round(float(row["word_similarity"]), 3),
            ),
        )
        for row in rows
    ]


def gemeinde_label(
    name: str, designation: str, parent_name: str | None, parent_kind: str | None, parent_designation: str | None
) -> str:
    """Return how a citizen tells Gemeinden apart: "Moers (Stadt, Kreis Wesel)", "Köln (Kreisfreie Stadt)"."""
    if parent_kind == AuthorityKind.KREISFREIE_STADT:
        return f"{name} ({parent_designation or designation})"
    if parent_kind == AuthorityKind.KREIS and parent_name:
        # "Rhein-Sieg-Kreis" and "Städteregion Aachen" say what they are; "Wesel" needs "Kreis".
        said = any(word in parent_name.casefold() for word in ("kreis", "region"))
        kreis = parent_name if said else f"{parent_designation or 'Kreis'} {parent_name}"
        return f"{name} ({designation}, {kreis})" if designation else f"{name} ({kreis})"
    return f"{name} ({designation})" if designation else name
