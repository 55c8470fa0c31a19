"""Seizure rules that span more than one field: the trade chain, RIE, saving a whole record.

Forms, the API and the importers all save through ``save_seizure`` so the same validation
applies everywhere, and a rejected record leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kouprey.reference.words import token
from kouprey.seizures.models import (
    OriginCountry,
    Seizure,
    SeizureItem,
    Source,
    Suspect,
    TransitCountry,
)

WORKED_TO_RAW = Decimal("0.7")
PROPORTION_TOLERANCE = Decimal("0.001")


def rie_kg(items: Iterable[SeizureItem]) -> Decimal:
    """Raw ivory equivalent: raw weight + worked weight / 0.7 (ETIS), over ivory items."""
    total = Decimal(0)
    for item in items:
        if item.weight_kg is None or not item.commodity.is_ivory:
            continue
        total += item.weight_kg / WORKED_TO_RAW if item.worked else item.weight_kg
    return total.quantize(Decimal("0.001"))


def seizure_rie_kg(items: Sequence[SeizureItem]) -> Decimal | None:
    """The seizure's RIE, or None when it has no ivory item (lion bone, rhino horn...):
    pages show "—" and downloads an empty cell rather than a misleading 0."""
    if not any(item.commodity.is_ivory for item in items):
        return None
    return rie_kg(items)


def with_totals(queryset: QuerySet[Seizure]) -> QuerySet[Seizure]:
    """Annotate each seizure with ``total_weight_kg`` and ``rie_kg`` (derived, in SQL).

    ``rie_kg`` is None (NULL) for a seizure without an ivory item; an ivory item of no
    recorded weight counts 0, as in ``rie_kg()``. The sums are not rounded (SQLite gives
    e.g. 4.42857142857143): whoever shows them rounds them (``kg``)."""
    decimal = DecimalField(max_digits=14, decimal_places=3)
    ivory = Q(items__commodity__is_ivory=True)
    rie_part = Case(
        When(ivory & Q(items__worked=True),
             then=Coalesce(F("items__weight_kg"), Value(0), output_field=decimal)
             / WORKED_TO_RAW),
        When(ivory, then=Coalesce(F("items__weight_kg"), Value(0), output_field=decimal)),
        default=None, output_field=decimal,
    )
    return queryset.annotate(
        total_weight_kg=Coalesce(Sum("items__weight_kg"), Value(0), output_field=decimal),
        rie_kg=Sum(rie_part, output_field=decimal),
    )


GRAM = Decimal("0.001")


def kg(value: Any) -> Decimal | None:
    """A derived weight to the gram (3 decimals), the same on SQLite and PostgreSQL;
    None stays None."""
    if value is None:
        return None
    return Decimal(value).quantize(GRAM)


def check_origins(origins: Sequence[OriginCountry]) -> None:
    """Origin proportions, where given, must sum to 1 and name each country once."""
    if not origins:
        return
    countries = [o.country_id for o in origins]
    if len(set(countries)) != len(countries):
        raise ValidationError({"origins": _("A country of origin is listed twice.")})
    total = sum((Decimal(o.proportion) for o in origins), Decimal(0))
    if abs(total - 1) > PROPORTION_TOLERANCE:
        raise ValidationError(
            {"origins": _("Origin proportions must sum to 1; they sum to %(total)s.")
             % {"total": total.normalize()}}
        )


def check_transits(transits: Sequence[TransitCountry]) -> None:
    countries = [t.country_id for t in transits]
    if len(set(countries)) != len(countries):
        raise ValidationError({"transits": _("A transit country is listed twice.")})


def today() -> date:
    """Today in ``settings.TIME_ZONE`` (Phnom Penh), whatever time zone a request has
    activated: the last day a seizure (or a source) may be dated. The importer uses it too."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def check_dates(record: SeizureRecord) -> None:
    """No date in the future: not the seizure's, not a source's. Today is allowed."""
    last = today()
    errors: dict[str, list[str]] = {}
    if record.seizure.date is not None and record.seizure.date > last:
        errors["date"] = [_("The date of seizure (%(date)s) is in the future; it may be "
                            "today (%(today)s) at the latest.")
                          % {"date": record.seizure.date.isoformat(),
                             "today": last.isoformat()}]
    for index, source in enumerate(record.sources):
        if source.date is not None and source.date > last:
            errors[f"sources[{index}].date"] = [
                _("The date (%(date)s) is in the future; it may be today (%(today)s) at the "
                  "latest.") % {"date": source.date.isoformat(), "today": last.isoformat()}]
    if errors:
        raise ValidationError(errors)


def check_reference(seizure: Seizure) -> None:
    """A reference (an agency's or NGO's file number) names one seizure of its owning
    organisation: another of the same organisation may not carry it. Compared exactly
    (case and spaces count), as the importer does; an empty reference is not checked.
    Other organisations may use the same reference (their own numbering)."""
    if not seizure.reference or not seizure.owner_org_id:
        return
    others = Seizure.objects.filter(owner_org_id=seizure.owner_org_id,
                                    reference=seizure.reference)
    if seizure.pk is not None:
        others = others.exclude(pk=seizure.pk)
    if others.exists():
        raise ValidationError({"reference": _(
            "Another seizure of your organisation already has the reference %(reference)s; "
            "a reference must be unique within the organisation.")
            % {"reference": seizure.reference}})


@dataclass
class SeizureRecord:
    """A seizure with everything that belongs to it, ready to validate and save."""

    seizure: Seizure
    agencies: list[Any] = field(default_factory=list)
    items: list[SeizureItem] = field(default_factory=list)
    origins: list[OriginCountry] = field(default_factory=list)
    transits: list[TransitCountry] = field(default_factory=list)
    suspects: list[Suspect] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def children(self) -> list[Any]:
        return [*self.items, *self.origins, *self.transits, *self.suspects, *self.sources]


def validate(record: SeizureRecord) -> None:
    """Raise one ValidationError naming every field and child that is wrong."""
    errors: dict[str, list[str]] = {}

    def collect(prefix: str, exc: ValidationError) -> None:
        for name, messages in exc.message_dict.items():
            key = name if not prefix else f"{prefix}.{name}"
            errors.setdefault(key, []).extend(messages)

    try:
        record.seizure.full_clean(exclude=["owner_org"] if not record.seizure.owner_org_id
                                  else None, validate_unique=True)
    except ValidationError as exc:
        collect("", exc)
    for group in ("items", "origins", "transits", "suspects", "sources"):
        for index, child in enumerate(getattr(record, group)):
            try:
                child.full_clean(exclude=["seizure"], validate_unique=False,
                                 validate_constraints=False)
            except ValidationError as exc:
                collect(f"{group}[{index}]", exc)
    try:
        check_origins(record.origins)
    except ValidationError as exc:
        collect("", exc)
    try:
        check_transits(record.transits)
    except ValidationError as exc:
        collect("", exc)
    for check in (lambda: check_dates(record), lambda: check_reference(record.seizure)):
        try:
            check()
        except ValidationError as exc:
            collect("", exc)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_seizure(record: SeizureRecord, replace_children: bool = True) -> Seizure:
    """Validate and save a seizure with its children, all or nothing.

    With ``replace_children`` the seizure's existing children are replaced by the record's
    (the edit form and re-imports send the whole record).
    """
    validate(record)
    seizure = record.seizure
    seizure.save()
    seizure.agencies.set(record.agencies)
    if replace_children:
        for related in ("items", "origins", "transits", "suspects", "sources"):
            keep = [c.pk for c in getattr(record, related) if c.pk]
            getattr(seizure, related).exclude(pk__in=keep).delete()
    for child in record.children():
        child.seizure = seizure
        child.save()
    refresh_search_text(seizure)
    return seizure


def search_text(seizure: Seizure) -> str:
    """The seizure's own words a full-text search matches: ids, descriptions, names."""
    parts: list[str] = [seizure.reference, seizure.external_id or "", seizure.description,
                        seizure.container_number, seizure.vessel_name, seizure.flight_number,
                        seizure.bill_of_lading, seizure.air_waybill]
    for suspect in seizure.suspects.all():
        parts += [suspect.name, suspect.name_latin]
    parts += [item.description for item in seizure.items.all()]
    return join_words(parts)


def search_refs(seizure: Seizure) -> str:
    """The tokens of the reference rows the seizure names (``reference.words``): its place,
    commodities, taxa and agencies, whose names a search looks up in their own tables."""
    parts = [token("p", seizure.place_id)]
    for item in seizure.items.all():
        parts += [token("c", item.commodity_id), token("t", item.taxon_id)]
    parts += [token("a", agency.pk) for agency in seizure.agencies.all()]
    return join_words(parts)


def join_words(parts: list[str]) -> str:
    """The search text from its parts: each part once (three items of the same taxon name
    it once), in the order first seen. A word is found if it is inside one part, so the
    repeats only made the full-text index larger and every write slower."""
    return " ".join(dict.fromkeys(p for p in parts if p))


def refresh_search_text(seizure: Seizure) -> None:
    Seizure.objects.filter(pk=seizure.pk).update(search_text=search_text(seizure),
                                                 search_refs=search_refs(seizure))
