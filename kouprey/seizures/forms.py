"""The seizure form: the seizure itself plus one inline formset per kind of child record.

The forms only collect and check single fields; ``SeizureForms.save`` builds a
``services.SeizureRecord`` and saves it through ``services.save_seizure`` so the rules that
span records (origin proportions, duplicate countries) are the same as for the API and the
importers. The errors it raises (``"origins"``, ``"items[0].weight_kg"``) are put back on the
form, formset or child form they name. Nothing is written unless everything is valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kouprey.core.forms import PlainErrors
from kouprey.core.models import Organisation, User
from kouprey.reference.forms import PlaceField, PlaceList
from kouprey.reference.models import Place
from kouprey.seizures.models import (
    OriginCountry,
    Seizure,
    SeizureItem,
    Source,
    Suspect,
    TransitCountry,
)
from kouprey.seizures.services import (
    SeizureRecord,
    check_origins,
    check_transits,
    save_seizure,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The trade chain's rules across rows, checked on their own section when another part of the
# form is refused, so the form shows every error at once rather than these on the next try.
SECTION_CHECKS: dict[str, Callable[[list[Any]], None]] = {
    "origins": check_origins, "transits": check_transits}
CHILD_KEY = re.compile(r"^(?P<group>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def name_unknown_choices(form: forms.BaseForm) -> None:
    """Say "Unknown place" (naming the field) rather than Django's generic choice error."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            message = _("Unknown %(field)s: choose one from the list.") % {
                "field": str(field.label or "").lower()}
            field.error_messages["invalid_choice"] = message
            field.error_messages["invalid_pk_value"] = message


def ticked_first(form: forms.BaseForm, name: str) -> None:
    """Put the ticked boxes of a checkbox list first, in their usual order, then the rest.

    The list scrolls inside its box; GDCE, the usual detecting agency, is 9th, so an editor
    could not see what a seizure has ticked without scrolling (on a phone too)."""
    field = form.fields.get(name)
    if not isinstance(field, forms.ModelMultipleChoiceField):
        return
    ticked = {str(v) for v in form[name].value() or []}
    if not ticked:
        return
    choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
    field.choices = sorted(choices, key=lambda c: str(c[0]) not in ticked)


def place_field(user: User, field: forms.Field) -> PlaceField:
    """The place typed with search-as-you-type (name, Khmer name, IATA or UN/LOCODE code)
    instead of a select of ~930 places; the list of places loads once, from the reference
    endpoint (reference.forms)."""
    return PlaceField(PlaceList(Place.objects.restrict(user)),
                      required=field.required, label=field.label, help_text=_(
                          "Type a few letters of its name or its code (IATA, UN/LOCODE)."))


def share_choices(formset: BaseInlineFormSet[Any, Any, Any]) -> None:
    """Read each list of choices once per formset, not once per row (no N+1 on rendering)."""
    cache: dict[str, list[Any]] = {}
    for form in [*formset.forms, formset.empty_form]:
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField) and not field.widget.is_hidden:
                if name not in cache:
                    cache[name] = list(field.choices)  # type: ignore[arg-type]
                field.choices = cache[name]


class SeizureForm(PlainErrors, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Seizure
        fields = [
            "reference", "date", "place", "discovery_country", "agencies",
            "detection_method", "transport_mode", "concealment",
            "flight_number", "vessel_name", "container_number", "bill_of_lading",
            "air_waybill", "export_country", "destination_country", "description",
            "reason", "validation_status", "owner_org", "confidentiality", "shared_with",
        ]
        widgets = {
            "date": DATE,
            "agencies": forms.CheckboxSelectMultiple,
            "shared_with": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["place"] = place_field(user, self.fields["place"])
        if not user.is_superuser:
            del self.fields["owner_org"]
        others = Organisation.objects.exclude(pk=self.instance.owner_org_id or 0)
        if others.exists():
            self.fields["shared_with"].queryset = others  # type: ignore[attr-defined]
        else:
            del self.fields["shared_with"]
        name_unknown_choices(self)
        for name in ("agencies", "shared_with"):
            ticked_first(self, name)

    # (title, fields in the grid, fields across the whole width), as the form shows them.
    GROUPS: list[tuple[Any, list[str], list[str]]] = [
        (_("Seizure"), ["reference", "date", "place", "discovery_country", "detection_method",
                        "transport_mode", "concealment", "reason", "validation_status"],
         ["agencies"]),
        (_("Conveyance and trade chain"),
         ["flight_number", "vessel_name", "container_number", "bill_of_lading",
          "air_waybill", "export_country", "destination_country"], ["description"]),
    ]
    ACCESS: tuple[Any, list[str], list[str]] = (
        _("Access"), ["owner_org"], ["confidentiality", "shared_with"])

    def group(self, spec: tuple[Any, list[str], list[str]]) -> dict[str, Any]:
        title, names, wide = spec
        return {"title": title, "fields": [self[n] for n in names if n in self.fields],
                "wide": [self[n] for n in wide if n in self.fields]}

    def groups(self) -> list[dict[str, Any]]:
        return [self.group(spec) for spec in self.GROUPS]

    def access_group(self) -> dict[str, Any]:
        return self.group(self.ACCESS)

    def clean_confidentiality(self) -> int:
        level = self.cleaned_data["confidentiality"]
        if not self.user.is_superuser and level > self.user.clearance:
            raise ValidationError(_("Your clearance does not allow this level; you could not "
                                    "read the record afterwards."))
        return int(level)


class ChildForm(PlainErrors, forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_unknown_choices(self)


# A country twice in one section, in the services' words (Django's own: "Please correct the
# duplicate data for country.").
LISTED_TWICE: dict[Any, Any] = {OriginCountry: _("A country of origin is listed twice."),
                TransitCountry: _("A transit country is listed twice.")}


class ChildFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def get_unique_error_message(self, unique_check: Any) -> str:
        return str(LISTED_TWICE.get(self.model, _("Listed twice.")))

    def get_form_error(self) -> str:
        return str(_("Already listed in another row."))


def _formset(model: type[Any], fields: list[str], widgets: dict[str, Any] | None = None,
             ) -> type[BaseInlineFormSet[Any, Any, Any]]:
    return inlineformset_factory(Seizure, model, form=ChildForm, formset=ChildFormSet,
                                 fields=fields, extra=1,
                                 can_delete=True, widgets=widgets or {},
                                 formfield_callback=_formfield)


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


# (prefix, section title, title of one row, formset class), in the order the form shows them.
CHILDREN: list[tuple[str, Any, Any, type[BaseInlineFormSet[Any, Any, Any]]]] = [
    ("items", _("Seized items"), _("Item"), _formset(
        SeizureItem, ["taxon", "commodity", "worked", "pieces", "count_unit", "weight_kg",
                      "volume_m3", "value", "currency", "description", "disposal"])),
    ("origins", _("Countries of origin"), _("Origin"),
     _formset(OriginCountry, ["country", "proportion"])),
    ("transits", _("Transit countries"), _("Transit"), _formset(
        TransitCountry, ["country", "position", "seizure_opportunity"])),
    ("suspects", _("Suspects"), _("Suspect"), _formset(
        Suspect, ["name", "name_latin", "nationality", "role", "arrested"])),
    ("sources", _("Sources"), _("Source"), _formset(
        Source, ["kind", "reference", "url", "date"], {"date": DATE})),
]


@dataclass
class Section:
    prefix: str
    title: Any
    row_title: Any
    formset: BaseInlineFormSet[Any, Any, Any]


class SeizureForms:
    """The seizure form and its child formsets, bound together, validated and saved as one."""

    def __init__(self, user: User, instance: Seizure, data: QueryDict | None = None) -> None:
        self.user = user
        self.instance = instance
        self.form = SeizureForm(data, instance=instance, user=user)
        self.sections = [Section(prefix, title, row, cls(data, instance=instance, prefix=prefix))
                         for prefix, title, row, cls in CHILDREN]
        for section in self.sections:
            share_choices(section.formset)
        self.record_forms: dict[str, list[Any]] = {}

    @classmethod
    def with_added_row(cls, user: User, instance: Seizure, data: QueryDict, prefix: str
                       ) -> SeizureForms:
        """The same forms with one more empty row in the ``prefix`` formset."""
        data = data.copy()
        key = f"{prefix}-TOTAL_FORMS"
        if key in data:
            data[key] = str(int(str(data.get(key) or 0)) + 1)
        return cls(user, instance, data)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for section in self.sections:
            valid = section.formset.is_valid() and valid
        return valid

    def _kept(self, formset: BaseInlineFormSet[Any, Any, Any]) -> list[Any]:
        kept = []
        for form in formset.forms:
            if formset.can_delete and form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra row
            kept.append(form)
        return kept

    def record(self) -> SeizureRecord:
        seizure = self.form.instance
        if not seizure.owner_org_id and self.user.organisation_id:
            seizure.owner_org_id = self.user.organisation_id
        record = SeizureRecord(seizure=seizure,
                               agencies=list(self.form.cleaned_data.get("agencies", [])))
        for section in self.sections:
            kept = self._kept(section.formset)
            self.record_forms[section.prefix] = kept
            setattr(record, section.prefix, [f.instance for f in kept])
        return record

    def save(self) -> Seizure | None:
        """Save everything through services.save_seizure; None (with errors set) if refused."""
        if not self.is_valid():
            self._check_sections()
            return None
        adding = self.instance._state.adding  # noqa: SLF001
        record = self.record()
        try:
            with transaction.atomic():
                seizure = save_seizure(record)
                seizure.shared_with.set(self.form.cleaned_data.get("shared_with", []))
        except ValidationError as exc:
            if adding:  # rolled back: the form must still show a new record
                self.instance.pk = None
                self.instance._state.adding = True  # noqa: SLF001
            self.add_service_errors(exc)
            return None
        return seizure

    def _check_sections(self) -> None:
        """``SECTION_CHECKS`` on each section whose rows are all valid (a row refused for
        its own value is not summed with the others)."""
        for section in self.sections:
            check = SECTION_CHECKS.get(section.prefix)
            if check is None or not section.formset.is_valid():
                continue
            try:
                check([form.instance for form in self._kept(section.formset)])
            except ValidationError as exc:
                self.add_service_errors(exc)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put each error from the service on the form, formset or row it names."""
        formsets: dict[str, Any] = {s.prefix: s.formset for s in self.sections}
        for key, messages in exc.message_dict.items():
            match = CHILD_KEY.match(key)
            if match:
                rows = self.record_forms.get(match["group"], [])
                index = int(match["index"])
                if index < len(rows):
                    _add(rows[index], match["field"], messages)
                    continue
            if key in formsets:
                formsets[key]._non_form_errors.extend(messages)  # noqa: SLF001
            else:
                _add(self.form, key, messages)

    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(
            s.formset.total_error_count() for s in self.sections)


def _add(form: forms.BaseForm, field: str, messages: list[str]) -> None:
    for message in messages:
        if field in form.fields:
            form.add_error(field, message)
        else:
            label = field if field == "__all__" else field.replace("_", " ")
            form.add_error(None, message if field == "__all__" else f"{label}: {message}")
