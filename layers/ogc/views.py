"""Views of OGC API – Features: pick JSON or HTML, hand over to the documents, answer errors in OGC's shape."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, Concatenate, Final

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.errors import ApplicationError, BadRequest
from geo.api import content_crs_headers
from layers.features import FeatureQuery, feature_page
from layers.ogc import documents
from layers.ogc.openapi import openapi_document, operations

_JSON_TYPES: Final = ("application/json", "application/geo+json", documents.OPENAPI_TYPE)

View = Callable[Concatenate[HttpRequest, ...], HttpResponse]


def _ogc_errors(view: Callable[..., HttpResponse]) -> View:
    """Answer an ApplicationError as an OGC exception document {code, description}."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return JsonResponse({"code": error.code, "description": error.message}, status=error.status_code)

    return require_safe(wrapper)


def _wants_html(request: HttpRequest) -> bool:
    fmt = request.GET.get("f")
    if fmt is not None:
        if fmt not in documents.FORMATS:
            raise BadRequest(_("f muss json oder html sein."))
        return fmt == "html"
    # Without f, the Accept header decides; anything not preferring HTML (*/* too) gets JSON.
    return request.get_preferred_type([*_JSON_TYPES, "text/html"]) == "text/html"


def _simple(request: HttpRequest) -> bool:
    documents.reject_unknown(request.GET, {"f"})
    return _wants_html(request)


def _answer(request: HttpRequest, template: str, data: dict[str, Any], *, html: bool) -> HttpResponse:
    if html:
        return render(request, f"layers/ogc/{template}.html", {"data": data})
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@_ogc_errors
def landing(request: HttpRequest) -> HttpResponse:
    """Show the landing page."""
    html = _simple(request)
    return _answer(request, "landing", documents.landing(request, html=html), html=html)


@_ogc_errors
def api(request: HttpRequest) -> HttpResponse:
    """Show the OpenAPI 3.0 document of the service."""
    html = _simple(request)
    document = openapi_document(documents.absolute(request, "landing"))
    if html:
        return render(request, "layers/ogc/api.html", {"data": document, "operations": operations(document)})
    return JsonResponse(document, content_type=documents.OPENAPI_TYPE, json_dumps_params={"ensure_ascii": False})


@_ogc_errors
def conformance(request: HttpRequest) -> HttpResponse:
    """Show the conformance classes the service implements."""
    html = _simple(request)
    return _answer(request, "conformance", documents.conformance(request, html=html), html=html)


@_ogc_errors
def collections(request: HttpRequest) -> HttpResponse:
    """Show every collection: the public data layers."""
    html = _simple(request)
    return _answer(request, "collections", documents.collections(request, html=html), html=html)


@_ogc_errors
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    """Show one collection."""
    layer = documents.collection(collection_id)
    html = _simple(request)
    return _answer(request, "collection", documents.collection_json(request, layer), html=html)


@_ogc_errors
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    """Show a page of a collection's features, continued by the keyset cursor of the next link."""
    layer = documents.collection(collection_id)
    query = documents.items_query(layer, request.GET)
    html = _wants_html(request)
    page = feature_page(
        layer,
        query,
        next_prefix=documents.next_prefix(request),
        links=documents.items_links(request, layer, html=html),
    )
    headers = content_crs_headers(query.output_crs)
    if page.next_url is not None:
        headers["Link"] = f'<{page.next_url}>; rel="next"'
    if html:
        response = render(
            request,
            "layers/ogc/items.html",
            {"layer": layer, "data": json.loads(page.body), "next_url": page.next_url},
        )
        for name, value in headers.items():
            response[name] = value
        return response
    # The page is PostGIS's text, untouched; the time stamp goes in front instead of reparsing it.
    stamp = json.dumps(timezone.now().isoformat(timespec="seconds").replace("+00:00", "Z"))
    body = '{"timeStamp": ' + stamp + ", " + page.body.removeprefix("{")
    return HttpResponse(body, content_type="application/geo+json", headers=headers)


@_ogc_errors
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    """Show one feature of a collection."""
    layer = documents.collection(collection_id)
    documents.reject_unknown(request.GET, {"f", "crs"})
    html = _wants_html(request)
    if not feature_id.isdigit() or len(feature_id) > 18:
        raise documents.UnknownFeature(feature=feature_id[:40])
    query = FeatureQuery(output_crs=documents.ogc_crs(request.GET.get("crs")), limit=1, feature_id=int(feature_id))
    found = json.loads(feature_page(layer, query, next_prefix="").body)["features"]
    if not found:
        raise documents.UnknownFeature(feature=feature_id)
    feature = found[0]
    feature["links"] = documents.items_links(request, layer, html=html)
    headers = content_crs_headers(query.output_crs)
    if html:
        response = render(request, "layers/ogc/item.html", {"layer": layer, "data": feature})
        for name, value in headers.items():
            response[name] = value
        return response
    return HttpResponse(json.dumps(feature, ensure_ascii=False), content_type="application/geo+json", headers=headers)
