"""Assessment snapshots: taking, publishing (公示), objections, answers, corrections, finality."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns import deadlines
from evaluations import snapshot_selectors as selectors
from evaluations import snapshot_services as services
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import (
    ObjectionOutcome,
    ReportFile,
    ScoreObjection,
    ScoringScheme,
    Snapshot,
    SnapshotRow,
)
from tests.evaluations.snapshot_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# A Monday: a 5-working-day window opened on it ends on Friday the 9th.
MONDAY = datetime.date(2026, 11, 2)


@pytest.fixture
def taken(campaign, city_admin, scores):
    return services.snapshot_take(city_admin, campaign, at=_at(MONDAY))


@pytest.fixture
def published(taken, city_admin):
    return services.snapshot_publish(city_admin, taken, window_days=5, at=_at(MONDAY))


def _object(user, snapshot, unit, *, day=MONDAY, reasons="A1 held 4 activities, not 3."):
    return services.objection_file(user, snapshot, unit, reasons=reasons, at=_at(day))


# --- Taking --------------------------------------------------------------------------------------


def test_a_snapshot_freezes_every_units_result_and_the_scheme(taken, tree, scheme):
    rows = {row.unit_code: row for row in SnapshotRow.objects.filter(snapshot=taken)}

    assert taken.version == 1
    assert set(rows) == {"A1", "A2", "B1"}
    a1 = rows["A1"]
    assert (a1.unit_name, a1.total, a1.rank, a1.peers, a1.grade) == (
        "机关第一党支部",
        Decimal("88.50"),
        1,
        2,
        "good",
    )
    assert a1.rules[0]["records"] == {"activities": [11, 12, 13]}
    assert a1.rules[0]["numbers"] == {"done": "3", "target": "4"}
    assert [rule["kind"] for rule in taken.scheme["rules"]] == ["targets", "appraisal"]
    assert taken.scheme["rules"][0]["weight"] == "70.00"
    scheme.refresh_from_db()
    assert scheme.locked_at is not None


def test_versions_count_up(taken, campaign, city_admin):
    again = services.snapshot_take(city_admin, campaign)

    assert again.version == 2
    assert Snapshot.objects.filter(campaign=campaign).count() == 2


def test_a_snapshot_does_not_change_when_the_records_change(taken, scores, tree):
    scores.by_code["A1"] = ("40.00", 2, "poor", "20.00", "20.00")
    tree.branch_a1.name = "改了名的支部"
    tree.branch_a1.save()

    row = SnapshotRow.objects.get(snapshot=taken, unit=tree.branch_a1)
    assert (row.total, row.grade, row.unit_name) == (Decimal("88.50"), "good", "机关第一党支部")
    assert row.rules[0]["points"] == "66.50"


def test_a_snapshot_and_its_rows_are_never_changed_nor_deleted(taken):
    row = SnapshotRow.objects.filter(snapshot=taken).first()
    row.total = Decimal("100")
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(ValueError):
        taken.save()
    with pytest.raises(ValueError):
        taken.delete()
    assert SnapshotRow.objects.get(pk=row.pk).total == Decimal("88.50")


@pytest.mark.parametrize("who", ["admin_user", "staff", "outsider", "reviewer"])
def test_only_an_admin_of_the_organising_unit_takes_a_snapshot(request, who, campaign, scores):
    with pytest.raises(NotAllowed):
        services.snapshot_take(request.getfixturevalue(who), campaign)
    assert not Snapshot.objects.exists()
    assert ScoringScheme.objects.get(campaign=campaign).locked_at is None


# --- Publishing ----------------------------------------------------------------------------------


def test_publishing_opens_a_window_of_working_days(published, city_admin):
    published.refresh_from_db()

    assert published.published_by == city_admin
    assert published.window_days == 5
    assert published.window_ends_on == deadlines.last_working_day(MONDAY, 5)
    assert published.window_ends_on == datetime.date(2026, 11, 6)


def test_a_window_skips_the_weekend(taken, city_admin):
    friday = MONDAY + datetime.timedelta(days=4)
    done = services.snapshot_publish(city_admin, taken, window_days=2, at=_at(friday))

    assert done.window_ends_on == friday + datetime.timedelta(days=3)  # Monday


def test_a_snapshot_is_published_once(published, city_admin):
    with pytest.raises(EvaluationError):
        services.snapshot_publish(city_admin, published, window_days=3)
    published.refresh_from_db()
    assert published.window_days == 5


@pytest.mark.parametrize("days", [0, 31])
def test_the_window_is_bounded(taken, city_admin, days):
    with pytest.raises(EvaluationError):
        services.snapshot_publish(city_admin, taken, window_days=days)
    taken.refresh_from_db()
    assert taken.published_at is None


@pytest.mark.parametrize("who", ["admin_user", "staff", "outsider"])
def test_only_an_admin_of_the_organising_unit_publishes(request, taken, who):
    with pytest.raises(NotAllowed):
        services.snapshot_publish(request.getfixturevalue(who), taken, window_days=5)
    taken.refresh_from_db()
    assert taken.published_at is None


# --- Objections ----------------------------------------------------------------------------------


def test_a_units_staff_objects_during_the_window_with_evidence(published, staff, tree):
    upload = SimpleUploadedFile("证明.pdf", pdf_bytes(), content_type="application/pdf")
    objection = services.objection_file(
        staff, published, tree.branch_a1, reasons="少算了一次活动", files=[upload], at=_at(MONDAY)
    )

    assert objection.outcome == ObjectionOutcome.PENDING
    assert objection.filed_by == staff
    item = ReportFile.objects.get(score_objection=objection)
    assert (item.original_name, item.content_type) == ("证明.pdf", "application/pdf")


def test_an_objection_on_the_last_day_is_taken_and_the_day_after_refused(published, staff, tree):
    last = published.window_ends_on
    _object(staff, published, tree.branch_a1, day=last)
    ScoreObjection.objects.update(outcome=ObjectionOutcome.REJECTED)

    with pytest.raises(EvaluationError, match="no longer"):
        _object(staff, published, tree.branch_a1, day=last + datetime.timedelta(days=1))
    assert ScoreObjection.objects.count() == 1


def test_no_objection_before_publication(taken, staff, tree):
    with pytest.raises(EvaluationError):
        _object(staff, taken, tree.branch_a1)
    assert not ScoreObjection.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "reviewer", "admin_user", "city_admin", "leader"])
def test_only_the_units_own_staff_or_admins_object(request, published, tree, who):
    with pytest.raises(NotAllowed):
        _object(request.getfixturevalue(who), published, tree.branch_a1)
    assert not ScoreObjection.objects.exists()


def test_a_fake_file_is_refused_and_nothing_is_filed(published, staff, tree):
    upload = SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(EvaluationError):
        services.objection_file(
            staff, published, tree.branch_a1, reasons="x", files=[upload], at=_at(MONDAY)
        )
    assert not ScoreObjection.objects.exists()
    assert not ReportFile.objects.exists()


def test_one_waiting_objection_per_unit(published, staff, tree):
    _object(staff, published, tree.branch_a1)
    with pytest.raises(EvaluationError):
        _object(staff, published, tree.branch_a1)
    assert ScoreObjection.objects.count() == 1


def test_empty_reasons_are_refused(published, staff, tree):
    with pytest.raises(EvaluationError):
        _object(staff, published, tree.branch_a1, reasons="   ")


# --- Answers and corrections ---------------------------------------------------------------------


def test_a_rejected_objection_keeps_the_snapshot_and_says_why(published, staff, city_admin, tree):
    objection = _object(staff, published, tree.branch_a1)
    answered = services.objection_answer(
        city_admin, objection, upheld=False, answer="活动未经审核，不计分。"
    )

    answered.refresh_from_db()
    assert answered.outcome == ObjectionOutcome.REJECTED
    assert answered.answer == "活动未经审核，不计分。"
    assert answered.answered_by == city_admin
    assert answered.correction is None
    assert Snapshot.objects.count() == 1


def test_an_upheld_objection_takes_a_corrected_version_and_keeps_the_old(
    published, staff, city_admin, tree, scores
):
    objection = _object(staff, published, tree.branch_a1)
    scores.by_code["A1"] = ("95.00", 1, "excellent", "73.00", "22.00")  # the records corrected

    answered = services.objection_answer(
        city_admin, objection, upheld=True, answer="补录活动已审核，重新计分。", at=_at(MONDAY)
    )

    corrected = answered.correction
    assert corrected.version == 2
    assert corrected.corrects == published
    assert corrected.correction_reason == "补录活动已审核，重新计分。"
    assert corrected.window_ends_on == published.window_ends_on
    assert corrected.is_published
    new = SnapshotRow.objects.get(snapshot=corrected, unit=tree.branch_a1)
    old = SnapshotRow.objects.get(snapshot=published, unit=tree.branch_a1)
    assert (new.total, old.total) == (Decimal("95.00"), Decimal("88.50"))
    assert Snapshot.objects.count() == 2
    assert selectors.current_version(published) == corrected


def test_a_second_upheld_objection_corrects_the_newest_version(
    published, staff, city_admin, tree, scores
):
    from tests.conftest import _member
    from units.models import Role

    union_staff = _member(tree.union_a2, Role.STAFF, "staff_a2")
    first = _object(staff, published, tree.branch_a1)
    second = _object(union_staff, published, tree.union_a2)
    v2 = services.objection_answer(city_admin, first, upheld=True, answer="改").correction
    v3 = services.objection_answer(city_admin, second, upheld=True, answer="再改").correction

    assert (v2.corrects, v3.corrects) == (published, v2)
    assert v3.version == 3


def test_an_objection_to_a_replaced_version_is_refused(published, staff, city_admin, tree):
    first = _object(staff, published, tree.branch_a1)
    services.objection_answer(city_admin, first, upheld=True, answer="改", at=_at(MONDAY))

    with pytest.raises(EvaluationError, match="corrected"):
        _object(staff, published, tree.branch_a1)


@pytest.mark.parametrize("who", ["admin_user", "staff", "outsider", "reviewer", "leader"])
def test_only_an_admin_of_the_organising_unit_answers(request, published, staff, tree, who):
    objection = _object(staff, published, tree.branch_a1)
    with pytest.raises(NotAllowed):
        services.objection_answer(
            request.getfixturevalue(who), objection, upheld=False, answer="no"
        )
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.PENDING


def test_an_objection_is_answered_once(published, staff, city_admin, tree):
    objection = _object(staff, published, tree.branch_a1)
    services.objection_answer(city_admin, objection, upheld=False, answer="no")
    with pytest.raises(EvaluationError):
        services.objection_answer(city_admin, objection, upheld=True, answer="yes")
    assert Snapshot.objects.count() == 1


def test_an_answer_needs_a_text(published, staff, city_admin, tree):
    objection = _object(staff, published, tree.branch_a1)
    with pytest.raises(EvaluationError):
        services.objection_answer(city_admin, objection, upheld=False, answer=" ")


# --- Final ---------------------------------------------------------------------------------------


def test_final_only_once_the_window_has_closed_and_every_objection_is_answered(
    published, staff, city_admin, tree
):
    during = published.window_ends_on
    after = during + datetime.timedelta(days=1)
    assert not selectors.is_final(published, today=during)
    objection = _object(staff, published, tree.branch_a1, day=during)

    assert not selectors.is_final(published, today=after)  # one objection waits
    services.objection_answer(city_admin, objection, upheld=False, answer="no")
    assert selectors.is_final(published, today=after)
    assert not selectors.is_final(published, today=during)


def test_an_unpublished_snapshot_is_never_final(taken):
    assert not selectors.is_final(taken, today=datetime.date(2100, 1, 1))


def test_a_replaced_version_is_not_final_and_its_correction_is(published, staff, city_admin, tree):
    objection = _object(staff, published, tree.branch_a1)
    corrected = services.objection_answer(
        city_admin, objection, upheld=True, answer="改", at=_at(MONDAY)
    ).correction
    after = published.window_ends_on + datetime.timedelta(days=1)

    assert not selectors.is_final(published, today=after)
    assert selectors.is_final(corrected, today=after)


def test_a_correction_is_not_final_while_an_objection_to_the_old_version_waits(
    published, staff, city_admin, tree
):
    from tests.conftest import _member
    from units.models import Role

    union_staff = _member(tree.union_a2, Role.STAFF, "staff_a2")
    first = _object(staff, published, tree.branch_a1)
    _object(union_staff, published, tree.union_a2)
    corrected = services.objection_answer(
        city_admin, first, upheld=True, answer="改", at=_at(MONDAY)
    ).correction

    assert not selectors.is_final(corrected, today=published.window_ends_on + datetime.timedelta(1))


# --- With the real engine (evaluations.scoring) --------------------------------------------------


def _approve(staff, reviewer, activity):
    from activities import services as activity_services

    submitted = activity_services.activity_submit(actor=staff, activity=activity)
    return activity_services.activity_approve(actor=reviewer, activity=submitted, level=1)


def test_a_snapshot_of_the_engine_reads_the_same_after_the_records_change(
    campaign, city_admin, staff, reviewer, tree, task, targets, draft
):
    from evaluations import scoring
    from tests.factories import ActivityFactory

    _approve(staff, reviewer, draft)
    snapshot = services.snapshot_take(city_admin, campaign)
    row = SnapshotRow.objects.get(snapshot=snapshot, unit=tree.branch_a1)
    frozen = (row.total, row.rank, row.grade, row.rules)
    before = scoring.compute(campaign).of(tree.branch_a1.pk)
    assert row.total == before.total
    assert [rule["kind"] for rule in row.rules] == [rule.kind for rule in before.rules]
    assert ScoringScheme.objects.get(campaign=campaign).is_locked

    more = ActivityFactory(campaign=campaign, unit=tree.branch_a1, created_by=staff, tasks=[task])
    _approve(staff, reviewer, more)
    after = scoring.compute(campaign).of(tree.branch_a1.pk)

    assert after.total != before.total  # the records moved the draft score …
    row = SnapshotRow.objects.get(snapshot=snapshot, unit=tree.branch_a1)
    assert (row.total, row.rank, row.grade, row.rules) == frozen  # … not the snapshot
