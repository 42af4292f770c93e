"""Fixtures of the honours tests: the seeded categories, a round of a running city campaign open
today, union_a2's staff and its application for 工人先锋号 (a draft, then submitted). The levels:
committee_a's reviewer (level 1) and the city's reviewer (level 2, the organiser: shortlists)."""

__all__ = [
    "categories",
    "city_reviewer",
    "draft_application",
    "honour_round",
    "honour_running",
    "pioneer",
    "submitted_application",
    "union_staff",
]

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from evaluations import honour_services as services
from evaluations.models import HonourCategory
from tests.conftest import _member
from tests.factories import CampaignFactory
from units.models import Role

CASE = "该班组坚持开展劳动竞赛和合理化建议活动，全年提出合理化建议 36 条，采纳 21 条。" * 5


@pytest.fixture
def categories(db) -> dict[str, HonourCategory]:
    """The categories as the migration seeds them (a transactional test elsewhere may have
    flushed them; seeding is idempotent)."""
    seeding = importlib.import_module("evaluations.migrations.0005_honour_categories")
    seeding.seed(django_apps, None)
    return {category.code: category for category in HonourCategory.objects.all()}


@pytest.fixture
def pioneer(categories) -> HonourCategory:
    return categories["workers_pioneer"]


@pytest.fixture
def honour_running(tree):
    today = timezone.localdate()
    return CampaignFactory(
        unit=tree.city,
        name="党群共建创先争优（进行中）",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=60),
    )


@pytest.fixture
def city_reviewer(tree):
    return _member(tree.city, Role.REVIEWER, "reviewer_city")


@pytest.fixture
def honour_round(honour_running, city_admin, categories):
    today = timezone.localdate()
    return services.round_create(
        city_admin,
        campaign=honour_running,
        title="2026 年度评选表彰",
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=10),
        publicity_days=5,
    )


@pytest.fixture
def union_staff(tree):
    """Staff of union_a2 (机关工会), a trade union under committee_a."""
    return _member(tree.union_a2, Role.STAFF, "staff_a2")


def apply(who, honour_round, unit, category, name=""):
    return services.application_create(
        who,
        honour_round=honour_round,
        unit=unit,
        category=category,
        person_name=name,
        registration={"leader": "王建国", "members": "12", "established": "2005"},
        case=CASE,
        summary="劳动竞赛成绩突出的先进班组。",
    )


@pytest.fixture
def draft_application(union_staff, honour_round, tree, pioneer):
    return apply(union_staff, honour_round, tree.union_a2, pioneer, "机关工会维修班组")


@pytest.fixture
def submitted_application(union_staff, draft_application, reviewer, city_reviewer):
    return services.application_submit(union_staff, draft_application)
