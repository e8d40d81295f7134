"""Writes of Open311: client applications and their keys, and reports made through Open311."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction

from reports import services
from reports.models import Open311Client, Open311Submission
from reports.open311.errors import InvalidApiKey


def hash_key(key: str) -> str:
    """Return the stored form of an api_key."""
    return hashlib.sha256(key.encode()).hexdigest()


def open311_client_create(*, name: str, contact_email: str) -> tuple[Open311Client, str]:
    """Create a client application; return it with its key, which is shown this once and stored only hashed."""
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=name.strip(), contact_email=contact_email.strip(), key_hash=hash_key(key)
    )
    return client, key


def open311_client_authenticate(api_key: str | None) -> Open311Client:
    """Return the active client this api_key belongs to, or raise InvalidApiKey."""
    if not api_key:
        raise InvalidApiKey()
    client = Open311Client.objects.active().filter(key_hash=hash_key(api_key)).first()
    if client is None:
        raise InvalidApiKey()
    return client


@transaction.atomic
def open311_request_create(
    *,
    client: Open311Client,
    category_code: str,
    location: Point,
    description: str,
    answers: dict[str, Any],
    name: str,
    email: str,
    language: str,
) -> Open311Submission:
    """Create a report exactly as the web does, and record the client and its token for the report."""
    report = services.report_create(
        category_code=category_code,
        location=location,
        description=description,
        answers=answers,
        name=name,
        email=email,
        user=None,
        language=language,
    )
    return Open311Submission.objects.create(report=report, client=client, token=secrets.token_urlsafe(24))
