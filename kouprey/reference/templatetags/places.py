"""``{% place_datalist %}``: the page's one list of places, written once per page.

``{% place_datalist field %}`` (``web/_field.html`` writes it after each place field) or
``{% place_datalist %}`` / ``{% place_datalist "list-id" %}`` (a template that wants the
list at a given spot, e.g. before rows cloned from a ``<template>``) writes the empty,
lazily filled ``<datalist>`` (reference.forms.lazy_datalist) the first time a list id is
asked for in a page, and nothing after: several place fields (a filter and a form, the
event rows of a case) share one list and the page has no duplicate id. "A page" is one
rendering of a template (its includes and the templates it extends): an htmx fragment
rendered on its own writes its own list.
"""

from __future__ import annotations

from typing import Any

from django import forms, template

from kouprey.reference.forms import LIST_ID, PlaceInput, lazy_datalist

register = template.Library()
WRITTEN = "kouprey.reference.place_lists"  # the ids written so far in this rendering


@register.simple_tag(takes_context=True)
def place_datalist(context: template.Context, field: forms.BoundField | str = LIST_ID) -> str:
    if isinstance(field, forms.BoundField):
        widget = field.field.widget
        if not isinstance(widget, PlaceInput):
            return ""
        list_id = widget.list_id
    else:
        list_id = str(field)
    # The bottom dict of the render context lives as long as the whole rendering (an
    # included template pushes and pops dicts above it); Django's {% include %} caches there.
    bottom: Any = context.render_context.dicts[0]  # the stubs type it narrower than it is
    written: set[str] = bottom.setdefault(WRITTEN, set())
    if list_id in written:
        return ""
    written.add(list_id)
    return lazy_datalist(list_id)  # rendered by a template: escaped, safe
