"""Builders of test records. Every person they make is fictitious and marked synthetic."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.core.models import Organisation, User
from kouprey.core.permissions import Confidentiality, Role
from kouprey.reference.models import (
    Agency,
    CommodityType,
    Country,
    Place,
    Taxon,
)
from kouprey.seizures.models import OriginCountry, Seizure, SeizureItem, Suspect

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def organisation(code: str = "", **fields: Any) -> Organisation:
    code = code or f"org{next(_seq)}"
    return Organisation.objects.get_or_create(code=code, defaults={"name": code.upper(),
                                                                   **fields})[0]


def user(role: str = Role.EDITOR, org: Organisation | None = None, **fields: Any) -> User:
    name = fields.pop("username", f"user{next(_seq)}")
    u = User.objects.create_user(name, password=PASSWORD, role=role,
                                 organisation=org or organisation("wcs"), **fields)
    return u


def country(iso2: str = "KH", name: str = "", **fields: Any) -> Country:
    names = {"KH": "Cambodia", "VN": "Viet Nam", "CN": "China", "MZ": "Mozambique",
             "NG": "Nigeria", "KE": "Kenya", "NA": "Namibia", "ZA": "South Africa"}
    return Country.objects.get_or_create(
        iso2=iso2, defaults={"name": name or names.get(iso2, iso2), **fields})[0]


def place(name: str = "Sihanoukville Autonomous Port", **fields: Any) -> Place:
    defaults = {"kind": Place.Kind.SEAPORT, "country": country("KH"), "locode": "KHKOS"}
    defaults.update(fields)
    return Place.objects.get_or_create(name=name, defaults=defaults)[0]


def agency(code: str = "gdce", **fields: Any) -> Agency:
    defaults = {"name": code.upper(), "kind": Agency.Kind.CUSTOMS}
    defaults.update(fields)
    return Agency.objects.get_or_create(code=code, defaults=defaults)[0]


def commodity(code: str = "ivory-raw", **fields: Any) -> CommodityType:
    defaults = {"name": code.replace("-", " ").title(), "is_ivory": code.startswith("ivory")}
    defaults.update(fields)
    return CommodityType.objects.get_or_create(code=code, defaults=defaults)[0]


def taxon(name: str = "Loxodonta africana", **fields: Any) -> Taxon:
    defaults = {"common_name_en": "African elephant", "cites_appendix": "I"}
    defaults.update(fields)
    return Taxon.objects.get_or_create(scientific_name=name, defaults=defaults)[0]


def seizure(org: Organisation | None = None, **fields: Any) -> Seizure:
    defaults: dict[str, Any] = {
        "date": date(2019, 12, 20), "place": place(), "owner_org": org or organisation("wcs"),
        "confidentiality": Confidentiality.RESTRICTED, "synthetic": True,
    }
    defaults.update(fields)
    return Seizure.objects.create(**defaults)


def item(s: Seizure, weight: str = "100", worked: bool = False, **fields: Any) -> SeizureItem:
    defaults: dict[str, Any] = {"commodity": commodity(), "taxon": taxon()}
    defaults.update(fields)
    return SeizureItem.objects.create(seizure=s, weight_kg=Decimal(weight), worked=worked,
                                      **defaults)


def origin(s: Seizure, iso2: str, proportion: str = "1") -> OriginCountry:
    return OriginCountry.objects.create(seizure=s, country=country(iso2),
                                        proportion=Decimal(proportion))


def suspect(s: Seizure, name: str = "Synthetic Person", **fields: Any) -> Suspect:
    return Suspect.objects.create(seizure=s, name=name, synthetic=True, **fields)


def case(org: Organisation | None = None, seizures: list[Seizure] | None = None,
         **fields: Any) -> Case:
    defaults: dict[str, Any] = {"title": "Test case", "owner_org": org or organisation("wcs"),
                                "synthetic": True}
    defaults.update(fields)
    c = Case.objects.create(**defaults)
    if seizures:
        c.seizures.set(seizures)
    return c


def event(c: Case, kind: str, when: date, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=c, kind=kind, date=when, **fields)


def defendant(c: Case, name: str = "Synthetic Defendant", **fields: Any) -> Defendant:
    return Defendant.objects.create(case=c, name=name, synthetic=True, **fields)


def involve(c: Case, a: Agency, role: str = CaseAgency.Role.INVESTIGATING) -> CaseAgency:
    return CaseAgency.objects.create(case=c, agency=a, role=role)
