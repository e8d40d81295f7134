"""The embed origin admin: origins stored as browsers compare them, each authority's staff seeing only their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from accounts.models import Membership, Role
from geo.models import Authority
from layers.models import EmbedOrigin

pytestmark = pytest.mark.django_db

KOELN_KEY = "05315000"
DUISBURG_KEY = "05112000"
URL = "/admin/layers/embedorigin/"


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "ein-langes-passwort"))
    return client


@pytest.fixture
def koeln_staff_client(client: Client) -> Client:
    """Return a client logged in as Köln staff who may manage embed origins in the admin."""
    user = User.objects.create_user("koeln-web", "koeln-web@example.org", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="layers", codename__endswith="embedorigin")
    )
    Membership.objects.create(user=user, authority=Authority.objects.get(key=KOELN_KEY), role=Role.ADMINISTRATOR)
    client.force_login(user)
    return client


def add(client: Client, authority_key: str, origin: str, note: str = "") -> Any:
    authority = Authority.objects.get(key=authority_key)
    return client.post(f"{URL}add/", {"authority": authority.pk, "origin": origin, "note": note})


def test_origin_is_normalised_on_save(superuser_client: Client) -> None:
    response = add(superuser_client, KOELN_KEY, "HTTPS://WWW.Beispiel-Koeln.DE:443/", "Stadtportal")
    assert response.status_code == 302
    stored = EmbedOrigin.objects.get(note="Stadtportal")
    assert stored.origin == "https://www.beispiel-koeln.de"
    assert stored.authority.key == KOELN_KEY


def test_the_demo_origins_are_listed(superuser_client: Client) -> None:
    html = superuser_client.get(URL).content.decode()
    for origin in ("https://www.stadt-koeln.de", "http://localhost:8080", "https://www.duisburg.de"):
        assert origin in html


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("http://www.beispiel.de", "Einbettende Seiten müssen https verwenden."),
        ("https://www.beispiel.de/karte", "ohne Pfad"),
        ("https://*.beispiel.de", "ohne Platzhalter"),
        # Would add sources to the CSP header; layers.embedding would leave it out, so it is refused here.
        ("https://www.beispiel.de 'self'", "kein gültiger Rechnername"),
        ("https://www.beispiel.de;script-src", "kein gültiger Rechnername"),
    ],
)
def test_refused_origin_shows_the_reason(superuser_client: Client, origin: str, message: str) -> None:
    response = add(superuser_client, KOELN_KEY, origin)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert EmbedOrigin.objects.count() == 3  # the demo's, nothing added


def test_the_same_origin_in_another_spelling_is_refused(superuser_client: Client) -> None:
    response = add(superuser_client, KOELN_KEY, "HTTPS://www.Stadt-Koeln.de/")
    assert response.status_code == 200
    assert EmbedOrigin.objects.filter(origin="https://www.stadt-koeln.de").count() == 1


def test_staff_see_only_their_authoritys_origins(koeln_staff_client: Client) -> None:
    html = koeln_staff_client.get(URL).content.decode()
    assert "https://www.stadt-koeln.de" in html
    assert "https://www.duisburg.de" not in html

    duisburg = EmbedOrigin.objects.get(origin="https://www.duisburg.de")
    response = koeln_staff_client.get(f"{URL}{duisburg.pk}/change/")
    # The admin answers an object outside the queryset as it answers a missing one.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    koeln = EmbedOrigin.objects.get(origin="https://www.stadt-koeln.de")
    assert koeln_staff_client.get(f"{URL}{koeln.pk}/change/").status_code == 200


def test_staff_may_choose_only_their_authority(koeln_staff_client: Client) -> None:
    html = koeln_staff_client.get(f"{URL}add/").content.decode()
    koeln = Authority.objects.get(key=KOELN_KEY)
    duisburg = Authority.objects.get(key=DUISBURG_KEY)
    assert f'value="{koeln.pk}"' in html
    assert f'value="{duisburg.pk}"' not in html

    response = add(koeln_staff_client, DUISBURG_KEY, "https://www.beispiel-duisburg.de")
    assert response.status_code == 200
    assert not EmbedOrigin.objects.filter(origin="https://www.beispiel-duisburg.de").exists()

    response = add(koeln_staff_client, KOELN_KEY, "https://www.beispiel-koeln.de")
    assert response.status_code == 302
    assert EmbedOrigin.objects.get(origin="https://www.beispiel-koeln.de").authority == koeln


def test_staff_without_membership_see_nothing(client: Client) -> None:
    user = User.objects.create_user("ohne-behoerde", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="layers"))
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
