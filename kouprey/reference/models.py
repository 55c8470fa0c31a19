"""Reference data: countries, places, agencies, taxa and the controlled vocabularies.

Loaded by ``kouprey init`` from the files in kouprey/reference/data (sources and licences in
its README); admins extend them in the admin pages. Every signed-in user reads them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kouprey.core.querysets import ReferenceManager


class Named(models.Model):
    """A reference row with an English and a Khmer name; shows the one for the language."""

    name = models.CharField(_("name"), max_length=200)
    name_km = models.CharField(_("Khmer name"), max_length=200, blank=True)

    objects = ReferenceManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        if (get_language() or "en").startswith("km") and self.name_km:
            return self.name_km
        return self.name


class Country(Named):
    iso2 = models.CharField(_("ISO 3166 alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO 3166 alpha-3"), max_length=3, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Place(Named):
    class Kind(models.TextChoices):
        SEAPORT = "seaport", _("Seaport")
        DRY_PORT = "dry_port", _("Dry port")
        RIVER_PORT = "river_port", _("River port")
        AIRPORT = "airport", _("Airport")
        BORDER = "border", _("Land border crossing")
        CITY = "city", _("Town or city")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT)
    locode = models.CharField(_("UN/LOCODE"), max_length=5, blank=True, db_index=True)
    iata = models.CharField(_("IATA code"), max_length=3, blank=True, db_index=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["country__name", "name"]
        verbose_name = _("place")

    @property
    def code(self) -> str:
        return self.iata or self.locode


class Agency(Named):
    class Kind(models.TextChoices):
        CUSTOMS = "customs", _("Customs")
        FORESTRY = "forestry", _("Forestry / wildlife authority")
        FISHERIES = "fisheries", _("Fisheries")
        ENVIRONMENT = "environment", _("Environment ministry")
        POLICE = "police", _("Police")
        GENDARMERIE = "gendarmerie", _("Gendarmerie")
        MINISTRY = "ministry", _("Ministry")
        PROSECUTION = "prosecution", _("Prosecution")
        COURT = "court", _("Court")
        BANK = "bank", _("Bank / stockpile warehouse")
        FOREIGN = "foreign", _("Foreign counterpart")
        NGO = "ngo", _("NGO")
        LAB = "lab", _("Forensic laboratory")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(Country, verbose_name=_("country"), null=True, blank=True,
                                on_delete=models.PROTECT)
    parent = models.ForeignKey("self", verbose_name=_("part of"), null=True, blank=True,
                               on_delete=models.SET_NULL)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Taxon(models.Model):
    class Appendix(models.TextChoices):
        I = "I", "I"  # noqa: E741
        II = "II", "II"
        III = "III", "III"
        NONE = "", _("not listed")

    scientific_name = models.CharField(_("scientific name"), max_length=200, unique=True)
    rank = models.CharField(_("rank"), max_length=20, default="species")
    common_name_en = models.CharField(_("English common name"), max_length=200, blank=True)
    common_name_km = models.CharField(_("Khmer common name"), max_length=200, blank=True)
    cites_appendix = models.CharField(_("CITES appendix"), max_length=3, blank=True,
                                      choices=Appendix.choices)
    group = models.CharField(_("group"), max_length=50, blank=True)

    objects = ReferenceManager()

    class Meta:
        ordering = ["scientific_name"]
        verbose_name = _("taxon")
        verbose_name_plural = _("taxa")

    def __str__(self) -> str:
        common = self.common_name_km if (get_language() or "en").startswith("km") else ""
        common = common or self.common_name_en
        return f"{self.scientific_name} ({common})" if common else self.scientific_name


class Term(Named):
    """A controlled-vocabulary entry; each vocabulary is its own table (below)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        abstract = True
        ordering = ["sort", "name"]


class CommodityType(Term):
    is_ivory = models.BooleanField(_("counts as ivory"), default=False)
    cites_term = models.CharField(_("CITES term"), max_length=50, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("commodity type")


class Unit(Term):
    class Dimension(models.TextChoices):
        MASS = "mass", _("mass")
        COUNT = "count", _("count")
        VOLUME = "volume", _("volume")

    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    cites_code = models.CharField(_("CITES unit"), max_length=10, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("unit")


class DetectionMethod(Term):
    class Meta(Term.Meta):
        verbose_name = _("detection method")


class TransportMode(Term):
    class Meta(Term.Meta):
        verbose_name = _("transport mode")


class ConcealmentType(Term):
    class Meta(Term.Meta):
        verbose_name = _("concealment type")
