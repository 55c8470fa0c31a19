"""Roles, confidentiality levels and the rule that joins them: the one permission layer.

A user belongs to one organisation and has one role. A record belongs to one organisation,
has a confidentiality level and may be shared with other organisations. Everything that
reads records goes through ``RestrictedQuerySet.restrict(user, action)`` (core.querysets),
which asks this module what the user may do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from kouprey.core.models import User


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    ANALYST = "analyst", _("Analyst")
    EDITOR = "editor", _("Editor")
    ADMIN = "admin", _("Admin")


class Confidentiality(models.IntegerChoices):
    OPEN = 1, _("Open to all organisations")
    RESTRICTED = 2, _("Restricted to owner and shared organisations")
    CONFIDENTIAL = 3, _("Confidential: cleared users of owner and shared organisations")
    SECRET = 4, _("Secret: cleared users of the owning organisation only")


VIEW, ADD, CHANGE, DELETE, EXPORT, IMPORT, MANAGE = (
    "view", "add", "change", "delete", "export", "import", "manage",
)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({VIEW}),
    Role.ANALYST: frozenset({VIEW, EXPORT}),
    Role.EDITOR: frozenset({VIEW, EXPORT, ADD, CHANGE, IMPORT}),
    Role.ADMIN: frozenset({VIEW, EXPORT, ADD, CHANGE, IMPORT, DELETE, MANAGE}),
}

# Actions a shared (non-owning) organisation may take on a record: reading only.
SHARED_ACTIONS = frozenset({VIEW, EXPORT})


def can(user: User | None, action: str) -> bool:
    """May this user take this action on some record at all (before record rules)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.organisation_id is None:
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())
