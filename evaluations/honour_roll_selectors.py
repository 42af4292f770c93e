"""Reads of the honours round's second half: the shortlist on its public notice, the objections
for the organising unit, and the public honour roll.

The public pages never show a database id: a nominee on the notice is named in the objection
form by `application_ref`, a keyed hash of the round's public id and the application, which
`application_by_ref` finds again among the round's shortlist; an honour by its public id."""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from common.posted import token
from evaluations.models import (
    Application,
    ApplicationStatus,
    Honour,
    HonourCategory,
    HonourObjection,
    HonourRound,
)
from units.models import Line, Role
from units.scope import Scope

REF_LENGTH = 20


def application_ref(application: Application, honour_round: HonourRound) -> str:
    message = f"honour-notice|{honour_round.public_id}|{application.pk}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return digest[:REF_LENGTH]


# --- The notice (公示) --------------------------------------------------------------------------


def published_round(public_id: str) -> HonourRound | None:
    """The round whose shortlist is published under `public_id`, else None."""
    return (
        HonourRound.objects.select_related("campaign__unit")
        .filter(public_id=token(public_id) or None, published_at__isnull=False)
        .first()
    )


def on_notice(honour_round: HonourRound) -> QuerySet[Application]:
    """The applications of the published shortlist: shortlisted, and, once the round is decided,
    commended. Never a draft, a waiting or a declined one."""
    return (
        Application.objects.filter(
            round=honour_round,
            status__in=[ApplicationStatus.SHORTLISTED, ApplicationStatus.COMMENDED],
        )
        .select_related("category", "unit")
        .order_by("category__sort_order", "category__code", "pk")
    )


@dataclass
class NoticeEntry:
    application: Application
    ref: str


def notice_entries(honour_round: HonourRound) -> list[NoticeEntry]:
    return [
        NoticeEntry(application, application_ref(application, honour_round))
        for application in on_notice(honour_round)
    ]


def application_by_ref(honour_round: HonourRound, ref: str) -> Application | None:
    """The shortlisted application of the round that `ref` names, else None."""
    ref = (ref or "")[:REF_LENGTH]
    for application in on_notice(honour_round).filter(status=ApplicationStatus.SHORTLISTED):
        if hmac.compare_digest(application_ref(application, honour_round), ref):
            return application
    return None


# --- The organising unit's view ----------------------------------------------------------------


def rounds_for(who) -> QuerySet[HonourRound]:
    """The rounds whose organising unit the user is an admin or leader of, with their numbers
    of shortlisted applications and unanswered objections."""
    scope = Scope.of(who)
    rounds = HonourRound.objects.select_related("campaign__unit")
    if not scope.superuser:
        query = Q(pk__in=[])
        for path in scope.paths_of(Role.ADMIN, Role.LEADER):
            query |= Q(campaign__unit__path__startswith=path)
        rounds = rounds.filter(query)
    return rounds.annotate(
        shortlisted=Count(
            "applications",
            filter=Q(
                applications__status__in=[
                    ApplicationStatus.SHORTLISTED,
                    ApplicationStatus.COMMENDED,
                ]
            ),
            distinct=True,
        ),
        waiting=Count(
            "applications__objections",
            filter=Q(applications__objections__answered_at__isnull=True),
            distinct=True,
        ),
    ).order_by("-opens_on", "-pk")


def round_objections(honour_round: HonourRound) -> QuerySet[HonourObjection]:
    """Every objection of the round, the unanswered first (contacts included: for the
    organising unit's eyes only)."""
    return (
        HonourObjection.objects.filter(application__round=honour_round)
        .select_related("application__category", "application__unit", "answered_by")
        .order_by("answered_at", "created_at", "pk")
    )


# --- The honour roll ---------------------------------------------------------------------------


@dataclass
class RollFilter:
    year: int | None = None
    category: HonourCategory | None = None
    line: str = ""


def roll_years() -> list[int]:
    return list(Honour.objects.order_by("-year").values_list("year", flat=True).distinct())


def roll_categories() -> list[HonourCategory]:
    """The categories that have at least one honour on the roll."""
    return list(
        HonourCategory.objects.filter(
            pk__in=Honour.objects.values("category_id").distinct()
        ).order_by("sort_order", "code")
    )


def read_filter(params) -> RollFilter:
    """The roll's filters from a query string; anything unreadable is no filter."""
    found = RollFilter()
    year = str(params.get("year", ""))[:4]
    if year.isdigit() and year.isascii():
        found.year = int(year)
    code = str(params.get("category", ""))[:32]
    if code and "\x00" not in code:
        found.category = HonourCategory.objects.filter(code=code).first()
    line = str(params.get("line", ""))[:16]
    if line in Line.values:
        found.line = line
    return found


def honour_roll(chosen: RollFilter) -> QuerySet[Honour]:
    """The honours conferred, newest year first, by category: nothing else is on the roll."""
    honours = Honour.objects.select_related("category")
    if chosen.year is not None:
        honours = honours.filter(year=chosen.year)
    if chosen.category is not None:
        honours = honours.filter(category=chosen.category)
    if chosen.line:
        honours = honours.filter(line=chosen.line)
    return honours.order_by("-year", "category__sort_order", "category__code", "number")


def objection_by_public_id(public_id: str) -> HonourObjection | None:
    """The objection its sender reads at its own link: with its nominee and round (published
    rounds only), nothing about who sent it."""
    return (
        HonourObjection.objects.select_related(
            "application__category", "application__unit", "application__round"
        )
        .filter(public_id=token(public_id) or None, application__round__published_at__isnull=False)
        .first()
    )


def honour_by_public_id(public_id: str) -> Honour | None:
    return (
        Honour.objects.select_related("category").filter(public_id=token(public_id) or None).first()
    )
