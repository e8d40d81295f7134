"""Staff of public authorities and their roles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from geo.models import Authority, AuthorityKind


class Role(models.TextChoices):
    """What a member of an authority's staff may do."""

    # Moderators keep content clean: hide, unhide, handle abuse flags.
    MODERATOR = "moderator", _("Moderation")
    # Processors work on reports: status changes with notes, duplicates.
    PROCESSOR = "processor", _("Bearbeitung")
    # Administrators may do both; at the Land they see every authority's reports.
    ADMINISTRATOR = "administrator", _("Administration")


class MembershipQuerySet(models.QuerySet["Membership"]):
    """Queries over staff memberships."""

    def of_user(self, user: Any) -> MembershipQuerySet:
        """Return the memberships of a user (none for an anonymous one)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class Membership(models.Model):
    """A user working for an authority in a role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Person"), on_delete=models.CASCADE, related_name="memberships"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("angelegt"), auto_now_add=True)

    objects: ClassVar[MembershipQuerySet] = MembershipQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["user", "authority"], name="membership_once_per_authority")]

    def __str__(self) -> str:
        return f"{self.user} – {self.authority.name} ({self.get_role_display()})"

    @property
    def is_land_administrator(self) -> bool:
        """Tell whether this membership lets its user see every authority's work."""
        return self.role == Role.ADMINISTRATOR and self.authority.kind == AuthorityKind.LAND
