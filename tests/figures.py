"""Progress figures counted directly from the records, the reference the roll-ups must agree with
(activities.progress reads the roll-ups; these are for the tests only)."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from activities.models import Activity, CoOrganiser, CoOrganiserStatus, Status
from activities.progress import Figures
from units.models import Unit


def approved_in_subtree(unit: Unit) -> QuerySet[Activity]:
    """Approved activities that count for `unit`'s subtree, each once."""
    confirmed = CoOrganiser.objects.filter(
        activity=OuterRef("pk"),
        status=CoOrganiserStatus.CONFIRMED,
        unit__path__startswith=unit.path,
    )
    return Activity.objects.filter(
        Q(unit__path__startswith=unit.path) | Q(Exists(confirmed)), status=Status.APPROVED
    )


def task_figures(unit: Unit, task_ids: list[int]) -> dict[int, Figures]:
    """Approved activities, participants and quantity per task for `unit`'s subtree, counted
    directly from the records in one query (the reference the roll-ups must agree with)."""
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
