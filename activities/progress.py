"""Progress against targets, from approved activities only.

A unit's progress on a task counts the approved activities tagged with that task that were
organised, or co-organised with a confirmed answer, by the unit or any unit below it. An activity
is counted once however many of its organisers lie in that subtree, so a co-organised activity of
two sibling branches adds one activity (and its participants once) to their committee."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from activities.models import Activity, CoOrganiser, CoOrganiserStatus, Status
from campaigns.models import Metric, Target
from units.models import Unit


def approved_in_subtree(unit: Unit):
    """Approved activities that count for `unit`'s subtree, each once."""
    confirmed = CoOrganiser.objects.filter(
        activity=OuterRef("pk"),
        status=CoOrganiserStatus.CONFIRMED,
        unit__path__startswith=unit.path,
    )
    return Activity.objects.filter(
        Q(unit__path__startswith=unit.path) | Q(Exists(confirmed)), status=Status.APPROVED
    )


@dataclass(frozen=True)
class Figures:
    activities: int = 0
    participants: int = 0
    quantity: Decimal = Decimal(0)


def task_figures(unit: Unit, task_ids: list[int]) -> dict[int, Figures]:
    """Approved activities, participants and quantity per task for `unit`'s subtree, in one
    query whatever the number of tasks."""
    if not task_ids:
        return {}
    through = Activity.tasks.through
    rows = (
        through.objects.filter(
            targettask_id__in=task_ids, activity__in=approved_in_subtree(unit).values("pk")
        )
        .values("targettask_id")
        .annotate(
            activities=Count("*"),
            participants=Sum("activity__participants"),
            quantity=Sum("activity__quantity"),
        )
    )
    return {
        row["targettask_id"]: Figures(
            row["activities"], row["participants"] or 0, row["quantity"] or Decimal(0)
        )
        for row in rows
    }


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    figures: Figures

    @property
    def achieved(self) -> Decimal:
        metric = self.target.task.metric
        if metric == Metric.ACTIVITIES:
            return Decimal(self.figures.activities)
        if metric == Metric.PARTICIPANTS:
            return Decimal(self.figures.participants)
        return self.figures.quantity

    @property
    def percent(self) -> int:
        """Completion, capped at 100 for the bar; `achieved` keeps the real figure."""
        if not self.target.value:
            return 100
        return min(100, int(self.achieved * 100 / self.target.value))


def targets_progress(unit: Unit, targets: list[Target]) -> list[TargetProgress]:
    figures = task_figures(unit, [t.task_id for t in targets])
    return [TargetProgress(t, figures.get(t.task_id, Figures())) for t in targets]
