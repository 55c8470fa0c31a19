"""Pre-aggregated figures behind the indicator table.

Why: docs/decisions/2026-11-21-indicator-rollups.md.

- ``Bucket``: one visibility of records (owning organisation, confidentiality, the set of
  organisations they are shared with). It has the same fields as a record, so which buckets
  a reader sees is decided by the one rule, ``Bucket.objects.restrict(user, "view")``.
- ``Tally``: additive figures of the seizures (or cases) of one month and one bucket, one
  row per dimension and key (a place, a commodity, a flow ...). ``month`` is ``yyyymm``;
  ``-yyyy`` holds the sum of that year's months, ``ALL_TIME`` the sum of all months, ``0``
  the cases without any seizure.
- ``DirtyMonth``: months whose tallies no longer match the records. Database triggers
  (indicators.triggers) add them in the writing transaction; readers recompute them.
- ``SeizureTally``: each seizure's own rows (indicators.own), and ``SeizureCourt``,
  ``CaseFact``: what the cases decide, kept per seizure and per case (indicators.facts), so
  that a write changes the tallies by the difference for the records it named instead of
  recounting their months.
"""

from __future__ import annotations

from django.db import models

from kouprey.core.models import Organisation
from kouprey.core.permissions import Confidentiality
from kouprey.core.querysets import RestrictedManager

ALL_MONTHS = -1  # a DirtyMonth meaning "everything" (TRUNCATE, missing triggers)
UNDATED = 0  # the month of the cases without a linked seizure
ALL_TIME = -100000  # the Tally rows summing every month (years are -yyyy)
RESOLVE = -2  # a DirtyMonth naming a seizure or case (SQLite) whose months are looked up
EVERYTHING, COURT = 0, 1  # DirtyMonth.part: every figure, or only those cases decide


class Bucket(models.Model):
    """A visibility shared by records: read through ``restrict()`` like the records."""

    signature = models.CharField(max_length=400, unique=True)  # "owner:level:shared,ids"
    owner_org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    confidentiality = models.PositiveSmallIntegerField(
        choices=Confidentiality.choices, default=Confidentiality.RESTRICTED)
    shared_with = models.ManyToManyField(Organisation, blank=True, related_name="+")

    objects = RestrictedManager()

    def __str__(self) -> str:
        return self.signature


class Tally(models.Model):
    """Additive figures of one (month, bucket, validated, dimension, key)."""

    month = models.IntegerField()
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    validated = models.BooleanField()
    dimension = models.CharField(max_length=20)
    key = models.TextField(blank=True)
    seizures = models.BigIntegerField(default=0)  # seizures (or cases) counted
    weight_g = models.BigIntegerField(default=0)  # items' weight in grams
    weighed = models.BigIntegerField(default=0)  # items with a weight
    worked_g = models.BigIntegerField(default=0)  # of which worked items, in grams

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["month", "bucket", "validated", "dimension", "key"], name="tally_once")]

    def __str__(self) -> str:
        return f"{self.month} {self.dimension}={self.key}: {self.seizures}"


class DirtyMonth(models.Model):
    """A month to recompute (one row per writing statement; several rows may repeat)."""

    id = models.BigAutoField(primary_key=True)
    month = models.IntegerField()
    # EVERYTHING (a seizure or its rows changed), or COURT: a case, its events, agencies,
    # sharing or links changed, so only prosecution, conviction, verdict and case figures.
    part = models.PositiveSmallIntegerField(db_default=EVERYTHING)
    # With month RESOLVE (SQLite's triggers): the seizure or case whose months are meant.
    # A seizure marked COURT also means the seizures sharing a case with it; a case, its
    # seizures' months and month 0. Never let a migration rebuild this table on SQLite
    # with the triggers in place (they name it): drop them first, as 0002 does.
    seizure_pk = models.BigIntegerField(null=True, blank=True)
    case_pk = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.month)


class KeptForSeizure(models.Model):
    """What is kept for one seizure: where its figures are counted, (month, bucket,
    validated)."""

    seizure_id = models.BigIntegerField(primary_key=True)  # no FK: deletions mark, then go
    month = models.IntegerField(db_index=True)
    bucket_id = models.BigIntegerField()
    validated = models.BooleanField()

    class Meta:
        abstract = True


class SeizureTally(KeptForSeizure):
    """One seizure's own figures, as counted in the rows of its (month, bucket, validated):
    one line per dimension and key, ``dimension<TAB>key<TAB>seizures<TAB>weight_g<TAB>
    weighed<TAB>worked_g`` (total, year, place, agency, nationality, taxon, commodity, flow).
    """

    rows = models.TextField()

    def __str__(self) -> str:
        return f"{self.seizure_id}: {self.month}"


class SeizureCourt(KeptForSeizure):
    """The case-decided facts of one seizure that has a prosecuted case, as counted in the
    ``prosecuted``, ``convicted`` and ``verdict`` tallies of its (month, bucket, validated).

    The bucket signatures of its prosecuted and convicted cases (``;``-separated), and per
    case bucket the day of the first verdict (``sig=yyyy-mm-dd``): the days to it are counted
    from ``day``, the seizure's date."""

    day = models.DateField()
    prosecuted = models.TextField(blank=True)
    convicted = models.TextField(blank=True)
    verdicts = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.seizure_id}: {self.prosecuted}"


class CaseFact(models.Model):
    """One case as counted in the ``cases`` (and ``interagency``) tallies: the month of its
    earliest linked seizure (0 without one) and the case's own bucket."""

    case_id = models.BigIntegerField(primary_key=True)
    month = models.IntegerField()
    bucket_id = models.BigIntegerField()
    interagency = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.case_id}: {self.month}"
