"""The fulfilment report (践诺) of one commitment: its unit's staff start it, write the statement,
link approved activities, attach evidence and submit or withdraw it; its reviewers approve it or
return it with a reason; everyone who may see the unit reads it and its events. A report of a
unit the user may not see is a 404; a move the user may not make is a 403."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from activities.evidence import size_refusal
from activities.models import Status
from common.posted import level_seen
from common.uploads import oversized_uploads, upload_limit
from evaluations import fulfilment_selectors as selectors
from evaluations import fulfilment_services as services
from evaluations import review
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import STATEMENT_MAX_LENGTH, FulfilmentReport
from units.scope import Scope


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("How the commitment was fulfilled"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for return"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _url(report: FulfilmentReport) -> str:
    return reverse("evaluations:report", args=[report.pk])


def _chosen_ids(request: HttpRequest) -> list[int]:
    chosen = []
    for value in request.POST.getlist("activities"):
        try:
            chosen.append(int(value))
        except ValueError:
            continue
    return chosen


def _page(
    request: HttpRequest,
    report: FulfilmentReport,
    *,
    form: StatementForm | None = None,
    chosen: list[int] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = Scope.of(request)
    commitment = report.commitment
    editable = review.may_edit(actor, report)
    linked = list(report.activities.order_by("-starts_on", "-pk"))
    context = {
        "report": report,
        "commitment": commitment,
        "files": list(selectors.report_files(report)),
        "events": list(selectors.report_events(report)),
        "linked": linked,
        "may_edit": editable,
        "may_withdraw": review.may_withdraw(actor, report),
        "may_review": review.may_review(actor, report),
        "form": form or StatementForm(initial={"statement": report.statement}),
        "return_form": ReturnForm(),
        "returned": report.status == Status.RETURNED,
    }
    if editable:
        context["linkable"] = list(selectors.linkable_activities(commitment))
        context["chosen"] = set(chosen if chosen is not None else [a.pk for a in linked])
    return render(request, "evaluations/fulfilment/report.html", context, status=status)


@login_required
@require_POST
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    commitment = selectors.commitment_for_user(actor, pk)
    try:
        report = services.report_start(actor, commitment)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
        return redirect("home")
    return redirect(_url(report))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report; a POST saves the statement and the linked activities."""
    actor = Scope.of(request)
    found = selectors.report_for_user(actor, pk)
    if request.method != "POST":
        return _page(request, found)
    if not actor.is_staff_of(found.commitment.unit):
        raise PermissionDenied(_("Only the unit's staff may change its fulfilment report."))
    refused = _save(request, actor, found)
    if refused is not None:
        return refused
    messages.success(request, _("The report has been saved."))
    return redirect(_url(found))


def _save(request: HttpRequest, actor: Scope, found: FulfilmentReport) -> HttpResponse | None:
    """Save the posted statement and activities; the page again (400, what was typed kept) when
    they are refused, else None."""
    form = StatementForm(request.POST)
    chosen = _chosen_ids(request)
    if not form.is_valid():
        return _page(request, found, form=form, chosen=chosen, status=400)
    try:
        services.report_update(
            actor, found, statement=form.cleaned_data["statement"], activities=chosen
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
        return _page(request, found, form=form, chosen=chosen, status=400)
    return None


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach each file on its own: a refused file is reported by name, the others are kept."""
    actor = Scope.of(request)
    found = selectors.report_for_user(actor, pk)
    uploads = request.FILES.getlist("files")
    oversized = oversized_uploads(request)
    for name in oversized:
        messages.error(request, size_refusal(name))
    if not uploads and not oversized:
        messages.error(request, _("Choose one or more files to attach."))
    for upload in uploads:
        name = upload.name or ""
        try:
            services.file_add(actor, found, upload)
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
    return redirect(_url(found))


@login_required
@require_POST
def report_file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    item = selectors.file_for_user(actor, pk)
    if item.fulfilment is None:
        raise PermissionDenied(_("This file is not part of a fulfilment report."))
    try:
        services.file_delete(actor, item)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” has been removed.") % {"name": item.original_name})
    return redirect(_url(item.fulfilment))


def _move(request: HttpRequest, pk: int, move, done: str) -> HttpResponse:
    actor = Scope.of(request)
    found = selectors.report_for_user(actor, pk)
    try:
        move(actor, found)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(_url(found))


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the report; posted from the edit form ("save and submit"), what was typed is
    saved first, and kept on the page when it is refused."""
    if "statement" in request.POST:
        actor = Scope.of(request)
        refused = _save(request, actor, selectors.report_for_user(actor, pk))
        if refused is not None:
            return refused
    return _move(request, pk, services.report_submit, _("The report has been submitted."))


@login_required
@require_POST
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(
        request, pk, services.report_withdraw, _("The report has been withdrawn to a draft.")
    )


@login_required
@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    level = level_seen(request.POST) or 0
    comment = request.POST.get("comment", "")[:2000]
    return _move(
        request,
        pk,
        lambda actor, found: services.report_approve(actor, found, level=level, comment=comment),
        _("The report has been approved."),
    )


@login_required
@require_POST
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    level = level_seen(request.POST) or 0
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _move(
        request,
        pk,
        lambda actor, found: services.report_return(actor, found, level=level, reason=reason),
        _("The report has been returned to the unit."),
    )
