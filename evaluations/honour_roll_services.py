"""Writes of the honours round's second half: the public notice of the shortlist (公示), the
objections anyone may send during it and their answers, and the commendation (表彰) that turns
the shortlist into honours.

Who may do what, from units.scope, on the round's organising unit (its campaign's unit):
- publish the shortlist, answer objections: an admin on it (or above it);
- commend: an admin or a leader on it (or above it).
Anyone, signed in or not, may object during the period; the public page is the only way in.

Time is the campaign's local day (campaigns.deadlines): the period opens on the day it is
published and lasts `publicity_days` working days (deadlines.last_working_day); objections are
taken until the end of its last day, and the round can be commended from the day after, once
every objection has an answer.

Years: an honour is of its round's year, its campaign's (Campaign.year): a 2010 round commended
in January 2011 lists its honours under 2010 on the roll and on the certificate.

Certificate numbers: "<year>-<n, 4 digits>", e.g. "2011-0012": the year of the decision and n
counting the certificates numbered that year from 1, across rounds, continued by each
commendation in the order of the honour roll (category's sort order, category code, application
id). No database id shows in it. Two commendations at once take their numbers one after the
other (a transaction lock per year on PostgreSQL; SQLite has a single writer)."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns import deadlines
from common import locks
from evaluations.exceptions import (
    CommendationRefused,
    EvaluationError,
    NotAllowed,
    NoticeClosed,
    TransitionRefused,
)
from evaluations.honour_services import may_manage, window_over
from evaluations.models import (
    HONOUR_OBJECTION_MAX_LENGTH,
    Application,
    ApplicationStatus,
    Honour,
    HonourObjection,
    HonourRound,
    Recommendation,
    RecommendationAction,
)
from evaluations.signals import step_committed_after_commit
from units.models import Role
from units.scope import Scope

ANSWER_MAX_LENGTH = 2000
NAME_MAX_LENGTH = HonourObjection._meta.get_field("name").max_length or 50
CONTACT_MAX_LENGTH = HonourObjection._meta.get_field("contact").max_length or 100
DOCUMENT_MAX_LENGTH = HonourRound._meta.get_field("document_number").max_length or 100


# --- Who may ------------------------------------------------------------------------------------


def may_publish(who, honour_round: HonourRound) -> bool:
    """An admin of the round's organising unit (or above) publishes the shortlist and answers
    objections: who manages the round (evaluations.honour_services.may_manage)."""
    return may_manage(who, honour_round)


def may_answer(who, honour_round: HonourRound) -> bool:
    return may_publish(who, honour_round)


def may_commend(who, honour_round: HonourRound) -> bool:
    """Who manages the round, or a leader of its organising unit (or above), records the
    decision."""
    return may_manage(who, honour_round) or Scope.of(who).acts_as(
        Role.LEADER, honour_round.campaign.unit
    )


def may_see(who, honour_round: HonourRound) -> bool:
    """Who sees the round's notice page with the objections and their contacts."""
    return may_publish(who, honour_round) or may_commend(who, honour_round)


# --- When ---------------------------------------------------------------------------------------


def notice_open(honour_round: HonourRound, at: datetime | None = None) -> bool:
    """Is the shortlist's notice period open (objections taken) now or at `at`?"""
    if honour_round.published_at is None or honour_round.publicity_ends_on is None:
        return False
    today = deadlines.today(honour_round.campaign, at)
    return deadlines.today(honour_round.campaign, honour_round.published_at) <= today and (
        today <= honour_round.publicity_ends_on
    )


def notice_over(honour_round: HonourRound, at: datetime | None = None) -> bool:
    """Has the notice period closed (its last day is past)?"""
    return (
        honour_round.publicity_ends_on is not None
        and deadlines.today(honour_round.campaign, at) > honour_round.publicity_ends_on
    )


def _locked_round(honour_round: HonourRound) -> HonourRound:
    return (
        HonourRound.objects.select_for_update(of=("self",))
        .select_related("campaign__unit")
        .get(pk=honour_round.pk)
    )


# --- 公示 ---------------------------------------------------------------------------------------


@transaction.atomic
def shortlist_publish(*, actor, honour_round: HonourRound, at: datetime | None = None):
    """Publish the round's shortlist for its notice period: from today (in the campaign's zone)
    to the last of `publicity_days` working days. Published once, after the application window
    has closed (a shortlist published while units may still apply would leave out the late)."""
    honour_round = _locked_round(honour_round)
    if not may_publish(actor, honour_round):
        raise NotAllowed(
            _("Only an administrator of the organising unit may publish the shortlist.")
        )
    if honour_round.published_at is not None:
        raise TransitionRefused(_("The shortlist has been published already."))
    if not window_over(honour_round, at):
        raise TransitionRefused(
            _("Applications are open until %(day)s: publish the shortlist once they have closed.")
            % {"day": honour_round.closes_on.isoformat()}
        )
    if not honour_round.applications.filter(status=ApplicationStatus.SHORTLISTED).exists():
        raise EvaluationError(_("Nothing is shortlisted yet: there is nothing to publish."))
    now = at or timezone.now()
    first = deadlines.today(honour_round.campaign, now)
    honour_round.published_at = now
    honour_round.publicity_ends_on = deadlines.last_working_day(first, honour_round.publicity_days)
    honour_round.full_clean()
    honour_round.save(update_fields=["published_at", "publicity_ends_on"])
    step_committed_after_commit("shortlist_published", honour_round.pk)
    return honour_round


# --- Objections ---------------------------------------------------------------------------------


def _text(value: str | None, limit: int, too_long: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise EvaluationError(too_long % {"count": limit})
    return value


@transaction.atomic
def objection_send(
    *,
    application: Application,
    text: str,
    name: str = "",
    contact: str = "",
    at: datetime | None = None,
) -> HonourObjection:
    """Anyone's objection to a shortlisted application while the notice period is open. Stored
    as text; the contact is for the organising unit only."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("round__campaign")
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.SHORTLISTED or not notice_open(
        application.round, at
    ):
        raise NoticeClosed(_("The notice period is over: objections are no longer taken."))
    text = _text(
        text, HONOUR_OBJECTION_MAX_LENGTH, _("An objection may be at most %(count)d characters.")
    )
    if not text:
        raise EvaluationError(_("Write what you object to."))
    objection = HonourObjection(
        application=application,
        text=text,
        name=_text(name, NAME_MAX_LENGTH, _("A name may be at most %(count)d characters.")),
        contact=_text(
            contact, CONTACT_MAX_LENGTH, _("A contact may be at most %(count)d characters.")
        ),
    )
    objection.full_clean()
    objection.save()
    step_committed_after_commit("honour_objection_sent", objection.pk)
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: HonourObjection, answer: str) -> HonourObjection:
    """An admin of the organising unit answers an objection, once."""
    objection = (
        HonourObjection.objects.select_for_update(of=("self",))
        .select_related("application__round__campaign__unit")
        .get(pk=objection.pk)
    )
    if not may_answer(actor, objection.application.round):
        raise NotAllowed(_("Only an administrator of the organising unit may answer objections."))
    if objection.answered_at is not None:
        raise TransitionRefused(_("This objection has been answered already."))
    answer = _text(answer, ANSWER_MAX_LENGTH, _("An answer may be at most %(count)d characters."))
    if not answer:
        raise EvaluationError(_("Write the answer."))
    objection.answer = answer
    objection.answered_by = Scope.of(actor).user
    objection.answered_at = timezone.now()
    objection.full_clean()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    return objection


def unanswered(honour_round: HonourRound) -> int:
    """How many of the round's objections wait for an answer."""
    return HonourObjection.objects.filter(
        application__round=honour_round, answered_at__isnull=True
    ).count()


# --- 表彰 ---------------------------------------------------------------------------------------


def certificate_number(year: int, n: int) -> str:
    return f"{year}-{n:04d}"


def _free_numbers(year: int, count: int) -> list[str]:
    """`count` free certificate numbers in `year`, after the year's honours so far, holding the
    year's numbering until the transaction ends."""
    locks.take_turns(locks.CERTIFICATE_NUMBERS, year)
    of_year = Honour.objects.filter(number__startswith=f"{year}-")
    taken = set(of_year.values_list("number", flat=True))
    numbers: list[str] = []
    n = of_year.count()
    while len(numbers) < count:
        n += 1
        if certificate_number(year, n) not in taken:
            numbers.append(certificate_number(year, n))
    return numbers


@transaction.atomic
def round_commend(
    *,
    actor,
    honour_round: HonourRound,
    document_number: str,
    decided_on: date,
    at: datetime | None = None,
) -> list[Honour]:
    """Record the decision (表彰): one Honour per shortlisted application on the notice since it
    opened, frozen as it stands, each application COMMENDED with a step. Refused while the
    notice period runs, while any objection waits for an answer, and once decided."""
    honour_round = _locked_round(honour_round)
    if not may_commend(actor, honour_round):
        raise NotAllowed(_("Only an administrator or a leader of the organising unit may commend."))
    if honour_round.decided_on is not None:
        raise TransitionRefused(_("This round has been commended already."))
    ends_on = honour_round.publicity_ends_on
    if honour_round.published_at is None or ends_on is None:
        raise CommendationRefused(_("Publish the shortlist for its notice period first."))
    if not notice_over(honour_round, at):
        raise CommendationRefused(
            _("The notice period runs until %(day)s: commend after it.") % {"day": ends_on}
        )
    waiting = unanswered(honour_round)
    if waiting:
        raise CommendationRefused(
            ngettext(
                "%(count)d objection is not answered yet: answer it first.",
                "%(count)d objections are not answered yet: answer them first.",
                waiting,
            )
            % {"count": waiting}
        )
    document_number = (document_number or "").strip()
    if not document_number:
        raise EvaluationError(_("Give the decision's document number."))
    if len(document_number) > DOCUMENT_MAX_LENGTH:
        raise EvaluationError(
            _("A document number may be at most %(count)d characters.")
            % {"count": DOCUMENT_MAX_LENGTH}
        )
    if decided_on > deadlines.today(honour_round.campaign, at):
        raise EvaluationError(_("The decision cannot be dated in the future."))
    if decided_on <= ends_on:
        raise EvaluationError(_("The decision must be dated after the notice period."))
    # Only what was on the notice for its whole period is commended: an application shortlisted
    # after the notice opened stays shortlisted, for a later notice.
    late = Recommendation.objects.filter(
        application__round=honour_round,
        action=RecommendationAction.SHORTLIST,
        created_at__gt=honour_round.published_at,
    ).values("application_id")
    shortlisted = list(
        Application.objects.select_for_update(of=("self",))
        .filter(round=honour_round, status=ApplicationStatus.SHORTLISTED)
        .exclude(pk__in=late)
        .select_related("category", "unit")
        .order_by("category__sort_order", "category__code", "pk")
    )
    if not shortlisted:
        raise EvaluationError(_("Nothing is shortlisted: there is nobody to commend."))
    scope = Scope.of(actor)
    organiser = honour_round.campaign.unit
    honours = []
    numbers = _free_numbers(decided_on.year, len(shortlisted))
    for number, application in zip(numbers, shortlisted, strict=True):
        honour = Honour(
            application=application,
            category=application.category,
            year=honour_round.campaign.year,
            line=application.unit.line,
            name=application.nominee,
            unit_name=application.unit.name,
            summary=application.summary,
            document_number=document_number,
            conferred_on=decided_on,
            number=number,
        )
        honour.full_clean()
        honour.save()
        honours.append(honour)
        application.status = ApplicationStatus.COMMENDED
        application.waiting_unit = None
        application.waiting_since = None
        application.save(update_fields=["status", "waiting_unit", "waiting_since", "updated_at"])
        step = Recommendation(
            application=application,
            unit=organiser,
            level=application.level,
            action=RecommendationAction.COMMEND,
            reason=document_number,
            actor=scope.user,
        )
        step.full_clean()
        step.save()
    honour_round.document_number = document_number
    honour_round.decided_on = decided_on
    honour_round.decided_by = scope.user
    honour_round.full_clean()
    honour_round.save(update_fields=["document_number", "decided_on", "decided_by"])
    step_committed_after_commit("round_commended", honour_round.pk)
    return honours
