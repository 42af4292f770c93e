"""Draft scores (考核得分, issue 14 §1): a campaign's ranking of the units in the user's scope, one
unit's scores with every point explained (rule → formula with its numbers → the records), and
the scheme's editing by the admins of the organising unit. The scores are the kept ones
(evaluations.models.DraftScore, recomputed by Celery after changes and periodically); the pages
say when they were computed. A campaign or unit out of scope is a
404; editing the scheme without being its admin is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.selectors import campaign_for_user
from evaluations import draft_score_services, scoring, scoring_selectors
from evaluations import scoring_services as services
from evaluations.exceptions import NotAllowed
from evaluations.scoring_forms import SchemeForm
from units.scope import Scope
from units.selectors import unit_for_user


@login_required
@require_GET
def scores(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, campaign_pk)
    actor = Scope.of(request)
    draft_score_services.draft_scores_ensure(campaign=campaign)
    board = scoring_selectors.ranking(actor, campaign)
    return render(
        request,
        "evaluations/scores/ranking.html",
        {
            "campaign": campaign,
            "board": board,
            "may_edit_scheme": services.may_edit_scheme(actor, campaign),
            "tie_break": scoring.TIE_BREAK,
        },
    )


@login_required
@require_GET
def unit_scores(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, campaign_pk)
    unit = unit_for_user(request.user, unit_pk)
    if not unit.path.startswith(campaign.unit.path):
        raise Http404
    draft_score_services.draft_scores_ensure(campaign=campaign)
    found = scoring_selectors.explanation(campaign, unit)
    return render(
        request,
        "evaluations/scores/unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "explained": found.explanation,
            "computed_at": found.computed_at,
            "kept_key": found.key,
            "kept_for": scoring_selectors.EXPLAINED_FOR,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, campaign_pk)
    actor = Scope.of(request)
    if not services.may_edit_scheme(actor, campaign):
        raise PermissionDenied(_("Only an admin of the campaign's organising unit may edit it."))
    found = services.scheme_default(campaign=campaign)
    rules = list(found.rules.all())
    form = SchemeForm(request.POST or None, scheme=found, rules=rules)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.scheme_update(actor=actor, scheme=found, values=form.values())
            except services.SchemeRefused as error:
                for message in error.messages:
                    messages.error(request, message)
                status = 400
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            else:
                messages.success(request, _("The scoring scheme is saved."))
                return redirect("evaluations:scoring_scheme", campaign.pk)
        else:
            status = 400
    return render(
        request,
        "evaluations/scores/scheme.html",
        {"campaign": campaign, "scheme": found, "form": form, "rows": form.rows()},
        status=status,
    )
