"""The OpenAPI 3.0 document of the OGC API – Features, generated from the layer registry.

Every schema it needs is inline under components: a client validating against it fetches
nothing from elsewhere.
"""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext as _

from layers.features import MAX_LIMIT
from layers.ogc.documents import DEFAULT_LIMIT, OGC_CRS, OPENAPI_TYPE
from layers.registry import DATA_LAYERS, DataLayer, Match

_LINK: Final = {
    "type": "object",
    "required": ["href"],
    "properties": {
        "href": {"type": "string"},
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "title": {"type": "string"},
    },
}
_LINKS: Final = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
_GEOMETRY: Final = {
    "type": "object",
    "nullable": True,
    "required": ["type"],
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
}
_SCHEMAS: Final[dict[str, Any]] = {
    "link": _LINK,
    "exception": {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
    },
    "landingPage": {
        "type": "object",
        "required": ["links"],
        "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": _LINKS},
    },
    "confClasses": {
        "type": "object",
        "required": ["conformsTo"],
        "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
    },
    "collection": {
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "attribution": {"type": "string"},
            "itemType": {"type": "string"},
            "extent": {"type": "object"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
            "links": _LINKS,
        },
    },
    "collections": {
        "type": "object",
        "required": ["links", "collections"],
        "properties": {
            "links": _LINKS,
            "crs": {"type": "array", "items": {"type": "string"}},
            "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}},
        },
    },
    "featureGeoJSON": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": _GEOMETRY,
            "properties": {"type": "object", "nullable": True},
            "links": _LINKS,
        },
    },
    "featureCollectionGeoJSON": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/featureGeoJSON"}},
            "links": _LINKS,
            "timeStamp": {"type": "string", "format": "date-time"},
            "numberReturned": {"type": "integer", "minimum": 0},
        },
    },
}


def _parameters() -> dict[str, Any]:
    crs_uris = [crs.uri for crs in OGC_CRS]
    return {
        "f": {
            "name": "f",
            "in": "query",
            "required": False,
            "description": _("Antwortformat; ohne f entscheidet der Accept-Header."),
            "schema": {"type": "string", "enum": ["json", "html"]},
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        },
        "bbox": {
            "name": "bbox",
            "in": "query",
            "required": False,
            "style": "form",
            "explode": False,
            "description": _("minx,miny,maxx,maxy in der Achsenfolge von bbox-crs"),
            "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        },
        "bbox-crs": {
            "name": "bbox-crs",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "uri", "enum": crs_uris, "default": crs_uris[0]},
        },
        "crs": {
            "name": "crs",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "format": "uri", "enum": crs_uris, "default": crs_uris[0]},
        },
        "datetime": {
            "name": "datetime",
            "in": "query",
            "required": False,
            "description": _("Zeitpunkt oder Zeitraum nach RFC 3339, offene Enden mit .."),
            "schema": {"type": "string"},
        },
        "after": {
            "name": "after",
            "in": "query",
            "required": False,
            "description": _("Seite nach dieser id (aus dem next-Link)"),
            "schema": {"type": "integer", "minimum": 0},
        },
        "featureId": {"name": "featureId", "in": "path", "required": True, "schema": {"type": "integer"}},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def _json(schema: str, description: str, media: str = "application/json") -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            media: {"schema": {"$ref": f"#/components/schemas/{schema}"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }


def _errors(*codes: int) -> dict[str, Any]:
    names = {400: _("Fehlerhafte Anfrage"), 404: _("Nicht gefunden")}
    return {
        str(code): {
            "description": names[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}},
        }
        for code in codes
    }


def _get(operation_id: str, summary: str, responses: dict[str, Any], parameters: list[Any]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["OGC API – Features"],
            "parameters": [_ref("f"), *parameters],
            "responses": responses,
        }
    }


def _filter_parameter(layer: DataLayer, name: str) -> dict[str, Any]:
    prop = layer.filterable[name]
    how = (
        _("Wertanfang (z. B. Amtlicher Regionalschlüssel)")
        if prop.match is Match.PREFIX
        else _("einer von mehreren Werten, durch Kommas getrennt")
    )
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": False,
        "description": _("Filter auf die Eigenschaft %(name)s: %(how)s") % {"name": name, "how": how},
        "schema": {"type": "string"},
    }


def _collection_paths(layer: DataLayer) -> dict[str, Any]:
    base = f"/collections/{layer.key}"
    crs_header = {
        "Content-Crs": {
            "description": _("KBS der Koordinaten, als URI in spitzen Klammern"),
            "schema": {"type": "string"},
        }
    }
    items_ok = _json("featureCollectionGeoJSON", _("Objekte als GeoJSON"), "application/geo+json")
    items_ok["headers"] = crs_header
    item_ok = _json("featureGeoJSON", _("Ein Objekt als GeoJSON"), "application/geo+json")
    item_ok["headers"] = crs_header
    item_parameters = [_ref("limit"), _ref("bbox"), _ref("bbox-crs"), _ref("crs"), _ref("after")]
    if layer.time_column is not None:
        item_parameters.append(_ref("datetime"))
    item_parameters += [_filter_parameter(layer, name) for name in sorted(layer.filterable)]
    return {
        base: _get(
            f"describeCollection_{layer.key}",
            str(layer.title),
            {"200": _json("collection", str(layer.title)), **_errors(400)},
            [],
        ),
        f"{base}/items": _get(
            f"getFeatures_{layer.key}",
            _("Objekte von „%(title)s“") % {"title": layer.title},
            {"200": items_ok, **_errors(400)},
            item_parameters,
        ),
        f"{base}/items/{{featureId}}": _get(
            f"getFeature_{layer.key}",
            _("Ein Objekt von „%(title)s“") % {"title": layer.title},
            {"200": item_ok, **_errors(400, 404)},
            [_ref("featureId"), _ref("crs")],
        ),
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of the service whose landing page is `server_url`."""
    paths: dict[str, Any] = {
        "/": _get(
            "getLandingPage", _("Startseite"), {"200": _json("landingPage", _("Startseite")), **_errors(400)}, []
        ),
        "/api": {
            "get": {
                "operationId": "getApiDescription",
                "summary": _("Diese API-Beschreibung"),
                "tags": ["OGC API – Features"],
                "parameters": [_ref("f")],
                "responses": {
                    "200": {
                        "description": _("OpenAPI 3.0"),
                        "content": {
                            OPENAPI_TYPE: {"schema": {"type": "object"}},
                            "text/html": {"schema": {"type": "string"}},
                        },
                    },
                    **_errors(400),
                },
            }
        },
        "/conformance": _get(
            "getConformanceDeclaration",
            _("Konformitätsklassen"),
            {"200": _json("confClasses", _("Konformitätsklassen")), **_errors(400)},
            [],
        ),
        "/collections": _get(
            "getCollections", _("Sammlungen"), {"200": _json("collections", _("Sammlungen")), **_errors(400)}, []
        ),
    }
    for layer in DATA_LAYERS:
        paths.update(_collection_paths(layer))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": _("Beteiligungskarte NRW – OGC API Features"),
            "version": "1.0.0",
            "description": _(
                "Öffentliche Datenebenen als GeoJSON. Fehler antworten mit {code, description}; "
                "unbekannte Parameter mit 400."
            ),
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "tags": [{"name": "OGC API – Features"}],
        "paths": paths,
        "components": {"schemas": _SCHEMAS, "parameters": _parameters()},
    }


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return each path of the document with its summary and the names of its parameters, for HTML."""
    shared = document["components"]["parameters"]
    listed = []
    for path, item in document["paths"].items():
        parameters = [
            shared[parameter["$ref"].rsplit("/", 1)[-1]] if "$ref" in parameter else parameter
            for parameter in item["get"]["parameters"]
        ]
        listed.append({"path": path, "summary": item["get"]["summary"], "parameters": parameters})
    return listed
