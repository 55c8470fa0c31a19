"""Organisations, users, and the base every owned record shares."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kouprey.core.permissions import Confidentiality, Role
from kouprey.core.querysets import RestrictedManager


class Organisation(models.Model):
    """An agency or NGO whose users own records."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Government agency")
        NGO = "ngo", _("NGO")
        COURT = "court", _("Court")
        LAB = "lab", _("Forensic laboratory")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_km = models.CharField(_("Khmer name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.AGENCY)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class KoupreyUserManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """A person who signs in; belongs to one organisation with one role."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Confidentiality.choices, default=Confidentiality.RESTRICTED,
        help_text=_("The highest confidentiality level this user may read."),
    )

    objects = KoupreyUserManager()  # type: ignore[misc]  # django-stubs: AbstractUser.objects is a ClassVar

    def __str__(self) -> str:
        return self.username


class OwnedModel(models.Model):
    """A record with an owning organisation, a confidentiality level and sharing."""

    owner_org = models.ForeignKey(
        Organisation, verbose_name=_("owning organisation"), on_delete=models.PROTECT,
        related_name="+", db_index=False,  # each owned model indexes (owner_org, date)
    )
    confidentiality = models.PositiveSmallIntegerField(
        _("confidentiality"), choices=Confidentiality.choices,
        default=Confidentiality.RESTRICTED,
    )
    shared_with = models.ManyToManyField(
        Organisation, verbose_name=_("shared with"), blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedManager()

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One create, update or delete: who, when, what changed. Never edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        IMPORT = "import", _("imported")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    root_model = models.CharField(max_length=100)
    root_id = models.CharField(max_length=64)
    changes = models.JSONField(_("changes"), default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["root_model", "root_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValueError("Audit entries are never edited.")
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A token for scripts: ``Authorization: Bearer <token>``. Only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ColumnMapping(models.Model):
    """A saved import mapping: which file column feeds which Kouprey field.

    ``columns`` maps a column header of the file to a field of the target (the default
    mapping's column names, listed in docs/import-export.md), e.g.
    ``{"Date saisie": "date", "Port": "place"}``. Built-in mappings (``default``, ``lemis``)
    live in code and cannot be shadowed.
    """

    class Target(models.TextChoices):
        SEIZURES = "seizures", _("Seizures")

    name = models.SlugField(_("name"), max_length=50)
    target = models.CharField(_("imports into"), max_length=20, choices=Target.choices,
                              default=Target.SEIZURES)
    columns = models.JSONField(_("columns"), default=dict,
                               help_text=_("File column header -> Kouprey field."))
    owner_org = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
        help_text=_("Empty: available to every organisation."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["target", "name"]
        verbose_name = _("column mapping")
        constraints = [
            models.UniqueConstraint(fields=["target", "owner_org", "name"],
                                    name="column_mapping_name_once"),
        ]

    def __str__(self) -> str:
        return f"{self.target}:{self.name}"


class DataVersion(models.Model):
    """One row (id 1) whose ``version`` the database raises on every committed write.

    Triggers installed by core.dataversion bump it for every table the indicators read from;
    an exact cache keys its entries on it (see docs/decisions/2026-11-21-indicator-cache.md).
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="dataversion_single_row")]

    def __str__(self) -> str:
        return str(self.version)
