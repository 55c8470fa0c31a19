"""The version of the list of places: part of the address a page asks the list from.

Pages load their list of places from ``reference:place_options`` and the browser keeps the
answer (reference.views). The address carries ``v=`` (``options_url`` in reference.forms),
a fingerprint of what the list shows: every place's id, names, codes and the order of the
list. A place added, renamed, recoded or deleted (in /admin/, by ``kouprey init``, by an
import, by SQL) gives another address, which the browser has not kept, so the next page
shows it; an unchanged list keeps its address and its cached copy.

Reading the fingerprint costs ~1.5 ms (930 places). It is kept in Django's cache under the
data version (core.dataversion), which the database raises on every committed write to the
records, reference data included: a page then costs one one-row query. As in
indicators.cache the fingerprint is only kept when the version read before and after it
agree (no write committed in between), and is not kept inside a transaction (``atomic``),
whose own writes may still roll back.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import connections, router

from kouprey.core import dataversion
from kouprey.reference.models import Place

PREFIX = "kouprey:places-version"
TIMEOUT = 24 * 3600
FIELDS = ("pk", "name", "name_km", "iata", "locode")


def fingerprint() -> str:
    """12 hex digits of the places' ids, names and codes, in the list's order."""
    rows = Place.objects.values_list(*FIELDS)  # the model's order: the list's order
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:12]


def current() -> str:
    """``fingerprint()``, from the cache while no write was committed since it was read."""
    connection = connections[router.db_for_read(Place)]
    if connection.in_atomic_block:
        return fingerprint()
    before = dataversion.current(connection.alias)
    if before is None:  # no version row (a database being set up): nothing to key on
        return fingerprint()
    db = connection.settings_dict
    key = f"{PREFIX}:{before}:" + hashlib.sha256(repr(
        (db.get("NAME"), db.get("HOST"), db.get("PORT"))).encode()).hexdigest()[:16]
    found: str | None = cache.get(key)
    if found is not None:
        return found
    value = fingerprint()
    if dataversion.current(connection.alias) == before:
        cache.set(key, value, TIMEOUT)
    return value
