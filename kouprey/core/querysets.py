"""The restricted queryset: the only way records are read (STYLE.md rule 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from kouprey.core.permissions import SHARED_ACTIONS, VIEW, Confidentiality, can

if TYPE_CHECKING:
    from kouprey.core.models import User


def visibility_q(user: User, action: str, prefix: str = "") -> Q:
    """The condition a record (reached through ``prefix``) must meet for ``user``."""
    if user.is_superuser:
        return Q()
    org = user.organisation_id
    level = f"{prefix}confidentiality__lte"
    owned = Q(**{f"{prefix}owner_org": org}) & Q(**{level: user.clearance})
    if action not in SHARED_ACTIONS:
        return owned
    shared = Q(**{f"{prefix}shared_with": org}) & Q(
        **{level: min(user.clearance, Confidentiality.CONFIDENTIAL)}
    )
    open_to_all = Q(**{f"{prefix}confidentiality": Confidentiality.OPEN})
    return owned | shared | open_to_all


class RestrictedQuerySet(models.QuerySet[Any]):
    """Owned records: ``restrict(user, action)`` keeps only what the user may act on."""

    restrict_prefix = ""

    def restrict(self, user: User | None, action: str = VIEW) -> RestrictedQuerySet:
        if user is None or not can(user, action):
            return self.none()
        condition = visibility_q(user, action, self.restrict_prefix)
        if not condition:
            return self.all()
        ids = self.model._default_manager.filter(condition).values("pk")  # noqa: SLF001
        return self.filter(pk__in=ids)


class SeizureChildQuerySet(RestrictedQuerySet):
    """Items, suspects, chain countries and sources: readable where their seizure is."""

    restrict_prefix = "seizure__"


class CaseChildQuerySet(RestrictedQuerySet):
    """Agency roles, defendants and events: readable where their case is."""

    restrict_prefix = "case__"


class ReferenceQuerySet(models.QuerySet[Any]):
    """Reference data: every signed-in user reads it; only admins change it."""

    def restrict(self, user: User | None, action: str = VIEW) -> ReferenceQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if action == VIEW or user.is_superuser or can(user, "manage"):
            return self.all()
        return self.none()


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
SeizureChildManager = models.Manager.from_queryset(SeizureChildQuerySet)
CaseChildManager = models.Manager.from_queryset(CaseChildQuerySet)
ReferenceManager = models.Manager.from_queryset(ReferenceQuerySet)
