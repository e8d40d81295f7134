"""Middleware of the project."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

# Machine interfaces: no language prefix in the path, the language comes from the request.
API_PREFIXES = ("/api/", "/ogc/", "/open311/", "/tiles/")


class ApiLanguageMiddleware:
    """Answer the API in the language the client asks for (cookie or Accept-Language).

    With i18n_patterns(prefix_default_language=False), LocaleMiddleware gives every path without
    a language prefix the default language, ignoring Accept-Language. Pages have their /en/
    prefix; the API has none, so it negotiates by header instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIXES):
            translation.activate(translation.get_language_from_request(request, check_path=False))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
