import io
import random
from collections import Counter
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from activities.integrity import evidence_process
from activities.models import Activity, CoOrganiser, Evidence, Status
from activities.rollups import rollups_rebuild
from activities.services import (
    activity_approve,
    activity_create,
    activity_reopen,
    activity_return,
    activity_submit,
    activity_update,
    activity_withdraw,
    coorganiser_respond,
    evidence_add,
)
from campaigns.models import Campaign, Target, TargetTask
from campaigns.services import (
    campaign_create,
    phase_create,
    target_set,
    targets_assign,
    task_create,
)
from demo import appraisal as demo_appraisal
from demo import assessment as demo_assessment
from demo import catalogue
from demo import comments as demo_comments
from demo import commitments as demo_commitments
from demo import fulfilment as demo_fulfilment
from demo import honours as demo_honours
from demo import live as demo_live
from demo.accounts import DEMO_PAIRS, DEMO_PASSWORD, DEMO_UNITS, DEMO_USERS
from units.models import KIND_LINES, Line, Membership, Pair, Role, Unit
from units.services import membership_add, pair_create, unit_create


class Command(BaseCommand):
    help = "Build the demo city (idempotent: running it again adds only what is missing)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        units = {
            unit.code: unit for unit in Unit.objects.filter(code__in=[u[0] for u in DEMO_UNITS])
        }
        created_units = 0
        for sort_order, (code, parent_code, name, kind) in enumerate(DEMO_UNITS):
            if code in units:
                continue
            unit = Unit(
                code=code,
                name=name,
                kind=kind,
                line=KIND_LINES.get(kind, Line.PARTY),
                sort_order=sort_order,
            )
            parent = units[parent_code] if parent_code else None
            if parent is not None:
                parent.refresh_from_db()
            units[code] = unit_create(parent=parent, unit=unit)
            created_units += 1

        for first, second, note in DEMO_PAIRS:
            a, b = sorted([units[first], units[second]], key=lambda u: u.pk)
            if not Pair.objects.filter(first=a, second=b).exists():
                pair_create(unit=a, other=b, note=note)

        created_users = 0
        users: dict[str, User] = {}
        for username, name, roles in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"name": name, "email": f"{username}@fukang.example.gov.cn"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if username == "admin":
                    user.is_staff = user.is_superuser = True
                user.save()
                created_users += 1
            users[username] = user
            for code, role in roles:
                if not Membership.objects.filter(user=user, unit=units[code], role=role).exists():
                    membership_add(user=user, unit=units[code], role=role)

        self.stdout.write(
            f"Demo city ready: {len(units)} units ({created_units} new), "
            f"{len(DEMO_USERS)} demo users ({created_users} new)."
        )

        for unit in units.values():
            unit.refresh_from_db()  # paths may have moved while siblings were added
        campaign = _campaign(units[catalogue.CAMPAIGN_UNIT])
        tasks = _catalogue(campaign)
        _targets(units[catalogue.CAMPAIGN_UNIT], tasks, units)
        created_activities = _season(campaign, tasks, units, users)
        if created_activities:
            _report_in_2010(campaign)
        self.stdout.write(_summary(campaign, created_activities))

        # The same campaign for this year, running now (demo.live).
        today = timezone.localdate()
        live_fields = demo_live.campaign_fields(today)
        organiser = units[catalogue.CAMPAIGN_UNIT]
        existing = Campaign.objects.filter(unit=organiser, name=live_fields["name"]).first()
        dated = existing or Campaign(**live_fields)  # a rerun keeps the first run's dates
        live = _campaign(
            organiser, fields=live_fields, phases=demo_live.phases(dated.starts_on, dated.ends_on)
        )
        moved = demo_live.Dates(live.starts_on, today)
        live_tasks = _catalogue(live)
        _targets(units[catalogue.CAMPAIGN_UNIT], live_tasks, units, due=moved.due)
        created_live = _season(live, live_tasks, units, users, dates=moved.day)
        if created_live:
            created_live += demo_live.pace_spread(
                live, live_tasks, units, moved, _logged, staff_for=_unit_staff
            )
            demo_live.reminders_due(live, units, today)
            rollups_rebuild()  # the waits moved back by the season start on their earlier days
        self.stdout.write(_summary(live, created_live))

        # The public's ratings (群众评议) of both seasons.
        rated = demo_appraisal.ratings(campaign, campaign.ends_on)
        rated += demo_appraisal.ratings(live, today - timedelta(days=1))
        if rated:
            self.stdout.write(f"{rated} ratings by the public")

        # Public commitments (公开承诺) of both seasons, in every state.
        committed = _commitments(campaign, campaign.starts_on + timedelta(days=20))
        committed += _commitments(live, None)
        if committed:
            self.stdout.write(f"{committed} commitment sets")

        # Leader comments with follow-ups in every state, for both seasons.
        commented = demo_comments.comments(campaign, users, campaign.ends_on)
        commented += demo_comments.comments(live, users, today)
        if commented:
            self.stdout.write(f"{commented} leader comments")

        # Fulfilment reports (践诺) of approved commitments, after the commitments themselves.
        reported = demo_fulfilment.fulfilment_reports(
            campaign, campaign.ends_on, demo_fulfilment.PAST_STATES
        )
        reported += demo_fulfilment.fulfilment_reports(live, today)
        if reported:
            self.stdout.write(f"{reported} fulfilment reports")

        # Assessment (考核评分) and honours (评选表彰): the 2010 campaign's final snapshot and its
        # honour roll; the running campaign's draft scores and its round open for applications.
        assessed = demo_assessment.assessment_2010(campaign, units, _member, _unit_staff)
        assessed += demo_assessment.assessment_live(live, units, _member, _unit_staff)
        if assessed:
            self.stdout.write(f"{assessed} assessment steps (bonus and deduction items, snapshot)")
        applied = demo_honours.honours_2010(campaign, units, _member, _unit_staff)
        applied += demo_honours.honours_live(live, units, _member, _unit_staff)
        if applied:
            self.stdout.write(f"{applied} honour applications")


def _campaign(organiser: Unit, fields: dict | None = None, phases=None) -> Campaign:
    fields = dict(fields or catalogue.CAMPAIGN_FIELDS)
    campaign = Campaign.objects.filter(unit=organiser, name=fields["name"]).first()
    if campaign is None:
        campaign = campaign_create(unit=organiser, fields=fields)
    have = set(campaign.phases.values_list("name", flat=True))
    for name, starts_on, deadline, description in phases or catalogue.PHASES:
        if name not in have:
            phase_create(
                campaign=campaign,
                fields={
                    "name": name,
                    "starts_on": starts_on,
                    "deadline": deadline,
                    "description": description,
                },
            )
    return campaign


def _catalogue(campaign: Campaign) -> dict[str, TargetTask]:
    tasks = {task.code: task for task in campaign.tasks.all()}
    for sort_order, spec in enumerate(catalogue.TASKS, start=1):
        if spec.code in tasks:
            continue
        tasks[spec.code] = task_create(
            campaign=campaign,
            fields={
                "code": spec.code,
                "line": spec.line,
                "title": spec.title,
                "programme": spec.programme,
                "description": spec.description,
                "metric": spec.metric,
                "quantity_label": spec.quantity_label,
                "is_required": spec.is_required,
                "sort_order": sort_order,
            },
        )
    return tasks


def _targets(
    root: Unit, tasks: dict[str, TargetTask], units: dict[str, Unit], due=lambda day: day
) -> None:
    """Bulk-assign each task to its line's kinds (committees and branches apart), then the
    per-unit overrides. Assigns only where a unit lacks the target, so a rerun writes no history.
    `due` moves the catalogue's due dates (the live campaign's)."""
    for spec in catalogue.TASKS:
        task = tasks[spec.code]
        upper, lower = catalogue.LINE_KINDS[spec.line]
        for kinds, value in ((upper, spec.upper), (lower, spec.lower)):
            if not kinds:
                continue
            missing = (
                Unit.objects.filter(path__startswith=root.path, kind__in=kinds, is_active=True)
                .exclude(targets__task=task)
                .exists()
            )
            if missing:
                targets_assign(
                    task=task, root=root, kinds=kinds, value=value, due_on=due(spec.due_on)
                )
    for code, task_code, value, due_on in catalogue.TARGET_OVERRIDES:
        task = tasks[task_code]
        if not Target.objects.filter(unit=units[code], task=task, is_override=True).exists():
            target_set(unit=units[code], task=task, value=value, due_on=due(due_on))


def _season(
    campaign: Campaign,
    tasks: dict[str, TargetTask],
    units: dict[str, Unit],
    users: dict[str, User],
    dates=None,
) -> int:
    """The catalogue's season; `dates` moves its days (the live campaign's)."""
    done = set(Activity.objects.filter(campaign=campaign).values_list("unit__code", "title"))
    created = 0
    for index, spec in enumerate(catalogue.ACTIVITIES):
        if (spec.unit, spec.title) in done:
            continue
        if dates is not None:
            spec = spec._replace(
                starts_on=dates(spec.starts_on),
                ends_on=spec.ends_on and max(dates(spec.ends_on), dates(spec.starts_on)),
            )
        _play(index, spec, campaign, tasks, units, users[spec.author])
        created += 1
    return created


def _play(
    index: int,
    spec: catalogue.DemoActivity,
    campaign: Campaign,
    tasks: dict[str, TargetTask],
    units: dict[str, Unit],
    author: User,
) -> None:
    """Take one activity as far through the workflow as its story says, through the services
    and by the users who would act on it."""
    data = {
        "title": spec.title,
        "starts_on": spec.starts_on,
        "ends_on": spec.ends_on,
        "place": spec.place,
        "quantity": spec.quantity,
        "description": spec.description,
        "outcome": spec.outcome,
        **{f"participants_{group}": count for group, count in spec.people.items()},
    }
    activity = activity_create(
        actor=author,
        unit=units[spec.unit],
        campaign=campaign,
        data=data,
        tasks=[tasks[code] for code in spec.tasks],
        coorganisers=[units[code] for code, _answer in spec.coorganisers],
    )
    for code, answer in spec.coorganisers:
        if answer is not None:
            coorganiser_respond(
                actor=_member(units[code], Role.STAFF),
                coorganiser=CoOrganiser.objects.get(activity=activity, unit=units[code]),
                confirm=answer == catalogue.CONFIRM,
            )
    for number in range(spec.photos):
        item = evidence_add(actor=author, activity=activity, upload=_photo(index, number))
        # Thumbnails and hashes now, as the worker would after the upload: the demo shows them
        # at once, and the task then finds the file done.
        evidence_process(evidence_id=item.pk)

    story = spec.story
    if story == catalogue.DRAFT:
        return
    activity = activity_submit(actor=author, activity=activity)
    if story == catalogue.WITHDRAWN:
        activity_withdraw(actor=author, activity=activity)
    elif story == catalogue.WAITING:
        _backdate(activity, spec.waited)
    elif story == catalogue.RETURNED:
        _return(activity, spec.reason)
    elif story in (catalogue.WAITING_L2, catalogue.RETURNED_L2):
        activity = _approve(activity)
        if activity.status != Status.SUBMITTED or activity.review_level != 2:
            raise CommandError(f"{spec.title}: no second review level above {spec.unit}.")
        if story == catalogue.WAITING_L2:
            _backdate(activity, spec.waited)
        else:
            _return(activity, spec.reason)
    else:
        if story == catalogue.RESUBMITTED:
            activity = _return(activity, spec.reason)
            activity = activity_update(
                actor=author,
                activity=activity,
                data={"outcome": f"{spec.outcome}（已按审核意见补充佐证材料。）"},
            )
            activity = activity_submit(
                actor=author, activity=activity, comment="已按审核意见修改，请再审。"
            )
        while activity.status == Status.SUBMITTED:
            activity = _approve(activity)
        if story == catalogue.REOPENED:
            activity_reopen(
                actor=_member(activity.review_unit, Role.REVIEWER),
                activity=activity,
                reason=spec.reason,
            )


def _logged(
    campaign: Campaign, unit: Unit, tasks: list[TargetTask], data: dict, *, approved: bool
) -> Activity:
    """One activity of `unit` by its staff, submitted and approved at every level when asked."""
    activity = activity_create(
        actor=_member(unit, Role.STAFF), unit=unit, campaign=campaign, data=data, tasks=tasks
    )
    activity = activity_submit(actor=_member(unit, Role.STAFF), activity=activity)
    while approved and activity.status == Status.SUBMITTED:
        activity = _approve(activity)
    return activity


def _unit_staff(unit: Unit) -> User:
    """The unit's staff member, or a 填报员 account made for it (the live season has every unit
    log its activities; the README's logins are the demo's people, these are their colleagues)."""
    membership = Membership.objects.filter(unit=unit, role=Role.STAFF).select_related("user")
    if membership.exists():
        return membership.order_by("user__username").first().user
    username = "staff_" + unit.code.lower().replace("-", "_")
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"name": f"{unit.name}填报员", "email": f"{username}@fukang.example.gov.cn"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    membership_add(user=user, unit=unit, role=Role.STAFF)
    return user


def _commitments(campaign: Campaign, on) -> int:
    units = list(
        Unit.objects.filter(
            path__startswith=campaign.unit.path, is_active=True, depth__gt=2
        ).order_by("path")[:10]
    )
    return demo_commitments.commitments(campaign, units, _member, _unit_staff, on=on)


def _report_in_2010(campaign: Campaign) -> None:
    # The services stamp today's date on a first submission, which would make every demo
    # activity late against its 2010 targets. The demo reports each a few days after it took
    # place instead (some after their due date), then recomputes the roll-ups from the records.
    for pk, starts_on in Activity.objects.filter(
        campaign=campaign, first_submitted_at__isnull=False
    ).values_list("pk", "starts_on"):
        reported = datetime.combine(starts_on + timedelta(days=pk % 9 * 4), time(9))
        Activity.objects.filter(pk=pk).update(first_submitted_at=timezone.make_aware(reported))
    rollups_rebuild()


def _member(unit: Unit, role: str) -> User:
    membership = (
        Membership.objects.filter(unit=unit, role=role, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if membership is None:
        raise CommandError(f"The demo has no {role} on {unit.name}.")
    return membership.user


def _approve(activity: Activity) -> Activity:
    """One approval by a reviewer of the unit the submission waits on, at its current level."""
    return activity_approve(
        actor=_member(activity.review_unit, Role.REVIEWER),
        activity=activity,
        level=activity.review_level,
        comment="同意。",
    )


def _return(activity: Activity, reason: str) -> Activity:
    return activity_return(
        actor=_member(activity.review_unit, Role.REVIEWER),
        activity=activity,
        level=activity.review_level,
        reason=reason,
    )


def _backdate(activity: Activity, days: int) -> None:
    # The services stamp the real time; the demo moves a waiting submission back by `days` so the
    # queue shows overdue, nearly due and fresh work against the 7-day review deadline. Only these
    # two timestamps are touched, directly: no transition or event is faked.
    waiting_since = timezone.now() - timedelta(days=days)
    earlier = timedelta(days=2) if activity.review_level > 1 else timedelta(0)
    Activity.objects.filter(pk=activity.pk).update(
        waiting_since=waiting_since, submitted_at=waiting_since - earlier
    )


_COLOURS = [(196, 30, 58), (230, 126, 34), (241, 196, 15), (39, 174, 96), (41, 128, 185)]


def _photo(index: int, number: int) -> SimpleUploadedFile:
    """A small gradient PNG standing in for a photo of the activity."""
    size = (480, 320)
    top = Image.new("RGB", size, _COLOURS[(index + number) % len(_COLOURS)])
    bottom = Image.new("RGB", size, _COLOURS[(index + number + 2) % len(_COLOURS)])
    mask = Image.linear_gradient("L").resize(size)
    picture = Image.composite(bottom, top, mask)
    # A few shapes placed per photo, so that no two demo photos look alike to the perceptual
    # hash (activities.integrity) — a plain gradient is the same picture whatever its colours.
    chance = random.Random(index * 100 + number)
    draw = ImageDraw.Draw(picture)
    for _shape in range(6):
        x, y = chance.randrange(0, 400), chance.randrange(0, 240)
        box = (x, y, x + chance.randrange(40, 160), y + chance.randrange(30, 120))
        shade = tuple(chance.randrange(0, 256) for _ in range(3))
        (draw.ellipse if chance.random() < 0.5 else draw.rectangle)(box, fill=shade)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return SimpleUploadedFile(
        f"活动照片{number + 1}.png", buffer.getvalue(), content_type="image/png"
    )


def _summary(campaign: Campaign, created: int) -> str:
    activities = Activity.objects.filter(campaign=campaign)
    by_status = Counter(activities.values_list("status", flat=True))
    at_level_2 = activities.filter(status=Status.SUBMITTED, review_level=2).count()
    statuses = ", ".join(f"{status} {by_status.get(status, 0)}" for status in Status.values)
    coorganised = activities.filter(coorganisers__isnull=False).distinct().count()
    return (
        f"Campaign “{campaign.name}”: {campaign.phases.count()} phases, "
        f"{campaign.tasks.count()} tasks, "
        f"{Target.objects.filter(task__campaign=campaign).count()} targets.\n"
        f"Activities: {activities.count()} ({created} new): {statuses} "
        f"({at_level_2} waiting at level 2); {coorganised} co-organised, "
        f"{Evidence.objects.filter(activity__campaign=campaign).count()} evidence files."
    )
