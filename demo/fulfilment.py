"""Fulfilment reports (践诺) of the demo's approved commitments, in every state a reader meets:
a draft, one waiting for review, one returned with a reason, and approved ones kept on time and
kept late. Written through evaluations.fulfilment_services, as in use.

It reads the approved commitment sets seed_demo made before it (demo.commitments); a campaign
that has none gets a few approved sets here, so the reports have something to report on."""

import io
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from activities.models import Activity, Status
from campaigns.models import Campaign
from evaluations import fulfilment_services as services
from evaluations.models import Commitment, CommitmentSet, FulfilmentReport
from units import routing
from units.models import Membership, Role, Unit

# The states the reports of a running campaign are left in, item by item; a past campaign's
# reports are all decided.
STATES = ("draft", "submitted", "returned", "on_time", "late", "on_time", "draft")
PAST_STATES = ("on_time", "late", "on_time", "on_time", "late")
PROMISES = [
    ("为辖区独居老人每月上门服务一次", "建立服务台账，每月走访记录"),
    ("开展“党员先锋岗”亮诺践诺活动", "每季度开展一次主题活动"),
    ("解决群众反映的停车难问题", "新增停车位并公示"),
    ("建成党员志愿服务队", "志愿者不少于 20 人，全年服务不少于 12 次"),
]


def _staff(unit: Unit) -> User | None:
    found = (
        Membership.objects.filter(unit=unit, role=Role.STAFF, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    return found.user if found else None


def _photo(number: int) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40 + number * 20 % 200, 40)).save(buffer, format="JPEG")
    return SimpleUploadedFile(f"践诺现场{number}.jpg", buffer.getvalue(), "image/jpeg")


def _sets_made_here(campaign: Campaign, today: date) -> None:
    """Approved sets for a few units with staff, when the campaign has no set at all."""
    if CommitmentSet.objects.filter(campaign=campaign).exists():
        return
    units = Unit.objects.filter(
        path__startswith=campaign.unit.path, is_active=True, depth__gt=2
    ).order_by("path")
    made = 0
    for unit in units:
        staff = _staff(unit)
        if staff is None:
            continue
        now = timezone.now()
        chosen = CommitmentSet.objects.create(
            unit=unit,
            campaign=campaign,
            status=Status.APPROVED,
            submitted_at=now,
            first_submitted_at=now,
            approved_at=now,
            created_by=staff,
        )
        last = min(campaign.ends_on, max(today, campaign.starts_on + timedelta(days=60)))
        for position, (promise, measure) in enumerate(PROMISES):
            due = last - timedelta(days=25 * (len(PROMISES) - position) - 40 * (position % 2))
            Commitment.objects.create(
                set=chosen,
                unit=unit,
                campaign=campaign,
                position=position,
                promise=promise,
                measure=measure,
                due_on=min(campaign.ends_on, max(campaign.starts_on, due)),
            )
        made += 1
        if made == 3:
            return


def _reviewer(report: FulfilmentReport) -> User | None:
    if report.review_unit_id is None:
        return None
    reviewers = routing.reviewers_on([report.review_unit_id]).get(report.review_unit_id, [])
    staff = set(
        Membership.objects.filter(unit_id=report.commitment.unit_id, role=Role.STAFF).values_list(
            "user_id", flat=True
        )
    )
    return next((r for r in reviewers if r.pk not in staff), None)


def _approve_all(report: FulfilmentReport) -> FulfilmentReport:
    while report.status == Status.SUBMITTED:
        reviewer = _reviewer(report)
        if reviewer is None:
            break
        report = services.report_approve(
            reviewer, report, level=report.review_level, comment="情况属实，同意。"
        )
    return report


def _play(commitment: Commitment, state: str, number: int, today: date) -> bool:
    staff = _staff(commitment.unit)
    if staff is None:
        return False
    report = services.report_start(staff, commitment)
    activity = (
        Activity.objects.filter(
            unit=commitment.unit, campaign=commitment.campaign, status=Status.APPROVED
        )
        .order_by("-starts_on", "pk")
        .first()
    )
    services.report_update(
        staff,
        report,
        statement=f"已按承诺完成：{commitment.measure}。相关记录和照片见附件。",
        activities=[activity] if activity else [],
    )
    services.file_add(staff, report, _photo(number))
    if state == "draft":
        return True
    report = services.report_submit(staff, report)
    if state == "on_time" or state == "late":
        # Reported on the due date (kept) or a week after it (late), whatever today is.
        day = commitment.due_on + timedelta(days=0 if state == "on_time" else 7)
        at = min(timezone.make_aware(datetime.combine(min(day, today), time(10))), timezone.now())
        if state == "late" and day > today:
            return True  # not yet late: leave it waiting
        FulfilmentReport.objects.filter(pk=report.pk).update(first_submitted_at=at)
        report.refresh_from_db()
        _approve_all(report)
    elif state == "returned":
        reviewer = _reviewer(report)
        if reviewer is not None:
            services.report_return(
                reviewer,
                report,
                level=report.review_level,
                reason="佐证材料不足，请补充服务台账的照片。",
            )
    return True


def fulfilment_reports(campaign: Campaign, today: date, states: tuple[str, ...] = STATES) -> int:
    """Reports for some approved items of the campaign; nothing if it has reports already."""
    if FulfilmentReport.objects.filter(commitment__campaign=campaign).exists():
        return 0
    _sets_made_here(campaign, today)
    items = list(
        Commitment.objects.filter(
            campaign=campaign, set__status=Status.APPROVED, fulfilled_at__isnull=True
        )
        .select_related("unit", "campaign")
        .order_by("unit__path", "position", "pk")
    )
    written = 0
    for number, (commitment, state) in enumerate(zip(items, states, strict=False)):
        written += _play(commitment, state, number, today)
    return written
