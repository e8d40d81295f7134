"""E-mails to the authors of contributions, in the language they wrote in."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from procedures.models import Contribution, ContributionReply


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(template: str, recipient: str, language: str, context: dict[str, object]) -> None:
    with translation.override(language):
        subject = render_to_string(f"procedures/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"procedures/email/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def contribution_link(contribution: Contribution) -> str:
    """Return where a contribution is shown: on its procedure's page, at its anchor."""
    return f"{reverse('procedures:detail', kwargs={'slug': contribution.procedure.slug})}#beitrag-{contribution.pk}"


def send_confirmation(contribution: Contribution, token: str) -> None:
    """Send the link that publishes a contribution made without an account."""
    with translation.override(contribution.language):
        link = _absolute(reverse("procedures:confirm", kwargs={"token": token}))
    context = {"contribution": contribution, "procedure": contribution.procedure, "link": link}
    _send("confirm", contribution.author_email, contribution.language, context)


def send_reply(contribution: Contribution, reply: ContributionReply) -> None:
    """Tell a contribution's author that the authority has answered it."""
    with translation.override(contribution.language):
        link = _absolute(contribution_link(contribution))
    context = {"contribution": contribution, "procedure": contribution.procedure, "reply": reply, "link": link}
    _send("reply", contribution.author_email, contribution.language, context)
