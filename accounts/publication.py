"""How citizens' texts (reports, contributions) become public, and how one citizen is told from another.

Without an account a text is public only once the link mailed to its author is opened, unless the
authority's policy says otherwise; a support or an abuse flag counts once per person, known only
by a keyed hash of their account or browser session. Both rules hold for every kind of text.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abuse.conf import abuse_settings
from config.errors import ApplicationError


class PublishedText(models.Model):
    """A citizen's text that is published after its author's confirmation and may be hidden by moderators."""

    language = models.CharField(_("Sprache"), max_length=8, default="de")
    confirmation_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("E-Mail bestätigt"), null=True, blank=True)
    published_at = models.DateTimeField(_("veröffentlicht"), null=True, blank=True, db_index=True)
    hidden_at = models.DateTimeField(_("verborgen"), null=True, blank=True)
    hidden_reason = models.CharField(_("Grund für das Verbergen"), max_length=500, blank=True)

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        """Tell whether anyone may see the text."""
        return self.published_at is not None and self.hidden_at is None


class PersonSupport(models.Model):
    """One person's support for a text, counted once per person."""

    # A hash of the account or browser session; never an address or a name.
    supporter_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("Unterstützung")
        verbose_name_plural = _("Unterstützungen")


class PersonFlag(models.Model):
    """Someone's notice that a text is abusive, for moderators to look at."""

    flagger_key = models.CharField(max_length=64)
    reason = models.TextField(_("Grund"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(_("erledigt"), null=True, blank=True)

    class Meta:
        abstract = True
        verbose_name = _("Missbrauchsmeldung")
        verbose_name_plural = _("Missbrauchsmeldungen")


def person_key(*, user: Any = None, session_key: str | None = None) -> str:
    """Return a keyed hash that tells one supporter or flagger from another, and nothing else."""
    if getattr(user, "is_authenticated", False):
        identity = f"user:{user.pk}"
    elif session_key:
        identity = f"session:{session_key}"
    else:
        raise ValueError("a person needs an account or a session")
    return hmac.new(settings.SECRET_KEY.encode(), identity.encode(), hashlib.sha256).hexdigest()


def request_person_key(request: HttpRequest) -> str:
    """Return the key of the visitor of a request: their account, or else their browser session."""
    if not request.user.is_authenticated and request.session.session_key is None:
        # Counted once per browser: that needs a session, and nothing more.
        request.session.save()
    return person_key(user=request.user, session_key=request.session.session_key)


def hash_token(token: str) -> str:
    """Return the stored form of a confirmation token: a link that leaks from the database opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Publication:
    """How a new text is published: at once, or once the token mailed to `email` comes back."""

    email: str
    token: str
    published_at: datetime.datetime | None

    @property
    def token_hash(self) -> str:
        """Return the token as stored, or "" when no confirmation is needed."""
        return hash_token(self.token) if self.token else ""


def publication_for(
    *, user: Any, email: str, confirm_anonymous: bool, email_required: type[ApplicationError]
) -> Publication:
    """Decide how a new text is published; raise `email_required` if it needs a confirmation but has no address."""
    has_account = bool(getattr(user, "is_authenticated", False))
    email = (email or (user.email if has_account else "") or "").strip()
    if has_account or not confirm_anonymous:
        return Publication(email=email, token="", published_at=timezone.now())
    if not email:
        raise email_required()
    return Publication(email=email, token=secrets.token_urlsafe(32), published_at=None)


_Text = TypeVar("_Text", bound=PublishedText)

# Why a text was hidden without a moderator: enough people flagged it.
AUTO_HIDDEN_REASON = _("automatisch nach Meldungen ausgeblendet")


def hide_when_flagged(texts: QuerySet[_Text], pk: int, flags: QuerySet[Any]) -> bool:
    """Hide the text once its unhandled flags reach the threshold; return whether this call hid it.

    Call it inside the transaction that stored the flag: the text's row is locked, so two flags
    arriving together are counted one after the other. The flags stay unhandled for the
    moderators; hiding or showing the text again marks them handled, so after "show again" it
    takes as many new people's flags to hide it once more (each person can flag a text only once).
    """
    text = texts.select_for_update().filter(pk=pk, hidden_at__isnull=True).first()
    if text is None:
        return False
    if flags.filter(handled_at__isnull=True).count() < abuse_settings().flag_hide_threshold:
        return False
    text.hidden_at = timezone.now()
    text.hidden_reason = str(AUTO_HIDDEN_REASON)
    text.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
    return True


def publication_confirm(texts: QuerySet[_Text], token: str) -> _Text | None:
    """Publish the text whose confirmation token this is; return None for an unknown or used token."""
    text = (
        texts.select_for_update()
        .filter(confirmation_token_hash=hash_token(token), confirmed_at__isnull=True)
        .exclude(confirmation_token_hash="")
        .first()
    )
    if text is None:
        return None
    now = timezone.now()
    text.confirmed_at = now
    text.published_at = text.published_at or now
    text.confirmation_token_hash = ""
    text.save(update_fields=["confirmed_at", "published_at", "confirmation_token_hash", "updated_at"])
    return text
