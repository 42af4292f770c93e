"""Bonus and deduction items (加分 / 扣分): a unit's list in a campaign with the form to add one
(a bonus for its staff, a deduction for an admin above it), one item's page with its evidence
files, events and actions, and the reviewers' queue. Out of scope is a 404; an action the user
may not take on an item they see is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.evidence import size_refusal
from campaigns.selectors import campaign_for_user
from common.posted import level_seen
from common.uploads import oversized_uploads, upload_limit
from evaluations import adjustment_selectors as selectors
from evaluations import adjustment_services as services
from evaluations import review
from evaluations.adjustment_forms import AdjustmentForm
from evaluations.commitment_forms import ReturnForm
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import Adjustment
from units.scope import Scope
from units.selectors import unit_for_user


def _refused(request: HttpRequest, error: EvaluationError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error)) from error
    messages.error(request, str(error))


@login_required
@require_http_methods(["GET", "POST"])
def unit_adjustments(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, campaign_pk)
    unit = unit_for_user(request.user, unit_pk)
    if not services.covers(campaign, unit):
        raise Http404
    actor = Scope.of(request)
    may_bonus = services.may_claim_bonus(actor, unit, campaign)
    may_deduct = services.may_deduct(actor, unit, campaign)
    form = AdjustmentForm(
        request.POST or None,
        deduction=may_deduct and not may_bonus,
        most=services.points_limit(campaign),
    )
    status = 200
    if request.method == "POST":
        if not (may_bonus or may_deduct):
            raise PermissionDenied(_("You may not enter bonus or deduction items for this unit."))
        if form.is_valid():
            try:
                item = services.adjustment_create(
                    actor=actor,
                    unit=unit,
                    campaign=campaign,
                    points=form.cleaned_data["points"],
                    reason=form.cleaned_data["reason"],
                )
            except services.AdjustmentRefused as error:
                form.add_error("points", str(error))  # beside what was typed, which it keeps
                status = 400
            except EvaluationError as error:
                _refused(request, error)
                status = 400
            else:
                messages.success(
                    request, _("The item is saved as a draft: attach evidence, then submit it.")
                )
                return redirect("evaluations:adjustment", item.pk)
        else:
            status = 400
    return render(
        request,
        "evaluations/adjustments/unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "items": selectors.adjustments_of(unit, campaign),
            "form": form,
            "may_add": may_bonus or may_deduct,
        },
        status=status,
    )


@login_required
@require_GET
def adjustment(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    item = selectors.adjustment_for_user(actor, pk)
    return render(
        request,
        "evaluations/adjustments/item.html",
        {
            "item": item,
            "events": selectors.events_of(item),
            "files": selectors.files_of(item),
            "may_edit": review.may_edit(actor, item),
            "may_withdraw": review.may_withdraw(actor, item),
            "may_delete": services.may_delete(actor, item),
            "may_review": review.may_review(actor, item),
            "return_form": ReturnForm(),
        },
    )


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    actor = Scope.of(request)
    item = selectors.adjustment_for_user(actor, pk)
    try:
        action(actor, item)
    except EvaluationError as error:
        _refused(request, error)
    return redirect("evaluations:adjustment", item.pk)


@login_required
@require_POST
def adjustment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(actor: Scope, item: Adjustment) -> None:
        services.adjustment_submit(actor=actor, item=item)
        messages.success(request, _("Submitted for review."))

    return _act(request, pk, act)


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft never submitted, deleted by its author's side after a confirmation page."""
    actor = Scope.of(request)
    item = selectors.adjustment_for_user(actor, pk)
    if request.method == "POST":
        try:
            services.adjustment_delete(actor=actor, item=item)
        except EvaluationError as error:
            _refused(request, error)
            return redirect("evaluations:adjustment", item.pk)
        messages.success(request, _("The draft item is deleted."))
        return redirect("evaluations:unit_adjustments", item.campaign_id, item.unit_id)
    if not services.may_delete(actor, item):
        raise PermissionDenied(_("Only a draft never submitted can be deleted, by its author."))
    return render(request, "evaluations/adjustments/item_delete.html", {"item": item})


@login_required
@require_POST
def adjustment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    def act(actor: Scope, item: Adjustment) -> None:
        services.adjustment_withdraw(actor=actor, item=item)
        messages.success(request, _("Withdrawn."))

    return _act(request, pk, act)


def _level(request: HttpRequest) -> int:
    return level_seen(request.POST) or 0


@login_required
@require_POST
def adjustment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(actor: Scope, item: Adjustment) -> None:
        comment = request.POST.get("comment", "")[:2000]
        services.adjustment_approve(actor=actor, item=item, level=_level(request), comment=comment)
        messages.success(request, _("Approved."))

    return _act(request, pk, act)


@login_required
@require_POST
def adjustment_return(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReturnForm(request.POST)

    def act(actor: Scope, item: Adjustment) -> None:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.adjustment_return(actor=actor, item=item, level=_level(request), reason=reason)
        messages.success(request, _("Returned to the unit."))

    return _act(request, pk, act)


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def adjustment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach each file on its own: a refused file is reported by name, the others are kept."""
    actor = Scope.of(request)
    item = selectors.adjustment_for_user(actor, pk)
    uploads = request.FILES.getlist("files")
    oversized = oversized_uploads(request)
    for name in oversized:
        messages.error(request, size_refusal(name))
    if not uploads and not oversized:
        messages.error(request, _("Choose one or more files to attach."))
    for upload in uploads:
        name = upload.name or ""
        try:
            services.adjustment_file_add(actor=actor, item=item, upload=upload)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except EvaluationError as error:
            reason = str(error)
            if name not in reason:
                reason = _("“%(name)s” was not attached: %(reason)s") % {
                    "name": name,
                    "reason": reason,
                }
            messages.error(request, reason)
        else:
            messages.success(request, _("“%(name)s” has been attached.") % {"name": name})
    return redirect("evaluations:adjustment", item.pk)


@login_required
@require_GET
def adjustment_queue(request: HttpRequest) -> HttpResponse:
    actor = Scope.of(request)
    if not (actor.superuser or actor.reviewer_paths):
        raise PermissionDenied(_("Only reviewers have a review queue."))
    return render(
        request, "evaluations/adjustments/queue.html", {"items": selectors.review_queue(actor)}
    )
