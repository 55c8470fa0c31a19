"""The case API's payloads: what a script sends (``*In``) and what it gets back (``*Out``).

An event names its defendant by position in the case's ``defendants`` list (0 is the
first), so a new case and its timeline travel in one payload.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from kouprey.cases.filters import CaseFilter
from kouprey.cases.models import CaseAgency, CaseEvent
from kouprey.core.api_support import (
    PageMeta,
    Ref,
    RefIn,
    filter_query_schema,
    optional_schema,
)
from kouprey.core.permissions import Confidentiality


def _choices(values: list[str]) -> str:
    return ", ".join(v for v in values if v)


class AgencyRoleIn(Schema):
    agency: RefIn = Field(description="Agency code or id")
    role: str = Field(description=_choices(CaseAgency.Role.values))


class DefendantIn(Schema):
    id: int | None = Field(None, description="An existing defendant of this case, to keep it")
    name: str = Field(description="Name as written")
    name_latin: str = Field("", description="Name transliterated")
    nationality: RefIn | None = Field(None, description="ISO 3166 alpha-2 code or id")
    suspect: int | None = Field(None, description="The suspect's id in a linked seizure")
    synthetic: bool = Field(False, description="A fictitious (demo or test) person")


class EventIn(Schema):
    id: int | None = Field(None, description="An existing event of this case, to keep it")
    kind: str = Field(description=_choices(CaseEvent.Kind.values))
    date: dt.date
    defendant: int | None = Field(None, description="Position in defendants (0 = first); "
                                                    "none: the whole case")
    place: RefIn | None = Field(None, description="UN/LOCODE or IATA code, or id")
    authority: RefIn | None = Field(None, description="Agency code or id")
    judge: str = ""
    prosecutor: str = ""
    law_section: str = ""
    offence: str = ""
    plea: str = Field("", description=_choices(CaseEvent.Plea.values))
    bail: str = Field("", description=_choices(CaseEvent.Bail.values))
    outcome: str = Field("", description=_choices(CaseEvent.Outcome.values))
    prison_months: int | None = None
    suspended: bool = False
    amount: Decimal | None = Field(None, description="Fine or bail amount")
    currency: str = ""
    fine_status: str = Field("", description=_choices(CaseEvent.FineStatus.values))
    notes: str = ""


class CaseIn(Schema):
    """A whole case. Lists replace what the case had (entries given an id are kept)."""

    title: str
    case_number: str = ""
    external_id: str | None = Field(None, description="Stable id from the source system")
    opened_on: dt.date | None = None
    court: RefIn | None = Field(None, description="Agency code or id of the court")
    summary: str = ""
    confidentiality: int = Field(Confidentiality.RESTRICTED,
                                 description="1 open, 2 restricted, 3 confidential, 4 secret")
    shared_with: list[RefIn] = Field([], description="Organisation codes or ids")
    synthetic: bool = Field(False, description="A demo or test record")
    seizures: list[int] = Field([], description="Ids of the seizures the case follows")
    agencies: list[AgencyRoleIn] = []
    defendants: list[DefendantIn] = []
    events: list[EventIn] = []


# PATCH: any subset of CaseIn's fields; a field given replaces it whole.
CasePatch = optional_schema("CasePatch", CaseIn)


class SeizureLink(Schema):
    id: int
    url: str
    reference: str
    date: dt.date


class AgencyRoleOut(Schema):
    agency: Ref
    role: str


class DefendantOut(Schema):
    id: int
    name: str
    name_latin: str
    nationality: Ref | None
    suspect: int | None
    synthetic: bool


class EventOut(Schema):
    id: int
    kind: str
    date: dt.date
    defendant: int | None = Field(description="Position in defendants (0 = first)")
    place: Ref | None
    authority: Ref | None
    judge: str
    prosecutor: str
    law_section: str
    offence: str
    plea: str
    bail: str
    outcome: str
    prison_months: int | None
    suspended: bool
    amount: Decimal | None
    currency: str
    fine_status: str
    notes: str


class CaseSummary(Schema):
    id: int
    url: str = Field(description="This record in the API")
    case_number: str
    title: str
    opened_on: dt.date | None
    stage: str = Field(description="Derived from the events: seizure, investigation, "
                                   "prosecution, settled, court, verdict or appeal")
    court: Ref | None
    seizures: list[int] = Field(description="Ids of the linked seizures you may read")
    confidentiality: int
    owner_org: Ref
    synthetic: bool


class CaseOut(CaseSummary):
    external_id: str | None
    summary: str
    stage_label: str
    prosecuted: bool
    convicted: bool
    interagency_coordination: bool = Field(description="Two or more agencies (indicator 2.2)")
    shared_with: list[Ref]
    seizure_links: list[SeizureLink]
    agencies: list[AgencyRoleOut]
    defendants: list[DefendantOut]
    events: list[EventOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class CasePage(PageMeta):
    items: list[CaseSummary]


CaseQuery = filter_query_schema("CaseQuery", CaseFilter)
