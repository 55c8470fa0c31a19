"""A record's change history, from the audit log, in the reader's language.

``history(record)`` gives the entries of a record and its children, newest first (render
them with ``{% include "web/_history.html" %}``, JSON with ``history_json``). What is
translated when the page is shown, not when the change was stored:

- field labels are the model fields' ``verbose_name`` (through gettext), and a choice's
  value its label;
- a value that is a reference row (place, agency, country, taxon, vocabulary entry) is the
  row's name in the page's language when the row still exists: found by the id the audit
  log keeps since 2026-11-22 (core.audit), or, for older entries that kept only the label,
  by the one row of that name (English or Khmer; a taxon by its scientific name);
- anything else (a deleted row, a field the model no longer has, a label that names no row
  or several) shows as it was stored. Reading an old entry never fails.

Only rows of the reference app are looked up: every signed-in user may read them, while a
record's current label (a seizure's, say) could say more than the stored one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q

from kouprey.core.models import AuditEntry

REFERENCE_APP = "reference"


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    who: str
    action: str
    action_label: str
    record_type: str
    record: str
    changes: list[Change]


def _field(model_label: str, name: str) -> Any:
    try:
        return apps.get_model(model_label)._meta.get_field(name)  # noqa: SLF001
    except (LookupError, FieldDoesNotExist, ValueError):
        return None


def _plain(value: Any) -> str:
    from kouprey.web.lists import plain_text

    return plain_text(value)


def _shown(model_field: Any, value: Any) -> str:
    if value is None or value == "":
        return ""
    choices = dict(getattr(model_field, "flatchoices", None) or [])
    try:
        if value in choices:
            return str(choices[value])
    except TypeError:  # an unhashable value stored for a field that now has choices
        pass
    return _plain(value)


def _is_noise(model_field: Any, root_model: str) -> bool:
    """The id, and a child's link to its own record, say nothing a reader needs."""
    if model_field is None:
        return False
    if getattr(model_field, "primary_key", False):
        return True
    related = getattr(model_field, "related_model", None)
    return bool(getattr(model_field, "many_to_one", False) and related is not None
                and related._meta.label_lower == root_model)  # noqa: SLF001


def _reference_model(model_field: Any) -> type[Model] | None:
    """The reference model a foreign key or many-to-many field points to, else None."""
    related = getattr(model_field, "related_model", None)
    if related is None or not (model_field.many_to_one or model_field.many_to_many):
        return None
    return related if related._meta.app_label == REFERENCE_APP else None  # noqa: SLF001


# -- reference rows named in the reader's language -----------------------------------------

class Names:
    """The rows a page's history refers to, fetched in one query per model, shown as
    ``str(row)`` (the name in the active language)."""

    def __init__(self) -> None:
        self.ids: dict[type[Model], set[Any]] = defaultdict(set)
        self.labels: dict[type[Model], set[str]] = defaultdict(set)
        self.by_id: dict[tuple[type[Model], Any], str] = {}
        self.by_label: dict[tuple[type[Model], str], str] = {}

    def want(self, model: type[Model], ids: Iterable[Any], labels: Iterable[Any]) -> None:
        self.ids[model].update(i for i in ids if isinstance(i, (int, str)) and i != "")
        self.labels[model].update(str(x) for x in labels if isinstance(x, str) and x)

    def fetch(self) -> None:
        for model, ids in self.ids.items():
            for row in model._base_manager.filter(pk__in=ids):  # noqa: SLF001
                self.by_id[(model, row.pk)] = str(row)
        for model, labels in self.labels.items():
            self._fetch_labels(model, labels)

    def _fetch_labels(self, model: type[Model], labels: set[str]) -> None:
        names = {f for f in ("name", "name_km") if _has(model, f)}
        if names:
            keys = {label: label for label in labels}
            query = Q()
            for name in names:
                query |= Q(**{f"{name}__in": labels})
        elif _has(model, "scientific_name"):  # a taxon: "Panthera leo (Lion)"
            names = {"scientific_name"}
            keys = {label: label.split(" (")[0] for label in labels}
            query = Q(scientific_name__in=set(keys.values()))
        else:
            return
        found: dict[str, list[Model]] = defaultdict(list)
        for row in model._base_manager.filter(query):  # noqa: SLF001
            for name in names:
                found[getattr(row, name)].append(row)
        for label, key in keys.items():
            rows = {row.pk: row for row in found.get(key, [])}
            if len(rows) == 1:  # several rows of that name: keep the stored label
                self.by_label[(model, label)] = str(next(iter(rows.values())))

    def name(self, model: type[Model], row_id: Any, label: Any) -> Any:
        """The row's current name, else the label as stored."""
        if row_id is not None and (model, row_id) in self.by_id:
            return self.by_id[(model, row_id)]
        if isinstance(label, str) and (model, label) in self.by_label:
            return self.by_label[(model, label)]
        return label


def _has(model: type[Model], name: str) -> bool:
    try:
        model._meta.get_field(name)  # noqa: SLF001
    except FieldDoesNotExist:
        return False
    return True


def _pairs(change: Any) -> list[tuple[Any, Any]]:
    """(id, label) of a stored value: a foreign key's old and new, or a many-to-many's
    added and removed rows."""
    if isinstance(change, list) and len(change) == 4:
        return [(change[2], change[0]), (change[3], change[1])]
    if isinstance(change, list) and len(change) == 2:
        return [(None, change[0]), (None, change[1])]
    if isinstance(change, dict):
        return _rows(change, "added") + _rows(change, "removed")
    return []


def _rows(change: dict[str, Any], verb: str) -> list[tuple[Any, Any]]:
    """(id, label) of the rows a many-to-many change added or removed; the ids are None
    where the entry kept labels only (before 2026-11-22) or they do not match the labels."""
    labels = change.get(verb) or []
    if not isinstance(labels, list):
        return []
    ids = change.get(f"{verb}_ids") or []
    if not (isinstance(ids, list) and len(ids) == len(labels)):
        ids = [None] * len(labels)
    return list(zip(ids, labels, strict=True))


def _collect(entries: Sequence[AuditEntry], names: Names) -> None:
    for entry in entries:
        if not isinstance(entry.changes, dict):
            continue
        for name, change in entry.changes.items():
            model = _reference_model(_field(entry.model, name))
            if model is not None:
                pairs = _pairs(change)
                names.want(model, (i for i, _label in pairs if i is not None),
                           (label for i, label in pairs if i is None))


def _joined(model: type[Model] | None, change: dict[str, Any], verb: str,
            names: Names) -> str:
    labels = change.get(verb) or []
    if not isinstance(labels, list):
        return _plain(labels)
    rows = _rows(change, verb)
    shown = [names.name(model, i, label) if model is not None else label for i, label in rows]
    return ", ".join(str(label) for label in shown)


def _changes(entry: AuditEntry, names: Names) -> list[Change]:
    result = []
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for name, change in changes.items():
        model_field = _field(entry.model, name)
        if _is_noise(model_field, entry.root_model):
            continue
        label = str(getattr(model_field, "verbose_name", name))
        model = _reference_model(model_field)
        if isinstance(change, dict):  # many-to-many: {"added": [...], "added_ids": [...]}
            result.append(Change(label, _joined(model, change, "removed", names),
                                 _joined(model, change, "added", names)))
        elif isinstance(change, list) and len(change) in (2, 4):
            old, new = change[0], change[1]
            if model is not None:
                (old_id, _o), (new_id, _n) = _pairs(change)
                old, new = names.name(model, old_id, old), names.name(model, new_id, new)
            result.append(Change(label, _shown(model_field, old), _shown(model_field, new)))
    return result


def _record_type(model_label: str) -> str:
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)  # noqa: SLF001
    except (LookupError, ValueError):
        return model_label


def history(record: Model, limit: int | None = None) -> list[HistoryEntry]:
    """The change history of a record and its children, newest first.

    Read only after the caller has fetched ``record`` through ``restrict()``.
    """
    query = AuditEntry.objects.filter(
        root_model=record._meta.label_lower, root_id=str(record.pk),  # noqa: SLF001
    ).order_by("-at", "-id")
    entries = list(query[:limit] if limit else query)
    names = Names()
    _collect(entries, names)
    names.fetch()
    return [HistoryEntry(entry.at, entry.actor_name, entry.action, entry.get_action_display(),
                         _record_type(entry.model), entry.object_repr, _changes(entry, names))
            for entry in entries]


def history_json(entries: Sequence[HistoryEntry]) -> list[dict[str, Any]]:
    return [{"at": e.at.isoformat(), "who": e.who, "action": e.action,
             "record_type": e.record_type, "record": e.record,
             "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in e.changes]}
            for e in entries]
