"""A place typed in a text field with search-as-you-type, for every form and filter.

About 930 places (ports, dry ports, airports, border crossings) make a ``<select>`` that
cannot be searched by typing and weighs ~50 KB a page. Instead the place is typed in an
``<input list=...>`` tied to a ``<datalist>`` of place labels (``Name (CODE)``), which
browsers filter as one types, also on phones. ``PlaceList`` holds the labels and finds the
place a text names; ``PlaceField`` is the form field; ``PlaceInput`` its widget.

Every place field of a page is tied to the page's one ``<datalist id="places">``, written
once per page, empty, by the ``place_datalist`` template tag (reference.templatetags.places;
``web/_field.html`` calls it for each place field, and writes it the first time only). The
first time any place field of the page gets the focus, htmx fills it from the reference
endpoint ``reference:place_options``, whose answer the browser keeps; the address names the
language and the version of the list (reference.versions), so a place added or renamed
shows on the next page. Without JavaScript the list stays empty and the server still finds
the place from its name or code.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kouprey.reference import versions
from kouprey.reference.models import Place

LIST_ID = "places"
# A typed value is quoted back in an error message up to this length.
QUOTED = 60


class PlaceList:
    """The places a field may name, and the place a typed text names.

    A place is found by its label in either language (``Name (CODE)``), its English or
    Khmer name, its IATA or UN/LOCODE code, or its id (the JSON twins and scripts send ids).
    A text that several places share (a name, or KHPNH for Phnom Penh's river port and its
    dry port) finds none of them: ``shared(text)`` names them, so the message can.
    """

    def __init__(self, queryset: QuerySet[Place], list_id: str = LIST_ID) -> None:
        self.queryset = queryset
        self.list_id = list_id
        self._labels: dict[int, str] | None = None
        self._keys: dict[str, set[int]] = {}

    def _load(self) -> dict[int, str]:
        if self._labels is not None:
            return self._labels
        khmer = (get_language() or "en").startswith("km")
        self._labels = {}
        seen: set[str] = set()
        for pk, name, name_km, iata, locode in self.queryset.values_list(
                "pk", "name", "name_km", "iata", "locode"):
            code = iata or locode
            label = self._label((name_km or name) if khmer else name, code)
            if label in seen:  # the same name and code twice: the id tells them apart
                label = f"{label} #{pk}"
            seen.add(label)
            self._labels[pk] = label
            for key in {label, self._label(name, code), self._label(name_km, code), name,
                        name_km, iata, locode, str(pk)} - {""}:
                self._keys.setdefault(key.casefold(), set()).add(pk)
        return self._labels

    @staticmethod
    def _label(name: str, code: str) -> str:
        if not name:
            return ""
        return f"{name} ({code})" if code else name

    def labels(self) -> list[str]:
        return list(self._load().values())

    def items(self) -> list[tuple[int, str]]:
        """(id, label) of every place, in the queryset's order."""
        return list(self._load().items())

    def label(self, pk: Any) -> str:
        """The label of the place with this id (the text itself when it is no id)."""
        if not str(pk).isdigit():
            return str(pk)
        return self._load().get(int(pk), str(pk))

    def _found(self, text: str) -> set[int]:
        self._load()
        return self._keys.get(text.strip().casefold(), set())

    def find(self, text: str) -> int | None:
        """The id of the place ``text`` names, or None (unknown, or several places)."""
        found = self._found(text)
        return next(iter(found)) if len(found) == 1 else None

    def shared(self, text: str) -> list[str]:
        """The labels of the places ``text`` names when there are several, else []."""
        found = self._found(text)
        labels = self._load()
        return sorted(labels[pk] for pk in found) if len(found) > 1 else []


class PlaceInput(forms.TextInput):
    """A text input tied to the page's ``<datalist>`` of places (``list_id``), which the
    page writes once (``place_datalist``), not the widget: several fields share it."""

    def __init__(self, list_id: str = LIST_ID, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"list": list_id, "autocomplete": "off", **(attrs or {})})
        self.list_id = list_id


def options_url() -> str:
    """The reference endpoint's address for the current language and the current version
    of the list (each a cache key of its own: a changed list is a new address)."""
    return (f"{reverse('reference:place_options')}?lang={get_language() or 'en'}"
            f"&v={versions.current()}")


def lazy_datalist(list_id: str = LIST_ID) -> SafeString:
    """The empty ``<datalist>`` that htmx fills from ``options_url()`` on the first focus of
    a field tied to it. Write it once per page: ``{% place_datalist %}`` sees to that."""
    return render_to_string("reference/_place_datalist.html", {
        "list_id": list_id, "url": options_url()})


class PlaceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A place named in a text field (see the module docstring); ``places`` may be shared
    by several fields of a page (its labels are read once), else one is made from
    ``queryset``."""

    default_error_messages = {
        "unknown_place": _("Unknown %(field)s “%(value)s”. Pick a place from the list: its "
                           "name, or its IATA or UN/LOCODE code."),
        "shared_place": _("“%(value)s” names more than one %(field)s: %(names)s. Pick a "
                          "place from the list: one of these, as written here."),
    }

    def __init__(self, places: PlaceList | None = None, *,
                 queryset: QuerySet[Place] | None = None, **kwargs: Any) -> None:
        if places is None:
            places = PlaceList(queryset if queryset is not None else Place.objects.all())
        kwargs.setdefault("widget", PlaceInput(places.list_id))
        super().__init__(queryset=places.queryset, **kwargs)
        self.places = places

    def prepare_value(self, value: Any) -> Any:
        if value in self.empty_values:
            return ""
        return self.places.label(value.pk if isinstance(value, Place) else value)

    def to_python(self, value: Any) -> Place | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        pk = self.places.find(text)
        if pk is None:
            raise ValidationError(self._problem(text))
        return super().to_python(pk)  # type: ignore[no-any-return]

    def _problem(self, text: str) -> ValidationError:
        params = {"field": str(self.label or Place._meta.verbose_name).lower(),  # noqa: SLF001
                  "value": text if len(text) <= QUOTED else text[:QUOTED] + "…"}
        shared = self.places.shared(text)
        if shared:
            return ValidationError(self.error_messages["shared_place"], code="shared_place",
                                   params={**params, "names": "; ".join(shared)})
        return ValidationError(self.error_messages["unknown_place"], code="invalid_choice",
                               params=params)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = initial.pk if isinstance(initial, Place) else initial
        return str(old if old is not None else "") != str(new.pk if new else "")
