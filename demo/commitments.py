"""The demo city's public commitments (公开承诺) in both campaigns: sets in every state — approved
(published on the units' boards), waiting at level 1 or 2, returned with a reason, a draft — each
written through evaluations.commitment_services, so the review events and notices are as in use.

The 2010 campaign is over: its sets are written as of a day early in it (the services ask for a
running campaign and due dates after "today"), so their events carry that day."""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.utils import timezone

from accounts.models import User
from activities.models import Status
from campaigns.models import Campaign
from evaluations import commitment_services as services
from evaluations.models import CommitmentSet
from units.models import Role, Unit

PROMISES = [
    ("每月开展一次主题党日活动", "全年不少于 12 次，有记录、有照片"),
    ("党员联系服务困难群众", "每名党员结对 2 户，每季度走访一次"),
    ("开展“我为群众办实事”项目", "完成 5 件群众急难愁盼实事"),
    ("建设党员先锋岗", "设立先锋岗 3 个，群众满意率 90% 以上"),
    ("组织志愿服务活动", "参与党员 80% 以上，服务时长 500 小时"),
    ("推进党群共建项目", "与结对单位共办活动 4 次"),
]
# The state of each unit's set, in tree order; units past the list have none (to draft).
PLAN = ["approved", "approved", "submitted", "returned", "approved", "draft", "passed", "approved"]

Member = Callable[[Unit, str], User]


def _items(who: User, commitment_set: CommitmentSet, rng: random.Random, first: date) -> None:
    last = commitment_set.campaign.ends_on
    for promise, measure in rng.sample(PROMISES, rng.randint(2, 4)):
        due = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        services.item_add(who, commitment_set, promise=promise, measure=measure, due_on=due)


def _play(unit: Unit, campaign: Campaign, state: str, member: Member, staff_for, rng) -> None:
    staff = staff_for(unit)
    commitment_set = services.draft_set(staff, unit, campaign)
    _items(staff, commitment_set, rng, timezone.localdate() + timedelta(days=10))
    if state == "draft":
        return
    commitment_set = services.set_submit(staff, commitment_set)
    if state == "returned":
        reviewer = member(commitment_set.review_unit, Role.REVIEWER)
        services.set_return(reviewer, commitment_set, 1, "承诺措施不够具体，请量化衡量标准。")
        return
    if state == "submitted":
        return
    for _step in range(campaign.review_levels):
        commitment_set.refresh_from_db()
        if commitment_set.status != Status.SUBMITTED:
            break
        reviewer = member(commitment_set.review_unit, Role.REVIEWER)
        services.set_approve(reviewer, commitment_set, commitment_set.review_level, "同意公开。")
        if state == "passed":
            break


def commitments(
    campaign: Campaign, units: list[Unit], member: Member, staff_for, *, on: date | None = None
) -> int:
    """Sets of `units` (in the plan's states) in `campaign`, as of the day `on` (today when None);
    nothing when the campaign has sets already. Returns how many sets were written."""
    if CommitmentSet.objects.filter(campaign=campaign).exists():
        return 0
    rng = random.Random(campaign.pk)
    moment = timezone.make_aware(datetime.combine(on, time(10))) if on else None
    patch = mock.patch("django.utils.timezone.now", return_value=moment) if moment else None
    written = 0
    if patch:
        patch.start()
    try:
        for unit, state in zip(units, PLAN, strict=False):
            _play(unit, campaign, state, member, staff_for, rng)
            written += 1
    finally:
        if patch:
            patch.stop()
    for unit in units[: len(PLAN)]:
        services.board_for(unit)
    return written
