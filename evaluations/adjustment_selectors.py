"""Reads of bonus and deduction items (evaluations.models.Adjustment): one item for a user who
may see its unit (else 404), a unit's items in a campaign, and the review queue of the items
waiting for a reviewer (the same rule as commitment sets: Scope.reviews_q)."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from activities.models import Status
from campaigns.models import Campaign
from evaluations.commitment_selectors import _not_passed_on_by
from evaluations.models import Adjustment, ReportFile, ReviewEvent
from units.models import Unit
from units.scope import Scope


def adjustment_for_user(who: User | Scope, pk: int) -> Adjustment:
    """The item `pk` if the user may see its unit, else 404."""
    item = Adjustment.objects.select_related("unit", "campaign", "created_by").filter(pk=pk).first()
    if item is None or not Scope.of(who).can_view(item.unit):
        raise Http404
    return item


def adjustments_of(unit: Unit, campaign: Campaign) -> QuerySet[Adjustment]:
    return (
        Adjustment.objects.filter(unit=unit, campaign=campaign)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def events_of(item: Adjustment) -> QuerySet[ReviewEvent]:
    return ReviewEvent.objects.filter(adjustment=item).select_related("actor")


def files_of(item: Adjustment) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(adjustment=item)


def review_queue(who: User | Scope) -> QuerySet[Adjustment]:
    """Items waiting for the user's review now, oldest first."""
    actor = Scope.of(who)
    if not actor.user.is_authenticated or not (actor.superuser or actor.reviewer_paths):
        return Adjustment.objects.none()
    found = Adjustment.objects.filter(status=Status.SUBMITTED)
    if not actor.superuser:
        found = found.filter(actor.reviews_q(unit="unit", waiting_on="review_unit"))
    found = found.exclude(unit_id__in=actor.staff_unit_ids).exclude(created_by=actor.user)
    found = found.filter(_not_passed_on_by(actor.user, "adjustment"))
    return found.select_related("unit", "campaign").order_by("waiting_since", "pk")
