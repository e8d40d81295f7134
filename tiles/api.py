"""Vector tiles (being written by helper TL; replaced)."""

from django.http import HttpRequest, HttpResponse


def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    raise NotImplementedError


def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    raise NotImplementedError
