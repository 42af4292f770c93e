"""`make soak`: the production stack under a realistic load, with faults (issue 17).

    SOAK_SECONDS=300 .venv/bin/python bench/soak.py

1. Starts the stack of bench/stack.py on loopback ports of its own (never the machine's shared
   PostgreSQL or Redis): nginx (TLS) → gunicorn (DEBUG=0, 3 workers) → PgBouncer (transaction
   pooling) → PostgreSQL; Redis; two Celery workers (prefork, 2 each) and beat (deliver_due every
   10 s); an SMTP sink in this process that takes 0.2 s per mail and counts a mail only once its
   250 reply goes to a client still connected (as a real mail server accepts it). Migrates, loads
   the demo city (seed_demo) and checks nginx serves a static file (immutable, gzip) and the app.
2. Eight people (bench/soak_load.py) work for SOAK_SECONDS: staff log activities with a photo and
   submit them, reviewers approve (60 %) or return (40 %), leaders open dashboards and download
   the activities export; /healthz is probed every 0.25 s.
3. Faults, at fixed fractions of the run: SIGKILL of the Celery worker whose connection the sink
   is receiving a mail on (15 %; restarted 20 s later), a Redis restart (40 %), PostgreSQL down
   for 4 s (60 %), SIGKILL of a gunicorn worker (80 %). A 5xx or failed connection counts as an
   error unless it falls in a web-facing fault's window (the Redis and PostgreSQL restarts and the
   gunicorn kill, plus a few seconds after: the worker kill excuses nothing).
4. Waits until every notice meant for e-mail is sent, then recounts the roll-ups from the records
   (activities.rollups.rollups_rebuild, rolled back) and compares, and runs the restore drill
   (backup, restore into an empty database, figures compared).
5. Prints one JSON line and exits 1 when a bar is missed: no error outside the fault windows,
   every notice delivered exactly once, no roll-up disagreeing, /healthz 503 during the database
   outage and 200 again without a restart of the app. Logs of a failed run are kept in
   var/soak/logs/.
"""

import asyncio
import json
import os
import re
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak_load import Browser, Person, Recorder, photo
from stack import BASE_DIR, DB_NAME, SMTP_PORT, Stack

NOTIFICATION_ID = re.compile(rb"^X-Notification-Id: (\d+)", re.MULTILINE)
CONCURRENCY = 8
SINK_DELAY = 0.2
GRACE = {"redis_restart": 5.0, "postgres_restart": 10.0, "gunicorn_kill": 3.0}
DRAIN_SECONDS = 180


def log(message: str) -> None:
    clock = time.strftime("%H:%M:%S", time.gmtime())  # UTC: django.setup() changes the zone
    print(f"[soak {clock}] {message}", file=sys.stderr, flush=True)


class Sink:
    """SMTP sink counting mails per X-Notification-Id; knows which connections are mid-mail."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: Counter[int] = Counter()
        self.in_flight: set[int] = set()  # client ports of mails being received
        # Set by the worker-kill fault: mails wait for their 250 until the victim is dead, so
        # that it dies mid-delivery (the mail is not accepted) and not just after.
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        port = session.peer[1]
        with self.lock:
            self.in_flight.add(port)
        try:
            await asyncio.sleep(SINK_DELAY)
            while self.holding.is_set():
                await asyncio.sleep(0.02)
        finally:
            with self.lock:
                self.in_flight.discard(port)
        if server.transport is None or server.transport.is_closing():
            return "451 client gone"  # the sender never learns it was accepted: not accepted
        found = NOTIFICATION_ID.search(envelope.original_content)
        with self.lock:
            self.ids[int(found.group(1)) if found else 0] += 1
        return "250 OK"


def _is_figure(field) -> bool:
    from django.db import models

    return isinstance(field, models.IntegerField | models.DecimalField | models.FloatField)


def _group_of_port(port: int, groups: dict[str, int]) -> str | None:
    """Which worker (by process group) holds the TCP connection from local `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            pgrp = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
            name = next((n for n, g in groups.items() if g == pgrp), None)
            if name is None:
                continue
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return name
        except (OSError, IndexError, ValueError):
            continue
    return None


class Soak:
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.stack = Stack(log)
        self.recorder = Recorder()
        self.sink = Sink()
        self.windows: list[tuple[str, float, float]] = []  # web-facing faults: name, start, end
        self.facts: dict = {"worker_killed_mid_delivery": False}
        self.stop_event = threading.Event()
        self.pg_down: tuple[float, float] | None = None
        self.health: list[tuple[float, int]] = []
        self.people: list[Person] = []
        self.appraisal_paths: list[str] = []

    # --- setup --------------------------------------------------------------------------------
    def start(self) -> None:
        stack = self.stack
        log(f"stack in {stack.dir}")
        stack.pg_start()
        stack.psql(f"CREATE DATABASE {DB_NAME}")
        stack.redis_start()
        stack.pgbouncer_start()
        log("migrating and loading the demo city")
        stack.manage("migrate", "--noinput")
        stack.manage("seed_demo")
        stack.manage("collectstatic", "--noinput")
        os.environ.update(stack.app_env(direct=True))
        import django

        django.setup()
        from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

        every, _ = IntervalSchedule.objects.get_or_create(every=10, period="seconds")
        PeriodicTask.objects.filter(task="notifications.tasks.deliver_due").update(interval=every)
        PeriodicTasks.update_changed()
        self.appraisal_paths = self.appraisal_links()

        from aiosmtpd.controller import Controller

        self.controller = Controller(self.sink, hostname="127.0.0.1", port=SMTP_PORT)
        self.controller.start()
        stack.gunicorn_start()
        stack.worker_start(1)
        stack.worker_start(2)
        stack.beat_start()
        stack.nginx_start()
        self.check_nginx()

    def appraisal_links(self) -> list[str]:
        """The public appraisal pages of the demo's units in the running campaign."""
        from django.urls import reverse
        from django.utils import timezone

        from campaigns.models import Campaign
        from evaluations.services import appraisal_link
        from units.models import Unit

        today = timezone.localdate()
        running = Campaign.objects.filter(
            is_active=True, starts_on__lte=today, ends_on__gte=today
        ).first()
        if running is None:
            return []
        units = Unit.objects.filter(path__startswith=running.unit.path, is_active=True)
        return [
            reverse("public:appraise", args=[appraisal_link(unit, running).token])
            for unit in units.order_by("path")[:20]
        ]

    def appraisals(self) -> dict:
        """Ratings the app answered 302 to, those in the database, and whether the kept
        figures (AppraisalTally) equal a count of the ratings."""
        from django.db.models import Count, Sum

        from evaluations.models import AppraisalTally, Rating

        recorded = Rating.objects.filter(created_at__gte=self.load_began).count()
        by_unit = dict(
            Rating.objects.order_by()
            .values_list("unit_id")
            .annotate(Count("pk"))
            .values_list("unit_id", "pk__count")
        )
        tallies = (
            AppraisalTally.objects.order_by()
            .values("unit_id")
            .annotate(n=Sum("satisfied") + Sum("basically_satisfied") + Sum("dissatisfied"))
            .values_list("unit_id", "n")
        )
        kept = {unit: n for unit, n in tallies if n}
        return {
            "appraisals_sent": sum(person.ratings_sent for person in self.people),
            "appraisals_unknown": sum(person.ratings_unknown for person in self.people),
            "appraisals_recorded": recorded,
            "appraisal_tallies_disagree": sum(
                1 for unit in set(kept) | set(by_unit) if kept.get(unit) != by_unit.get(unit)
            ),
        }

    def check_nginx(self) -> None:
        """Static files straight from nginx, cached for a year and compressed; the app behind.
        Tried a few times on a fresh connection each: one refused connection while the stack
        settles is not the answer."""
        manifest = json.loads((self.stack.dir / "static" / "staticfiles.json").read_text())
        css = manifest["paths"]["css/app.css"]
        static_ok = app_ok = False
        for attempt in range(5):
            if attempt:
                time.sleep(1)
            browser = Browser(self.stack.base_url, Recorder())
            status, _, headers = browser.request(
                "static", "GET", f"/static/{css}", headers={"Accept-Encoding": "gzip"}
            )
            static_ok = (
                status == 200
                and "immutable" in headers.get("Cache-Control", "")
                and headers.get("Content-Encoding") == "gzip"
            )
            status, _, headers = browser.get("login", "/accounts/login/")
            app_ok = status == 200 and bool(headers.get("X-Request-ID"))
            browser.close()
            if static_ok and app_ok:
                break
            log(f"nginx check, try {attempt + 1}: static {static_ok}, app {app_ok}")
        self.facts["nginx_static_and_app_over_tls"] = static_ok and app_ok

    # --- load, probes, faults ---------------------------------------------------------------------
    def person(self, n: int, jpeg: bytes) -> None:
        person = Person(
            self.stack.base_url,
            self.recorder,
            seed=n,
            jpeg=jpeg,
            appraisal_paths=self.appraisal_paths,
        )
        self.people.append(person)
        while not self.stop_event.is_set():
            person.step()
        for browser in person.browsers.values():
            browser.close()

    def probe(self) -> None:
        browser = Browser(self.stack.base_url, self.recorder, timeout=15)
        while not self.stop_event.is_set():
            status, _, _ = browser.get("healthz", "/healthz")
            self.health.append((time.time(), status))
            browser.close()  # a new connection each time, as a load balancer's probe
            time.sleep(0.25)

    def faults(self, began: float) -> None:
        stack = self.stack

        def at(fraction: float) -> bool:
            delay = began + self.seconds * fraction - time.time()
            return not self.stop_event.wait(max(0, delay))

        # 1. SIGKILL the worker a mail is being received from; restarted after 20 s.
        if at(0.15):
            groups = {n: stack.procs[n].pid for n in ("worker1", "worker2") if n in stack.procs}
            victim = None
            deadline = time.time() + 15
            self.sink.holding.set()
            try:
                while victim is None and time.time() < deadline:
                    with self.sink.lock:
                        ports = list(self.sink.in_flight)
                    for port in ports:
                        victim = _group_of_port(port, groups)
                        if victim:
                            break
                    time.sleep(0.02)
                self.facts["worker_killed_mid_delivery"] = victim is not None
                victim = victim or "worker1"
                log(f"fault: SIGKILL {victim}")
                stack.kill_group(victim)
            finally:
                self.sink.holding.clear()
            killed = victim

            def restart() -> None:
                time.sleep(20)
                log(f"fault: restarting {killed}")
                stack.worker_start(int(killed[-1]))

            threading.Thread(target=restart, daemon=True).start()
        # 2. Restart Redis.
        if at(0.40):
            log("fault: restarting Redis")
            start = time.time()
            stack.redis_stop()
            time.sleep(1)
            stack.redis_start()
            self.windows.append(("redis_restart", start, time.time()))
        # 3. PostgreSQL down for a few seconds.
        if at(0.60):
            log("fault: stopping PostgreSQL for 4 s")
            start = time.time()
            stack.pg_stop()
            time.sleep(4)
            stack.pg_start()
            self.pg_down = (start, time.time())
            self.windows.append(("postgres_restart", start, time.time()))
        # 4. SIGKILL one gunicorn worker (the master starts another).
        if at(0.80):
            pids = stack.gunicorn_worker_pids()
            if pids:
                log(f"fault: SIGKILL gunicorn worker {pids[0]}")
                start = time.time()
                os.kill(pids[0], signal.SIGKILL)
                self.windows.append(("gunicorn_kill", start, time.time()))

    def run(self) -> None:
        from django.utils import timezone

        self.load_began = timezone.now()
        jpeg = photo()
        began = time.time()
        threads = [
            threading.Thread(target=self.person, args=(n, jpeg), daemon=True)
            for n in range(CONCURRENCY)
        ]
        threads.append(threading.Thread(target=self.probe, daemon=True))
        fault_thread = threading.Thread(target=self.faults, args=(began,), daemon=True)
        for thread in [*threads, fault_thread]:
            thread.start()
        self.stop_event.wait(self.seconds)
        self.stop_event.set()
        fault_thread.join(timeout=60)
        for thread in threads:
            thread.join(timeout=90)
        log(f"load done: {len(self.recorder.samples)} requests")

    # --- after the run ------------------------------------------------------------------------
    def drain(self) -> None:
        """Wait until every notice meant for e-mail is sent (restarted workers and deliver_due
        pick up what the faults left behind)."""
        from django.db import close_old_connections

        from notifications.models import EmailState, Notification
        from notifications.services import MAX_ATTEMPTS

        if "worker1" not in self.stack.procs or "worker2" not in self.stack.procs:
            time.sleep(20)  # the killed worker's restart is still due
        deadline = time.time() + DRAIN_SECONDS
        while time.time() < deadline:
            close_old_connections()
            waiting = Notification.objects.filter(
                email_state__in=[EmailState.PENDING, EmailState.SENDING],
                email_attempts__lt=MAX_ATTEMPTS,
            ).count()
            if waiting == 0 and self._unwritten_returns() == 0 and self._tasks_queued() == 0:
                time.sleep(2 * SINK_DELAY + 1)
                return
            time.sleep(1)
        log(
            f"drain: still waiting after {DRAIN_SECONDS} s: {waiting} notices, "
            f"{self._unwritten_returns()} returns unnoticed, {self._tasks_queued()} tasks"
        )

    def _tasks_queued(self) -> int:
        """Tasks on the queue or taken by a worker and not acknowledged (a killed worker's come
        back after the visibility timeout)."""
        import redis

        client = redis.Redis.from_url(self.stack.redis_url)
        try:
            return client.llen("celery") + client.hlen("unacked")
        finally:
            client.close()

    def _unwritten_returns(self, verbose: bool = False) -> int:
        """Committed returns whose author's notice was never written (a task lost with a broker
        or a worker would leave one)."""
        from activities.models import ActivityEvent, Status
        from notifications.models import Notification, Rule

        noticed = set(
            Notification.objects.filter(rule=Rule.RETURNED).values_list("period", flat=True)
        )
        returns = ActivityEvent.objects.filter(
            created_at__gte=self.load_began,  # the demo's own returns are older and unnoticed
            to_status=Status.RETURNED,
            activity__created_by__email__gt="",
            activity__created_by__notification_email="immediate",
        ).values_list("pk", flat=True)
        lost = [pk for pk in returns if str(pk) not in noticed]
        for event in ActivityEvent.objects.filter(pk__in=lost[:10] if verbose else []):
            log(
                f"return {event.pk} of activity {event.activity_id} at {event.created_at:%T}: "
                "no notice written"
            )
        return len(lost)

    def notices(self) -> dict:
        from notifications.models import EmailState, Notification

        meant = set(
            Notification.objects.filter(
                email_state__in=[EmailState.PENDING, EmailState.SENDING, EmailState.SENT]
            ).values_list("pk", flat=True)
        )
        lost = self._unwritten_returns(verbose=True)
        with self.sink.lock:
            received = dict(self.sink.ids)
        for pk in sorted(pk for pk in meant if received.get(pk, 0) != 1)[:10]:
            row = Notification.objects.get(pk=pk)
            log(
                f"notice {pk} ({row.rule}, {row.email_state}, attempts {row.email_attempts}) "
                f"received {received.get(pk, 0)} times"
            )
        return {
            "notices_expected": len(meant) + lost,
            "notices_delivered": sum(1 for pk in meant if received.get(pk, 0) >= 1),
            "notices_duplicated": sum(max(0, received.get(pk, 0) - 1) for pk in meant),
            "notices_unknown": sum(n for pk, n in received.items() if pk not in meant),
        }

    def rollups_disagree(self) -> int:
        from django.db import transaction

        from activities.models import TaskRollup, UnitRollup, WaitingRollup
        from activities.rollups import rollups_rebuild

        def snapshot() -> Counter:
            """(model, key fields…) → figures, leaving out rows whose figures are all 0 (the
            same as no row)."""
            rows: Counter = Counter()
            for model in (TaskRollup, UnitRollup, WaitingRollup):
                fields = [f for f in model._meta.concrete_fields if not f.primary_key]
                keys = [f.attname for f in fields if f.is_relation or not _is_figure(f)]
                figures = [f.attname for f in fields if not f.is_relation and _is_figure(f)]
                for row in model.objects.values_list(*keys, *figures):
                    values = row[len(keys) :]
                    if any(values):
                        rows[(model.__name__, *row)] += 1
            return rows

        class Rollback(Exception):
            pass

        kept = snapshot()
        recounted: Counter = Counter()
        try:
            with transaction.atomic():
                rollups_rebuild()
                recounted = snapshot()
                raise Rollback
        except Rollback:
            pass

        for row in list((kept - recounted) + (recounted - kept))[:10]:
            log(f"roll-up row differs: {row} kept {kept[row]}, recounted {recounted[row]}")
        return sum(((kept - recounted) + (recounted - kept)).values())

    def restore_drill(self) -> bool:
        import subprocess

        backup = self.stack.dir / "backup"
        try:
            self.stack.manage("backup", str(backup))
            self.stack.manage("restore_drill", str(backup), "--database", "chuangxian_drill")
        except subprocess.CalledProcessError as error:
            log(f"restore drill failed: {error}")
            return False
        return True

    def results(self) -> dict:
        def excused(sample: tuple) -> bool:
            """The request was under way at some moment of a web-facing fault's window."""
            began, ended = sample[2], sample[2] + sample[3] / 1000
            return any(
                began <= end + GRACE[name] and ended >= start for name, start, end in self.windows
            )

        samples = self.recorder.samples
        errors = [s for s in samples if (s[1] >= 500 or s[1] == 0) and not excused(s)]
        by_kind: dict[str, list[float]] = {}
        for kind, status, _started, ms in samples:
            if 0 < status < 500:
                by_kind.setdefault(kind, []).append(ms)
        p95 = {
            kind: round(sorted(values)[max(0, int(len(values) * 0.95) - 1)], 1)
            for kind, values in sorted(by_kind.items())
        }
        outage_503 = False
        recovered = None
        if self.pg_down:
            down, up = self.pg_down
            outage_503 = any(down <= t <= up + 1 and status == 503 for t, status in self.health)
            back = [t for t, status in self.health if t >= up and status == 200]
            recovered = round(back[0] - up, 2) if back else None
        result = {
            "seconds": self.seconds,
            "concurrency": CONCURRENCY,
            "requests": len(samples),
            "errors_5xx_outside_faults": len(errors),
            "errors_5xx_in_faults": sum(
                1 for s in samples if (s[1] >= 500 or s[1] == 0) and excused(s)
            ),
            "p95_ms": p95,
            **self.notices(),
            "rollups_disagree": self.rollups_disagree(),
            **self.appraisals(),
            "healthz_503_during_db_outage": outage_503,
            "recovered_seconds": recovered,
            **self.facts,
            "restore_drill": self.restore_drill(),
            "load_average": round(os.getloadavg()[0], 2),
        }
        if errors:
            log(f"errors outside faults (first 10): {errors[:10]}")
        return result


def bars_met(result: dict) -> bool:
    sent, unknown = result["appraisals_sent"], result["appraisals_unknown"]
    return (
        result["errors_5xx_outside_faults"] == 0
        and result["notices_delivered"] == result["notices_expected"]
        and result["notices_duplicated"] == 0
        and result["rollups_disagree"] == 0
        and 0 < sent <= result["appraisals_recorded"] <= sent + unknown
        and result["appraisal_tallies_disagree"] == 0
        and result["healthz_503_during_db_outage"] is True
        and result["recovered_seconds"] is not None
        and result["restore_drill"] is True
        and result.get("nginx_static_and_app_over_tls") is True
    )


def main() -> int:
    seconds = int(os.environ.get("SOAK_SECONDS", "300"))
    soak = Soak(seconds)
    result = None
    try:
        soak.start()
        soak.run()
        soak.drain()
        result = soak.results()
    except BaseException as error:
        log(f"soak stopped: {error!r}")
        raise
    finally:
        soak.stop_event.set()
        ok = result is not None and bars_met(result)
        if getattr(soak, "controller", None):
            soak.controller.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        soak.stack.stop(keep_logs=None if ok else BASE_DIR / "var" / "soak" / "logs")
    print(json.dumps(result, ensure_ascii=False), flush=True)
    out = BASE_DIR / "var" / "soak"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("a") as results:
        results.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0 if bars_met(result) else 1


if __name__ == "__main__":
    # `timeout` and Ctrl-C end the run through the `finally` that stops the stack.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
