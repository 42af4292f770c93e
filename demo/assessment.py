"""The demo's assessment (考核评分, issue 14 §1), through evaluations' services:

- the finished 2010 campaign: the default scoring scheme, bonus and deduction items (加分/扣分)
  with reasons, approved level by level in December 2010; a snapshot taken and published for
  objections (公示) in January 2011; one unit's objection, rejected with the reason. Its window
  closed long ago, so the snapshot is the campaign's final result (snapshot_selectors.is_final).
- the running campaign: the default scheme and items in several states (a draft, one waiting at
  level 1, approved ones): the draft scores move with them, and are kept
  (evaluations.draft_score_services) once the items are in.

The services stamp the real time; the 2010 steps run as of their days in 2010/2011 (timezone.now
patched, as demo.commitments does). Idempotent: a campaign that has items (or a snapshot) is
left as it is.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from accounts.models import User
from activities.models import Status
from campaigns.models import Campaign
from evaluations import (
    adjustment_services,
    draft_score_services,
    scoring_services,
    snapshot_services,
)
from evaluations.models import Adjustment, Snapshot
from units.models import Role, Unit

Member = Callable[[Unit, str], User]
StaffFor = Callable[[Unit], User]

APPROVED, WAITING, DRAFT = "approved", "waiting", "draft"

# (unit code, points, reason, state): bonuses by the unit's staff, deductions by an admin above.
ITEMS_2010: list[tuple[str, str, str, str]] = [
    (
        "CG-ZB1",
        "3",
        "西大街社区党支部“党员先锋岗”经验被《昌吉日报》专题报道，并在全州社区党建工作会上交流。",
        APPROVED,
    ),
    (
        "YQ-GH",
        "2",
        "园区企业联合工会组织的职工技能比武获自治区总工会“优秀组织奖”。",
        APPROVED,
    ),
    (
        "CG-TZB",
        "1.5",
        "卡子湾村团支部青年志愿服务队获评昌吉州“优秀青年志愿服务集体”。",
        APPROVED,
    ),
    (
        "JYJ-ZB1",
        "-2",
        "六运村党支部第三季度活动台账未按时报送，经督查两次提醒后仍逾期 15 天。",
        APPROVED,
    ),
    (
        "JG-ZB2",
        "-1",
        "市财政局党支部报送的一项共建活动照片与其他单位重复，已核实并责令整改。",
        APPROVED,
    ),
]
ITEMS_LIVE: list[tuple[str, str, str, str]] = [
    (
        "CG-ZB1",
        "2",
        "社区“红色物业”做法被市委组织部作为典型案例印发推广。",
        APPROVED,
    ),
    (
        "JG-GH",
        "1",
        "市直机关工会职工书屋获评州级“示范职工书屋”。",
        WAITING,
    ),
    (
        "CG-FL",
        "1",
        "城关镇妇联“巾帼家政”培训班带动 32 名妇女就业，已向州妇联申报表彰。",
        DRAFT,
    ),
    (
        "JYJ-ZB1",
        "-1",
        "上半年主题党日活动有两次未按要求上传活动照片，经提醒后补齐。",
        APPROVED,
    ),
]

ITEMS_ON = date(2010, 12, 20)  # the 2010 items are entered and reviewed in the campaign's last days
TAKEN_ON = date(2011, 1, 4)  # the snapshot is taken and published (公示) …
WINDOW_DAYS = 5  # … for five working days
OBJECTED_ON = date(2011, 1, 6)
ANSWERED_ON = date(2011, 1, 7)
OBJECTING_UNIT = "JYJ-ZB1"
OBJECTION = (
    "我支部第三季度台账逾期系因村委会换届、支部书记调整所致，已于 10 月补报，请求撤销 2 分扣分。"
)
ANSWER = (
    "经核查，该支部第三季度台账于截止日后第 15 天报送，其间经市创先争优办两次书面提醒，"
    "换届不属于延期报送的情形，扣分依据充分。维持原评分。"
)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@contextmanager
def as_of(moment: datetime | None) -> Iterator[None]:
    """Run the services as of `moment` (the real time when None)."""
    if moment is None:
        yield
        return
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _items(
    campaign: Campaign,
    units: dict[str, Unit],
    specs: list[tuple[str, str, str, str]],
    member: Member,
    staff_for: StaffFor,
) -> int:
    """The items of `specs`, each taken as far as its state says; none when the campaign has
    items already."""
    if Adjustment.objects.filter(campaign=campaign).exists():
        return 0
    admin = member(units["FK"], Role.ADMIN)
    for code, points, reason, state in specs:
        unit = units[code]
        value = Decimal(points)
        author = staff_for(unit) if value > 0 else admin
        item = adjustment_services.adjustment_create(
            actor=author, unit=unit, campaign=campaign, points=value, reason=reason
        )
        if state == DRAFT:
            continue
        item = adjustment_services.adjustment_submit(actor=author, item=item)
        while state == APPROVED and item.status == Status.SUBMITTED:
            reviewer = member(item.review_unit, Role.REVIEWER)
            item = adjustment_services.adjustment_approve(
                actor=reviewer, item=item, level=item.review_level, comment="情况属实，同意。"
            )
    return len(specs)


def assessment_2010(
    campaign: Campaign, units: dict[str, Unit], member: Member, staff_for: StaffFor
) -> int:
    """The finished campaign's final result: items, a published snapshot, one objection
    answered. Returns how many steps were written (0 when it was there already)."""
    if Snapshot.objects.filter(campaign=campaign).exists():
        return 0
    with as_of(at(ITEMS_ON)):
        scoring_services.scheme_default(campaign=campaign)
        written = _items(campaign, units, ITEMS_2010, member, staff_for)
    admin = member(units["FK"], Role.ADMIN)
    with as_of(at(TAKEN_ON)):
        snapshot = snapshot_services.snapshot_take(admin, campaign, at=at(TAKEN_ON))
        snapshot = snapshot_services.snapshot_publish(
            admin, snapshot, window_days=WINDOW_DAYS, at=at(TAKEN_ON, 15)
        )
    objecting = units[OBJECTING_UNIT]
    with as_of(at(OBJECTED_ON)):
        objection = snapshot_services.objection_file(
            staff_for(objecting), snapshot, objecting, reasons=OBJECTION, at=at(OBJECTED_ON)
        )
    with as_of(at(ANSWERED_ON)):
        snapshot_services.objection_answer(
            admin, objection, upheld=False, answer=ANSWER, at=at(ANSWERED_ON)
        )
    return written + 4


def assessment_live(
    campaign: Campaign, units: dict[str, Unit], member: Member, staff_for: StaffFor
) -> int:
    """The running campaign's draft scores: the scheme and items in several states."""
    scoring_services.scheme_default(campaign=campaign)
    steps = _items(campaign, units, ITEMS_LIVE, member, staff_for)
    # The kept draft scores, so the demo's pages, workbench and dashboards show them at once
    # (Celery keeps them current afterwards); recomputed on every run, from the records as seeded.
    draft_score_services.draft_scores_recompute(campaign=campaign)
    return steps
