"""The registry of map layers: every public dataset and every external basemap or overlay.

A data layer names its SQL source, its public row filter and its public properties; nothing
else of a row ever leaves the database. The SQL fragments here are code, never request text:
`layers.features` fills them into `sql/features.sql`, and every value a request brings is a
bound parameter. External layers are only registered here; nothing in this module fetches them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from layers import attributions
from layers.attributions import Attribution


class GeometryType(enum.StrEnum):
    """The GeoJSON geometry type of a layer's features."""

    POINT = "Point"
    MULTIPOLYGON = "MultiPolygon"
    GEOMETRY = "Geometry"
    RASTER = "Raster"


class Match(enum.StrEnum):
    """How a property filter compares: one of several values, or an official-key prefix."""

    ANY_OF = "any_of"
    PREFIX = "prefix"


@dataclass(frozen=True, slots=True)
class Property:
    """One public property: its name in the answer, its SQL expression and its JSON type for the docs."""

    name: str
    sql: str
    type: str = "string"
    # How a query parameter of the same name filters on it; None where it cannot filter.
    match: Match | None = None
    # Whether vector tiles carry it. Tiles carry what a map draws and filters by; every extra
    # distinct string (a text, a time stamp) grows each tile's value table, so texts and times
    # stay in the GeoJSON and OGC answers, fetched for the one feature a user opens.
    in_tiles: bool = True


@dataclass(frozen=True, slots=True)
class DataLayer:
    """A public dataset of the portal, served as GeoJSON built in PostGIS."""

    key: str
    title: str | Promise
    description: str | Promise
    attribution: Attribution
    geometry_type: GeometryType
    # The FROM clause, with the aliased joins the properties and the filter need.
    source: str
    id_column: str
    geometry_column: str
    properties: tuple[Property, ...]
    # The condition that makes a row public; every answer is limited to it.
    public_filter: str
    time_column: str | None
    minzoom: int
    maxzoom: int

    @property
    def tile_properties(self) -> tuple[Property, ...]:
        """Return the properties vector tiles carry."""
        return tuple(prop for prop in self.properties if prop.in_tiles)

    @property
    def filterable(self) -> dict[str, Property]:
        """Return the properties a query parameter may filter on, by name."""
        return {prop.name: prop for prop in self.properties if prop.match is not None}


@dataclass(frozen=True, slots=True)
class ExternalLayer:
    """A basemap or overlay served by someone else, with its upstream address taken from settings."""

    key: str
    title: str | Promise
    description: str | Promise
    attribution: Attribution
    service: str
    # The key in settings.BK_LAYERS that overrides the upstream address.
    setting: str
    default_url: str
    upstream_layer: str
    minzoom: int
    maxzoom: int
    geometry_type: GeometryType = field(default=GeometryType.RASTER)
    # The image format of a tile ("png" or "jpeg"): the proxy's file extension and what it asks the upstream for.
    image_format: str = "png"

    def url(self) -> str:
        """Return the upstream URL template: settings.BK_LAYERS[setting], or the default."""
        configured = getattr(settings, "BK_LAYERS", {}) or {}
        return str(configured.get(self.setting) or self.default_url)


Layer = DataLayer | ExternalLayer

_REPORT_SOURCE = (
    "reports_report AS r"
    " JOIN reports_category AS c ON c.id = r.category_id"
    " JOIN geo_authority AS a ON a.id = r.authority_id"
)
_PROCEDURE_SOURCE = "procedures_procedure AS p JOIN geo_authority AS a ON a.id = p.authority_id"
_CONTRIBUTION_SOURCE = "procedures_contribution AS k JOIN procedures_procedure AS p ON p.id = k.procedure_id"

_AUTHORITY_PROPERTIES: Final = (
    Property("key", "a.key", match=Match.PREFIX),
    Property("regional_key", "a.regional_key"),
    Property("name", "a.name"),
    Property("designation", "a.designation"),
    Property("kind", "a.kind"),
)


def _authorities(key: str, title: Promise, kinds: tuple[str, ...], minzoom: int, maxzoom: int) -> DataLayer:
    # The kinds are constants of AuthorityKind, written as SQL literals here.
    in_list = ", ".join(f"'{kind}'" for kind in kinds)
    return DataLayer(
        key=key,
        title=title,
        description=_("Verwaltungsgrenzen aus VG5000 des BKG, in NRW."),
        attribution=attributions.BKG_VG5000,
        geometry_type=GeometryType.MULTIPOLYGON,
        source="geo_authority AS a",
        id_column="a.id",
        geometry_column="a.boundary",
        properties=_AUTHORITY_PROPERTIES,
        public_filter=f"a.kind IN ({in_list})",
        time_column=None,
        minzoom=minzoom,
        maxzoom=maxzoom,
    )


DATA_LAYERS: Final[tuple[DataLayer, ...]] = (
    DataLayer(
        key="reports",
        title=_("Mängelmeldungen"),
        description=_("Veröffentlichte Meldungen von Mängeln im öffentlichen Raum, ohne Angaben zu den Meldenden."),
        attribution=attributions.PORTAL,
        geometry_type=GeometryType.POINT,
        source=_REPORT_SOURCE,
        id_column="r.id",
        geometry_column="r.location",
        properties=(
            Property("status", "r.status", match=Match.ANY_OF),
            Property("category", "c.code", match=Match.ANY_OF),
            Property("category_name", "c.name", in_tiles=False),
            Property("authority", "a.key", match=Match.PREFIX, in_tiles=False),
            Property("description", "r.description", in_tiles=False),
            Property("created_at", "r.created_at", type="date-time", in_tiles=False),
            Property("updated_at", "r.updated_at", type="date-time", in_tiles=False),
        ),
        public_filter="r.published_at IS NOT NULL AND r.hidden_at IS NULL",
        time_column="r.created_at",
        minzoom=10,
        maxzoom=22,
    ),
    DataLayer(
        key="procedures",
        title=_("Beteiligungsverfahren"),
        description=_("Gebiete der veröffentlichten Beteiligungsverfahren."),
        attribution=attributions.PORTAL,
        geometry_type=GeometryType.MULTIPOLYGON,
        source=_PROCEDURE_SOURCE,
        id_column="p.id",
        geometry_column="p.area",
        properties=(
            Property("slug", "p.slug"),
            Property("title", "p.title"),
            Property("summary", "p.summary"),
            Property("kind", "p.kind", match=Match.ANY_OF),
            Property("authority", "a.key", match=Match.PREFIX),
            Property("authority_name", "a.name"),
            Property("starts_at", "p.starts_at", type="date-time"),
            Property("ends_at", "p.ends_at", type="date-time"),
            Property("area_attribution", "p.area_attribution"),
        ),
        public_filter="p.is_published",
        time_column="p.starts_at",
        minzoom=6,
        maxzoom=22,
    ),
    DataLayer(
        key="contributions",
        title=_("Beiträge zu Beteiligungsverfahren"),
        description=_("Öffentliche Beiträge mit Ort zu veröffentlichten Verfahren, ohne Angaben zu den Verfassenden."),
        attribution=attributions.PORTAL,
        geometry_type=GeometryType.GEOMETRY,
        source=_CONTRIBUTION_SOURCE,
        id_column="k.id",
        geometry_column="k.geometry",
        properties=(
            Property("procedure", "p.slug", match=Match.ANY_OF),
            Property("text", "k.text"),
            Property("created_at", "k.created_at", type="date-time"),
        ),
        public_filter=(
            "k.published_at IS NOT NULL AND k.hidden_at IS NULL AND p.is_published AND k.geometry IS NOT NULL"
        ),
        time_column="k.created_at",
        minzoom=10,
        maxzoom=22,
    ),
    _authorities("authorities-land", _("Land Nordrhein-Westfalen"), ("land",), 0, 10),
    _authorities("authorities-regierungsbezirke", _("Regierungsbezirke"), ("regierungsbezirk",), 5, 12),
    _authorities("authorities-kreise", _("Kreise und kreisfreie Städte"), ("kreis", "kreisfreie_stadt"), 6, 14),
    _authorities("authorities-gemeinden", _("Gemeinden"), ("gemeinde",), 8, 16),
)

EXTERNAL_LAYERS: Final[tuple[ExternalLayer, ...]] = (
    ExternalLayer(
        key="basemap-de",
        title=_("basemap.de Web Raster"),
        description=_("Grundkarte der Vermessungsverwaltungen von Bund und Ländern."),
        attribution=attributions.BASEMAP_DE,
        service="WMTS",
        setting="basemap_de_url",
        default_url=(
            "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/"
            "default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png"
        ),
        upstream_layer="de_basemapde_web_raster_farbe",
        minzoom=0,
        maxzoom=18,
    ),
    ExternalLayer(
        key="nrw-dop",
        title=_("Luftbilder NRW (DOP)"),
        description=_("Digitale Orthophotos von Geobasis NRW."),
        attribution=attributions.GEOBASIS_NRW,
        service="WMS",
        setting="nrw_dop_url",
        default_url="https://www.wms.nrw.de/geobasis/wms_nw_dop",
        upstream_layer="nw_dop_rgb",
        minzoom=12,
        maxzoom=20,
        # Photos compress far better as JPEG, and have nothing to be transparent.
        image_format="jpeg",
    ),
    ExternalLayer(
        key="nrw-dtk",
        title=_("Topographische Karten NRW (DTK)"),
        description=_("Digitale Topographische Karten von Geobasis NRW."),
        attribution=attributions.GEOBASIS_NRW,
        service="WMS",
        setting="nrw_dtk_url",
        default_url="https://www.wms.nrw.de/geobasis/wms_nw_dtk",
        upstream_layer="nw_dtk_col",
        minzoom=8,
        maxzoom=18,
    ),
)

REGISTRY: Final[Mapping[str, Layer]] = MappingProxyType(
    {**{layer.key: layer for layer in DATA_LAYERS}, **{layer.key: layer for layer in EXTERNAL_LAYERS}}
)


def external_layer(key: str) -> ExternalLayer | None:
    """Return the external basemap or overlay with this key, or None."""
    layer = REGISTRY.get(key)
    return layer if isinstance(layer, ExternalLayer) else None


def data_layer(key: str) -> DataLayer | None:
    """Return the data layer with this key, or None."""
    layer = REGISTRY.get(key)
    return layer if isinstance(layer, DataLayer) else None
