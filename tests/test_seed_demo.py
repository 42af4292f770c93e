import datetime
import importlib
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from activities.models import Action, Activity, ActivityEvent, CoOrganiser, Evidence, Status
from activities.progress import overdue_count, targets_progress
from activities.selectors import coorganiser_choices, days_waiting, review_queue
from campaigns.models import Campaign, Metric, Phase, Target, TargetTask
from demo import assessment as demo_assessment
from demo import catalogue
from demo import honours as demo_honours
from demo import live as demo_live
from demo.accounts import DEMO_PASSWORD, DEMO_UNITS, DEMO_USERS
from evaluations import honour_services, scoring, snapshot_selectors
from evaluations.models import (
    Adjustment,
    Application,
    ApplicationStatus,
    DraftScore,
    Honour,
    HonourCategory,
    HonourObjection,
    HonourRound,
    ObjectionOutcome,
    Quota,
    Recommendation,
    RecommendationAction,
    ReviewEvent,
    ScoreObjection,
    ScoringScheme,
    Snapshot,
    SnapshotRow,
)
from tests.figures import approved_in_subtree
from units.models import KIND_LINES, Line, Membership, Pair, Role, Unit


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the whole module (a full season takes seconds) and commit it; each test runs
    in its own rolled-back transaction on top, and the module empties the database afterwards as
    a transactional test would. It seeds a database flushed first, as a transactional test run
    before leaves it — without the rows of the data migrations (the categories of honour), which
    seed_demo seeds again (test_it_seeds_the_categories_of_honour_in_a_flushed_database). Evidence
    photos go to a throwaway directory."""
    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            assert not HonourCategory.objects.exists()
            call_command("seed_demo", stdout=io.StringIO())
        try:
            yield
        finally:
            with django_db_blocker.unblock():
                call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


@pytest.fixture
def campaign(seeded) -> Campaign:
    return Campaign.objects.get(name=catalogue.CAMPAIGN_NAME)


def _counts() -> tuple[int, ...]:
    return (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Pair.objects.count(),
        Campaign.objects.count(),
        Phase.objects.count(),
        TargetTask.objects.count(),
        Target.objects.count(),
        Target.history.count(),
        Activity.objects.count(),
        ActivityEvent.objects.count(),
        CoOrganiser.objects.count(),
        Evidence.objects.count(),
        # Assessment and honours (demo.assessment, demo.honours)
        ScoringScheme.objects.count(),
        Adjustment.objects.count(),
        ReviewEvent.objects.count(),
        Snapshot.objects.count(),
        SnapshotRow.objects.count(),
        ScoreObjection.objects.count(),
        HonourRound.objects.count(),
        Quota.objects.count(),
        Application.objects.count(),
        Recommendation.objects.count(),
        HonourObjection.objects.count(),
        Honour.objects.count(),
    )


def test_it_builds_the_city_with_every_line(seeded):
    assert Unit.objects.count() == len(DEMO_UNITS)
    assert set(Unit.objects.values_list("line", flat=True)) == set(Line.values)
    city = Unit.objects.get(code="FK")
    assert Unit.objects.get_parent(city).code == "CJZ"
    assert Pair.objects.count() == 3


def test_it_is_idempotent(seeded):
    counts = _counts()
    statuses = sorted(Activity.objects.values_list("title", "status", "review_level"))

    output = io.StringIO()
    call_command("seed_demo", stdout=output)

    assert output.getvalue().count("(0 new)") == 4  # units, users, both campaigns' activities

    assert _counts() == counts
    assert sorted(Activity.objects.values_list("title", "status", "review_level")) == statuses


def test_it_has_every_role_at_more_than_one_level(seeded):
    for role in Role.values:
        depths = set(Membership.objects.filter(role=role).values_list("unit__depth", flat=True))
        assert len(depths) >= 2, role


def test_every_demo_login_works(seeded, client):
    for username, _name, _roles in DEMO_USERS:
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        client.post("/accounts/logout/")


def test_it_runs_the_document_campaign_in_two_review_levels(campaign):
    assert campaign.unit.code == "FK"
    assert (campaign.starts_on, campaign.ends_on) == (
        datetime.date(2010, 5, 1),
        datetime.date(2010, 12, 31),
    )
    assert (campaign.review_deadline_days, campaign.review_levels) == (7, 2)
    phases = list(campaign.phases.values_list("name", "deadline"))
    assert [name for name, _ in phases] == ["动员部署", "组织实施", "总结表彰"]
    assert all(deadline.year == 2010 for _, deadline in phases)


def test_the_catalogue_has_all_four_lines_and_every_kind_of_metric(campaign):
    tasks = list(campaign.tasks.all())
    assert 12 <= len(tasks) <= 18
    assert {task.line for task in tasks} == set(Line.values)
    assert {task.metric for task in tasks} == set(Metric.values)
    labels = {task.quantity_label for task in tasks if task.metric == Metric.QUANTITY}
    assert {"户", "万元", "家企业", "个空白点"} <= labels
    assert {task.is_required for task in tasks} == {True, False}
    assert all(task.description and task.programme for task in tasks)
    titles = {task.title for task in tasks}
    assert {"创建“工人先锋号”", "青年文明号", "巾帼建功", "五好文明家庭"} <= titles


def test_every_unit_of_the_campaign_has_targets_for_its_lines_tasks(campaign):
    tasks_by_line: dict[str, set[int]] = {}
    for task in campaign.tasks.all():
        tasks_by_line.setdefault(task.line, set()).add(task.pk)
    units = Unit.objects.filter(path__startswith=campaign.unit.path, is_active=True)
    for unit in units.filter(kind__in=list(KIND_LINES)):
        targeted = set(
            Target.objects.filter(unit=unit, task__campaign=campaign).values_list(
                "task_id", flat=True
            )
        )
        assert targeted == tasks_by_line[unit.line], unit.code


def test_it_sets_the_per_unit_overrides(campaign):
    for code, task_code, value, due_on in catalogue.TARGET_OVERRIDES:
        target = Target.objects.get(unit__code=code, task__code=task_code, task__campaign=campaign)
        assert (target.value, target.due_on, target.is_override) == (value, due_on, True)
    bulk = Target.objects.filter(task__campaign=campaign, is_override=False)
    assert bulk.filter(unit__code="JG-ZB1", task__code="DJ-01", value=Decimal(3)).exists()
    assert bulk.filter(unit__code="JG", task__code="DJ-01", value=Decimal(8)).exists()


def test_the_season_has_every_status_and_story(campaign):
    activities = Activity.objects.filter(campaign=campaign)
    assert 40 <= activities.count() <= 60
    assert set(activities.values_list("status", flat=True)) == set(Status.values)
    assert activities.filter(status=Status.SUBMITTED, review_level=1).exists()
    assert activities.filter(status=Status.SUBMITTED, review_level=2).exists()
    withdrawn = activities.filter(events__action=Action.WITHDRAW)
    assert withdrawn.exists()
    assert set(withdrawn.values_list("status", flat=True)) == {Status.DRAFT}
    reopened = activities.filter(events__action=Action.REOPEN)
    assert reopened.exists()
    assert set(reopened.values_list("status", flat=True)) == {Status.RETURNED}
    returned_at_level_2 = ActivityEvent.objects.filter(action=Action.RETURN, level=2)
    assert returned_at_level_2.exists()
    assert all(a.return_reason for a in activities.filter(status=Status.RETURNED))
    assert all(
        a.starts_on.year == 2010 and a.tasks.exists() for a in activities.prefetch_related("tasks")
    )


def test_every_activity_stands_where_its_last_event_left_it(campaign):
    for activity in Activity.objects.filter(campaign=campaign).prefetch_related("events"):
        events = list(activity.events.all())
        if events:
            assert events[-1].to_status == activity.status, activity.title
        else:
            assert activity.status == Status.DRAFT, activity.title
    resubmitted = ActivityEvent.objects.filter(action=Action.SUBMIT).values("activity")
    twice = [
        pk
        for pk in {row["activity"] for row in resubmitted}
        if ActivityEvent.objects.filter(activity=pk, action=Action.SUBMIT).count() > 1
    ]
    assert Activity.objects.filter(pk__in=twice, status=Status.APPROVED).exists()


def test_both_review_tiers_have_work_some_of_it_overdue(campaign):
    jg = review_queue(User.objects.get(username="jg_reviewer"))
    cg = review_queue(User.objects.get(username="cg_reviewer"))
    city = review_queue(User.objects.get(username="city_reviewer"))
    assert jg.filter(review_level=1).exists()
    assert cg.filter(review_level=1).exists()
    assert city.filter(review_level=2).exists()
    today = timezone.localdate()
    waits = [days_waiting(a, today) for a in city]
    assert any(days > campaign.review_deadline_days for days in waits)
    assert any(days <= campaign.review_deadline_days for days in waits)


def test_some_activities_are_co_organised_under_one_committee(campaign):
    answers = set(CoOrganiser.objects.values_list("status", flat=True))
    assert answers == {"confirmed", "pending", "declined"}
    for coorganiser in CoOrganiser.objects.select_related("activity__unit", "unit"):
        organiser = coorganiser.activity.unit
        assert coorganiser.unit.path.startswith(organiser.parent_path), coorganiser
        # The README's rule (issue 10, item 9): a unit under the same parent, or a pair.
        assert coorganiser_choices(organiser).filter(pk=coorganiser.unit_id).exists()
        # …and nobody who reviewed it reports for a co-organiser that took part.
        if coorganiser.status != "declined":
            reviewers = coorganiser.activity.events.filter(
                action__in=["approve", "pass_on", "return"]
            ).values("actor")
            assert not Membership.objects.filter(
                user__in=reviewers, unit=coorganiser.unit, role=Role.STAFF
            ).exists()


def test_a_co_organised_activity_counts_once_for_the_committee(campaign):
    town = Unit.objects.get(code="CG")
    shared = Activity.objects.get(title__contains="邻里守望", campaign=campaign)
    assert shared.status == Status.APPROVED
    assert shared.coorganisers.filter(status="confirmed").count() == 2
    counted = approved_in_subtree(town).filter(campaign=campaign)
    assert counted.filter(pk=shared.pk).count() == 1
    assert (
        counted.count()
        == Activity.objects.filter(
            campaign=campaign, status=Status.APPROVED, unit__path__startswith=town.path
        ).count()
    )


def test_approved_activities_show_in_the_citys_progress(campaign):
    city = campaign.unit
    approved = Activity.objects.filter(campaign=campaign, status=Status.APPROVED)
    assert approved_in_subtree(city).filter(campaign=campaign).count() == approved.count()
    union = Unit.objects.get(code="FK-ZGH")
    progress = targets_progress(
        union, list(Target.objects.filter(unit=union, task__campaign=campaign))
    )
    achieved = {p.target.task.code: p.achieved for p in progress}
    assert achieved["GJ-04"] == Decimal(120)
    assert achieved["GJ-03"] == Decimal(18)
    party = targets_progress(city, list(Target.objects.filter(unit=city, task__campaign=campaign)))
    assert all(p.achieved > 0 for p in party if p.target.task.code in {"DJ-01", "DJ-02"})


def test_some_activities_carry_photo_evidence_with_thumbnails(campaign):
    evidence = list(Evidence.objects.filter(activity__campaign=campaign))
    assert len(evidence) >= 5
    for item in evidence:
        assert item.content_type == "image/png"
        assert item.file.storage.exists(item.file.name)
        assert item.thumbnail.storage.exists(item.thumbnail.name)


# --- The live campaign: the same campaign for this year, running now ------------------------------


@pytest.fixture
def live(seeded) -> Campaign:
    return Campaign.objects.get(name=f"{timezone.localdate().year}年党群共建创先争优活动")


def test_the_2010_campaign_is_finished_and_this_years_runs_now(campaign, live):
    today = timezone.localdate()
    assert campaign.ends_on < today
    assert live.starts_on < today < live.ends_on
    assert (live.starts_on, live.ends_on) == (
        today - datetime.timedelta(days=demo_live.SPAN_BEFORE),
        today + datetime.timedelta(days=demo_live.SPAN_AFTER),
    )
    assert live.phases.count() == 3 and live.tasks.count() == campaign.tasks.count()
    assert Target.objects.filter(task__campaign=live).count() == (
        Target.objects.filter(task__campaign=campaign).count()
    )
    assert not Activity.objects.filter(campaign=live, starts_on__gt=today).exists()
    assert not Activity.objects.filter(campaign=live, starts_on__lt=live.starts_on).exists()


def test_the_live_campaign_has_units_on_track_behind_and_at_risk(live):
    from activities.dashboard import dashboard, filters_for

    board = dashboard(live.unit, filters_for([live], {}))

    paces = {row.unit.code: row.progress.pace for row in board.ranking}
    assert paces == demo_live.BANDS
    assert board.headline.overdue_reviews > 0


def test_the_live_campaign_has_reviews_waiting_within_and_past_the_deadline(live):
    today = timezone.localdate()
    waited = [
        days_waiting(a, today)
        for a in Activity.objects.filter(campaign=live, status=Status.SUBMITTED)
    ]
    assert any(days > live.review_deadline_days for days in waited)
    assert any(days <= live.review_deadline_days for days in waited)
    assert overdue_count(live.unit, live) == sum(d > live.review_deadline_days for d in waited)


def test_the_live_campaign_has_reminders_due(live):
    from notifications.rules import RULES

    now = timezone.now()
    for rule in ("review_overdue", "target_due", "coorganiser_unanswered"):
        assert RULES[rule](now), rule


# --- Assessment and honours (issue 14): demo.assessment, demo.honours -----------------------------


def test_the_2010_campaign_has_a_published_final_snapshot(campaign):
    snapshot = Snapshot.objects.get(campaign=campaign)  # rejected objection: no version 2
    assert snapshot.version == 1 and snapshot.is_published
    assert snapshot.window_ends_on == datetime.date(2011, 1, 10)
    assert snapshot_selectors.is_final(snapshot)
    assert SnapshotRow.objects.filter(snapshot=snapshot).count() > 20
    assert ScoringScheme.objects.get(campaign=campaign).locked_at is not None
    objection = ScoreObjection.objects.get(snapshot=snapshot)
    assert objection.unit.code == demo_assessment.OBJECTING_UNIT
    assert objection.outcome == ObjectionOutcome.REJECTED and objection.answer


def test_the_2010_bonus_and_deduction_items_are_approved_and_counted(campaign):
    items = Adjustment.objects.filter(campaign=campaign)
    assert items.count() == len(demo_assessment.ITEMS_2010)
    assert set(items.values_list("status", flat=True)) == {Status.APPROVED}
    assert items.filter(points__gt=0).exists() and items.filter(points__lt=0).exists()
    assert all(item.reason for item in items)
    # reviewed at both levels, in December 2010
    events = ReviewEvent.objects.filter(adjustment__campaign=campaign)
    assert {event.created_at.year for event in events} == {2010}
    # the deduction is in the unit's frozen result
    row = SnapshotRow.objects.get(snapshot__campaign=campaign, unit_code="JYJ-ZB1")
    (adjusted,) = [rule for rule in row.rules if rule["kind"] == "adjustments"]
    assert Decimal(adjusted["points"]) == Decimal("-2")


def test_it_seeds_the_categories_of_honour_in_a_flushed_database(seeded):
    # The module's seeding ran on a flushed database (_seeded_once): every category of the data
    # migration is back, as the migration makes them.
    migration = importlib.import_module("evaluations.migrations.0005_honour_categories")
    seeded_codes = dict(HonourCategory.objects.values_list("code", "name"))
    assert seeded_codes == {code: name for code, name, *_rest in migration.CATEGORIES}
    assert Honour.objects.exists() and Application.objects.exists()


def test_the_2010_honour_roll_has_several_categories(campaign, client):
    honour_round = HonourRound.objects.get(campaign=campaign)
    assert honour_round.document_number == demo_honours.DOCUMENT_NUMBER == "阜党发〔2011〕3号"
    assert honour_round.decided_on == demo_honours.DECIDED_ON
    honours = Honour.objects.filter(application__round=honour_round)
    assert honours.count() == 9
    categories = set(honours.values_list("category__code", flat=True))
    assert {
        "advanced_party_org",
        "workers_pioneer",
        "youth_civilisation",
        "women_civilisation",
        "outstanding_party_member",
        "gold_medal_worker",
        "outstanding_league_member",
    } <= categories
    for application in Application.objects.filter(status=ApplicationStatus.COMMENDED):
        assert 300 <= len(application.case) <= 600, application.nominee
        assert application.summary
    declined = Application.objects.filter(round=honour_round, status=ApplicationStatus.DECLINED)
    assert declined.count() == 2 and all(a.decline_reason for a in declined)
    # recommended level by level: some passed a committee's reviewer before the city's
    assert Recommendation.objects.filter(
        application__round=honour_round, action=RecommendationAction.RECOMMEND, level=1
    ).exists()
    objection = HonourObjection.objects.get(application__round=honour_round)
    assert objection.answered_at is not None and objection.answer

    response = client.get("/public/honours/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "马玉兰" in page and "卡子湾村青年志愿服务队" in page


def test_the_live_campaign_has_draft_scores_and_a_round_open_for_applications(live):
    assert ScoringScheme.objects.get(campaign=live).locked_at is None
    assert not Snapshot.objects.filter(campaign=live).exists()
    items = Adjustment.objects.filter(campaign=live)
    assert {Status.DRAFT, Status.SUBMITTED, Status.APPROVED} <= set(
        items.values_list("status", flat=True)
    )
    # The draft scores are kept, as the engine computes them from the records seeded.
    kept = {row.unit_id: row.total for row in DraftScore.objects.filter(campaign=live)}
    assert kept and kept == {score.unit_id: score.total for score in scoring.compute(live).units}
    honour_round = HonourRound.objects.get(campaign=live)
    assert honour_services.window_open(honour_round)
    assert honour_round.published_at is None
    assert Quota.objects.filter(round=honour_round).exists()
    states = set(Application.objects.filter(round=honour_round).values_list("status", "level"))
    assert {
        (ApplicationStatus.DRAFT, 0),
        (ApplicationStatus.WAITING, 1),
        (ApplicationStatus.WAITING, 2),
    } <= states
