"""Seizure list filters, shared by the pages, the JSON twins, the API and the exports."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from kouprey.core.filters import BoundedIntegerField, SortFilter, record_ids
from kouprey.core.search import SearchFilter, reads_every_match
from kouprey.reference.forms import PlaceField
from kouprey.reference.models import Agency, CommodityType, Country, Place, Taxon
from kouprey.seizures.models import Seizure

# A related value with more rows than this is checked per record (EXISTS), not listed (IN).
BROAD_RELATED = 20_000


class AnyRelatedFilter(df.ModelChoiceFilter):
    """Records with at least one related row equal to the choice, as a semi-join.

    ``field_name`` is ``relation`` (a many-to-many field) or ``relation__field`` (a child
    table's field). No join on the list query, hence no ``DISTINCT`` over the whole result
    before the page's count and ``LIMIT`` (``distinct=True`` made SQLite sort every match
    twice). A value with few related rows filters ``pk IN (SELECT link FROM child WHERE
    field = value)``: SQLite lists them first, then reads those records. A common value
    (more than ``BROAD_RELATED`` rows, counted through the index up to that) filters
    ``EXISTS (SELECT 1 FROM child WHERE link = pk AND field = value)`` instead: listing half
    a million ids first cost 200 ms at 1M, while the list, walking its own index (by date),
    finds a match every few records and stops at the page or the count's limit (not when
    it reads every match: an exact count or a download). PostgreSQL plans both forms as the
    same semi-join.
    """

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in EMPTY_VALUES:
            return qs
        relation, _sep, field_name = self.field_name.partition("__")
        model_field: Any = qs.model._meta.get_field(relation)  # noqa: SLF001
        if model_field.many_to_many and not model_field.auto_created:
            through = model_field.remote_field.through
            rows = through._base_manager.filter(  # noqa: SLF001
                **{model_field.m2m_reverse_field_name(): value})
            link = model_field.m2m_field_name()
        else:
            rows = model_field.related_model._base_manager.filter(  # noqa: SLF001
                **{field_name: value})
            link = model_field.field.name
        if not reads_every_match(self.parent.data) and \
                rows.order_by()[:BROAD_RELATED + 1].count() > BROAD_RELATED:
            return qs.filter(Exists(rows.filter(**{link: OuterRef("pk")})))
        return qs.filter(pk__in=rows.values(link))


class PlaceFilter(df.ModelChoiceFilter):
    """The place typed with search-as-you-type: its id (``?place=12``, as indicator links
    and saved addresses have it), its label, name or code (reference.forms.PlaceField).
    Still a ModelChoiceFilter: the API turns codes into ids before, as for other filters."""

    field_class = PlaceField


class YearField(BoundedIntegerField):
    """A year from 1 to 9999 (what a date holds): the year lookup cannot build its date
    range for 0, a negative year or a huge one (a 500 before)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=9999,
                         message=_("Give a year from 1 to 9999, e.g. 2019."), **kwargs)


class YearFilter(df.NumberFilter):
    field_class = YearField


class SeizureSort(SortFilter):
    """The list's sorts; by place, each place's seizures come newest first (the order of the
    (place, date) index, which web.sorting reads place by place)."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        qs = super().filter(qs, value)
        if value and value[0].lstrip("-") == "place":
            qs = qs.order_by(*qs.query.order_by, "-date")
        return qs


class SeizureFilter(df.FilterSet):
    q = SearchFilter(label=_("Search"))
    date_from = df.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = df.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    year = YearFilter(field_name="date", lookup_expr="year", label=_("Year"))
    place = PlaceFilter(queryset=Place.objects.all(), label=_("Place"))
    agency = AnyRelatedFilter(field_name="agencies", queryset=Agency.objects.all(),
                              label=_("Agency"))
    taxon = AnyRelatedFilter(field_name="items__taxon", queryset=Taxon.objects.all(),
                             label=_("Taxon"))
    commodity = AnyRelatedFilter(field_name="items__commodity",
                                 queryset=CommodityType.objects.all(), label=_("Commodity"))
    nationality = AnyRelatedFilter(field_name="suspects__nationality",
                                   queryset=Country.objects.all(),
                                   label=_("Suspect nationality"))
    origin = AnyRelatedFilter(field_name="origins__country", queryset=Country.objects.all(),
                              label=_("Origin country"))
    destination = df.ModelChoiceFilter(field_name="destination_country",
                                       queryset=Country.objects.all(), label=_("Destination"))
    validation_status = df.ChoiceFilter(choices=Seizure.Validation.choices,
                                        label=_("Validation status"))
    ids = record_ids(_("Record ids"))
    sort = SeizureSort(fields={"date": ("date", _("Date")),
                               "reference": ("reference", _("Reference")),
                               "place": ("place__name", _("Place")),
                               "created": ("created_at", _("Created"))}, label=_("Sort"))

    class Meta:
        model = Seizure
        fields = ["q", "date_from", "date_to", "year", "place", "agency", "taxon", "commodity",
                  "nationality", "origin", "destination", "validation_status", "ids"]
