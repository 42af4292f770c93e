"""`make bench-reminders`: the e-mail delivery benchmark of issue 5 (README, "Benchmarks").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuangxian \
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/reminders.py

1. Works in a database of its own on DATABASE_URL's server, `chuangxian_bench_reminders`
   (created when missing, migrated), so the bench users never mix with real ones.
2. Starts an SMTP sink on loopback (aiosmtpd, in this process) that counts every mail by its
   X-Notification-Id header, and two Celery worker processes (`celery worker --pool prefork
   -c 2` each: two sends in flight per worker hide the SMTP round trips and commit waits, which
   the solo pool leaves idle; `--concurrency 0` runs the solo pool instead) consuming a queue of
   their own on REDIS_URL, with EMAIL_URL pointing at the sink. Each worker adds up the SQL
   statements it executes (a Django execute wrapper) in a Redis counter.
3. For each size (1,000, then 10,000 by default): creates that many users, each with one
   pending review_overdue reminder written by notifications.services.notify, enqueues
   `notifications.tasks.deliver` per 200 ids, waits until every reminder is SENT and the sink
   has them all, then deletes the bench users again.
4. Prints one JSON object for the last size: reminders, delivered (mails the sink received),
   duplicates (mails beyond the first for a notification), seconds (first enqueue to last
   SENT), per_second, queries_per_reminder (the workers' SQL statements / reminders), and
   queries_per_reminder_at_<size> for each smaller size, to show it is constant. Progress goes
   to stderr; the line is also written to var/bench/reminders.jsonl. Exits 1 when a round
   missed a reminder or sent one twice, or the last round is under 200 reminders/s.

`python bench/reminders.py worker …` is the workers' entry point: the ordinary Celery worker
with the statement counter connected.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from databases import ensure_database  # bench/ is the script's folder

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OUT_DIR = BASE_DIR / "var" / "bench"
DATABASE = "chuangxian_bench_reminders"
USER_PREFIX = "benchrem"
BATCH = 200
WORKERS = 2
CONCURRENCY = 2
TIMEOUT = 600
PER_SECOND_BAR = 200
QUERY_COUNTER_KEY = "bench-reminders:queries"

WORKER_ENV = {
    "DJANGO_SETTINGS_MODULE": "chuangxian.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1",
    "CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


def log(message: str) -> None:
    print(f"[bench-reminders] {message}", file=sys.stderr, flush=True)


# --- set-up ---------------------------------------------------------------------------------


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(
            "make bench-reminders needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL,"
            " e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuangxian \\\n"
            "  REDIS_URL=redis://127.0.0.1:6379/0 make bench-reminders\n"
            f"(it works in a database of its own on that server, {DATABASE})."
        )
    return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE}", parts.query, ""))


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if urlsplit(url).scheme not in {"redis", "rediss"}:
        sys.exit("make bench-reminders needs REDIS_URL, e.g. redis://127.0.0.1:6379/0")
    return url


# --- the SMTP sink --------------------------------------------------------------------------

NOTIFICATION_ID = re.compile(rb"^X-Notification-Id:\s*(\d+)", re.MULTILINE | re.IGNORECASE)


class Sink:
    """aiosmtpd handler counting mails per X-Notification-Id (0: a mail without one)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[int] = Counter()

    async def handle_DATA(self, server, session, envelope):
        found = NOTIFICATION_ID.search(envelope.original_content)
        with self.lock:
            self.ids[int(found.group(1)) if found else 0] += 1
        return "250 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.ids.values())

    def reset(self) -> Counter[int]:
        with self.lock:
            ids, self.ids = self.ids, Counter()
        return ids


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the workers ----------------------------------------------------------------------------


def start_workers(env: dict, queue: str, concurrency: int) -> list[subprocess.Popen]:
    pool = ["--pool", "solo"] if concurrency == 0 else ["--pool", "prefork", "-c", str(concurrency)]
    processes = []
    for n in range(1, WORKERS + 1):
        command = [
            PYTHON,
            str(Path(__file__).resolve()),
            "worker",
            *pool,
            "-Q",
            queue,
            "-n",
            f"bench{n}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ]
        processes.append(
            subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sys.stderr,  # stdout carries the result line only
                start_new_session=True,
            )
        )
    return processes


def wait_ready(app, names: list[str], processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                sys.exit(f"a worker exited with {process.returncode} while starting")
        replies = app.control.ping(destination=names, timeout=0.5) or []
        if len(replies) == len(names):
            return
    sys.exit("the workers did not answer within 60 s")


def stop_workers(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def worker_main(argv: list[str]) -> None:
    """A Celery worker whose SQL statements are added up in Redis after each task."""
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import redis
    from celery.signals import task_postrun, task_prerun
    from django.conf import settings
    from django.db import connection

    from chuangxian.celery import app

    counter = redis.Redis.from_url(settings.REDIS_URL)
    executed = [0]

    def count(execute, sql, params, many, context):
        executed[0] += 1
        return execute(sql, params, many, context)

    @task_prerun.connect(weak=False)
    def _install(**kwargs) -> None:
        if count not in connection.execute_wrappers:
            connection.execute_wrappers.append(count)

    @task_postrun.connect(weak=False)
    def _report(**kwargs) -> None:
        if executed[0]:
            counter.incrby(QUERY_COUNTER_KEY, executed[0])
            executed[0] = 0

    app.worker_main(["worker", *argv])


# --- one round ------------------------------------------------------------------------------


def make_reminders(count: int) -> list[int]:
    """`count` users, each with one pending review_overdue reminder (distinct subjects)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from notifications.models import Rule
    from notifications.services import Notice, notify

    password = make_password(None)  # unusable: nobody signs in as a bench user
    users = User.objects.bulk_create(
        [
            User(
                username=f"{USER_PREFIX}{n:05d}",
                name=f"测试用户{n}",
                email=f"{USER_PREFIX}{n:05d}@example.gov.cn",
                password=password,
                language="en" if n % 2 else "",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    notices = [
        Notice(
            recipient=user,
            subject=f"activity:{900000 + n}",
            period="2010-06-01",
            link=f"/activities/{900000 + n}/",
            context={  # as notifications.rules.review_overdue writes it
                "activity_title": f"主题党日活动{n}",
                "unit_name": "机关第一党支部",
                "campaign_name": "2010 年党群共建创先争优",
                "waiting_since": "2010-06-01",
                "days": 9,
                "deadline_days": 7,
            },
        )
        for n, user in enumerate(users)
    ]
    ids = notify(rule=Rule.REVIEW_OVERDUE, notices=notices)
    if len(ids) != count:
        sys.exit(f"notify wrote {len(ids)} reminders for {count} users")
    return ids


def delete_bench_users() -> None:
    from accounts.models import User
    from notifications.models import Notification

    Notification.objects.filter(recipient__username__startswith=USER_PREFIX).delete()
    User.objects.filter(username__startswith=USER_PREFIX).delete()


def run_round(count: int, *, sink: Sink, counter, queue: str) -> dict:
    from notifications.models import EmailState, Notification
    from notifications.services import batches
    from notifications.tasks import deliver

    delete_bench_users()
    log(f"{count:,} users with one pending reminder each")
    ids = make_reminders(count)
    sink.reset()
    counter.delete(QUERY_COUNTER_KEY)
    waiting = Notification.objects.filter(pk__in=ids)

    started = time.perf_counter()
    for batch in batches(ids, BATCH):
        deliver.apply_async((batch,), queue=queue)
    deadline = time.monotonic() + TIMEOUT
    while True:
        sent = waiting.filter(email_state=EmailState.SENT).count() if sink.total() >= count else 0
        if sent == count:
            break
        if time.monotonic() > deadline:
            sys.exit(f"only {sink.total()} of {count:,} mails in {TIMEOUT} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    time.sleep(1)  # anything sent twice would arrive now
    received = sink.reset()
    queries = int(counter.get(QUERY_COUNTER_KEY) or 0)
    delete_bench_users()
    wanted = set(ids)
    result = {
        "reminders": count,
        "delivered": sum(n for pk, n in received.items() if pk in wanted),
        "duplicates": sum(n - 1 for pk, n in received.items() if pk in wanted and n > 1),
        "seconds": round(seconds, 2),
        "per_second": round(count / seconds, 1),
        "queries_per_reminder": round(queries / count, 3),
    }
    strays = sum(n for pk, n in received.items() if pk not in wanted)
    if strays:
        result["unexpected_mails"] = strays
    log(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="reminders per round, comma-separated; the last one is reported (1000,10000)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=CONCURRENCY,
        help=f"prefork processes per worker; 0 for the solo pool ({CONCURRENCY})",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    database_url = bench_database_url()
    broker_url = redis_url()
    ensure_database(database_url, DATABASE, log)
    os.environ.update(WORKER_ENV)
    os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    import redis
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from chuangxian.celery import app

    log(f"migrating {DATABASE}")
    call_command("migrate", verbosity=0, interactive=False)

    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    queue = f"bench-reminders-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
    }
    counter = redis.Redis.from_url(broker_url)
    processes = start_workers(env, queue, args.concurrency)
    results = []
    try:
        names = [f"bench{n}-{queue}@{socket.gethostname()}" for n in range(1, WORKERS + 1)]
        wait_ready(app, names, processes)
        log(f"{WORKERS} workers ready on queue {queue}")
        for size in sizes:
            results.append(run_round(size, sink=sink, counter=counter, queue=queue))
    finally:
        stop_workers(processes)
        smtp.stop()
        kombu_keys = (f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        counter.delete(QUERY_COUNTER_KEY, queue, *kombu_keys)
        counter.close()
        delete_bench_users()

    final = dict(results[-1])
    for smaller in results[:-1]:
        final[f"queries_per_reminder_at_{smaller['reminders']}"] = smaller["queries_per_reminder"]
    line = json.dumps(final)
    print(line, flush=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with (OUT_DIR / "reminders.jsonl").open("a") as out:
        out.write(line + "\n")
    # Every round must deliver each reminder once; the rate bar is the reported (largest) round's:
    # the small round is there for the queries per reminder, and is too short to time well.
    missed = [
        r["reminders"] for r in results if r["delivered"] != r["reminders"] or r["duplicates"]
    ]
    if missed:
        log(f"not every reminder delivered exactly once for sizes {missed}")
    if final["per_second"] < PER_SECOND_BAR:
        log(f"below the bar of {PER_SECOND_BAR} reminders/s")
    if missed or final["per_second"] < PER_SECOND_BAR:
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        worker_main(sys.argv[2:])
    else:
        main()
