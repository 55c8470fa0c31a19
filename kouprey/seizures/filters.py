"""Seizure list filters, shared by the pages, the JSON twins, the API and the exports."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from kouprey.core.filters import IdsFilter, SortFilter
from kouprey.core.search import SearchFilter
from kouprey.reference.models import Agency, CommodityType, Country, Place, Taxon
from kouprey.seizures.models import Seizure


class SeizureFilter(df.FilterSet):
    q = SearchFilter(label=_("Search"))
    date_from = df.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = df.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    year = df.NumberFilter(field_name="date", lookup_expr="year", label=_("Year"))
    place = df.ModelChoiceFilter(queryset=Place.objects.all(), label=_("Place"))
    agency = df.ModelChoiceFilter(field_name="agencies", queryset=Agency.objects.all(),
                                  distinct=True, label=_("Agency"))
    taxon = df.ModelChoiceFilter(field_name="items__taxon", queryset=Taxon.objects.all(),
                                 distinct=True, label=_("Taxon"))
    commodity = df.ModelChoiceFilter(field_name="items__commodity", distinct=True,
                                     queryset=CommodityType.objects.all(),
                                     label=_("Commodity"))
    nationality = df.ModelChoiceFilter(field_name="suspects__nationality", distinct=True,
                                       queryset=Country.objects.all(),
                                       label=_("Suspect nationality"))
    origin = df.ModelChoiceFilter(field_name="origins__country", distinct=True,
                                  queryset=Country.objects.all(), label=_("Origin country"))
    destination = df.ModelChoiceFilter(field_name="destination_country",
                                       queryset=Country.objects.all(), label=_("Destination"))
    validation_status = df.ChoiceFilter(choices=Seizure.Validation.choices,
                                        label=_("Validation status"))
    ids = IdsFilter(field_name="id", label=_("Record ids"))
    sort = SortFilter(fields={"date": ("date", _("Date")),
                              "reference": ("reference", _("Reference")),
                              "place": ("place__name", _("Place")),
                              "created": ("created_at", _("Created"))}, label=_("Sort"))

    class Meta:
        model = Seizure
        fields = ["q", "date_from", "date_to", "year", "place", "agency", "taxon", "commodity",
                  "nationality", "origin", "destination", "validation_status", "ids"]
