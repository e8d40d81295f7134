"""Logging in: the page, a new session key on login, lockout after failures on both login pages, no addresses kept."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # type: ignore[import-untyped]
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "ein sehr langes Passwort 7"
# Each row of the axes tables as text, searched for the address and the user agent.
WHOLE_ROW_SEARCHES = [
    "SELECT count(*) FROM axes_accessattempt t WHERE t::text LIKE %s OR t::text LIKE %s",
    "SELECT count(*) FROM axes_accesslog t WHERE t::text LIKE %s OR t::text LIKE %s",
    "SELECT count(*) FROM axes_accessfailurelog t WHERE t::text LIKE %s OR t::text LIKE %s",
]
ADDRESS = "198.51.100.23"


@pytest.fixture(autouse=True)
def _lockout_after_three(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3


@pytest.fixture
def erika() -> User:
    return User.objects.create_user("erika", "erika@example.org", PASSWORD, is_staff=True, is_superuser=True)


def fail(client: Client, url: str, username: str = "erika") -> Any:
    return client.post(url, {"username": username, "password": "falsch"}, REMOTE_ADDR=ADDRESS)


def test_the_login_page_is_german_and_labelled(client: Client) -> None:
    response = client.get("/anmelden/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Anmelden</h1>" in html
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_login_redirects_to_a_local_next_page_only(client: Client, erika: User) -> None:
    ok = client.post("/anmelden/", {"username": "erika", "password": PASSWORD, "next": "/meldungen/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/meldungen/"
    client.post("/abmelden/")
    evil = client.post("/anmelden/", {"username": "erika", "password": PASSWORD, "next": "https://evil.example/"})
    assert evil["Location"] == "/"


def test_wrong_password_answers_422_in_german(client: Client, erika: User) -> None:
    response = fail(client, "/anmelden/")
    assert response.status_code == 422
    assert "Benutzername oder Passwort stimmen nicht" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_rotates_the_session_key_and_the_old_one_is_dead(client: Client, erika: User) -> None:
    client.get("/anmelden/")
    session = client.session
    session["vorher"] = "ja"
    session.save()
    before = session.session_key
    assert before is not None
    response = client.post("/anmelden/", {"username": "erika", "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not SessionStore().exists(before)
    # A client still holding the old key (as an attacker who planted it would) is not logged in.
    planted = Client()
    planted.cookies["sessionid"] = before
    assert "_auth_user_id" not in planted.session
    assert client.session["_auth_user_id"] == str(erika.pk)


def test_logout_only_by_post(client: Client, erika: User) -> None:
    client.post("/anmelden/", {"username": "erika", "password": PASSWORD})
    assert client.get("/abmelden/").status_code == 405
    assert "_auth_user_id" in client.session
    assert client.post("/abmelden/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/anmelden/", "/admin/login/"])
def test_a_username_is_locked_after_repeated_failures(url: str, erika: User) -> None:
    client = Client()
    for _ in range(2):
        assert fail(client, url).status_code in (200, 422)
    locked = fail(client, url)
    assert locked.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in locked.content.decode()
    # Even the right password does not open a locked account, from another address too.
    other = Client()
    right = other.post(url, {"username": "erika", "password": PASSWORD}, REMOTE_ADDR="192.0.2.200")
    assert right.status_code == 429
    assert "_auth_user_id" not in other.session


def test_a_client_is_locked_after_failures_with_many_usernames(client: Client, erika: User) -> None:
    for name in ("anna", "bernd", "carla"):
        fail(client, "/anmelden/", username=name)
    locked = client.post("/anmelden/", {"username": "erika", "password": PASSWORD}, REMOTE_ADDR=ADDRESS)
    assert locked.status_code == 429
    # Another client may still log in as erika.
    assert Client().post("/anmelden/", {"username": "erika", "password": PASSWORD}).status_code == 302


def test_no_raw_address_or_user_agent_is_stored(erika: User) -> None:
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 Geheimbrowser")
    for _ in range(3):
        fail(client, "/anmelden/")
    fail(client, "/admin/login/")
    assert AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()
    for attempt in AccessAttempt.objects.all():
        assert attempt.ip_address != ADDRESS
        assert str(attempt.ip_address).startswith("fd")
        assert attempt.user_agent == ""
    # Nowhere in the axes tables, in any column.
    with connection.cursor() as cursor:
        for query in WHOLE_ROW_SEARCHES:
            cursor.execute(query, [f"%{ADDRESS}%", "%Geheimbrowser%"])
            assert cursor.fetchone()[0] == 0, query
