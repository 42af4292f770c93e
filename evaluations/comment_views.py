"""Leader comments and follow-ups: a unit's comments page (with the form for its leaders), a
follow-up's page and its moves, and a leader's own comments with the follow-ups open in their
subtree. A unit or follow-up the user may not see is a 404; a move they may not make is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.evidence import size_refusal
from activities.exceptions import EvidenceRejected
from activities.models import Activity, Status
from campaigns.models import Campaign, TargetTask
from common.paging import page_number
from common.uploads import oversized_uploads, upload_limit
from evaluations import comment_selectors as selectors
from evaluations import comment_services as services
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.forms import CommentForm, FollowUpReportForm, SendBackForm
from evaluations.models import FollowUp
from units.scope import Scope
from units.selectors import unit_for_user

PER_PAGE = 20


def _paged(request: HttpRequest, queryset) -> tuple[list, dict]:
    """One page of rows and what partials/pager.html reads of it."""
    number = page_number(request.GET.get("page"))
    start = (number - 1) * PER_PAGE
    rows = list(queryset[start : start + PER_PAGE + 1])
    page = {"number": number, "has_previous": number > 1, "has_next": len(rows) > PER_PAGE}
    return rows[:PER_PAGE], page


def _comment_form(unit, data=None, initial=None) -> CommentForm:
    campaigns = Campaign.objects.filter(unit__path__in=unit.ancestor_paths).order_by(
        "-is_active", "-starts_on", "-pk"
    )
    return CommentForm(
        data,
        initial=initial,
        campaigns=campaigns,
        tasks=TargetTask.objects.filter(campaign__in=campaigns, is_active=True)
        .select_related("campaign")
        .order_by("-campaign__starts_on", "sort_order", "code"),
        activities=Activity.objects.filter(unit=unit, campaign__in=campaigns)
        .exclude(status=Status.DRAFT)
        .order_by("-starts_on", "-pk"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_comments(request: HttpRequest, pk: int) -> HttpResponse:
    unit = unit_for_user(request.user, pk)
    scope = Scope.of(request)
    may_comment = services.may_comment(scope, unit)
    form = None
    if may_comment:
        if request.method == "POST":
            form = _comment_form(unit, request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.comment_write(
                        request.user,
                        unit,
                        data["campaign"],
                        data["text"],
                        grade=data["grade"],
                        task=data["task"],
                        activity=data["activity"],
                        follow_up_due=data["due_on"],
                    )
                except NotAllowed as error:
                    raise PermissionDenied(str(error)) from error
                except EvaluationError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("Your comment was added."))
                    return redirect("evaluations:unit_comments", pk=unit.pk)
        else:
            initial = {
                key: request.GET[key]
                for key in ("campaign", "activity", "task")
                if key in request.GET
            }
            if "activity" in initial:
                initial["subject"] = CommentForm.ACTIVITY
            elif "task" in initial:
                initial["subject"] = CommentForm.TASK
            form = _comment_form(unit, initial=initial)
    elif request.method == "POST":
        raise PermissionDenied(
            _("Only a leader of this unit or of a unit above it may comment on it.")
        )
    comments, page = _paged(request, selectors.unit_comments(unit))
    status = 400 if form is not None and form.is_bound else 200
    return render(
        request,
        "evaluations/comments/unit_comments.html",
        {
            "unit": unit,
            "comments": comments,
            "page": page,
            "form": form,
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_GET
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.follow_up_for(request, pk)
    return _follow_up_page(request, found)


def _follow_up_page(
    request: HttpRequest, found: FollowUp, report_form=None, send_back_form=None, status=200
) -> HttpResponse:
    scope = Scope.of(request)
    may_answer = services.may_answer(scope, found)
    may_decide = services.may_decide(scope, found)
    if may_answer and report_form is None:
        report_form = FollowUpReportForm(
            initial={"text": found.report, "activities": list(found.activities.all())},
            activities=_approved(found),
        )
    return render(
        request,
        "evaluations/comments/follow_up.html",
        {
            "follow_up": found,
            "comment": found.comment,
            "unit": found.unit,
            "overdue": selectors.is_overdue(found),
            "may_acknowledge": may_answer and found.status == "open",
            "may_report": may_answer and found.status in selectors.TO_ANSWER,
            "may_decide": may_decide and found.status == "reported",
            "report_form": report_form,
            "send_back_form": send_back_form or SendBackForm(),
        },
        status=status,
    )


def _approved(found: FollowUp):
    return Activity.objects.filter(
        unit_id=found.unit_id, campaign_id=found.campaign_id, status=Status.APPROVED
    ).order_by("-starts_on", "-pk")


def _back(found: FollowUp) -> HttpResponse:
    return redirect("evaluations:follow_up", pk=found.pk)


def _refused(error: EvaluationError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error)) from error


@login_required
@require_POST
def follow_up_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.follow_up_for(request, pk)
    try:
        services.follow_up_acknowledge(request.user, found)
    except EvaluationError as error:
        _refused(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("You acknowledged the follow-up."))
    return _back(found)


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def follow_up_report(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.follow_up_for(request, pk)
    if not services.may_answer(request, found):
        raise PermissionDenied(_("Only the unit's staff may report on its follow-up."))
    form = FollowUpReportForm(request.POST, activities=_approved(found))
    # A file past the limit was skipped on the way in: the report is not sent without it.
    for name in oversized_uploads(request):
        form.add_error(None, size_refusal(name))
    if form.is_valid():
        try:
            services.follow_up_report(
                request.user,
                found,
                form.cleaned_data["text"],
                form.cleaned_data["activities"],
                request.FILES.getlist("files"),
            )
        except (EvaluationError, EvidenceRejected) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your report was sent to the leader."))
            return _back(found)
    return _follow_up_page(request, found, report_form=form, status=400)


@login_required
@require_POST
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.follow_up_for(request, pk)
    try:
        services.follow_up_close(request.user, found)
    except EvaluationError as error:
        _refused(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("The follow-up is closed."))
    return _back(found)


@login_required
@require_POST
def follow_up_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.follow_up_for(request, pk)
    if not services.may_decide(request, found):
        raise PermissionDenied(
            _("Only the comment's author or a leader over the unit may close or send it back.")
        )
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_send_back(request.user, found, form.cleaned_data["reason"])
        except EvaluationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The follow-up was sent back to the unit."))
            return _back(found)
    return _follow_up_page(request, found, send_back_form=form, status=400)


@login_required
@require_GET
def leader_comments(request: HttpRequest) -> HttpResponse:
    """The comments the user wrote and the follow-ups open in the subtrees they lead; filters:
    `show=reported` (awaiting a close) or `show=overdue`."""
    scope = Scope.of(request)
    show = request.GET.get("show", "")
    open_ups = selectors.open_in_subtree(
        scope, reported=show == "reported", overdue=show == "overdue"
    )
    comments, page = _paged(request, selectors.comments_by(request.user))
    return render(
        request,
        "evaluations/comments/leader_comments.html",
        {
            "comments": comments,
            "page": page,
            "follow_ups": list(open_ups[:PER_PAGE]),
            "counts": selectors.subtree_counts(scope),
            "show": show,
            "today": timezone.localdate(),
            "comments_url": reverse("evaluations:leader_comments"),
        },
    )
