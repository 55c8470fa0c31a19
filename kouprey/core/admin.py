"""Admin pages for organisations, users, the audit log and API tokens.

Superusers see everything; an organisation's admins (role ``admin``) manage their own users.

The audit log and API tokens are read-only here: audit entries are never edited, and tokens
are created and revoked with ``kouprey token create|revoke`` (only their hash is stored).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kouprey.core.models import ApiToken, AuditEntry, Organisation, User
from kouprey.core.permissions import MANAGE, can

# The admin pages carry Kouprey's name, not "Django administration".
admin.site.site_header = admin.site.site_title = _("Kouprey administration")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_km", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_km"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Superusers manage everyone; an organisation's admins manage their own people (never
    superusers), may not move them to another organisation, and grant at most their own
    clearance. Nobody deletes users here: deactivate them (the audit log keeps the name)."""

    list_display = ["username", "organisation", "role", "clearance", "is_staff", "is_active",
                    "last_login"]
    list_filter = ["organisation", "role", "clearance", "is_staff", "is_superuser",
                   "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Kouprey"), {"fields": ("organisation", "role", "clearance")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kouprey"), {"fields": ("organisation", "role", "clearance")}),
    )
    SUPERUSER_ONLY = ("is_superuser", "groups", "user_permissions", "last_login", "date_joined")

    def _manages(self, request: HttpRequest) -> bool:
        return can(request.user, MANAGE)  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        own = getattr(request.user, "organisation_id", None)
        if own is None:
            return users.none()
        return users.filter(organisation_id=own, is_superuser=False)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return self.SUPERUSER_ONLY

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        if db_field.name == "organisation" and not request.user.is_superuser:
            own = getattr(request.user, "organisation_id", None)
            kwargs["queryset"] = (Organisation.objects.filter(pk=own) if own is not None
                                  else Organisation.objects.none())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest,
                                   **kwargs: Any) -> Any:
        if db_field.name == "clearance" and not request.user.is_superuser:
            highest = getattr(request.user, "clearance", 0)
            kwargs["choices"] = [(v, label) for v, label in db_field.choices if v <= highest]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.organisation_id = getattr(request.user, "organisation_id", None)
            obj.clearance = min(obj.clearance, getattr(request.user, "clearance", 0))
            obj.is_superuser = False
        super().save_model(request, obj, form, change)


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
