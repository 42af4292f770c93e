"""The assessment engine (考核, issue 14 §1): a campaign's draft scores, computed from the
records by its scoring scheme. Pure reads: nothing here writes. The kept draft scores
(evaluations.draft_score_services) and a snapshot (evaluations.models.snapshots) store what
`compute` returns.

**Who takes part**: the active units in the subtree of the campaign's organising unit (itself
included) that have a target in the campaign or an approved activity counted in it (a row in
the campaign's roll-ups, activities.rollups — so a committee whose branches did something takes
part too).

**What a rule measures**: the unit's whole subtree (the unit and every unit below it), as the
dashboards do, read from the same kept roll-ups: target completion and reporting timeliness
(activities.progress), commitments kept, follow-ups closed on time and satisfaction
(evaluations.standing_selectors); review quality the decisions on the subtree's activities
and those that returned one (the roll-ups' `reviews` and `returns`). Two rules are about the
unit itself: the leader grades given to it and its own bonus and deduction items.

**Points**: a rule worth `weight` gives `weight × share` (the share from 0 to 1 that it
measures, formula below). A rule with nothing to measure for a unit follows its `without_data`
(WithoutData) in one place (`_apply_without_data`): full points, no points, or left out — then
the rules that are left are scaled up so that they are still worth 100 between them (if every
rule is left out, the unit has 0 before its adjustments). Each rule's points are rounded to
0.01 (half up) after scaling; the total is their sum plus the approved adjustments, clamped to
± the ADJUSTMENTS rule's weight. A unit's total may thus go above 100 or below 0 only by
adjustments.

**Ranks, peer groups, grades**: units are ranked within their peer group (ScoringScheme.
peer_grouping) by total, ties broken by TIE_BREAK; grades by thresholds or by shares of the peer
group as ScoringScheme's docstring says.

**Speed**: a handful of GROUP BY queries over the roll-ups and small tables for every unit at
once, never a query per unit; `explain` adds one query per record kind for the one unit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from activities import progress
from activities.models import (
    Action,
    Activity,
    ActivityEvent,
    CoOrganiser,
    CoOrganiserStatus,
    Status,
    UnitRollup,
)
from activities.rollups import ALL_LINES
from campaigns import deadlines
from campaigns.models import Campaign, Target
from evaluations.models import (
    Adjustment,
    AppraisalTally,
    AssessmentGrade,
    Commitment,
    FollowUp,
    GradingMethod,
    LeaderComment,
    PeerGrouping,
    RuleKind,
    ScoringRule,
    ScoringScheme,
    WithoutData,
)
from evaluations.selectors import minimum_ratings
from evaluations.standing_selectors import (
    commitments_by_unit,
    follow_ups_by_unit,
    satisfaction_by_unit,
)
from units.models import Line, Unit, UnitKind

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

TIE_BREAK = gettext_noop(
    "Equal totals in a peer group are ordered by the points on each rule, taken in the scheme's "
    "order (the first rule on which they differ decides, more points first), then by the unit's "
    "code (A before B). Codes are unique, so every unit has a rank of its own and never by chance."
)
# How many records of each kind an explanation links (the rule's numbers say how many there are;
# more than a page can usefully list are found in the activity search).
EXPLAIN_LIMIT = 50


# --- The rules' parameters: declared, documented and checked here, nowhere else ----------------


@dataclass(frozen=True)
class Param:
    name: str
    label: Any  # a lazy translation
    default: Decimal
    minimum: Decimal
    maximum: Decimal
    whole: bool = False


PARAMS: dict[str, tuple[Param, ...]] = {
    RuleKind.TARGETS: (
        Param(
            "cap",
            _("Completion counted up to (%)"),
            Decimal(100),
            Decimal(1),
            Decimal(200),
            whole=True,
        ),
        Param("required_weight", _("Weight of a required task"), Decimal(2), ZERO, Decimal(10)),
        Param("optional_weight", _("Weight of an optional task"), Decimal(1), ZERO, Decimal(10)),
    ),
    RuleKind.TIMELINESS: (),
    RuleKind.REVIEW_QUALITY: (),
    RuleKind.COMMITMENTS: (),
    RuleKind.FOLLOW_UPS: (),
    RuleKind.APPRAISAL: (
        Param(
            "min_ratings",
            _("Fewest ratings judged"),
            Decimal(-1),  # -1: the site's APPRAISAL_MIN_RATINGS
            Decimal(-1),
            Decimal(100000),
            whole=True,
        ),
        Param(
            "basically_satisfied",
            _("A “basically satisfied” counts as (of a “satisfied”)"),
            Decimal("0.5"),
            ZERO,
            Decimal(1),
        ),
    ),
    RuleKind.GRADES: (),
    RuleKind.ADJUSTMENTS: (),
}

# The scheme created on a campaign's first visit: every rule, weights adding up to 100.
DEFAULT_RULES: tuple[tuple[str, Decimal, str], ...] = (
    (RuleKind.TARGETS, Decimal(40), WithoutData.EXCLUDED),
    (RuleKind.TIMELINESS, Decimal(10), WithoutData.EXCLUDED),
    (RuleKind.REVIEW_QUALITY, Decimal(10), WithoutData.EXCLUDED),
    (RuleKind.COMMITMENTS, Decimal(10), WithoutData.EXCLUDED),
    (RuleKind.FOLLOW_UPS, Decimal(10), WithoutData.FULL),
    (RuleKind.APPRAISAL, Decimal(10), WithoutData.EXCLUDED),
    (RuleKind.GRADES, Decimal(10), WithoutData.EXCLUDED),
    (RuleKind.ADJUSTMENTS, Decimal(5), WithoutData.ZERO),
)


def default_params(kind: str) -> dict[str, str]:
    return {p.name: str(p.default) for p in PARAMS[kind]}


def clean_params(kind: str, params: dict | None) -> dict[str, str]:
    """`params` of a rule of `kind`, checked: every parameter present (its default when missing
    or blank), a number within its range; unknown names refused. Raises ValidationError with one
    message per bad parameter. Values are kept as decimal text (JSON holds no Decimal)."""
    params = dict(params or {})
    known = {p.name for p in PARAMS[kind]}
    errors = [
        gettext("Unknown parameter “%(name)s”.") % {"name": name}
        for name in sorted(set(params) - known)
    ]
    cleaned: dict[str, str] = {}
    for param in PARAMS[kind]:
        raw = params.get(param.name)
        if raw is None or str(raw).strip() == "":
            cleaned[param.name] = str(param.default)
            continue
        try:
            value = Decimal(str(raw).strip())
            if not value.is_finite():
                raise ArithmeticError
        except ArithmeticError:
            errors.append(gettext("%(param)s: a number, please.") % {"param": param.label})
            continue
        if param.whole and value != value.to_integral_value():
            errors.append(gettext("%(param)s: a whole number, please.") % {"param": param.label})
        elif not param.minimum <= value <= param.maximum:
            errors.append(
                gettext("%(param)s: between %(low)s and %(high)s.")
                % {"param": param.label, "low": param.minimum, "high": param.maximum}
            )
        else:
            cleaned[param.name] = str(int(value)) if param.whole else str(value)
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- The scheme as the engine reads it ---------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    weight: Decimal
    without_data: str
    params: dict[str, str]

    def param(self, name: str) -> Decimal:
        return Decimal(self.params.get(name, default_params(self.kind)[name]))

    @property
    def label(self) -> str:
        return str(RuleKind(self.kind).label)


@dataclass(frozen=True)
class SchemeSpec:
    peer_grouping: str
    grading: str
    excellent_from: Decimal
    good_from: Decimal
    fair_from: Decimal
    excellent_share: int
    good_share: int
    fair_share: int
    rules: tuple[RuleSpec, ...]

    def as_json(self) -> dict:
        """The scheme as a snapshot keeps it."""
        return {
            "peer_grouping": self.peer_grouping,
            "grading": self.grading,
            "excellent_from": str(self.excellent_from),
            "good_from": str(self.good_from),
            "fair_from": str(self.fair_from),
            "excellent_share": self.excellent_share,
            "good_share": self.good_share,
            "fair_share": self.fair_share,
            "rules": [
                {
                    "kind": r.kind,
                    "weight": str(r.weight),
                    "without_data": r.without_data,
                    "params": r.params,
                }
                for r in self.rules
            ],
        }


def spec_of(scheme: ScoringScheme, rules: Iterable[ScoringRule]) -> SchemeSpec:
    return SchemeSpec(
        peer_grouping=scheme.peer_grouping,
        grading=scheme.grading,
        excellent_from=scheme.excellent_from,
        good_from=scheme.good_from,
        fair_from=scheme.fair_from,
        excellent_share=scheme.excellent_share,
        good_share=scheme.good_share,
        fair_share=scheme.fair_share,
        rules=tuple(
            RuleSpec(
                r.kind,
                r.weight,
                r.without_data,
                {**default_params(r.kind), **(r.params or {})},
            )
            for r in sorted(rules, key=lambda r: (r.position, r.pk or 0))
        ),
    )


def default_spec() -> SchemeSpec:
    """The default scheme (ScoringScheme's field defaults and DEFAULT_RULES), unsaved."""
    scheme = ScoringScheme()
    rules = [
        ScoringRule(kind=k, weight=w, without_data=wd, params=default_params(k), position=i)
        for i, (k, w, wd) in enumerate(DEFAULT_RULES)
    ]
    return spec_of(scheme, rules)


def scheme_spec(campaign: Campaign) -> SchemeSpec:
    """The campaign's scheme (two queries), or the default one if none was saved yet."""
    scheme = ScoringScheme.objects.filter(campaign=campaign).first()
    if scheme is None:
        return default_spec()
    return spec_of(scheme, scheme.rules.all())


def most_points(rule: RulePoints, scale: Decimal) -> Decimal:
    """The most `rule` can give the unit: its weight, scaled up as the unit's measured rules are
    when some are left out (`_points`); ADJUSTMENTS: its weight either way."""
    if rule.kind == RuleKind.ADJUSTMENTS or rule.excluded or not scale:
        return rule.weight
    return (rule.weight * scale).quantize(CENT, ROUND_HALF_UP)


def adjustment_limit(spec: SchemeSpec) -> Decimal:
    """The most a unit's approved bonus and deduction items add or take away, either way: the
    ADJUSTMENTS rule's weight (0 when the scheme has no such rule). One item may claim no more
    either (evaluations.adjustment_services)."""
    return next((r.weight for r in spec.rules if r.kind == RuleKind.ADJUSTMENTS), ZERO)


# --- What compute returns -------------------------------------------------------------------


@dataclass(frozen=True)
class RulePoints:
    """One rule's points for a unit. `formula` is an English msgid with %(name)s places, filled
    from `numbers` (decimal text) in the reader's language by `formula_text`; `records` holds,
    per record kind ("activity", "target", "commitment", "follow_up", "tally", "comment",
    "adjustment"), the ids of the records behind the numbers (only from `explain`, at most
    EXPLAIN_LIMIT each; `counts` says how many there are, None: more than EXPLAIN_LIMIT)."""

    kind: str
    weight: Decimal
    points: Decimal
    share: Decimal | None  # what was measured, 0..1 (None: nothing to measure)
    without_data: bool  # nothing to measure: the rule's without_data policy gave the points
    excluded: bool  # left out (WithoutData.EXCLUDED), the other rules scaled up
    formula: str
    numbers: dict[str, str] = field(default_factory=dict)
    records: dict[str, tuple[int, ...]] = field(default_factory=dict)
    counts: dict[str, int | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(RuleKind(self.kind).label)

    @property
    def formula_text(self) -> str:
        return gettext(self.formula) % self.numbers

    @classmethod
    def from_json(cls, data: dict) -> RulePoints:
        """The rule's points as `as_json` wrote them (a kept draft score's, a snapshot's)."""
        share = data.get("share")
        return cls(
            kind=data["kind"],
            weight=Decimal(data["weight"]),
            points=Decimal(data["points"]),
            share=None if share is None else Decimal(share),
            without_data=bool(data["without_data"]),
            excluded=bool(data["excluded"]),
            formula=data["formula"],
            numbers=dict(data.get("numbers") or {}),
            records={k: tuple(v) for k, v in (data.get("records") or {}).items()},
        )

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "weight": str(self.weight),
            "points": str(self.points),
            "share": None if self.share is None else str(self.share),
            "without_data": self.without_data,
            "excluded": self.excluded,
            "formula": self.formula,
            "numbers": self.numbers,
            "records": {k: list(v) for k, v in self.records.items()},
        }


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    unit_code: str
    unit_name: str
    total: Decimal
    rules: tuple[RulePoints, ...]
    scale: Decimal  # the factor the measured rules were scaled up by (1 when none is left out)
    peer_group: str
    peer_group_label: str
    rank: int
    peers: int
    grade: str  # AssessmentGrade

    @property
    def grade_label(self) -> str:
        return str(AssessmentGrade(self.grade).label)


@dataclass(frozen=True)
class Scores:
    campaign: Campaign
    scheme: SchemeSpec
    as_of: date
    units: tuple[UnitScore, ...]  # by peer group, then rank

    def of(self, unit_id: int) -> UnitScore | None:
        return next((s for s in self.units if s.unit_id == unit_id), None)


# --- Measures: one per rule, for every unit at once ---------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a rule measured for one unit: the share (None: nothing to measure), the formula and
    its numbers."""

    share: Decimal | None
    formula: str
    numbers: dict[str, str]


NO_DATA = gettext_noop("Nothing to measure")


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal:
    return Decimal(part) / Decimal(whole)


def _pct(share: Decimal) -> str:
    return str((share * HUNDRED).quantize(CENT, ROUND_HALF_UP))


def _num(value: Decimal | int) -> str:
    return str(progress.json_number(Decimal(value)))


@dataclass
class Context:
    campaign: Campaign
    units: list[Unit]
    today: date

    @property
    def ids(self) -> list[int]:
        return [u.pk for u in self.units]


def measure_targets(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """Each of the unit's own targets against its subtree's approved figures over the campaign
    (the dashboards' figures, activities.progress: `subtree_task_figures`, `completion`), capped
    at `cap` %, averaged with required tasks weighing `required_weight` and optional ones
    `optional_weight`."""
    cap = rule.param("cap") / HUNDRED
    weights = {True: rule.param("required_weight"), False: rule.param("optional_weight")}
    targets = _targets(ctx.campaign, ctx.ids)
    task_ids = sorted({t["task_id"] for t in targets})
    period = progress.period_of(ctx.campaign)
    figures = progress.subtree_task_figures(ctx.ids, period, task_ids)
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for t in targets:
        achieved = figures.get((t["unit_id"], t["task_id"]), progress.Figures()).of(
            t["task__metric"]
        )
        done = min(Decimal(repr(progress.completion(achieved, t["value"]))), cap)
        weight = weights[t["task__is_required"]]
        row = sums[t["unit_id"]]
        row[0] += weight * done
        row[1] += weight
        row[2] += 1
        row[3] += 1 if t["task__is_required"] else 0
    found = {}
    for unit_id, (weighted, weights_sum, tasks, required) in sums.items():
        if not weights_sum:
            continue
        share = weighted / weights_sum
        found[unit_id] = Measure(
            share,
            gettext_noop(
                "%(tasks)s targets (%(required)s required), each completion capped at %(cap)s%%,"
                " weighted mean %(percent)s%%"
            ),
            {
                "tasks": str(tasks),
                "required": str(required),
                "cap": _num(cap * HUNDRED),
                "percent": _pct(share),
            },
        )
    return found


def _targets(campaign: Campaign, unit_ids: list[int]) -> list[Any]:
    return list(
        Target.objects.filter(
            task__campaign=campaign, task__is_active=True, unit_id__in=unit_ids
        ).values("id", "unit_id", "task_id", "value", "task__metric", "task__is_required")
    )


def measure_timeliness(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """Approved activities of the subtree reported on time (first submitted on or before the due
    date of the targets they count for: activities.rollups.reported_on_time, as the dashboards'
    reporting timeliness) over all its approved activities."""
    totals = progress.unit_totals(ctx.ids, progress.period_of(ctx.campaign), ALL_LINES)
    found = {}
    for unit_id, t in totals.items():
        if not t.activities:
            continue
        share = _ratio(t.reported_on_time, t.activities)
        found[unit_id] = Measure(
            share,
            gettext_noop("%(on_time)s of %(activities)s approved activities reported on time"),
            {"on_time": str(t.reported_on_time), "activities": str(t.activities)},
        )
    return found


def measure_review_quality(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """1 − the return rate of the subtree's activities: reviewers' decisions that returned one
    over all reviewers' decisions (approve, pass on, return) on them. Lower returns, more
    points. Read from the kept roll-ups (activities.rollups: `reviews` and `returns` of each
    unit's subtree, per month), one GROUP BY for every unit."""
    rows = (
        UnitRollup.objects.filter(
            campaign=ctx.campaign, unit_id__in=ctx.ids, line=ALL_LINES, reviews__gt=0
        )
        .values_list("unit_id")
        .annotate(returned=Sum("returns"), reviewed=Sum("reviews"))
        .order_by()
    )
    sums = {unit_id: (int(returned), int(reviewed)) for unit_id, returned, reviewed in rows}
    found = {}
    for unit_id, (returned, reviewed) in sums.items():
        if not reviewed:
            continue
        share = 1 - _ratio(returned, reviewed)
        found[unit_id] = Measure(
            share,
            gettext_noop(
                "%(returned)s of %(reviewed)s review decisions returned an activity:"
                " 100%% − %(rate)s%%"
            ),
            {
                "returned": str(returned),
                "reviewed": str(reviewed),
                "rate": _pct(_ratio(returned, reviewed)),
            },
        )
    return found


def measure_commitments(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """Commitment items of the subtree's approved sets kept (fulfilled) over those due, as the
    standing figures count them (evaluations.standing_selectors, its DUE rule)."""
    found = {}
    for unit_id, kept in commitments_by_unit(ctx.ids, ctx.campaign, ctx.today).items():
        if not kept.due:
            continue
        found[unit_id] = Measure(
            _ratio(kept.kept, kept.due),
            gettext_noop("%(kept)s of %(due)s commitment items due were kept"),
            {"kept": str(kept.kept), "due": str(kept.due)},
        )
    return found


def measure_follow_ups(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """Follow-ups of the subtree closed on time over those due (evaluations.standing_selectors)."""
    found = {}
    for unit_id, closed in follow_ups_by_unit(ctx.ids, ctx.campaign, ctx.today).items():
        if not closed.due:
            continue
        found[unit_id] = Measure(
            _ratio(closed.on_time, closed.due),
            gettext_noop("%(on_time)s of %(due)s follow-ups due were closed on time"),
            {"on_time": str(closed.on_time), "due": str(closed.due)},
        )
    return found


def appraisal_minimum(rule: RuleSpec) -> int:
    value = int(rule.param("min_ratings"))
    return minimum_ratings() if value < 0 else value


def measure_appraisal(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """(satisfied + `basically_satisfied` × basically satisfied) over every rating of the
    subtree in the campaign; fewer than `min_ratings` ratings (−1: the site's
    APPRAISAL_MIN_RATINGS) is nothing to measure."""
    least = appraisal_minimum(rule)
    half = rule.param("basically_satisfied")
    found = {}
    for unit_id, figures in satisfaction_by_unit(ctx.ids, ctx.campaign).items():
        if not figures.ratings or figures.ratings < least:
            continue
        share = (figures.satisfied + half * figures.basically_satisfied) / figures.ratings
        found[unit_id] = Measure(
            share,
            gettext_noop(
                "(%(satisfied)s satisfied + %(half)s × %(basically)s basically satisfied)"
                " ÷ %(ratings)s ratings = %(percent)s%%"
            ),
            {
                "satisfied": str(figures.satisfied),
                "half": _num(half),
                "basically": str(figures.basically_satisfied),
                "ratings": str(figures.ratings),
                "percent": _pct(share),
            },
        )
    return found


def _grades(campaign: Campaign, unit_ids: list[int]) -> QuerySet[LeaderComment]:
    return LeaderComment.objects.filter(
        campaign=campaign, unit_id__in=unit_ids, grade__isnull=False
    )


def measure_grades(ctx: Context, rule: RuleSpec) -> dict[int, Measure]:
    """The mean of the leader grades (1 poor … 4 good) given to the unit itself in the campaign,
    over 4."""
    rows: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, grade in _grades(ctx.campaign, ctx.ids).values_list("unit_id", "grade"):
        rows[unit_id][0] += grade or 0
        rows[unit_id][1] += 1
    found = {}
    for unit_id, (total, count) in rows.items():
        mean = _ratio(total, count)
        found[unit_id] = Measure(
            mean / 4,
            gettext_noop("mean of %(count)s leader grades %(mean)s of 4"),
            {"count": str(count), "mean": str(mean.quantize(CENT, ROUND_HALF_UP))},
        )
    return found


def _approved_adjustments(campaign: Campaign, unit_ids: list[int]) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(
        campaign=campaign, unit_id__in=unit_ids, status=Status.APPROVED
    )


def adjustment_sums(campaign: Campaign, unit_ids: list[int]) -> dict[int, tuple[Decimal, int]]:
    rows: dict[int, tuple[Decimal, int]] = {}
    for unit_id, points in _approved_adjustments(campaign, unit_ids).values_list(
        "unit_id", "points"
    ):
        total, count = rows.get(unit_id, (ZERO, 0))
        rows[unit_id] = (total + points, count + 1)
    return rows


MEASURES: dict[str, Callable[[Context, RuleSpec], dict[int, Measure]]] = {
    RuleKind.TARGETS: measure_targets,
    RuleKind.TIMELINESS: measure_timeliness,
    RuleKind.REVIEW_QUALITY: measure_review_quality,
    RuleKind.COMMITMENTS: measure_commitments,
    RuleKind.FOLLOW_UPS: measure_follow_ups,
    RuleKind.APPRAISAL: measure_appraisal,
    RuleKind.GRADES: measure_grades,
}


# --- Points, totals, peer groups, ranks, grades -------------------------------------------------


def _apply_without_data(rule: RuleSpec, measure: Measure | None) -> tuple[Decimal | None, bool]:
    """The one place WithoutData is applied: (share used, excluded?) for a rule's measure."""
    if measure is not None and measure.share is not None:
        return measure.share, False
    if rule.without_data == WithoutData.FULL:
        return Decimal(1), False
    if rule.without_data == WithoutData.ZERO:
        return ZERO, False
    return None, True


def _points(
    scheme: SchemeSpec, measured: dict[str, dict[int, Measure]], adjustments: dict, unit: Unit
) -> tuple[Decimal, Decimal, tuple[RulePoints, ...]]:
    parts = []
    for rule in scheme.rules:
        if rule.kind == RuleKind.ADJUSTMENTS:
            continue
        measure = measured[rule.kind].get(unit.pk)
        share, excluded = _apply_without_data(rule, measure)
        parts.append((rule, measure, share, excluded))
    counted = sum((r.weight for r, _m, _s, excluded in parts if not excluded), ZERO)
    whole = sum((r.weight for r, *_rest in parts), ZERO)
    scale = (whole / counted) if counted else ZERO
    by_kind: dict[str, RulePoints] = {}
    for rule, measure, share, excluded in parts:
        points = (
            ZERO if share is None else (rule.weight * share * scale).quantize(CENT, ROUND_HALF_UP)
        )
        if measure is None:
            formula, numbers = NO_DATA, {}
        else:
            formula, numbers = measure.formula, measure.numbers
        by_kind[rule.kind] = RulePoints(
            kind=rule.kind,
            weight=rule.weight,
            points=points,
            share=None if measure is None else measure.share,
            without_data=measure is None,
            excluded=excluded,
            formula=formula,
            numbers=numbers,
        )
    for rule in scheme.rules:
        if rule.kind != RuleKind.ADJUSTMENTS:
            continue
        total, count = adjustments.get(unit.pk, (ZERO, 0))
        points = max(-rule.weight, min(rule.weight, total)).quantize(CENT, ROUND_HALF_UP)
        by_kind[rule.kind] = RulePoints(
            kind=rule.kind,
            weight=rule.weight,
            points=points,
            share=None,
            without_data=not count,
            excluded=False,
            formula=gettext_noop(
                "%(count)s approved items adding up to %(sum)s, at most ± %(weight)s"
            ),
            numbers={"count": str(count), "sum": _num(total), "weight": _num(rule.weight)},
        )
    rules = tuple(by_kind[r.kind] for r in scheme.rules)
    total = sum((r.points for r in rules), ZERO).quantize(CENT)
    return total, scale.quantize(Decimal("0.0001"), ROUND_HALF_UP), rules


def peer_group_of(grouping: str, unit: Unit) -> tuple[str, str]:
    """(key, label) of the unit's peer group under `grouping` (PeerGrouping)."""
    if grouping == PeerGrouping.KIND_AND_DEPTH:
        key = f"{unit.kind}:{unit.depth}"
    elif grouping == PeerGrouping.LINE_AND_DEPTH:
        key = f"{unit.line}:{unit.depth}"
    elif grouping == PeerGrouping.DEPTH:
        key = f"{unit.depth}"
    else:
        key = "all"
    return key, peer_group_label(grouping, key)


def peer_group_label(grouping: str, key: str) -> str:
    """The label of the peer group `key` (peer_group_of) in the current language: a kept draft
    score keeps the key and is labelled in its reader's language."""
    if grouping in (PeerGrouping.KIND_AND_DEPTH, PeerGrouping.LINE_AND_DEPTH):
        name, depth = key.rsplit(":", 1)
        choices = UnitKind if grouping == PeerGrouping.KIND_AND_DEPTH else Line
        label = str(choices(name).label) if name in choices.values else name
        return f"{label} · {gettext('level %(depth)s') % {'depth': depth}}"
    if grouping == PeerGrouping.DEPTH:
        return gettext("level %(depth)s") % {"depth": key}
    return gettext("All units")


def tie_break_key(total: Decimal, rules: tuple[RulePoints, ...], code: str) -> tuple:
    """TIE_BREAK as a sort key: more points first, then more on each rule in order, then code."""
    return (-total, *(-r.points for r in rules), code)


def _shares_cut(size: int, share: int) -> int:
    if share <= 0:
        return 0
    return max(1, math.floor(size * share / 100))


def grades_of(scheme: SchemeSpec, totals: list[Decimal]) -> list[str]:
    """The grades of a peer group's units, given their totals in rank order."""
    grades: list[str] = []
    if scheme.grading == GradingMethod.THRESHOLDS:
        for total in totals:
            if total >= scheme.excellent_from:
                grades.append(AssessmentGrade.EXCELLENT)
            elif total >= scheme.good_from:
                grades.append(AssessmentGrade.GOOD)
            elif total >= scheme.fair_from:
                grades.append(AssessmentGrade.FAIR)
            else:
                grades.append(AssessmentGrade.POOR)
        return grades
    size = len(totals)
    for grade, share in (
        (AssessmentGrade.EXCELLENT, scheme.excellent_share),
        (AssessmentGrade.GOOD, scheme.good_share),
        (AssessmentGrade.FAIR, scheme.fair_share),
    ):
        grades += [grade] * min(_shares_cut(size, share), size - len(grades))
    return grades + [AssessmentGrade.POOR] * (size - len(grades))


def participants(campaign: Campaign) -> list[Unit]:
    """The units that take part (see the module's docstring), in tree order. Two queries' worth
    of ids, then the units."""
    with_targets = Target.objects.filter(task__campaign=campaign).values("unit_id")
    with_figures = UnitRollup.objects.filter(campaign=campaign).values("unit_id")
    return list(
        Unit.objects.filter(path__startswith=campaign.unit.path, is_active=True)
        .filter(Q(pk__in=with_targets) | Q(pk__in=with_figures))
        .order_by("path")
    )


def compute(
    campaign: Campaign,
    *,
    units: Iterable[Unit | int] | None = None,
    scheme: SchemeSpec | None = None,
    today: date | None = None,
) -> Scores:
    """Every taking-part unit's draft score in `campaign` (or, given `units`, those of them that
    take part — ranked and graded all the same against their whole peer group). `scheme`
    defaults to the campaign's (scheme_spec); `today` (for what is due) to the campaign's local
    date."""
    scheme = scheme or scheme_spec(campaign)
    today = today or deadlines.today(campaign)
    taking_part = participants(campaign)
    ctx = Context(campaign, taking_part, today)
    kinds = {r.kind for r in scheme.rules}
    measured: dict[str, dict[int, Measure]] = {}
    for rule in scheme.rules:
        if rule.kind in MEASURES:
            measured[rule.kind] = MEASURES[rule.kind](ctx, rule) if taking_part else {}
    adjustments = (
        adjustment_sums(campaign, ctx.ids) if RuleKind.ADJUSTMENTS in kinds and taking_part else {}
    )
    groups: dict[str, list[tuple[tuple, Unit, Decimal, Decimal, tuple[RulePoints, ...], str]]]
    groups = defaultdict(list)
    labels: dict[tuple, tuple[str, str]] = {}  # a peer group's key and label, worked out once
    for unit in taking_part:
        total, scale, rules = _points(scheme, measured, adjustments, unit)
        found = (unit.kind, unit.line, unit.depth)
        if found not in labels:
            labels[found] = peer_group_of(scheme.peer_grouping, unit)
        key, label = labels[found]
        groups[key].append(
            (tie_break_key(total, rules, unit.code), unit, total, scale, rules, label)
        )
    wanted = None if units is None else {u if isinstance(u, int) else u.pk for u in units}
    scores = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda m: m[0])
        grades = grades_of(scheme, [m[2] for m in members])
        for rank, ((_k, unit, total, scale, rules, label), grade) in enumerate(
            zip(members, grades, strict=True), start=1
        ):
            if wanted is not None and unit.pk not in wanted:
                continue
            scores.append(
                UnitScore(
                    unit_id=unit.pk,
                    unit_code=unit.code,
                    unit_name=unit.name,
                    total=total,
                    rules=rules,
                    scale=scale,
                    peer_group=key,
                    peer_group_label=label,
                    rank=rank,
                    peers=len(members),
                    grade=grade,
                )
            )
    return Scores(campaign, scheme, today, tuple(scores))


# --- Explanations: the records behind one unit's numbers ----------------------------------------


def _subtree(unit: Unit, field_name: str = "unit__path") -> Q:
    return Q(**{f"{field_name}__startswith": unit.path})


def _unit_ids(unit: Unit) -> list[int]:
    """The subtree's units, read first: PostgreSQL then finds their records by index."""
    return list(Unit.objects.filter(_subtree(unit, "path")).values_list("pk", flat=True))


def _credited_activities(campaign: Campaign, unit: Unit) -> QuerySet[Activity]:
    """Approved activities credited to the subtree: organised or co-organised (confirmed) there.
    The subtree's units and co-organised activities are read first, so that PostgreSQL looks
    both up by index (an OR across a join read every approved activity of the campaign: 0.3 s a
    rule at city scale), and each activity comes once (no DISTINCT)."""
    units = _unit_ids(unit)
    coorganised = list(
        CoOrganiser.objects.filter(
            status=CoOrganiserStatus.CONFIRMED, unit_id__in=units
        ).values_list("activity_id", flat=True)
    )
    return Activity.objects.filter(campaign=campaign, status=Status.APPROVED).filter(
        Q(unit_id__in=units) | Q(pk__in=coorganised)
    )


def _ids(query: QuerySet) -> tuple[tuple[int, ...], int | None]:
    """At most EXPLAIN_LIMIT of the records, by id, and how many there are — None when there are
    more than that: they are not counted (a subtree's thousands of activities cost more to count,
    and to read in id order, than the rest of the page), and the rule's numbers say how many."""
    ids = sorted(query.order_by().values_list("pk", flat=True)[: EXPLAIN_LIMIT + 1])
    return tuple(ids[:EXPLAIN_LIMIT]), (len(ids) if len(ids) <= EXPLAIN_LIMIT else None)


def records_of(campaign: Campaign, unit: Unit, kind: str, today: date) -> dict[str, QuerySet]:
    """The records behind a rule's numbers for one unit, by record kind."""
    if kind == RuleKind.TARGETS:
        targets = Target.objects.filter(task__campaign=campaign, task__is_active=True, unit=unit)
        task_ids = list(targets.values_list("task_id", flat=True))
        return {
            "target": targets,
            "activity": _credited_activities(campaign, unit).filter(
                pk__in=Activity.tasks.through.objects.filter(targettask_id__in=task_ids).values(
                    "activity_id"
                )
            ),
        }
    if kind == RuleKind.TIMELINESS:
        return {"activity": _credited_activities(campaign, unit).filter(counted_on_time=False)}
    if kind == RuleKind.REVIEW_QUALITY:
        returned = ActivityEvent.objects.filter(
            action=Action.RETURN, activity__campaign=campaign, activity__unit_id__in=_unit_ids(unit)
        )
        return {"activity": Activity.objects.filter(pk__in=returned.values("activity_id"))}
    due = Q(due_on__lt=today)
    if kind == RuleKind.COMMITMENTS:
        items = Commitment.objects.filter(campaign=campaign, set__status=Status.APPROVED).filter(
            _subtree(unit)
        )
        return {"commitment": items.filter(due | Q(fulfilled_at__isnull=False))}
    if kind == RuleKind.FOLLOW_UPS:
        follow_ups = FollowUp.objects.filter(campaign=campaign).filter(_subtree(unit))
        return {"follow_up": follow_ups.filter(due | Q(closed_at__isnull=False))}
    if kind == RuleKind.APPRAISAL:
        return {"tally": AppraisalTally.objects.filter(campaign=campaign).filter(_subtree(unit))}
    if kind == RuleKind.GRADES:
        return {"comment": _grades(campaign, [unit.pk])}
    if kind == RuleKind.ADJUSTMENTS:
        return {"adjustment": _approved_adjustments(campaign, [unit.pk])}
    return {}


def explain(
    campaign: Campaign,
    unit: Unit,
    *,
    scheme: SchemeSpec | None = None,
    today: date | None = None,
) -> UnitScore | None:
    """The unit's score (None if it does not take part) with, for every rule, the ids of the
    records behind its numbers (at most EXPLAIN_LIMIT per kind, and how many there are)."""
    today = today or deadlines.today(campaign)
    scores = compute(campaign, units=[unit], scheme=scheme, today=today)
    score = scores.of(unit.pk)
    if score is None:
        return None
    return with_records(campaign, unit, score, today)


def with_records(campaign: Campaign, unit: Unit, score: UnitScore, today: date) -> UnitScore:
    """`score` (computed, or read from a kept draft score as of `today`) with, for every rule,
    the ids of the records behind its numbers: one query or two per record kind, for this unit
    alone."""
    rules = []
    for rule in score.rules:
        records, counts = {}, {}
        for name, query in records_of(campaign, unit, rule.kind, today).items():
            records[name], counts[name] = _ids(query)
        rules.append(replace(rule, records=records, counts=counts))
    return replace(score, rules=tuple(rules))
