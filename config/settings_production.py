"""Production settings: the base settings, hardened for HTTPS behind a public host name.

Run with DJANGO_SETTINGS_MODULE=config.settings_production. It refuses to start without a strong
DJANGO_SECRET_KEY and without DJANGO_ALLOWED_HOSTS; `manage.py check --deploy` reports nothing.
The Content-Security-Policy is the base module's, unchanged.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403 - this module is the base settings plus the lines below
from config.settings import SILENCED_SYSTEM_CHECKS, env

# Django's own measure of a usable key (security.W009): long, varied, not a generated placeholder.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5


def production_secret_key(key: str) -> str:
    """Return the key if it is strong enough to sign sessions and tokens; refuse to start otherwise."""
    if not key:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, and no 'django-insecure-' prefix "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    return key


def production_allowed_hosts(hosts: list[str]) -> list[str]:
    """Return the host names the site answers to; refuse to start without one or with any host at all."""
    if not hosts:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the site's host names in production.")
    if "*" in hosts:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must not be '*': Host headers decide links in e-mails.")
    return hosts


DEBUG = False
# Not the base module's fallback: a checkout's random key in var/ is no key for production.
SECRET_KEY = production_secret_key(env.str("DJANGO_SECRET_KEY", default=""))
ALLOWED_HOSTS = production_allowed_hosts(env.list("DJANGO_ALLOWED_HOSTS", default=[]))

# --- HTTPS ---------------------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("BK_SECURE_SSL_REDIRECT", default=True)
# One year of HTTPS only, for every subdomain too; preloading asks browsers to ship that rule.
SECURE_HSTS_SECONDS = env.int("BK_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("BK_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("BK_HSTS_PRELOAD", default=True)
if not SECURE_HSTS_PRELOAD:
    # Leaving the preload list is a choice of whoever runs the site (it is hard to undo), not an oversight.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# Only when the reverse proxy in front sets this header on every request (and strips it from
# clients'): otherwise anyone could claim HTTPS. E.g. BK_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
_proxy_ssl_header = env.str("BK_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")

# --- Cookies and headers -------------------------------------------------------------------

SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
