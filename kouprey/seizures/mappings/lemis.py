"""The built-in ``lemis`` mapping: US Fish & Wildlife Service LEMIS import records.

LEMIS (Law Enforcement Management Information System) has one row per wildlife product in
a shipment, in the 28-column layout of the ``lemis`` R package (Eskew et al. 2020). Only the
*seized* rows are imported: ``disposition`` S ("Seized" in the code list; the other
dispositions are A abandoned, C cleared, R re-exported). One seizure per shipment
``control_number`` (external id ``lemis:<control_number>``); a row without a control number
is a shipment of its own, with a stable id from the row's content (``lemis:row-<hash>``).

Decoding, with the code lists bundled in kouprey/seizures/data/lemis (MIT, EcoHealth
Alliance):
- ``port`` -> a place in the United States named as in the code list (created if missing;
  its kind from ``PORT_KINDS``: the code list gives names only); regions and XX -> no place;
- ``country_origin`` -> country of origin (proportion 1); ``country_imp_exp`` -> country of
  export (imports) or destination (exports); the US is the other end; XX/ZZ and retired
  codes the reference data lacks are left empty and named in the description;
- ``genus`` + ``species`` (+ ``subspecies``) -> taxon (created if missing; "sp." -> the
  genus; "Non-CITES entry" -> the ``class``);
- ``description`` -> commodity type (``COMMODITIES``; tusks, ivory, horn and scales only
  for elephants, rhinos and pangolins, ``BY_GENUS``; else "other", created if missing),
  processed products marked worked;
- ``quantity``/``unit``: NO -> pieces (live or dead animals counted as individuals);
  KG, GM, MG -> weight in kg; ML, LT, M3 -> volume in m3; the quantity as written, purpose,
  source and shipment date stay in the item's description;
- a shipment's later rows add their countries of origin (equal shares: LEMIS gives none);
  its other columns come from its first seized row;
- ``value`` -> estimated value in USD; the detecting agency is USFWS (created if missing).
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from kouprey.seizures.importers.fields import Invalid
from kouprey.seizures.mappings import FIELDS, INDEX, SEIZURE_COUNT, RowIds

if TYPE_CHECKING:
    from kouprey.core.importing import Problems
    from kouprey.seizures.importers.references import References

CODES = Path(__file__).resolve().parents[1] / "data" / "lemis" / "lemis_codes.csv"
NA = {"", "NA", "N/A", "NULL"}
SEIZED = "S"
REQUIRED = ("control_number", "genus", "species", "description", "quantity", "unit",
            "country_origin", "country_imp_exp", "disposition", "port")

# Land border ports of entry (the code list has names only; Kouprey's own classification).
LAND_BORDER = set("AL BL CA CP CX DG DL DR DS EA GP HS HO IF JK LK LR MC NG PB PL RY SL SU "
                  "SW SY".split())
NOT_A_PLACE = set("1 2 3 4 5 6 7 XX".split())  # USFWS regions and "Unknown"
RETIRED_COUNTRIES = {"ZR": "CD"}  # Zaire -> Democratic Republic of the Congo

# LEMIS description code -> Kouprey commodity codes to try, in order (else "other").
COMMODITIES: dict[str, tuple[str, ...]] = {
    "LIV": ("live",), "EGL": ("live",), "DEA": ("bodies",), "BOD": ("bodies",),
    "SKI": ("skins",), "SKP": ("skins",), "LPS": ("skins",), "LPL": ("skins",),
    "SHO": ("skins",), "GAR": ("skins",), "MEA": ("meat",), "LEG": ("meat",),
    "BON": ("bones",), "BOP": ("bones",), "BOC": ("bones",), "SKE": ("bones",),
    "SKU": ("bones",), "TEE": ("teeth-claws",), "CLA": ("teeth-claws",),
    "CAP": ("shells",), "MED": ("derivatives",), "DER": ("derivatives",),
    "EXT": ("derivatives",), "OIL": ("derivatives",), "POW": ("derivatives",),
    "GAL": ("derivatives",), "GAB": ("derivatives",), "LOG": ("logs",),
    "SAW": ("timber",), "TIM": ("timber",), "VEN": ("timber",), "PLY": ("timber",),
}
# Codes whose Kouprey type depends on the animal: ivory only from elephants, rhino horn
# only from rhinos, pangolin scales only from pangolins (walrus tusks are not ETIS ivory).
BY_GENUS: dict[str, tuple[frozenset[str], str]] = {
    "TUS": (frozenset({"loxodonta", "elephas"}), "ivory-raw"),
    "IVP": (frozenset({"loxodonta", "elephas"}), "ivory-raw"),
    "IVC": (frozenset({"loxodonta", "elephas"}), "ivory-worked"),
    "IJW": (frozenset({"loxodonta", "elephas"}), "ivory-worked"),
    "KEY": (frozenset({"loxodonta", "elephas"}), "ivory-worked"),
    "HOR": (frozenset({"ceratotherium", "diceros", "rhinoceros", "dicerorhinus"}),
            "rhino-horn"),
    "HOP": (frozenset({"ceratotherium", "diceros", "rhinoceros", "dicerorhinus"}),
            "rhino-horn"),
    "SCA": (frozenset({"manis", "smutsia", "phataginus", "manidae"}), "pangolin-scales"),
}
ORIGINS = INDEX["origins"]
ANIMALS_COUNTED = {"LIV", "DEA", "BOD", "EGL"}  # counted as individuals, not pieces
OTHER = ("other", "Other")
WORKED = set("BOC CAR CLO CPR GAR HAP HOC IJW IVC JWL KEY LPL LPS PIV PLY SHO SPR TRI VEN "
             "WPR".split())
WEIGHT_UNITS = {"KG": Decimal(1), "GM": Decimal("0.001"), "MG": Decimal("0.000001")}
VOLUME_UNITS = {"M3": Decimal(1), "LT": Decimal("0.001"), "ML": Decimal("0.000001")}


@cache
def codes() -> dict[str, dict[str, str]]:
    """The LEMIS code lists: field -> code -> meaning."""
    table: dict[str, dict[str, str]] = {}
    with CODES.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["field"], {})[row["code"]] = row["value"]
    return table


def port_kind(code: str, name: str) -> str:
    if "airport" in name.lower():
        return "airport"
    return "border" if code in LAND_BORDER else "city"


def clean(value: str) -> str:
    return "" if value.strip() in NA else value.strip()


class LemisMapping:
    name = "lemis"
    creates_references = True  # ports, taxa: created in the import's own transaction

    def bind(self, header: list[str], refs: References, problems: Problems
             ) -> tuple[BoundLemis, list[str]]:
        names = [h.strip().lower() for h in header]
        for column in REQUIRED:
            if column not in names:
                problems.add(1, column, "", _("a LEMIS column is missing"))
        return BoundLemis(names, refs), []


class BoundLemis:
    merge_origins = True  # each row of a shipment names its own country of origin

    def __init__(self, names: list[str], refs: References) -> None:
        self.position = {name: i for i, name in enumerate(names)}
        self.refs = refs
        self.codes = codes()
        self.ids = RowIds("lemis:row-")
        self.sources = [self._source(name) for name in FIELDS]
        self.shipment = ("", [""] * len(FIELDS))  # control number, its first row

    @staticmethod
    def _source(name: str) -> str:
        return {"external_id": "control_number", "date": "disposition_date", "place": "port",
                "export_country": "country_imp_exp", "destination_country": "country_imp_exp",
                "origins": "country_origin", "taxon": "genus", "commodity": "description",
                "pieces": "quantity", "weight_kg": "quantity", "volume_m3": "quantity",
                "value": "value"}.get(name, name)

    def _get(self, values: list[str], column: str) -> str:
        position = self.position.get(column)
        return clean(values[position]) if position is not None and position < len(
            values) else ""

    def convert(self, number: int, values: list[str]) -> list[str] | None:
        if self._get(values, "disposition").upper() != SEIZED:
            return None
        row = [""] * len(FIELDS)
        get = self._get
        control = get(values, "control_number")
        row[INDEX["external_id"]] = f"lemis:{control}" if control else self.ids(values)
        row[INDEX["reference"]] = f"LEMIS {control}"[:50] if control else ""
        row[INDEX["date"]] = get(values, "disposition_date") or get(values, "shipment_date")
        self.refs.ensure_agency("usfws", "US Fish and Wildlife Service", "forestry", "US")
        row[INDEX["agencies"]] = "usfws"
        row[INDEX["place"]] = self._place(get(values, "port"))
        self._chain(values, row)
        self._taxon(values, row)
        self._quantity(values, row)
        row[INDEX["description"]] = self._description(values)
        return self._shipment(control, row)

    def _shipment(self, control: str, row: list[str]) -> list[str]:
        """Later rows of a shipment take the seizure's columns from its first row (their
        own dates, purpose and source stay in their item's description); only their
        countries of origin are added to the seizure's."""
        if control and control == self.shipment[0]:
            first = self.shipment[1]
            origins = row[ORIGINS]
            row[1:SEIZURE_COUNT] = first[1:SEIZURE_COUNT]
            row[ORIGINS] = origins or first[ORIGINS]
        else:
            self.shipment = (control, row)
        return row

    def _place(self, code: str) -> str:
        name = self.codes["port"].get(code)
        if not code or code in NOT_A_PLACE:
            return ""
        if name is None:
            raise Invalid(_("unknown LEMIS port code %(code)s") % {"code": code})
        key = f"LEMIS:{code}"
        try:
            self.refs.ensure_place(key, name, port_kind(code, name), "US")
        except LookupError as exc:
            raise Invalid(str(exc)) from None
        return key

    def _country(self, code: str) -> str:
        """An ISO code the reference data knows, or "" for unknown / high seas / retired."""
        code = RETIRED_COUNTRIES.get(code.upper(), code.upper())
        if code in ("", "XX", "ZZ") or (code in self.codes["country"]
                                       and code not in self.refs.countries):
            return ""
        return code

    def _chain(self, values: list[str], row: list[str]) -> None:
        origin = self._country(self._get(values, "country_origin"))
        row[INDEX["origins"]] = origin
        other = self._country(self._get(values, "country_imp_exp"))
        if self._get(values, "import_export").upper() == "E":
            row[INDEX["export_country"]], row[INDEX["destination_country"]] = "US", other
        else:
            row[INDEX["export_country"]], row[INDEX["destination_country"]] = other, "US"

    def _taxon(self, values: list[str], row: list[str]) -> None:
        genus, species = self._get(values, "genus"), self._get(values, "species")
        subspecies = self._get(values, "subspecies").lower()
        common = " ".join(p for p in (self._get(values, "specific_name"),
                                      self._get(values, "generic_name")) if p).title()
        group = self._get(values, "taxa")
        if not genus or genus.lower().startswith("non-cites"):
            name, rank = self._get(values, "class"), "class"
            common = self._get(values, "generic_name").title()
        elif not species or species.lower() in ("sp", "sp.", "spp", "spp."):
            name, rank = genus, "genus"
        else:
            name = " ".join(p for p in (genus, species.lower(), subspecies) if p)
            rank = "subspecies" if subspecies else "species"
        if name:
            self.refs.ensure_taxon(name, rank=rank, common_name_en=common[:200],
                                   group=group[:50])
        row[INDEX["taxon"]] = name
        code = self._get(values, "description").upper()
        row[INDEX["commodity"]] = self._commodity(code, genus.lower())
        row[INDEX["worked"]] = "yes" if code in WORKED else "no"

    def _commodity(self, code: str, genus: str) -> str:
        candidates = COMMODITIES.get(code, ())
        if code in BY_GENUS:
            genera, kind = BY_GENUS[code]
            candidates = (kind,) if genus in genera else ()
        for candidate in candidates:
            if candidate in self.refs.commodities:
                return candidate
        return self.refs.ensure_commodity(*OTHER).name

    def _quantity(self, values: list[str], row: list[str]) -> None:
        raw, unit = self._get(values, "quantity"), self._get(values, "unit").upper()
        value = self._get(values, "value")
        if value:
            row[INDEX["value"]], row[INDEX["currency"]] = value, "USD"
        try:
            quantity = Decimal(raw) if raw else None
        except InvalidOperation:
            raise Invalid(_("quantity %(value)s is not a number") % {"value": raw}) from None
        code = self._get(values, "description").upper()
        if quantity is not None and unit == "NO" and quantity == quantity.to_integral_value():
            row[INDEX["pieces"]] = str(int(quantity))
            counted = "individuals" if code in ANIMALS_COUNTED else "pieces"
            row[INDEX["count_unit"]] = counted if counted in self.refs.units else ""
        elif quantity is not None and unit in WEIGHT_UNITS:
            kg = (quantity * WEIGHT_UNITS[unit]).quantize(Decimal("0.001"))
            row[INDEX["weight_kg"]] = str(kg)
        elif quantity is not None and unit in VOLUME_UNITS:
            m3 = (quantity * VOLUME_UNITS[unit]).quantize(Decimal("0.001"))
            row[INDEX["volume_m3"]] = str(m3)
        what = self.codes["description"].get(code, code)
        unit_name = self.codes["unit"].get(unit, unit)
        details = ", ".join(f"{c} {self._get(values, c)}" for c in (
            "purpose", "source", "shipment_date") if self._get(values, c))
        row[INDEX["item_description"]] = "; ".join(p for p in (
            what, f"{raw} {unit_name}".strip(), self._get(values, "species_code"), details)
            if p)[:300]

    def _description(self, values: list[str]) -> str:
        get, codes = self._get, self.codes
        parts = [_("LEMIS record (US Fish & Wildlife Service), disposition: seized.")]
        for field, column in (("action", "action"), ("purpose", "purpose"),
                              ("source", "source"), ("country", "country_origin"),
                              ("country", "country_imp_exp")):
            code = get(values, column)
            if code:
                parts.append(f"{column}: {code} ({codes[field].get(code, '?')})")
        for column in ("shipment_date", "disposition_date", "us_co", "foreign_co"):
            if get(values, column):
                parts.append(f"{column}: {get(values, column)}")
        return " ".join(parts)
