"""The reminder rule of public commitments (践诺), run like the others by
notifications.tasks.run_rule (registered in notifications.rules.RULES):

- commitment_overdue: an item of an approved commitment set past its due date (the local date,
  campaigns.deadlines.today) and not fulfilled → each active staff member of its unit, once per
  item. Period: the due date. The link opens the item's fulfilment report when one was started,
  else the unit's commitments page.

Context keys: promise, unit_name, campaign_name, due_on (ISO date), days (days past due)."""

from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from activities.models import Status
from campaigns import deadlines
from evaluations.models import Commitment, FulfilmentReport
from notifications.models import Rule
from notifications.services import Notice


def _link(commitment: Commitment, report_id: int | None) -> str:
    if report_id is not None:
        return reverse("evaluations:report", args=[report_id])
    try:
        return reverse("evaluations:commitments", args=[commitment.unit_id, commitment.campaign_id])
    except NoReverseMatch:  # the commitments page is not installed: the workbench lists it
        return reverse("home")


def commitment_overdue(now: datetime) -> list[int]:
    from notifications.rules import notify_in_key_order, staff_by_unit

    today = timezone.localdate(now)
    late = list(
        Commitment.objects.filter(
            set__status=Status.APPROVED,
            fulfilled_at__isnull=True,
            due_on__lt=today,
            campaign__is_active=True,
            unit__is_active=True,
        )
        .select_related("unit", "campaign")
        .order_by("due_on", "pk")
    )
    # A campaign may keep another zone than the site's: each item is judged on its own day.
    late = [c for c in late if c.due_on < deadlines.today(c.campaign, now)]
    reports = dict(
        FulfilmentReport.objects.filter(commitment__in=late).values_list("commitment_id", "pk")
    )
    staff = staff_by_unit(c.unit_id for c in late)
    notices = []
    for commitment in late:
        context = {
            "promise": commitment.promise[:200],
            "unit_name": commitment.unit.name,
            "campaign_name": commitment.campaign.name,
            "due_on": commitment.due_on.isoformat(),
            "days": (deadlines.today(commitment.campaign, now) - commitment.due_on).days,
        }
        link = _link(commitment, reports.get(commitment.pk))
        for user in staff.get(commitment.unit_id, []):
            notices.append(
                Notice(
                    user,
                    f"commitment:{commitment.pk}",
                    commitment.due_on.isoformat(),
                    link,
                    context,
                )
            )
    return notify_in_key_order(rule=Rule.COMMITMENT_OVERDUE, notices=notices)
