"""Page answers of the abuse checks: a friendly page for a throttled client."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from abuse import services
from config.errors import TooManyRequests


def throttled_page(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
    """Render the page that asks a throttled visitor to wait, with 429 and Retry-After."""
    context = {"message": exc.message, "minutes": max(1, math.ceil(exc.retry_after / 60))}
    response = render(request, "abuse/throttled.html", context, status=exc.status_code)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def throttle_page(request: HttpRequest, action: str) -> HttpResponse | None:
    """Count a page's action for this client; return the wait page once it is over the limit, else None."""
    try:
        services.throttle(request, action)
    except TooManyRequests as exc:
        return throttled_page(request, exc)
    return None
