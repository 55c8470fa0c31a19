"""The audit log: every create, update and delete of an audited model, with its diff.

The acting user is held in a context variable set by ``ActorMiddleware`` for web and API
requests and by ``acting_as`` for the CLI and services. Models opt in by defining
``audit_root()`` (the record whose history shows the change; usually ``self``).

An entry's ``changes`` maps a field name to ``[old, new]``; a foreign key to ``[old label,
new label, old id, new id]`` (labels as shown when saved, ids so that a history can name the
row in the reader's language; entries written before 2026-11-22 have labels only); a
many-to-many field to ``{"added": [labels], "added_ids": [ids]}`` (or ``removed``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("kouprey_actor", default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Any:
    return _actor.get()


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The field values of a record, in plain JSON types, foreign keys by their label."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:  # noqa: SLF001
        if field.name in {"created_at", "updated_at", "search_text"}:
            continue
        if isinstance(field, models.ForeignKey):
            values[field.name] = _plain(getattr(instance, field.name)) if getattr(
                instance, field.attname) is not None else None
        else:
            values[field.name] = _plain(getattr(instance, field.attname))
    return values


def reference_ids(instance: models.Model) -> dict[str, Any]:
    """The id each foreign key points to (None when empty), by field name."""
    return {field.name: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields  # noqa: SLF001
            if isinstance(field, models.ForeignKey)}


def _change(name: str, old: Any, new: Any, old_ids: dict[str, Any],
            new_ids: dict[str, Any]) -> list[Any]:
    if name in old_ids or name in new_ids:  # a foreign key: the labels, then the ids
        return [old, new, old_ids.get(name), new_ids.get(name)]
    return [old, new]


def _is_audited(sender: Any) -> bool:
    return hasattr(sender, "audit_root")


def record(instance: Any, action: str, changes: dict[str, Any]) -> None:
    from kouprey.core.models import AuditEntry

    actor = current_actor()
    root = instance.audit_root()
    AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        root_model=root._meta.label_lower,
        root_id=str(root.pk),
        changes=changes,
    )


def _pre_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _is_audited(sender):
        return
    old = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = snapshot(old) if old is not None else None
    instance._audit_ids_before = reference_ids(old) if old is not None else {}


def _post_save(sender: Any, instance: Any, created: bool, raw: bool = False,
               **kwargs: Any) -> None:
    if raw or not _is_audited(sender):
        return
    after, ids = snapshot(instance), reference_ids(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        record(instance, "create", {k: _change(k, None, v, {}, ids)
                                    for k, v in after.items() if v not in (None, "")})
        return
    old_ids = getattr(instance, "_audit_ids_before", {})
    diff = {k: _change(k, before.get(k), v, old_ids, ids) for k, v in after.items()
            if before.get(k) != v or old_ids.get(k) != ids.get(k)}
    if diff:
        record(instance, "update", diff)


def _post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _is_audited(sender):
        ids = reference_ids(instance)
        record(instance, "delete", {k: _change(k, v, None, ids, {})
                                    for k, v in snapshot(instance).items()})


def _m2m_changed(sender: Any, instance: Any, action: str, model: Any, pk_set: Any,
                 **kwargs: Any) -> None:
    if not _is_audited(type(instance)) or action not in {"post_add", "post_remove"}:
        return
    if not pk_set:
        return
    rows = sorted(model._base_manager.filter(pk__in=pk_set), key=lambda o: (str(o), o.pk))
    field = next((f.name for f in instance._meta.many_to_many
                  if f.remote_field.through is sender), "links")
    verb = "added" if action == "post_add" else "removed"
    record(instance, "update", {field: {verb: [str(o) for o in rows],
                                        f"{verb}_ids": [o.pk for o in rows]}})


def connect() -> None:
    pre_save.connect(_pre_save, dispatch_uid="kouprey-audit-pre")
    post_save.connect(_post_save, dispatch_uid="kouprey-audit-post")
    post_delete.connect(_post_delete, dispatch_uid="kouprey-audit-delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="kouprey-audit-m2m")
