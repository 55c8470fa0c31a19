"""Form widgets for pages that must render fast.

``Select`` renders the same HTML as Django's ``forms.Select`` but builds it with one string
join instead of a template per option: a list page's filter form has selects with every
place (~1,000), country (~250, three times), taxon and agency, and Django's per-option
template rendering cost more than the rest of the page together (hundreds of ms).

The options of a ``ModelChoiceField`` (a database query plus a label per record) are also
cached in the process, keyed by the query, the language and the data version
(``core.dataversion``): any committed write to the reference tables raises the version, so a
cached list is never stale. The version is read before the options, so an entry never holds
data older than its version; inside a transaction (``atomic``) nothing is cached, as in
``indicators.cache``. Every label and value is escaped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import connections
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from kouprey.core import dataversion

# (raw value, escaped value, escaped label); a group is (escaped label or None, options).
Option = tuple[str, str, str]
Group = tuple[str | None, list[Option]]

CACHE_SIZE = 64
_cache: dict[tuple[Any, ...], list[Group]] = {}
_lock = threading.Lock()


def _escaped_groups(choices: Iterable[Any]) -> list[Group]:
    groups: list[Group] = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            groups.append((str(conditional_escape(value)),
                           [_option(v, lbl) for v, lbl in label]))
        else:
            groups.append((None, [_option(value, label)]))
    return groups


def _option(value: Any, label: Any) -> Option:
    raw = "" if value is None else str(value)
    return raw, str(conditional_escape(raw)), str(conditional_escape(label))


def _cache_key(choices: Any) -> tuple[Any, ...] | None:
    """The cache key of a model field's choices, or None (not cached)."""
    if not isinstance(choices, ModelChoiceIterator):
        return None
    field = choices.field
    queryset = field.queryset
    if queryset is None or connections[queryset.db].in_atomic_block:
        # Inside a transaction the version may cover writes not committed yet (and may
        # roll back, then be reused for other data): never cache there.
        return None
    try:
        version = dataversion.current(queryset.db)
    except Exception:  # noqa: BLE001 - no version table (yet): just do not cache
        return None
    if version is None:
        return None
    return (queryset.model._meta.label_lower, str(queryset.query),  # noqa: SLF001
            str(field.empty_label), type(field).__name__,
            getattr(field.label_from_instance, "__qualname__", ""),
            get_language(), queryset.db, version)


def option_groups(choices: Any) -> list[Group]:
    """The escaped options of ``choices`` (cached for model choices)."""
    key = _cache_key(choices)
    if key is None:
        return _escaped_groups(choices)
    found = _cache.get(key)
    if found is None:
        found = _escaped_groups(choices)
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[key] = found
    return found


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def attributes(attrs: dict[str, Any]) -> str:
    """HTML attributes in their order, as Django's ``attrs.html`` writes them (escaped)."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False and value is not None:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


class Select(forms.Select):
    """``forms.Select`` with the same HTML, rendered with one join (see the module doc)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs.pop("name", None)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        wanted = set(self.format_value(value))
        has_selected = False
        parts = [f'<select name="{conditional_escape(name)}"{attributes(final_attrs)}>']
        for group, options in option_groups(self.choices):
            if group is not None:
                parts.append(f'\n  <optgroup label="{group}">')
            for raw, option_value, label in options:
                selected = ((not has_selected or self.allow_multiple_selected)
                            and raw in wanted)
                has_selected |= selected
                mark = " selected" if selected else ""
                parts.append(f'\n  <option value="{option_value}"{mark}>{label}</option>')
            if group is not None:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above  # nosec B308 B703


def fast_select(widget: forms.Widget) -> forms.Widget:
    """``widget`` as a fast ``Select`` if it is a plain ``forms.Select``; else unchanged."""
    if type(widget) is not forms.Select:
        return widget
    fast = Select(attrs=widget.attrs)
    fast.choices = widget.choices
    fast.is_required = widget.is_required
    fast.is_localized = widget.is_localized
    return fast
