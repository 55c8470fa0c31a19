"""Admin pages for the reference data: where admins extend the tables ``kouprey init`` loads.

Who may change them follows the one permission layer (core.permissions): users whose role
may ``manage`` (admins) and superusers add, change and delete; every staff user may look.
Rows in use by a record cannot be deleted (the foreign keys protect them); retire a
vocabulary entry by unticking "active" instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kouprey.core.permissions import MANAGE, can
from kouprey.reference.models import (
    Agency,
    CommodityType,
    ConcealmentType,
    Country,
    DetectionMethod,
    Place,
    Taxon,
    TransportMode,
    Unit,
)


class ReferenceAdmin(admin.ModelAdmin):
    """Managed by the role that may ``manage``, not by Django's per-model permissions."""

    list_per_page = 100

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, MANAGE)  # type: ignore[arg-type]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, MANAGE)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, MANAGE)  # type: ignore[arg-type]


@admin.register(Country)
class CountryAdmin(ReferenceAdmin):
    list_display = ["iso2", "iso3", "name", "name_km"]
    search_fields = ["iso2", "iso3", "name", "name_km"]


@admin.register(Place)
class PlaceAdmin(ReferenceAdmin):
    list_display = ["name", "name_km", "kind", "country", "locode", "iata", "latitude",
                    "longitude"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "name_km", "locode", "iata", "country__name"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]


@admin.register(Agency)
class AgencyAdmin(ReferenceAdmin):
    list_display = ["code", "name", "name_km", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["code", "name", "name_km"]
    list_select_related = ["country", "parent"]
    autocomplete_fields = ["country", "parent"]


@admin.register(Taxon)
class TaxonAdmin(ReferenceAdmin):
    list_display = ["scientific_name", "rank", "common_name_en", "common_name_km",
                    "cites_appendix", "group"]
    list_filter = ["cites_appendix", "rank", "group"]
    search_fields = ["scientific_name", "common_name_en", "common_name_km"]


class TermAdmin(ReferenceAdmin):
    list_display = ["code", "name", "name_km", "active", "sort"]
    list_editable = ["active", "sort"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_km"]


@admin.register(CommodityType)
class CommodityTypeAdmin(TermAdmin):
    list_display = [*TermAdmin.list_display, "is_ivory", "cites_term"]
    list_filter = ["active", "is_ivory"]


@admin.register(Unit)
class UnitAdmin(TermAdmin):
    list_display = [*TermAdmin.list_display, "dimension", "cites_code"]
    list_filter = ["active", "dimension"]


admin.site.register(DetectionMethod, TermAdmin)
admin.site.register(TransportMode, TermAdmin)
admin.site.register(ConcealmentType, TermAdmin)
