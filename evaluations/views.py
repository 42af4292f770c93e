"""The appraisal figures of a unit's subtree for those who may see the unit, and the link, QR
code and poster of its appraisal page; admins of the unit or above rotate the link and hide
abusive remarks. A unit the user may not see is a 404."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Campaign, Season
from campaigns.selectors import campaigns_covering
from common.paging import page_number
from evaluations import selectors, services
from evaluations.exceptions import EvaluationError
from evaluations.forms import HideRemarkForm
from evaluations.models import Rating, Verdict
from units.models import Unit
from units.scope import Scope
from units.selectors import unit_for_user

REMARKS_PER_PAGE = 20


def _chosen(campaigns: list[Campaign], value: str | None) -> Campaign | None:
    by_pk = {str(campaign.pk): campaign for campaign in campaigns}
    return by_pk.get(value or "") or (campaigns[0] if campaigns else None)


def public_url(token: str) -> str:
    """The appraisal page's address on SITE_URL, as the public reaches it (not as this request
    came in, which may be an intranet name)."""
    return settings.SITE_URL + reverse("public:appraise", args=[token])


@login_required
@require_GET
def appraisal(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_for_user(request.user, pk)
    campaigns = campaigns_covering(unit)
    campaign = _chosen(campaigns, request.GET.get("campaign"))
    context: dict = {"unit": unit, "campaigns": campaigns, "campaign": campaign}
    if campaign is not None:
        verdict = request.GET.get("verdict")
        wanted = int(verdict) if verdict in {str(v) for v in Verdict.values} else None
        page = page_number(request.GET.get("page"))
        start = (page - 1) * REMARKS_PER_PAGE
        shown = list(
            selectors.remarks(unit, campaign, wanted)[start : start + REMARKS_PER_PAGE + 1]
        )
        too_few_count, too_few = selectors.units_too_few(unit, campaign)
        context.update(
            figures=selectors.subtree_figures(unit, campaign),
            trend=selectors.monthly_trend(unit, campaign),
            too_few_count=too_few_count,
            too_few=too_few,
            minimum=selectors.minimum_ratings(),
            remarks=shown[:REMARKS_PER_PAGE],
            page=page,
            has_next=len(shown) > REMARKS_PER_PAGE,
            verdict=wanted,
            verdicts=Verdict.choices,
            link=services.appraisal_link(unit, campaign, by=request.user),
            may_manage=services.may_manage_appraisal(Scope.of(request), unit),
            hide_form=HideRemarkForm(),
            running=campaign.season() == Season.RUNNING,
        )
        context["link_url"] = public_url(context["link"].token)
    return render(request, "evaluations/appraisal.html", context)


def _unit_and_campaign(request: HttpRequest, pk: int, campaign_pk: int) -> tuple[Unit, Campaign]:
    unit = unit_for_user(request.user, pk)
    campaign = get_object_or_404(Campaign, pk=campaign_pk, unit__path__in=unit.ancestor_paths)
    return unit, campaign


@login_required
@require_GET
def qr_code(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    """The QR code of the current appraisal link, as SVG (segno, server-side)."""
    unit, campaign = _unit_and_campaign(request, pk, campaign_pk)
    link = services.appraisal_link(unit, campaign, by=request.user)
    qr = segno.make_qr(public_url(link.token), error="m")
    image = io.BytesIO()
    qr.save(image, kind="svg", scale=8, border=2, xmldecl=False, title=unit.name)
    response = HttpResponse(image.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def poster(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    """An A4 poster of the appraisal page's QR code, for the unit's noticeboard."""
    unit, campaign = _unit_and_campaign(request, pk, campaign_pk)
    link = services.appraisal_link(unit, campaign, by=request.user)
    return render(
        request,
        "evaluations/poster.html",
        {"unit": unit, "campaign": campaign, "link_url": public_url(link.token)},
    )


@login_required
@require_POST
def rotate(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    unit, campaign = _unit_and_campaign(request, pk, campaign_pk)
    try:
        services.appraisal_link_rotate(request.user, unit, campaign)
    except EvaluationError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("A new appraisal link was issued; the old one no longer works."))
    return redirect(f"{reverse('evaluations:appraisal', args=[unit.pk])}?campaign={campaign.pk}")


@login_required
@require_POST
def hide_remark(request: HttpRequest, rating_pk: int) -> HttpResponse:
    rating = get_object_or_404(Rating.objects.select_related("unit"), pk=rating_pk)
    unit = unit_for_user(request.user, rating.unit_id)
    form = HideRemarkForm(request.POST)
    target = f"{reverse('evaluations:appraisal', args=[unit.pk])}?campaign={rating.campaign_id}"
    if not form.is_valid():
        messages.error(request, _("Say why the remark is hidden."))
        return redirect(target)
    try:
        services.rating_remark_hide(request.user, rating, form.cleaned_data["reason"])
    except EvaluationError as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, _("The remark is hidden. The rating still counts."))
    return redirect(target)
