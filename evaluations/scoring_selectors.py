"""Reads for the draft score pages: the ranking of the units in a user's scope (evaluations.scoring
computes every taking-part unit; the page shows those the user may see, ranked in their whole
peer group), and one unit's explanation with the records behind each number, each record kind
read in one query whatever the number of records."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from campaigns.models import Campaign, Target
from evaluations import scoring
from evaluations.models import Adjustment, AppraisalTally, Commitment, FollowUp, LeaderComment
from units.models import Unit
from units.scope import Scope


@dataclass(frozen=True)
class PeerGroup:
    key: str
    label: str
    rows: list[scoring.UnitScore]


@dataclass(frozen=True)
class Ranking:
    scores: scoring.Scores
    groups: list[PeerGroup]

    @property
    def rules(self) -> tuple[scoring.RuleSpec, ...]:
        return self.scores.scheme.rules


def ranking(actor: Scope, campaign: Campaign) -> Ranking:
    """The scores of the taking-part units `actor` may see, by peer group and rank."""
    visible = Unit.objects.filter(actor.subtree_q()).values_list("pk", flat=True)
    scores = scoring.compute(campaign, units=list(visible))
    groups: dict[str, PeerGroup] = {}
    for score in scores.units:
        group = groups.get(score.peer_group)
        if group is None:
            group = groups[score.peer_group] = PeerGroup(
                score.peer_group, score.peer_group_label, []
            )
        group.rows.append(score)
    return Ranking(scores, list(groups.values()))


@dataclass(frozen=True)
class RecordLink:
    text: str
    url: str


@dataclass(frozen=True)
class RecordGroup:
    kind: str
    label: Any
    count: int
    links: list[RecordLink]

    @property
    def more(self) -> int:
        return self.count - len(self.links)


@dataclass(frozen=True)
class RuleExplanation:
    points: scoring.RulePoints
    groups: list[RecordGroup]


@dataclass(frozen=True)
class Explanation:
    score: scoring.UnitScore
    rules: list[RuleExplanation]


RECORD_LABELS = {
    "target": _("Targets"),
    "activity": _("Activities"),
    "commitment": _("Commitment items"),
    "follow_up": _("Follow-ups"),
    "tally": _("Ratings by month"),
    "comment": _("Leader comments"),
    "adjustment": _("Bonus and deduction items"),
}


def _targets(ids: list[int]) -> dict[int, RecordLink]:
    rows = Target.objects.filter(pk__in=ids).select_related("task").order_by("task__sort_order")
    return {
        t.pk: RecordLink(
            f"{t.task.title} · {t.value.normalize()}",
            reverse("campaigns:target_history", args=[t.pk]),
        )
        for t in rows
    }


def _activities(ids: list[int]) -> dict[int, RecordLink]:
    rows = Activity.objects.filter(pk__in=ids).order_by("-starts_on", "pk")
    return {
        a.pk: RecordLink(
            f"{a.starts_on:%Y-%m-%d} {a.title}", reverse("activities:detail", args=[a.pk])
        )
        for a in rows.only("pk", "title", "starts_on")
    }


def _commitments(ids: list[int]) -> dict[int, RecordLink]:
    rows = Commitment.objects.filter(pk__in=ids).order_by("due_on", "pk")
    return {
        c.pk: RecordLink(
            f"{c.due_on:%Y-%m-%d} {c.promise[:60]}",
            reverse("evaluations:commitments", args=[c.unit_id, c.campaign_id]),
        )
        for c in rows.only("pk", "due_on", "promise", "unit_id", "campaign_id")
    }


def _follow_ups(ids: list[int]) -> dict[int, RecordLink]:
    rows = FollowUp.objects.filter(pk__in=ids).select_related("unit").order_by("due_on", "pk")
    return {
        f.pk: RecordLink(
            f"{f.unit.name} · {f.due_on:%Y-%m-%d} · {f.get_status_display()}",
            reverse("evaluations:follow_up", args=[f.pk]),
        )
        for f in rows
    }


def _tallies(ids: list[int]) -> dict[int, RecordLink]:
    rows = AppraisalTally.objects.filter(pk__in=ids).select_related("unit").order_by("month")
    return {
        t.pk: RecordLink(
            f"{t.unit.name} · {t.month:%Y-%m} · {t.satisfied}/{t.basically_satisfied}/"
            f"{t.dissatisfied}",
            reverse("evaluations:appraisal", args=[t.unit_id]),
        )
        for t in rows
    }


def _comments(ids: list[int]) -> dict[int, RecordLink]:
    rows = LeaderComment.objects.filter(pk__in=ids).order_by("created_at", "pk")
    return {
        c.pk: RecordLink(
            f"{c.created_at:%Y-%m-%d} · {c.get_grade_display()}",
            reverse("evaluations:unit_comments", args=[c.unit_id]),
        )
        for c in rows
    }


def _adjustments(ids: list[int]) -> dict[int, RecordLink]:
    rows = Adjustment.objects.filter(pk__in=ids).order_by("pk")
    return {
        a.pk: RecordLink(
            f"{a.points:+} · {a.reason[:60]}",
            reverse("evaluations:adjustment", args=[a.pk]),
        )
        for a in rows
    }


LINKS: dict[str, Callable[[list[int]], dict[int, RecordLink]]] = {
    "target": _targets,
    "activity": _activities,
    "commitment": _commitments,
    "follow_up": _follow_ups,
    "tally": _tallies,
    "comment": _comments,
    "adjustment": _adjustments,
}


def explanation(campaign: Campaign, unit: Unit) -> Explanation | None:
    """The unit's score with, per rule, links to the records behind it (None: it does not take
    part). One read of each record kind for every rule together."""
    score = scoring.explain(campaign, unit)
    if score is None:
        return None
    wanted: dict[str, set[int]] = {}
    for rule in score.rules:
        for kind, ids in rule.records.items():
            wanted.setdefault(kind, set()).update(ids)
    links = {kind: LINKS[kind](sorted(ids)) if ids else {} for kind, ids in wanted.items()}
    rules = []
    for rule in score.rules:
        groups = [
            RecordGroup(
                kind,
                RECORD_LABELS[kind],
                rule.counts.get(kind, len(ids)),
                [links[kind][pk] for pk in ids if pk in links[kind]],
            )
            for kind, ids in rule.records.items()
        ]
        rules.append(RuleExplanation(rule, groups))
    return Explanation(score, rules)


__all__ = ["Explanation", "Ranking", "explanation", "ranking"]
