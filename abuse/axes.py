"""django-axes without personal data: a keyed pseudonym instead of the client's address, no user agent.

Axes stores the address in a column of PostgreSQL's inet type, so the pseudonym has the form of an
IPv6 address from the unique-local range fd00::/8, which no client on the internet can have.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.database import AxesDatabaseHandler  # type: ignore[import-untyped]
from django.http import HttpRequest

from abuse.services import client_address, keyed_hash


def client_pseudonym(request: HttpRequest) -> str:
    """Return the stand-in for the client's address that axes counts and stores."""
    digest = keyed_hash("login-client", client_address(request))
    # fd + 120 bits of the keyed hash.
    return str(ipaddress.IPv6Address(int("fd" + digest[:30], 16)))


def _forget_user_agent(request: Any) -> None:
    if request is not None:
        # Set after axes' own update_request, which keeps it: no browser fingerprint is stored.
        request.axes_user_agent = ""


class PrivateDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler, storing no user agent."""

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        """Record a failed login without the user agent."""
        _forget_user_agent(request)
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        """Record a login without the user agent."""
        _forget_user_agent(request)
        super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        """Record a logout without the user agent."""
        _forget_user_agent(request)
        super().user_logged_out(sender, request, user, **kwargs)
