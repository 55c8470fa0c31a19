"""Random records for the indicator tests: several organisations, levels, sharing, cases."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connections

from kouprey.cases.models import Case, CaseEvent
from kouprey.core.models import Organisation, User
from kouprey.core.permissions import Confidentiality, Role
from kouprey.reference.models import Agency, CommodityType, Country, Place, Taxon
from kouprey.seizures.models import Seizure, TransitCountry
from tests import factories as f


def in_thread(action: Callable[[], Any]) -> threading.Thread:
    """Run ``action`` on another thread (its own database connection, closed after)."""
    def run() -> None:
        try:
            action()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


START = date(2018, 11, 1)
DAYS = 500  # seizure dates from November 2018 to March 2020


@dataclass
class World:
    rng: random.Random
    orgs: list[Organisation]
    places: list[Place | None]
    countries: list[Country]
    agencies: list[Agency]
    commodities: list[CommodityType]
    taxa: list[Taxon | None]
    seizures: list[Seizure] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    def pick(self, values: list[Any]) -> Any:
        return self.rng.choice(values)

    def day(self) -> date:
        return START + timedelta(days=self.rng.randrange(DAYS))


def world(seed: int) -> World:
    rng = random.Random(seed)
    return World(
        rng=rng,
        orgs=[f.organisation(code) for code in ("wcs", "gdce", "fa")],
        places=[f.place("Port A"), f.place("Port B", locode="KHPNH"), None],
        countries=[f.country(c) for c in ("KH", "VN", "CN", "MZ")],
        agencies=[f.agency(a) for a in ("gdce", "fa", "police")],
        commodities=[f.commodity("ivory-raw"), f.commodity("ivory-carving"),
                     f.commodity("rhino-horn")],
        taxa=[f.taxon(), f.taxon("Ceratotherium simum"), None],
    )


def readers(w: World) -> list[User | None]:
    wcs, gdce, fa = w.orgs
    return [
        None,
        f.user(Role.VIEWER, wcs, is_superuser=True),
        f.user(Role.VIEWER, wcs, clearance=Confidentiality.RESTRICTED),
        f.user(Role.ANALYST, wcs, clearance=Confidentiality.SECRET),
        f.user(Role.EDITOR, gdce, clearance=Confidentiality.CONFIDENTIAL),
        f.user(Role.VIEWER, fa, clearance=Confidentiality.OPEN),
    ]


def visibility(w: World) -> dict[str, Any]:
    return {"owner_org": w.pick(w.orgs),
            "confidentiality": w.pick(list(Confidentiality.values))}


def share(w: World, record: Any) -> None:
    record.shared_with.set(w.rng.sample(w.orgs, w.rng.randrange(3)))


def seizure(w: World) -> Seizure:
    s = Seizure.objects.create(
        date=w.day(), place=w.pick(w.places), synthetic=True,
        destination_country=w.pick([*w.countries, None]),
        validation_status=w.pick([Seizure.Validation.VALIDATED, Seizure.Validation.DRAFT]),
        **visibility(w))
    if w.rng.random() < 0.4:
        share(w, s)
    for _ in range(w.rng.randrange(4)):
        add_item(w, s)
    for country in w.rng.sample(w.countries, w.rng.randrange(3)):
        f.origin(s, country.iso2)
    for country in w.rng.sample(w.countries, w.rng.randrange(2)):
        TransitCountry.objects.create(seizure=s, country=country)
    for _ in range(w.rng.randrange(3)):
        f.suspect(s, nationality=w.pick([*w.countries, None]))
    s.agencies.set(w.rng.sample(w.agencies, w.rng.randrange(3)))
    w.seizures.append(s)
    return s


def add_item(w: World, s: Seizure) -> None:
    weight = w.pick(["12.5", "0.75", "100", "3.333", None])
    f.item(s, weight or "0", worked=w.rng.random() < 0.4, commodity=w.pick(w.commodities),
           taxon=w.pick(w.taxa))
    if weight is None:
        s.items.filter(weight_kg=0).update(weight_kg=None)


def case(w: World) -> Case:
    linked = w.rng.sample(w.seizures, min(len(w.seizures), w.rng.randrange(4)))
    c = f.case(seizures=linked, **visibility(w))
    if w.rng.random() < 0.4:
        share(w, c)
    for agency in w.rng.sample(w.agencies, w.rng.randrange(3)):
        f.involve(c, agency)
    for _ in range(w.rng.randrange(3)):
        add_event(w, c)
    w.cases.append(c)
    return c


def add_event(w: World, c: Case) -> None:
    kind = w.pick([CaseEvent.Kind.ARREST, CaseEvent.Kind.CHARGE, CaseEvent.Kind.VERDICT,
                   CaseEvent.Kind.VERDICT])
    outcome = w.pick([CaseEvent.Outcome.CONVICTION, CaseEvent.Outcome.ACQUITTAL]) \
        if kind == CaseEvent.Kind.VERDICT else ""
    f.event(c, kind, w.day() + timedelta(days=200), outcome=outcome)


def world_with_cases(seed: int, seizures: int = 14) -> World:
    """A random world of ``seizures`` seizures, 6 cases and a case without a seizure, its
    tallies brought up to date."""
    from kouprey.indicators import store

    w = world(seed)
    for _ in range(seizures):
        seizure(w)
    for _ in range(6):
        case(w)
    f.case(title="No seizure yet", owner_org=w.orgs[1])
    store.refresh()
    return w
