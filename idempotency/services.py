"""Run a write at most once per Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError, BadRequest
from idempotency.models import IdempotencyRecord

# RFC draft "The Idempotency-Key HTTP Header Field": a string; we allow what a UUID or ULID needs and more.
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:\-]{8,255}$")


class InvalidIdempotencyKey(BadRequest):
    """The Idempotency-Key header is not a usable key."""

    code = "invalid_idempotency_key"
    default_message = _(
        "Der Header Idempotency-Key muss 8 bis 255 Zeichen lang sein (Buchstaben, Ziffern, . _ : -), "
        "zum Beispiel eine UUID."
    )


class IdempotencyKeyReused(ApplicationError):
    """The key was used before for a different request."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"
    default_message = _(
        "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet. "
        "Bitte verwenden Sie für jede neue Meldung einen neuen Schlüssel."
    )


@dataclass(frozen=True)
class Outcome:
    """An answer, and whether it is the stored answer of an earlier request."""

    status_code: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(*parts: Any) -> str:
    """Return a stable hash of a request's content, to tell a true repeat from a reused key."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    *, scope: str, key: str | None, request_hash: str, write: Callable[[], tuple[int, dict[str, Any]]]
) -> Outcome:
    """Run `write` unless a request with this key ran before; then answer what it answered.

    The record is stored in the same transaction as the write, so a write that fails leaves no
    record, and two concurrent requests with one key cannot both commit: the unique constraint
    makes the second wait for the first and then roll back, and it answers the first's answer.
    """
    if key is None:
        status_code, body = write()
        return Outcome(status_code, body, replayed=False)
    if not _KEY_PATTERN.match(key):
        raise InvalidIdempotencyKey()
    stored = _stored(scope, key, request_hash)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            status_code, body = write()
            IdempotencyRecord.objects.create(
                scope=scope, key=key, request_hash=request_hash, status_code=status_code, body=body
            )
    except IntegrityError:
        stored = _stored(scope, key, request_hash)
        if stored is None:
            raise
        return stored
    return Outcome(status_code, body, replayed=False)


def _stored(scope: str, key: str, request_hash: str) -> Outcome | None:
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return Outcome(record.status_code, record.body, replayed=True)


def records_expire(*, older_than: timedelta) -> int:
    """Delete stored answers older than `older_than`; return how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
