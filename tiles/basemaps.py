"""Basemap proxy (being written by helper BP; replaced)."""

from django.http import HttpRequest, HttpResponse


def basemap_tile(request: HttpRequest, name: str, z: int, x: int, y: int, ext: str) -> HttpResponse:
    raise NotImplementedError
