"""A case: the seizures it follows, the agencies involved, and its dated court timeline.

The fields follow court monitoring practice (WildlifeDirect "Eyes in the Courtroom"): each
event is dated, may concern one defendant, and carries the fields of its kind. The current
stage is derived from the events (services.stage), never stored.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kouprey.core.models import OwnedModel
from kouprey.core.querysets import CaseChildManager
from kouprey.reference.models import Agency, Country, Place
from kouprey.seizures.models import Seizure, Suspect


class Case(OwnedModel):
    external_id = models.CharField(_("external id"), max_length=100, unique=True, null=True,
                                   blank=True)
    case_number = models.CharField(_("case number"), max_length=100, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    seizures = models.ManyToManyField(Seizure, verbose_name=_("seizures"), blank=True,
                                      related_name="cases")
    court = models.ForeignKey(Agency, verbose_name=_("court"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    synthetic = models.BooleanField(_("synthetic (demo) record"), default=False)
    search_text = models.TextField(editable=False, blank=True)
    # The tokens of the reference rows it names (reference.words); a database default too,
    # so rows written by plain SQL fit.
    search_refs = models.TextField(editable=False, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        indexes = [models.Index(fields=["owner_org", "opened_on"])]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}".strip() if self.case_number else self.title

    def audit_root(self) -> models.Model:
        return self


class CaseChild(models.Model):
    """Base of the records that belong to a case (``case`` is set in each)."""

    case: models.ForeignKey[Case, Case]

    objects = CaseChildManager()

    class Meta:
        abstract = True

    def audit_root(self) -> models.Model:
        return self.case


class CaseAgency(CaseChild):
    class Role(models.TextChoices):
        DETECTING = "detecting", _("Detected the seizure")
        INVESTIGATING = "investigating", _("Investigating")
        PROSECUTING = "prosecuting", _("Prosecuting")
        ADJUDICATING = "adjudicating", _("Court")
        FORENSIC = "forensic", _("Forensic support")
        CUSTODY = "custody", _("Evidence custody")
        SUPPORT = "support", _("Technical support")
        FOREIGN = "foreign", _("Foreign counterpart")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agency_roles")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("agency role")
        constraints = [
            models.UniqueConstraint(fields=["case", "agency", "role"], name="case_agency_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()})"


class Defendant(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="defendants")
    name = models.CharField(_("name as written"), max_length=200)
    name_latin = models.CharField(_("name transliterated"), max_length=200, blank=True)
    nationality = models.ForeignKey(Country, verbose_name=_("nationality"), null=True,
                                    blank=True, on_delete=models.PROTECT)
    suspect = models.ForeignKey(Suspect, verbose_name=_("suspect in the seizure"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    synthetic = models.BooleanField(_("synthetic (fictitious) person"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("defendant")

    def __str__(self) -> str:
        return self.name_latin or self.name


class CaseEvent(CaseChild):
    """One dated step of a case, for one defendant or for the whole case."""

    class Kind(models.TextChoices):
        ARREST = "arrest", _("Arrest")
        INVESTIGATION = "investigation", _("Investigation opened")
        REFERRAL = "referral", _("Referral to prosecutor")
        CHARGE = "charge", _("Charge")
        ARRAIGNMENT = "arraignment", _("Arraignment and plea")
        BAIL = "bail", _("Bail decision")
        MENTION = "mention", _("Mention")
        HEARING = "hearing", _("Hearing")
        VERDICT = "verdict", _("Verdict")
        SENTENCE = "sentence", _("Sentence")
        TRANSACTION = "transaction", _("Transactional fine")
        APPEAL = "appeal", _("Appeal")
        SAMPLING = "sampling", _("Evidence sampling")
        NOTE = "note", _("Note")

    class Plea(models.TextChoices):
        GUILTY = "guilty", _("Guilty")
        NOT_GUILTY = "not_guilty", _("Not guilty")

    class Outcome(models.TextChoices):
        CONVICTION = "conviction", _("Conviction")
        ACQUITTAL = "acquittal", _("Acquittal")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        DISMISSAL = "dismissal", _("Dismissal")

    class Bail(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    class FineStatus(models.TextChoices):
        PAID = "paid", _("Paid")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    defendant = models.ForeignKey(Defendant, verbose_name=_("defendant"), null=True,
                                  blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    place = models.ForeignKey(Place, verbose_name=_("place"), null=True, blank=True,
                              on_delete=models.PROTECT)
    authority = models.ForeignKey(Agency, verbose_name=_("authority"), null=True, blank=True,
                                  on_delete=models.PROTECT)
    judge = models.CharField(_("magistrate / judge"), max_length=200, blank=True)
    prosecutor = models.CharField(_("prosecutor"), max_length=200, blank=True)
    law_section = models.CharField(_("section of law"), max_length=200, blank=True)
    offence = models.CharField(_("offence"), max_length=300, blank=True)
    plea = models.CharField(_("plea"), max_length=12, choices=Plea.choices, blank=True)
    bail = models.CharField(_("bail"), max_length=10, choices=Bail.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices,
                               blank=True)
    prison_months = models.PositiveIntegerField(_("prison (months)"), null=True, blank=True)
    suspended = models.BooleanField(_("suspended"), default=False)
    amount = models.DecimalField(_("fine or bail amount"), max_digits=14, decimal_places=2,
                                 null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    fine_status = models.CharField(_("transactional fine"), max_length=10,
                                   choices=FineStatus.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("case event")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
