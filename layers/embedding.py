"""Who may frame the embeddable maps: the origins an authority lists, sent as CSP frame-ancestors.

Every other answer keeps the site's policy (frame-ancestors 'none' and X-Frame-Options DENY);
only the embed views call `allow_framing`, so admin pages and the API can never be framed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse

from geo.models import Authority
from layers.models import EmbedOrigin
from layers.origins import normalise_origin

logger = logging.getLogger(__name__)

# The Land: its list applies to the overview embed when no authority is named.
LAND_KEY = "05"
# What normalise_origin returns for a sound origin; anything else (a space or a semicolon in the
# host of a row stored without validation) would add sources or directives to the header.
_SOUND_ORIGIN = re.compile(r"^https?://(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$")


def embedding_authority(key: str | None) -> Authority:
    """Return the authority whose list governs an overview embed: the one named, else the Land; 404 if unknown."""
    authority = Authority.objects.filter(key=key or LAND_KEY).first()
    if authority is None:
        raise Http404
    return authority


def sound_origins(texts: Iterable[str]) -> list[str]:
    """Return the origins as browsers compare them, sorted and once each; unusable ones are left out."""
    origins: set[str] = set()
    for text in texts:
        try:
            origin = normalise_origin(text)
        except ValidationError:
            origin = ""
        if _SOUND_ORIGIN.match(origin):
            origins.add(origin)
        else:
            logger.warning("Embed origin %r is not a sound origin; left out of frame-ancestors.", text)
    return sorted(origins)


def allowed_origins(authority: Authority) -> list[str]:
    """Return the origins on which an authority allows its maps to be embedded."""
    return sound_origins(EmbedOrigin.objects.of_authority(authority).values_list("origin", flat=True))


def frame_ancestors(authority: Authority) -> list[str]:
    """Return the frame-ancestors sources of an authority's embeds: our own pages and its listed origins."""
    return ["'self'", *allowed_origins(authority)]


def allow_framing(response: HttpResponse, authority: Authority) -> HttpResponse:
    """Let the authority's listed origins (and our own pages) frame this answer, and nobody else."""
    # django-csp's per-response replacement of single directives; the rest of the site's policy stays.
    response._csp_replace = {"frame-ancestors": frame_ancestors(authority)}  # type: ignore[attr-defined]
    # X-Frame-Options knows only DENY and SAMEORIGIN; browsers that read frame-ancestors ignore it,
    # older ones would refuse every listed origin, so it is left out here.
    response.xframe_options_exempt = True
    return response
