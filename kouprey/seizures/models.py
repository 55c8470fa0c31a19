"""A seizure: where and how it was detected, what was seized, the trade chain, who and why.

Items, suspects, chain countries and sources belong to their seizure and are read through it
(their querysets restrict through ``seizure``). Raw ivory equivalent is derived from the items
(services.rie), never stored.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kouprey.core.models import OwnedModel
from kouprey.core.querysets import SeizureChildManager
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

NOT_NEGATIVE = MinValueValidator(0, message=_("Must not be negative."))


class Seizure(OwnedModel):
    class Validation(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VALIDATED = "validated", _("Validated")
        REJECTED = "rejected", _("Rejected")

    class Reason(models.TextChoices):
        """Why the goods were seized: a column of the CITES Annual Illegal Trade Report."""

        NO_PERMIT = "no_permit", _("No CITES permit or certificate")
        INVALID_PERMIT = "invalid_permit", _("Invalid, forged or expired permit")
        NOT_MATCHING = "not_matching", _("Specimens not matching the permit")
        UNDECLARED = "undeclared", _("Undeclared or concealed")
        PROHIBITED = "prohibited", _("Trade prohibited under national law")
        OTHER = "other", _("Other reason")

    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, null=True, blank=True,
        help_text=_("Stable id from the source system; re-imports match on it."),
    )
    reference = models.CharField(_("reference"), max_length=50, blank=True, db_index=True)
    date = models.DateField(_("date of seizure"), db_index=True)
    place = models.ForeignKey(Place, verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="seizures",
                              db_index=False)  # served by the (place, date) index
    discovery_country = models.ForeignKey(
        Country, verbose_name=_("country of discovery"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,
    )
    agencies = models.ManyToManyField(Agency, verbose_name=_("detecting agencies"), blank=True,
                                      related_name="seizures")
    detection_method = models.ForeignKey(DetectionMethod, verbose_name=_("detection method"),
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         db_index=False)
    transport_mode = models.ForeignKey(TransportMode, verbose_name=_("transport mode"),
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       db_index=False)
    concealment = models.ForeignKey(ConcealmentType, verbose_name=_("concealment"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    db_index=False)
    flight_number = models.CharField(_("flight"), max_length=20, blank=True)
    vessel_name = models.CharField(_("vessel"), max_length=100, blank=True)
    container_number = models.CharField(_("container number"), max_length=20, blank=True)
    bill_of_lading = models.CharField(_("bill of lading"), max_length=50, blank=True)
    air_waybill = models.CharField(_("air waybill"), max_length=50, blank=True)
    export_country = models.ForeignKey(Country, verbose_name=_("country of export"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+",
                                       db_index=False)
    destination_country = models.ForeignKey(
        Country, verbose_name=_("country of destination"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    # A database default too, so rows written by plain SQL (other tools, old scripts) fit.
    reason = models.CharField(_("reason for seizure"), max_length=20, blank=True,
                              choices=Reason.choices, default="", db_default="")
    validation_status = models.CharField(_("validation status"), max_length=10,
                                         choices=Validation.choices, default=Validation.DRAFT)
    synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)
    search_text = models.TextField(editable=False, blank=True)
    # The tokens of the reference rows it names (reference.words); a database default too,
    # so rows written by plain SQL fit.
    search_refs = models.TextField(editable=False, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("seizure")
        # Foreign keys that no list filters on carry no index (db_index=False): each index
        # costs every import; owner_org is served by the (owner_org, date) index.
        # (place, date) and (validation_status, date): a list filtered on one of them and
        # a date range or sorted by date reads only its rows (decisions/...-list-speed.md).
        # The second covers the sorts and the restriction (PostgreSQL only: Django creates
        # no INCLUDE index on SQLite, where core.search's covering indexes serve it).
        indexes = [models.Index(fields=["owner_org", "date"]),
                   models.Index(fields=["place", "date"], name="seizure_place_date"),
                   models.Index(fields=["validation_status", "date"],
                                include=["id", "reference", "confidentiality", "owner_org"],
                                name="seizure_validation_cover")]

    def __str__(self) -> str:
        place = self.place.name if self.place is not None else ""
        return f"{self.reference or f'#{self.pk}'} {self.date:%Y-%m-%d} {place}".strip()

    def audit_root(self) -> models.Model:
        return self


class SeizureChild(models.Model):
    """Base of the records that belong to a seizure (``seizure`` is set in each)."""

    seizure: models.ForeignKey[Seizure, Seizure]

    objects = SeizureChildManager()

    class Meta:
        abstract = True

    def audit_root(self) -> models.Model:
        return self.seizure


class SeizureItem(SeizureChild):
    class Disposal(models.TextChoices):
        """What became of the seized specimens: a column of the CITES Annual Illegal Trade
        Report (the stockpile module will follow held items piece by piece)."""

        HELD = "held", _("Held as evidence or in a stockpile")
        DESTROYED = "destroyed", _("Destroyed")
        RETURNED = "returned", _("Returned to the country of origin or export")
        RELEASED = "released", _("Live animals released to the wild")
        RESCUE_CENTRE = "rescue_centre", _("Live animals placed in a rescue centre")
        OTHER = "other", _("Other disposal")

    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="items")
    taxon = models.ForeignKey(Taxon, verbose_name=_("taxon"), null=True, blank=True,
                              on_delete=models.PROTECT)
    commodity = models.ForeignKey(CommodityType, verbose_name=_("commodity"),
                                  on_delete=models.PROTECT)
    worked = models.BooleanField(_("worked"), default=False,
                                 help_text=_("Worked (carved, processed) rather than raw."))
    pieces = models.PositiveIntegerField(_("pieces"), null=True, blank=True)
    count_unit = models.ForeignKey(Unit, verbose_name=_("counted in"), null=True, blank=True,
                                   on_delete=models.PROTECT, db_index=False)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=12, decimal_places=3,
                                    null=True, blank=True, validators=[NOT_NEGATIVE])
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=12, decimal_places=3,
                                    null=True, blank=True, validators=[NOT_NEGATIVE])
    value = models.DecimalField(_("estimated value"), max_digits=14, decimal_places=2,
                                null=True, blank=True, validators=[NOT_NEGATIVE])
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    disposal = models.CharField(_("disposal"), max_length=20, blank=True,
                                choices=Disposal.choices, default="", db_default="")

    class Meta:
        ordering = ["id"]
        verbose_name = _("seized item")
        constraints = [
            models.CheckConstraint(condition=models.Q(weight_kg__gte=0) | models.Q(
                weight_kg__isnull=True), name="item_weight_not_negative"),
            models.CheckConstraint(condition=models.Q(volume_m3__gte=0) | models.Q(
                volume_m3__isnull=True), name="item_volume_not_negative"),
            models.CheckConstraint(condition=models.Q(value__gte=0) | models.Q(
                value__isnull=True), name="item_value_not_negative"),
        ]

    def __str__(self) -> str:
        kind = _("worked") if self.worked else _("raw")
        weight = f" {self.weight_kg} kg" if self.weight_kg is not None else ""
        return f"{self.commodity.name} ({kind}){weight}"


class OriginCountry(SeizureChild):
    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="origins")
    country = models.ForeignKey(Country, verbose_name=_("country of origin"),
                                on_delete=models.PROTECT)
    proportion = models.DecimalField(
        _("proportion"), max_digits=4, decimal_places=3, default=1,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(1)],
        help_text=_("Share of the shipment from this country, between 0 and 1."),
    )

    class Meta:
        ordering = ["-proportion", "id"]
        verbose_name = _("country of origin")
        constraints = [
            models.UniqueConstraint(fields=["seizure", "country"], name="origin_once"),
            models.CheckConstraint(condition=models.Q(proportion__gt=0, proportion__lte=1),
                                   name="origin_proportion_range"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.proportion:.0%}"


class TransitCountry(SeizureChild):
    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="transits")
    country = models.ForeignKey(Country, verbose_name=_("transit country"),
                                on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    seizure_opportunity = models.BooleanField(
        _("seizure opportunity"), default=False,
        help_text=_("The shipment passed here where it could have been seized (ETIS)."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("transit country")
        constraints = [
            models.UniqueConstraint(fields=["seizure", "country"], name="transit_once"),
        ]

    def __str__(self) -> str:
        return str(self.country)


class Suspect(SeizureChild):
    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="suspects")
    class Role(models.TextChoices):
        COURIER = "courier", _("Courier")
        OWNER = "owner", _("Owner")
        CONSIGNEE = "consignee", _("Consignee")
        CONSIGNOR = "consignor", _("Consignor / shipper")
        BROKER = "broker", _("Broker / agent")
        DRIVER = "driver", _("Driver")
        OTHER = "other", _("Other")

    name = models.CharField(_("name as written"), max_length=200)
    name_latin = models.CharField(_("name transliterated"), max_length=200, blank=True)
    nationality = models.ForeignKey(Country, verbose_name=_("nationality"), null=True,
                                    blank=True, on_delete=models.PROTECT)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OTHER)
    arrested = models.BooleanField(_("arrested"), default=False)
    synthetic = models.BooleanField(_("synthetic (fictitious) person"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("suspect")

    def __str__(self) -> str:
        return self.name_latin or self.name


class Source(SeizureChild):
    seizure = models.ForeignKey(Seizure, on_delete=models.CASCADE, related_name="sources")
    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Official document")
        ARTICLE = "article", _("News article")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.DOCUMENT)
    reference = models.CharField(_("reference"), max_length=300)
    url = models.URLField(_("address"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("source")

    def __str__(self) -> str:
        return self.reference
