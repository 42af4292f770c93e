"""Assessment snapshots without the scoring engine: `scores` stands in for
evaluations.scoring's results (snapshot_services.results_for), a dict a test may change as the
records would; `scheme` is the campaign's scheme with two rules."""

from decimal import Decimal

import pytest

from evaluations import scoring, snapshot_services
from evaluations.models import RuleKind, ScoringRule, ScoringScheme
from evaluations.snapshot_services import Result

__all__ = ["published", "scheme", "scores", "taken"]


def rules(targets: str, appraisal: str) -> list[dict]:
    return [
        {
            "kind": RuleKind.TARGETS,
            "weight": "70",
            "points": targets,
            "excluded": False,
            "formula": "%(done)s of %(target)s activities done",
            "numbers": {"done": "3", "target": "4"},
            "records": {"activities": [11, 12, 13]},
        },
        {
            "kind": RuleKind.APPRAISAL,
            "weight": "30",
            "points": appraisal,
            "excluded": False,
            "formula": "satisfaction × 30",
            "numbers": {"ratings": "10"},
            "records": {"tallies": [7]},
        },
    ]


class FakeScores:
    """{unit code: (total, rank, grade)}; `results(campaign)` as snapshot_services.results_for."""

    def __init__(self, tree):
        self.tree = tree
        self.by_code = {
            "A1": ("88.50", 1, "good", "66.50", "22.00"),
            "B1": ("70.00", 2, "fair", "49.00", "21.00"),
            "A2": ("91.00", 1, "excellent", "70.00", "21.00"),
        }

    def results(self, campaign) -> tuple[dict, list[Result]]:
        units = {
            "A1": self.tree.branch_a1,
            "B1": self.tree.branch_b1,
            "A2": self.tree.union_a2,
        }
        found = []
        for code, (total, rank, grade, targets, appraisal) in self.by_code.items():
            group = "党支部 · 3" if code in ("A1", "B1") else "工会 · 3"
            found.append(
                Result(
                    unit_id=units[code].pk,
                    total=Decimal(total),
                    peer_group=group,
                    rank=rank,
                    peers=2 if code in ("A1", "B1") else 1,
                    grade=grade,
                    rules=rules(targets, appraisal),
                )
            )
        return snapshot_services.jsonable(scoring.scheme_spec(campaign)), found


@pytest.fixture
def scheme(campaign):
    found = ScoringScheme.objects.create(campaign=campaign)
    ScoringRule.objects.create(scheme=found, kind=RuleKind.TARGETS, weight=70, position=1)
    ScoringRule.objects.create(scheme=found, kind=RuleKind.APPRAISAL, weight=30, position=2)
    return found


@pytest.fixture
def scores(tree, scheme, monkeypatch) -> FakeScores:
    fake = FakeScores(tree)
    monkeypatch.setattr(snapshot_services, "results_for", fake.results)
    return fake


@pytest.fixture
def taken(campaign, city_admin, scores):
    """Version 1 of the campaign's snapshot, taken by the city's admin."""
    return snapshot_services.snapshot_take(city_admin, campaign)


@pytest.fixture
def published(taken, city_admin):
    """That version published (公示) for five working days from today."""
    return snapshot_services.snapshot_publish(city_admin, taken, window_days=5)
