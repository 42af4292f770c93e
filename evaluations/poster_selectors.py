"""Appraisal posters to print (the workbench's entry): for the staff and admins of a unit, each
running campaign covering the unit in which the unit has no rating yet — the poster with its QR
code (evaluations:poster) is what brings the first ones. Three queries whatever the number of
units or campaigns."""

from dataclasses import dataclass
from datetime import date

from campaigns.models import Campaign
from evaluations.models import AppraisalTally
from units.models import Role, Unit, paths_up_to
from units.scope import Scope


@dataclass(frozen=True)
class PosterDue:
    unit: Unit
    campaign: Campaign


def posters_to_print(actor: Scope, today: date) -> list[PosterDue]:
    """(unit, campaign) for each unit the user is staff or admin of (their own units, not the
    subtrees below an admin's) and each campaign running on `today` that covers it (run by it or
    by a unit above), while the unit has no rating in it; in tree order, newest campaign first."""
    paths = {path for role, _unit, path in actor.memberships if role in (Role.STAFF, Role.ADMIN)}
    if not paths:
        return []
    above = {ancestor for path in paths for ancestor in paths_up_to(path)}
    campaigns = list(
        Campaign.objects.filter(
            unit__path__in=above, is_active=True, starts_on__lte=today, ends_on__gte=today
        )
        .select_related("unit")
        .order_by("-starts_on", "-pk")
    )
    if not campaigns:
        return []
    units = list(Unit.objects.filter(path__in=paths, is_active=True).order_by("path"))
    rated = set(
        AppraisalTally.objects.filter(unit__in=units, campaign__in=campaigns)
        .values_list("unit_id", "campaign_id")
        .distinct()
    )
    return [
        PosterDue(unit, campaign)
        for unit in units
        for campaign in campaigns
        if unit.path.startswith(campaign.unit.path) and (unit.pk, campaign.pk) not in rated
    ]
