"""Assessment notices (公示) notify (notifications.issue14): a published snapshot → the staff of
every unit in it; an objection → the admins of the organising unit; its answer → its filer; the
window closing with objections unanswered (a daily rule) → the organiser's admins. Each once."""

import datetime

import pytest
from django.utils import timezone, translation

from evaluations import snapshot_services as services
from notifications import issue14
from notifications.messages import describe
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.conftest import _member
from tests.evaluations.snapshot_fixtures import *  # noqa: F403 (fixtures)
from units.models import Role

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 2)  # a 5-working-day window opened on it ends on Friday the 6th


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _names(rule: str) -> list[str]:
    return sorted(
        Notification.objects.filter(rule=rule).values_list("recipient__username", flat=True)
    )


@pytest.fixture
def people(tree, staff, city_admin, reviewer, outsider):
    return {
        "b1": _member(tree.branch_b1, Role.STAFF, "staff_b1"),
        "a2": _member(tree.union_a2, Role.STAFF, "staff_a2"),
        "city_staff": _member(tree.city, Role.STAFF, "staff_city"),
        "a_admin": _member(tree.committee_a, Role.ADMIN, "admin_a"),
    }


@pytest.fixture
def published(campaign, city_admin, scores, people, django_capture_on_commit_callbacks):
    taken = services.snapshot_take(city_admin, campaign, at=_at(MONDAY))
    with django_capture_on_commit_callbacks(execute=True):
        return services.snapshot_publish(city_admin, taken, window_days=5, at=_at(MONDAY))


def test_publishing_notifies_the_staff_of_every_unit_in_it_once(client, published):
    # A1, A2 and B1 are in it (outsider_b is staff of B1); the city and committee_a are not.
    assert _names(Rule.SNAPSHOT_PUBLISHED) == ["outsider_b", "staff_a1", "staff_a2", "staff_b1"]
    notice = Notification.objects.filter(rule=Rule.SNAPSHOT_PUBLISHED).first()
    assert notice.subject == f"snapshot:{published.pk}" and str(published.pk) in notice.link
    assert "2010 年党群共建创先争优" in describe(notice).title
    client.force_login(notice.recipient)  # the link opens for the one it was sent to
    assert client.get(notice.link).status_code == 200
    assert issue14.on_step("snapshot_published", published.pk) == []  # a rerun writes nothing
    assert Notification.objects.filter(rule=Rule.SNAPSHOT_PUBLISHED).count() == 4


def test_an_objection_notifies_the_organisers_admins_and_its_answer_the_filer(
    tree, published, staff, city_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.objection_file(
            staff, published, tree.branch_a1, reasons="A1 held 4 activities.", at=_at(MONDAY)
        )
    assert _names(Rule.SCORE_OBJECTION_FILED) == ["admin_city"]  # not admin_a, not outsider_b
    assert issue14.on_step("score_objection_filed", objection.pk) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_answer(
            city_admin, objection, upheld=False, answer="核实无误。", at=_at(MONDAY)
        )
    notice = Notification.objects.get(rule=Rule.SCORE_OBJECTION_ANSWERED)
    assert notice.recipient == staff and "核实无误" in describe(notice).text
    assert issue14.on_step("score_objection_answered", objection.pk) == []
    assert Notification.objects.filter(rule=Rule.SCORE_OBJECTION_ANSWERED).count() == 1


def test_a_corrected_version_notifies_as_a_publication_does(
    tree, published, staff, city_admin, django_capture_on_commit_callbacks
):
    objection = services.objection_file(
        staff, published, tree.branch_a1, reasons="A1 held 4 activities.", at=_at(MONDAY)
    )
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.objection_answer(
            city_admin, objection, upheld=True, answer="已补计一次活动。", at=_at(MONDAY)
        )
    corrected = answered.correction
    notices = Notification.objects.filter(
        rule=Rule.SNAPSHOT_PUBLISHED, subject=f"snapshot:{corrected.pk}"
    )
    # The same units' staff as the first publication, each once, linked to the correction.
    assert sorted(n.recipient.username for n in notices) == [
        "outsider_b",
        "staff_a1",
        "staff_a2",
        "staff_b1",
    ]
    notice = notices.get(recipient=staff)
    assert str(corrected.pk) in notice.link
    with translation.override("en"):
        described = describe(notice)
    assert "Corrected" in described.title and "已补计一次活动。" in described.text
    assert f"version {published.version}" in described.text
    assert issue14.on_step("snapshot_published", corrected.pk) == []  # a rerun writes nothing


def test_the_window_closing_reminds_the_admins_once_only_when_objections_wait(
    tree, published, staff, city_admin
):
    ends = published.window_ends_on
    assert ends == datetime.date(2026, 11, 6)
    day_before = _at(ends - datetime.timedelta(days=1))
    assert RULES["snapshot_window_closing"](day_before) == []  # nothing waits: no one reminded
    objection = services.objection_file(
        staff, published, tree.branch_a1, reasons="A1 held 4 activities.", at=_at(MONDAY)
    )
    assert RULES["snapshot_window_closing"](_at(MONDAY)) == []  # too early
    written = RULES["snapshot_window_closing"](day_before)
    assert _names(Rule.SNAPSHOT_WINDOW_CLOSING) == ["admin_city"] and len(written) == 1
    assert RULES["snapshot_window_closing"](day_before) == []  # a rerun
    assert RULES["snapshot_window_closing"](_at(ends, 9)) == []  # the last day: the same period
    assert "1" in describe(Notification.objects.get(rule=Rule.SNAPSHOT_WINDOW_CLOSING)).text
    services.objection_answer(city_admin, objection, upheld=False, answer="无误。", at=_at(ends))
    assert Notification.objects.filter(rule=Rule.SNAPSHOT_WINDOW_CLOSING).count() == 1
