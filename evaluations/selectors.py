"""Reads of the appraisal figures. A subtree's figures are the sum of its units' tallies
(AppraisalTally, kept by evaluations.services.rating_submit), so a page costs a few queries
however many ratings there are."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from campaigns.models import Campaign
from common.figures import rounded_percent
from evaluations.models import AppraisalTally, Rating
from units.models import Unit

COUNTS = ("satisfied", "basically_satisfied", "dissatisfied")


def share(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole per cent (common.figures), or None with nothing to measure."""
    return rounded_percent(part / whole) if whole else None


@dataclass(frozen=True)
class Figures:
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0

    @property
    def ratings(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def satisfaction_rate(self) -> int | None:
        """满意率: (满意 + 基本满意) over every rating."""
        return share(self.satisfied + self.basically_satisfied, self.ratings)

    @property
    def satisfied_share(self) -> int | None:
        return share(self.satisfied, self.ratings)


def minimum_ratings() -> int:
    """Below this many ratings a unit's satisfaction is not judged."""
    return settings.APPRAISAL_MIN_RATINGS


def _tallies(unit: Unit, campaign: Campaign) -> QuerySet[AppraisalTally]:
    return AppraisalTally.objects.filter(campaign=campaign, unit__path__startswith=unit.path)


def _sums() -> dict:
    return {name: Coalesce(Sum(name), 0) for name in COUNTS}


def subtree_figures(unit: Unit, campaign: Campaign) -> Figures:
    return Figures(**_tallies(unit, campaign).aggregate(**_sums()))


def monthly_trend(unit: Unit, campaign: Campaign) -> list[tuple[date, Figures]]:
    rows = _tallies(unit, campaign).values("month").annotate(**_sums()).order_by("month")
    return [(row.pop("month"), Figures(**row)) for row in rows]


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit
    figures: Figures


def units_too_few(unit: Unit, campaign: Campaign, *, limit: int = 50) -> tuple[int, list]:
    """The active units of the subtree with fewer ratings than the minimum: how many, and the
    first `limit` of them in tree order with their own figures."""
    rows = (
        _tallies(unit, campaign)
        .order_by()
        .values("unit_id")
        .annotate(**_sums())
        .values_list("unit_id", *COUNTS)
    )
    counts = {row[0]: Figures(*row[1:]) for row in rows}
    judged = [pk for pk, figures in counts.items() if figures.ratings >= minimum_ratings()]
    too_few = Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(pk__in=judged)
    return too_few.count(), [
        UnitFigures(item, counts.get(item.pk, Figures()))
        for item in too_few.order_by("path")[:limit]
    ]


def remarks(unit: Unit, campaign: Campaign, verdict: int | None = None) -> QuerySet[Rating]:
    """The ratings with a remark in the subtree, newest first (hidden ones included: the page
    shows that they were hidden and why, not what they said)."""
    found = Rating.objects.filter(campaign=campaign, unit__path__startswith=unit.path).exclude(
        remark=""
    )
    if verdict is not None:
        found = found.filter(verdict=verdict)
    return found.select_related("unit").order_by("-created_at", "-pk")
