"""A unit's commitments for a campaign (公开承诺): its staff draft and submit the set, the reviewers
above approve or return it, leaders and admins above read it; the review queue of sets and
fulfilment reports; the printable A4 board with its QR code. A unit the user may not see is a 404;
an action the user may not take on a unit they see is a 403."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.models import Campaign
from campaigns.selectors import campaigns_covering
from common.posted import level_seen
from evaluations import commitment_selectors as selectors
from evaluations import commitment_services as services
from evaluations import review
from evaluations.commitment_forms import CommitmentForm, ReturnForm
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import Commitment, CommitmentSet
from units.models import Unit
from units.scope import Scope
from units.selectors import unit_for_user


def _unit_and_campaign(request: HttpRequest, pk: int, campaign_pk: int) -> tuple[Unit, Campaign]:
    unit = unit_for_user(request.user, pk)
    campaign = get_object_or_404(Campaign, pk=campaign_pk, unit__path__in=unit.ancestor_paths)
    return unit, campaign


def _set(request: HttpRequest, set_pk: int) -> CommitmentSet:
    found = get_object_or_404(CommitmentSet.objects.select_related("campaign"), pk=set_pk)
    found.unit = unit_for_user(request.user, found.unit_id)  # out of scope: 404
    return found


def _item(request: HttpRequest, item_pk: int) -> Commitment:
    item = get_object_or_404(Commitment.objects.select_related("set__campaign"), pk=item_pk)
    item.set.unit = unit_for_user(request.user, item.set.unit_id)
    return item


def _page(commitment_set: CommitmentSet) -> str:
    return reverse(
        "evaluations:commitments", args=[commitment_set.unit_id, commitment_set.campaign_id]
    )


def board_url(public_id: str) -> str:
    """The public board's address on SITE_URL, as the public reaches it."""
    return settings.SITE_URL + reverse("public:board", args=[public_id])


def report_url(pk: int) -> str:
    """A fulfilment report's page (built with the reports; none until it exists)."""
    try:
        return reverse("evaluations:report", args=[pk])
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def unit_commitments(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's commitments in the campaign a page shows by default (campaigns_covering)."""
    unit = unit_for_user(request.user, pk)
    campaigns = campaigns_covering(unit)
    if not campaigns:
        return render(request, "evaluations/commitments/page.html", {"unit": unit})
    return redirect("evaluations:commitments", unit.pk, campaigns[0].pk)


@login_required
@require_GET
def commitments(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    unit, campaign = _unit_and_campaign(request, pk, campaign_pk)
    actor = Scope.of(request)
    commitment_set = selectors.set_of(unit, campaign)
    context: dict = {
        "unit": unit,
        "campaign": campaign,
        "set": commitment_set,
        "campaigns": campaigns_covering(unit),
        "may_draft": services.may_draft(actor, unit, campaign),
        "return_form": ReturnForm(),
    }
    if commitment_set is not None:
        commitment_set.unit, commitment_set.campaign = unit, campaign
        items = list(selectors.items_of(commitment_set))
        standing = {}
        if commitment_set.is_published:
            standing = {row.item.pk: row for row in selectors.published_items(unit, campaign)}
        context.update(
            items=items,
            rows=[(item, standing.get(item.pk)) for item in items],
            events=list(selectors.events_of(commitment_set)),
            may_edit=review.may_edit(actor, commitment_set),
            may_withdraw=review.may_withdraw(actor, commitment_set),
            may_review=review.may_review(actor, commitment_set),
        )
    return render(request, "evaluations/commitments/page.html", context)


def _refused(request: HttpRequest, error: EvaluationError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error)) from error
    messages.error(request, str(error))


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    unit, campaign = _unit_and_campaign(request, pk, campaign_pk)
    actor = Scope.of(request)
    if not actor.is_staff_of(unit):
        raise PermissionDenied(_("Only the unit's staff may draft its commitments."))
    current = selectors.set_of(unit, campaign)
    if current is not None and not review.may_edit(actor, current):
        messages.error(request, _("Only a draft or a returned set can be changed."))
        return redirect("evaluations:commitments", unit.pk, campaign.pk)
    form = CommitmentForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            commitment_set = services.draft_set(actor, unit, campaign)
            services.item_add(actor, commitment_set, **form.cleaned_data)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except EvaluationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The commitment was added."))
            return redirect("evaluations:commitments", unit.pk, campaign.pk)
    context = {"unit": unit, "campaign": campaign, "form": form, "item": None}
    status = 400 if form.errors else 200
    return render(request, "evaluations/commitments/item_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    commitment_set = item.set
    if not review.may_edit(Scope.of(request), commitment_set):
        raise PermissionDenied(_("Only the unit's staff may change its commitments."))
    initial = {"promise": item.promise, "measure": item.measure, "due_on": item.due_on}
    initial["task"] = item.task_id
    form = CommitmentForm(request.POST or None, initial=initial, campaign=commitment_set.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_edit(request.user, item, **form.cleaned_data)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except EvaluationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The commitment was saved."))
            return redirect(_page(commitment_set))
    context = {
        "unit": commitment_set.unit,
        "campaign": commitment_set.campaign,
        "form": form,
        "item": item,
    }
    status = 400 if form.errors else 200
    return render(request, "evaluations/commitments/item_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    commitment_set = item.set
    if not review.may_edit(Scope.of(request), commitment_set):
        raise PermissionDenied(_("Only the unit's staff may change its commitments."))
    if request.method == "POST":
        try:
            services.item_delete(request.user, item)
        except EvaluationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The commitment was deleted."))
        return redirect(_page(commitment_set))
    context = {"unit": commitment_set.unit, "campaign": commitment_set.campaign, "item": item}
    return render(request, "evaluations/commitments/item_delete.html", context)


@login_required
@require_POST
def item_move(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    try:
        services.item_move(request.user, item, -1 if request.POST.get("to") == "up" else 1)
    except EvaluationError as error:
        _refused(request, error)
    return redirect(_page(item.set))


@login_required
@require_POST
def submit(request: HttpRequest, set_pk: int) -> HttpResponse:
    commitment_set = _set(request, set_pk)
    try:
        services.set_submit(request.user, commitment_set)
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The commitments were submitted for review."))
    return redirect(_page(commitment_set))


@login_required
@require_POST
def withdraw(request: HttpRequest, set_pk: int) -> HttpResponse:
    commitment_set = _set(request, set_pk)
    try:
        services.set_withdraw(request.user, commitment_set)
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The commitments were withdrawn: they are a draft again."))
    return redirect(_page(commitment_set))


@login_required
@require_POST
def approve(request: HttpRequest, set_pk: int) -> HttpResponse:
    commitment_set = _set(request, set_pk)
    try:
        done = services.set_approve(request.user, commitment_set, level_seen(request.POST) or 0)
    except EvaluationError as error:
        _refused(request, error)
    else:
        if done.is_published:
            messages.success(request, _("The commitments were approved and are now public."))
        else:
            messages.success(request, _("Approved at this level: passed to the next level."))
    return redirect(_page(commitment_set))


@login_required
@require_POST
def send_back(request: HttpRequest, set_pk: int) -> HttpResponse:
    commitment_set = _set(request, set_pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if not review.may_review(Scope.of(request), commitment_set):
            raise PermissionDenied(_("You are not a reviewer of this submission at this level."))
        messages.error(request, _("Say why: a reason is required."))
        return redirect(_page(commitment_set))
    try:
        services.set_return(
            request.user, commitment_set, level_seen(request.POST) or 0, form.cleaned_data["reason"]
        )
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The commitments were returned to the unit with your reason."))
    return redirect(_page(commitment_set))


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    actor = Scope.of(request)
    if not (actor.superuser or actor.reviewer_paths):
        raise PermissionDenied(_("Only reviewers have a review queue."))
    rows = selectors.review_queue(actor)
    links = {
        id(row): (
            _page(row.item) if row.kind == "set" else report_url(row.item.pk)  # type: ignore[arg-type]
        )
        for row in rows
    }
    shown = [(row, links[id(row)]) for row in rows]
    return render(request, "evaluations/commitments/queue.html", {"rows": shown})


@login_required
@require_GET
def board_print(request: HttpRequest, pk: int, campaign_pk: int) -> HttpResponse:
    """The unit's published commitments on an A4 page, with a QR code to its public board."""
    unit, campaign = _unit_and_campaign(request, pk, campaign_pk)
    url = board_url(services.board_for(unit).public_id)
    qr = segno.make_qr(url, error="m")
    context = {
        "unit": unit,
        "campaign": campaign,
        "standings": selectors.published_items(unit, campaign),
        "board_url": url,
        "qr_uri": qr.svg_data_uri(scale=4, border=2),
    }
    return render(request, "evaluations/commitments/board_print.html", context)
