"""Writes of honours (评选表彰), first half: rounds and their quotas, applications (自愿申报) and
their recommendation level by level (逐级推荐) through units.routing.

Who may:
- rounds and quotas: the admins of the campaign's organising unit or above it
  (campaigns.selectors.can_manage_campaign);
- an application: the unit's staff draft, edit, submit and withdraw it, within the round's
  application window; withdrawn only while it waits at level 1 (before anyone acted);
- a recommendation: the reviewers the routing names for the unit it waits on
  (units.routing.may_review: a reviewer strictly above the unit and at or above that unit), never
  the unit's own staff. They recommend it — it moves on to the next level, within the quota of
  the unit it waited on (honour_selectors.quota_for) — or decline it with a reason. At the
  round's organising unit a recommendation shortlists it.

Every step is a Recommendation row. Recommending takes the round's row lock, so two reviewers
recommending at once cannot pass the quota. Every refusal is an EvaluationError with a message
for the user."""

from collections.abc import Mapping
from datetime import date, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities import evidence as evidence_files
from activities.exceptions import EvidenceRejected
from campaigns import deadlines
from campaigns.models import Campaign
from campaigns.selectors import can_manage_campaign
from evaluations import honour_selectors as selectors
from evaluations.exceptions import (
    HonourRefused,
    NotAllowed,
    QuotaExceeded,
    TransitionRefused,
)
from evaluations.models import (
    CASE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    Application,
    ApplicationStatus,
    HonourCategory,
    HonourKind,
    HonourRound,
    Quota,
    Recommendation,
    RecommendationAction,
    ReportFile,
)
from evaluations.signals import step_committed_after_commit
from units import routing
from units.locks import tree_locked_for_counting
from units.models import Unit, UnitKind
from units.scope import Scope

Who = User | Scope

MAX_PUBLICITY_DAYS = 30
MAX_RANK = 999
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)
# Applications that still stand: another of the same unit, category and nominee is refused.
STANDING = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.WAITING,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.COMMENDED,
)
# The registration form (登记表): its fields by kind of honour; every value is text.
REGISTRATION_FIELDS: Mapping[str, tuple[str, ...]] = {
    HonourKind.INDIVIDUAL: (
        "gender",
        "birth_year",
        "ethnicity",
        "political_status",
        "education",
        "prior_honours",
    ),
    HonourKind.COLLECTIVE: ("leader", "members", "established", "prior_honours"),
}
REQUIRED_REGISTRATION: Mapping[str, tuple[str, ...]] = {
    HonourKind.INDIVIDUAL: ("gender", "birth_year", "political_status"),
    HonourKind.COLLECTIVE: ("leader", "members"),
}


# --- Rounds and quotas ---------------------------------------------------------------------------


def may_manage(
    who: Who, honour_round: HonourRound | None = None, *, campaign: Campaign | None = None
) -> bool:
    """An admin of the campaign's organising unit or above it (of `honour_round`'s campaign, or
    of `campaign` for a round not made yet)."""
    found = campaign if campaign is not None else getattr(honour_round, "campaign", None)
    return found is not None and can_manage_campaign(who, found)


def _check_round(
    title: str, opens_on: date | None, closes_on: date | None, days: int
) -> tuple[str, date, date]:
    title = (title or "").strip()
    if not title:
        raise HonourRefused(_("Give the round a title."))
    if opens_on is None or closes_on is None or closes_on < opens_on:
        raise HonourRefused(_("Applications cannot close before they open."))
    if not 1 <= days <= MAX_PUBLICITY_DAYS:
        raise HonourRefused(
            _("The notice period is from 1 to %(max)s working days.") % {"max": MAX_PUBLICITY_DAYS}
        )
    return title, opens_on, closes_on


@transaction.atomic
def round_create(
    who: Who,
    *,
    campaign: Campaign,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    publicity_days: int,
) -> HonourRound:
    actor = Scope.of(who)
    if not may_manage(actor, campaign=campaign):
        raise NotAllowed(_("Only an admin of the campaign's organising unit may do this."))
    title, opens, closes = _check_round(title, opens_on, closes_on, publicity_days)
    honour_round = HonourRound(
        campaign=campaign,
        title=title,
        opens_on=opens,
        closes_on=closes,
        publicity_days=publicity_days,
        created_by=actor.user,
    )
    honour_round.full_clean()
    honour_round.save()
    return honour_round


def _locked_round(honour_round: HonourRound) -> HonourRound:
    return (
        HonourRound.objects.select_for_update(of=("self",))
        .select_related("campaign__unit")
        .get(pk=honour_round.pk)
    )


@transaction.atomic
def round_update(
    who: Who,
    honour_round: HonourRound,
    *,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    publicity_days: int,
) -> HonourRound:
    actor = Scope.of(who)
    current = _locked_round(honour_round)
    if not may_manage(actor, current):
        raise NotAllowed(_("Only an admin of the campaign's organising unit may do this."))
    if current.published_at is not None:
        raise HonourRefused(_("The shortlist is published: the round can no longer change."))
    current.title, current.opens_on, current.closes_on = _check_round(
        title, opens_on, closes_on, publicity_days
    )
    current.publicity_days = publicity_days
    current.full_clean()
    current.save(update_fields=["title", "opens_on", "closes_on", "publicity_days"])
    return current


@transaction.atomic
def quota_set(
    who: Who,
    honour_round: HonourRound,
    *,
    category: HonourCategory,
    count: int,
    unit: Unit | None = None,
    unit_kind: str = "",
) -> Quota:
    """Set the quota of `category` for one unit, or for the units of a kind, or (neither) for
    any recommending unit; an existing row for the same is changed."""
    actor = Scope.of(who)
    current = _locked_round(honour_round)
    if not may_manage(actor, current):
        raise NotAllowed(_("Only an admin of the campaign's organising unit may do this."))
    if current.published_at is not None:
        raise HonourRefused(_("The shortlist is published: the round can no longer change."))
    unit_kind = unit_kind or ""
    if unit is not None and unit_kind:
        raise HonourRefused(_("Set a quota for one unit or for a kind of unit, not both."))
    if unit_kind and unit_kind not in UnitKind.values:
        raise HonourRefused(_("Choose a kind of unit from the list."))
    if unit is not None and not unit.path.startswith(current.campaign.unit.path):
        raise HonourRefused(_("The unit must be one the campaign covers."))
    if count is None or not 0 <= count <= MAX_RANK:
        raise HonourRefused(_("A quota is a whole number from 0 to %(max)s.") % {"max": MAX_RANK})
    quota, _created = Quota.objects.update_or_create(
        round=current,
        category=category,
        unit=unit,
        unit_kind=unit_kind,
        defaults={"count": count},
    )
    return quota


@transaction.atomic
def quota_delete(who: Who, quota: Quota) -> None:
    actor = Scope.of(who)
    current = _locked_round(quota.round)
    if not may_manage(actor, current):
        raise NotAllowed(_("Only an admin of the campaign's organising unit may do this."))
    if current.published_at is not None:
        raise HonourRefused(_("The shortlist is published: the round can no longer change."))
    Quota.objects.filter(pk=quota.pk).delete()


# --- Applications --------------------------------------------------------------------------------


def window_open(honour_round: HonourRound) -> bool:
    """Applications are made and submitted from `opens_on` to `closes_on`, local days of the
    campaign (campaigns.deadlines)."""
    today = deadlines.today(honour_round.campaign)
    return honour_round.opens_on <= today <= honour_round.closes_on


def window_over(honour_round: HonourRound, at: datetime | None = None) -> bool:
    """Has the application window closed (its last day, `closes_on`, is past) now or at `at`?"""
    return deadlines.today(honour_round.campaign, at) > honour_round.closes_on


def may_apply(who: Who, honour_round: HonourRound, unit: Unit) -> bool:
    """The unit's staff, for an active unit below the round's organising unit, in the window."""
    organiser = honour_round.campaign.unit
    return (
        Scope.of(who).is_staff_of(unit)
        and unit.is_active
        and unit.path.startswith(organiser.path)
        and unit.pk != organiser.pk
        and window_open(honour_round)
    )


def may_edit(who: Who, application: Application) -> bool:
    return (
        application.status in EDITABLE
        and Scope.of(who).is_staff_of(application.unit_id)
        and window_open(application.round)
    )


def may_withdraw(who: Who, application: Application) -> bool:
    """The unit's staff, while it waits at level 1: nobody has acted on it yet."""
    return (
        application.status == ApplicationStatus.WAITING
        and application.level == 1
        and Scope.of(who).is_staff_of(application.unit_id)
    )


def may_recommend(who: Who, application: Application) -> bool:
    """A reviewer the routing names for the unit it waits on (units.routing.may_review), not
    the unit's own staff — and a reviewer *on* that unit: a level acts only on what reached it,
    never on its behalf from above (its quota is its own). A superuser may act anywhere."""
    actor = Scope.of(who)
    waiting_on = application.waiting_unit
    return (
        application.status == ApplicationStatus.WAITING
        and not actor.is_staff_of(application.unit_id)
        and routing.may_review(actor, application.unit, waiting_on)
        and (
            actor.superuser or (waiting_on is not None and waiting_on.path in actor.reviewer_paths)
        )
    )


def _clean_registration(kind: str, registration: Mapping[str, object] | None) -> dict[str, str]:
    given = registration or {}
    cleaned = {}
    for name in REGISTRATION_FIELDS[kind]:
        value = str(given.get(name) or "").strip()[:200]
        if value:
            cleaned[name] = value
    return cleaned


def _checked(
    honour_round: HonourRound,
    unit: Unit,
    category: HonourCategory,
    person_name: str,
    person_post: str,
    case: str,
    summary: str,
    exclude: int | None = None,
) -> tuple[str, str, str, str]:
    person_name, person_post = (person_name or "").strip(), (person_post or "").strip()
    case, summary = (case or "").strip(), (summary or "").strip()
    if not category.is_active or not selectors.fits(category, unit):
        raise HonourRefused(
            _("“%(category)s” is not an honour this unit may apply or nominate for.")
            % {"category": category.name}
        )
    if category.kind == HonourKind.INDIVIDUAL and not (person_name and person_post):
        raise HonourRefused(_("Give the name and the post of the person nominated."))
    if len(person_name) > 50 or len(person_post) > 100:
        raise HonourRefused(_("The name or the post is too long."))
    if len(case) > CASE_MAX_LENGTH:
        raise HonourRefused(_("The case is at most %(max)s characters.") % {"max": CASE_MAX_LENGTH})
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise HonourRefused(
            _("The summary is at most %(max)s characters.") % {"max": SUMMARY_MAX_LENGTH}
        )
    twins = Application.objects.filter(
        round=honour_round,
        unit=unit,
        category=category,
        person_name=person_name,
        status__in=STANDING,
    )
    if exclude is not None:
        twins = twins.exclude(pk=exclude)
    if twins.exists():
        raise HonourRefused(_("This unit has already applied for this honour for this nominee."))
    return person_name, person_post, case, summary


@transaction.atomic
def application_create(
    who: Who,
    *,
    honour_round: HonourRound,
    unit: Unit,
    category: HonourCategory,
    person_name: str = "",
    person_post: str = "",
    registration: Mapping[str, object] | None = None,
    case: str = "",
    summary: str = "",
) -> Application:
    """A draft application of `unit` in the round: for the unit itself (a collective honour; a
    name, when given, is a team or family under it) or for a person it nominates."""
    actor = Scope.of(who)
    if not actor.is_staff_of(unit):
        raise NotAllowed(_("Only the unit's staff may apply for it."))
    honour_round = _locked_round(honour_round)
    if not may_apply(actor, honour_round, unit):
        raise HonourRefused(
            _("Applications are made within the round's window, by units below its organiser.")
        )
    person_name, person_post, case, summary = _checked(
        honour_round, unit, category, person_name, person_post, case, summary
    )
    application = Application(
        round=honour_round,
        category=category,
        unit=unit,
        person_name=person_name,
        person_post=person_post,
        registration=_clean_registration(category.kind, registration),
        case=case,
        summary=summary,
        created_by=actor.user,
    )
    application.full_clean(exclude=["case", "summary"])
    application.save()
    return application


def _locked(application: Application) -> Application:
    tree_locked_for_counting()
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round__campaign__unit", "category", "unit", "waiting_unit")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_update(
    who: Who,
    application: Application,
    *,
    category: HonourCategory,
    person_name: str = "",
    person_post: str = "",
    registration: Mapping[str, object] | None = None,
    case: str = "",
    summary: str = "",
) -> Application:
    actor = Scope.of(who)
    current = _locked(application)
    _check_editable(actor, current)
    person_name, person_post, case, summary = _checked(
        current.round, current.unit, category, person_name, person_post, case, summary, current.pk
    )
    current.category = category
    current.person_name, current.person_post = person_name, person_post
    current.registration = _clean_registration(category.kind, registration)
    current.case, current.summary = case, summary
    current.full_clean(exclude=["case", "summary"])
    current.save(
        update_fields=[
            "category",
            "person_name",
            "person_post",
            "registration",
            "case",
            "summary",
            "updated_at",
        ]
    )
    return current


def _check_editable(actor: Scope, application: Application) -> None:
    if not actor.is_staff_of(application.unit_id):
        raise NotAllowed(_("Only the unit's staff may change its application."))
    if application.status not in EDITABLE:
        raise TransitionRefused(
            _("This application is “%(status)s”: it can be changed only as a draft or withdrawn.")
            % {"status": application.get_status_display()}
        )
    if not window_open(application.round):
        raise HonourRefused(_("The round's application window is closed."))


def _step(
    application: Application,
    action: str,
    *,
    actor: Scope | None,
    unit: Unit | None,
    level: int,
    rank: int | None = None,
    reason: str = "",
) -> Recommendation:
    step = Recommendation(
        application=application,
        unit=unit,
        level=level,
        action=action,
        rank=rank,
        reason=reason,
        actor=actor.user if actor is not None else None,
    )
    step.full_clean()
    step.save()
    step_committed_after_commit("honour_step", step.pk)
    return step


def _stop(honour_round: HonourRound, found: Unit | None) -> Unit:
    """Where an application waits: the unit the routing names, but never above the round's
    organising unit (nor none), where the last level shortlists."""
    organiser = honour_round.campaign.unit
    if found is None or not found.path.startswith(organiser.path):
        return organiser
    return found


@transaction.atomic
def application_submit(who: Who, application: Application) -> Application:
    """Send it to level 1 (units.routing.waiting_unit), within the window."""
    actor = Scope.of(who)
    current = _locked(application)
    _check_editable(actor, current)
    if not current.case.strip() or not current.summary.strip():
        raise HonourRefused(_("Write the case (事迹材料) and the summary before submitting."))
    missing = [
        name
        for name in REQUIRED_REGISTRATION[current.category.kind]
        if not current.registration.get(name)
    ]
    if missing:
        raise HonourRefused(_("Fill in the registration form before submitting."))
    if not current.category.is_active or not selectors.fits(current.category, current.unit):
        raise HonourRefused(_("This unit may no longer apply for this honour."))
    now = timezone.now()
    current.status = ApplicationStatus.WAITING
    current.level = 1
    current.waiting_unit = _stop(current.round, routing.waiting_unit(current.unit, 1))
    current.waiting_since = now
    current.decline_reason = ""
    current.save(
        update_fields=[
            "status",
            "level",
            "waiting_unit",
            "waiting_since",
            "decline_reason",
            "updated_at",
        ]
    )
    _step(current, RecommendationAction.SUBMIT, actor=actor, unit=current.unit, level=0)
    return current


@transaction.atomic
def application_withdraw(who: Who, application: Application) -> Application:
    actor = Scope.of(who)
    current = _locked(application)
    if not actor.is_staff_of(current.unit_id):
        raise NotAllowed(_("Only the unit's staff may withdraw its application."))
    if not may_withdraw(actor, current):
        raise TransitionRefused(
            _("It can be withdrawn only while it waits at the first level, before anyone acts.")
        )
    current.status = ApplicationStatus.WITHDRAWN
    current.level, current.waiting_unit, current.waiting_since = 0, None, None
    current.save(update_fields=["status", "level", "waiting_unit", "waiting_since", "updated_at"])
    _step(current, RecommendationAction.WITHDRAW, actor=actor, unit=current.unit, level=0)
    return current


def _check_recommender(actor: Scope, current: Application, level: int) -> None:
    if current.status != ApplicationStatus.WAITING or current.level != level:
        raise TransitionRefused(
            _("This application is now “%(status)s”: someone may have acted on it first.")
            % {"status": current.get_status_display()}
        )
    if actor.is_staff_of(current.unit_id):
        raise NotAllowed(_("You cannot recommend an application of a unit you report for."))
    if not may_recommend(actor, current):
        raise NotAllowed(_("This application has not reached a level where you recommend."))


@transaction.atomic
def application_recommend(
    who: Who, application: Application, *, level: int, rank: int | None = None, reason: str = ""
) -> Application:
    """Recommend it at `level` (the level it waits at): within the quota of the unit it waits on
    for its category, it moves on to the next level — or, at the round's organising unit, onto
    the shortlist. `rank` orders the unit's recommendations (next after its last when not given)."""
    actor = Scope.of(who)
    tree_locked_for_counting()  # before the first row lock, as every transition (units.locks)
    honour_round = _locked_round(application.round)  # one recommendation at a time per round
    current = _locked(application)
    _check_recommender(actor, current, level)
    here = current.waiting_unit
    assert here is not None  # WAITING applications wait on a unit (_stop)
    quota = selectors.category_quota_use(honour_round, current.category, here)
    used = quota.used
    if quota.full:
        raise QuotaExceeded(
            _("%(unit)s's quota for “%(category)s” is used: %(used)s of %(limit)s.")
            % {
                "unit": here.name,
                "category": current.category.name,
                "used": used,
                "limit": quota.limit,
            }
        )
    if rank is not None and not 1 <= rank <= MAX_RANK:
        raise HonourRefused(_("A rank is a whole number from 1 to %(max)s.") % {"max": MAX_RANK})
    if rank is None:
        rank = used + 1
    reason = (reason or "").strip()
    if here.pk == honour_round.campaign.unit_id:
        if honour_round.published_at is not None:
            raise HonourRefused(_("The shortlist is published: the round can no longer change."))
        current.status = ApplicationStatus.SHORTLISTED
        current.waiting_unit, current.waiting_since = None, None
        action = RecommendationAction.SHORTLIST
    else:
        current.level = level + 1
        current.waiting_unit = _stop(honour_round, routing.waiting_unit(here, 1))
        current.waiting_since = timezone.now()
        action = RecommendationAction.RECOMMEND
    current.save(update_fields=["status", "level", "waiting_unit", "waiting_since", "updated_at"])
    _step(current, action, actor=actor, unit=here, level=level, rank=rank, reason=reason)
    return current


@transaction.atomic
def application_decline(
    who: Who, application: Application, *, level: int, reason: str
) -> Application:
    reason = (reason or "").strip()
    if not reason:
        raise HonourRefused(_("Say why: a reason is required."))
    actor = Scope.of(who)
    current = _locked(application)
    _check_recommender(actor, current, level)
    here = current.waiting_unit
    current.status = ApplicationStatus.DECLINED
    current.decline_reason = reason
    current.waiting_unit, current.waiting_since = None, None
    current.save(
        update_fields=["status", "decline_reason", "waiting_unit", "waiting_since", "updated_at"]
    )
    _step(current, RecommendationAction.DECLINE, actor=actor, unit=here, level=level, reason=reason)
    return current


# --- Evidence (the report files' path) -----------------------------------------------------------


@transaction.atomic
def file_add(who: Who, application: Application, upload: UploadedFile) -> ReportFile:
    """Attach an evidence file, checked as a fulfilment report's: size and number first, then its
    real type from its bytes (activities.evidence.sniff) before anything decodes or stores it."""
    actor = Scope.of(who)
    current = _locked(application)
    _check_editable(actor, current)
    name = upload.name or ""
    size = upload.size or 0
    if ReportFile.objects.filter(application=current).count() >= settings.EVIDENCE_MAX_FILES:
        raise HonourRefused(
            _("An application may have at most %(count)s files.")
            % {"count": settings.EVIDENCE_MAX_FILES}
        )
    try:
        if size > settings.EVIDENCE_MAX_BYTES:
            raise EvidenceRejected(evidence_files.size_refusal(name))
        sniffed = evidence_files.sniff(upload)
    except EvidenceRejected as refused:
        raise HonourRefused(str(refused)) from None
    item = ReportFile(
        application=current,
        original_name=name[:255],
        content_type=sniffed.content_type,
        size=size,
        uploaded_by=actor.user,
    )
    item.file.save(f"upload{sniffed.extension}", upload, save=False)
    try:
        item.save()
    except Exception:
        item.file.storage.delete(item.file.name)
        raise
    return item


@transaction.atomic
def file_delete(who: Who, item: ReportFile) -> None:
    actor = Scope.of(who)
    if item.application_id is None:
        raise NotAllowed(_("This file is not part of an honour application."))
    _check_editable(actor, _locked(item.application))  # type: ignore[arg-type]
    name, storage = item.file.name, item.file.storage
    item.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)


# --- After a unit moves --------------------------------------------------------------------------


def reroute(*, unit: Unit | None) -> list[Application]:
    """After `unit` moved (None: any unit), send each waiting application of its subtree whose
    waiting unit is no longer the one the tree names to the level now responsible: a REROUTE
    step each. The wait goes on from when it began."""
    routed = routing.Rerouting()
    waiting = Application.objects.filter(status=ApplicationStatus.WAITING).select_related(
        "unit", "round__campaign__unit"
    )
    if unit is not None:
        waiting = waiting.filter(unit__path__startswith=unit.path)
    moved = []
    for application in waiting.select_for_update(of=("self",)).order_by("pk"):
        target = _stop(application.round, routed.waiting_unit(application.unit, application.level))
        if target.pk == application.waiting_unit_id:
            continue
        application.waiting_unit = target
        application.save(update_fields=["waiting_unit", "updated_at"])
        _step(
            application,
            RecommendationAction.REROUTE,
            actor=None,
            unit=target,
            level=application.level,
            reason=target.name,
        )
        moved.append(application)
    return moved
