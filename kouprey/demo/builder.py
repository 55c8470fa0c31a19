"""Build the demo data from kouprey.demo.data: idempotent, through the services, with history.

Records are saved through ``seizures.services.save_seizure`` and ``cases.services.save_case``
inside ``acting_as(<demo admin>)``, so validation is the same as everywhere and each record
has its history. Each record has a stable external id (``demo:seizure:<key>``,
``demo:case:<key>``); a record that already exists is left as it is, so running the build
twice changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
from django.db import models, transaction
from django.db.models import Q

from kouprey.cases.models import Case, CaseAgency, CaseEvent, Defendant
from kouprey.cases.services import save_case
from kouprey.core.audit import acting_as
from kouprey.core.models import Organisation, User
from kouprey.core.permissions import Confidentiality, Role
from kouprey.demo import data
from kouprey.reference.models import (
    Agency,
    CommodityType,
    Country,
    DetectionMethod,
    Place,
    Taxon,
    TransportMode,
)
from kouprey.seizures.models import (
    OriginCountry,
    Seizure,
    SeizureItem,
    Source,
    Suspect,
    TransitCountry,
)
from kouprey.seizures.services import SeizureRecord, save_seizure


class DemoError(Exception):
    """The demo cannot be built (e.g. a user named like a demo user that is not one)."""


@dataclass
class DemoResult:
    seizures_created: int = 0
    cases_created: int = 0
    users: list[User] = field(default_factory=list)
    password: str = ""  # the demo users' password, when known
    password_changed: bool = False  # a new password was set (and written to the file)
    unknown_password: list[str] = field(default_factory=list)  # users whose password is kept


class References:
    """The reference rows the demo needs, looked up by natural key, created if missing."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], Any] = {}

    def _get(self, kind: str, key: str, make: Any) -> Any:
        if (kind, key) not in self.cache:
            self.cache[kind, key] = make()
        return self.cache[kind, key]

    def country(self, iso2: str) -> Country:
        def make() -> Country:
            found = pycountry.countries.get(alpha_2=iso2)
            name = data.COUNTRIES.get(iso2) or (found.name if found else iso2)
            iso3 = found.alpha_3 if found else ""
            return Country.objects.get_or_create(iso2=iso2,
                                                 defaults={"name": name, "iso3": iso3})[0]
        return self._get("country", iso2, make)

    def place(self, code: str) -> Place:
        def make() -> Place:
            name, kind, lat, lon = data.PLACES[code]
            # KHPNH names both the river port and the dry port: prefer the demo's kind.
            found = Place.objects.filter(Q(locode=code) | Q(iata=code)).order_by(
                models.Case(models.When(kind=kind, then=0), default=1), "pk").first()
            if found is not None:
                return found
            codes = {"locode": code} if len(code) == 5 else {"iata": code}
            return Place.objects.create(name=name, kind=kind, country=self.country("KH"),
                                        latitude=lat, longitude=lon, **codes)
        return self._get("place", code, make)

    def agency(self, code: str) -> Agency:
        def make() -> Agency:
            name, kind, country = data.AGENCIES[code]
            defaults: dict[str, Any] = {"name": name, "kind": kind}
            if country:
                defaults["country"] = self.country(country)
            return Agency.objects.get_or_create(code=code, defaults=defaults)[0]
        return self._get("agency", code, make)

    def transport(self, code: str) -> TransportMode | None:
        if not code:
            return None
        return self._get("transport", code, lambda: TransportMode.objects.get_or_create(
            code=code, defaults={"name": data.TRANSPORT_MODES[code]})[0])

    def detection(self, code: str) -> DetectionMethod | None:
        if not code:
            return None
        return self._get("detection", code, lambda: DetectionMethod.objects.get_or_create(
            code=code, defaults={"name": data.DETECTION_METHODS[code]})[0])

    def commodity(self, code: str) -> CommodityType:
        def make() -> CommodityType:
            name, is_ivory = data.COMMODITIES[code]
            return CommodityType.objects.get_or_create(
                code=code, defaults={"name": name, "is_ivory": is_ivory})[0]
        return self._get("commodity", code, make)

    def taxon(self, name: str) -> Taxon:
        def make() -> Taxon:
            common, appendix = data.TAXA[name]
            return Taxon.objects.get_or_create(scientific_name=name, defaults={
                "common_name_en": common, "cites_appendix": appendix})[0]
        return self._get("taxon", name, make)


def _organisations() -> dict[str, Organisation]:
    return {code: Organisation.objects.get_or_create(code=code, defaults={
        "name": name, "kind": kind})[0] for code, (name, kind) in data.ORGANISATIONS.items()}


def _read_password(path: Path | None) -> str:
    if path is None or not path.is_file():
        return ""
    text = path.read_text().strip()
    return text if len(text) >= 10 else ""


def write_password(path: Path, password: str) -> None:
    """Write the password file readable by its owner only (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(password + "\n")


def _users(orgs: dict[str, Organisation], password_file: Path | None, reset: bool,
           result: DemoResult) -> None:
    known = "" if reset else _read_password(password_file)
    password = known or secrets.token_urlsafe(12)
    for spec in data.USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is not None and user.organisation_id != orgs[spec.org].pk:
            raise DemoError(f"A user named {spec.username!r} exists outside the demo "
                            "organisations; the demo will not change it.")
        # the demo admin opens the admin pages (as `kouprey createuser --role admin` gives)
        staff = spec.role == Role.ADMIN
        if user is None:
            user = User.objects.create_user(spec.username, password=password,
                                            organisation=orgs[spec.org], role=spec.role,
                                            clearance=spec.clearance, is_staff=staff)
            result.password_changed = result.password_changed or password != known
        elif reset:
            user.set_password(password)
            user.save(update_fields=["password"])
            result.password_changed = True
        elif not user.check_password(password):
            result.unknown_password.append(spec.username)
        if user.is_staff != staff:  # a demo set up before the flag was given
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
        result.users.append(user)
    if len(result.unknown_password) < len(data.USERS):
        result.password = password


def transport_of(spec: data.DemoSeizure) -> str:
    """The seizure's transport mode: as given, else what its conveyance implies (a flight:
    a passenger's baggage; a container: sea freight). Invented, like the conveyances."""
    if spec.transport:
        return spec.transport
    return "sea-container" if spec.container else "air-passenger" if spec.flight else ""


def _seizure(spec: data.DemoSeizure, owner: Organisation, refs: References) -> Seizure:
    chain = {"export_country": refs.country(spec.origins[0][0])} if spec.origins else {}
    seizure = Seizure(
        external_id=f"demo:seizure:{spec.key}", reference=f"DEMO-{spec.key.upper()}",
        date=spec.date, place=refs.place(spec.place), discovery_country=refs.country("KH"),
        destination_country=refs.country(spec.destination), description=spec.description,
        container_number=spec.container, flight_number=spec.flight,
        transport_mode=refs.transport(transport_of(spec)),
        detection_method=refs.detection(spec.detection),
        validation_status=Seizure.Validation.VALIDATED, synthetic=True, owner_org=owner,
        confidentiality=Confidentiality.CONFIDENTIAL if spec.confidential
        else Confidentiality.RESTRICTED, **chain,
    )
    sources = [Source(kind=Source.Kind.REPORT, reference=f"{data.SEED_TITLES[s]} (seed {s})")
               for s in spec.seeds]
    sources.append(Source(kind=Source.Kind.OTHER, reference=(
        "Kouprey demo data: fictitious people, invented details (kouprey/demo/README.md)")))
    record = SeizureRecord(
        seizure=seizure,
        agencies=[refs.agency(code) for code in spec.agencies],
        items=[SeizureItem(commodity=refs.commodity(i.commodity), taxon=refs.taxon(i.taxon),
                           worked=i.worked, pieces=i.pieces, weight_kg=Decimal(i.weight),
                           description=i.description) for i in spec.items],
        origins=[OriginCountry(country=refs.country(iso2), proportion=Decimal(share))
                 for iso2, share in spec.origins],
        transits=[TransitCountry(country=refs.country(iso2), position=n,
                                 seizure_opportunity=True)
                  for n, iso2 in enumerate(spec.transits, start=1)],
        suspects=[Suspect(name=p.name, name_latin=p.latin, role=p.role, arrested=p.arrested,
                          nationality=refs.country(p.nationality), synthetic=True)
                  for p in spec.suspects],
        sources=sources,
    )
    return save_seizure(record)


def _case(spec: data.DemoCase, seizures: list[Seizure], owner: Organisation,
          refs: References) -> Case:
    suspects = {s.name_latin: s for seizure in seizures for s in seizure.suspects.all()}
    defendants = [Defendant(name=suspects[n].name, name_latin=n, suspect=suspects[n],
                            nationality=suspects[n].nationality, synthetic=True)
                  for n in spec.defendants]
    events = [CaseEvent(
        kind=e.kind, date=e.date, outcome=e.outcome, law_section=e.law_section,
        offence=e.offence, prison_months=e.prison_months, currency=e.currency,
        amount=Decimal(e.amount) if e.amount else None, fine_status=e.fine_status,
        notes=e.notes, authority=refs.agency(e.authority) if e.authority else None,
        defendant=defendants[e.defendant] if e.defendant is not None else None,
    ) for e in spec.events]
    case = Case(
        external_id=f"demo:case:{spec.key}", case_number=spec.case_number, title=spec.title,
        opened_on=spec.opened_on or min(s.date for s in seizures), summary=spec.summary,
        court=refs.agency(spec.court) if spec.court else None, synthetic=True,
        owner_org=owner, confidentiality=Confidentiality.CONFIDENTIAL if spec.confidential
        else Confidentiality.RESTRICTED,
    )
    roles = [CaseAgency(agency=refs.agency(code), role=role) for code, role in spec.roles]
    return save_case(case, seizures=seizures, roles=roles, defendants=defendants,
                     events=events)


def build(password_file: Path | None = None, reset_password: bool = False) -> DemoResult:
    """Create what is missing of the demo: organisations, users, seizures, cases."""
    result = DemoResult()
    with transaction.atomic():
        orgs = _organisations()
        _users(orgs, password_file, reset_password, result)
        admin, owner, partner = result.users[0], orgs["wcs-demo"], orgs["gdce-demo"]
        refs = References()
        mine = Seizure.objects.restrict(admin, "change")
        with acting_as(admin):
            saved: dict[str, Seizure] = {}
            for spec in data.SEIZURES:
                found = mine.filter(external_id=f"demo:seizure:{spec.key}").first()
                if found is None:
                    found = _seizure(spec, owner, refs)
                    if not spec.confidential:
                        found.shared_with.add(partner)
                    result.seizures_created += 1
                saved[spec.key] = found
            cases = Case.objects.restrict(admin, "change")
            for case_spec in data.CASES:
                if cases.filter(external_id=f"demo:case:{case_spec.key}").exists():
                    continue
                case = _case(case_spec, [saved[k] for k in case_spec.seizures], owner, refs)
                if not case_spec.confidential:
                    case.shared_with.add(partner)
                result.cases_created += 1
    if password_file is not None and result.password and (
            result.password_changed or _read_password(password_file) != result.password):
        write_password(password_file, result.password)
    return result
