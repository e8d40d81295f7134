"""Writes of the privacy app: anonymisation after the retention period, deleting accounts, accessibility feedback.

What counts as personal data, and how long it is kept, is declared in `privacy.registry`; the
functions here carry out what the registry promises.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.publication import person_key
from privacy import notifications
from privacy.conf import privacy_settings
from privacy.errors import AccountProtected, PasswordMismatch
from privacy.models import AccessibilityFeedback
from privacy.selectors import (
    ANONYMOUS_KEY_PREFIX,
    contributions_due,
    flags_of,
    reports_due,
    supports_of,
)
from procedures.models import Contribution, ContributionFlag, ContributionSupport
from reports.models import AbuseFlag, Report, Support

BATCH_SIZE = 500

# What a detached text keeps of its author: nothing.
_REPORT_BLANK: dict[str, Any] = {
    "reporter": None,
    "reporter_name": "",
    "reporter_email": "",
    "confirmation_token_hash": "",
}
_CONTRIBUTION_BLANK: dict[str, Any] = {
    "author": None,
    "author_name": "",
    "author_email": "",
    "confirmation_token_hash": "",
}


def _random_key() -> Concat:
    # A fresh random value per row keeps the count of supports and flags but links them to nobody.
    uuid = models.Func(function="gen_random_uuid", output_field=models.UUIDField())
    return Concat(models.Value(ANONYMOUS_KEY_PREFIX), Cast(uuid, models.CharField()), output_field=models.CharField())


@dataclass
class AnonymisationResult:
    """How many rows `personal_data_anonymise` changed or removed (or would, on a dry run)."""

    reports: int = 0
    contributions: int = 0
    supports: int = 0
    flags: int = 0
    accessibility_feedback: int = 0
    sessions: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counts by kind."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _blank_reports(batch: QuerySet[Any]) -> int:
    return batch.update(**_REPORT_BLANK)


def _blank_contributions(batch: QuerySet[Any]) -> int:
    return batch.update(**_CONTRIBUTION_BLANK)


def _randomise_supporters(batch: QuerySet[Any]) -> int:
    return batch.update(supporter_key=_random_key())


def _randomise_flaggers(batch: QuerySet[Any]) -> int:
    return batch.update(flagger_key=_random_key())


def _delete(batch: QuerySet[Any]) -> int:
    return batch.delete()[0]


def _in_batches(queryset: QuerySet[Any], change: Callable[[QuerySet[Any]], int], *, dry_run: bool) -> int:
    """Apply `change` to the rows of `queryset` a batch at a time, each batch in its own transaction.

    The queryset must no longer match a row once it is changed, so that the loop ends and a
    second run finds nothing to do.
    """
    if dry_run:
        return queryset.count()
    done = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
            if not ids:
                return done
            done += change(queryset.model._default_manager.filter(pk__in=ids))


def _with_personal_data(queryset: QuerySet[Any], *, account: str, name: str, email: str) -> QuerySet[Any]:
    return queryset.filter(
        Q(**{f"{account}__isnull": False}) | ~Q(**{name: ""}) | ~Q(**{email: ""}) | ~Q(confirmation_token_hash="")
    )


def personal_data_anonymise(*, now: datetime.datetime | None = None, dry_run: bool = False) -> AnonymisationResult:
    """Remove the personal data whose retention period has passed; idempotent.

    Reports closed, and contributions to procedures ended, longer ago than the retention period
    lose their author's name, address, account link and confirmation token; their supports and
    flags lose the key that tells whose they were. The public text, place and photos stay.
    Accessibility feedback older than the period and expired sessions are deleted.
    """
    now = now or timezone.now()
    cutoff = now - privacy_settings().anonymise_after
    result = AnonymisationResult()

    due_reports = reports_due(cutoff=cutoff)
    due_report_ids = due_reports.values("pk")
    result.reports = _in_batches(
        _with_personal_data(
            Report.objects.filter(pk__in=due_report_ids),
            account="reporter",
            name="reporter_name",
            email="reporter_email",
        ),
        _blank_reports,
        dry_run=dry_run,
    )
    due_contribution_ids = contributions_due(cutoff=cutoff).values("pk")
    result.contributions = _in_batches(
        _with_personal_data(
            Contribution.objects.filter(pk__in=due_contribution_ids),
            account="author",
            name="author_name",
            email="author_email",
        ),
        _blank_contributions,
        dry_run=dry_run,
    )
    not_yet = {"supporter_key__startswith": ANONYMOUS_KEY_PREFIX}
    result.supports = _in_batches(
        Support.objects.filter(report_id__in=due_report_ids).exclude(**not_yet), _randomise_supporters, dry_run=dry_run
    ) + _in_batches(
        ContributionSupport.objects.filter(contribution_id__in=due_contribution_ids).exclude(**not_yet),
        _randomise_supporters,
        dry_run=dry_run,
    )
    not_yet = {"flagger_key__startswith": ANONYMOUS_KEY_PREFIX}
    result.flags = _in_batches(
        AbuseFlag.objects.filter(report_id__in=due_report_ids).exclude(**not_yet), _randomise_flaggers, dry_run=dry_run
    ) + _in_batches(
        ContributionFlag.objects.filter(contribution_id__in=due_contribution_ids).exclude(**not_yet),
        _randomise_flaggers,
        dry_run=dry_run,
    )
    result.accessibility_feedback = _in_batches(
        AccessibilityFeedback.objects.filter(created_at__lt=cutoff),
        _delete,
        dry_run=dry_run,
    )
    result.sessions = _in_batches(Session.objects.filter(expire_date__lt=now), _delete, dry_run=dry_run)
    return result


# --- Accounts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountDeletion:
    """What deleting an account detached."""

    reports: int
    contributions: int
    supports: int
    flags: int


@transaction.atomic
def account_delete(*, user: Any, password: str) -> AccountDeletion:
    """Delete a user's account after checking their password; their texts stay public, detached and anonymised."""
    if not user.check_password(password):
        raise PasswordMismatch()
    key = person_key(user=user)
    reports = Report.objects.filter(reporter=user).update(**_REPORT_BLANK)
    contributions = Contribution.objects.filter(author=user).update(**_CONTRIBUTION_BLANK)
    supports = sum(queryset.update(supporter_key=_random_key()) for queryset in supports_of(key))
    flags = sum(queryset.update(flagger_key=_random_key()) for queryset in flags_of(key))
    try:
        # Memberships go with the account; staff history entries keep their text without the author.
        get_user_model().objects.filter(pk=user.pk).delete()
    except ProtectedError:
        # Raised before anything is deleted; the atomic block undoes the detaching above.
        raise AccountProtected() from None
    return AccountDeletion(reports=reports, contributions=contributions, supports=supports, flags=flags)


# --- Accessibility feedback -----------------------------------------------------------------


@transaction.atomic
def accessibility_feedback_submit(*, message: str, email: str = "", page_url: str = "") -> AccessibilityFeedback:
    """Store a barrier someone reports and mail it to the accessibility contact."""
    feedback = AccessibilityFeedback.objects.create(
        message=message.strip(), email=email.strip(), page_url=page_url.strip()[:500]
    )
    # robust: a mail server that fails must not lose the stored feedback or answer with an error.
    transaction.on_commit(lambda: notifications.send_accessibility_feedback(feedback), robust=True)
    return feedback
