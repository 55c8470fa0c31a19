"""The restricted queryset: the only way records are read (STYLE.md rule 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from kouprey.core.permissions import SHARED_ACTIONS, VIEW, Confidentiality, can

if TYPE_CHECKING:
    from kouprey.core.models import User


def _shared_with(model: Any, org: int | None) -> Exists:
    """A correlated EXISTS on the record's sharing table (no join, so no duplicate rows)."""
    through = model._meta.get_field("shared_with").remote_field.through  # noqa: SLF001
    record_field = next(f.name for f in through._meta.fields  # noqa: SLF001
                        if f.is_relation and f.related_model is model)
    org_field = next(f.name for f in through._meta.fields  # noqa: SLF001
                     if f.is_relation and f.related_model is not model)
    return Exists(through.objects.filter(**{record_field: OuterRef("pk"), org_field: org}))


def visibility_q(model: Any, user: User, action: str) -> Q:
    """The condition an owned record must meet for ``user`` to take ``action`` on it."""
    if user.is_superuser:
        return Q()
    org = user.organisation_id
    owned = Q(owner_org=org, confidentiality__lte=user.clearance)
    if action not in SHARED_ACTIONS:
        return owned
    shared = Q(_shared_with(model, org),
               confidentiality__lte=min(user.clearance, Confidentiality.CONFIDENTIAL))
    return owned | Q(confidentiality=Confidentiality.OPEN) | shared


class RestrictedQuerySet(models.QuerySet[Any]):
    """Owned records: ``restrict(user, action)`` keeps only what the user may act on."""

    def restrict(self, user: User | None, action: str = VIEW) -> RestrictedQuerySet:
        if user is None or not can(user, action):
            return self.none()
        condition = visibility_q(self.model, user, action)
        return self.filter(condition) if condition else self.all()


class ChildQuerySet(RestrictedQuerySet):
    """Records owned through a parent: readable and changeable where the parent is."""

    parent_field = ""

    def restrict(self, user: User | None, action: str = VIEW) -> RestrictedQuerySet:
        if user is None or not can(user, action):
            return self.none()
        parent = self.model._meta.get_field(self.parent_field).related_model  # noqa: SLF001
        condition = visibility_q(parent, user, action)
        if not condition:
            return self.all()
        parents = parent._default_manager.filter(condition).values("pk")  # noqa: SLF001
        return self.filter(**{f"{self.parent_field}__in": parents})


class SeizureChildQuerySet(ChildQuerySet):
    """Items, suspects, chain countries and sources: readable where their seizure is."""

    parent_field = "seizure"


class CaseChildQuerySet(ChildQuerySet):
    """Agency roles, defendants and events: readable where their case is."""

    parent_field = "case"


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
