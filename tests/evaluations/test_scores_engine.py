"""The assessment engine (evaluations.scoring) on a case worked out by hand
(tests/evaluations/scores_fixtures.py): every rule, each without-data policy, ties, grades by
thresholds and by shares, and a constant number of queries whatever the number of units."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import scoring
from evaluations.models import (
    AssessmentGrade,
    GradingMethod,
    PeerGrouping,
    RuleKind,
    WithoutData,
)
from tests.evaluations.scores_fixtures import TODAY, build, spec, with_policy
from tests.factories import TargetFactory, TargetTaskFactory, UnitFactory
from units.models import UnitKind

pytestmark = pytest.mark.django_db

E, G, F, P = (
    AssessmentGrade.EXCELLENT,
    AssessmentGrade.GOOD,
    AssessmentGrade.FAIR,
    AssessmentGrade.POOR,
)


def _points(score) -> dict[str, Decimal]:
    return {r.kind: r.points for r in score.rules}


def test_every_rule_computed_by_hand(tree, campaign):
    built = build(tree, campaign)
    scores = scoring.compute(campaign, scheme=spec(), today=TODAY)
    score = scores.of(tree.branch_a1.pk)
    assert _points(score) == {
        RuleKind.TARGETS: Decimal("26.67"),
        RuleKind.TIMELINESS: Decimal("8.00"),
        RuleKind.REVIEW_QUALITY: Decimal("8.33"),
        RuleKind.COMMITMENTS: Decimal("7.50"),
        RuleKind.FOLLOW_UPS: Decimal("5.00"),
        RuleKind.APPRAISAL: Decimal("7.00"),
        RuleKind.GRADES: Decimal("8.75"),
        RuleKind.ADJUSTMENTS: Decimal("5.00"),
    }
    assert score.total == Decimal("76.25")
    assert score.scale == 1
    assert not any(r.excluded or r.without_data for r in score.rules)
    targets = score.rules[0]
    assert targets.numbers == {"tasks": "2", "required": "1", "cap": "100", "percent": "66.67"}
    assert "66.67" in targets.formula_text
    assert built.campaign == campaign


def test_the_cap_and_the_task_weights_are_parameters(tree, campaign):
    build(tree, campaign)
    base = spec()
    rules = tuple(
        replace(r, params={"cap": "150", "required_weight": "1", "optional_weight": "1"})
        if r.kind == RuleKind.TARGETS
        else r
        for r in base.rules
    )
    score = scoring.compute(campaign, scheme=replace(base, rules=rules), today=TODAY).of(
        tree.branch_a1.pk
    )
    # (50 % + 150 %) ÷ 2 = 100 % → 40 points.
    assert score.rules[0].points == Decimal("40.00")


def test_appraisal_below_min_ratings_has_nothing_to_measure(tree, campaign):
    build(tree, campaign)
    base = spec()
    rules = tuple(
        replace(r, params={**r.params, "min_ratings": "11"}) if r.kind == RuleKind.APPRAISAL else r
        for r in base.rules
    )
    score = scoring.compute(campaign, scheme=replace(base, rules=rules), today=TODAY).of(
        tree.branch_a1.pk
    )
    appraisal = next(r for r in score.rules if r.kind == RuleKind.APPRAISAL)
    assert appraisal.without_data and appraisal.excluded and appraisal.points == 0
    # The other 90 points' worth scaled up to 100.
    assert score.scale == Decimal("1.1111")


@pytest.mark.parametrize(
    ("policy", "targets", "total"),
    [
        # union_a2: target 4, 1 approved (25 %) → 10 of 40; timeliness 0 of 1 → 0 of 10; the
        # other five rules (50 points) have nothing to measure.
        (WithoutData.EXCLUDED, Decimal("20.00"), Decimal("20.00")),  # ×2 to be worth 100
        (WithoutData.FULL, Decimal("10.00"), Decimal("60.00")),
        (WithoutData.ZERO, Decimal("10.00"), Decimal("10.00")),
    ],
)
def test_without_data_policies(tree, campaign, policy, targets, total):
    build(tree, campaign)
    score = scoring.compute(campaign, scheme=with_policy(spec(), policy), today=TODAY).of(
        tree.union_a2.pk
    )
    points = _points(score)
    assert points[RuleKind.TARGETS] == targets
    assert points[RuleKind.TIMELINESS] == 0
    assert points[RuleKind.ADJUSTMENTS] == 0
    assert score.total == total
    left_out = {r.kind for r in score.rules if r.excluded}
    if policy == WithoutData.EXCLUDED:
        assert left_out == {
            RuleKind.REVIEW_QUALITY,
            RuleKind.COMMITMENTS,
            RuleKind.FOLLOW_UPS,
            RuleKind.APPRAISAL,
            RuleKind.GRADES,
        }
    else:
        assert left_out == set()


def test_who_takes_part(tree, campaign):
    build(tree, campaign)
    scores = scoring.compute(campaign, scheme=spec(), today=TODAY)
    ids = {s.unit_id for s in scores.units}
    # Targets or approved figures in the subtree; committee_b and branch_b1 have neither.
    assert ids == {tree.city.pk, tree.committee_a.pk, tree.branch_a1.pk, tree.union_a2.pk}


def test_committees_are_measured_on_their_subtree(tree, campaign):
    build(tree, campaign)
    score = scoring.compute(campaign, scheme=spec(), today=TODAY).of(tree.committee_a.pk)
    timeliness = next(r for r in score.rules if r.kind == RuleKind.TIMELINESS)
    assert timeliness.numbers == {"on_time": "4", "activities": "6"}
    reviews = next(r for r in score.rules if r.kind == RuleKind.REVIEW_QUALITY)
    assert reviews.numbers["returned"] == "1" and reviews.numbers["reviewed"] == "6"


def test_ties_are_broken_by_the_rules_in_order_then_the_code(tree, campaign):
    """No records but targets: with every rule FULL, all units score 100 + 0 and rank by code."""
    task = TargetTaskFactory(campaign=campaign)
    for unit in (tree.union_a2, tree.branch_a1, tree.branch_b1):
        TargetFactory(unit=unit, task=task, value=Decimal(0))  # a target of 0 is met
    scheme = replace(with_policy(spec(), WithoutData.FULL), peer_grouping=PeerGrouping.ALL)
    scores = scoring.compute(campaign, scheme=scheme, today=TODAY)
    assert [(s.unit_code, s.rank, s.total) for s in scores.units] == [
        ("A1", 1, Decimal("100.00")),
        ("A2", 2, Decimal("100.00")),
        ("B1", 3, Decimal("100.00")),
    ]
    assert {s.peers for s in scores.units} == {3}
    assert "code" in scoring.TIE_BREAK


def test_tie_break_key_prefers_points_on_the_earlier_rule():
    def rules(*points):
        return tuple(
            scoring.RulePoints(
                kind=k,
                weight=Decimal(50),
                points=Decimal(p),
                share=None,
                without_data=False,
                excluded=False,
                formula="",
            )
            for k, p in zip(("targets", "timeliness"), points, strict=True)
        )

    total = Decimal(60)
    first = scoring.tie_break_key(total, rules(40, 20), "Z")
    second = scoring.tie_break_key(total, rules(20, 40), "A")
    assert sorted([second, first]) == [first, second]
    assert scoring.tie_break_key(Decimal(61), rules(0, 0), "Z") < first


def test_peer_groups_by_kind_and_depth(tree, campaign):
    build(tree, campaign)
    scores = scoring.compute(campaign, scheme=spec(), today=TODAY)
    groups = {s.unit_code: (s.peer_group, s.rank, s.peers) for s in scores.units}
    assert groups["A1"] == (f"{UnitKind.PARTY_BRANCH.value}:3", 1, 1)
    assert groups["A2"] == (f"{UnitKind.TRADE_UNION.value}:3", 1, 1)


def test_grades_by_thresholds():
    scheme = spec()
    totals = [Decimal(t) for t in ("95", "90", "89.99", "75", "60", "59.99")]
    assert scoring.grades_of(scheme, totals) == [E, E, G, G, F, P]


def test_grades_by_shares():
    scheme = replace(spec(), grading=GradingMethod.SHARES)  # 20 / 40 / 30 %
    assert scoring.grades_of(scheme, [Decimal(100 - n) for n in range(10)]) == (
        [E] * 2 + [G] * 4 + [F] * 3 + [P]
    )
    # Rounded down, but at least one when the share is above 0.
    assert scoring.grades_of(scheme, [Decimal(1)]) == [E]
    assert scoring.grades_of(scheme, [Decimal(2), Decimal(1)]) == [E, G]
    none = replace(scheme, excellent_share=0, good_share=0, fair_share=0)
    assert scoring.grades_of(none, [Decimal(100), Decimal(99)]) == [P, P]


def test_grades_in_compute_follow_the_scheme(tree, campaign):
    build(tree, campaign)
    scheme = replace(spec(), excellent_from=Decimal("76.26"), good_from=Decimal(70))
    score = scoring.compute(campaign, scheme=scheme, today=TODAY).of(tree.branch_a1.pk)
    assert score.grade == AssessmentGrade.GOOD
    scheme = replace(scheme, excellent_from=Decimal("76.25"))
    score = scoring.compute(campaign, scheme=scheme, today=TODAY).of(tree.branch_a1.pk)
    assert score.grade == AssessmentGrade.EXCELLENT


def test_explain_lists_the_records_behind_every_rule(tree, campaign):
    built = build(tree, campaign)
    score = scoring.explain(campaign, tree.branch_a1, scheme=spec(), today=TODAY)
    records = {r.kind: r.records for r in score.rules}
    assert set(records[RuleKind.TARGETS]["activity"]) == {a.pk for a in built.activities}
    assert len(records[RuleKind.TARGETS]["target"]) == 2
    assert records[RuleKind.TIMELINESS]["activity"] == (built.activities[-1].pk,)
    assert records[RuleKind.REVIEW_QUALITY]["activity"] == (built.returned.pk,)
    assert len(records[RuleKind.COMMITMENTS]["commitment"]) == 4
    assert len(records[RuleKind.FOLLOW_UPS]["follow_up"]) == 2
    assert len(records[RuleKind.APPRAISAL]["tally"]) == 2
    assert len(records[RuleKind.GRADES]["comment"]) == 2
    assert records[RuleKind.ADJUSTMENTS]["adjustment"] == tuple(a.pk for a in built.adjustments[:2])
    assert score.total == Decimal("76.25")


def test_explain_of_a_unit_not_taking_part_is_none(tree, campaign):
    build(tree, campaign)
    assert scoring.explain(campaign, tree.branch_b1, today=TODAY) is None


def test_compute_reads_a_constant_number_of_queries(tree, campaign):
    build(tree, campaign)
    with CaptureQueriesContext(connection) as few:
        scoring.compute(campaign, today=TODAY)
    task = TargetTaskFactory(campaign=campaign)
    for n in range(15):
        unit = UnitFactory(parent=tree.committee_b, kind=UnitKind.PARTY_BRANCH, code=f"X{n}")
        TargetFactory(unit=unit, task=task)
    with CaptureQueriesContext(connection) as many:
        scores = scoring.compute(campaign, today=TODAY)
    assert len(scores.units) > 15
    assert len(many) == len(few) <= 14


def test_clean_params_refuses_bad_values():
    assert scoring.clean_params(RuleKind.TARGETS, {}) == {
        "cap": "100",
        "required_weight": "2",
        "optional_weight": "1",
    }
    with pytest.raises(scoring.ValidationError) as refused:
        scoring.clean_params(RuleKind.TARGETS, {"cap": "0", "required_weight": "x", "bogus": 1})
    messages = " ".join(refused.value.messages)
    assert "bogus" in messages and "between 1 and 200" in messages and "a number" in messages
