"""Build the benchmark data set (`make bench`, README "Benchmarks").

    .venv/bin/python bench/seed_bench.py --units 5000 --activities 1000000

(a Django command kept out of the apps: only the benchmarks and their tests run it.)

- a 5-level tree under BENCH-ROOT (root → ~units/500 → ~units/50 → ~units/5 → the rest) of
  party committees and branches, trade unions, league committees and branches, women's
  federations and committees;
- a two-level campaign run by the root with 16 tasks, four per line, and a target for every unit
  on each task of its line;
- users with one password (BENCH_PASSWORD): bench_root_leader (leader of the root),
  bench_mid_leader (leader of a depth-3 committee), bench_leaf_staff (staff of a depth-5 branch
  under it), bench_top_reviewer (reviewer on the root), a reviewer on every depth-2 unit
  (bench_reviewer_NN, level 1 of the review) and bench_author (writes the activities);
- activities in every state (about 90 % approved, 2.5 % submitted, 3 % returned, 4 % draft) with
  their tasks, participants, quantities, review events and timestamps, dated across the campaign
  so far; 3 % are co-organised with a sibling unit; then `rollups_rebuild()`. (2.5 % waiting is
  a backlog of about a week's submissions at a million a year with two review levels.)

On PostgreSQL the activities, their task rows, events and co-organisers go in with COPY; anything
else (and everything on SQLite, for small sets only) with bulk_create. Targets and tasks are
written with bulk_create and no django-simple-history rows: the history of bench targets is
empty. Running it again with the same counts does nothing; with other counts (or --force) it
deletes the bench tree with everything on it first.
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":  # run as a script: Django is set up before the models are imported
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
    import django

    django.setup()

import csv
import io
import random
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import User
from activities.models import (
    Action,
    Activity,
    ActivityEvent,
    CoOrganiser,
    CoOrganiserStatus,
    Evidence,
    Status,
    TaskRollup,
    UnitRollup,
    WaitingRollup,
)
from activities.rollups import rollups_rebuild
from campaigns.deadlines import decided_on_time
from campaigns.models import Campaign, Metric, Phase, Target, TargetTask
from evaluations.models import (
    AppraisalLink,
    AppraisalRollup,
    AppraisalTally,
    Commitment,
    CommitmentSet,
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
    FollowUpStatus,
    Grade,
    LeaderComment,
    Rating,
    StandingRollup,
)
from evaluations.standing_rollups import standing_rebuild
from units.models import KIND_LINES, Line, Membership, Pair, Role, Unit, UnitKind

ROOT_CODE = "BENCH-ROOT"
CAMPAIGN_NAME = "基准测试 · 党群共建创先争优"
BENCH_PASSWORD = "Bench-Fukang-2010"
SQLITE_LIMIT = 100_000
CHUNK = 100_000
REVIEW_DEADLINE_DAYS = 7

ROOT_LEADER = "bench_root_leader"
MID_LEADER = "bench_mid_leader"
LEAF_STAFF = "bench_leaf_staff"
TOP_REVIEWER = "bench_top_reviewer"
AUTHOR = "bench_author"
ADMIN = "bench_admin"  # issue 14: an admin of the root, who takes the snapshots

K = UnitKind
KIND_NAMES = {
    K.PARTY_COMMITTEE: "党委",
    K.PARTY_WORKING_COMMITTEE: "党工委",
    K.PARTY_BRANCH: "党支部",
    K.TRADE_UNION: "工会",
    K.LEAGUE_COMMITTEE: "团委",
    K.LEAGUE_BRANCH: "团支部",
    K.WOMEN_FEDERATION: "妇联",
    K.WOMEN_COMMITTEE: "妇委会",
}
PARTY_KINDS = (K.PARTY_COMMITTEE, K.PARTY_WORKING_COMMITTEE)
# Kinds of a unit's children, by the unit's kind and the children's depth: (kinds, weights).
CHILD_KINDS = {
    3: {
        PARTY_KINDS: (
            [K.PARTY_COMMITTEE, K.TRADE_UNION, K.LEAGUE_COMMITTEE, K.WOMEN_FEDERATION],
            [55, 15, 15, 15],
        ),
    },
    4: {
        PARTY_KINDS: (
            [K.PARTY_COMMITTEE, K.PARTY_BRANCH, K.TRADE_UNION, K.LEAGUE_BRANCH, K.WOMEN_COMMITTEE],
            [40, 30, 12, 10, 8],
        ),
        (K.TRADE_UNION,): ([K.TRADE_UNION], [1]),
        (K.LEAGUE_COMMITTEE,): ([K.LEAGUE_COMMITTEE, K.LEAGUE_BRANCH], [40, 60]),
        (K.WOMEN_FEDERATION,): ([K.WOMEN_COMMITTEE], [1]),
    },
    5: {
        PARTY_KINDS: (
            [K.PARTY_BRANCH, K.TRADE_UNION, K.LEAGUE_BRANCH, K.WOMEN_COMMITTEE],
            [70, 12, 10, 8],
        ),
        (K.TRADE_UNION,): ([K.TRADE_UNION], [1]),
        (K.LEAGUE_COMMITTEE,): ([K.LEAGUE_BRANCH], [1]),
        (K.WOMEN_COMMITTEE,): ([K.WOMEN_COMMITTEE], [1]),
    },
}
LEAF_KINDS = {K.PARTY_BRANCH, K.LEAGUE_BRANCH}
# Relative number of activities a unit organises, by depth (the root organises none).
DEPTH_WEIGHTS = {1: 0.0, 2: 0.15, 3: 0.3, 4: 0.6, 5: 1.0}

# (code, title, metric, quantity label, required) per line.
TASKS = {
    Line.PARTY: [
        ("DJ-01", "主题党日", Metric.ACTIVITIES, "", True),
        ("DJ-02", "结对共建活动", Metric.ACTIVITIES, "", True),
        ("DJ-03", "党员带群众", Metric.PARTICIPANTS, "", True),
        ("DJ-04", "为民办实事", Metric.QUANTITY, "件", False),
    ],
    Line.UNION: [
        ("GJ-01", "工人先锋号创建", Metric.ACTIVITIES, "", True),
        ("GJ-02", "职工技能竞赛", Metric.ACTIVITIES, "", True),
        ("GJ-03", "职工参与", Metric.PARTICIPANTS, "", True),
        ("GJ-04", "困难职工帮扶", Metric.QUANTITY, "户", False),
    ],
    Line.LEAGUE: [
        ("TJ-01", "青年文明号创建", Metric.ACTIVITIES, "", True),
        ("TJ-02", "青年志愿服务", Metric.ACTIVITIES, "", True),
        ("TJ-03", "团员青年参与", Metric.PARTICIPANTS, "", True),
        ("TJ-04", "志愿服务时长", Metric.QUANTITY, "小时", False),
    ],
    Line.WOMEN: [
        ("FJ-01", "巾帼文明岗创建", Metric.ACTIVITIES, "", True),
        ("FJ-02", "妇女素质提升", Metric.ACTIVITIES, "", True),
        ("FJ-03", "妇女群众参与", Metric.PARTICIPANTS, "", True),
        ("FJ-04", "帮扶困难妇女", Metric.QUANTITY, "户", False),
    ],
}
# Participant columns filled for a line's activities.
LINE_GROUPS = {
    Line.PARTY: ("participants_party_members", "participants_public"),
    Line.UNION: ("participants_workers",),
    Line.LEAGUE: ("participants_youth",),
    Line.WOMEN: ("participants_women",),
}
PLACES = [
    "党员活动室",
    "会议室",
    "社区广场",
    "职工之家",
    "青年之家",
    "妇女之家",
    "新时代文明实践站",
]

ACTIVITY_COLUMNS = [f.attname for f in Activity._meta.concrete_fields]
THROUGH_COLUMNS = ["activity_id", "targettask_id"]
EVENT_COLUMNS = [
    "activity_id",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "level",
    "comment",
    "on_time",
    "created_at",
]
COORGANISER_COLUMNS = ["activity_id", "unit_id", "status", "responded_by_id", "responded_at"]
COORGANISER_COLUMNS += ["created_at"]


@dataclass
class Node:
    index: int
    depth: int
    parent: int | None
    kind: str
    code: str
    name: str
    children: list[int] = field(default_factory=list)
    path: str = ""
    sort_order: int = 0
    pk: int = 0

    @property
    def line(self) -> str:
        return KIND_LINES[self.kind]


def level_sizes(units: int) -> list[int]:
    """Units per depth 1–5: about 1, units/500, units/50, units/5, and the rest."""
    d2 = max(2, units // 500)
    d3 = max(2 * d2, units // 50)
    d4 = max(2 * d3, units // 5)
    d5 = units - 1 - d2 - d3 - d4
    if d5 < d4:
        raise CommandError("--units must be at least 30 for a five-level tree.")
    return [1, d2, d3, d4, d5]


def plan_tree(units: int, rng: random.Random) -> list[Node]:
    nodes = [Node(0, 1, None, K.PARTY_COMMITTEE, ROOT_CODE, "基准市委")]
    for depth, count in enumerate(level_sizes(units)[1:], start=2):
        above = [n for n in nodes if n.depth == depth - 1]
        parents = [n for n in above if n.kind not in LEAF_KINDS] or above
        for i in range(count):
            parent = parents[i % len(parents)]
            if depth == 2:
                kind = K.PARTY_WORKING_COMMITTEE if i % 5 == 4 else K.PARTY_COMMITTEE
            else:
                rules = CHILD_KINDS[depth]
                kinds, weights = next(
                    (v for key, v in rules.items() if parent.kind in key), ([parent.kind], [1])
                )
                kind = rng.choices(kinds, weights)[0]
            index = len(nodes)
            name = f"基准{depth}级{KIND_NAMES[kind]}{index:04d}"
            node = Node(index, depth, parent.index, kind, f"BENCH-{depth}-{index:05d}", name)
            parent.children.append(index)
            nodes.append(node)
    return nodes


@dataclass
class Plan:
    """Everything the activity generator needs, by unit index."""

    nodes: list[Node]
    tasks: dict[str, list[TargetTask]]  # line → its tasks
    campaign: Campaign
    users: dict[str, int]
    reviewers: dict[int, int]  # depth-2 unit index → its reviewer's pk
    leaf: int  # unit index of bench_leaf_staff's unit
    start: date
    today: date
    now: datetime


class Command(BaseCommand):
    help = "Build the benchmark data set (PostgreSQL for large sets; see the README)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--units", type=int, default=5000)
        parser.add_argument("--activities", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2010, help="Random seed.")
        parser.add_argument(
            "--force", action="store_true", help="Rebuild even if the set is already there."
        )
        parser.add_argument(
            "--evaluations-only",
            action="store_true",
            help="Rewrite only the ratings, commitments and comments of a bench set already there.",
        )

    def handle(self, *args, units: int, activities: int, seed: int, force: bool, **options):
        evaluations_only = options.get("evaluations_only", False)
        postgres = connection.vendor == "postgresql"
        if not postgres and activities > SQLITE_LIMIT:
            raise CommandError(
                f"{activities:,} activities need PostgreSQL: set DATABASE_URL=postgres://… "
                f"(SQLite is only for sets of up to {SQLITE_LIMIT:,} activities)."
            )
        if units < 30 or activities < 0:
            raise CommandError("Give --units of at least 30 and --activities of at least 0.")
        level_sizes(units)
        self.started = time.monotonic()
        root = Unit.objects.filter(code=ROOT_CODE).first()
        if root is not None:
            if evaluations_only or (not force and _present(root, units, activities)):
                campaign = Campaign.objects.get(unit=root, name=CAMPAIGN_NAME)
                if evaluations_only or not _evaluations_present(campaign):
                    # A set from before the evaluations (or asked for): only they are written.
                    with transaction.atomic():
                        _wipe_evaluations(root)
                        self._evaluations(root, campaign, random.Random(seed), postgres)
                    self._analyze_evaluations(postgres)
                    return
                self.stdout.write(
                    f"Bench set already present ({units:,} units, {activities:,} activities): "
                    "nothing to do (--force rebuilds it)."
                )
                return
            with transaction.atomic():
                _wipe(root)
            self._lap("deleted the previous bench set")

        rng = random.Random(seed)
        with transaction.atomic():
            plan = self._base(units, rng)
            tasks = sum(map(len, plan.tasks.values()))
            self._lap(f"tree of {units:,} units, campaign, {tasks} tasks, users")
            own = self._activities(plan, activities, rng, postgres)
            self._targets(plan, own, rng)
            self._evaluations(root=None, campaign=plan.campaign, rng=rng, postgres=postgres)
        tasks, unit_rows = rollups_rebuild()
        self._lap(f"rollups_rebuild(): {tasks:,} task rows, {unit_rows:,} unit rows")
        if postgres:
            # Fresh statistics, and a visibility map so that covering indexes are read alone
            # (the roll-ups' too: without it PostgreSQL reads TaskRollup's heap, not its
            # covering index: 0.85 ms for the root dashboard's task figures, not 0.5 ms).
            # (VACUUM cannot run inside a transaction, e.g. a test's: ANALYZE only there.)
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in (
                    Unit,
                    Activity,
                    Activity.tasks.through,
                    ActivityEvent,
                    CoOrganiser,
                    TaskRollup,
                    UnitRollup,
                    WaitingRollup,
                    *EVALUATION_TABLES,
                ):
                    cursor.execute(f"{vacuum} {model._meta.db_table}")
                cursor.execute("ANALYZE")
            self._lap(vacuum)
            if not connection.in_atomic_block:
                self._checkpoint()
        self.stdout.write(
            f"Bench set ready in {time.monotonic() - self.started:.0f} s. Users "
            f"{ROOT_LEADER}, {MID_LEADER}, {LEAF_STAFF}, {TOP_REVIEWER}; password {BENCH_PASSWORD}."
        )

    def _lap(self, what: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f} s] {what}")

    def _checkpoint(self) -> None:
        """Writes the set's pages out now, so that the server's timings that follow don't share
        the cores with PostgreSQL flushing a million rows (a superuser's or pg_checkpoint's
        right: without it the flush is left to PostgreSQL's own schedule)."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("CHECKPOINT")
        except DatabaseError as error:
            self._lap(f"no CHECKPOINT ({str(error).strip()}): PostgreSQL flushes in its own time")
        else:
            self._lap("CHECKPOINT")

    def _analyze_evaluations(self, postgres: bool) -> None:
        if postgres:
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in EVALUATION_TABLES:
                    cursor.execute(f"{vacuum} {model._meta.db_table}")
            self._lap(f"{vacuum} of the evaluations' tables")

    # --- ratings, commitments, comments (issue 13) ----------------------------------------------

    def _evaluations(
        self, root: Unit | None, campaign: Campaign, rng: random.Random, postgres: bool
    ) -> None:
        """The evaluations of the bench campaign, sized by the tree: RATINGS_PER_UNIT ratings a
        unit on average (a tenth of the units none; 200,000 at 5,000 units) with their links and
        tallies, COMMITMENTS_PER_UNIT commitment items a unit on average (20,000) in sets of 3–7
        (90 % approved; of the approved items past due 70 % fulfilled, a fifth of them late,
        30 % overdue; a quarter of those not yet due fulfilled early), and COMMENTS_PER_UNIT
        leader comments a unit (3,000), two in three requiring a follow-up in every state."""
        root = root or campaign.unit
        units = list(
            Unit.objects.filter(path__startswith=root.path)
            .order_by("path")
            .values_list("pk", "depth")
        )
        users = dict(
            User.objects.filter(username__in=[AUTHOR, ROOT_LEADER]).values_list("username", "pk")
        )
        today, now = timezone.localdate(), timezone.now()
        start = campaign.starts_on
        span = (today - start).days
        local = timezone.get_current_timezone()

        def moment(day: date) -> datetime:
            hour = 8 + int(rng.random() * 10)
            return datetime(day.year, day.month, day.day, hour, tzinfo=local).astimezone(UTC)

        # Ratings: a link per unit, ratings through it, the tallies per unit and month.
        AppraisalLink.objects.bulk_create(
            [AppraisalLink(unit_id=pk, campaign=campaign) for pk, _depth in units],
            batch_size=5000,
        )
        links = dict(AppraisalLink.objects.filter(campaign=campaign).values_list("unit_id", "pk"))
        rated = [pk for pk, depth in units if depth > 1 and rng.random() >= 0.1]
        total = RATINGS_PER_UNIT * len(units)
        chosen = rng.choices(rated, k=total) if rated else []
        tallies: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
        column = {3: 0, 2: 1, 1: 2}
        leaning = {pk: rng.random() for pk in rated}  # some units please more than others
        ratings = []
        for n, unit_id in enumerate(chosen):
            roll = rng.random() * (0.6 + leaning[unit_id])
            verdict = 3 if roll < 0.6 else 2 if roll < 1.1 else 1
            when = moment(start + timedelta(days=int(rng.random() * (span + 1))))
            when = min(when, now)
            remark = REMARKS[n % len(REMARKS)] if rng.random() < 0.05 else ""
            ratings.append(
                (links[unit_id], unit_id, campaign.pk, verdict, remark, f"bench-{n:012d}", when)
            )
            month = timezone.localdate(when).replace(day=1)
            tallies[(unit_id, month)][column[verdict]] += 1
        _load(RATING_COLUMNS, Rating, ratings, postgres)
        AppraisalTally.objects.bulk_create(
            [
                AppraisalTally(
                    unit_id=unit_id,
                    campaign=campaign,
                    month=month,
                    satisfied=counts[0],
                    basically_satisfied=counts[1],
                    dissatisfied=counts[2],
                )
                for (unit_id, month), counts in tallies.items()
            ],
            batch_size=5000,
        )
        self._lap(f"{len(ratings):,} ratings, {len(tallies):,} tallies, {len(links):,} links")

        # Commitments: sets of 3–7 items on units picked at random until the total is reached.
        total = COMMITMENTS_PER_UNIT * len(units)
        plan: list[tuple[int, int, str]] = []  # (unit, items, status)
        planned = 0
        candidates = [pk for pk, depth in units if depth > 1]
        rng.shuffle(candidates)
        for unit_id in candidates:
            if planned >= total:
                break
            size = min(3 + int(rng.random() * 5), total - planned)
            roll = rng.random()
            status = (
                Status.APPROVED if roll < 0.9 else Status.SUBMITTED if roll < 0.95 else Status.DRAFT
            )
            plan.append((unit_id, size, status))
            planned += size
        approved_at = moment(start + timedelta(days=20))
        sets = CommitmentSet.objects.bulk_create(
            [
                CommitmentSet(
                    unit_id=unit_id,
                    campaign=campaign,
                    status=status,
                    created_by_id=users[AUTHOR],
                    submitted_at=None if status == Status.DRAFT else approved_at,
                    first_submitted_at=None if status == Status.DRAFT else approved_at,
                    waiting_since=approved_at if status == Status.SUBMITTED else None,
                    approved_at=approved_at if status == Status.APPROVED else None,
                )
                for unit_id, _size, status in plan
            ],
            batch_size=5000,
        )
        items = []
        for item_set, (unit_id, size, status) in zip(sets, plan, strict=True):
            for position in range(size):
                due = start + timedelta(days=30 + int(rng.random() * 330))
                fulfilled_at, kept = None, None
                if status == Status.APPROVED:
                    roll = rng.random()
                    if due < today and roll < 0.7:
                        late = roll < 0.14
                        offset = int(rng.random() * 20) + 1
                        day = due + timedelta(days=offset) if late else due - timedelta(days=offset)
                        fulfilled_at, kept = min(moment(day), now), not late
                    elif due >= today and roll < 0.25:
                        back = int(rng.random() * 30)
                        fulfilled_at, kept = min(moment(today - timedelta(days=back)), now), True
                items.append(
                    Commitment(
                        set_id=item_set.pk,
                        unit_id=unit_id,
                        campaign=campaign,
                        position=position,
                        promise=f"承诺事项{position + 1}：为群众办实事",
                        measure="按期完成，群众满意",
                        due_on=due,
                        fulfilled_at=fulfilled_at,
                        kept_on_time=kept,
                    )
                )
        Commitment.objects.bulk_create(items, batch_size=5000)
        self._lap(f"{len(items):,} commitment items in {len(sets):,} sets")

        # Leader comments, two in three with a follow-up, in every state.
        total = round(COMMENTS_PER_UNIT * len(units))
        comments = LeaderComment.objects.bulk_create(
            [
                LeaderComment(
                    unit_id=rng.choice(candidates),
                    campaign=campaign,
                    author_id=users[ROOT_LEADER],
                    text="请进一步加强活动组织，注重实效。",
                    grade=rng.choice([None, *Grade.values]),
                )
                for _n in range(total)
            ],
            batch_size=5000,
        )
        follow_ups, steps = [], []
        for comment in comments:
            if rng.random() >= 2 / 3:
                continue
            due = start + timedelta(days=20 + int(rng.random() * 340))
            roll = rng.random()
            status = FollowUpStatus.OPEN
            closed_at, on_time = None, None
            if roll < (0.6 if due < today else 0.2):
                status = FollowUpStatus.CLOSED
                late = due < today and rng.random() < 0.25
                offset = timedelta(days=int(rng.random() * 10))
                day = min(due + offset + timedelta(days=1) if late else due - offset, today)
                closed_at, on_time = min(moment(day), now), not late
            else:
                status = rng.choice(
                    [
                        FollowUpStatus.OPEN,
                        FollowUpStatus.ACKNOWLEDGED,
                        FollowUpStatus.REPORTED,
                        FollowUpStatus.SENT_BACK,
                    ]
                )
            follow_ups.append(
                FollowUp(
                    comment_id=comment.pk,
                    unit_id=comment.unit_id,
                    campaign=campaign,
                    due_on=due,
                    status=status,
                    closed_at=closed_at,
                    closed_on_time=on_time,
                    report=""
                    if status in (FollowUpStatus.OPEN, FollowUpStatus.ACKNOWLEDGED)
                    else "已完成整改。",
                )
            )
        FollowUp.objects.bulk_create(follow_ups, batch_size=5000)
        for follow_up in follow_ups:
            steps.append(
                FollowUpEvent(
                    follow_up_id=follow_up.pk,
                    actor_id=users[ROOT_LEADER],
                    action=FollowUpAction.REQUIRE,
                    to_status=FollowUpStatus.OPEN,
                )
            )
            if follow_up.status == FollowUpStatus.CLOSED:
                steps.append(
                    FollowUpEvent(
                        follow_up_id=follow_up.pk,
                        actor_id=users[ROOT_LEADER],
                        action=FollowUpAction.CLOSE,
                        from_status=FollowUpStatus.REPORTED,
                        to_status=FollowUpStatus.CLOSED,
                    )
                )
        FollowUpEvent.objects.bulk_create(steps, batch_size=5000)
        self._lap(f"{len(comments):,} leader comments, {len(follow_ups):,} follow-ups")
        standing_rebuild()  # bulk_create sends no signals: the roll-ups from the records at once
        self._lap("the standing roll-ups rebuilt")

    # --- tree, campaign, users ---------------------------------------------------------------

    def _base(self, units: int, rng: random.Random) -> Plan:
        nodes = plan_tree(units, rng)
        root_node = nodes[0]
        root = Unit.objects.add_root(
            instance=Unit(
                code=ROOT_CODE,
                name=root_node.name,
                kind=root_node.kind,
                line=root_node.line,
                sort_order=0,
            )
        )
        root_node.path, root_node.pk = root.path, root.pk
        step = Unit.steplen
        for node in nodes:  # parents come before their children
            for position, child in enumerate(node.children, start=1):
                key = Unit._int2str(position)
                nodes[child].path = node.path + Unit.alphabet[0] * (step - len(key)) + key
                nodes[child].sort_order = position
        Unit.objects.filter(pk=root.pk).update(numchild=len(root_node.children))
        Unit.objects.bulk_create(
            [
                Unit(
                    path=n.path,
                    depth=n.depth,
                    numchild=len(n.children),
                    code=n.code,
                    name=n.name,
                    kind=n.kind,
                    line=n.line,
                    sort_order=n.sort_order,
                )
                for n in nodes[1:]
            ],
            batch_size=2000,
        )
        pks = dict(Unit.objects.filter(path__startswith=root.path).values_list("code", "pk"))
        for node in nodes:
            node.pk = pks[node.code]

        mid = next(
            n for n in nodes if n.depth == 3 and n.kind in PARTY_KINDS and _has_leaf(n, nodes)
        )
        leaf = _first_leaf(mid, nodes)
        depth2 = [n for n in nodes if n.depth == 2]
        password = make_password(BENCH_PASSWORD)
        names = {
            ROOT_LEADER: "基准市委领导",
            MID_LEADER: "基准三级党委领导",
            LEAF_STAFF: "基准支部工作人员",
            TOP_REVIEWER: "基准市创先争优办审核员",
            AUTHOR: "基准填报员",
            ADMIN: "基准市创先争优办管理员",
        }
        names.update({f"bench_reviewer_{i:02d}": f"基准审核员{i:02d}" for i in range(len(depth2))})
        users = {}
        for username, name in names.items():
            user, _created = User.objects.get_or_create(username=username)
            user.name, user.password, user.is_active = name, password, True
            user.email = f"{username}@bench.example.gov.cn"
            user.save()
            users[username] = user.pk
        reviewers = {n.index: users[f"bench_reviewer_{i:02d}"] for i, n in enumerate(depth2)}
        memberships = [
            (ROOT_LEADER, root_node, Role.LEADER),
            (MID_LEADER, mid, Role.LEADER),
            (LEAF_STAFF, leaf, Role.STAFF),
            (TOP_REVIEWER, root_node, Role.REVIEWER),
            (ADMIN, root_node, Role.ADMIN),
            *((f"bench_reviewer_{i:02d}", n, Role.REVIEWER) for i, n in enumerate(depth2)),
        ]
        Membership.objects.bulk_create(
            [Membership(user_id=users[u], unit_id=n.pk, role=role) for u, n, role in memberships]
        )

        today = timezone.localdate()
        start = _months_before(today.replace(day=1), 10)
        end = _months_before(start, -12) - timedelta(days=1)
        campaign = Campaign.objects.create(
            name=CAMPAIGN_NAME,
            unit_id=root.pk,
            starts_on=start,
            ends_on=end,
            review_deadline_days=REVIEW_DEADLINE_DAYS,
            review_levels=2,
        )
        Phase.objects.bulk_create(
            [
                Phase(
                    campaign=campaign,
                    name="动员部署",
                    starts_on=start,
                    deadline=start + timedelta(days=30),
                ),
                Phase(
                    campaign=campaign,
                    name="组织实施",
                    starts_on=start + timedelta(days=31),
                    deadline=end - timedelta(days=31),
                ),
                Phase(
                    campaign=campaign,
                    name="总结表彰",
                    starts_on=end - timedelta(days=30),
                    deadline=end,
                ),
            ]
        )
        TargetTask.objects.bulk_create(
            [
                TargetTask(
                    campaign=campaign,
                    code=f"BENCH-{code}",
                    line=line,
                    title=title,
                    metric=metric,
                    quantity_label=label,
                    is_required=required,
                    sort_order=order,
                )
                for line, specs in TASKS.items()
                for order, (code, title, metric, label, required) in enumerate(specs, start=1)
            ]
        )
        tasks: dict[str, list[TargetTask]] = defaultdict(list)
        for task in campaign.tasks.order_by("line", "sort_order"):
            tasks[task.line].append(task)
        return Plan(
            nodes=nodes,
            tasks=dict(tasks),
            campaign=campaign,
            users=users,
            reviewers=reviewers,
            leaf=leaf.index,
            start=start,
            today=today,
            now=timezone.now(),
        )

    # --- activities --------------------------------------------------------------------------

    def _activities(
        self, plan: Plan, total: int, rng: random.Random, postgres: bool
    ) -> dict[tuple[int, int], Decimal]:
        """Write `total` activities with their task rows, events and co-organisers; return each
        unit's own approved figure per task (by the task's metric), which its targets follow."""
        null = r"\N" if postgres else None
        start_id = (Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        counts = {"activities": 0, "tasks": 0, "events": 0, "coorganisers": 0}
        own: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        generator = _Generator(plan, rng, null, own)
        loaded = (Activity, Activity.tasks.through, ActivityEvent, CoOrganiser)
        foreign_keys = _drop_foreign_keys(loaded) if postgres else []
        indexes = _drop_indexes(loaded) if postgres else []
        tables = [
            (Activity, ACTIVITY_COLUMNS, "activities"),
            (Activity.tasks.through, THROUGH_COLUMNS, "tasks"),
            (ActivityEvent, EVENT_COLUMNS, "events"),
            (CoOrganiser, COORGANISER_COLUMNS, "coorganisers"),
        ]
        # On PostgreSQL the server loads one chunk while this process makes the next: COPY runs
        # in a thread on the same connection (so in the same transaction); this thread touches
        # no database meanwhile.
        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = None
            for offset in range(0, total, CHUNK):
                rows = generator.chunk(start_id + offset, min(CHUNK, total - offset))
                if postgres:
                    batches = [(m, c, _csv(getattr(rows, name))) for m, c, name in tables]
                    if loading is not None:
                        loading.result()
                    loading = pool.submit(_copy, connection.connection, batches)
                else:
                    for model, columns, name in tables:
                        _bulk(model, columns, getattr(rows, name))
                for _model, _columns, name in tables:
                    counts[name] += len(getattr(rows, name))
                self._lap(
                    f"{counts['activities']:,} activities ({counts['tasks']:,} task rows, "
                    f"{counts['events']:,} events, {counts['coorganisers']:,} co-organisers)"
                )
            if loading is not None:
                loading.result()
        if indexes:
            with connection.cursor() as cursor:
                for definition in indexes:
                    cursor.execute(definition)
            self._lap(f"{len(indexes)} indexes rebuilt")
        if foreign_keys:
            _add_foreign_keys(foreign_keys)
            self._lap(f"{len(foreign_keys)} foreign keys checked and restored")
        if postgres and total:
            with connection.cursor() as cursor:
                table = Activity._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        return own

    def _targets(self, plan: Plan, own: dict[tuple[int, int], Decimal], rng: random.Random) -> None:
        """A target for every unit on each task of its line: its own approved figure so far
        times 1.2–2.0 (at least 1), so completions and paces spread out."""
        targets = []
        for node in plan.nodes:
            for task in plan.tasks[node.line]:
                achieved = own.get((node.index, task.pk), Decimal(0))
                value = max(Decimal(1), (achieved * Decimal(rng.uniform(1.2, 2.0))).quantize(1))
                due = due_on(task, plan.campaign)
                targets.append(Target(unit_id=node.pk, task_id=task.pk, value=value, due_on=due))
        Target.objects.bulk_create(targets, batch_size=5000)
        self._lap(f"{len(targets):,} targets (bulk_create, no history rows)")


@dataclass
class Rows:
    activities: list[tuple] = field(default_factory=list)
    tasks: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    coorganisers: list[tuple] = field(default_factory=list)


# The activity table's columns in the order the generator writes them.
EXPECTED_ACTIVITY_COLUMNS = [
    "id",
    "campaign_id",
    "unit_id",
    "created_by_id",
    "title",
    "starts_on",
    "ends_on",
    "place",
    "participants_party_members",
    "participants_workers",
    "participants_youth",
    "participants_women",
    "participants_public",
    "participants",
    "quantity",
    "description",
    "outcome",
    "status",
    "review_level",
    "review_unit_id",
    "passed_on_by_id",
    "submitted_at",
    "first_submitted_at",
    "waiting_since",
    "approved_at",
    "counted_on_time",
    "return_reason",
    "created_at",
    "updated_at",
]
APPROVED, SUBMITTED, RETURNED, DRAFT = (
    Status.APPROVED.value,
    Status.SUBMITTED.value,
    Status.RETURNED.value,
    Status.DRAFT.value,
)
CONFIRMED, PENDING, DECLINED = (
    CoOrganiserStatus.CONFIRMED.value,
    CoOrganiserStatus.PENDING.value,
    CoOrganiserStatus.DECLINED.value,
)
SUBMIT, PASS_ON, APPROVE, RETURN = (
    Action.SUBMIT.value,
    Action.PASS_ON.value,
    Action.APPROVE.value,
    Action.RETURN.value,
)
GROUP_INDEX = {name: i for i, name in enumerate(EXPECTED_ACTIVITY_COLUMNS[8:13])}
ACTIVITIES_METRIC = Metric.ACTIVITIES.value
PARTICIPANTS_METRIC = Metric.PARTICIPANTS.value
QUANTITY_METRIC = Metric.QUANTITY.value
RETURN_REASON = "请补充活动照片和参加人员名单。"
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class _UnitInfo:
    pk: int
    name: str
    depth: int
    tasks: tuple  # (pk, title, metric, due date) of its line's tasks
    party: bool
    groups: tuple  # indexes into the five participant columns
    level1_unit: int  # where a submission waits first
    level1_actor: int  # who decides there
    author: int
    siblings: tuple  # unit pks a co-organiser is picked from


class _Generator:
    """Makes activities chunk by chunk, with what follows from their state: review events with
    their times and on-time flags, task rows, co-organisers. Plain values only (UTC datetimes,
    str statuses): this loop runs a million times."""

    def __init__(self, plan: Plan, rng: random.Random, null, own) -> None:
        if ACTIVITY_COLUMNS != EXPECTED_ACTIVITY_COLUMNS:
            raise CommandError("The Activity model changed: update seed_bench's generator.")
        self.plan, self.rng, self.null, self.own = plan, rng, null, own
        nodes = plan.nodes
        tasks = {
            line: tuple((t.pk, t.title, t.metric, due_on(t, plan.campaign)) for t in line_tasks)
            for line, line_tasks in plan.tasks.items()
        }
        self.party_tasks = tasks[Line.PARTY]
        top = plan.users[TOP_REVIEWER]
        self.info = []
        for node in nodes:
            anc = node
            while anc.depth > 2:
                anc = nodes[anc.parent]
            below_depth2 = node.depth >= 3
            siblings = nodes[node.parent].children if node.parent is not None else []
            others = tuple(nodes[i].pk for i in siblings if i != node.index)
            self.info.append(
                _UnitInfo(
                    pk=node.pk,
                    name=node.name,
                    depth=node.depth,
                    tasks=tasks[node.line],
                    party=node.line == Line.PARTY,
                    groups=tuple(GROUP_INDEX[c] for c in LINE_GROUPS[node.line]),
                    level1_unit=anc.pk if below_depth2 else nodes[0].pk,
                    level1_actor=plan.reviewers[anc.index] if below_depth2 else top,
                    author=plan.users[LEAF_STAFF if node.index == plan.leaf else AUTHOR],
                    siblings=others or (nodes[0].pk,),
                )
            )
        self.units = list(range(len(nodes)))
        self.cum_weights = _cumulative([DEPTH_WEIGHTS[n.depth] for n in nodes])
        self.campaign_id = plan.campaign.pk
        self.root_pk = nodes[0].pk
        self.author = plan.users[AUTHOR]
        self.top = top
        self.span = max(0, (plan.today - plan.start).days)
        self.latest = (plan.now - MINUTE).astimezone(UTC)
        self.campaign = plan.campaign
        self.local = local = timezone.get_current_timezone()
        # Each day of the campaign so far, and its 08:00 local time in UTC.
        self.days = [plan.start + timedelta(days=i) for i in range(self.span + 1)]
        self.mornings = [
            datetime(d.year, d.month, d.day, 8, tzinfo=local).astimezone(UTC) for d in self.days
        ]

    def chunk(self, first_id: int, size: int) -> Rows:
        rng, null, own, latest, campaign = self.rng, self.null, self.own, self.latest, self.campaign
        random_, expovariate = rng.random, rng.expovariate
        days, mornings, span, info = self.days, self.mornings, self.span, self.info
        top, root_pk, campaign_id, local = self.top, self.root_pk, self.campaign_id, self.local
        rows = Rows()
        add_activity, add_task, add_event = (
            rows.activities.append,
            rows.tasks.append,
            rows.events.append,
        )
        chosen = rng.choices(self.units, cum_weights=self.cum_weights, k=size)
        for n, unit_index in enumerate(chosen):
            pk = first_id + n
            unit = info[unit_index]
            author = unit.author
            roll = random_()
            if roll < 0.905:
                status = APPROVED
            elif roll < 0.93:
                status = SUBMITTED
            elif roll < 0.96:
                status = RETURNED
            else:
                status = DRAFT
            roll = random_()
            how_many = 1 if roll < 0.65 else 2 if roll < 0.95 else 3
            tasks = rng.sample(unit.tasks, how_many)
            due = min(t[3] for t in tasks)  # the unit has targets on its own line's tasks
            if not unit.party and random_() < 0.05:
                tasks.append(self.party_tasks[int(random_() * 4)])
            if status == SUBMITTED:  # waiting now: mostly recent
                offset = span - min(span, int(expovariate(0.125)))
            else:
                offset = int(random_() * (span + 1))
            day = days[offset]
            groups = [0, 0, 0, 0, 0]
            for g in unit.groups:
                groups[g] = 3 + int(random_() * 58)
            participants = sum(groups)
            metrics = [t[2] for t in tasks]
            quantity = (
                Decimal(100 + int(random_() * 4900)).scaleb(-2)
                if QUANTITY_METRIC in metrics
                else null
            )
            created = min(mornings[offset] + MINUTE * int(random_() * 600), latest)

            review_level, review_unit = 0, null
            submitted = waiting = approved = null
            reason = ""
            updated = created
            if status != DRAFT:
                submitted = min(
                    created + DAY * int(random_() * 7) + MINUTE * int(random_() * 600), latest
                )
                add_event((pk, author, SUBMIT, DRAFT, SUBMITTED, 1, "", null, submitted))
                review_level, review_unit, waiting = 1, unit.level1_unit, submitted
                updated = submitted
                two_levels = unit.depth >= 3
                # Where the review got to: passed on to level 2, and decided there or at 1.
                if two_levels and (
                    status == APPROVED
                    or (status == SUBMITTED and random_() < 0.45)
                    or (status == RETURNED and random_() < 0.3)
                ):
                    moment = min(submitted + HOUR * expovariate(1 / 60), latest)
                    on_time = decided_on_time(waiting, campaign, moment)
                    add_event(
                        (
                            pk,
                            unit.level1_actor,
                            PASS_ON,
                            SUBMITTED,
                            SUBMITTED,
                            1,
                            "",
                            on_time,
                            moment,
                        )
                    )
                    review_level, review_unit, waiting = 2, root_pk, moment
                    updated = moment
                if status in (APPROVED, RETURNED):
                    actor = top if review_level == 2 or not two_levels else unit.level1_actor
                    moment = min(waiting + HOUR * expovariate(1 / 60), latest)
                    on_time = decided_on_time(waiting, campaign, moment)
                    if status == APPROVED:
                        action, comment, approved = APPROVE, "", moment
                    else:
                        reason = RETURN_REASON
                        action, comment = RETURN, reason
                    add_event(
                        (
                            pk,
                            actor,
                            action,
                            SUBMITTED,
                            status,
                            review_level,
                            comment,
                            on_time,
                            moment,
                        )
                    )
                    waiting = null
                    updated = moment
            for task_pk, _title, metric, _due in tasks:
                add_task((pk, task_pk))
                if status == APPROVED:
                    key = (unit_index, task_pk)
                    if metric == ACTIVITIES_METRIC:
                        own[key] += 1
                    elif metric == PARTICIPANTS_METRIC:
                        own[key] += participants
                    else:
                        own[key] += quantity
            title = tasks[0][1]
            add_activity(
                (
                    pk,
                    campaign_id,
                    unit.pk,
                    author,
                    f"{title} · 第{pk}期",
                    day,
                    day + DAY if random_() < 0.1 else null,
                    PLACES[int(random_() * len(PLACES))],
                    *groups,
                    participants,
                    quantity,
                    f"{unit.name}组织开展{title}活动。",
                    "达到预期效果。" if status == APPROVED else "",
                    status,
                    review_level,
                    review_unit,
                    # passed_on_by: the level-1 reviewer of a submission waiting at level 2.
                    unit.level1_actor if status == SUBMITTED and review_level == 2 else null,
                    submitted,
                    submitted,  # first_submitted_at
                    waiting,
                    approved,
                    # The roll-ups' verdict at approval: first submitted by the earliest due date.
                    submitted.astimezone(local).date() <= due if status == APPROVED else null,
                    reason,
                    created,
                    updated,
                )
            )
            if status != DRAFT and random_() < 0.03:
                self._coorganiser(rows, pk, unit, status, submitted)
        return rows

    def _coorganiser(self, rows: Rows, pk: int, unit: _UnitInfo, status: str, when) -> None:
        rng = self.rng
        roll = rng.random()
        if status == APPROVED:
            answer = CONFIRMED if roll < 0.85 else PENDING if roll < 0.95 else DECLINED
        else:
            answer = CONFIRMED if roll < 0.4 else PENDING
        responded = answer != PENDING
        rows.coorganisers.append(
            (
                pk,
                rng.choice(unit.siblings),
                answer,
                self.author if responded else self.null,
                min(when + DAY, self.latest) if responded else self.null,
                when,
            )
        )


RATINGS_PER_UNIT = 40  # 200,000 at 5,000 units
COMMITMENTS_PER_UNIT = 4  # 20,000
COMMENTS_PER_UNIT = 0.6  # 3,000, two in three with a follow-up
REMARKS = ["服务热情，办事效率高", "希望多组织志愿活动", "<b>不错</b>", "有待改进"]
RATING_COLUMNS = ["link_id", "unit_id", "campaign_id", "verdict", "remark", "device", "created_at"]
RATING_COLUMNS += ["remark_hidden_reason"]
EVALUATION_TABLES = (
    AppraisalLink,
    Rating,
    AppraisalTally,
    CommitmentSet,
    Commitment,
    LeaderComment,
    FollowUp,
    FollowUpEvent,
    StandingRollup,
    AppraisalRollup,
)


def _load(columns: list[str], model, rows: list[tuple], postgres: bool) -> None:
    """Rows (without the blank hidden reason) into `model`: COPY on PostgreSQL."""
    rows = [(*row, "") for row in rows]
    if postgres:
        _copy(connection.connection, [(model, columns, _csv(rows))])
    else:
        _bulk(model, columns, rows)


def _evaluations_present(campaign: Campaign) -> bool:
    return Rating.objects.filter(campaign=campaign).exists()


def _wipe_evaluations(root: Unit) -> None:
    """Delete the evaluations of the bench tree (ratings are never deleted by the app: here
    with SQL)."""
    units = f"SELECT id FROM {Unit._meta.db_table} WHERE path LIKE %s"
    follow_ups = f"SELECT id FROM {FollowUp._meta.db_table} WHERE unit_id IN ({units})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FollowUpEvent._meta.db_table} WHERE follow_up_id IN ({follow_ups})",
            [root.path + "%"],
        )
        cursor.execute(
            f"DELETE FROM {FollowUp.activities.through._meta.db_table}"
            f" WHERE followup_id IN ({follow_ups})",
            [root.path + "%"],
        )
        for model in (
            StandingRollup,
            AppraisalRollup,
            FollowUp,
            LeaderComment,
            Commitment,
            CommitmentSet,
            AppraisalTally,
            Rating,
        ):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE unit_id IN ({units})",
                [root.path + "%"],
            )
        cursor.execute(
            f"DELETE FROM {AppraisalLink._meta.db_table} WHERE unit_id IN ({units})",
            [root.path + "%"],
        )


def due_on(task: TargetTask, campaign: Campaign) -> date:
    """Targets are due a month before the campaign ends, or at its end for optional tasks."""
    return campaign.ends_on - timedelta(days=31) if task.is_required else campaign.ends_on


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _has_leaf(node: Node, nodes: list[Node]) -> bool:
    return any(nodes[c].kind in LEAF_KINDS or nodes[c].children for c in node.children)


def _first_leaf(node: Node, nodes: list[Node]) -> Node:
    """The first depth-5 branch under `node` (or its deepest first descendant)."""
    stack = list(reversed(node.children))
    fallback = node
    while stack:
        current = nodes[stack.pop()]
        if current.depth == 5 and current.kind in LEAF_KINDS:
            return current
        if current.depth > fallback.depth:
            fallback = current
        stack.extend(reversed(current.children))
    return fallback


def _csv(rows: list[tuple]) -> io.StringIO:
    """Rows as CSV for COPY; NULLs were given as \\N."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    return buffer


def _copy(raw_connection, batches: list[tuple]) -> None:
    """COPY each (model, columns, CSV) batch into the model's table, through the psycopg2
    connection (called from a worker thread, where Django's connection may not be used)."""
    with raw_connection.cursor() as cursor:
        for model, columns, buffer in batches:
            sql = (
                f"COPY {model._meta.db_table} ({', '.join(columns)}) "
                "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            )
            cursor.copy_expert(sql, buffer)


def _drop_foreign_keys(models) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of the tables COPY fills: checked row by row at commit they cost
    more than the load itself; `_add_foreign_keys` re-adds (and so re-checks) them in one pass
    per key."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        # Check what is pending now: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return keys


def _drop_indexes(models) -> list[str]:
    """Drop the plain (not unique) indexes of the tables COPY fills, and return how to create
    them again: one sort per index after the load beats a million index insertions."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique",
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def _add_foreign_keys(keys: list[tuple[str, str, str]]) -> None:
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _bulk(model, columns: list[str], rows: list[tuple]) -> None:
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )


def ensure_admin(root: Unit) -> User:
    """The bench admin (ADMIN, an admin of the root), made if the set was built before it."""
    user, created = User.objects.get_or_create(username=ADMIN)
    if created:
        user.name, user.password = "基准市创先争优办管理员", make_password(BENCH_PASSWORD)
        user.email = f"{ADMIN}@bench.example.gov.cn"
        user.save()
    Membership.objects.get_or_create(user=user, unit=root, role=Role.ADMIN)
    return user


def _present(root: Unit, units: int, activities: int) -> bool:
    campaign = Campaign.objects.filter(unit=root, name=CAMPAIGN_NAME).first()
    return (
        campaign is not None
        and Unit.objects.filter(path__startswith=root.path).count() == units
        and Activity.objects.filter(campaign=campaign).count() == activities
        and TaskRollup.objects.filter(unit=root).exists() == (activities > 0)
    )


def _wipe(root: Unit) -> None:
    """Delete the bench tree and everything on it (raw SQL: a million rows through the ORM's
    collector would take far longer). The bench users are kept and reused."""
    t = {m.__name__: m._meta.db_table for m in (Activity, ActivityEvent, CoOrganiser, Evidence)}
    units = f"SELECT id FROM {Unit._meta.db_table} WHERE path LIKE %s"
    acts = f"SELECT id FROM {t['Activity']} WHERE unit_id IN ({units})"
    campaigns = f"SELECT id FROM {Campaign._meta.db_table} WHERE unit_id IN ({units})"
    like = [root.path + "%"]
    alone = not Unit.objects.exclude(path__startswith=root.path).exists()
    if connection.vendor == "postgresql" and alone:
        # The database holds the bench set alone (as `make bench`'s does): empty the big
        # tables at once instead of checking a million deletions at commit. CASCADE empties
        # what refers to them too, which can only be about bench activities.
        big = [
            Activity.tasks.through,
            ActivityEvent,
            CoOrganiser,
            Evidence,
            Activity,
            TaskRollup,
            UnitRollup,
            WaitingRollup,
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in big)} CASCADE")
    statements = [
        (f"DELETE FROM {t['ActivityEvent']} WHERE activity_id IN ({acts})", like),
        (
            f"DELETE FROM {Activity.tasks.through._meta.db_table} WHERE activity_id IN ({acts})",
            like,
        ),
        # One condition per statement: an OR of IN-subqueries is not hashed, but run per row.
        (f"DELETE FROM {t['CoOrganiser']} WHERE activity_id IN ({acts})", like),
        (f"DELETE FROM {t['CoOrganiser']} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {t['Evidence']} WHERE activity_id IN ({acts})", like),
        (f"DELETE FROM {t['Activity']} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {TaskRollup._meta.db_table} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {UnitRollup._meta.db_table} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {WaitingRollup._meta.db_table} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {Target._meta.db_table} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {Target.history.model._meta.db_table} WHERE unit_id IN ({units})", like),
        (
            f"DELETE FROM {TargetTask.history.model._meta.db_table} "
            f"WHERE campaign_id IN ({campaigns})",
            like,
        ),
        (f"DELETE FROM {TargetTask._meta.db_table} WHERE campaign_id IN ({campaigns})", like),
        (f"DELETE FROM {Phase._meta.db_table} WHERE campaign_id IN ({campaigns})", like),
        (f"DELETE FROM {Campaign._meta.db_table} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {Membership._meta.db_table} WHERE unit_id IN ({units})", like),
        (f"DELETE FROM {Pair._meta.db_table} WHERE first_id IN ({units})", like),
        (f"DELETE FROM {Pair._meta.db_table} WHERE second_id IN ({units})", like),
        (f"DELETE FROM {Unit._meta.db_table} WHERE path LIKE %s", like),
    ]
    _wipe_evaluations(root)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '128MB'")  # hash a million ids in memory
        for sql, params in statements:
            cursor.execute(sql, params)


if __name__ == "__main__":
    call_command(Command(), *sys.argv[1:])
