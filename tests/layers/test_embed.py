"""Embeddable maps: framed only by the origins their authority lists, read-only, cookie-free; nothing else framable."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from geo.models import Authority
from layers.embedding import sound_origins
from layers.models import EmbedOrigin
from procedures.models import Procedure
from tests.layers.test_authority_map import EXTERNAL_LOAD
from tests.procedures.conftest import DUISBURG_CENTRE, DUISBURG_KEY, KOELN_KEY, square_around

pytestmark = pytest.mark.django_db

KOELN_ORIGINS = ("https://www.stadt-koeln.de", "http://localhost:8080")
DUISBURG_ORIGIN = "https://www.duisburg.de"
LAND_ORIGIN = "https://www.land.nrw"


def directives(response: HttpResponseBase) -> dict[str, list[str]]:
    """Return the response's Content-Security-Policy as directive -> sources."""
    policy = response.headers.get("Content-Security-Policy", "")
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in parsed, f"{words[0]} twice in {policy}"
            parsed[words[0]] = words[1:]
    return parsed


def listed_origins(key: str) -> list[str]:
    """Return the origins an authority lists, as the header must name them."""
    return sound_origins(EmbedOrigin.objects.filter(authority__key=key).values_list("origin", flat=True))


def allow(key: str, *origins: str) -> None:
    authority = Authority.objects.get(key=key)
    for origin in origins:
        EmbedOrigin.objects.get_or_create(authority=authority, origin=origin)


@pytest.fixture
def origins() -> None:
    """Let Köln, Duisburg and the Land list origins (the demo data may list more)."""
    allow(KOELN_KEY, *KOELN_ORIGINS)
    allow(DUISBURG_KEY, DUISBURG_ORIGIN)
    allow("05", LAND_ORIGIN)


@pytest.fixture
def koeln_procedure(make_procedure: Callable[..., Procedure]) -> Procedure:
    return make_procedure(title="Radwege Neumarkt")


def assert_framable_by(response: HttpResponseBase, sources: list[str]) -> None:
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == sources
    assert "X-Frame-Options" not in response.headers


def assert_not_framable(response: HttpResponseBase) -> None:
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- Who may frame -----------------------------------------------------------------------------


def test_procedure_embed_is_framable_by_exactly_its_authoritys_origins(
    client: Client, origins: None, koeln_procedure: Procedure
) -> None:
    response = client.get(f"/einbetten/verfahren/{koeln_procedure.slug}/")
    expected = ["'self'", *listed_origins(KOELN_KEY)]
    assert_framable_by(response, expected)
    assert set(KOELN_ORIGINS) <= set(expected)
    assert DUISBURG_ORIGIN not in expected
    assert LAND_ORIGIN not in expected


def test_the_rest_of_the_policy_stays(client: Client, origins: None, koeln_procedure: Procedure) -> None:
    page = directives(client.get("/"))
    embed = directives(client.get(f"/einbetten/verfahren/{koeln_procedure.slug}/"))
    page.pop("frame-ancestors")
    embed.pop("frame-ancestors")
    # A nonce differs per answer; everything else is the site's own policy.
    assert {name: [s for s in sources if not s.startswith("'nonce-")] for name, sources in embed.items()} == {
        name: [s for s in sources if not s.startswith("'nonce-")] for name, sources in page.items()
    }


def test_overview_embed_takes_the_named_authoritys_origins(client: Client, origins: None) -> None:
    response = client.get("/einbetten/karte/", {"authority": DUISBURG_KEY, "status": "running"})
    assert_framable_by(response, ["'self'", *listed_origins(DUISBURG_KEY)])
    assert DUISBURG_ORIGIN in response.headers["Content-Security-Policy"]
    assert "stadt-koeln" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("query", [{}, {"authority": "05"}, {"status": "running", "kind": "dialogue"}])
def test_overview_embed_without_authority_takes_the_lands_origins(
    client: Client, origins: None, query: dict[str, str]
) -> None:
    response = client.get("/einbetten/karte/", query)
    assert_framable_by(response, ["'self'", *listed_origins("05")])
    assert LAND_ORIGIN in response.headers["Content-Security-Policy"]


def test_authority_without_origins_allows_only_our_own_pages(client: Client) -> None:
    EmbedOrigin.objects.filter(authority__key="05170").delete()
    assert_framable_by(client.get("/einbetten/karte/", {"authority": "05170"}), ["'self'"])


def test_origins_are_sent_as_browsers_compare_them_and_unsound_ones_left_out(client: Client) -> None:
    authority = Authority.objects.get(key="05170")
    EmbedOrigin.objects.filter(authority=authority).delete()
    # Stored past the admin's validation: the header must not grow sources or directives from them.
    for text in (
        "HTTPS://WWW.Kreis-Wesel.DE/",
        "https://www.kreis-wesel.de:443",
        "https://a;b.example",
        "https://evil.example script-src *",
        "https://*.example",
        "http://www.plain-http.example",
        "https://x.example\nSet-Cookie: a=b",
    ):
        EmbedOrigin.objects.create(authority=authority, origin=text)
    response = client.get("/einbetten/karte/", {"authority": "05170"})
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'self'", "https://www.kreis-wesel.de"]
    assert set(policy) == set(directives(client.get("/")))  # no directive added
    assert not [source for sources in policy.values() for source in sources if "*" in source]
    assert "Set-Cookie" not in response.headers


def test_unknown_authority_is_not_found(client: Client) -> None:
    for key in ("99999", "0531500", "abc"):
        response = client.get("/einbetten/karte/", {"authority": key})
        assert response.status_code == 404, key
        assert_not_framable(response)


def test_unknown_and_unpublished_procedures_are_not_found(
    client: Client, origins: None, make_procedure: Callable[..., Procedure], staff: Callable[[str, str], User]
) -> None:
    draft = make_procedure(title="Entwurf", is_published=False)
    assert client.get("/einbetten/verfahren/gibt-es-nicht/").status_code == 404
    response = client.get(f"/einbetten/verfahren/{draft.slug}/")
    assert response.status_code == 404
    assert_not_framable(response)
    # Not even for the authority's own staff: an embed shows what everyone sees.
    client.force_login(staff(KOELN_KEY, Role.PROCESSOR))
    assert client.get(f"/einbetten/verfahren/{draft.slug}/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/", "/karte/", "/meldungen/", "/admin/login/", "/en/", "/einbetten/verfahren/gibt-es-nicht/"]
)
def test_every_other_page_refuses_to_be_framed(client: Client, origins: None, path: str) -> None:
    assert_not_framable(client.get(path))


def test_procedure_page_refuses_to_be_framed(client: Client, origins: None, koeln_procedure: Procedure) -> None:
    assert_not_framable(client.get(f"/verfahren/{koeln_procedure.slug}/"))


def test_api_refuses_to_be_framed(client: Client, origins: None, koeln_procedure: Procedure) -> None:
    for path in ("/api/v1/procedures/", f"/api/v1/procedures/{koeln_procedure.slug}/", "/api/v1/authorities/05/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_not_framable(response)


def test_admin_for_staff_refuses_to_be_framed(client: Client, origins: None) -> None:
    client.force_login(User.objects.create_superuser("karte", "karte@example.org", "ein-langes-passwort-123"))
    for path in ("/admin/", "/admin/layers/embedorigin/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_not_framable(response)


# --- No cookies, read-only --------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_embeds_set_no_cookie_and_carry_no_csrf_token(
    client: Client, origins: None, koeln_procedure: Procedure, signed_in: bool
) -> None:
    if signed_in:
        client.force_login(User.objects.create_user("buerger", "buerger@example.org"))
    for path in (f"/einbetten/verfahren/{koeln_procedure.slug}/", "/einbetten/karte/?authority=05315000"):
        response = client.get(path)
        assert response.status_code == 200
        assert not response.cookies, path
        assert "Set-Cookie" not in response.headers
        page = response.content.decode()
        assert "csrfmiddlewaretoken" not in page
        assert "<form" not in page  # no language switch, nothing to post
        assert "Cookie" not in response.headers.get("Vary", "")  # the answer is the same for everyone


def test_procedure_embed_is_read_only_and_links_to_the_procedure(
    client: Client, origins: None, koeln_procedure: Procedure
) -> None:
    page = client.get(f"/einbetten/verfahren/{koeln_procedure.slug}/").content.decode()
    assert '<html lang="de" class="embed">' in page
    assert 'class="site-header"' not in page
    assert "leaflet-geoman" not in page  # nothing to draw with
    assert "Beteiligungskarte.procedureContributions(" in page
    assert f"/api/v1/procedures/{koeln_procedure.slug}/contributions/?limit=1000" in page
    assert (
        f'<a class="button primary embed-cta" href="http://testserver/verfahren/{koeln_procedure.slug}/" '
        'target="_blank" rel="noopener">Jetzt mitmachen' in page
    )


def test_embeds_only_answer_reading(client: Client, koeln_procedure: Procedure) -> None:
    for path in (f"/einbetten/verfahren/{koeln_procedure.slug}/", "/einbetten/karte/"):
        assert client.post(path).status_code == 405
        assert client.head(path).status_code == 200


def test_ended_procedure_embed_invites_to_read(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    now = timezone.now()
    ended = make_procedure(starts_at=now - datetime.timedelta(days=30), ends_at=now - datetime.timedelta(days=1))
    page = client.get(f"/einbetten/verfahren/{ended.slug}/").content.decode()
    assert "Zum Verfahren" in page
    assert "Jetzt mitmachen" not in page


def test_overview_embed_takes_presets_and_lists_without_javascript(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    duisburg = make_procedure(
        authority_key=DUISBURG_KEY, title="Hafenpromenade", area=square_around(*DUISBURG_CENTRE, 800)
    )
    koeln = make_procedure(title="Radwege Neumarkt")
    response = client.get("/einbetten/karte/", {"authority": DUISBURG_KEY, "status": "running", "q": "Hafen"})
    page = response.content.decode()
    assert f'data-slug="{duisburg.slug}"' in page
    assert f'data-slug="{koeln.slug}"' not in page
    assert f'href="/verfahren/{duisburg.slug}/" target="_blank" rel="noopener"' in page
    assert "/api/v1/procedures/?authority=05112000\\u0026status=running\\u0026q=Hafen" in page
    assert '"newWindow": true' in page
    assert '"credentials": "omit"' in page
    assert 'href="http://testserver/karte/?authority=05112000&amp;status=running&amp;q=Hafen"' in page


def test_embed_in_english(client: Client, koeln_procedure: Procedure) -> None:
    with translation.override("en"):
        url = reverse("layers:embed-procedure", kwargs={"slug": koeln_procedure.slug})
    assert url.startswith("/en/")
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="en" class="embed">' in response.content.decode()


def test_no_third_party_assets(client: Client, origins: None, koeln_procedure: Procedure) -> None:
    for path in (f"/einbetten/verfahren/{koeln_procedure.slug}/", "/einbetten/karte/"):
        page = client.get(path).content.decode()
        # Absolute links lead only to our own pages (opened in a new tab); assets are all our own.
        assert not EXTERNAL_LOAD.findall(page.replace('href="http://testserver/', 'href="/')), path
        assert not re.findall(r"""(?:src|<link[^>]*href)\s*=\s*["'](?:https?:)?//""", page), path


def test_sound_origins_is_pure() -> None:
    texts: list[Any] = ["https://b.example", "HTTPS://B.example/", "https://a.example", "nonsense", "https://a b.de"]
    assert sound_origins(texts) == ["https://a.example", "https://b.example"]
