"""Honours rounds with shortlisted applications, made directly (the apply-and-recommend half is
the honours part's): the city's campaign organises a round; committee_a's union and branch are
shortlisted, one a collective honour and one a person; a draft, a waiting and a declined
application sit beside them and must never reach the public."""

import datetime

import factory
import pytest
from django.utils import timezone

from evaluations.models import (
    Application,
    ApplicationStatus,
    Honour,
    HonourCategory,
    HonourKind,
    HonourRound,
)
from tests.conftest import _member
from tests.factories import UserFactory
from units.models import Line, Role


class HonourCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HonourCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-HR-{n:03d}")
    name = factory.Sequence(lambda n: f"测试荣誉{n}")
    kind = HonourKind.COLLECTIVE
    sort_order = factory.Sequence(lambda n: 900 + n)


class HonourRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HonourRound

    title = factory.Sequence(lambda n: f"{2010 + n} 年度创先争优表彰")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=40))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    publicity_days = 5
    created_by = factory.SubFactory(UserFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    case = "事迹材料：长期坚持开展志愿服务。"
    summary = factory.Sequence(lambda n: f"事迹摘要{n}：带领职工开展劳动竞赛。")
    status = ApplicationStatus.SHORTLISTED
    level = 2
    created_by = factory.SubFactory(UserFactory)


@pytest.fixture
def city_leader(tree):
    return _member(tree.city, Role.LEADER, "leader_city")


@pytest.fixture
def pioneer(db):
    return HonourCategoryFactory(code="T-GRXFH", name="工人先锋号", lines=[Line.UNION])


@pytest.fixture
def party_member(db):
    return HonourCategoryFactory(
        code="T-YXDY", name="优秀共产党员", kind=HonourKind.INDIVIDUAL, lines=[Line.PARTY]
    )


@pytest.fixture
def honour_round(tree, campaign, city_admin):
    return HonourRoundFactory(campaign=campaign, created_by=city_admin)


@pytest.fixture
def shortlist(tree, honour_round, pioneer, party_member, staff):
    """Two shortlisted applications, and three that are not (draft, waiting, declined)."""
    union = ApplicationFactory(
        round=honour_round,
        category=pioneer,
        unit=tree.union_a2,
        summary="机关工会开展劳动竞赛和合理化建议活动。",
        created_by=staff,
    )
    person = ApplicationFactory(
        round=honour_round,
        category=party_member,
        unit=tree.branch_a1,
        person_name="李秀英",
        person_post="支部书记",
        summary="李秀英同志带头走访困难群众。",
        created_by=staff,
    )
    others = [
        ApplicationFactory(
            round=honour_round,
            category=pioneer,
            unit=tree.branch_b1,
            status=status,
            summary=f"不应公开的{status}摘要",
            person_name=f"不应公开{status}",
            created_by=staff,
        )
        for status in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.WAITING,
            ApplicationStatus.DECLINED,
        )
    ]
    return [union, person], others


def publish_in_past(honour_round: HonourRound, days_ago: int) -> HonourRound:
    """Publish the round's notice as if it had opened `days_ago` days ago (its period computed
    from that day), as the tests and the e2e test move the date in the database."""
    from campaigns import deadlines

    opened = timezone.now() - datetime.timedelta(days=days_ago)
    first = deadlines.today(honour_round.campaign, opened)
    HonourRound.objects.filter(pk=honour_round.pk).update(
        published_at=opened,
        publicity_ends_on=deadlines.last_working_day(first, honour_round.publicity_days),
    )
    honour_round.refresh_from_db()
    return honour_round


@pytest.fixture
def published(honour_round, shortlist):
    """The round's shortlist published today: its notice open to objections."""
    return publish_in_past(honour_round, days_ago=0)


@pytest.fixture
def commended(city_admin, honour_round, shortlist):
    """The shortlist published 20 days ago, its period over, and commended: the honour roll."""
    from evaluations import honour_roll_services

    publish_in_past(honour_round, days_ago=20)
    honour_roll_services.round_commend(
        actor=city_admin,
        honour_round=honour_round,
        document_number="阜党发〔2010〕8号",
        decided_on=timezone.localdate(),
    )
    return list(Honour.objects.order_by("number"))
