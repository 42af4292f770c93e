"""Reads for the draft score pages, from the kept draft scores (evaluations.models.DraftScore,
written by evaluations.draft_score_services): the ranking of the units in a user's scope (ranked
in their whole peer group), and one unit's explanation with the records behind each number, each
record kind read in one query whatever the number of records. A unit's score for the workbench
and the dashboards comes from here too (`unit_draft_scores`)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from campaigns.models import Campaign, Season, Target
from evaluations import scoring
from evaluations.models import (
    Adjustment,
    AppraisalTally,
    Commitment,
    DraftScore,
    FollowUp,
    LeaderComment,
)
from units.models import Unit
from units.scope import Scope


def score_of(row: DraftScore) -> scoring.UnitScore:
    """A kept row as the engine's UnitScore (its unit read with it), its peer group labelled in
    the reader's language."""
    return scoring.UnitScore(
        unit_id=row.unit_id,
        unit_code=row.unit.code,
        unit_name=row.unit.name,
        total=row.total,
        rules=tuple(scoring.RulePoints.from_json(rule) for rule in row.rules),
        scale=row.scale,
        peer_group=row.peer_group,
        peer_group_label=scoring.peer_group_label(row.peer_grouping, row.peer_group),
        rank=row.rank,
        peers=row.peers,
        grade=row.grade,
    )


def _kept(campaign: Campaign) -> QuerySet[DraftScore]:
    return DraftScore.objects.filter(campaign=campaign).select_related("unit")


@dataclass(frozen=True)
class PeerGroup:
    key: str
    label: str
    rows: list[scoring.UnitScore]


@dataclass(frozen=True)
class Ranking:
    groups: list[PeerGroup]
    as_of: date | None  # the day the kept scores were computed as of (None: none visible)
    computed_at: datetime | None
    rules: tuple[scoring.RulePoints, ...]  # the columns: the rules of the first row, in order


def ranking(actor: Scope, campaign: Campaign) -> Ranking:
    """The kept scores of the taking-part units `actor` may see, by peer group and rank: one
    query."""
    rows = list(
        _kept(campaign)
        .filter(actor.subtree_q("unit__path"))
        .order_by("peer_group", "rank", "unit_id")
    )
    groups: dict[str, PeerGroup] = {}
    for row in rows:
        score = score_of(row)
        group = groups.get(score.peer_group)
        if group is None:
            group = groups[score.peer_group] = PeerGroup(
                score.peer_group, score.peer_group_label, []
            )
        group.rows.append(score)
    first = next(iter(groups.values()), None)
    return Ranking(
        list(groups.values()),
        rows[0].as_of if rows else None,
        rows[0].computed_at if rows else None,
        first.rows[0].rules if first else (),
    )


@dataclass(frozen=True)
class UnitDraftScore:
    """A unit's kept draft score in a running campaign, as the workbench and dashboards show it."""

    campaign: Campaign
    unit: Unit
    score: scoring.UnitScore
    computed_at: datetime

    @property
    def url(self) -> str:
        return reverse("evaluations:unit_scores", args=[self.campaign.pk, self.unit.pk])


def unit_draft_score(
    unit: Unit, campaign: Campaign, *, today: date | None = None
) -> UnitDraftScore | None:
    """The kept draft score of `unit` (the caller says it may be seen) in `campaign` when the
    campaign is running: one query by the kept rows' unique key, none when it is not running."""
    if campaign.season(today) != Season.RUNNING:
        return None
    row = DraftScore.objects.filter(campaign=campaign, unit=unit).first()
    if row is None:
        return None
    row.unit, row.campaign = unit, campaign
    return UnitDraftScore(campaign, unit, score_of(row), row.computed_at)


def unit_draft_scores(
    unit_ids: Iterable[int],
    *,
    among: Iterable[Campaign],
    today: date | None = None,
    limit: int | None = None,
) -> list[UnitDraftScore]:
    """The kept draft scores of these units (the caller says they may be seen) in the running
    campaigns among `among` — campaigns already read that hold every running one covering these
    units, e.g. those visible to a user who holds a role on each — newest campaign first, then by
    unit path, the first `limit` of them: one query, of the kept rows alone."""
    running = {c.pk: c for c in among if c.season(today) == Season.RUNNING}
    rows = list(
        DraftScore.objects.filter(unit_id__in=list(unit_ids), campaign_id__in=list(running))
        .select_related("unit")
        .order_by("unit__path")
    )
    # Stable: within a campaign the units stay in path order.
    rows.sort(key=lambda row: (-running[row.campaign_id].starts_on.toordinal(), -row.campaign_id))
    scores = []
    for row in rows[:limit]:
        row.campaign = running[row.campaign_id]
        scores.append(UnitDraftScore(row.campaign, row.unit, score_of(row), row.computed_at))
    return scores


@dataclass(frozen=True)
class RecordLink:
    text: str
    url: str


@dataclass(frozen=True)
class RecordGroup:
    kind: str
    label: Any
    count: int | None  # None: more than the links, not counted (scoring.EXPLAIN_LIMIT)
    links: list[RecordLink]

    @property
    def more(self) -> int | None:
        return None if self.count is None else self.count - len(self.links)


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


@dataclass(frozen=True)
class ExplainedScore:
    explanation: Explanation | None  # None: the unit does not take part
    computed_at: datetime | None
    key: str = ""  # this computation's in this language: the page keeps its rendering under it


# How long one unit's explanation is kept (seconds). Its key holds the kept row's computed_at:
# every change that moves a score recomputes the rows within minutes, so a new computation starts
# a new explanation, and an edit that moves no score (a title) shows within this time.
EXPLAINED_FOR = 3600


def explanation(campaign: Campaign, unit: Unit) -> ExplainedScore:
    """The unit's kept score with, per rule, links to the records behind it (scoring.with_records
    for this unit alone, as of the day the score was computed), read once per computation and
    language and then kept in the cache (EXPLAINED_FOR): the records of a subtree of thousands of
    activities cost more than the rest of the page."""
    row = _kept(campaign).filter(unit=unit).first()
    if row is None:
        return ExplainedScore(None, None)
    key = f"scores:explained:{row.pk}:{row.computed_at.timestamp()}:{translation.get_language()}"
    found = cache.get(key)
    if found is None:
        found = _explained(campaign, unit, row)
        cache.set(key, found, EXPLAINED_FOR)
    return ExplainedScore(found, row.computed_at, key)


def _explained(campaign: Campaign, unit: Unit, row: DraftScore) -> Explanation:
    """One read of each record kind for every rule together."""
    score = scoring.with_records(campaign, unit, score_of(row), row.as_of)
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


__all__ = [
    "ExplainedScore",
    "Explanation",
    "Ranking",
    "UnitDraftScore",
    "explanation",
    "ranking",
    "unit_draft_score",
    "unit_draft_scores",
]
