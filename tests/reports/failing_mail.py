"""A mail backend whose server is down, for tests that reports survive it."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class UnreachableServer(BaseEmailBackend):
    """Fail every send, as an SMTP server that does not answer would."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPConnectError(421, "Service not available")
