"""E-mails to reporters, in the language they reported in."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reports.models import Report, ReportUpdate


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(template: str, recipient: str, language: str, context: dict[str, object]) -> None:
    with translation.override(language):
        subject = render_to_string(f"reports/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"reports/email/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def send_confirmation(report: Report, token: str) -> None:
    """Send the link that publishes an anonymous report."""
    with translation.override(report.language):
        link = _absolute(reverse("reports:confirm", kwargs={"token": token}))
    _send("confirm", report.reporter_email, report.language, {"report": report, "link": link})


def send_status_change(report: Report, update: ReportUpdate, recipients: Iterable[tuple[str, str]]) -> None:
    """Tell everyone who follows a report (address, language) about a public change."""
    for address, language in recipients:
        with translation.override(language):
            link = _absolute(reverse("reports:detail", kwargs={"pk": report.pk}))
        _send("status", address, language, {"report": report, "update": update, "link": link})
