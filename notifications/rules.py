"""The reminder rules: each a periodic job (notifications.tasks.run_rule) that takes `now`, picks
its candidates in a few queries whatever the number of users, writes notices through
`notifications.services.notify` and returns the ids to e-mail.

Exactly once comes from the period: a notice is keyed (rule, recipient, subject, period), and each
rule's period names the occurrence it reminds of — a rerun the same day, a second beat process or
a retried task finds the key taken and writes nothing.

- target_due: a target due within 7, 3 or 1 days, of a unit behind pace or at risk (the pace the
  unit's targets page shows) → the unit's staff. Period "<due_on>:<7|3|1>": the reminder of the
  nearest step reached, so a day missed by the beat is caught up at the next run.
- review_overdue: a submission overdue for review (campaigns.deadlines: from the local midnight
  that ends its deadline's last day, when the queue and the dashboards say so too) → the
  reviewers on its reviewing unit who may act on it. Period: the date its wait began (a pass-on or
  a resubmission starts a new wait). Past twice the deadline (campaigns.deadlines.escalates), it
  is also escalated (rule review_escalated) to the reviewers of the nearest reviewing level
  above, and the escalation is written once per wait on the activity's timeline
  (activities.services).
- return_unfixed: a returned activity not resubmitted within REMINDER_RETURN_DAYS → its author.
  Period: the date of the return.
- coorganiser_unanswered: a co-organiser not answered within REMINDER_COORGANISER_DAYS → the
  staff of that unit. Period: the date the unit was named.
- phase_deadline: a phase deadline within 7, 3 or 1 days → the staff of every active unit the
  campaign covers. Period "<deadline>:<7|3|1>".
- weekly_digest: each leader → their unit's dashboard (activities.dashboard.dashboard, so the
  figures are the dashboard's by construction). Period: the ISO week, "2010-W27".

Recipients are active users with a membership on an active unit; closed campaigns remind no one.
Dates are local (settings.TIME_ZONE, the campaign's Asia/Shanghai).

Context keys (JSON; rendered by notifications.messages, every key optional):
- activity_title, unit_name: the activity and its organising unit (review_overdue,
  review_escalated, return_unfixed, coorganiser_unanswered); unit_name is the unit reminded of
  for target_due and weekly_digest.
- days: days left (target_due, phase_deadline) or days waited (review_overdue,
  review_escalated, return_unfixed, coorganiser_unanswered).
- waiting_since: ISO date the wait began (review_overdue, review_escalated); deadline_days: the
  campaign's review deadline; review_unit_name / escalated_to: the late reviewing unit and the
  unit escalated to (review_escalated).
- reason: the reviewer's words (return_unfixed); coorganiser_name: the unit asked to answer
  (coorganiser_unanswered).
- task_title, due_on, achieved, target, percent, pace: target_due (due_on an ISO date, pace a
  code of activities.progress.Pace).
- campaign_name: every rule that concerns a campaign; phase_name, deadline: phase_deadline.
- weekly_digest: week, as_of, pace (headline pace code), figures {percent, activities,
  participants, units, behind (names of the child units behind pace), overdue_reviews} — the
  dashboard's headline — plus behind_units [{id, name, percent, pace}] and overdue
  [{id, title, unit_name, waiting_since}] (at most DIGEST_OVERDUE_LIMIT).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from activities import dashboard as boards
from activities.models import (
    Action,
    Activity,
    ActivityEvent,
    CoOrganiser,
    CoOrganiserStatus,
    Status,
)
from activities.progress import (
    LAGGING,
    Figures,
    as_of,
    completion,
    json_number,
    overdue_reviews,
    pace_of,
    period_of,
    subtree_task_figures,
)
from activities.services import activity_escalate
from campaigns import deadlines
from campaigns.models import Campaign, Phase, Target
from campaigns.selectors import campaigns_covering
from common.figures import percent
from notifications.commitment_rules import commitment_overdue
from notifications.models import Rule
from notifications.services import Notice, notify
from units import routing
from units.models import Membership, Role, Unit

# Reminders before a due date or a deadline: the steps, in days left.
STEPS = (7, 3, 1)
# `__in` lists are split so that SQLite's limit on query parameters is never reached.
CHUNK = 2000
DIGEST_OVERDUE_LIMIT = 10


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _step(days_left: int) -> int | None:
    """The nearest step reached with `days_left` to go (7, 3 or 1), None outside them."""
    if days_left < 1:
        return None
    reached = [step for step in STEPS if days_left <= step]
    return min(reached) if reached else None


def _iso(day: date) -> str:
    return day.isoformat()


def _activity_link(activity_id: int) -> str:
    return reverse("activities:detail", args=[activity_id])


def notify_in_key_order(*, rule: str, notices: Iterable[Notice]) -> list[int]:
    """`notify`, with the rows inserted in key order: two runs at once then wait on each other's
    rows in the same order instead of deadlocking on PostgreSQL."""
    ordered = sorted(notices, key=lambda n: (n.recipient.pk, n.subject, n.period))
    return notify(rule=rule, notices=ordered)


# --- Recipients, in bulk -----------------------------------------------------------------------


def staff_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """{unit_id: its active staff}, for active units."""
    found: dict[int, list[User]] = defaultdict(list)
    for chunk in _chunks(unit_ids):
        memberships = Membership.objects.filter(
            role=Role.STAFF, unit_id__in=chunk, unit__is_active=True, user__is_active=True
        ).select_related("user")
        for membership in memberships:
            found[membership.unit_id].append(membership.user)
    return found


@dataclass(frozen=True)
class _Own:
    """Who reports for which unit, and which units each activity counts for (its unit and its
    co-organisers that have not declined): activities.selectors.is_own, in bulk."""

    staff: set[tuple[int, int]]  # (user_id, unit_id)
    units_of: dict[int, set[int]]  # activity_id → unit ids

    def is_own(self, user: User, activity: Activity) -> bool:
        if user.pk == activity.created_by_id:
            return True
        units = self.units_of.get(activity.pk, {activity.unit_id})
        return any((user.pk, unit_id) in self.staff for unit_id in units)


def _own_pairs(activities: list[Activity], users: Iterable[User]) -> _Own:
    user_ids = {user.pk for user in users}
    units_of: dict[int, set[int]] = {a.pk: {a.unit_id} for a in activities}
    if not user_ids or not activities:
        return _Own(set(), units_of)
    named = (
        CoOrganiser.objects.filter(activity_id__in=units_of)
        .exclude(status=CoOrganiserStatus.DECLINED)
        .values_list("activity_id", "unit_id")
    )
    for activity_id, unit_id in named:
        units_of[activity_id].add(unit_id)
    staff = set(
        Membership.objects.filter(
            role=Role.STAFF,
            user_id__in=user_ids,
            unit_id__in=set().union(*units_of.values()),
            unit__is_active=True,
        ).values_list("user_id", "unit_id")
    )
    return _Own(staff, units_of)


def _may_review(activity: Activity, users: list[User], own: _Own) -> list[User]:
    """Not the unit's own people, nor who passed it on from level 1 (another decides level 2)."""
    return [
        user
        for user in users
        if not own.is_own(user, activity) and user.pk != activity.passed_on_by_id
    ]


def reviewers_who_may_act(activities: list[Activity]) -> dict[int, list[User]]:
    """{activity_id: the active reviewers on its reviewing unit who may act on it}, in three
    queries for any number of activities (units.routing.reviewers_on)."""
    waiting_on = {a.pk: a.review_unit_id or 0 for a in activities}  # 0: waits on no unit
    by_unit = routing.reviewers_on(pk for pk in waiting_on.values() if pk)
    own = _own_pairs(activities, (u for users in by_unit.values() for u in users))
    return {a.pk: _may_review(a, by_unit.get(waiting_on[a.pk], []), own) for a in activities}


def reviewers_one_level_up(activities: list[Activity]) -> dict[int, tuple[Unit, list[User]]]:
    """{activity_id: (unit, reviewers)} of the nearest reviewing level above each activity's
    reviewing unit (units.routing.levels_above_each) that has reviewers who may act on it."""
    levels = routing.levels_above_each(a.review_unit for a in activities if a.review_unit)
    own = _own_pairs(
        activities, (u for above in levels.values() for level in above for u in level.reviewers)
    )
    found = {}
    for activity in activities:
        above = levels[activity.review_unit.pk] if activity.review_unit else []
        for level in above:
            reviewers = _may_review(activity, level.reviewers, own)
            if reviewers:
                found[activity.pk] = (level.unit, reviewers)
                break
    return found


# --- target_due ----------------------------------------------------------------------------------


def target_due(now: datetime) -> list[int]:
    today = timezone.localdate(now)
    targets = list(
        Target.objects.filter(
            due_on__gte=today + timedelta(days=1),
            due_on__lte=today + timedelta(days=max(STEPS)),
            task__is_active=True,
            task__campaign__is_active=True,
            unit__is_active=True,
        ).select_related("task__campaign", "unit")
    )
    by_campaign: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        by_campaign[target.task.campaign_id].append(target)

    lagging: list[tuple[Target, Figures, float, str]] = []
    for campaign_targets in by_campaign.values():
        campaign = campaign_targets[0].task.campaign
        period, day = period_of(campaign), as_of(campaign, today)
        task_ids = sorted({t.task_id for t in campaign_targets})
        figures: dict[tuple[int, int], Figures] = {}
        for chunk in _chunks(t.unit_id for t in campaign_targets):
            figures.update(subtree_task_figures(chunk, period, task_ids))
        for target in campaign_targets:
            found = figures.get((target.unit_id, target.task_id), Figures())
            share = completion(found.of(target.task.metric), target.value)
            # As the unit's targets page judges it (activities.progress.TargetProgress.pace).
            pace = pace_of(share, campaign.starts_on, target.due_on, day)
            if pace in LAGGING:
                lagging.append((target, found, share, pace))

    staff = staff_by_unit(target.unit_id for target, *_rest in lagging)
    notices = []
    for target, found, share, pace in lagging:
        days = (target.due_on - today).days
        context = {
            "task_title": target.task.title,
            "unit_name": target.unit.name,
            "campaign_name": target.task.campaign.name,
            "due_on": _iso(target.due_on),
            "days": days,
            "achieved": json_number(found.of(target.task.metric)),
            "target": json_number(target.value),
            "percent": percent(share),
            "pace": pace,
        }
        link = reverse("campaigns:unit_targets", args=[target.unit_id])
        for user in staff.get(target.unit_id, []):
            notices.append(
                Notice(
                    user,
                    f"target:{target.pk}",
                    f"{_iso(target.due_on)}:{_step(days)}",
                    link,
                    context,
                )
            )
    return notify_in_key_order(rule=Rule.TARGET_DUE, notices=notices)


# --- review_overdue and its escalation -----------------------------------------------------------


def _waiting_past_deadline(today: date) -> list[Activity]:
    """Submissions of active campaigns overdue on the local date `today`, as the queue and the
    dashboards count them (campaigns.deadlines): the reminder goes out the day they turn
    overdue."""
    late = deadlines.overdue_q(today, Campaign.objects.filter(is_active=True))
    escalated = ActivityEvent.objects.filter(
        activity=OuterRef("pk"),
        action=Action.ESCALATE,
        created_at__gte=OuterRef("waiting_since"),
    )
    return list(
        Activity.objects.filter(late, status=Status.SUBMITTED, review_unit__isnull=False)
        .annotate(escalated=Exists(escalated))
        .select_related("unit", "campaign", "review_unit")
        .order_by("waiting_since", "pk")
    )


def _overdue_context(activity: Activity, today: date) -> dict:
    return {
        "activity_title": activity.title,
        "unit_name": activity.unit.name,
        "campaign_name": activity.campaign.name,
        "waiting_since": _iso(deadlines.began_on(activity.waiting_since, activity.campaign)),
        "days": deadlines.days_waited(activity.waiting_since, activity.campaign, today),
        "deadline_days": activity.campaign.review_deadline_days,
    }


def _wait_period(activity: Activity) -> str:
    """A wait is reminded of once: its period is the local day it began."""
    return _iso(deadlines.began_on(activity.waiting_since, activity.campaign))


def review_overdue(now: datetime) -> list[int]:
    today = timezone.localdate(now)  # every campaign's zone (Campaign.tz)
    waiting = _waiting_past_deadline(today)
    reviewers = reviewers_who_may_act(waiting)
    notices = [
        Notice(
            user,
            f"activity:{activity.pk}",
            _wait_period(activity),
            _activity_link(activity.pk),
            _overdue_context(activity, today),
        )
        for activity in waiting
        for user in reviewers[activity.pk]
    ]
    ids = notify_in_key_order(rule=Rule.REVIEW_OVERDUE, notices=notices)

    escalating = [a for a in waiting if deadlines.escalates(a.waiting_since, a.campaign, today)]
    above = reviewers_one_level_up(escalating)
    notices = []
    for activity in escalating:
        if activity.pk not in above:
            continue  # no reviewers above: nobody to escalate to
        unit, users = above[activity.pk]
        if not activity.escalated:
            # Locks the row and checks again: once per wait, however many runs race.
            activity_escalate(activity=activity, to_unit=unit)
        context = _overdue_context(activity, today)
        context.update(review_unit_name=activity.review_unit.name, escalated_to=unit.name)
        notices += [
            Notice(
                user,
                f"activity:{activity.pk}",
                _wait_period(activity),
                _activity_link(activity.pk),
                context,
            )
            for user in users
        ]
    return ids + notify_in_key_order(rule=Rule.REVIEW_ESCALATED, notices=notices)


def author_is_staff():
    """The activity's author still reports for its unit: a former member hears nothing more."""
    return Membership.objects.filter(
        user=OuterRef("created_by"), unit=OuterRef("unit"), role=Role.STAFF
    )


# --- return_unfixed ------------------------------------------------------------------------------


def return_unfixed(now: datetime) -> list[int]:
    today = timezone.localdate(now)
    last_return = ActivityEvent.objects.filter(
        activity=OuterRef("pk"), to_status=Status.RETURNED
    ).order_by("-created_at", "-pk")
    returned = (
        Activity.objects.filter(
            status=Status.RETURNED, campaign__is_active=True, created_by__is_active=True
        )
        .filter(Exists(author_is_staff()))
        .annotate(returned_at=Subquery(last_return.values("created_at")[:1]))
        .filter(returned_at__lt=now - timedelta(days=settings.REMINDER_RETURN_DAYS))
        .select_related("created_by", "unit", "campaign")
    )
    notices = []
    for activity in returned:
        returned_on = timezone.localdate(activity.returned_at)
        notices.append(
            Notice(
                activity.created_by,
                f"activity:{activity.pk}",
                _iso(returned_on),
                _activity_link(activity.pk),
                {
                    "activity_title": activity.title,
                    "unit_name": activity.unit.name,
                    "campaign_name": activity.campaign.name,
                    "reason": activity.return_reason,
                    "days": (today - returned_on).days,
                },
            )
        )
    return notify_in_key_order(rule=Rule.RETURN_UNFIXED, notices=notices)


# --- coorganiser_unanswered ----------------------------------------------------------------------


def coorganiser_unanswered(now: datetime) -> list[int]:
    today = timezone.localdate(now)
    pending = list(
        CoOrganiser.objects.filter(
            status=CoOrganiserStatus.PENDING,
            created_at__lt=now - timedelta(days=settings.REMINDER_COORGANISER_DAYS),
            unit__is_active=True,
            activity__campaign__is_active=True,
        ).select_related("unit", "activity__unit", "activity__campaign")
    )
    staff = staff_by_unit(c.unit_id for c in pending)
    notices = []
    for coorganiser in pending:
        named_on = timezone.localdate(coorganiser.created_at)
        activity = coorganiser.activity
        context = {
            "activity_title": activity.title,
            "unit_name": activity.unit.name,
            "coorganiser_name": coorganiser.unit.name,
            "campaign_name": activity.campaign.name,
            "days": (today - named_on).days,
        }
        notices += [
            Notice(
                user,
                f"coorganiser:{coorganiser.pk}",
                _iso(named_on),
                _activity_link(activity.pk),
                context,
            )
            for user in staff.get(coorganiser.unit_id, [])
        ]
    return notify_in_key_order(rule=Rule.COORGANISER_UNANSWERED, notices=notices)


# --- phase_deadline ------------------------------------------------------------------------------


def phase_deadline(now: datetime) -> list[int]:
    today = timezone.localdate(now)
    phases = list(
        Phase.objects.filter(
            campaign__is_active=True,
            deadline__gte=today + timedelta(days=1),
            deadline__lte=today + timedelta(days=max(STEPS)),
        ).select_related("campaign__unit")
    )
    staff_of_campaign: dict[int, list[User]] = {}
    notices = []
    for phase in phases:
        campaign = phase.campaign
        if campaign.pk not in staff_of_campaign:
            memberships = Membership.objects.filter(
                role=Role.STAFF,
                unit__path__startswith=campaign.unit.path,
                unit__is_active=True,
                user__is_active=True,
            ).select_related("user")
            staff_of_campaign[campaign.pk] = [m.user for m in memberships]
        days = (phase.deadline - today).days
        context = {
            "campaign_name": campaign.name,
            "phase_name": phase.name,
            "deadline": _iso(phase.deadline),
            "days": days,
        }
        link = reverse("campaigns:detail", args=[campaign.pk])
        period = f"{_iso(phase.deadline)}:{_step(days)}"
        notices += [
            Notice(user, f"phase:{phase.pk}", period, link, context)
            for user in staff_of_campaign[campaign.pk]
        ]
    return notify_in_key_order(rule=Rule.PHASE_DEADLINE, notices=notices)


# --- weekly_digest -------------------------------------------------------------------------------


def digest_context(unit: Unit) -> dict | None:
    """What a leader of `unit` reads in the weekly digest: the headline of the unit's dashboard
    (default filters: the newest active campaign, whole campaign, every line), the child units
    behind pace and the overdue reviews. None when no active campaign covers the unit."""
    filters = boards.filters_for(campaigns_covering(unit), {})
    if filters is None or not filters.campaign.is_active:
        return None
    board = boards.dashboard(unit, filters)
    headline = board.headline
    overdue = (
        overdue_reviews(unit, filters.campaign)
        .select_related("unit")
        .order_by("waiting_since", "pk")[:DIGEST_OVERDUE_LIMIT]
    )
    return {
        "unit_name": unit.name,
        "campaign_name": filters.campaign.name,
        "as_of": _iso(board.as_of),
        "pace": headline.pace,
        "figures": {
            "percent": headline.percent,
            "activities": headline.activities,
            "participants": headline.participants,
            "units": len(board.ranking),
            "behind": [row.unit.name for row in board.behind],
            "overdue_reviews": headline.overdue_reviews,
        },
        "behind_units": [
            {
                "id": row.unit.pk,
                "name": row.unit.name,
                "percent": row.progress.percent,
                "pace": row.progress.pace,
            }
            for row in board.behind
        ],
        "overdue": [
            {
                "id": activity.pk,
                "title": activity.title,
                "unit_name": activity.unit.name,
                "waiting_since": _iso(timezone.localdate(activity.waiting_since)),
            }
            for activity in overdue
        ],
    }


def weekly_digest(now: datetime) -> list[int]:
    year, week, _day = timezone.localdate(now).isocalendar()
    period = f"{year}-W{week:02d}"
    leaders = Membership.objects.filter(
        role=Role.LEADER, unit__is_active=True, user__is_active=True
    ).select_related("unit", "user")
    contexts: dict[int, dict | None] = {}
    notices = []
    for membership in leaders.order_by("unit__path", "user__username"):
        unit = membership.unit
        if unit.pk not in contexts:  # one dashboard per unit, however many leaders it has
            contexts[unit.pk] = digest_context(unit)
        context = contexts[unit.pk]
        if context is None:
            continue
        notices.append(
            Notice(
                membership.user,
                f"unit:{unit.pk}",
                period,
                reverse("dashboards:unit", args=[unit.pk]),
                {**context, "week": period},
            )
        )
    return notify_in_key_order(rule=Rule.WEEKLY_DIGEST, notices=notices)


RULES: dict[str, Callable[[datetime], list[int]]] = {
    "target_due": target_due,
    "review_overdue": review_overdue,
    "return_unfixed": return_unfixed,
    "coorganiser_unanswered": coorganiser_unanswered,
    "phase_deadline": phase_deadline,
    "weekly_digest": weekly_digest,
    "commitment_overdue": commitment_overdue,
}


def _follow_up_overdue(now: datetime) -> list[int]:
    from notifications.follow_ups import follow_up_overdue  # it reads this module's helpers

    return follow_up_overdue(now)


RULES["follow_up_overdue"] = _follow_up_overdue


def _issue14(name: str) -> Callable[[datetime], list[int]]:
    def run(now: datetime) -> list[int]:
        from notifications import issue14  # it reads this module's helpers

        return getattr(issue14, name)(now)

    run.__name__ = name
    return run


for _name in ("snapshot_window_closing", "honour_window_closing", "honour_notice_unanswered"):
    RULES[_name] = _issue14(_name)
