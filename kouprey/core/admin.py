"""Admin pages for organisations, users, the audit log and API tokens (superusers).

The audit log and API tokens are read-only here: audit entries are never edited, and tokens
are created and revoked with ``kouprey token create|revoke`` (only their hash is stored).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kouprey.core.models import ApiToken, AuditEntry, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_km", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_km"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "organisation", "role", "clearance", "is_staff", "is_active",
                    "last_login"]
    list_filter = ["organisation", "role", "clearance", "is_staff", "is_superuser",
                   "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Kouprey"), {"fields": ("organisation", "role", "clearance")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kouprey"), {"fields": ("organisation", "role", "clearance")}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "model", "object_repr"]
    list_filter = ["action", "model"]
    search_fields = ["actor_name", "object_repr", "object_id", "root_id"]
    date_hierarchy = "at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    exclude = ["key_hash"]
