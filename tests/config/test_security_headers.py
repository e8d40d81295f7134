"""The site's security headers: a Content-Security-Policy without third parties or inline code, and the rest.

Every page, API answer and admin page carries the policy; inline <script> and <style> elements carry
exactly the nonce their answer's policy names, and no page has code or styles the policy would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponseBase
from django.test import Client

from procedures.models import Procedure
from tests.layers.test_embed import allow, directives
from tests.procedures.conftest import KOELN_KEY
from tests.procedures.conftest import make_procedure as make_procedure  # fixtures: pytest finds them here
from tests.reports.conftest import create_report as create_report
from tests.reports.conftest import public_report

pytestmark = pytest.mark.django_db

KEYWORDS = {"'self'", "'none'"}
# Sources of our own that are not keywords: inline images and what scripts build in the browser.
SCHEMES = {"data:", "blob:"}
NONCE = re.compile(r"^'nonce-([A-Za-z0-9+/=]+)'$")
TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
# An attribute such as onclick="…" or style="…" inside any tag: the policy refuses both.
INLINE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+|style)\s*=", re.IGNORECASE)
COORDINATES = "lon=6.9603&lat=50.9375"


def page_paths(procedure: Procedure, report_pk: int) -> list[str]:
    """Return the public pages: maps, the report wizard, a report, a procedure, the OGC and API pages."""
    return [
        "/",
        "/karte/",
        "/meldungen/",
        "/meldungen/neu/",
        f"/meldungen/neu/?{COORDINATES}",
        f"/meldungen/neu/?{COORDINATES}&category=strassenschaden",
        f"/meldungen/{report_pk}/",
        f"/verfahren/{procedure.slug}/",
        f"/einbetten/verfahren/{procedure.slug}/",
        "/einbetten/karte/",
        "/en/",
        "/ogc/?f=html",
        "/api/v1/docs/",
        "/admin/login/",
    ]


def nonce_of(policy: dict[str, list[str]], directive: str) -> str | None:
    """Return the nonce a directive allows, if any."""
    nonces = [match.group(1) for source in policy.get(directive, []) if (match := NONCE.match(source))]
    assert len(nonces) <= 1
    return nonces[0] if nonces else None


def assert_only_our_own_sources(policy: dict[str, list[str]]) -> None:
    """Assert every source is a keyword, data:/blob: or a nonce: no host, no http(s): scheme."""
    for directive, sources in policy.items():
        for source in sources:
            assert source in KEYWORDS or source in SCHEMES or NONCE.match(source), f"{directive} allows {source}"


def assert_site_policy(response: HttpResponseBase, *, embed: bool = False) -> dict[str, list[str]]:
    """Assert the site's policy: ours only, no inline code but by nonce, nobody to frame us (embeds: listed sites)."""
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        sources = policy[directive]
        assert "'self'" in sources
        assert "'unsafe-inline'" not in sources, directive
        assert "'unsafe-eval'" not in sources, directive
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["font-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    if embed:
        # Our own pages and the origins the authority lists (tests/layers/test_embed.py checks which).
        assert policy.pop("frame-ancestors")[0] == "'self'"
    else:
        assert policy["frame-ancestors"] == ["'none'"]
    assert_only_our_own_sources(policy)
    return policy


def assert_inline_code_has_the_nonce(
    html: str, policy: dict[str, list[str]], elements: tuple[str, ...] = ("script", "style")
) -> int:
    """Assert each inline script and style of a page carries its policy's nonce; return how many there are."""
    inline = 0
    for name, attributes in TAG.findall(html):
        if name.lower() not in elements:
            continue
        if name.lower() == "script" and (" src=" in attributes or 'type="application/json"' in attributes):
            continue  # a file (allowed by 'self') or data the browser never runs
        inline += 1
        nonce = nonce_of(policy, f"{name.lower()}-src")
        assert nonce is not None, f"inline <{name}> but no nonce in the policy"
        assert f'nonce="{nonce}"' in attributes, f"<{name}{attributes}> without this answer's nonce"
    assert INLINE_ATTRIBUTE.search(html) is None, INLINE_ATTRIBUTE.search(html)
    return inline


@pytest.fixture
def report_pk(create_report: Callable[..., dict[str, Any]]) -> int:
    return public_report(create_report()["id"]).pk


def test_every_page_has_the_policy_and_its_inline_code_the_nonce(
    client: Client, make_procedure: Callable[..., Procedure], report_pk: int
) -> None:
    procedure = make_procedure()
    scripted = []
    for path in page_paths(procedure, report_pk):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = assert_site_policy(response, embed=path.startswith("/einbetten/"))
        if assert_inline_code_has_the_nonce(response.content.decode(), policy):
            scripted.append(path)
    # The maps' pages do run inline code, so the nonce check above had something to check.
    assert {"/", "/karte/", "/meldungen/", f"/verfahren/{procedure.slug}/", "/api/v1/docs/"} <= set(scripted)


def test_a_fresh_nonce_for_every_answer(client: Client) -> None:
    first = nonce_of(directives(client.get("/karte/")), "script-src")
    second = nonce_of(directives(client.get("/karte/")), "script-src")
    assert first
    assert second
    assert first != second


def test_a_page_without_inline_code_names_no_nonce(client: Client) -> None:
    policy = directives(client.get("/ogc/?f=html"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


def test_api_answers_carry_the_policy_too(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure()
    for path in ("/api/v1/procedures/", f"/api/v1/procedures/{procedure.slug}/", "/api/v1/schema/", "/ogc/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_site_policy(response)
        assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_pages_and_the_map_widget_run_without_inline_code(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure()
    client.force_login(get_user_model().objects.create_superuser("csp-admin", "csp@example.org", "x" * 20))
    for path in ("/admin/", "/admin/procedures/procedure/", f"/admin/procedures/procedure/{procedure.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = assert_site_policy(response)
        assert assert_inline_code_has_the_nonce(response.content.decode(), policy) == 0, path
    # The widget's options travel as JSON, and a static file of ours starts the map from them.
    page = client.get(f"/admin/procedures/procedure/{procedure.pk}/change/").content.decode()
    assert '<script id="id_area_options" type="application/json">' in page
    assert '"base_layer_url": "/api/v1/authorities/?kind=' in page
    assert "/static/geo/boundary-map-widget.js" in page
    assert "/static/vendor/ol/ol.js" in page


def test_embeds_keep_the_policy_and_are_framed_by_their_authoritys_origins(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    allow(KOELN_KEY, "https://www.stadt-koeln.de")
    procedure = make_procedure()
    response = client.get(f"/einbetten/verfahren/{procedure.slug}/")
    policy = directives(response)
    assert policy["frame-ancestors"][0] == "'self'"
    assert "https://www.stadt-koeln.de" in policy["frame-ancestors"]
    # Only frame-ancestors names other origins, and only because the authority listed them.
    assert_only_our_own_sources({name: sources for name, sources in policy.items() if name != "frame-ancestors"})
    assert nonce_of(policy, "script-src") is not None
    assert "'unsafe-inline'" not in policy["script-src"]


def test_api_documentation_brings_no_third_party(client: Client) -> None:
    swagger = client.get("/api/v1/docs/")
    html = swagger.content.decode()
    assert '"validatorUrl": null' in html  # Swagger UI's badge would come from validator.swagger.io
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Redoc needs inline styles and asks a CDN for its makers' logo: the portal offers Swagger UI only.
    assert client.get("/api/v1/redoc/").status_code == 404


def test_other_security_headers(client: Client) -> None:
    response = client.get("/karte/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
