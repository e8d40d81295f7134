"""Production settings (config.settings_production): `check --deploy` finds nothing, and they hold what we claim.

The module is loaded afresh for each case with its own environment, or run in a child process as
`manage.py` would run it, since this process's Django is configured with the development settings.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(settings.BASE_DIR)
MODULE = BASE_DIR / "config" / "settings_production.py"
STRONG_KEY = "kP3v-9XqL2mZ8wR1tY6uB4nC7eH0jS5aD-fG2hJ9kL3zX8cV1bN6mQ4wE7rT0yU5iO"
HOST = "beteiligung.nrw.de"
YEAR = 365 * 24 * 60 * 60
# Variables the production module reads; cleared so that the developer's shell does not decide a test.
PRODUCTION_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEBUG",
    "BK_SECURE_SSL_REDIRECT",
    "BK_HSTS_SECONDS",
    "BK_HSTS_INCLUDE_SUBDOMAINS",
    "BK_HSTS_PRELOAD",
    "BK_PROXY_SSL_HEADER",
)


def production_environment(**overrides: str) -> dict[str, str]:
    """Return this process's environment with the production settings and a strong key and a host."""
    environment = {name: value for name, value in os.environ.items() if name not in PRODUCTION_VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings_production",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS=HOST,
    )
    environment.update(overrides)
    return {name: value for name, value in environment.items() if value != ""}


def manage(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py with the given environment, as a deployment would."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_production(monkeypatch: pytest.MonkeyPatch, **variables: str) -> ModuleType:
    """Execute config/settings_production.py afresh with these environment variables (others cleared)."""
    for name in PRODUCTION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_production_under_test", MODULE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_deploy_check_reports_nothing() -> None:
    result = manage("check", "--deploy", "--fail-level", "DEBUG", environment=production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_deploy_check_would_see_a_weakened_setting() -> None:
    """The check above can fail: without HSTS it reports security.W004."""
    result = manage(
        "check", "--deploy", "--fail-level", "DEBUG", environment=production_environment(BK_HSTS_SECONDS="0")
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_https_only_secure_cookies_and_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    production = load_production(monkeypatch, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS=HOST)
    assert production.DEBUG is False
    assert production.SECRET_KEY == STRONG_KEY
    assert production.ALLOWED_HOSTS == [HOST]
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS == YEAR
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert production.SECURE_HSTS_PRELOAD is True
    assert production.SESSION_COOKIE_SECURE is True
    assert production.SESSION_COOKIE_HTTPONLY is True
    assert production.CSRF_COOKIE_SECURE is True
    assert production.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert production.SECURE_REFERRER_POLICY == "same-origin"
    assert production.SECURE_CROSS_ORIGIN_OPENER_POLICY == "same-origin"
    # Trusting a proxy's header is opt-in: anyone could send it to a server not behind that proxy.
    assert not hasattr(production, "SECURE_PROXY_SSL_HEADER")
    # The policy is the site's, unchanged.
    assert production.CONTENT_SECURITY_POLICY == settings.CONTENT_SECURITY_POLICY
    assert production.X_FRAME_OPTIONS == "DENY"


def test_proxy_header_and_preload_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    production = load_production(
        monkeypatch,
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS=f"{HOST},www.{HOST}",
        BK_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        BK_HSTS_PRELOAD="false",
    )
    assert production.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production.SECURE_HSTS_PRELOAD is False
    # Not preloading is a choice, so its warning is silenced; nothing else is.
    assert "security.W021" in production.SILENCED_SYSTEM_CHECKS
    assert [HOST, f"www.{HOST}"] == production.ALLOWED_HOSTS


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "must be set"),
        ("kurz-und-geheim", "too weak"),  # too short
        ("a" * 30 + "b" * 30, "too weak"),  # long, but only two characters
        ("django-insecure-" + STRONG_KEY, "too weak"),  # Django's placeholder from startproject
    ],
)
def test_refuses_a_missing_or_weak_secret_key(monkeypatch: pytest.MonkeyPatch, key: str, reason: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=reason):
        load_production(monkeypatch, DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS=HOST)


@pytest.mark.parametrize("hosts", ["", "*"])
def test_refuses_missing_or_wildcard_hosts(monkeypatch: pytest.MonkeyPatch, hosts: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ALLOWED_HOSTS"):
        load_production(monkeypatch, DJANGO_SECRET_KEY=STRONG_KEY, DJANGO_ALLOWED_HOSTS=hosts)


def test_manage_py_does_not_start_without_a_secret_key() -> None:
    result = manage("check", environment=production_environment(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_answers_over_https_only_with_hsts_and_secure_cookies() -> None:
    """Ask the production configuration for pages, through Django's test client in a child process."""
    script = """
import json
import django
from django.test import Client
django.setup()
client = Client()
plain = client.get("/admin/login/")
secure = client.get("/admin/login/", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location", ""),
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "cookies": {name: {"secure": morsel["secure"], "httponly": morsel["httponly"], "samesite": morsel["samesite"]}
                for name, morsel in secure.cookies.items()},
}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=production_environment(DJANGO_ALLOWED_HOSTS="testserver"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["plain_status"] == 301
    assert answers["plain_location"] == "https://testserver/admin/login/"
    assert answers["secure_status"] == 200
    assert answers["hsts"] == f"max-age={YEAR}; includeSubDomains; preload"
    assert answers["cookies"]["csrftoken"]["secure"] is True
    assert answers["cookies"]["csrftoken"]["samesite"] == "Lax"
