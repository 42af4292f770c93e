"""Reads of campaigns, their catalogues and targets, scoped by the unit tree.

- A campaign covers its organising unit's subtree. A user sees the campaigns that cover one of
  their units, and those run by a unit below one of theirs.
- Admins on the organising unit or above it manage the campaign, its phases and its catalogue.
- Admins on a unit or above it set that unit's targets.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from campaigns.models import Campaign, Target, TargetTask
from units.models import Unit, paths_up_to
from units.scope import Scope


def campaigns_visible_to(who: User | Scope) -> QuerySet[Campaign]:
    scope = Scope.of(who)
    if scope.superuser:
        return Campaign.objects.all()
    paths = sorted(scope.paths)
    above = {a for path in paths for a in paths_up_to(path)}
    query = Q(unit__path__in=above)
    for path in paths:
        query |= Q(unit__path__startswith=path)
    return Campaign.objects.filter(query) if paths else Campaign.objects.none()


def campaign_for_user(who: User | Scope, pk: int) -> Campaign:
    return get_object_or_404(campaigns_visible_to(who).select_related("unit"), pk=pk)


def can_manage_campaign(who: User | Scope, campaign: Campaign) -> bool:
    """An admin on the organising unit or above it."""
    return Scope.of(who).can_manage(campaign.unit)


def campaigns_covering(unit: Unit, *, among: Iterable[Campaign] | None = None) -> list[Campaign]:
    """Every campaign covering `unit` (run by it or a unit above it), active ones first, newest
    first: the first one is a page's default.

    `among`: campaigns already read, their units with them, that hold every campaign covering
    `unit` (e.g. those visible to a user who holds a role on `unit`): picked from them instead of
    read again."""
    if among is None:
        return list(
            Campaign.objects.filter(unit__path__in=unit.ancestor_paths).order_by(
                "-is_active", "-starts_on", "-pk"
            )
        )
    paths = set(unit.ancestor_paths)
    return sorted(
        (campaign for campaign in among if campaign.unit.path in paths),
        key=lambda c: (not c.is_active, -c.starts_on.toordinal(), -c.pk),
    )


def active_campaigns_for(unit: Unit) -> QuerySet[Campaign]:
    """The open campaigns that cover `unit`, newest first."""
    return Campaign.objects.filter(unit__path__in=unit.ancestor_paths, is_active=True)


def catalogue(campaign: Campaign) -> QuerySet[TargetTask]:
    return catalogues_of([campaign.pk])


def catalogues_of(campaign_ids: list[int]) -> QuerySet[TargetTask]:
    """The catalogues of these campaigns: every task, active or not, in TargetTask's order."""
    return TargetTask.objects.filter(campaign_id__in=campaign_ids)


def targets_of(unit: Unit, campaign: Campaign | None = None) -> QuerySet[Target]:
    targets = Target.objects.filter(unit=unit, task__is_active=True).select_related(
        "task", "task__campaign"
    )
    if campaign is not None:
        targets = targets.filter(task__campaign=campaign)
    return targets.order_by("task__campaign", "task__line", "task__sort_order", "task__code")


def targeted_tasks(unit: Unit, campaign: Campaign) -> QuerySet[TargetTask]:
    """The tasks an activity of `unit` may count toward: those it has a target for."""
    return TargetTask.objects.filter(
        campaign=campaign, is_active=True, targets__unit=unit
    ).order_by("line", "sort_order", "code")
