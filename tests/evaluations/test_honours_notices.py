"""Honour applications notify (notifications.issue14): waiting for a recommendation → the
reviewers on the unit it waits on, on submit and on each recommendation, never the applying
unit's staff; declined → the applying unit's staff; the window closing (a daily rule) → the
staff of units with drafts. Each once: a rerun writes nothing twice."""

import datetime

import pytest
from django.utils import timezone

from evaluations import honour_services as services
from evaluations.models import Application, Recommendation, RecommendationAction
from notifications import issue14
from notifications.messages import describe
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.evaluations.honour_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def _names(rule: str) -> list[str]:
    return sorted(
        Notification.objects.filter(rule=rule).values_list("recipient__username", flat=True)
    )


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def test_submit_and_each_recommendation_notify_the_level_it_waits_on_once(
    tree,
    union_staff,
    draft_application,
    reviewer,
    city_reviewer,
    outsider,
    django_capture_on_commit_callbacks,
):
    own = UserFactory(username="reviewer_own")
    MembershipFactory(user=own, unit=tree.committee_a, role=Role.REVIEWER)
    MembershipFactory(user=own, unit=tree.union_a2, role=Role.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(union_staff, draft_application)
    assert _names(Rule.HONOUR_WAITING) == ["reviewer_a"]  # not its own staff, not committee_b
    notice = Notification.objects.get(rule=Rule.HONOUR_WAITING)
    assert "机关工会维修班组" in describe(notice).title
    step = Recommendation.objects.get(action=RecommendationAction.SUBMIT)
    assert issue14.on_step("honour_step", step.pk) == []  # a retried task writes nothing twice

    with django_capture_on_commit_callbacks(execute=True):
        services.application_recommend(reviewer, fresh(draft_application), level=1)
    assert _names(Rule.HONOUR_WAITING) == ["reviewer_a", "reviewer_city"]

    with django_capture_on_commit_callbacks(execute=True):  # shortlisted: no one waits to act
        services.application_recommend(city_reviewer, fresh(draft_application), level=2)
    assert Notification.objects.filter(rule=Rule.HONOUR_WAITING).count() == 2


def test_a_decline_notifies_the_applying_units_staff_once_with_the_reason(
    union_staff, submitted_application, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(reviewer, submitted_application, level=1, reason="材料不足")
    notice = Notification.objects.get(rule=Rule.HONOUR_DECLINED)
    assert notice.recipient == union_staff and "材料不足" in describe(notice).text
    step = Recommendation.objects.get(action=RecommendationAction.DECLINE)
    assert issue14.on_step("honour_step", step.pk) == []
    assert Notification.objects.filter(rule=Rule.HONOUR_DECLINED).count() == 1
    assert not Notification.objects.filter(recipient=reviewer, rule=Rule.HONOUR_DECLINED).exists()


def test_the_window_closing_reminds_staff_with_drafts_once(
    honour_round, draft_application, union_staff, staff, outsider
):
    closes = honour_round.closes_on
    early = timezone.now() + datetime.timedelta(days=(closes - timezone.localdate()).days - 5)
    assert RULES["honour_window_closing"](early) == []  # 5 days before: not yet
    two_before = timezone.now() + datetime.timedelta(days=(closes - timezone.localdate()).days - 2)
    written = RULES["honour_window_closing"](two_before)
    assert _names(Rule.HONOUR_WINDOW_CLOSING) == ["staff_a2"] and len(written) == 1
    assert RULES["honour_window_closing"](two_before) == []  # a rerun
    assert RULES["honour_window_closing"](two_before + datetime.timedelta(days=1)) == []
    assert "staff_a1" not in _names(Rule.HONOUR_WINDOW_CLOSING)  # no draft: not reminded


def test_a_submitted_application_is_not_reminded_of_the_window(honour_round, submitted_application):
    closes = honour_round.closes_on
    two_before = timezone.now() + datetime.timedelta(days=(closes - timezone.localdate()).days - 2)
    assert RULES["honour_window_closing"](two_before) == []
