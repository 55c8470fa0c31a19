"""The case form: the case, its seizures, agencies, defendants and timeline on one page.

``CaseForms`` binds the case form and its three inline formsets, turns them into the lists
``services.save_case`` takes, and puts the service's errors (``events[2].date``) back on the
field of the form they belong to. Choices only offer what the user may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kouprey.cases import services
from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.core.forms import PlainErrors
from kouprey.core.models import Organisation
from kouprey.core.permissions import VIEW
from kouprey.reference.forms import PlaceField, PlaceList
from kouprey.reference.models import Agency, Country, Place
from kouprey.seizures.models import Seizure, Suspect

RECENT_SEIZURES = 20
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def seizure_choice_label(seizure: Seizure) -> str:
    from kouprey.cases.tables import seizure_label

    return seizure_label(seizure)


def _getlist(data: Any, key: str) -> list[str]:
    return list(data.getlist(key)) if hasattr(data, "getlist") else []


class SeizureChoices(forms.ModelMultipleChoiceField):
    """Any seizure the user may see is accepted; only the chosen and recent ones are listed
    (the page's search box adds others), so the form stays small with a million seizures."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return seizure_choice_label(obj)

    def show(self, chosen: Sequence[Any]) -> None:
        ids = [str(v) for v in chosen if str(v).isdigit()]
        picked = list(self.queryset.filter(pk__in=ids))  # type: ignore[union-attr]
        recent = list(self.queryset.exclude(pk__in=ids)  # type: ignore[union-attr]
                      .order_by("-date", "-pk")[:RECENT_SEIZURES])
        self.widget.choices = [(s.pk, self.label_from_instance(s)) for s in (*picked, *recent)]


class CaseForm(PlainErrors, forms.ModelForm):
    seizures = SeizureChoices(queryset=Seizure.objects.none(), required=False,
                              label=_("Seizures"))

    class Meta:
        model = Case
        fields = ["case_number", "title", "opened_on", "court", "seizures", "summary",
                  "confidentiality", "shared_with"]
        widgets = {"opened_on": DATE, "summary": forms.Textarea(attrs={"rows": 3}),
                   "shared_with": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        case = self.instance
        seizures = self.fields["seizures"]
        seizures.queryset = Seizure.objects.restrict(  # type: ignore[attr-defined]
            user, VIEW).select_related("place")
        chosen = _getlist(self.data, self.add_prefix("seizures")) if self.is_bound else (
            [s.pk for s in case.seizures.all()] if case.pk else [])
        seizures.show(chosen)  # type: ignore[attr-defined]
        if case.pk and not self.is_bound:
            self.initial["seizures"] = chosen
        court = Q(kind=Agency.Kind.COURT) | Q(pk=case.court_id)
        self.fields["court"].queryset = Agency.objects.restrict(  # type: ignore[attr-defined]
            user).filter(court)
        own = user.organisation_id
        self.fields["shared_with"].queryset = (  # type: ignore[attr-defined]
            Organisation.objects.exclude(pk=own) if own else Organisation.objects.all())
        if not user.is_superuser:
            self.fields["confidentiality"].choices = [  # type: ignore[attr-defined]
                (v, label) for v, label in self.fields["confidentiality"].choices  # type: ignore[attr-defined]
                if v == "" or int(v) <= user.clearance]
        if not own and not case.owner_org_id:
            self.fields["owner_org"] = forms.ModelChoiceField(
                Organisation.objects.all(), label=_("owning organisation"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("owner_org") is not None:
            self.instance.owner_org = cleaned["owner_org"]
        return cleaned


class AgencyRoleForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = CaseAgency
        fields = ["agency", "role"]


class DefendantForm(PlainErrors, forms.ModelForm):
    class Meta:
        model = Defendant
        fields = ["name", "name_latin", "nationality", "suspect"]


EVENT_FIELDS = ("kind", "date", "defendant", "place", "authority", "judge", "prosecutor",
                "law_section", "offence", "plea", "bail", "outcome", "prison_months",
                "suspended", "amount", "currency", "fine_status", "notes")


class EventForm(PlainErrors, forms.ModelForm):
    """One event; the court-monitoring details are optional and depend on the kind."""

    MAIN = ("kind", "date", "defendant")

    class Meta:
        model = CaseEvent
        fields = list(EVENT_FIELDS)  # a copy: inline formsets append "case" to this list
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, case: Case | None = None, user: Any = None,
                 places: PlaceList | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is None:
            places = PlaceList(Place.objects.restrict(user) if user is not None
                               else Place.objects.all())
        model_field = CaseEvent._meta.get_field("place")  # noqa: SLF001
        self.fields["place"] = PlaceField(places, required=False,
                                          label=capfirst(model_field.verbose_name))
        if user is not None:
            self.fields["authority"].queryset = Agency.objects.restrict(  # type: ignore[attr-defined]
                user)
        self.fields["defendant"].queryset = (  # type: ignore[attr-defined]
            case.defendants.all() if case is not None and case.pk else Defendant.objects.none())
        self.fields["defendant"].help_text = _(
            "Leave empty for an event that concerns the whole case.")

    def details_open(self) -> bool:
        """Show the court details unfolded when one is filled in or wrong."""
        return any(f.errors or f.value() not in (None, "", False)
                   for f in self.detail_fields())

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in EVENT_FIELDS if name not in self.MAIN]


class ChildFormSet(BaseInlineFormSet):
    """An inline formset whose forms (and the empty template form) share one copy of each
    select's choices: one query per list, not one per row."""

    def __init__(self, *args: Any, choices: dict[str, QuerySet[Any]] | None = None,
                 **kwargs: Any) -> None:
        self.shared: dict[str, tuple[QuerySet[Any], list[tuple[Any, str]]]] = {
            name: (queryset, [("", "---------"), *((o.pk, str(o)) for o in queryset)])
            for name, queryset in (choices or {}).items()}
        super().__init__(*args, **kwargs)

    def add_fields(self, form: forms.ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        for name, (queryset, listed) in self.shared.items():
            form.fields[name].queryset = queryset  # type: ignore[attr-defined]
            form.fields[name].choices = listed  # type: ignore[attr-defined]

    def dropped(self, form: forms.BaseForm) -> bool:
        """Marked for deletion (read after the form was cleaned)."""
        return bool(self.can_delete and form.is_bound and form.errors is not None
                    and form.cleaned_data.get(DELETION_FIELD_NAME, False))

    def kept(self) -> list[forms.ModelForm]:
        """The forms that hold a record to keep: filled in and not marked for deletion."""
        return [f for f in self.forms if not self.dropped(f)
                and (f.instance.pk is not None or f.has_changed())]


def _formset(model: type[Any], form: type[forms.ModelForm]) -> type[BaseInlineFormSet]:
    return inlineformset_factory(Case, model, form=form, formset=ChildFormSet, extra=1,
                                 can_delete=True)


RoleFormSet = _formset(CaseAgency, AgencyRoleForm)
DefendantFormSet = _formset(Defendant, DefendantForm)
EventFormSet = _formset(CaseEvent, EventForm)


class CaseForms:
    """The case form with its agencies, defendants and events formsets, saved as one."""

    def __init__(self, user: Any, case: Case, data: Any = None) -> None:
        self.user, self.case = user, case
        agencies = Agency.objects.restrict(user)
        self.form = CaseForm(data, instance=case, user=user)
        self.roles = RoleFormSet(data, instance=case, prefix="roles",
                                 choices={"agency": agencies})
        self.defendants = DefendantFormSet(
            data, instance=case, prefix="defendants",
            choices={"nationality": Country.objects.restrict(user),
                     "suspect": self._suspects(data)})
        self.places = PlaceList(Place.objects.restrict(user))  # read once for every row
        self.events = EventFormSet(
            data, instance=case, prefix="events",
            form_kwargs={"case": case, "places": self.places},
            choices={"defendant": case.defendants.all() if case.pk
                     else Defendant.objects.none(), "authority": agencies})
        self.used: dict[str, list[forms.ModelForm]] = {}

    def _suspects(self, data: Any) -> QuerySet[Suspect]:
        """Suspects of the case's seizures (and of those just chosen) that the user sees."""
        ids = [v for v in _getlist(data, "seizures") if str(v).isdigit()]
        linked = Q(seizure__in=ids)
        if self.case.pk:
            linked |= Q(seizure__cases=self.case)
        return (Suspect.objects.restrict(self.user, VIEW).filter(linked).distinct()
                .select_related("seizure"))

    @property
    def formsets(self) -> dict[str, Any]:
        return {"roles": self.roles, "defendants": self.defendants, "events": self.events}

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), *(fs.is_valid() for fs in self.formsets.values())]
        return all(results)

    def save(self) -> Case:
        """Save through ``services.save_case``; on its ValidationError put the messages on
        the forms (and re-raise) so nothing is written and the user sees which field."""
        self.used = {name: fs.kept() for name, fs in self.formsets.items()}
        case = self.form.instance
        chosen = list(self.form.cleaned_data["seizures"])
        # seizures linked by someone who sees more than this user stay linked
        hidden = list(case.seizures.exclude(
            pk__in=Seizure.objects.restrict(self.user, VIEW).values("pk"))) if case.pk else []
        try:
            with transaction.atomic():
                services.save_case(
                    case, [*chosen, *hidden],
                    roles=[f.instance for f in self.used["roles"]],
                    defendants=[f.instance for f in self.used["defendants"]],
                    events=[f.instance for f in self.used["events"]])
                case.shared_with.set(self.form.cleaned_data["shared_with"])
        except ValidationError as exc:
            self.add_errors(exc)
            raise
        return case

    def add_errors(self, exc: ValidationError) -> None:
        for key, messages in exc.message_dict.items():
            form, field = self._form_for(key)
            for message in messages:
                form.add_error(field if field in form.fields else None, message)

    def _form_for(self, key: str) -> tuple[forms.BaseForm, str]:
        if "[" in key:
            group, rest = key.split("[", 1)
            index, _dot, field = rest.partition("].")
            used = self.used.get(group, [])
            if index.isdigit() and int(index) < len(used):
                return used[int(index)], field
        return self.form, key

    def summary(self) -> list[tuple[str, str]]:
        """Every error as (where, message), e.g. ("Event 2 · date", "Verdict dated ...")."""
        titles = {"roles": _("Agency"), "defendants": _("Defendant"), "events": _("Event")}
        labelled: list[tuple[forms.BaseForm, str]] = [(self.form, "")]
        for name, formset in self.formsets.items():
            labelled += [(f, f"{titles[name]} {i + 1}") for i, f in enumerate(formset.forms)
                         if not formset.dropped(f)]
        result: list[tuple[str, str]] = []
        for form, where in labelled:
            for name, messages in form.errors.items():
                label = str(form.fields[name].label) if name in form.fields else ""
                for message in messages:
                    result.append((" · ".join(p for p in (where, label) if p), str(message)))
        for name, formset in self.formsets.items():
            result += [(str(titles[name]), str(m)) for m in formset.non_form_errors()]
        return result

    def json_errors(self) -> dict[str, Any]:
        """The errors for the JSON twin, shaped like the seizure form's: the case's fields,
        then per formset ``{"rows": {index: {field: [...]}}, "errors": [...]}``."""
        result: dict[str, Any] = dict(self.form.errors.get_json_data())
        for name, formset in self.formsets.items():
            rows = {str(i): f.errors.get_json_data() for i, f in enumerate(formset.forms)
                    if f.errors and not formset.dropped(f)}
            if rows or formset.non_form_errors():
                result[name] = {"rows": rows, "errors": list(formset.non_form_errors())}
        return result
