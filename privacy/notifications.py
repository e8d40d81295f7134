"""E-mails of the privacy app: accessibility feedback to the contact named in the statement."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from privacy.conf import privacy_settings
from privacy.models import AccessibilityFeedback


def send_accessibility_feedback(feedback: AccessibilityFeedback) -> None:
    """Forward a barrier someone reported to the accessibility contact; replies go to the sender, if given."""
    context = {"feedback": feedback, "site_url": settings.SITE_URL}
    # The contact is a German public body: the mail is German whatever language the page was in.
    with translation.override("de"):
        subject = render_to_string("privacy/email/accessibility_feedback_subject.txt", context).strip()
        body = render_to_string("privacy/email/accessibility_feedback.txt", context)
    EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [privacy_settings().accessibility_contact],
        reply_to=[feedback.email] if feedback.email else None,
    ).send()
