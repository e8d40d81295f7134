"""Reads of the accounts app: what a user may see and do on behalf of which authority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Membership, Role


@dataclass(frozen=True)
class StaffScope:
    """The authorities a user works for, by role; `everything` for Land administrators."""

    everything: bool
    roles: dict[int, frozenset[str]]

    @property
    def is_staff(self) -> bool:
        """Tell whether the user works for any authority."""
        return self.everything or bool(self.roles)

    @property
    def authority_ids(self) -> frozenset[int]:
        """Return the ids of the authorities the user works for."""
        return frozenset(self.roles)

    def may(self, authority_id: int, *roles: Role) -> bool:
        """Tell whether the user holds one of these roles (or administration) for the authority."""
        if self.everything:
            return True
        held = self.roles.get(authority_id, frozenset())
        return Role.ADMINISTRATOR in held or any(role in held for role in roles)


NO_SCOPE = StaffScope(everything=False, roles={})


def staff_scope(user: Any) -> StaffScope:
    """Return what a user may see and do as staff."""
    memberships = list(Membership.objects.of_user(user).select_related("authority"))
    if not memberships:
        return NO_SCOPE
    roles: dict[int, set[str]] = {}
    for membership in memberships:
        roles.setdefault(membership.authority_id, set()).add(membership.role)
    return StaffScope(
        everything=any(membership.is_land_administrator for membership in memberships),
        roles={authority: frozenset(held) for authority, held in roles.items()},
    )
