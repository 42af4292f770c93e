"""Reads of fulfilment (践诺): a report as a user may see it, the activities that may be linked to
it, its files and events, and the commitments a unit's staff have to report."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404

from activities.models import Activity, Status
from campaigns.models import Campaign
from evaluations import honour_selectors, review
from evaluations.models import Commitment, FulfilmentReport, ReportFile, ReviewEvent
from units.scope import Scope

DUE_WITHIN_DAYS = 30  # the workbench lists commitments due within this many days, or overdue
SHOWN = 5


def report_for_user(actor: Scope, pk: int) -> FulfilmentReport:
    """The report `pk` if the user may see its unit, else 404."""
    report = (
        FulfilmentReport.objects.select_related(
            "commitment__unit", "commitment__campaign", "commitment__set", "review_unit"
        )
        .filter(pk=pk)
        .first()
    )
    if report is None or not actor.can_view(report.commitment.unit):
        raise Http404
    return report


def commitment_for_user(actor: Scope, pk: int) -> Commitment:
    """The commitment `pk` if the user may see its unit, else 404."""
    commitment = Commitment.objects.select_related("unit", "campaign", "set").filter(pk=pk).first()
    if commitment is None or not actor.can_view(commitment.unit):
        raise Http404
    return commitment


def linkable_activities(commitment: Commitment) -> QuerySet[Activity]:
    """The approved activities the commitment's unit organised in its campaign."""
    return Activity.objects.filter(
        unit_id=commitment.unit_id, campaign_id=commitment.campaign_id, status=Status.APPROVED
    ).order_by("-starts_on", "-pk")


def report_files(report: FulfilmentReport) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(fulfilment=report).order_by("created_at", "pk")


def report_events(report: FulfilmentReport) -> QuerySet[ReviewEvent]:
    return review.events_of(report).select_related("actor").order_by("created_at", "pk")


def file_for_user(actor: Scope, pk: int) -> ReportFile:
    """A report file — of a fulfilment report or of a follow-up — if the user may see the unit
    it belongs to, else 404."""
    item = (
        ReportFile.objects.select_related(
            "fulfilment__commitment__unit",
            "follow_up__unit",
            "adjustment__unit",
            "score_objection__unit",
            "application__unit",
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    if item.fulfilment is not None:
        unit = item.fulfilment.commitment.unit
    elif item.follow_up is not None:
        unit = item.follow_up.unit
    elif item.score_objection is not None:  # snapshots: an objection's evidence
        unit = item.score_objection.unit
    elif item.adjustment is not None:
        unit = item.adjustment.unit
    elif item.application is not None:  # an honour application's evidence (honour_views)
        if not honour_selectors.may_read(actor, item.application):
            raise Http404
        unit = item.application.unit
    else:
        raise Http404
    if not actor.can_view(unit):
        raise Http404
    return item


@dataclass(frozen=True)
class ToReport:
    commitment: Commitment
    overdue: bool

    @property
    def report(self) -> FulfilmentReport | None:
        return getattr(self.commitment, "report", None)


def commitments_to_report(unit_ids: set[int], today: date) -> tuple[list[ToReport], int]:
    """The units' commitments of approved sets, not fulfilled, due within DUE_WITHIN_DAYS of
    the local date `today` or already past due, the earliest due (the overdue) first: the first
    SHOWN and how many in all, in two queries."""
    pending = Commitment.objects.filter(
        Campaign.running_q(today, "campaign__"),
        unit_id__in=unit_ids,
        set__status=Status.APPROVED,
        fulfilled_at__isnull=True,
        due_on__lte=today + timedelta(days=DUE_WITHIN_DAYS),
    )
    shown = list(
        pending.select_related("unit", "campaign", "report").order_by("due_on", "unit__path", "pk")[
            :SHOWN
        ]
    )
    return [ToReport(c, c.due_on < today) for c in shown], pending.count()
