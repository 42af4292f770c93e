"""Notices of issue 14: assessment notices (公示) of snapshots and the honours.

Steps, sent after their commit (evaluations.signals.step_committed → notifications.receivers.
notify_on_step → the notify_step task → `on_step`), each keyed so that a rerun writes nothing twice:

- snapshot_published → the active staff of every unit in the snapshot (SNAPSHOT_PUBLISHED;
  subject "snapshot:<pk>", period "published"); a corrected version (published at once when an
  objection is upheld) likewise, saying which version it corrects and why.
- score_objection_filed → the admins of the campaign's organising unit (SCORE_OBJECTION_FILED;
  "score_objection:<pk>", "filed"); score_objection_answered → its filer
  (SCORE_OBJECTION_ANSWERED; "score_objection:<pk>", "answered").
- honour_step (a Recommendation): submit, recommend or reroute with the application still
  waiting → the reviewers on the unit it waits on, never the applying unit's staff
  (HONOUR_WAITING; "application:<pk>", period the step's id); decline → the applying unit's
  staff, with the reason (HONOUR_DECLINED).
- shortlist_published → the admins of the organising unit (link: the notice page) and the staff
  of every shortlisted application's unit (link: their applications, as the notice page is the
  organiser's) (SHORTLIST_PUBLISHED; "honour_round:<pk>", "published").
- honour_objection_sent → the admins of the organising unit (HONOUR_OBJECTION_SENT;
  "honour_objection:<pk>", "sent"); the objector's name and contact are never copied.
- round_commended → the staff of each commended application's unit (HONOUR_COMMENDED;
  "application:<pk>", "commended").

Reminder rules (notifications.rules.RULES, daily beat rows of 0005_issue14_rules):

- snapshot_window_closing: a published snapshot whose notice period ends tomorrow or today
  (campaign's local date) with objections unanswered → the admins of the organising unit, once
  per snapshot and end day.
- honour_window_closing: a round whose applications close within 3 days → the staff of the
  units that have a draft application in it, once per round and closing day.
- honour_notice_unanswered: a round whose notice period is over, not yet commended, with
  objections unanswered → the admins of the organising unit, once per round and end day.

"Admins of the organising unit" are the active members with the admin role on the campaign's
unit itself (not the units above it, which may also act).

Context keys: campaign_name, corrects (the version a correction replaces), unit_name,
round_title, nominee, category_name, reason, outcome, window_ends_on / closes_on /
publicity_ends_on (ISO dates), days, count."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.urls import reverse

from accounts.models import User
from campaigns import deadlines
from evaluations.models import (
    Application,
    ApplicationStatus,
    HonourObjection,
    HonourRound,
    ObjectionOutcome,
    Recommendation,
    RecommendationAction,
    ScoreObjection,
    Snapshot,
    SnapshotRow,
)
from notifications.models import Rule
from notifications.rules import notify_in_key_order, staff_by_unit
from notifications.services import Notice
from units import routing
from units.models import Membership, Role

HONOUR_WINDOW_DAYS = 3


def admins_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """{unit_id: its active admins}, for active units."""
    found: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        role=Role.ADMIN, unit_id__in=set(unit_ids), unit__is_active=True, user__is_active=True
    ).select_related("user")
    for membership in memberships.order_by("user_id"):
        found[membership.unit_id].append(membership.user)
    return found


def _admins(unit_id: int) -> list[User]:
    return admins_by_unit([unit_id]).get(unit_id, [])


# --- Steps -------------------------------------------------------------------------------------


def _snapshot_published(pk: int) -> list[int]:
    snapshot = Snapshot.objects.filter(pk=pk).select_related("campaign", "corrects").first()
    if snapshot is None or snapshot.published_at is None:
        return []
    unit_ids = SnapshotRow.objects.filter(snapshot=snapshot).values_list("unit_id", flat=True)
    staff = staff_by_unit(unit_ids)
    context = {
        "campaign_name": snapshot.campaign.name,
        "window_ends_on": snapshot.window_ends_on.isoformat() if snapshot.window_ends_on else "",
    }
    if snapshot.corrects is not None:
        context["corrects"] = str(snapshot.corrects.version)
        context["reason"] = snapshot.correction_reason[:300]
    link = reverse("evaluations:snapshot", args=[snapshot.pk])
    notices = [
        Notice(user, f"snapshot:{snapshot.pk}", "published", link, context)
        for users in staff.values()
        for user in users
    ]
    return notify_in_key_order(rule=Rule.SNAPSHOT_PUBLISHED, notices=notices)


def _score_objection(pk: int, *, answered: bool) -> list[int]:
    objection = (
        ScoreObjection.objects.filter(pk=pk)
        .select_related("snapshot__campaign", "unit", "filed_by")
        .first()
    )
    if objection is None:
        return []
    campaign = objection.snapshot.campaign
    context = {"campaign_name": campaign.name, "unit_name": objection.unit.name}
    link = reverse("evaluations:objection", args=[objection.pk])
    subject = f"score_objection:{objection.pk}"
    if answered:
        if objection.outcome == ObjectionOutcome.PENDING or objection.filed_by is None:
            return []
        context["outcome"] = objection.outcome
        context["reason"] = objection.answer[:200]
        notices = [Notice(objection.filed_by, subject, "answered", link, context)]
        return notify_in_key_order(rule=Rule.SCORE_OBJECTION_ANSWERED, notices=notices)
    notices = [Notice(user, subject, "filed", link, context) for user in _admins(campaign.unit_id)]
    return notify_in_key_order(rule=Rule.SCORE_OBJECTION_FILED, notices=notices)


def _application_context(application: Application) -> dict:
    return {
        "campaign_name": application.round.campaign.name,
        "round_title": application.round.title,
        "unit_name": application.unit.name,
        "nominee": application.nominee,
        "category_name": application.category.name,
    }


WAITING_STEPS = (
    RecommendationAction.SUBMIT,
    RecommendationAction.RECOMMEND,
    RecommendationAction.REROUTE,
)


def _honour_step(pk: int) -> list[int]:
    step = (
        Recommendation.objects.filter(pk=pk)
        .select_related(
            "application__round__campaign", "application__unit", "application__category"
        )
        .first()
    )
    if step is None:
        return []
    application = step.application
    context = _application_context(application)
    link = reverse("evaluations:honour_application", args=[application.pk])
    subject, period = f"application:{application.pk}", str(step.pk)
    staff = staff_by_unit([application.unit_id]).get(application.unit_id, [])
    if step.action in WAITING_STEPS:
        waiting_on = application.waiting_unit_id
        if application.status != ApplicationStatus.WAITING or waiting_on is None:
            return []  # withdrawn or decided before the task ran
        staff_ids = {user.pk for user in staff}
        recipients = [
            user
            for user in routing.reviewers_on([waiting_on]).get(waiting_on, [])
            if user.pk not in staff_ids
        ]
        notices = [Notice(user, subject, period, link, context) for user in recipients]
        return notify_in_key_order(rule=Rule.HONOUR_WAITING, notices=notices)
    if step.action == RecommendationAction.DECLINE:
        context["reason"] = step.reason[:200]
        notices = [Notice(user, subject, period, link, context) for user in staff]
        return notify_in_key_order(rule=Rule.HONOUR_DECLINED, notices=notices)
    return []


def _round(pk: int) -> HonourRound | None:
    return HonourRound.objects.filter(pk=pk).select_related("campaign").first()


def _round_context(honour_round: HonourRound) -> dict:
    ends = honour_round.publicity_ends_on
    return {
        "campaign_name": honour_round.campaign.name,
        "round_title": honour_round.title,
        "publicity_ends_on": ends.isoformat() if ends else "",
    }


def _shortlist_published(pk: int) -> list[int]:
    honour_round = _round(pk)
    if honour_round is None or honour_round.published_at is None:
        return []
    unit_ids = Application.objects.filter(
        round=honour_round, status=ApplicationStatus.SHORTLISTED
    ).values_list("unit_id", flat=True)
    subject, context = f"honour_round:{honour_round.pk}", _round_context(honour_round)
    # The admins open the notice page with its objections; the units' staff, their applications
    # (the notice page is the organiser's). An admin who is staff too gets the admin's notice.
    notice_page = reverse("evaluations:honour_notice", args=[honour_round.pk])
    notices = [
        Notice(user, subject, "published", notice_page, context)
        for user in _admins(honour_round.campaign.unit_id)
    ]
    mine = reverse("evaluations:honour_mine")
    notices += [
        Notice(user, subject, "published", mine, context)
        for users in staff_by_unit(unit_ids).values()
        for user in users
    ]
    return notify_in_key_order(rule=Rule.SHORTLIST_PUBLISHED, notices=notices)


def _honour_objection_sent(pk: int) -> list[int]:
    objection = (
        HonourObjection.objects.filter(pk=pk)
        .select_related(
            "application__round__campaign", "application__unit", "application__category"
        )
        .first()
    )
    if objection is None:
        return []
    application = objection.application
    context = _application_context(application)  # never the objector's name or contact
    link = reverse("evaluations:honour_notice", args=[application.round_id])
    notices = [
        Notice(user, f"honour_objection:{objection.pk}", "sent", link, context)
        for user in _admins(application.round.campaign.unit_id)
    ]
    return notify_in_key_order(rule=Rule.HONOUR_OBJECTION_SENT, notices=notices)


def _round_commended(pk: int) -> list[int]:
    honour_round = _round(pk)
    if honour_round is None or honour_round.decided_on is None:
        return []
    commended = list(
        Application.objects.filter(round=honour_round, status=ApplicationStatus.COMMENDED)
        .select_related("round__campaign", "unit", "category")
        .order_by("pk")
    )
    staff = staff_by_unit(a.unit_id for a in commended)
    notices = []
    for application in commended:
        context = _application_context(application)
        link = reverse("evaluations:honour_application", args=[application.pk])
        notices += [
            Notice(user, f"application:{application.pk}", "commended", link, context)
            for user in staff.get(application.unit_id, [])
        ]
    return notify_in_key_order(rule=Rule.HONOUR_COMMENDED, notices=notices)


def on_step(kind: str, pk: int) -> list[int]:
    """Write the notices the committed step `kind` of row `pk` calls for; the ids written now."""
    if kind == "snapshot_published":
        return _snapshot_published(pk)
    if kind == "score_objection_filed":
        return _score_objection(pk, answered=False)
    if kind == "score_objection_answered":
        return _score_objection(pk, answered=True)
    if kind == "honour_step":
        return _honour_step(pk)
    if kind == "shortlist_published":
        return _shortlist_published(pk)
    if kind == "honour_objection_sent":
        return _honour_objection_sent(pk)
    if kind == "round_commended":
        return _round_commended(pk)
    raise ValueError(f"Unknown step {kind!r}")


# --- Reminder rules ----------------------------------------------------------------------------


def snapshot_window_closing(now: datetime) -> list[int]:
    """Published snapshots whose notice period ends tomorrow or today, objections unanswered."""
    candidates = (
        Snapshot.objects.filter(
            published_at__isnull=False,
            window_ends_on__isnull=False,
            campaign__is_active=True,
            objections__outcome=ObjectionOutcome.PENDING,
        )
        .filter(window_ends_on__gte=(now - timedelta(days=2)).date())
        .select_related("campaign")
        .distinct()
    )
    notices = []
    for snapshot in candidates:
        today = deadlines.today(snapshot.campaign, now)
        ends = snapshot.window_ends_on
        assert ends is not None
        if not today <= ends <= today + timedelta(days=1):
            continue
        count = snapshot.objections.filter(outcome=ObjectionOutcome.PENDING).count()
        context = {
            "campaign_name": snapshot.campaign.name,
            "window_ends_on": ends.isoformat(),
            "days": (ends - today).days,
            "count": count,
        }
        link = reverse("evaluations:snapshot", args=[snapshot.pk])
        notices += [
            Notice(user, f"snapshot:{snapshot.pk}", ends.isoformat(), link, context)
            for user in _admins(snapshot.campaign.unit_id)
        ]
    return notify_in_key_order(rule=Rule.SNAPSHOT_WINDOW_CLOSING, notices=notices)


def honour_window_closing(now: datetime) -> list[int]:
    """Rounds whose applications close within HONOUR_WINDOW_DAYS → staff of units with drafts."""
    rounds = HonourRound.objects.filter(
        campaign__is_active=True,
        closes_on__gte=(now - timedelta(days=1)).date(),
        closes_on__lte=(now + timedelta(days=HONOUR_WINDOW_DAYS + 1)).date(),
    ).select_related("campaign")
    notices = []
    for honour_round in rounds:
        today = deadlines.today(honour_round.campaign, now)
        days = (honour_round.closes_on - today).days
        if not 0 <= days <= HONOUR_WINDOW_DAYS:
            continue
        drafts = Application.objects.filter(round=honour_round, status=ApplicationStatus.DRAFT)
        staff = staff_by_unit(drafts.values_list("unit_id", flat=True))
        context = {
            **_round_context(honour_round),
            "closes_on": honour_round.closes_on.isoformat(),
            "days": days,
        }
        link = reverse("evaluations:honour_round", args=[honour_round.pk])
        notices += [
            Notice(
                user,
                f"honour_round:{honour_round.pk}",
                honour_round.closes_on.isoformat(),
                link,
                context,
            )
            for users in staff.values()
            for user in users
        ]
    return notify_in_key_order(rule=Rule.HONOUR_WINDOW_CLOSING, notices=notices)


def honour_notice_unanswered(now: datetime) -> list[int]:
    """Rounds past their notice period, not commended, with objections unanswered → admins."""
    rounds = (
        HonourRound.objects.filter(
            campaign__is_active=True,
            published_at__isnull=False,
            publicity_ends_on__isnull=False,
            decided_on__isnull=True,
            applications__objections__answered_at__isnull=True,
            applications__objections__isnull=False,
        )
        .select_related("campaign")
        .distinct()
    )
    notices = []
    for honour_round in rounds:
        ends = honour_round.publicity_ends_on
        assert ends is not None
        if deadlines.today(honour_round.campaign, now) <= ends:
            continue
        count = HonourObjection.objects.filter(
            application__round=honour_round, answered_at__isnull=True
        ).count()
        context = {**_round_context(honour_round), "count": count}
        link = reverse("evaluations:honour_notice", args=[honour_round.pk])
        notices += [
            Notice(user, f"honour_round:{honour_round.pk}", ends.isoformat(), link, context)
            for user in _admins(honour_round.campaign.unit_id)
        ]
    return notify_in_key_order(rule=Rule.HONOUR_NOTICE_UNANSWERED, notices=notices)
