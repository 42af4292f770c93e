"""A unit's targets with their progress so far: a campaigns page (its URL name is
campaigns:unit_targets, its template campaigns/unit_targets.html) that needs the activities'
figures, so it lives at this layer and chuangxian.urls adds it to the campaigns' URLs.

Scope first: a unit the user may not see is a 404."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from activities.progress import TargetProgress, targets_progress
from campaigns import selectors
from campaigns.models import Target
from units.scope import Scope
from units.selectors import breadcrumbs, unit_for_user

BAR_STEP = 5  # progress bars are drawn by CSS classes in steps of 5 % (no inline style: CSP)


@dataclass(frozen=True)
class _Row:
    progress: TargetProgress

    @property
    def target(self) -> Target:
        return self.progress.target

    @property
    def bar(self) -> int:
        """The completion rounded to the nearest step the stylesheet has a class for."""
        return min(100, BAR_STEP * round(self.progress.percent / BAR_STEP))


@login_required
def unit_targets(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The unit's targets in every open campaign that covers it, with progress so far — in a
    fixed number of queries however many targets there are."""
    scope = Scope.of(request)
    unit = unit_for_user(scope, unit_pk)
    campaigns = list(selectors.active_campaigns_for(unit))
    targets = list(selectors.targets_of(unit).filter(task__campaign__in=[c.pk for c in campaigns]))
    rows: dict[int, list[_Row]] = {campaign.pk: [] for campaign in campaigns}
    for progress in targets_progress(unit, targets):
        rows[progress.target.task.campaign_id].append(_Row(progress))
    return render(
        request,
        "campaigns/unit_targets.html",
        {
            "unit": unit,
            "breadcrumbs": breadcrumbs(scope, unit),
            "campaigns": [(campaign, rows[campaign.pk]) for campaign in campaigns],
            "is_admin": scope.can_manage(unit),
        },
    )
