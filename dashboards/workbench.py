"""The workbench (工作台): the start page, one panel per role the user holds, each saying what
needs them today. Composed from the selectors that own each rule, so a count here is the same
count as on the page it links to:

- staff: returned activities with the reason, drafts, co-organisation requests to answer (the
  staff's own units, as units.scope.Scope.is_staff_of), and their units' targets due soon
  that are behind pace (activities.progress: pace and completion);
- reviewers: the review queue (activities.selectors.review_queue) by urgency
  (campaigns.deadlines);
- leaders: the dashboard's headline of their top unit (activities.dashboard.dashboard): figures,
  the units below behind pace, reviews overdue;
- admins: what is incomplete in their subtree: units without staff, units whose submissions have
  no reviewer above them, active tasks of their campaigns without any target;
- everyone: the draft score, grade and rank among its peers of each unit they hold a role on,
  in the running campaigns it takes part in (the kept scores, evaluations.scoring_selectors).

Every panel costs a fixed number of queries whatever the size of the subtree or the queue; lists
show the first few rows and the counts say how many there are in all.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from activities.dashboard import Dashboard, dashboard, filters_for
from activities.models import Activity, CoOrganiser, CoOrganiserStatus, Status
from activities.progress import (
    Figures,
    Pace,
    TargetProgress,
    period_of,
    subtree_task_figures,
)
from activities.selectors import days_waiting, review_queue
from campaigns import deadlines
from campaigns.models import Campaign, Season, Target, TargetTask
from campaigns.selectors import campaigns_covering, campaigns_visible_to
from evaluations import comment_selectors, commitment_selectors, scoring_selectors
from evaluations.commitment_selectors import QueueSummary, ToDraft
from evaluations.fulfilment_selectors import ToReport, commitments_to_report
from evaluations.poster_selectors import PosterDue, posters_to_print
from evaluations.standing_selectors import StandingBoard, standing
from units.models import Role, Unit
from units.routing import unreviewed_q
from units.scope import Scope
from units.selectors import without_staff_q

SHOWN = 5  # rows of each list; its count says how many in all
TARGET_DUE_DAYS = 30  # a target due within this many days is "due soon"


# --- Staff ---------------------------------------------------------------------------------------


@dataclass
class StaffPanel:
    returned: list[Activity]
    returned_count: int
    drafts: list[Activity]
    draft_count: int
    requests: list[CoOrganiser]
    request_count: int
    targets: list[TargetProgress]  # due soon and behind pace, the most urgent first
    commitments: list[ToDraft] = field(default_factory=list)  # sets to draft or resubmit
    to_report: tuple[list[ToReport], int] = ((), 0)  # type: ignore[assignment]


def _unit_activities(unit_ids: set[int], status: str) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(unit_id__in=unit_ids, status=status)
        .select_related("unit")
        .order_by("-updated_at", "-pk")
    )


def targets_due_behind(unit_ids: set[int], today: date) -> list[TargetProgress]:
    """The units' own targets in running campaigns that are due within TARGET_DUE_DAYS (or already
    due while the campaign runs) and not on track, soonest due first: two queries."""
    targets = list(
        Target.objects.filter(
            unit_id__in=unit_ids,
            task__is_active=True,
            task__campaign__is_active=True,
            task__campaign__starts_on__lte=today,
            task__campaign__ends_on__gte=today,
            due_on__lte=today + timedelta(days=TARGET_DUE_DAYS),
        )
        .select_related("unit", "task", "task__campaign")
        .order_by("due_on", "unit__path", "task__sort_order", "task__code")
    )
    if not targets:
        return []
    # Over a whole campaign the figures are not limited to months: one query for every campaign.
    period = period_of(targets[0].task.campaign)
    figures = subtree_task_figures(
        sorted({t.unit_id for t in targets}), period, sorted({t.task_id for t in targets})
    )
    progress = [
        TargetProgress(target, figures.get((target.unit_id, target.task_id)) or Figures())
        for target in targets
    ]
    return [p for p in progress if p.pace != Pace.ON_TRACK]


def staff_panel(actor: Scope, today: date) -> StaffPanel:
    units = actor.staff_unit_ids
    counts = dict(
        Activity.objects.filter(unit_id__in=units, status__in=[Status.RETURNED, Status.DRAFT])
        .values_list("status")
        .annotate(n=Count("*"))
        .order_by()
    )
    pending = CoOrganiser.objects.filter(unit_id__in=units, status=CoOrganiserStatus.PENDING)
    return StaffPanel(
        returned=list(_unit_activities(units, Status.RETURNED)[:SHOWN]),
        returned_count=counts.get(Status.RETURNED, 0),
        drafts=list(_unit_activities(units, Status.DRAFT)[:SHOWN]),
        draft_count=counts.get(Status.DRAFT, 0),
        requests=list(
            pending.select_related("unit", "activity", "activity__unit").order_by(
                "created_at", "pk"
            )[:SHOWN]
        ),
        request_count=pending.count(),
        targets=targets_due_behind(units, today),
        to_report=commitments_to_report(units, today),
    )


# --- Reviewers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    activity: Activity
    days: int
    state: str  # campaigns.deadlines.wait_state


@dataclass
class ReviewerPanel:
    overdue: int
    due_soon: int
    on_time: int
    oldest: list[Waiting]  # the longest waiting first
    commitments: QueueSummary | None = None  # commitment sets and fulfilment reports

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon + self.on_time


def reviewer_panel(actor: Scope, today: date) -> ReviewerPanel:
    """The queue counted by urgency in one query, with the SQL forms of campaigns.deadlines that
    the queue's overdue filter uses, so the counts are the badges' and the filter's."""
    queue = review_queue(actor)
    campaigns = list(Campaign.objects.only("pk", "review_deadline_days"))
    counts = (
        queue.select_related(None)
        .order_by()
        .aggregate(
            waiting=Count("pk", filter=Q(waiting_since__isnull=False)),
            overdue=Count("pk", filter=deadlines.overdue_q(today, campaigns)),
            due_soon=Count("pk", filter=deadlines.due_soon_q(today, campaigns)),
        )
    )
    return ReviewerPanel(
        overdue=counts["overdue"],
        due_soon=counts["due_soon"],
        on_time=counts["waiting"] - counts["overdue"] - counts["due_soon"],
        oldest=[_waiting(activity, today) for activity in queue[:SHOWN]],
    )


def _waiting(activity: Activity, today: date) -> Waiting:
    days = days_waiting(activity, today) or 0
    state = deadlines.wait_state(days, activity.campaign.review_deadline_days)
    return Waiting(activity, days, state)


# --- Leaders -------------------------------------------------------------------------------------


@dataclass
class LeaderPanel:
    unit: Unit
    board: Dashboard | None  # None when no campaign covers the unit
    # Commitments kept, follow-ups closed on time, satisfaction of the unit's subtree.
    standing: StandingBoard | None = None


def leader_panel(
    actor: Scope, *, visible: list[Campaign] | None = None, units: Iterable[Unit] = ()
) -> LeaderPanel | None:
    """The headline of the leader's topmost unit (the first by path when they lead several
    subtrees; the dashboard's chooser offers the others). A superuser without a leader's
    membership sees the unit running the newest campaign. `visible`: the campaigns the actor
    sees (their units read with them), already read by the workbench: they hold those covering
    the unit, which are then not read again. `units`: the units of the actor's memberships if
    already read (the start page lists them): the topmost is then not read again."""
    if actor.superuser and not actor.paths_of(Role.LEADER):
        # Leads nowhere in particular: the unit running the newest campaign, else the first root.
        newest = (
            Campaign.objects.filter(is_active=True, unit__is_active=True)
            .select_related("unit")
            .order_by("-starts_on", "-pk")
            .first()
        )
        unit = newest.unit if newest else Unit.objects.filter(depth=1).order_by("path").first()
    else:
        tops = actor.top_paths(Role.LEADER)  # sorted by path; of active units only
        held = {unit.path: unit for unit in units if unit.is_active}
        unit = held.get(tops[0]) if tops else None
        if unit is None:
            unit = Unit.objects.filter(path__in=tops, is_active=True).order_by("path").first()
    if unit is None:
        return None
    filters = filters_for(campaigns_covering(unit, among=visible), {})
    if filters is None:
        return LeaderPanel(unit, None)
    board = dashboard(unit, filters, with_trend=False)  # the panel shows no chart
    return LeaderPanel(unit, board, standing(unit, filters.campaign))


# --- Admins --------------------------------------------------------------------------------------


@dataclass
class AdminPanel:
    without_staff: list[Unit]
    without_staff_count: int
    without_reviewer: list[Unit]
    without_reviewer_count: int
    tasks_without_targets: list[TargetTask]
    tasks_without_targets_count: int
    # Listed units whose reviewer must sit above what this admin administers: they ask upward.
    reviewer_beyond_reach: set[int] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return not (
            self.without_staff_count
            or self.without_reviewer_count
            or self.tasks_without_targets_count
        )


def _counted(queryset: QuerySet) -> tuple[list, int]:
    """The first SHOWN rows and how many there are, in two queries."""
    return list(queryset[:SHOWN]), queryset.count()


def admin_panel(actor: Scope) -> AdminPanel:
    """What is incomplete in the admin's subtrees. A unit needs staff to report; a unit below the
    top of the tree needs active reviewers on a unit above it, or its submissions wait on no one
    (units.routing); a running campaign's task needs targets."""
    units = Unit.objects.filter(actor.role_q(Role.ADMIN), is_active=True)
    campaigns = Campaign.objects.filter(
        actor.role_q(Role.ADMIN, field="unit__path"), is_active=True
    )
    without_staff = units.filter(without_staff_q()).order_by("path")
    without_reviewer = units.filter(unreviewed_q()).order_by("path")
    tasks = (
        TargetTask.objects.filter(campaign__in=campaigns, is_active=True)
        .filter(~Exists(Target.objects.filter(task=OuterRef("pk"))))
        .select_related("campaign")
        .order_by("campaign__starts_on", "campaign_id", "line", "sort_order", "code")
    )
    staff_rows, staff_count = _counted(without_staff)
    reviewer_rows, reviewer_count = _counted(without_reviewer)
    task_rows, task_count = _counted(tasks)
    beyond = {unit.pk for unit in reviewer_rows if not actor.can_admin_above(unit)}
    return AdminPanel(
        staff_rows, staff_count, reviewer_rows, reviewer_count, task_rows, task_count, beyond
    )


# --- Campaigns -----------------------------------------------------------------------------------


@dataclass
class CampaignsPanel:
    running: list[Campaign] = field(default_factory=list)
    upcoming: list[Campaign] = field(default_factory=list)
    finished: list[Campaign] = field(default_factory=list)
    visible: list[Campaign] = field(default_factory=list)  # all three, newest first


def campaigns_panel(user: User | Scope, today: date) -> CampaignsPanel:
    """The campaigns the user sees: running now, not started yet, finished (ended, or closed)."""
    panel = CampaignsPanel()
    panel.visible = list(
        campaigns_visible_to(user).select_related("unit").order_by("-starts_on", "-pk")
    )
    by_season = {
        Season.RUNNING: panel.running,
        Season.UPCOMING: panel.upcoming,
        Season.FINISHED: panel.finished,
    }
    for campaign in panel.visible:
        by_season[campaign.season(today)].append(campaign)
    return panel


# --- The page ------------------------------------------------------------------------------------


@dataclass
class Workbench:
    today: date
    campaigns: CampaignsPanel
    staff: StaffPanel | None = None
    reviewer: ReviewerPanel | None = None
    leader: LeaderPanel | None = None
    admin: AdminPanel | None = None
    posters: list[PosterDue] = field(default_factory=list)  # appraisal posters to print
    follow_ups_staff: comment_selectors.StaffFollowUps | None = None  # leader comments' entries
    follow_ups_leader: comment_selectors.LeaderFollowUps | None = None
    # The draft scores of the user's own units in running campaigns (evaluations, kept rows).
    draft_scores: list[scoring_selectors.UnitDraftScore] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.staff or self.reviewer or self.leader or self.admin or self.posters)


def workbench(who: User | Scope, *, units: Iterable[Unit] = ()) -> Workbench:
    """The panels for the roles the user holds anywhere (Scope.roles_held, as the navigation has
    them). `units`: the units of the user's memberships, if already read."""
    actor = Scope.of(who)
    roles = actor.roles_held
    today = timezone.localdate()
    bench = Workbench(today=today, campaigns=campaigns_panel(actor, today))
    # Units the user holds a role on, so theirs to see; one query whatever their number.
    bench.draft_scores = scoring_selectors.unit_draft_scores(
        actor.unit_ids, today=today, among=bench.campaigns.visible, limit=SHOWN
    )
    if Role.STAFF in roles and actor.staff_unit_ids:
        bench.staff = staff_panel(actor, today)
        bench.staff.commitments = commitment_selectors.to_draft(actor)
        bench.follow_ups_staff = comment_selectors.staff_workbench(actor, today)
    if Role.REVIEWER in roles:
        bench.reviewer = reviewer_panel(actor, today)
        bench.reviewer.commitments = commitment_selectors.queue_summary(actor, SHOWN)
    if Role.LEADER in roles:
        bench.leader = leader_panel(actor, visible=bench.campaigns.visible, units=units)
        bench.follow_ups_leader = comment_selectors.leader_workbench(actor, today)
    if Role.ADMIN in roles:
        bench.admin = admin_panel(actor)
    if roles & {Role.STAFF, Role.ADMIN}:
        bench.posters = posters_to_print(actor, today)
    return bench
