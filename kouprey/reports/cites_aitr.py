"""The CITES Annual Illegal Trade Report (AITR): its seizure sheet, one row per seized item.

``COLUMNS`` below is the one place where Kouprey's records are mapped to the report: fix a
heading or the order here and nowhere else. The headings, their order and the vocabularies
are Kouprey's own, NOT checked against the Secretariat's template (below); compare them with
the template before submitting.

Checked against public sources (22 November 2026, the stored copies our search tools reach):

- https://www.cites.org/eng/resources/reports/Annual_Illegal_trade_report: the report is
  due by 31 October for the previous year and covers 1 January to 31 December; it is
  mandatory but not subject to compliance procedures; the standard format is an Excel
  file; submit it electronically, ideally as Excel or Word tables, PDF preferably not; the
  guidelines were adopted at SC69 (November 2017) "including a sample reporting format".
- https://vdocument.in/guidelines-for-the-preparation-and-submission-of-the-cites-.html
  (a copy of the guidelines, opening pages only): the guidelines were approved at SC71
  (August 2019); the standard format is at their end, followed by a "SAMPLE ILLEGAL TRADE
  REPORT (hypothetical examples)"; the data are shared with the ICCWC partners unless the
  reporting Party specifies otherwise (the copy breaks off at what each Party "should
  indicate" in the report about it).
- https://cites.org/fra/resources/reports/Annual_Illegal_trade_report (an older version of
  the Secretariat's page, in French): SC66 adopted the report on the proposal in Annex 5
  of SC66 Doc. 30.2; the format uses, as far as possible, the terms of the Guidelines for
  the preparation and submission of CITES annual reports (which is why the description of
  specimens below is the commodity's CITES term); a Party that cannot give some data should say why;
  illegal trade in great apes is reported in it; its data are not public like the annual
  trade reports'.

Not checked, because no source we could reach holds them: the format's table itself (the
exact headings, their order, the sheets), the SAMPLE report, and any fixed list of detection
location types, modes of transport, methods of detection, reasons for seizure or disposal
options. Searched for them: the stored web pages (English, French and Spanish phrasings,
the column names, "SAMPLE ILLEGAL TRADE REPORT", SC66 Doc. 30.2 Annex 5), documentation,
public code, issues and exact strings in public repositories ("Detection location type",
"Method of detection", "Reason for seizure", "illegal trade report"): the stored pages
give only the opening of each document, and no repository reproduces the template.

So the field list follows ../shared/DOMAIN.md, in its order: date, species, description of
specimens (the commodity's CITES term, else its name), quantity and unit (kg, else the
count with its unit's CITES code, else m3), place of seizure, countries of origin / export
/ transit / destination (ISO 3166 alpha-2 codes), detection location type, mode of
transport, method of detection, concealment, reason for seizure, estimated value with its
currency, offenders' nationality, legal basis and sanctions, disposal, and a last column
tracing each row to its Kouprey record. The reason for seizure (per seizure) and the
disposal (per item) are Kouprey's short lists (``Seizure.Reason``, ``SeizureItem.Disposal``),
shown in words and empty where not recorded. Legal basis and sanctions come from the cases
linked to the seizure (charges' sections of law; sentences, transactional fines,
acquittals), read through the same permission layer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from kouprey.cases.models import Case, CaseEvent
from kouprey.core.permissions import EXPORT
from kouprey.reports.common import iso, label, seizures_of_year
from kouprey.seizures.exporters import each
from kouprey.seizures.models import Seizure, SeizureItem

SHEET = "Seizures"
REPORT_LANGUAGE = "en"


@dataclass
class Legal:
    laws: list[str] = field(default_factory=list)
    sanctions: list[str] = field(default_factory=list)


@dataclass
class Line:
    seizure: Seizure
    item: SeizureItem
    legal: Legal


def _quantity(item: SeizureItem) -> tuple[Decimal | int | None, str]:
    if item.weight_kg is not None:
        return item.weight_kg, "kg"
    if item.pieces is not None:
        unit = item.count_unit
        return item.pieces, (unit.cites_code or unit.name) if unit else _("number of specimens")
    if item.volume_m3 is not None:
        return item.volume_m3, "m3"
    return None, ""


def _join(values: list[str]) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


COLUMNS: list[tuple[str, Callable[[Line], Any]]] = [
    ("Date of seizure", lambda x: x.seizure.date),
    ("Species (scientific name)", lambda x: x.item.taxon.scientific_name if x.item.taxon
     else ""),
    ("Description of specimens", lambda x: x.item.commodity.cites_term
     or x.item.commodity.name),
    ("Quantity", lambda x: _quantity(x.item)[0]),
    ("Unit", lambda x: _quantity(x.item)[1]),
    ("Location of seizure", lambda x: x.seizure.place.name if x.seizure.place else ""),
    ("Country of origin", lambda x: _join([o.country.iso2 for o in x.seizure.origins.all()])),
    ("Country of export/re-export", lambda x: iso(x.seizure.export_country)),
    ("Country(ies) of transit", lambda x: _join([t.country.iso2 for t in
                                                  x.seizure.transits.all()])),
    ("Country of destination/import", lambda x: iso(x.seizure.destination_country)),
    ("Detection location type", lambda x: x.seizure.place.get_kind_display()
     if x.seizure.place else ""),
    ("Mode of transport", lambda x: label(x.seizure.transport_mode)),
    ("Method of detection", lambda x: label(x.seizure.detection_method)),
    ("Concealment", lambda x: label(x.seizure.concealment)),
    ("Reason for seizure", lambda x: x.seizure.get_reason_display()),
    ("Estimated value", lambda x: x.item.value),
    ("Currency", lambda x: x.item.currency),
    ("Nationality of offenders", lambda x: _join([iso(p.nationality) for p in
                                                  x.seizure.suspects.all()])),
    ("Legal basis (law and section)", lambda x: _join(x.legal.laws)),
    ("Sanctions", lambda x: _join(x.legal.sanctions)),
    ("Disposal of confiscated specimens", lambda x: x.item.get_disposal_display()),
    ("Additional information", lambda x: _reference(x.seizure)),
]
HEADER = [name for name, _get in COLUMNS]


def _reference(seizure: Seizure) -> str:
    parts = [f"Kouprey #{seizure.pk}", seizure.reference, seizure.external_id or ""]
    return " / ".join(p for p in parts if p)


def sanction(event: CaseEvent) -> str:
    """A sentence, fine or verdict in words, e.g. "prison 24 months (suspended)"."""
    parts: list[str] = []
    if event.kind == CaseEvent.Kind.VERDICT and event.outcome:
        parts.append(event.get_outcome_display())
    if event.prison_months:
        parts.append(_("prison %(months)s months") % {"months": event.prison_months}
                     + (f" ({_('suspended')})" if event.suspended else ""))
    if event.amount is not None:
        word = _("transactional fine") if event.kind == CaseEvent.Kind.TRANSACTION else _(
            "fine")
        status = f" ({event.get_fine_status_display()})" if event.fine_status else ""
        parts.append(f"{word} {event.amount.normalize():f} {event.currency}".strip() + status)
    return ", ".join(str(p) for p in parts)


def legal_by_seizure(user: Any, seizures: QuerySet[Seizure]) -> dict[int, Legal]:
    """Charges' sections of law and the sanctions, from the cases ``user`` may export."""
    ids = seizures.values("pk")
    cases = Case.objects.restrict(user, EXPORT).filter(seizures__in=ids).values("pk")
    links = Case.seizures.through.objects.filter(case__in=cases, seizure__in=ids)
    seizures_of: dict[int, list[int]] = defaultdict(list)
    for case_id, seizure_id in links.values_list("case_id", "seizure_id"):
        seizures_of[case_id].append(seizure_id)
    result: dict[int, Legal] = defaultdict(Legal)
    kinds = [CaseEvent.Kind.CHARGE, CaseEvent.Kind.VERDICT, CaseEvent.Kind.SENTENCE,
             CaseEvent.Kind.TRANSACTION]
    for event in CaseEvent.objects.filter(case__in=cases, kind__in=kinds):
        for seizure_id in seizures_of[event.case_id]:
            legal = result[seizure_id]
            if event.kind == CaseEvent.Kind.CHARGE:
                legal.laws.append(event.law_section or event.offence)
            else:
                legal.sanctions.append(sanction(event))
    return result


def rows(user: Any, year: int) -> Iterator[list[Any]]:
    """The report's rows for ``year``: one per seized item of the seizures ``user`` may
    export, in date order. In English whatever language is active: the report goes to the
    Secretariat, which reads English, French or Spanish, not Khmer."""
    queryset = seizures_of_year(user, year)
    with translation.override(REPORT_LANGUAGE):  # the sanctions are written here
        legal = legal_by_seizure(user, queryset)
    for seizure in each(queryset):
        for item in seizure.items.all():
            line = Line(seizure, item, legal.get(seizure.pk, Legal()))
            with translation.override(REPORT_LANGUAGE):
                row = [get(line) for _name, get in COLUMNS]
            yield row
