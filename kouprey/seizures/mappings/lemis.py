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
- ``description`` -> commodity type (``COMMODITIES``: first existing code; else "other",
  created if missing), processed products marked worked;
- ``quantity``/``unit``: NO -> pieces; KG, GM, MG -> weight in kg; ML, LT, M3 -> volume in m3;
  the quantity as written stays in the item description;
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
from kouprey.seizures.mappings import FIELDS, INDEX, RowIds

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

# LEMIS description code -> Kouprey commodity codes to try, in order.
COMMODITIES: dict[str, tuple[str, ...]] = {
    "LIV": ("live", "live-animals", "live-animal", "live-specimens"),
    "EGL": ("live", "live-animals", "eggs"),
    "DEA": ("dead-animals", "dead-animal", "bodies", "body"),
    "BOD": ("dead-animals", "dead-animal", "bodies", "body"),
    "SKI": ("skins", "skin"), "SKP": ("skins", "skin"), "LPS": ("leather", "skins"),
    "LPL": ("leather", "skins"), "SHO": ("leather", "skins"),
    "SCA": ("scales",), "MEA": ("meat",), "LEG": ("meat",), "EGG": ("eggs",),
    "BON": ("bones", "bone"), "BOP": ("bones", "bone"), "SKE": ("bones", "bone"),
    "SKU": ("bones", "bone"), "TUS": ("ivory-raw", "raw-ivory", "ivory"),
    "IVP": ("ivory-raw", "raw-ivory", "ivory"), "IVC": ("ivory-worked", "worked-ivory", "ivory"),
    "IJW": ("ivory-worked", "worked-ivory", "ivory"), "KEY": ("ivory-worked", "ivory"),
    "HOR": ("horn",), "HOP": ("horn",), "HOC": ("horn",), "MED": ("medicinal", "medicine"),
    "LOG": ("timber",), "SAW": ("timber",), "TIM": ("timber",), "VEN": ("timber",),
    "SHE": ("shells", "shell"), "CAP": ("shells", "shell"), "SPR": ("shells", "shell"),
    "SPE": ("specimens", "scientific-specimens"),
}
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

    def bind(self, header: list[str], refs: References, problems: Problems
             ) -> tuple[BoundLemis, list[str]]:
        names = [h.strip().lower() for h in header]
        for column in REQUIRED:
            if column not in names:
                problems.add(1, column, "", _("a LEMIS column is missing"))
        return BoundLemis(names, refs), []


class BoundLemis:
    def __init__(self, names: list[str], refs: References) -> None:
        self.position = {name: i for i, name in enumerate(names)}
        self.refs = refs
        self.codes = codes()
        self.ids = RowIds("lemis:row-")
        self.sources = [self._source(name) for name in FIELDS]

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
        row[INDEX["agencies"]] = self.refs.ensure_agency(
            "usfws", "US Fish and Wildlife Service", "forestry", "US").words[0]
        row[INDEX["place"]] = self._place(get(values, "port"))
        self._chain(values, row)
        self._taxon(values, row)
        self._quantity(values, row)
        row[INDEX["description"]] = self._description(values)
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
        row[INDEX["commodity"]] = self._commodity(code)
        row[INDEX["worked"]] = "yes" if code in WORKED else "no"

    def _commodity(self, code: str) -> str:
        for candidate in COMMODITIES.get(code, ()):
            if candidate in self.refs.commodities:
                return candidate
        return self.refs.ensure_commodity(*OTHER).words[0]

    def _quantity(self, values: list[str], row: list[str]) -> None:
        raw, unit = self._get(values, "quantity"), self._get(values, "unit").upper()
        value = self._get(values, "value")
        if value:
            row[INDEX["value"]], row[INDEX["currency"]] = value, "USD"
        try:
            quantity = Decimal(raw) if raw else None
        except InvalidOperation:
            raise Invalid(_("quantity %(value)s is not a number") % {"value": raw}) from None
        if quantity is not None and unit == "NO":
            row[INDEX["pieces"]] = str(quantity)
        elif quantity is not None and unit in WEIGHT_UNITS:
            kg = (quantity * WEIGHT_UNITS[unit]).quantize(Decimal("0.001"))
            row[INDEX["weight_kg"]] = str(kg)
        elif quantity is not None and unit in VOLUME_UNITS:
            m3 = (quantity * VOLUME_UNITS[unit]).quantize(Decimal("0.001"))
            row[INDEX["volume_m3"]] = str(m3)
        code = self._get(values, "description").upper()
        what = self.codes["description"].get(code, code)
        unit_name = self.codes["unit"].get(unit, unit)
        row[INDEX["item_description"]] = "; ".join(p for p in (
            what, f"{raw} {unit_name}".strip(), self._get(values, "species_code")) if p)[:300]

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
