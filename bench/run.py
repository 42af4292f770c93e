"""`make bench`: the city-scale benchmark of issue 4 (README, "Benchmarks").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuangxian_bench python bench/run.py

1. Creates the database if it is missing, migrates it, builds the bench set with `seed_bench`
   (skipped when it is already there) and collects the static files.
2. Counts each page's SQL queries once, in this process, with Django's test client against the
   same database (CaptureQueriesContext).
3. Starts gunicorn (2 sync workers, DEBUG=0, persistent connections), signs the bench users in by
   writing their sessions directly, warms every page up, then loads each page for a fixed time at
   a fixed concurrency from a separate process (bench/load.py) — which shares the machine's cores
   with gunicorn and PostgreSQL.
4. Prints one JSON object per page: page, p50_ms, p95_ms, rps, queries, ratio_to_trivial and for
   the export: seconds, peak_mb (the serving worker's peak resident memory, VmHWM) and
   sheet_rows. A page is loaded in rounds (--rounds, 3): each round measures the trivial view
   (--reference-duration, 5 s), then the page for its share of --duration (15 s); a round's
   ratio is the page's requests/s over that trivial view's (trivial_rps, one per round), and
   ratio_to_trivial is the median of the rounds' ratios (round_ratios). p50 and p95 are over
   every request of the rounds.
   The lines are also written to var/bench/results.jsonl.
5. Before serving, `unit_move`: moves the depth-3 unit with the most activities, with its subtree,
   under another depth-2 unit and back through units.services.unit_move, in this process; prints
   seconds (the move) and seconds_back, checks the figures of the units it left and joined
   against a direct count of the records, and that moving back gives every roll-up row its
   figures again. It all happens in one transaction that is rolled back: the set is left as it
   was found (the reroute events of its waiting submissions included).
6. Issue 14, also before serving: `scores_recompute` (evaluations.draft_score_services.
   draft_scores_recompute on the bench campaign — scoring.compute and the kept rows replaced:
   seconds, units, queries) and `snapshot` (the bench admin takes one through
   evaluations.snapshot_services, in a transaction rolled back); `unit_scores` is served like
   the dashboards, reading the kept row the recompute wrote.
"""

import argparse
import http.client
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from databases import ensure_database  # bench/ is the script's folder
from load import percentile

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OUT_DIR = BASE_DIR / "var" / "bench"

# Bars from the issue: p95 per page (ms), requests/s share of the trivial view, export limits.
P95_BARS = {
    "root_dashboard": 150,
    "root_workbench": 150,
    "mid_dashboard": 100,
    "leaf_targets": 100,
    "review_queue": 100,
    "activity_list_page_1": 100,
    "activity_list_page_100": 100,
    # The API's counterparts of the activity list and the dashboard, with the same bars.
    "api_activity_list": 100,
    "api_progress_root": 150,
    "unit_scores": 100,  # issue 14: one unit's explanation meets the dashboards' bar
}
RATIO_BAR = 0.05
EXPORT_SECONDS_BAR = 20
EXPORT_MB_BAR = 300
MOVE_SECONDS_BAR = 2
SCORES_SECONDS_BAR = 10  # issue 14 §3: the draft scores of every unit recomputed
SNAPSHOT_SECONDS_BAR = 30  # issue 14 §3: a snapshot taken

SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    # testserver: the in-process query counts go through Django's test client.
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "600",
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": str(OUT_DIR / "static"),
    # The API's per-user limit (2000/hour by default) would answer the load's requests 429.
    "API_USER_RATE": "100000000/hour",
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def check_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(
            "make bench needs PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/chuangxian_bench make bench\n"
            "(a database of its own: the bench adds a million activities to it)."
        )
    return url


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


# --- pages ------------------------------------------------------------------------------------


def bench_pages(export_rows: int) -> list[dict]:
    """The pages of the issue, with the user who opens each; needs Django set up."""
    from django.urls import reverse

    from accounts.models import User
    from bench import seed_bench as seed
    from units.models import Membership, Role, Unit

    root = Unit.objects.get(code=seed.ROOT_CODE)
    mid = Membership.objects.get(user__username=seed.MID_LEADER, role=Role.LEADER).unit
    leaf = Membership.objects.get(user__username=seed.LEAF_STAFF, role=Role.STAFF).unit
    users = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    export_unit = export_subtree(root, export_rows)
    campaign = bench_campaign()
    activities = reverse("dashboards:activities")
    return [
        {
            "page": "root_dashboard",
            "user": users[seed.ROOT_LEADER],
            "path": reverse("dashboards:unit", args=[root.pk]),
        },
        {
            # The root leader's start page: the dashboard's headline and the standing figures.
            "page": "root_workbench",
            "user": users[seed.ROOT_LEADER],
            "path": reverse("home"),
        },
        {
            "page": "mid_dashboard",
            "user": users[seed.MID_LEADER],
            "path": reverse("dashboards:unit", args=[mid.pk]),
        },
        {
            "page": "leaf_targets",
            "user": users[seed.LEAF_STAFF],
            "path": reverse("campaigns:unit_targets", args=[leaf.pk]),
        },
        {
            "page": "review_queue",
            "user": users[seed.TOP_REVIEWER],
            "path": reverse("activities:queue"),
        },
        {
            "page": "activity_list_page_1",
            "user": users[seed.ROOT_LEADER],
            "path": f"{activities}?page=1",
        },
        {
            "page": "activity_list_page_100",
            "user": users[seed.ROOT_LEADER],
            "path": f"{activities}?page=100",
        },
        {
            "page": "api_activity_list",
            "user": users[seed.ROOT_LEADER],
            "path": f"{reverse('api:activity-list')}?page=1",
        },
        {
            "page": "api_progress_root",
            "user": users[seed.ROOT_LEADER],
            "path": reverse("api:unit-progress", args=[root.pk]),
        },
        {
            # Issue 14: one unit's draft score with every point explained, the depth-3 unit
            # the mid leader leads: its kept row (scores_recompute wrote them; without them the
            # first request computes them once) and the records behind it.
            "page": "unit_scores",
            "user": users[seed.MID_LEADER],
            "path": reverse("evaluations:unit_scores", args=[campaign.pk, mid.pk]),
        },
        {
            "page": "activities_export",
            "user": users[seed.ROOT_LEADER],
            "path": f"{reverse('dashboards:activities_xlsx')}?unit={export_unit.pk}",
            "export": True,
            "expected_rows": export_unit.activity_count,
        },
    ]


def export_subtree(root, rows: int):
    """The depth-2 unit whose subtree's activity count is nearest `rows`."""
    from django.db.models import Count, OuterRef, Subquery

    from activities.models import Activity
    from units.models import Unit

    count = (
        Activity.objects.filter(unit__path__startswith=OuterRef("path"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("*"))
        .values("n")
    )
    candidates = Unit.objects.filter(path__startswith=root.path, depth=root.depth + 1).annotate(
        activity_count=Subquery(count)
    )
    return min(candidates, key=lambda u: abs((u.activity_count or 0) - rows))


def session_cookie(user) -> str:
    """A signed-in session for `user`, written straight into the session store."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def count_queries(page: dict, repeat: int = 5) -> tuple[int, int, str]:
    """SQL queries of one request to the page, in this process (not the first request, so that
    one-off lookups such as content types are not counted); the response's status; and, for
    the log, what one request costs here alone: median wall time, Python CPU time, SQL time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(page["user"])
    status, timings = 0, []
    for attempt in range(2 if page.get("export") else repeat + 1):
        with CaptureQueriesContext(connection) as context:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(page["path"])
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            else:
                _ = response.content
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            status = response.status_code
        sql = sum(float(q["time"]) for q in context.captured_queries)
        if attempt:
            timings.append((wall, cpu, sql))
    timings.sort()
    wall, cpu, sql = timings[len(timings) // 2] if timings else (0, 0, 0)
    alone = f"{wall * 1000:.0f} ms ({cpu * 1000:.0f} ms Python CPU, {sql * 1000:.0f} ms SQL)"
    return len(context.captured_queries), status, alone


# --- the unit move ----------------------------------------------------------------------------


def rollup_digest() -> tuple[str, ...]:
    """A digest of each roll-up table's non-zero rows (zero rows count nothing)."""
    from django.db import connection

    tables = [
        ("activities_taskrollup", "unit_id, task_id, month", "activities, participants, quantity"),
        (
            "activities_unitrollup",
            "unit_id, campaign_id, month, line",
            "activities, participants, reported_on_time, reviews, reviews_on_time, returns",
        ),
        ("activities_waitingrollup", "unit_id, campaign_id, day", "submissions"),
    ]
    digests = []
    with connection.cursor() as cursor:
        for table, key, figures in tables:
            cursor.execute(
                f"select md5(string_agg(concat_ws(',', {key}, {figures}), ';' order by {key}))"
                f" from {table} where greatest({figures.replace('quantity', '0')}) <> 0"
            )
            digests.append(cursor.fetchone()[0])
    return tuple(digests)


def subtree_approved(unit) -> tuple[int, int]:
    """(roll-up, direct count): approved activities credited to `unit`'s subtree, each once."""
    from django.db.models import Exists, OuterRef, Q, Sum

    from activities.models import Activity, CoOrganiser, CoOrganiserStatus, Status, UnitRollup

    confirmed = CoOrganiser.objects.filter(
        activity=OuterRef("pk"),
        status=CoOrganiserStatus.CONFIRMED,
        unit__path__startswith=unit.path,
    )
    direct = Activity.objects.filter(
        Q(unit__path__startswith=unit.path) | Q(Exists(confirmed)), status=Status.APPROVED
    ).count()
    rolled = UnitRollup.objects.filter(unit=unit, line="").aggregate(n=Sum("activities"))["n"]
    return rolled or 0, direct


def measure_unit_move() -> dict:
    from django.db import transaction
    from django.db.models import Count

    from activities.models import Activity, Status
    from bench import seed_bench as seed
    from units.models import Unit
    from units.services import unit_move

    root = Unit.objects.get(code=seed.ROOT_CODE)
    counts = dict(
        Activity.objects.filter(unit__path__startswith=root.path, unit__depth__gte=3)
        .values_list("unit__path")
        .order_by()
        .annotate(n=Count("*"))
        .values_list("unit__path", "n")
    )
    per_depth3: dict[str, int] = {}
    for path, n in counts.items():
        head = path[: root.steplen * 3]
        per_depth3[head] = per_depth3.get(head, 0) + n
    unit = Unit.objects.get(path=max(per_depth3, key=per_depth3.get))
    old_parent = Unit.objects.get_parent(unit)
    new_parent = (
        Unit.objects.filter(depth=2, path__startswith=root.path)
        .exclude(pk=old_parent.pk)
        .order_by("path")
        .first()
    )
    subtree = Unit.objects.filter(path__startswith=unit.path)
    activities = Activity.objects.filter(unit__path__startswith=unit.path)
    result = {
        "page": "unit_move",
        "unit_depth": unit.depth,
        "units": subtree.count(),
        "activities": activities.count(),
        "waiting": activities.filter(status=Status.SUBMITTED).count(),
    }
    log(
        f"unit_move: {unit.code} ({result['units']} units, {result['activities']:,} activities)"
        f" from {old_parent.code} to {new_parent.code} and back"
    )
    # As in a running server, the modules the move's receivers import lazily are loaded already.
    import activities.rollups
    import activities.services

    before = rollup_digest()
    with transaction.atomic():
        started = time.perf_counter()
        unit_move(unit=unit, new_parent=new_parent)
        seconds = time.perf_counter() - started
        # The units it left and joined agree with the records.
        checked = {
            p.code: subtree_approved(p)
            for p in (Unit.objects.get(pk=old_parent.pk), Unit.objects.get(pk=new_parent.pk))
        }
        agree = all(rolled == direct for rolled, direct in checked.values())
        started = time.perf_counter()
        unit_move(unit=unit, new_parent=Unit.objects.get(pk=old_parent.pk))
        seconds_back = time.perf_counter() - started
        restored = rollup_digest() == before
        transaction.set_rollback(True)  # the set as it was found, reroute events and all
    result.update(
        {
            "seconds": round(seconds, 3),
            "seconds_back": round(seconds_back, 3),
            "figures_agree": agree,
            "restored": restored,
            "ok": agree and restored and max(seconds, seconds_back) <= MOVE_SECONDS_BAR,
        }
    )
    if not agree:
        log(f"unit_move: roll-up vs direct count after the move: {checked}")
    return result


# --- issue 14: the draft scores and a snapshot ------------------------------------------------


def bench_campaign():
    from bench import seed_bench as seed
    from campaigns.models import Campaign

    return Campaign.objects.select_related("unit").get(
        unit__code=seed.ROOT_CODE, name=seed.CAMPAIGN_NAME
    )


def measure_scores_recompute() -> dict:
    """`scores_recompute`: every taking-part unit's draft score in the bench campaign computed
    and kept (evaluations.draft_score_services.draft_scores_recompute: scoring.compute, then the
    campaign's rows replaced), in this process (its SQL queries counted). The rows stay: the
    `unit_scores` page reads them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluations.draft_score_services import draft_scores_recompute

    campaign = bench_campaign()
    log(f"scores_recompute: draft_scores_recompute on {campaign.name}")
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        units = draft_scores_recompute(campaign=campaign)
        seconds = time.perf_counter() - started
    sql = sum(float(q["time"]) for q in context.captured_queries)
    slowest = max(context.captured_queries, key=lambda q: float(q["time"]), default=None)
    if slowest is not None:
        log(
            f"scores_recompute: {sql:.2f} s SQL; slowest {slowest['time']} s:"
            f" {slowest['sql'][:160]}"
        )
    return {
        "page": "scores_recompute",
        "seconds": round(seconds, 3),
        "sql_seconds": round(sql, 3),
        "units": units,
        "queries": len(context.captured_queries),
        "loadavg_before": loadavg(),
        "ok": bool(units) and seconds <= SCORES_SECONDS_BAR,
    }


def measure_snapshot() -> dict:
    """`snapshot`: the bench admin takes a snapshot (evaluations.snapshot_services.snapshot_take:
    every unit's scores computed and frozen, the scheme locked), in one transaction that is
    rolled back: a rerun finds the campaign as it was (no version taken, the scheme unlocked)."""
    from django.db import transaction

    from bench import seed_bench as seed
    from evaluations import snapshot_services
    from evaluations.models import SnapshotRow

    campaign = bench_campaign()
    admin = seed.ensure_admin(campaign.unit)  # sets built before the bench admin get one
    log(f"snapshot: {admin.username} takes a snapshot of {campaign.name}")
    load_before = loadavg()
    with transaction.atomic():
        started = time.perf_counter()
        snapshot = snapshot_services.snapshot_take(admin, campaign)
        seconds = time.perf_counter() - started
        rows = SnapshotRow.objects.filter(snapshot=snapshot).count()
        version = snapshot.version
        transaction.set_rollback(True)  # the campaign as it was found
    return {
        "page": "snapshot",
        "seconds": round(seconds, 3),
        "rows": rows,
        "version": version,
        "loadavg_before": load_before,
        "ok": rows > 0 and seconds <= SNAPSHOT_SECONDS_BAR,
    }


# --- the server -------------------------------------------------------------------------------


class Server:
    def __init__(self, port: int, env: dict) -> None:
        self.port = port
        command = [
            str(Path(PYTHON).parent / "gunicorn"),
            "chuangxian.wsgi:application",
            "--workers=2",
            "--no-control-socket",
            f"--bind=127.0.0.1:{port}",
            "--timeout=300",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200 and len(self.workers()) == 2:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer within 60 s")

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def workers(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                found.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid: int) -> bool:
    """Reset the process's peak resident memory (Linux: 5 > /proc/<pid>/clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def load(url: str, cookie: str, concurrency: int, duration: float, latencies: bool = False) -> dict:
    command = [
        PYTHON,
        str(BASE_DIR / "bench" / "load.py"),
        f"--url={url}",
        f"--cookie={cookie}",
        f"--concurrency={concurrency}",
        f"--duration={duration}",
        *(["--latencies"] if latencies else []),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


def xlsx_rows(body: bytes) -> int:
    """Rows in the workbook's sheets, header rows included (read row by row: a streamed
    workbook records no dimensions)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    return sum(1 for sheet in book.worksheets for _row in sheet.iter_rows(values_only=True))


# --- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="City-scale benchmark (README, Benchmarks).")
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument(
        "--duration", type=float, default=15.0, help="Seconds of load per page, all rounds."
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument(
        "--trivial", default="/ping", help="The trivial view that the ratios compare with."
    )
    parser.add_argument(
        "--reference-duration",
        type=float,
        default=5.0,
        help="Seconds of the trivial view measured right before each round of a page.",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="Rounds per page (each the reference, then the page); the ratio is their median.",
    )
    parser.add_argument("--pages", default="", help="Comma-separated page names (default: all).")
    parser.add_argument("--skip-setup", action="store_true", help="No migrate/seed/collectstatic.")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    url = check_database_url()
    env = {**os.environ, **SERVER_ENV}
    os.environ.update(SERVER_ENV)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if not args.skip_setup:
        ensure_database(url, urlsplit(url).path.lstrip("/"), log)
        manage("migrate", "--noinput", "-v", "0")
        subprocess.run(
            [
                PYTHON,
                "bench/seed_bench.py",
                f"--units={args.units}",
                f"--activities={args.activities}",
            ],
            cwd=BASE_DIR,
            check=True,
        )
        manage("collectstatic", "--noinput", "-v", "0")

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()
    from django.db import connection

    pages = bench_pages(args.export_rows)
    chosen = set(args.pages.split(",")) if args.pages else set()
    if chosen:
        pages = [p for p in pages if p["page"] in chosen]
    results = []
    if not chosen or "unit_move" in chosen:
        results.append(measure_unit_move())
        emit(results[-1])
    for name, measure in (
        ("scores_recompute", measure_scores_recompute),
        ("snapshot", measure_snapshot),
    ):
        if not chosen or name in chosen:
            results.append(measure())
            emit(results[-1])
    if not pages:  # only the unit move, the scores or the snapshot: no server to start
        finish(results)
        return
    for page in pages:
        page["queries"], status, alone = count_queries(page)
        if status != 200:
            log(f"{page['page']}: {page['path']} answered {status} in the test client")
        log(f"{page['page']}: {page['queries']} queries; one request alone, in-process: {alone}")
        # One session per simulated user: they don't queue on one session row.
        page["cookies"] = [session_cookie(page["user"]) for _ in range(args.concurrency)]
        page["cookie"] = page["cookies"][0]
    connection.close()

    load_before = loadavg()
    if load_before > 1.5:
        log(f"load average {load_before:.1f}: other processes share the cores, figures will suffer")
    server = Server(args.port, env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        log(f"gunicorn up on {base}, workers {server.workers()}; warming up")
        for page in [{"path": args.trivial, "cookie": ""}, *pages]:
            for _ in range(1 if page.get("export") else 5):
                status, _body = server.get(page["path"], page["cookie"])
                if status != 200:
                    log(f"warm-up: {page['path']} answered {status}")

        log(f"trivial view {args.trivial}: {args.duration:.0f} s at concurrency {args.concurrency}")
        trivial = load(base + args.trivial, "", args.concurrency, args.duration)
        results.append(
            {"page": "trivial", **trivial, "path": args.trivial, "loadavg_before": load_before}
        )
        emit(results[-1])
        for page in pages:
            if page.get("export"):
                results.append(measure_export(server, page))
            else:
                log(
                    f"{page['page']}: {args.rounds} rounds of {args.duration / args.rounds:.1f} s"
                    f" at concurrency {args.concurrency}"
                )
                results.append(measure_page(base, page, args, P95_BARS[page["page"]]))
            emit(results[-1])
        # Once more at the end: how steady the machine was over the run.
        again = load(base + args.trivial, "", args.concurrency, args.duration)
        results.append({"page": "trivial_end", **again, "path": args.trivial})
        emit(results[-1])
    finally:
        server.stop()
    finish(results)


def measure_page(base: str, page: dict, args: argparse.Namespace, p95_bar: float) -> dict:
    """The page in `args.rounds` rounds, each `/ping` (the reference) for
    `args.reference_duration` s right before the page for its share of `args.duration`: a slow
    patch of a shared machine (the trivial view's rate moves by a fifth within one run here) then
    weighs on both sides of that round's ratio, and the median of the rounds' ratios is not
    decided by one patch. p50 and p95 are over every request of every round; an error, of the
    page or of its reference, fails the page."""
    cookies = ",".join(page["cookies"])
    rounds, latencies, reference_errors = [], [], 0
    for _ in range(args.rounds):
        reference = load(base + args.trivial, "", args.concurrency, args.reference_duration)
        measured = load(
            base + page["path"], cookies, args.concurrency, args.duration / args.rounds, True
        )
        latencies += measured.pop("latencies")
        reference_errors += reference["errors"]
        ratio = measured["rps"] / reference["rps"] if reference["rps"] else 0
        rounds.append({**measured, "ratio": ratio, "trivial_rps": reference["rps"]})
    latencies.sort()
    ratio = statistics.median(r["ratio"] for r in rounds)
    errors = sum(r["errors"] for r in rounds)
    p95 = round(percentile(latencies, 0.95) * 1000, 1)
    return {
        "page": page["page"],
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": p95,
        "rps": round(len(latencies) / args.duration, 1),
        # 0: not one request finished in the time (p50/p95 then read 0).
        "requests": len(latencies),
        "queries": page["queries"],
        "ratio_to_trivial": round(ratio, 3),
        "round_ratios": [round(r["ratio"], 3) for r in rounds],
        "trivial_rps": [r["trivial_rps"] for r in rounds],
        "errors": errors,
        "trivial_errors": reference_errors,
        "ok": errors == 0 and reference_errors == 0 and p95 <= p95_bar and ratio >= RATIO_BAR,
    }


def finish(results: list[dict]) -> None:
    with (OUT_DIR / "results.jsonl").open("w") as out:
        for result in results:
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    failed = [r["page"] for r in results if r.get("ok") is False]
    log(f"bars missed: {', '.join(failed)}" if failed else "every page within its bar")
    if failed:
        sys.exit(1)


def measure_export(server: Server, page: dict) -> dict:
    log(f"{page['page']}: {page['path']} (about {page['expected_rows']:,} activities)")
    workers = server.workers()
    reset = all(reset_peak(pid) for pid in workers)
    before = {pid: peak_mb(pid) for pid in workers}
    started = time.perf_counter()
    status, body = server.get(page["path"], page["cookie"])
    seconds = time.perf_counter() - started
    after = {pid: peak_mb(pid) for pid in workers}
    # The worker that served it is the one whose peak rose most.
    pid = max(workers, key=lambda p: after[p] - before[p])
    rows = xlsx_rows(body) if status == 200 else 0
    result = {
        "page": page["page"],
        "seconds": round(seconds, 2),
        "peak_mb": round(after[pid], 1),
        "sheet_rows": rows,
        "bytes": len(body),
        "queries": page["queries"],
        "status": status,
        "peak_reset": reset,
        "ok": status == 200 and seconds <= EXPORT_SECONDS_BAR and after[pid] <= EXPORT_MB_BAR,
    }
    return result


def loadavg() -> float:
    """The machine's 1-minute load average: above ~1 something else shares the two cores."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def emit(result: dict) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
