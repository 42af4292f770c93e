"""A writing task that meets a locked or lost database retries (bounded, with backoff) and its
notice goes out once afterwards: never lost, never twice. On SQLite the database itself waits for
another writer (WAL, busy timeout, write lock taken when a transaction begins)."""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError
from django.db.models.query import QuerySet

from activities import services as activity_services
from notifications import services, tasks
from notifications.models import EmailState, Notification, Rule
from notifications.services import Notice, notify

ROOT = Path(__file__).resolve().parents[2]
WRITING_TASKS = [
    tasks.deliver,
    tasks.deliver_due,
    tasks.run_rule,
    tasks.notify_transition,
    tasks.notify_follow_up,
    tasks.notify_review_event,
    tasks.notify_step,
    tasks.send_digests,
]


def _fail_first(monkeypatch, owner, name: str, error: Exception, times: int = 1) -> list[int]:
    """Make owner.name raise `error` on its first `times` calls, then behave; returns the calls."""
    real = getattr(owner, name)
    calls: list[int] = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


@pytest.fixture
def pending(staff):
    [pk] = notify(rule=Rule.TARGET_DUE, notices=[Notice(staff, "target:DJ-01", "2010-05-01:3")])
    return Notification.objects.get(pk=pk)


@pytest.mark.parametrize(
    "error",
    [OperationalError("database is locked"), InterfaceError("connection already closed")],
    ids=["locked", "lost"],
)
def test_a_delivery_that_meets_a_locked_or_lost_database_is_sent_once_afterwards(
    pending, monkeypatch, error
):
    calls = _fail_first(monkeypatch, services, "_claim", error)

    assert tasks.deliver.delay([pending.pk]).get() == 1

    assert len(calls) == 2  # the first attempt met the database error, the retry sent it
    assert [m.to for m in mail.outbox] == [[pending.recipient.email]]
    pending.refresh_from_db()
    assert pending.email_state == EmailState.SENT
    assert pending.email_attempts == 1
    assert tasks.deliver.delay([pending.pk]).get() == 0
    assert len(mail.outbox) == 1


def test_a_reviewer_notice_whose_writing_meets_a_locked_database_is_written_and_sent_once(
    staff, reviewer, draft, monkeypatch
):
    """The worker's lost notices of the seeded demo: submitting tells the reviewer above."""
    activity = activity_services.activity_submit(actor=staff, activity=draft)
    mail.outbox.clear()
    calls = _fail_first(
        monkeypatch, QuerySet, "bulk_create", OperationalError("database is locked")
    )

    assert tasks.notify_transition.delay("submitted", activity.pk).get() == 1

    assert len(calls) == 2
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    written = Notification.objects.filter(recipient=reviewer, rule=Rule.SUBMITTED)
    assert written.count() == 1
    assert written.get().email_state == EmailState.SENT


def test_the_retries_are_bounded_and_what_they_could_not_send_still_waits(pending, monkeypatch):
    calls = _fail_first(
        monkeypatch, services, "_claim", OperationalError("database is locked"), times=1000
    )

    with pytest.raises(OperationalError):
        tasks.deliver.delay([pending.pk]).get()

    assert len(calls) == tasks.WRITES["max_retries"] + 1
    assert mail.outbox == []
    pending.refresh_from_db()
    assert (
        pending.email_state == EmailState.PENDING
    )  # deliver_due sends it when the database is back
    monkeypatch.undo()
    assert tasks.deliver_due.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[pending.recipient.email]]


@pytest.mark.parametrize("task", WRITING_TASKS, ids=lambda t: t.name.rsplit(".", 1)[-1])
def test_every_writing_task_retries_on_database_errors_with_backoff(task):
    assert set(task.autoretry_for) == {OperationalError, InterfaceError}
    assert task.max_retries == tasks.WRITES["max_retries"] <= 20
    assert task.retry_backoff and task.retry_jitter
    assert task.retry_backoff_max <= 600


def test_every_task_of_the_module_is_a_writing_task():
    declared = {name for name, value in vars(tasks).items() if hasattr(value, "delay")}
    assert declared == {t.name.rsplit(".", 1)[-1] for t in WRITING_TASKS}


SQLITE_WRITER = """
import django, time
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    timeout = cursor.fetchone()[0]
print("ready", flush=True)
started = time.monotonic()
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO notice (body) VALUES ('from django')")
print(mode, timeout, round(time.monotonic() - started, 1))
"""


def test_on_sqlite_a_writer_waits_for_another_instead_of_failing(tmp_path):
    """The embedded database: WAL, a 20 s busy timeout, and a Django transaction that meets
    another process's write lock waits for it (here ~1.5 s) instead of "database is locked"."""
    path = tmp_path / "embedded.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE notice (body TEXT)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO notice (body) VALUES ('from the other writer')")
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(
        DJANGO_SETTINGS_MODULE="chuangxian.settings", DATABASE_URL=f"sqlite:///{path}"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", SQLITE_WRITER],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(1.5)  # the writer meets the lock meanwhile
        holder.commit()
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
    result = subprocess.CompletedProcess(writer.args, writer.returncode, out, err)
    assert result.returncode == 0, result.stderr
    mode, timeout, waited = result.stdout.split()
    assert (mode, timeout) == ("wal", "20000")
    assert float(waited) >= 1.0
    rows = [r[0] for r in holder.execute("SELECT body FROM notice ORDER BY rowid")]
    assert rows == ["from the other writer", "from django"]
    holder.close()
