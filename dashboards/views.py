"""The leader dashboard of a unit's subtree, its big-screen mode (数据大屏) and the screen's JSON.

Scope first: a unit the user may not see is a 404 (units.selectors.unit_for_user, from the
request's units.scope.Scope). The figures all come from activities.dashboard.dashboard, so the
page, the screen and the JSON agree."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from activities import dashboard as boards
from activities.integrity import flagged_by_child
from campaigns.selectors import campaigns_covering
from dashboards.workbench import workbench
from evaluations import scoring_selectors
from evaluations.standing_selectors import standing
from units.models import Line, Unit
from units.scope import Scope, membership_rows
from units.selectors import roots_for, unit_for_user, viewable_ancestors

REFRESH_SECONDS = 60


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The workbench (工作台): what needs the user today, a panel per role they hold."""
    memberships = membership_rows(request.user)
    bench = workbench(Scope.of(request), units=[row.unit for row in memberships])
    return render(request, "home.html", {"memberships": memberships, "bench": bench})


def _context(
    request: HttpRequest, unit: Unit, scope: Scope, *, ranking_limit: int | None = None
) -> dict:
    campaigns = campaigns_covering(unit)
    filters = boards.filters_for(campaigns, request.GET)
    board = boards.dashboard(unit, filters) if filters else None
    return {
        "unit": unit,
        "campaigns": campaigns,
        "filters": filters,
        "board": board,
        "data": board.as_json(ranking_limit=ranking_limit) if board else None,
        "breadcrumbs": viewable_ancestors(scope, unit),
        "query": filters.query() if filters else "",
        "line_choices": Line.choices,
    }


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Straight to the dashboard of the user's top unit; a chooser when they have several."""
    roots = list(roots_for(Scope.of(request)).filter(is_active=True).order_by("path"))
    if len(roots) == 1:
        return redirect("dashboards:unit", unit_pk=roots[0].pk)
    return render(request, "dashboards/dashboard_home.html", {"roots": roots})


@login_required
def unit_dashboard(request: HttpRequest, unit_pk: int) -> HttpResponse:
    scope = Scope.of(request)
    unit = unit_for_user(scope, unit_pk)
    context = _context(request, unit, scope)
    context["is_reviewer"] = scope.reviews_within(unit)
    context["flagged_evidence"] = None  # only leaders and reviewers above see the section
    board = context["board"]
    # Commitments kept, follow-ups closed on time, satisfaction: the subtree's and each child's
    # (the ranking's units, in tree order), three queries in all.
    context["standing"] = (
        standing(
            unit,
            board.filters.campaign,
            sorted((row.unit for row in board.ranking), key=lambda child: child.path),
        )
        if board
        else None
    )
    # The unit's draft score and rank among its peers in the chosen campaign, when it is running
    # and the unit takes part (the kept scores: one query).
    context["draft_score"] = (
        scoring_selectors.unit_draft_score(unit, board.filters.campaign) if board else None
    )
    if context["filters"] and scope.oversees(unit):
        # Evidence carrying a warning (activities.integrity), counted per branch of the subtree.
        context["flagged_evidence"] = flagged_by_child(unit, context["filters"].campaign)
    return render(request, "dashboards/unit_dashboard.html", context)


@login_required
def big_screen(request: HttpRequest, unit_pk: int) -> HttpResponse:
    scope = Scope.of(request)
    unit = unit_for_user(scope, unit_pk)
    context = _context(request, unit, scope, ranking_limit=boards.SCREEN_RANKING)
    context["refresh_seconds"] = REFRESH_SECONDS
    context["data_url"] = reverse("dashboards:screen_data", args=[unit.pk])
    return render(request, "dashboards/unit_screen.html", context)


@never_cache
@login_required
def big_screen_data(request: HttpRequest, unit_pk: int) -> JsonResponse:
    """The big screen's figures, fetched again every minute."""
    unit = unit_for_user(Scope.of(request), unit_pk)
    campaigns = campaigns_covering(unit)
    filters = boards.filters_for(campaigns, request.GET)
    if filters is None:
        return JsonResponse({"unit": {"id": unit.pk, "name": unit.name}, "headline": None})
    board = boards.dashboard(unit, filters)
    return JsonResponse(board.as_json(ranking_limit=boards.SCREEN_RANKING))
