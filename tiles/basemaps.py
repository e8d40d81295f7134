"""The basemap proxy's view: one tile of an external basemap, fetched and cached by `tiles.proxy`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from config.errors import ApplicationError
from config.http import etag_matches
from tiles import proxy

# A day in the browser; the server's own cache decides how long a tile lives upstream-side.
BROWSER_MAX_AGE = 24 * 3600
# A stale tile stands in for a failed upstream: browsers should ask again soon.
STALE_MAX_AGE = 60


@require_safe
def basemap_tile(request: HttpRequest, name: str, z: int, x: int, y: int, ext: str) -> HttpResponse:
    """Answer one basemap tile, 304 if the browser has it, or the JSON error shape."""
    try:
        tile = proxy.basemap_tile(name=name, z=z, x=x, y=y, ext=ext)
    except ApplicationError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status_code)
    max_age = STALE_MAX_AGE if tile.stale else BROWSER_MAX_AGE
    headers = {
        "Cache-Control": f"public, max-age={max_age}",
        "ETag": tile.etag,
        "X-Content-Type-Options": "nosniff",
    }
    if tile.stale:
        headers["Warning"] = '110 - "Response is Stale"'
    if etag_matches(request.headers.get("If-None-Match", ""), tile.etag):
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(tile.content, content_type=tile.content_type, headers=headers)
