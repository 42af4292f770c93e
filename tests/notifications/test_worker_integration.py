"""A real Celery worker process on Redis delivers notifications to an SMTP server on loopback.

The worker is `celery -A chuangxian worker` (prefork, 2 processes) on a queue of its own in a
Redis database of its own (REDIS_URL's server, database 15, flushed first), so stray messages from
other tests never reach it. It works on this test's PostgreSQL database (pytest-django's test
database, passed as DATABASE_URL) and sends through aiosmtpd on 127.0.0.1.

Skipped on SQLite (the test database lives in this process's memory) and when Redis does not
answer — unless CHUANGXIAN_REQUIRE_REDIS=1 (set by .ci/run), where no Redis is a failure.
"""

import email
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone

from activities import services
from activities.models import Activity, Status
from chuangxian.celery import app
from notifications.models import EmailState, Notification, Rule
from tests.factories import ActivityFactory

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_DB = 15
WAIT_SECONDS = 40

pytestmark = pytest.mark.django_db(transaction=True)


# --- Redis and PostgreSQL -------------------------------------------------------------------


def _redis_url() -> str:
    """REDIS_URL's server (or the local default) with database 15."""
    base = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return urlunsplit((base.scheme, base.netloc, f"/{REDIS_DB}", "", ""))


def _unavailable(reason: str):
    if os.environ.get("CHUANGXIAN_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason} (CHUANGXIAN_REQUIRE_REDIS=1)")
    pytest.skip(reason)


@pytest.fixture
def shared_database(transactional_db):
    """The worker process must see this test's rows: a server database, committed for real."""
    if connection.vendor != "postgresql":
        if os.environ.get("CHUANGXIAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("CHUANGXIAN_REQUIRE_POSTGRES=1 but the database is not PostgreSQL")
        pytest.skip(
            "The worker integration test needs PostgreSQL (DATABASE_URL): on SQLite the test "
            "database is in this process's memory, out of the worker's reach."
        )


@pytest.fixture
def redis_db(shared_database):
    """A client on the dedicated, flushed database; skips (or fails) when Redis is not there."""
    import redis

    url = _redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        _unavailable(f"The worker integration test needs Redis at {url}: {error}")
    client.flushdb()
    yield url, client
    client.flushdb()
    client.close()


def _database_url() -> str:
    """pytest-django's test database as a DATABASE_URL for the worker."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}"


# --- SMTP on loopback -------------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler keeping every mail it accepts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.mails.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def snapshot(self) -> list[tuple[list[str], email.message.EmailMessage]]:
        with self.lock:
            return list(self.mails)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


# --- The worker -----------------------------------------------------------------------------


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path, queues: list[str]) -> None:
        self.process = process
        self.log = log
        self.queues = queues

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"The Celery worker exited ({self.process.returncode}):\n{self.output()}")

    def wait_for(self, pattern: str, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not re.search(pattern, self.output()):
            self.check_alive()
            if time.monotonic() > deadline:
                pytest.fail(f"No {what} within {WAIT_SECONDS} s. Worker log:\n{self.output()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Warm shutdown of the whole process group, then a kill if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Prefork children outliving the main process would hold the test database open.
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM if pytest itself dies without running finalizers."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _rewire(broker_url: str, queue: str, *, eager: bool) -> tuple[str, str, bool]:
    """Point this process's Celery app at `broker_url` / `queue`; returns the previous values.
    The app caches its broker pool and routing: drop its references so the change takes (not
    closing the pools: kombu keeps them per broker URL and hands them out again)."""
    previous = (app.conf.broker_url, app.conf.task_default_queue, app.conf.task_always_eager)
    app._pool = None
    app.__dict__.pop("amqp", None)
    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    app.conf.task_always_eager = eager
    return previous


@pytest.fixture
def worker(shared_database, redis_db, smtp_server, tmp_path):
    """A real worker process on its own queue; always stopped, even when the test fails."""
    broker_url, _client = redis_db
    smtp_port, _inbox = smtp_server
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    # Its own queue, and the default one of its Redis database, where the tasks the worker
    # enqueues itself (deliver batches) go.
    queues = [queue, app.conf.task_default_queue]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chuangxian.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "chuangxian",
                "worker",
                "--pool",
                "prefork",
                "-c",
                "2",
                "-Q",
                ",".join(queues),
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    running = Worker(process, log, queues)
    previous = _rewire(broker_url, queue, eager=False)
    try:
        running.wait_for(r"\bready\.", "ready worker")
        yield running
    finally:
        running.stop()
        _rewire(*previous[:2], eager=previous[2])


# --- Waiting for mail -----------------------------------------------------------------------


def _wait_for_mails(inbox: Inbox, worker: Worker, count: int) -> list:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(inbox.snapshot()) < count:
        worker.check_alive()
        if time.monotonic() > deadline:
            got = [m["Subject"] for _, m in inbox.snapshot()]
            log = worker.output()
            pytest.fail(f"{len(got)} of {count} mails in {WAIT_SECONDS} s: {got}\n{log}")
        time.sleep(0.1)
    return inbox.snapshot()


def _wait_until_idle(worker: Worker, client) -> None:
    """Every task the worker received has finished and the queue is empty."""
    deadline = time.monotonic() + WAIT_SECONDS
    idle_since = None
    while True:
        log = worker.output()
        received = set(re.findall(r"Task [\w.]+\[([\w-]+)\] received", log))
        done = set(re.findall(r"Task [\w.]+\[([\w-]+)\] (?:succeeded|failed|raised)", log))
        if received <= done and not any(client.llen(q) for q in worker.queues):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 0.5:  # a message in flight shows up by then
                return
        else:
            idle_since = None
        worker.check_alive()
        if time.monotonic() > deadline:
            pytest.fail(f"The worker did not go idle in {WAIT_SECONDS} s:\n{log}")
        time.sleep(0.2)


def _overdue_submission(*, campaign, unit, author, task, reviewer_unit) -> Activity:
    """A submission waiting past the campaign's review deadline (but not twice it)."""
    activity = ActivityFactory(campaign=campaign, unit=unit, created_by=author, tasks=[task])
    waiting = timezone.now() - timedelta(days=campaign.review_deadline_days + 1)
    Activity.objects.filter(pk=activity.pk).update(
        status=Status.SUBMITTED,
        review_level=1,
        review_unit=reviewer_unit,
        submitted_at=waiting,
        first_submitted_at=waiting,
        waiting_since=waiting,
    )
    activity.refresh_from_db()
    return activity


# --- The test -------------------------------------------------------------------------------


def test_a_real_worker_emails_transitions_and_reminders_exactly_once(
    worker, redis_db, smtp_server, tree, staff, reviewer, draft, task, settings
):
    # The return also enqueues the campaign's draft-score recompute after its debounce window
    # (evaluations.draft_score_triggers): a short window lets the worker go idle within the wait.
    settings.DRAFT_SCORES_DEBOUNCE_SECONDS = 1
    _url, client = redis_db
    _port, inbox = smtp_server
    from notifications.emails import notification_message
    from notifications.tasks import run_rule

    # Transitions, each enqueued by the service once its transaction commits: submitted (→ the
    # reviewer; only while it still waits, so let it arrive first), then returned (→ the author).
    services.activity_submit(actor=staff, activity=draft)
    _wait_for_mails(inbox, worker, 1)
    services.activity_return(actor=reviewer, activity=draft, level=1, reason="缺少照片")
    # A periodic job through the broker: a submission past the review deadline.
    overdue = _overdue_submission(
        campaign=task.campaign,
        unit=tree.branch_a1,
        author=staff,
        task=task,
        reviewer_unit=tree.committee_a,
    )
    run_rule.delay("review_overdue")

    expected = {
        (Rule.SUBMITTED, reviewer.email),
        (Rule.RETURNED, staff.email),
        (Rule.REVIEW_OVERDUE, reviewer.email),
    }
    _wait_for_mails(inbox, worker, len(expected))
    _wait_until_idle(worker, client)
    mails = inbox.snapshot()

    ids = [int(message["X-Notification-Id"]) for _, message in mails]
    assert len(ids) == len(set(ids)) == len(expected), "each notification e-mailed once"
    sent = {n.pk: n for n in Notification.objects.filter(pk__in=ids).select_related("recipient")}
    assert {(n.rule, n.recipient.email) for n in sent.values()} == expected
    for recipients, message in mails:
        notification = sent[int(message["X-Notification-Id"])]
        assert recipients == [notification.recipient.email]
        # (a long encoded Subject is folded: compare the words)
        assert message["Subject"].split() == notification_message(notification).subject.split()
        assert notification.email_state == EmailState.SENT
    about = {n.rule: n.subject for n in sent.values()}
    assert about[Rule.RETURNED] == f"activity:{draft.pk}"
    assert about[Rule.REVIEW_OVERDUE] == f"activity:{overdue.pk}"
    assert not Notification.objects.exclude(pk__in=ids).filter(email_state=EmailState.PENDING)

    # The same job again, through the broker: it finds nothing new to send.
    rows_before = Notification.objects.count()
    again = run_rule.delay("review_overdue")
    worker.wait_for(rf"\[{again.id}\] succeeded", "second run of the job")
    _wait_until_idle(worker, client)
    time.sleep(0.5)
    assert len(inbox.snapshot()) == len(expected)
    assert Notification.objects.count() == rows_before
