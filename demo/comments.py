"""Leader comments (领导点评) with grades and follow-ups (整改) in every state, for a demo campaign:
open, acknowledged, reported, sent back, closed on time, closed late and overdue, plus comments
without a follow-up on a task and on an activity. Written through evaluations.comment_services,
with the moments of each step set back from the campaign's "now" (today while it runs, its last
day once it has ended), so the history reads as it would have happened."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activities.models import Activity, Status
from campaigns.models import Campaign
from evaluations import comment_services as services
from evaluations.models import Grade, LeaderComment
from units.models import Membership, Role, Unit

# (unit code, leader's username, state, grade, text, written, due, steps) — days relative to
# the campaign's "now"; steps: (action, day, words).
SCRIPT = [
    (
        "JG-ZB1",
        "jg_leader",
        "open",
        Grade.FAIR,
        "主题党日活动记录不够完整，请补齐签到和照片。",
        -3,
        14,
        [],
    ),
    (
        "JG-GH",
        "jg_leader",
        "acknowledged",
        Grade.FAIRLY_GOOD,
        "职工服务活动覆盖面还可扩大。",
        -10,
        7,
        [("acknowledge", -8, "")],
    ),
    (
        "CG-ZB1",
        "cg_leader",
        "reported",
        Grade.FAIR,
        "社区志愿服务台账需规范，按月归档。",
        -20,
        3,
        [("acknowledge", -18, ""), ("report", -5, "已按月整理志愿服务台账并归档。")],
    ),
    (
        "CG-TZB",
        "cg_leader",
        "sent_back",
        Grade.POOR,
        "团员参与率偏低，请制定整改措施。",
        -25,
        5,
        [
            ("report", -12, "召开了团员大会。"),
            ("send_back", -9, "只开会不够，请附参与人数和具体措施。"),
        ],
    ),
    (
        "CG-FL",
        "cg_leader",
        "closed on time",
        Grade.FAIRLY_GOOD,
        "妇女之家活动宣传不足。",
        -40,
        -29,
        [
            ("acknowledge", -38, ""),
            ("report", -30, "制作了宣传栏，并在公众号发布活动信息。"),
            ("close", -28, ""),
        ],
    ),
    (
        "FK-ZGH",
        "city_leader",
        "closed late",
        Grade.FAIR,
        "困难职工帮扶名单更新不及时。",
        -45,
        -25,
        [("report", -20, "已核实并更新帮扶名单。"), ("close", -18, "")],
    ),
    (
        "YQ-GH",
        "city_leader",
        "overdue",
        Grade.POOR,
        "园区企业工会组建进度落后，请限期整改。",
        -30,
        -6,
        [("acknowledge", -28, "")],
    ),
]
WITHOUT_FOLLOW_UP = [
    ("JG-ZB1", "jg_leader", Grade.GOOD, "“三会一课”坚持得好，值得推广。"),
    ("CG-ZB1", "cg_leader", Grade.FAIRLY_GOOD, "社区活动贴近群众，继续保持。"),
]


def _moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _staff(unit: Unit):
    membership = (
        Membership.objects.filter(unit=unit, role=Role.STAFF, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return membership.user if membership else None


def comments(campaign: Campaign, users: dict, now: date) -> int:
    """Write the script for `campaign` as of the local date `now`; nothing if already done.
    Returns the number of comments written."""
    if LeaderComment.objects.filter(campaign=campaign).exists():
        return 0
    units = {u.code: u for u in Unit.objects.filter(code__in={row[0] for row in SCRIPT})}
    written = 0
    for code, leader, _state, grade, text, wrote, due, steps in SCRIPT:
        unit, author = units.get(code), users.get(leader)
        staff = _staff(unit) if unit else None
        if unit is None or author is None or staff is None:
            continue
        comment = services.comment_write(
            author,
            unit,
            campaign,
            text,
            grade=grade,
            follow_up_due=now + timedelta(days=due),
            at=_moment(now + timedelta(days=wrote)),
        )
        written += 1
        follow_up = comment.follow_up
        for action, day, words in steps:
            at = _moment(now + timedelta(days=day), 15)
            if action == "acknowledge":
                services.follow_up_acknowledge(staff, follow_up, at=at)
            elif action == "report":
                done = Activity.objects.filter(
                    unit=unit, campaign=campaign, status=Status.APPROVED
                ).order_by("-starts_on")[:1]
                services.follow_up_report(staff, follow_up, words, list(done), at=at)
            elif action == "send_back":
                services.follow_up_send_back(author, follow_up, words, at=at)
            elif action == "close":
                services.follow_up_close(author, follow_up, at=at)
            follow_up.refresh_from_db()
    for code, leader, grade, text in WITHOUT_FOLLOW_UP:
        unit, author = units.get(code), users.get(leader)
        if unit is None or author is None:
            continue
        activity = (
            Activity.objects.filter(unit=unit, campaign=campaign, status=Status.APPROVED)
            .order_by("-starts_on")
            .first()
        )
        services.comment_write(
            author,
            unit,
            campaign,
            text,
            grade=grade,
            activity=activity,
            at=_moment(now - timedelta(days=2), 9),
        )
        written += 1
    return written
