"""The seizure API's payloads: what a script sends (``*In``) and what it gets back (``*Out``).

Reference records are sent as an id or a code (see core.api_support) and come back as
``{"id", "code", "name"}``. Weights, volumes, values and proportions are decimals and come
back as strings, so no precision is lost.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from kouprey.core.api_support import (
    PageMeta,
    Ref,
    RefIn,
    filter_query_schema,
    optional_schema,
)
from kouprey.core.permissions import Confidentiality
from kouprey.seizures.filters import SeizureFilter
from kouprey.seizures.models import Seizure, SeizureItem, Source, Suspect

# -- what a script sends ------------------------------------------------------------------


class ItemIn(Schema):
    id: int | None = Field(None, description="An existing item of this seizure, to keep it")
    taxon: RefIn | None = Field(None, description="Scientific name or id")
    commodity: RefIn = Field(description="Commodity type code or id, e.g. ivory-raw")
    worked: bool = False
    pieces: int | None = None
    count_unit: RefIn | None = Field(None, description="Unit code or id")
    weight_kg: Decimal | None = None
    volume_m3: Decimal | None = None
    value: Decimal | None = None
    currency: str = Field("", description="ISO 4217, e.g. USD")
    description: str = ""
    disposal: str = Field("", description="What became of the specimens: "
                          + ", ".join(SeizureItem.Disposal.values) + " (or empty)")


class OriginIn(Schema):
    country: RefIn = Field(description="ISO 3166 alpha-2 code or id")
    proportion: Decimal = Field(Decimal(1), description="Share from this country; all sum to 1")


class TransitIn(Schema):
    country: RefIn = Field(description="ISO 3166 alpha-2 code or id")
    position: int | None = Field(None, description="Order along the route (default: as listed)")
    seizure_opportunity: bool = False


class ChainIn(Schema):
    """The ETIS trade chain; origins, transits and destination are countries."""

    discovery: RefIn | None = Field(None, description="Country of discovery")
    origins: list[OriginIn] = []
    export: RefIn | None = Field(None, description="Country of export")
    transits: list[TransitIn] = []
    destination: RefIn | None = Field(None, description="Country of destination")


class SuspectIn(Schema):
    id: int | None = Field(None, description="An existing suspect of this seizure, to keep it")
    name: str = Field(description="Name as written")
    name_latin: str = Field("", description="Name transliterated")
    nationality: RefIn | None = None
    role: str = Field(Suspect.Role.OTHER, description=", ".join(Suspect.Role.values))
    arrested: bool = False
    synthetic: bool = Field(False, description="A fictitious (demo or test) person")


class SourceIn(Schema):
    id: int | None = Field(None, description="An existing source of this seizure, to keep it")
    kind: str = Field(Source.Kind.DOCUMENT, description=", ".join(Source.Kind.values))
    reference: str
    url: str = ""
    date: dt.date | None = None


class SeizureIn(Schema):
    """A whole seizure. Lists replace what the seizure had (items given an id are kept)."""

    date: dt.date
    reference: str = ""
    external_id: str | None = Field(None, description="Stable id from the source system")
    place: RefIn | None = Field(None, description="UN/LOCODE or IATA code, or id")
    agencies: list[RefIn] = Field([], description="Detecting agencies: codes or ids")
    detection_method: RefIn | None = None
    transport_mode: RefIn | None = None
    concealment: RefIn | None = None
    flight_number: str = ""
    vessel_name: str = ""
    container_number: str = ""
    bill_of_lading: str = ""
    air_waybill: str = ""
    description: str = ""
    reason: str = Field("", description="Reason for seizure: "
                        + ", ".join(Seizure.Reason.values) + " (or empty)")
    validation_status: str = Field(Seizure.Validation.DRAFT,
                                   description=", ".join(Seizure.Validation.values))
    confidentiality: int = Field(Confidentiality.RESTRICTED,
                                 description="1 open, 2 restricted, 3 confidential, 4 secret")
    shared_with: list[RefIn] = Field([], description="Organisation codes or ids")
    synthetic: bool = Field(False, description="A demo or test record")
    items: list[ItemIn] = []
    chain: ChainIn = Field(default_factory=lambda: ChainIn.model_validate({}))
    suspects: list[SuspectIn] = []
    sources: list[SourceIn] = []


# PATCH: any subset of SeizureIn's fields; a field given replaces it whole.
SeizurePatch = optional_schema("SeizurePatch", SeizureIn)


# -- what a script gets back --------------------------------------------------------------


class ItemOut(Schema):
    id: int
    taxon: Ref | None
    commodity: Ref
    worked: bool
    pieces: int | None
    count_unit: Ref | None
    weight_kg: Decimal | None
    volume_m3: Decimal | None
    value: Decimal | None
    currency: str
    description: str
    disposal: str


class OriginOut(Schema):
    country: Ref
    proportion: Decimal


class TransitOut(Schema):
    country: Ref
    position: int
    seizure_opportunity: bool


class ChainOut(Schema):
    discovery: Ref | None
    origins: list[OriginOut]
    export: Ref | None
    transits: list[TransitOut]
    destination: Ref | None


class SuspectOut(Schema):
    id: int
    name: str
    name_latin: str
    nationality: Ref | None
    role: str
    arrested: bool
    synthetic: bool


class SourceOut(Schema):
    id: int
    kind: str
    reference: str
    url: str
    date: dt.date | None


class SeizureSummary(Schema):
    id: int
    url: str = Field(description="This record in the API")
    reference: str
    external_id: str | None
    date: dt.date
    place: Ref | None
    agencies: list[Ref]
    validation_status: str
    confidentiality: int
    owner_org: Ref
    total_weight_kg: Decimal = Field(description="Sum of the items' weights (derived)")
    rie_kg: Decimal = Field(description="Raw ivory equivalent: raw + worked / 0.7 (derived)")
    synthetic: bool


class SeizureOut(SeizureSummary):
    detection_method: Ref | None
    transport_mode: Ref | None
    concealment: Ref | None
    flight_number: str
    vessel_name: str
    container_number: str
    bill_of_lading: str
    air_waybill: str
    description: str
    reason: str
    shared_with: list[Ref]
    items: list[ItemOut]
    chain: ChainOut
    suspects: list[SuspectOut]
    sources: list[SourceOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class SeizurePage(PageMeta):
    items: list[SeizureSummary]


SeizureQuery = filter_query_schema("SeizureQuery", SeizureFilter)
