"""Vector tiles of the data layers and their TileJSON: thin views over tiles.vector and the cache.

Every tile of zoom 0 to 22 answers, whatever the layer's suggested zoom range: an empty tile is
200 with an empty body (which MapLibre and GDAL read as a tile without features). A layer the
registry does not know, an external layer, or z/x/y outside the grid answer 404 in the API's error shape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from config.errors import ApplicationError, NotFound
from config.http import etag_matches
from layers.registry import DataLayer, data_layer
from tiles.conf import tile_settings
from tiles.http import MVT_CONTENT_TYPE, cache_key, caching_headers, tile_etag
from tiles.selectors import layer_version
from tiles.tilejson import tilejson as tilejson_document
from tiles.vector import render_tile, valid_tile

_P = ParamSpec("_P")


class UnknownTileLayer(NotFound):
    """A layer key that names no data layer of the registry."""

    code = "unknown_layer"
    default_message = _("Die Ebene „%(layer)s“ gibt es nicht als Vektorkacheln.")


class TileOutOfRange(NotFound):
    """A tile address outside the grid: zoom above 22, or x or y beyond 2^z - 1."""

    code = "tile_out_of_range"
    default_message = _("Diese Kachel gibt es nicht: Zoomstufen 0 bis 22, x und y von 0 bis 2^z - 1.")


def _answers_errors(
    view: Callable[Concatenate[HttpRequest, _P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, _P], HttpResponse]:
    # These are plain Django views, outside DRF's exception handler: answer in the same error shape.
    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return JsonResponse(error.as_dict(), status=error.status_code)

    return wrapped


def _layer(key: str) -> DataLayer:
    found = data_layer(key)
    if found is None:
        raise UnknownTileLayer(layer=key[:80])
    return found


@require_safe
@_answers_errors
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    """Return the TileJSON 3.0.0 document of a data layer."""
    found = _layer(layer)
    sample = reverse("tiles:tile", kwargs={"layer": found.key, "z": 0, "x": 0, "y": 0})
    template = request.build_absolute_uri(sample).removesuffix("/0/0/0.mvt") + "/{z}/{x}/{y}.mvt"
    response = JsonResponse(tilejson_document(found, template))
    response["Cache-Control"] = f"public, max-age={tile_settings().MAX_AGE}"
    return response


@require_safe
@_answers_errors
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    """Return one vector tile of a data layer: 304 on a matching ETag, else from the cache or PostGIS."""
    found = _layer(layer)
    if not valid_tile(z, x, y):
        raise TileOutOfRange()
    conf = tile_settings()
    etag = tile_etag(found.key, z, x, y, layer_version(found.key), conf)
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        return HttpResponseNotModified(headers=caching_headers(etag, conf))
    cache = caches[conf.CACHE_ALIAS]
    body = cache.get(cache_key(etag))
    if not isinstance(body, bytes):
        built = render_tile(found, z, x, y, conf)
        # A write may have committed since the version was read: tag and cache by the tile's own snapshot.
        etag = tile_etag(found.key, z, x, y, built.version, conf)
        body = built.body
        cache.set(cache_key(etag), body, conf.CACHE_TIMEOUT)
    return HttpResponse(body, content_type=MVT_CONTENT_TYPE, headers=caching_headers(etag, conf))
