"""Cell converters for seizure imports: text in, a model value out, or ``Invalid(reason)``.

They repeat the model's own rules (lengths, choices, not-negative numbers, decimal places)
without ``full_clean`` per row, which would be far too slow for a million seizures; the
tests check them against the model's validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from kouprey.core.permissions import Confidentiality
from kouprey.core.tabular import FORMULA_START
from kouprey.seizures.importers.references import References
from kouprey.seizures.models import Seizure, SeizureItem, Source, Suspect
from kouprey.seizures.services import today

Converter = Callable[[str], Any]
YES = {"yes", "y", "true", "1", "x", "worked"}
NO = {"no", "n", "false", "0", "raw"}
LIST_SEPARATORS = (";", ",")
PROPORTION_TOLERANCE = Decimal("0.001")
ZERO = Decimal(0)


MEMO_LIMIT = 50_000  # distinct values remembered per column
MISSING = object()


class memo:  # noqa: N801 - used like a decorator
    """``convert`` remembering its results: a million rows name few places, taxa, dates.
    Results must not be mutated (lists come back as tuples). The importer reads ``seen``
    itself to save a call per cell."""

    def __init__(self, convert: Converter) -> None:
        self.convert = convert
        self.seen: dict[str, Any] = {}

    def __call__(self, raw: str) -> Any:
        value = self.seen.get(raw, MISSING)
        if value is MISSING:
            value = self.convert(raw)
            if len(self.seen) < MEMO_LIMIT:
                self.seen[raw] = value
        return value


class Invalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(max_length: int) -> Converter:
    """Text up to ``max_length``; the apostrophe an export put before a formula-like value
    (``'=...``, core.tabular) is dropped again, as a spreadsheet does."""
    def convert(raw: str) -> str:
        if raw[:1] == "'" and raw[1:2] in FORMULA_START:
            raw = raw[1:]
        if len(raw) > max_length:
            raise Invalid(_("longer than %(max)s characters") % {"max": max_length})
        return raw
    return convert


def boolean(raw: str) -> bool:
    word = raw.lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise Invalid(_("not yes or no"))


_dates: dict[str, date] = {}
WRITTEN_AS_A_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def a_date(raw: str) -> date:
    """An ISO date (YYYY-MM-DD); a time after it is ignored. Not in the future."""
    found = _dates.get(raw)
    if found is None:
        text = raw[:10] if len(raw) > 10 and raw[10] in " T" else raw
        try:
            found = date.fromisoformat(text)
        except ValueError:
            if WRITTEN_AS_A_DATE.match(text):  # 2019-02-30: the form is right, the day is not
                raise Invalid(_("no such day in the calendar")) from None
            raise Invalid(_("not a date (write it as YYYY-MM-DD)")) from None
        if found > today():  # the rule of services.check_dates
            raise Invalid(_("a date in the future"))
        if len(_dates) < 100_000:
            _dates[raw] = found
    return found


def decimal(max_digits: int, places: int) -> Converter:
    limit = Decimal(10) ** (max_digits - places)
    step = Decimal(1).scaleb(-places)

    def convert(raw: str) -> Decimal:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            try:
                value = Decimal(raw.replace(" ", "").replace("\u00a0", ""))
            except InvalidOperation:
                raise Invalid(_("not a number")) from None
        if not value.is_finite():
            raise Invalid(_("not a number"))
        if value < ZERO:
            raise Invalid(_("negative"))
        if value >= limit:
            raise Invalid(_("too large"))
        dot = raw.find(".")
        if ((dot != -1 and len(raw) - dot - 1 > places) or "e" in raw or "E" in raw) and (
                value != value.quantize(step)):
            raise Invalid(_("more than %(places)s decimal places") % {"places": places})
        return value
    return convert


def count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(_("not a whole number")) from None
    if value < 0:
        raise Invalid(_("negative"))
    if value > 2_147_483_647:
        raise Invalid(_("too large"))
    return value


def choice(choices: Any) -> Converter:
    """A TextChoices/IntegerChoices value, by value or (English) label, any case."""
    known: dict[str, Any] = {}
    for value, label in choices.choices:
        known[str(label).lower()] = value
        known[str(value).lower()] = value
    names = ", ".join(str(v) for v in choices.values)

    def convert(raw: str) -> Any:
        found = known.get(raw.lower())
        if found is None:
            raise Invalid(_("not one of %(names)s") % {"names": names})
        return found
    return convert


CONFIDENTIALITY = {c.name.lower(): int(c.value) for c in Confidentiality}


def confidentiality(raw: str) -> int:
    value = CONFIDENTIALITY.get(raw.lower()) or (int(raw) if raw.isdigit() else 0)
    if value not in Confidentiality.values:
        raise Invalid(_("not one of open, restricted, confidential, secret"))
    return value


_url = URLValidator(schemes=["http", "https"])


def url(raw: str) -> str:
    try:
        _url(raw)
    except ValidationError:
        raise Invalid(_("not a web address (http:// or https://)")) from None
    return text(200)(raw)


def split_list(raw: str) -> list[str]:
    for separator in LIST_SEPARATORS:
        if separator in raw:
            return [p.strip() for p in raw.split(separator) if p.strip()]
    return [raw.strip()] if raw.strip() else []


class Lookups:
    """Converters that look a code up in the import's reference cache."""

    def __init__(self, refs: References) -> None:
        self.refs = refs

    def place(self, raw: str) -> Any:
        """A place by its UN/LOCODE or IATA code, or by its English or Khmer name; a code or
        a name that several places share is refused (never one of them at random)."""
        found = self.refs.places.get(raw.upper())
        if found is not None:
            return found
        shared = self.refs.shared_codes.get(raw.upper())
        if shared:
            raise Invalid(_("place code %(code)s is shared by %(names)s: write the place's "
                            "name instead") % {"code": raw.upper(), "names": "; ".join(shared)})
        named = self.refs.place_names.get(raw.casefold(), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise Invalid(_("%(count)s places have this name: write the place's code "
                            "instead") % {"count": len(named)})
        raise Invalid(_("unknown place code or name (use a UN/LOCODE such as KHKOS, an IATA "
                        "code such as PNH, or the place's name)"))

    def country(self, raw: str) -> int:
        found = self.refs.countries.get(raw.upper())
        if found is None:
            raise Invalid(_("unknown country (use an ISO 3166 code such as KH)"))
        return found

    def agencies(self, raw: str) -> tuple[Any, ...]:
        found: list[Any] = []
        unknown: list[str] = []
        for code in split_list(raw):
            ref = self.refs.agencies.get(code.lower())
            if ref is None:
                unknown.append(code)
            elif ref not in found:
                found.append(ref)
        if unknown:
            raise Invalid(_("unknown agency code %(codes)s") % {"codes": ", ".join(unknown)})
        return tuple(found)

    def term(self, table: dict[str, int], what: str) -> Converter:
        def convert(raw: str) -> int:
            found = table.get(raw.lower())
            if found is None:
                raise Invalid(_("unknown %(what)s") % {"what": what})
            return found
        return convert

    def commodity(self, raw: str) -> Any:
        found = self.refs.commodities.get(raw.lower())
        if found is None:
            raise Invalid(_("unknown commodity type"))
        return found

    def taxon(self, raw: str) -> Any:
        found = self.refs.taxa.get(" ".join(raw.split()).lower())
        if found is None:
            raise Invalid(_("unknown taxon (give the scientific name as in the reference "
                            "list)"))
        return found

    def currency(self, raw: str) -> str:
        code = raw.upper()
        if code not in self.refs.currencies:
            raise Invalid(_("unknown currency (use an ISO 4217 code such as USD)"))
        return code

    def origins(self, raw: str) -> tuple[tuple[int, Decimal], ...]:
        """``MZ:0.6;NG:0.4`` (or ``MZ:60%``); one country alone needs no proportion."""
        parts = split_list(raw)
        result: list[tuple[int, Decimal]] = []
        for part in parts:
            code, _sep, share = part.partition(":")
            country = self.country(code.strip())
            if any(country == c for c, _p in result):
                raise Invalid(_("country %(code)s is listed twice") % {"code": code.strip()})
            result.append((country, self._proportion(share.strip(), len(parts))))
        total = sum((p for _c, p in result), Decimal(0))
        if result and abs(total - 1) > PROPORTION_TOLERANCE:
            raise Invalid(_("origin proportions must sum to 1; they sum to %(total)s")
                          % {"total": total.normalize()})
        return tuple(result)

    def _proportion(self, share: str, parts: int) -> Decimal:
        if not share:
            if parts > 1:
                raise Invalid(_("give each country of origin its proportion, "
                                "e.g. MZ:0.6;NG:0.4"))
            return Decimal(1)
        percent = share.endswith("%")
        try:
            value = Decimal(share.rstrip("%").strip())
        except InvalidOperation:
            raise Invalid(_("proportion %(value)s is not a number") % {"value": share}
                          ) from None
        value = value / 100 if percent else value
        if not value.is_finite() or not 0 < value <= 1:
            raise Invalid(_("proportion %(value)s is not between 0 and 1") % {"value": share})
        return value.quantize(Decimal("0.001"))

    def transits(self, raw: str) -> tuple[tuple[int, bool], ...]:
        """``MY;SG*`` in route order; ``*`` marks a seizure opportunity (ETIS)."""
        result: list[tuple[int, bool]] = []
        for part in split_list(raw):
            flagged = part.endswith("*")
            country = self.country(part.rstrip("*").strip())
            if any(country == c for c, _f in result):
                raise Invalid(_("country %(code)s is listed twice") % {"code": part})
            result.append((country, flagged))
        return tuple(result)


def seizure_converters(lookups: Lookups) -> dict[str, tuple[str, Converter]]:
    """Canonical seizure column -> (model attribute, converter)."""
    fields = Seizure._meta.concrete_fields  # noqa: SLF001
    length: dict[str, int] = {f.name: f.max_length for f in fields if f.max_length is not None}
    refs = lookups.refs
    return {
        "external_id": ("external_id", text(length["external_id"])),
        "reference": ("reference", text(length["reference"])),
        "date": ("date", memo(a_date)),
        "place": ("place", memo(lookups.place)),
        "discovery_country": ("discovery_country_id", memo(lookups.country)),
        "agencies": ("agencies", memo(lookups.agencies)),
        "detection_method": ("detection_method_id",
                             memo(lookups.term(refs.detection, _("detection method")))),
        "transport_mode": ("transport_mode_id",
                           memo(lookups.term(refs.transport, _("transport mode")))),
        "concealment": ("concealment_id",
                        memo(lookups.term(refs.concealment, _("concealment")))),
        "flight": ("flight_number", text(length["flight_number"])),
        "vessel": ("vessel_name", text(length["vessel_name"])),
        "container": ("container_number", text(length["container_number"])),
        "bill_of_lading": ("bill_of_lading", text(length["bill_of_lading"])),
        "air_waybill": ("air_waybill", text(length["air_waybill"])),
        "export_country": ("export_country_id", memo(lookups.country)),
        "destination_country": ("destination_country_id", memo(lookups.country)),
        "origins": ("origins", memo(lookups.origins)),
        "transits": ("transits", memo(lookups.transits)),
        "description": ("description", text(100_000)),
        "reason": ("reason", memo(choice(Seizure.Reason))),
        "validation_status": ("validation_status", memo(choice(Seizure.Validation))),
        "confidentiality": ("confidentiality", memo(confidentiality)),
        "synthetic": ("synthetic", memo(boolean)),
    }


def child_converters(lookups: Lookups) -> dict[str, tuple[str, Converter]]:
    """Canonical item, suspect and source columns -> (model attribute, converter)."""
    return {
        "taxon": ("taxon", memo(lookups.taxon)),
        "commodity": ("commodity", memo(lookups.commodity)),
        "worked": ("worked", memo(boolean)),
        "pieces": ("pieces", memo(count)),
        "count_unit": ("count_unit_id", memo(lookups.term(lookups.refs.units, _("unit")))),
        "weight_kg": ("weight_kg", decimal(12, 3)),
        "volume_m3": ("volume_m3", decimal(12, 3)),
        "value": ("value", decimal(14, 2)),
        "currency": ("currency", memo(lookups.currency)),
        "item_description": ("description", text(300)),
        "disposal": ("disposal", memo(choice(SeizureItem.Disposal))),
        "suspect_name": ("name", text(200)),
        "suspect_name_latin": ("name_latin", text(200)),
        "suspect_nationality": ("nationality_id", memo(lookups.country)),
        "suspect_role": ("role", memo(choice(Suspect.Role))),
        "suspect_arrested": ("arrested", memo(boolean)),
        "suspect_synthetic": ("synthetic", memo(boolean)),
        "source_kind": ("kind", memo(choice(Source.Kind))),
        "source_reference": ("reference", text(300)),
        "source_url": ("url", url),
        "source_date": ("date", memo(a_date)),
    }
