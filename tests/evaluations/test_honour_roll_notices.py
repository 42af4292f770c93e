"""The shortlist's notice and commendation notify (notifications.issue14): published → the
organiser's admins and the shortlisted units' staff; an objection → the organiser's admins
(never the objector's contact); the notice over with objections unanswered (a daily rule) →
those admins; commended → the applying units' staff. Each once."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import honour_roll_services as services
from notifications import issue14
from notifications.messages import describe
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.conftest import _member
from tests.evaluations.honour_roll_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_roll_fixtures import publish_in_past
from units.models import Role

pytestmark = pytest.mark.django_db


def _names(rule: str) -> list[str]:
    return sorted(
        Notification.objects.filter(rule=rule).values_list("recipient__username", flat=True)
    )


@pytest.fixture
def people(tree, staff, city_admin, outsider):
    return {
        "a2": _member(tree.union_a2, Role.STAFF, "staff_a2"),
        "a_admin": _member(tree.committee_a, Role.ADMIN, "admin_a"),
    }


def test_publishing_notifies_the_admins_and_the_shortlisted_units_staff_once(
    client, honour_round, shortlist, people, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    # branch_b1's draft, waiting and declined applications are not on it: outsider_b is not told.
    assert _names(Rule.SHORTLIST_PUBLISHED) == ["admin_city", "staff_a1", "staff_a2"]
    notice = Notification.objects.get(rule=Rule.SHORTLIST_PUBLISHED, recipient=city_admin)
    assert honour_round.title in describe(notice).title
    assert notice.link == reverse("evaluations:honour_notice", args=[honour_round.pk])
    staff_notice = Notification.objects.get(
        rule=Rule.SHORTLIST_PUBLISHED, recipient__username="staff_a2"
    )
    assert staff_notice.link == reverse("evaluations:honour_mine")
    for received in (notice, staff_notice):  # each link opens for the one it was sent to
        client.force_login(received.recipient)
        assert client.get(received.link).status_code == 200
    assert issue14.on_step("shortlist_published", honour_round.pk) == []
    assert Notification.objects.filter(rule=Rule.SHORTLIST_PUBLISHED).count() == 3


def test_an_objection_notifies_the_organisers_admins_without_the_contact(
    honour_round, shortlist, people, city_admin, django_capture_on_commit_callbacks
):
    services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    (union, _person), _others = shortlist
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.objection_send(
            application=union, text="材料不实", name="王某", contact="13800000000"
        )
    notice = Notification.objects.get(rule=Rule.HONOUR_OBJECTION_SENT)
    assert notice.recipient == city_admin
    assert "13800000000" not in str(notice.context) and "王某" not in str(notice.context)
    assert issue14.on_step("honour_objection_sent", objection.pk) == []
    assert Notification.objects.filter(rule=Rule.HONOUR_OBJECTION_SENT).count() == 1


def test_the_notice_over_with_objections_unanswered_reminds_the_admins_once(
    honour_round, shortlist, people, city_admin
):
    services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    (union, _person), _others = shortlist
    objection = services.objection_send(application=union, text="材料不实")
    assert RULES["honour_notice_unanswered"](timezone.now()) == []  # the notice still runs
    publish_in_past(honour_round, days_ago=20)
    written = RULES["honour_notice_unanswered"](timezone.now())
    assert _names(Rule.HONOUR_NOTICE_UNANSWERED) == ["admin_city"] and len(written) == 1
    assert RULES["honour_notice_unanswered"](timezone.now()) == []  # a rerun
    assert RULES["honour_notice_unanswered"](timezone.now() + datetime.timedelta(days=1)) == []
    services.objection_answer(actor=city_admin, objection=objection, answer="属实。")
    Notification.objects.all().delete()
    assert RULES["honour_notice_unanswered"](timezone.now()) == []  # all answered: no one


def test_commending_notifies_the_applying_units_staff_once(
    honour_round, shortlist, people, city_admin, django_capture_on_commit_callbacks
):
    publish_in_past(honour_round, days_ago=20)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="阜党发〔2010〕1号",
            decided_on=timezone.localdate(),
        )
    assert _names(Rule.HONOUR_COMMENDED) == ["staff_a1", "staff_a2"]
    texts = [describe(n).title for n in Notification.objects.filter(rule=Rule.HONOUR_COMMENDED)]
    assert any("李秀英" in text for text in texts)
    assert issue14.on_step("round_commended", honour_round.pk) == []
    assert Notification.objects.filter(rule=Rule.HONOUR_COMMENDED).count() == 2


ISSUE14_RULES = [
    Rule.ADJUSTMENT_SUBMITTED,
    Rule.ADJUSTMENT_APPROVED,
    Rule.ADJUSTMENT_RETURNED,
    Rule.SNAPSHOT_PUBLISHED,
    Rule.SCORE_OBJECTION_FILED,
    Rule.SCORE_OBJECTION_ANSWERED,
    Rule.SNAPSHOT_WINDOW_CLOSING,
    Rule.HONOUR_WAITING,
    Rule.HONOUR_DECLINED,
    Rule.HONOUR_WINDOW_CLOSING,
    Rule.SHORTLIST_PUBLISHED,
    Rule.HONOUR_OBJECTION_SENT,
    Rule.HONOUR_NOTICE_UNANSWERED,
    Rule.HONOUR_COMMENDED,
]


@pytest.mark.parametrize("rule", ISSUE14_RULES)
def test_every_issue14_notice_reads_in_chinese_and_english_even_without_context(rule):
    from django.utils import translation

    full = {
        "unit_name": "机关工会",
        "campaign_name": "创先争优",
        "round_title": "年度表彰",
        "nominee": "李秀英",
        "category_name": "工人先锋号",
        "points": "+3.00",
        "count": 2,
        "window_ends_on": "2026-11-06",
    }
    for context in (full, {}):
        notification = Notification(rule=rule, context=context)
        with translation.override("en"):
            english = describe(notification)
        with translation.override("zh-hans"):
            chinese = describe(notification)
        assert english.title and english.text
        assert chinese.title != english.title and chinese.text != english.text
        assert not any("a" <= ch <= "z" for ch in chinese.title.replace("%", ""))
