"""Shared fixtures: a small city tree and the actor trio (member, reviewer above, outsider).

    city (市委)
    ├── committee_a (党工委)
    │   ├── branch_a1 (党支部)
    │   └── union_a2 (工会)
    └── committee_b (党委)
        └── branch_b1 (党支部)

Tests sign users in with `force_login`: django-axes refuses `client.login()` without a request.
"""

import importlib
import os
import sys
from dataclasses import dataclass, fields

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client, override_settings
from django.utils import translation

from activities.progress import target_sums_forget
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Line, Role, Unit, UnitKind


@pytest.fixture
def needs_postgresql():
    """For tests that race real transactions or row locks: PostgreSQL only (SQLite lets one
    writer in at a time), skipped elsewhere; under `.ci/run` (CHUANGXIAN_REQUIRE_POSTGRES=1) a
    missing PostgreSQL fails."""
    if connection.vendor != "postgresql":
        if os.environ.get("CHUANGXIAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("CHUANGXIAN_REQUIRE_POSTGRES=1 but the database is not PostgreSQL")
        pytest.skip("racing transactions need PostgreSQL: set DATABASE_URL to run it")


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploaded files land in a temporary folder, never in the checkout's var/media."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session", autouse=True)
def no_stray_database_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the sessions that something started in a test
    left behind (a request thread of the live server still finishing, a subprocess shutting
    down): PostgreSQL refuses to drop a database in use, and the whole run would fail on it.
    What was ended is printed, so the test that leaks it can be found."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, application_name, state, left(query, 100) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            stray = cursor.fetchall()
            for pid, *_rest in stray:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        connection.close()
    if stray:
        message = f"ended {len(stray)} stray session(s) on the test database: {stray}"
        print("\n" + message, file=sys.stderr)


@pytest.fixture(autouse=True)
def english():
    """Messages raised outside a request come out in English whatever ran before in the thread
    (a request leaves its language active); pages pick their own language per request."""
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    """Pages in English, so that the messages asserted in tests outlive their translations."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The actor fixtures hash a password per user; the production hasher costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_target_sums():
    """The dashboards' sums of targets are kept per process, keyed by a campaign's primary key
    and version: test databases hand out the same keys again, so each test starts afresh."""
    target_sums_forget()


@dataclass
class Tree:
    city: Unit
    committee_a: Unit
    branch_a1: Unit
    union_a2: Unit
    committee_b: Unit
    branch_b1: Unit

    @property
    def units(self) -> list[Unit]:
        """Every unit of the tree, the city first."""
        return [getattr(self, field.name) for field in fields(self)]


@pytest.fixture
def tree(db) -> Tree:
    city = UnitFactory(code="CITY", name="阜康市委", kind=UnitKind.PARTY_COMMITTEE)
    committee_a = UnitFactory(
        parent=city, code="A", name="市直机关党工委", kind=UnitKind.PARTY_WORKING_COMMITTEE
    )
    branch_a1 = UnitFactory(
        parent=committee_a, code="A1", name="机关第一党支部", kind=UnitKind.PARTY_BRANCH
    )
    union_a2 = UnitFactory(
        parent=committee_a, code="A2", name="机关工会", kind=UnitKind.TRADE_UNION
    )
    committee_b = UnitFactory(
        parent=city, code="B", name="城关镇党委", kind=UnitKind.PARTY_COMMITTEE
    )
    branch_b1 = UnitFactory(
        parent=committee_b, code="B1", name="城关镇第一党支部", kind=UnitKind.PARTY_BRANCH
    )
    for unit in (city, committee_a, branch_a1, union_a2, committee_b):
        unit.refresh_from_db()
    return Tree(city, committee_a, branch_a1, union_a2, committee_b, branch_b1)


def _member(unit: Unit, role: str, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def staff(tree):
    """Staff of branch_a1."""
    return _member(tree.branch_a1, Role.STAFF, "staff_a1")


@pytest.fixture
def reviewer(tree):
    """Reviewer on committee_a: reviews branch_a1 and union_a2."""
    return _member(tree.committee_a, Role.REVIEWER, "reviewer_a")


@pytest.fixture
def leader(tree):
    """Leader of committee_a."""
    return _member(tree.committee_a, Role.LEADER, "leader_a")


@pytest.fixture
def admin_user(tree):
    """Administrator of committee_a's subtree."""
    return _member(tree.committee_a, Role.ADMIN, "admin_a")


@pytest.fixture
def city_admin(tree):
    return _member(tree.city, Role.ADMIN, "admin_city")


@pytest.fixture
def beat_schedules(db) -> None:
    """The periodic jobs' rows as the migrations install them: a transactional test elsewhere may
    have flushed what the migrations wrote (installing is idempotent)."""
    beat = importlib.import_module("notifications.migrations.0002_beat_schedules")
    beat.install_schedules(django_apps, None)
    for later in ("0004_fulfil_beat", "0004_comment_beat", "0005_issue14_rules"):
        more = importlib.import_module(f"notifications.migrations.{later}").SCHEDULES
        beat.install_schedules(django_apps, None, more)


@pytest.fixture
def root(client):
    """A client signed in as a superuser, for the admin site."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def outsider(tree):
    """Staff, reviewer, leader and admin of committee_b: nothing under committee_a is theirs."""
    user = _member(tree.committee_b, Role.ADMIN, "outsider_b")
    for role in (Role.LEADER, Role.REVIEWER):
        MembershipFactory(user=user, unit=tree.committee_b, role=role)
    MembershipFactory(user=user, unit=tree.branch_b1, role=Role.STAFF)
    return user


@pytest.fixture
def campaign(tree):
    """A one-level campaign run by the city, so it covers the whole tree."""
    return CampaignFactory(unit=tree.city, name="2010 年党群共建创先争优")


@pytest.fixture
def task(campaign):
    """A party-building task counted in approved activities."""
    return TargetTaskFactory(campaign=campaign, code="DJ-01", title="主题党日", line=Line.PARTY)


@pytest.fixture
def targets(tree, task):
    """Every unit of the tree has a target of 4 activities for `task`."""
    return {unit.code: TargetFactory(unit=unit, task=task) for unit in tree.units}


@pytest.fixture
def draft(tree, staff, task, targets):
    """A draft of branch_a1 written by `staff`, counting toward `task`."""
    return ActivityFactory(
        campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
    )


@pytest.fixture(autouse=True)
def celery_eager():
    """Celery tasks run in the calling thread: ordinary tests need no broker or worker."""
    from chuangxian.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
