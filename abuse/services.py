"""Throttling of citizens' writes, counted per client in the database so that all worker processes share it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Final

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from abuse.conf import abuse_settings
from config.errors import TooManyRequests

_SQL_DIR: Final = Path(__file__).resolve().parent / "sql"


@cache
def _sql(name: str) -> str:
    return (_SQL_DIR / name).read_text(encoding="utf-8")


def client_address(request: HttpRequest) -> str:
    """Return the address the request came from, as the web server in front of Django passed it on."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def keyed_hash(purpose: str, value: str) -> str:
    """Return a keyed hash of a value: equal values stay equal, but the value cannot be read back or guessed."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def client_key(request: HttpRequest) -> str:
    """Return the key a client is counted under: a keyed hash of its address, never the address (DSGVO)."""
    return keyed_hash("client", client_address(request))


@dataclass(frozen=True)
class Hit:
    """The count of an action in the current window, and when the window ends."""

    hits: int
    limit: int
    seconds_left: int

    @property
    def allowed(self) -> bool:
        """Tell whether this hit is within the limit."""
        return self.hits <= self.limit


def hit(*, action: str, key: str) -> Hit:
    """Count one hit of an action by a client in one atomic statement; return the count so far."""
    rate = abuse_settings().rates[action]
    params: dict[str, str | int] = {"action": action, "client_key": key, "window_seconds": rate.window_seconds}
    with connection.cursor() as cursor:
        cursor.execute(_sql("hit.sql"), params)
        hits, seconds_left = cursor.fetchone()
    return Hit(hits=int(hits), limit=rate.limit, seconds_left=max(1, int(seconds_left)))


def throttle(request: HttpRequest, action: str, *, key: str | None = None) -> None:
    """Count this request's action; raise TooManyRequests once the client is over its limit."""
    counted = hit(action=action, key=key or client_key(request))
    if not counted.allowed:
        raise TooManyRequests(retry_after=counted.seconds_left)


def counters_cleanup(*, now: datetime) -> int:
    """Delete counters of windows that ended longer ago than the retention time; return how many."""
    cutoff = now - abuse_settings().counter_retention
    with connection.cursor() as cursor:
        cursor.execute(_sql("cleanup.sql"), {"cutoff": cutoff})
        return int(cursor.rowcount)
