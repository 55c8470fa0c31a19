"""Seizure consistency rules for `kouprey check` (see core.checks)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext as _

from kouprey.core.checks import ERROR, WARNING, Check, Problem
from kouprey.seizures.models import Seizure, SeizureItem, Suspect
from kouprey.seizures.services import PROPORTION_TOLERANCE

if TYPE_CHECKING:
    from kouprey.core.models import User

# The heaviest elephant tusks on record weigh a little over 100 kg; a raw ivory item whose
# weight per piece is above this is a typing error in the pieces or the weight.
MAX_TUSK_KG = 120


def _problem(rule: str, severity: str, seizure_id: int, reference: str, message: str
             ) -> Problem:
    return Problem(rule, severity, "seizure", seizure_id, reference, message)


def origin_proportions(user: User) -> Iterator[Problem]:
    """The countries of origin's proportions, where given, must sum to 1."""
    rows = Seizure.objects.restrict(user, "view").annotate(
        n=Count("origins"), total=Sum("origins__proportion")).filter(n__gt=0).exclude(
        total__gte=1 - PROPORTION_TOLERANCE, total__lte=1 + PROPORTION_TOLERANCE)
    for pk, reference, total in rows.values_list("pk", "reference", "total"):
        yield _problem("origin_proportions", ERROR, pk, reference, _(
            "Origin proportions sum to %(total)s, not 1.") % {
            "total": Decimal(total).normalize()})


def validated_without_items(user: User) -> Iterator[Problem]:
    """A validated seizure says what was seized."""
    rows = Seizure.objects.restrict(user, "view").filter(
        validation_status=Seizure.Validation.VALIDATED, items__isnull=True)
    for pk, reference in rows.values_list("pk", "reference"):
        yield _problem("validated_without_items", ERROR, pk, reference,
                       _("The seizure is validated but has no seized items."))


def item_weights(user: User) -> Iterator[Problem]:
    """Item weights that do not fit their pieces.

    Two cases that really happen when a form or a spreadsheet is filled in: pieces counted
    with a weight of 0 (an unknown weight typed as 0, which makes totals and RIE too low;
    leave it empty instead), and raw ivory heavier per piece than any tusk on record
    (pieces and weight swapped, or grams typed as kilograms).
    """
    items = SeizureItem.objects.restrict(user, "view")
    zero = items.filter(pieces__gt=0, weight_kg=0)
    for pk, reference, pieces in zero.values_list("seizure_id", "seizure__reference",
                                                  "pieces"):
        yield _problem("item_zero_weight", ERROR, pk, reference, _(
            "An item of %(pieces)s pieces weighs 0 kg; leave the weight empty when it is "
            "not known.") % {"pieces": pieces})
    heavy = items.filter(Q(commodity__is_ivory=True) & Q(worked=False), pieces__gt=0,
                         weight_kg__gt=F("pieces") * MAX_TUSK_KG)
    for pk, reference, pieces, weight in heavy.values_list(
            "seizure_id", "seizure__reference", "pieces", "weight_kg"):
        yield _problem("item_weight_per_piece", ERROR, pk, reference, _(
            "%(pieces)s pieces of raw ivory weigh %(weight)s kg: more than %(max)s kg a "
            "piece, heavier than any tusk on record.") % {
            "pieces": pieces, "weight": Decimal(weight).normalize(), "max": MAX_TUSK_KG})


def suspects_without_nationality(user: User) -> Iterator[Problem]:
    """Warning: a validated seizure's suspects should have a nationality (CITES, ETIS)."""
    rows = Suspect.objects.restrict(user, "view").filter(
        seizure__validation_status=Seizure.Validation.VALIDATED, nationality__isnull=True)
    for pk, reference, name in rows.values_list("seizure_id", "seizure__reference",
                                                "name"):
        yield _problem("suspect_without_nationality", WARNING, pk, reference, _(
            "Suspect %(name)s has no nationality.") % {"name": name})


CHECKS: list[Check] = [origin_proportions, validated_without_items, item_weights,
                       suspects_without_nationality]
