"""The documents of OGC API – Features as plain data, and the parsing of its query parameters.

Views turn these into JSON or HTML; nothing here knows of a response. Every link is absolute,
built from the request, and no document points to anything outside this service.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import BadRequest, NotFound
from geo import crs as crs_module
from geo.bbox import parse_bbox
from geo.crs import CRS
from geo.errors import UnsupportedCRS
from layers.api import parse_interval
from layers.features import MAX_LIMIT, FeatureQuery
from layers.registry import DATA_LAYERS, DataLayer, data_layer

DEFAULT_LIMIT: Final = 10
# OGC API – Features Part 2: the CRSs offered for output and for bbox-crs (Gauß-Krüger stays out).
OGC_CRS: Final[tuple[CRS, ...]] = (
    crs_module.CRS84,
    crs_module.EPSG_4326,
    crs_module.EPSG_3857,
    crs_module.EPSG_25832,
)
# All public data lies in NRW; its bounds in lon/lat stand for every layer's extent.
NRW_EXTENT_CRS84: Final = (5.86, 50.32, 9.47, 52.54)
CONFORMANCE: Final = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
OPENAPI_TYPE: Final = "application/vnd.oai.openapi+json;version=3.0"
BASE_PARAMS: Final = frozenset({"f", "limit", "bbox", "bbox-crs", "crs", "datetime", "after"})
FORMATS: Final = ("json", "html")


class UnknownCollection(NotFound):
    """A collection id the registry does not know as a data layer."""

    code = "unknown_collection"
    default_message = gettext_lazy("Die Sammlung „%(collection)s“ gibt es nicht.")


class UnknownFeature(NotFound):
    """A feature id that is not among a collection's public features."""

    code = "unknown_feature"
    default_message = gettext_lazy("Das Objekt „%(feature)s“ gibt es in dieser Sammlung nicht.")


class UnknownParameter(BadRequest):
    """A query parameter the operation does not know."""

    code = "unknown_parameter"
    default_message = gettext_lazy("Unbekannter Parameter: %(names)s. Erlaubt sind: %(allowed)s.")


def collection(key: str) -> DataLayer:
    """Return the data layer of a collection id, or raise UnknownCollection."""
    found = data_layer(key)
    if found is None:
        raise UnknownCollection(collection=key[:80])
    return found


def reject_unknown(query: QueryDict, allowed: frozenset[str] | set[str]) -> None:
    """Raise UnknownParameter for any query parameter not in `allowed`."""
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise UnknownParameter(
            names=", ".join(name[:40] for name in unknown[:5]),
            allowed=", ".join(sorted(allowed)),
            details={"unknown": unknown[:20], "allowed": sorted(allowed)},
        )


def ogc_crs(text: str | None) -> CRS:
    """Return the CRS of a crs or bbox-crs parameter (URI or code), if OGC_CRS offers it."""
    found = crs_module.parse_crs(text)
    if found not in OGC_CRS:
        raise UnsupportedCRS(crs=found.uri, supported=", ".join(c.uri for c in OGC_CRS))
    return found


def _integer(query: QueryDict, name: str, default: int, low: int, high: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadRequest(
            _("%(name)s muss eine ganze Zahl von %(low)s bis %(high)s sein.") % {"name": name, "low": low, "high": high}
        )
    return value


def items_query(layer: DataLayer, query: QueryDict) -> FeatureQuery:
    """Return the feature query an /items request asks for, or raise BadRequest."""
    filterable = layer.filterable
    reject_unknown(query, BASE_PARAMS | set(filterable))
    filters = tuple(
        (name, tuple(value for value in query.get(name, "").split(",") if value))
        for name in sorted(filterable)
        if name in query
    )
    if any(not values for _name, values in filters):
        raise BadRequest(_("Ein Filter braucht einen Wert."))
    area = None
    if "bbox" in query:
        area = parse_bbox(query.get("bbox", ""), ogc_crs(query.get("bbox-crs")))
    elif "bbox-crs" in query:
        raise BadRequest(_("bbox-crs ist nur zusammen mit bbox sinnvoll."))
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    if "datetime" in query:
        if layer.time_column is None:
            raise BadRequest(_("Diese Sammlung hat keine Zeitangabe, nach der datetime filtern könnte."))
        start, end = parse_interval(query.get("datetime", ""))
    return FeatureQuery(
        output_crs=ogc_crs(query.get("crs")),
        limit=_integer(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        after=_integer(query, "after", 0, 0, 2**63 - 1),
        area=area,
        filters=filters,
        start=start,
        end=end,
    )


def absolute(request: HttpRequest, name: str, *, query: Mapping[str, str] | None = None, **kwargs: str) -> str:
    """Return the absolute URL of an OGC view, with an optional query string."""
    url = request.build_absolute_uri(reverse(f"ogc:{name}", kwargs=kwargs or None))
    return url + ("?" + urlencode(query) if query else "")


def self_and_alternate(request: HttpRequest, json_type: str, *, html: bool) -> list[dict[str, str]]:
    """Return the self link and its alternate for the requested URL, in the format shown first."""
    params = request.GET.copy()
    params.pop("f", None)
    base = request.build_absolute_uri(request.path)

    def address(fmt: str) -> str:
        with_format = params.copy()
        with_format["f"] = fmt
        return base + "?" + with_format.urlencode()

    as_json = {"href": address("json"), "type": json_type, "title": _("als JSON")}
    as_html = {"href": address("html"), "type": "text/html", "title": _("als HTML")}
    return (
        [{"rel": "self", **as_html}, {"rel": "alternate", **as_json}]
        if html
        else [
            {"rel": "self", **as_json},
            {"rel": "alternate", **as_html},
        ]
    )


def landing(request: HttpRequest, *, html: bool) -> dict[str, Any]:
    """Return the landing page."""
    return {
        "title": _("Beteiligungskarte NRW – OGC API Features"),
        "description": _(
            "Die öffentlichen Datenebenen der Beteiligungskarte NRW: Mängelmeldungen, Beteiligungsverfahren, "
            "Beiträge und Verwaltungsgrenzen, als GeoJSON nach OGC API – Features Teil 1 und 2."
        ),
        "links": [
            *self_and_alternate(request, "application/json", html=html),
            {
                "rel": "service-desc",
                "type": OPENAPI_TYPE,
                "title": _("API-Beschreibung (OpenAPI 3.0)"),
                "href": absolute(request, "api"),
            },
            {
                "rel": "service-doc",
                "type": "text/html",
                "title": _("API-Dokumentation"),
                "href": absolute(request, "api", query={"f": "html"}),
            },
            *(
                {
                    "rel": rel,
                    "type": "application/json",
                    "title": _("Konformitätsklassen"),
                    "href": absolute(request, "conformance"),
                }
                for rel in ("conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance")
            ),
            *(
                {
                    "rel": rel,
                    "type": "application/json",
                    "title": _("Sammlungen"),
                    "href": absolute(request, "collections"),
                }
                for rel in ("data", "http://www.opengis.net/def/rel/ogc/1.0/data")
            ),
        ],
    }


def conformance(request: HttpRequest, *, html: bool) -> dict[str, Any]:
    """Return the conformance declaration."""
    return {"conformsTo": list(CONFORMANCE), "links": self_and_alternate(request, "application/json", html=html)}


def collection_json(request: HttpRequest, layer: DataLayer) -> dict[str, Any]:
    """Return the description of one collection."""
    items = absolute(request, "items", collection_id=layer.key)
    return {
        "id": layer.key,
        "title": str(layer.title),
        "description": str(layer.description),
        "attribution": layer.attribution.text,
        "itemType": "feature",
        "extent": {
            "spatial": {"bbox": [list(NRW_EXTENT_CRS84)], "crs": crs_module.CRS84.uri},
        },
        "crs": [crs.uri for crs in OGC_CRS],
        "storageCrs": crs_module.STORAGE.uri,
        "links": [
            {
                "rel": "self",
                "type": "application/json",
                "title": str(layer.title),
                "href": absolute(request, "collection", collection_id=layer.key),
            },
            {
                "rel": "alternate",
                "type": "text/html",
                "title": _("als HTML"),
                "href": absolute(request, "collection", collection_id=layer.key, query={"f": "html"}),
            },
            {"rel": "items", "type": "application/geo+json", "title": _("Objekte"), "href": items},
            {"rel": "items", "type": "text/html", "title": _("Objekte als HTML"), "href": items + "?f=html"},
        ],
    }


def collections(request: HttpRequest, *, html: bool) -> dict[str, Any]:
    """Return the list of collections: every public data layer."""
    return {
        "links": self_and_alternate(request, "application/json", html=html),
        "crs": [crs.uri for crs in OGC_CRS],
        "collections": [collection_json(request, layer) for layer in DATA_LAYERS],
    }


def items_links(request: HttpRequest, layer: DataLayer, *, html: bool) -> list[dict[str, str]]:
    """Return the links of an items page before its next link."""
    return [
        *self_and_alternate(request, "application/geo+json", html=html),
        {
            "rel": "collection",
            "type": "application/json",
            "title": str(layer.title),
            "href": absolute(request, "collection", collection_id=layer.key),
        },
    ]


def next_prefix(request: HttpRequest) -> str:
    """Return the address of the next page up to its keyset cursor value."""
    following = request.GET.copy()
    following.pop("after", None)
    encoded = following.urlencode()
    return request.build_absolute_uri(request.path) + "?" + encoded + ("&" if encoded else "") + "after="
