"""Seizures counted by year, place, agency, taxon, commodity, nationality, and trade flow.

Each breakdown is one GROUP BY over the table that holds the attribute (the seizures, or
their items, suspects or detecting agencies), restricted to the scope's seizures. A seizure
counts once under each value it has: a seizure with ivory and rhino horn items counts under
both commodities, so a breakdown's rows may add up to more than the seizures, and seizures
without items (suspects, agencies) do not appear in that breakdown at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Func, IntegerField, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from kouprey.reference.models import Agency, CommodityType, Country, Place, Taxon
from kouprey.seizures.models import Seizure, SeizureItem, Suspect

if TYPE_CHECKING:
    from kouprey.indicators.services import Indicator, Scope

SeizureAgency = Seizure.agencies.through


class Year(Func):
    """The year of a date, in the database's own function (no per-row Python on SQLite)."""

    function = "EXTRACT"
    template = "EXTRACT(YEAR FROM %(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="CAST(strftime('%%%%Y', %(expressions)s) AS integer)",
                           **extra)


@dataclass(frozen=True)
class Breakdown:
    id: str
    label: Any
    source: type[models.Model]  # the table grouped: Seizure or a child of it
    key: str  # the grouped column of ``source``
    path: str  # the same attribute from Seizure (to select a row's seizures)
    names: type[models.Model] | None = None  # the reference table naming a key
    list_param: str = ""  # the seizure-list filter that selects a row's seizures
    weight: bool = False  # sum the items' weight in each row
    unknown: Any = _("Not recorded")

    @property
    def child(self) -> str:
        """The relation from Seizure to the source table ('' for Seizure itself)."""
        return "" if self.source is Seizure else self.path.split("__")[0]

    def grouped(self, scope: Scope) -> QuerySet[Any]:
        if self.source is Seizure:
            rows = scope.seizures()
            counted = Count("pk")  # one row per seizure
        else:
            rows = scope.children(self.source)
            # A seizure has each agency once, but may have several items of one commodity.
            counted = Count("seizure", distinct=self.source is not SeizureAgency)
        if self.key == "year":
            rows = rows.annotate(year=Year("date"))
        aggregates: dict[str, Any] = {"n": counted}
        if self.weight:
            aggregates["kg"] = Sum("weight_kg")
        return rows.values(self.key).annotate(**aggregates).order_by(self.key)

    def rows(self, scope: Scope) -> list[Indicator]:
        return self.rows_from(list(self.grouped(scope)))

    def rows_from(self, grouped: list[dict[str, Any]]) -> list[Indicator]:
        """The rows from the grouped figures (``grouped()``'s, or indicators.rollups')."""
        from kouprey.indicators.services import Indicator, number

        names = self._names(r[self.key] for r in grouped)
        result = []
        for row in grouped:
            key = row[self.key]
            label = names.get(key, str(key)) if key is not None else str(self.unknown)
            extra = {"weight_kg": number(row["kg"])} if self.weight else {}
            result.append(Indicator(self.id, label, row["n"], "seizures", group=self.id,
                                    key="" if key is None else str(key), extra=extra))
        if self.key != "year":
            result.sort(key=lambda r: (-(r.value or 0), r.label))
        return result

    def key_label(self, key: str) -> str:
        """The label of the row ``key`` names, as ``rows_from`` writes it (for a list opened
        from that row); ValueError for a key no row can have."""
        if key == "":
            return str(self.unknown)
        if self.key == "year":
            return str(int(key))
        return self._names([int(key)]).get(int(key), key)

    def _names(self, keys: Iterable[Any]) -> dict[Any, str]:
        if self.names is None:
            return {}
        wanted = [k for k in keys if k is not None]
        return {obj.pk: str(obj) for obj in self.names._default_manager.filter(pk__in=wanted)}

    def records(self, scope: Scope, key: str) -> QuerySet[Seizure]:
        if self.key == "year":
            condition = Q(date__year=int(key))
        elif key == "":
            condition = Q(**{f"{self.path}__isnull": True})
            if self.child:  # a child row without the value, not a seizure without children
                condition &= Q(**{f"{self.child}__isnull": False})
        else:
            condition = Q(**{self.path: int(key)})
        matching = scope.seizures().filter(condition).values("pk")
        return scope.seizures().filter(pk__in=matching)

    def list_filter(self, key: str) -> dict[str, str] | None:
        if not self.list_param or key == "":
            return None
        return {self.list_param: key}


class Flows(Breakdown):
    """Origin → transit → destination: one row per combination a seizure has."""

    FIELDS = ("origins__country", "transits__country", "destination_country")

    def grouped(self, scope: Scope) -> QuerySet[Any]:
        # Origins and transits are each unique per seizure, so every (seizure, origin,
        # transit) combination is one joined row: COUNT(*) counts seizures exactly.
        return scope.seizures().values(*self.FIELDS).annotate(n=Count("pk")).order_by(
            *self.FIELDS)

    def rows_from(self, grouped: list[dict[str, Any]]) -> list[Indicator]:
        from kouprey.indicators.services import Indicator

        grouped = [r for r in grouped if any(r[f] is not None for f in self.FIELDS)]
        names = self._country_names({r[f] for r in grouped for f in self.FIELDS})
        result = [Indicator(self.id, self._label([r[f] for f in self.FIELDS], names), r["n"],
                            "seizures", group=self.id, key=key_of(r[f] for f in self.FIELDS))
                  for r in grouped]
        result.sort(key=lambda r: (-(r.value or 0), r.label))
        return result

    def key_label(self, key: str) -> str:
        parts = [None if v is None else int(v) for v in parse_key(key, 3)]
        return self._label(parts, self._country_names(set(parts)))

    @staticmethod
    def _country_names(ids: set[Any]) -> dict[int, str]:
        return {c.pk: str(c) for c in Country.objects.filter(pk__in=ids - {None})}

    def _label(self, parts: list[int | None], names: dict[int, str]) -> str:
        """"Mozambique → unknown → Viet Nam": a part not recorded in words."""
        return " → ".join(str(self.unknown) if p is None else names.get(p, str(p))
                          for p in parts)

    def records(self, scope: Scope, key: str) -> QuerySet[Seizure]:
        condition = Q()
        for path, value in zip(self.FIELDS, parse_key(key, 3), strict=True):
            condition &= Q(**{f"{path}__isnull": True}) if value is None else Q(
                **{path: int(value)})
        matching = scope.seizures().filter(condition).values("pk")
        return scope.seizures().filter(pk__in=matching)


def key_of(keys: Iterable[Any]) -> str:
    return "|".join("" if k is None else str(k) for k in keys)


def parse_key(key: str, parts: int) -> list[str | None]:
    values = key.split("|")
    if len(values) != parts:
        raise ValueError(f"A key of {parts} parts is expected, not {key!r}.")
    return [None if v == "" else v for v in values]


BREAKDOWNS: dict[str, Breakdown] = {b.id: b for b in [
    Breakdown("seizures_by_year", _("Seizures by year"), Seizure, "year", "date__year",
              list_param="year"),
    Breakdown("seizures_by_place", _("Seizures by place"), Seizure, "place", "place",
              Place, "place", unknown=_("Place not recorded")),
    Breakdown("seizures_by_agency", _("Seizures by detecting agency"), SeizureAgency,
              "agency", "agencies", Agency, "agency"),
    Breakdown("seizures_by_taxon", _("Seizures by taxon"), SeizureItem, "taxon",
              "items__taxon", Taxon, "taxon", weight=True, unknown=_("Taxon not recorded")),
    Breakdown("seizures_by_commodity", _("Seizures by commodity"), SeizureItem, "commodity",
              "items__commodity", CommodityType, "commodity", weight=True),
    Breakdown("seizures_by_nationality", _("Seizures by suspects' nationality"), Suspect,
              "nationality", "suspects__nationality", Country, "nationality",
              unknown=_("Nationality not recorded")),
    Flows("flows", _("Trade flows: origin → transit → destination"), Seizure, "", "",
          unknown=_("unknown")),
]}
