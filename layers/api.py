"""API of the layer registry: the list of layers, and each data layer's features as GeoJSON."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, Final, cast
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import parse_query, reject_unknown_params
from config.errors import BadRequest, NotFound
from config.http import etag_matches
from geo import crs as crs_module
from geo.api import ERROR_RESPONSE, content_crs_headers
from geo.bbox import parse_bbox
from geo.errors import UnsupportedCRS
from layers.features import DEFAULT_LIMIT, MAX_LIMIT, FeatureQuery, feature_page
from layers.registry import DATA_LAYERS, REGISTRY, DataLayer, Layer, data_layer

# Both have easting first, so PostGIS's output needs no axis swap.
OUTPUT_CRS: Final = (crs_module.CRS84, crs_module.EPSG_25832)
_BASE_PARAMS: Final = frozenset({"bbox", "bbox-crs", "crs", "datetime", "limit", "after"})


class UnknownLayer(NotFound):
    """A layer key the registry does not know."""

    code = "unknown_layer"
    default_message = _("Die Ebene „%(layer)s“ gibt es nicht.")


def _layer_json(layer: Layer) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "key": layer.key,
        "title": str(layer.title),
        "description": str(layer.description),
        "attribution": {
            "text": layer.attribution.text,
            "url": layer.attribution.url,
            "licence": layer.attribution.licence,
        },
        "geometry_type": str(layer.geometry_type),
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
    }
    if isinstance(layer, DataLayer):
        answer["kind"] = "data"
        answer["properties"] = [{"name": prop.name, "type": prop.type} for prop in layer.properties]
        answer["filters"] = sorted(layer.filterable)
        answer["time_filter"] = layer.time_column is not None
        answer["links"] = {"features": reverse("layers-api:layer-features", kwargs={"layer": layer.key})}
    else:
        # The upstream address stays internal: the basemap proxy is the public way to these.
        answer["kind"] = "external"
        answer["service"] = layer.service
        answer["properties"] = []
        answer["links"] = {}
    return answer


class LayerListApi(APIView):
    """List every registered layer: the portal's datasets and the external basemaps and overlays."""

    @extend_schema(
        operation_id="layers_list",
        summary=_("Kartenebenen mit Titel, Quellenangabe, Eigenschaften und Zoomstufen"),
        responses={200: OpenApiResponse(response={"type": "array", "items": {"type": "object"}})},
    )
    def get(self, request: Request) -> Response:
        reject_unknown_params(request, ())
        return Response([_layer_json(layer) for layer in REGISTRY.values()])


class FeatureQueryInput(serializers.Serializer[Any]):
    bbox = serializers.CharField(required=False, max_length=200)
    bbox_crs = serializers.CharField(required=False, max_length=100)
    crs = serializers.CharField(required=False, max_length=100)
    datetime = serializers.CharField(required=False, max_length=100)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    after = serializers.IntegerField(required=False, min_value=0, default=0)


def _instant(text: str, *, end: bool) -> datetime.datetime | None:
    if text in ("", ".."):
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise BadRequest(_("datetime muss ein Zeitpunkt oder Zeitraum nach RFC 3339 sein, z. B. 2025-01-01/.."))
        # A whole day reaches to its last instant when it ends an interval.
        moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def parse_interval(text: str) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """Return the bounds of an OGC datetime parameter: an instant, or start/end with ".." for an open end."""
    if "/" not in text:
        moment = _instant(text, end=False)
        if moment is None:
            raise BadRequest(_("datetime muss ein Zeitpunkt oder Zeitraum nach RFC 3339 sein, z. B. 2025-01-01/.."))
        return moment, moment
    start_text, _sep, end_text = text.partition("/")
    start, end = _instant(start_text, end=False), _instant(end_text, end=True)
    if start is not None and end is not None and start > end:
        raise BadRequest(_("Der Beginn von datetime liegt nach seinem Ende."))
    return start, end


def _etag(body: str) -> str:
    # A strong validator: the hash of the exact body, so equal data gives an equal tag.
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


@method_decorator(gzip_page, name="dispatch")
class LayerFeaturesApi(APIView):
    """Return a page of a data layer's public features as GeoJSON, built whole in PostGIS."""

    @extend_schema(
        operation_id="layers_features",
        summary=_("Objekte einer Datenebene (GeoJSON, seitenweise)"),
        parameters=[
            OpenApiParameter("bbox", OpenApiTypes.STR, description="minx,miny,maxx,maxy"),
            OpenApiParameter("bbox-crs", OpenApiTypes.STR, description=", ".join(c.key for c in crs_module.ALLOWED)),
            OpenApiParameter("crs", OpenApiTypes.STR, description=", ".join(c.key for c in OUTPUT_CRS)),
            OpenApiParameter("datetime", OpenApiTypes.STR, description="2025-01-01T00:00:00Z/.."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1–{MAX_LIMIT}, {DEFAULT_LIMIT}"),
            OpenApiParameter("after", OpenApiTypes.INT, description=_("Seite nach dieser id (aus dem next-Link)")),
            *(
                OpenApiParameter(
                    name,
                    OpenApiTypes.STR,
                    description=_("Filter; nur auf den Ebenen, die ihn in /layers/ unter filters nennen"),
                )
                for name in sorted({name for layer in DATA_LAYERS for name in layer.filterable})
            ),
        ],
        responses={
            (200, "application/geo+json"): OpenApiResponse(
                response={"type": "object"}, description=_("GeoJSON FeatureCollection")
            ),
            304: OpenApiResponse(description=_("Unverändert (If-None-Match)")),
            400: ERROR_RESPONSE,
            404: ERROR_RESPONSE,
        },
    )
    def get(self, request: Request, layer: str) -> HttpResponse:
        found = data_layer(layer)
        if found is None:
            raise UnknownLayer(layer=layer[:80])
        filterable = found.filterable
        reject_unknown_params(request, _BASE_PARAMS | set(filterable))
        filters = tuple(
            (name, tuple(value for value in request.query_params.get(name, "").split(",") if value))
            for name in sorted(filterable)
            if name in request.query_params
        )
        if any(not values for _name, values in filters):
            raise BadRequest(_("Ein Filter braucht einen Wert."))
        query = _parse_base(request)
        output_crs = crs_module.parse_crs(query.get("crs"))
        if output_crs not in OUTPUT_CRS:
            raise UnsupportedCRS(crs=output_crs.key, supported=", ".join(c.key for c in OUTPUT_CRS))
        area = None
        if "bbox" in query:
            area = parse_bbox(query["bbox"], crs_module.parse_crs(query.get("bbox_crs")))
        elif "bbox_crs" in query:
            raise BadRequest(_("bbox-crs ist nur zusammen mit bbox sinnvoll."))
        start = end = None
        if "datetime" in query:
            if found.time_column is None:
                raise BadRequest(_("Diese Ebene hat keine Zeitangabe, nach der datetime filtern könnte."))
            start, end = parse_interval(query["datetime"])
        following = request.query_params.copy()
        following.pop("after", None)
        prefix = request.build_absolute_uri(request.path) + "?" + urlencode(following, doseq=True)
        page = feature_page(
            found,
            FeatureQuery(
                output_crs=output_crs,
                limit=query["limit"],
                after=query["after"],
                area=area,
                filters=filters,
                start=start,
                end=end,
            ),
            next_prefix=prefix + ("&" if following else "") + "after=",
        )
        etag = _etag(page.body)
        headers = {"ETag": etag, **content_crs_headers(output_crs)}
        if page.next_url is not None:
            headers["Link"] = f'<{page.next_url}>; rel="next"'
        if etag_matches(request.headers.get("If-None-Match", ""), etag):
            not_modified = HttpResponseNotModified()
            for name, value in headers.items():
                not_modified[name] = value
            return not_modified
        return HttpResponse(page.body, content_type="application/geo+json", headers=headers)


def _parse_base(request: Request) -> dict[str, Any]:
    # The layer's filters were checked above; the serializer sees only the common parameters.
    return parse_query(FeatureQueryInput, cast(Request, _FilteredRequest(request)), renames={"bbox_crs": "bbox-crs"})


class _FilteredRequest:
    """A view of a request whose query string lacks the layer's property filters."""

    def __init__(self, request: Request) -> None:
        self.query_params = request.query_params.copy()
        for name in list(self.query_params):
            if name not in _BASE_PARAMS:
                self.query_params.pop(name)
