"""Frozen assessment results: a campaign's snapshots, one snapshot's ranking (its publication,
its objections, its exports), a unit's objection and an admin's answer. Who reads what is
evaluations.snapshot_selectors' (out of reach: 404); who may act, the services' (refused: 403
for a user who may not, a message for a move the rules refuse)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from activities.evidence import size_refusal
from common.paging import page_number
from common.uploads import oversized_uploads, upload_limit
from evaluations import snapshot_selectors as selectors
from evaluations import snapshot_services as services
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import Snapshot
from evaluations.public_views import page_limited, too_many
from evaluations.snapshot_forms import AnswerForm, ObjectionForm, PublishForm
from units.models import Unit
from units.scope import Scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _url(snapshot: Snapshot) -> str:
    return reverse("evaluations:snapshot", args=[snapshot.pk])


def notice_url(snapshot: Snapshot) -> str:
    """The public notice's address on SITE_URL, as the public reaches it."""
    return settings.SITE_URL + reverse("public:notice", args=[snapshot.public_id])


def ranking_page(request: HttpRequest, snapshot: Snapshot) -> dict:
    """The page of the ranking asked for, with its rules' columns (shared with the public
    notice)."""
    columns = selectors.rule_columns(snapshot)
    page = Paginator(selectors.rows_of(snapshot), selectors.ROWS_PER_PAGE).get_page(
        page_number(request.GET.get("page"))
    )
    rows = [(row, selectors.points_by_rule(row, columns)) for row in page.object_list]
    return {
        "columns": columns,
        "page": page,
        "rows": rows,
        "pages": page.paginator.num_pages,
        "scaled": selectors.any_scaled(page.object_list),
    }


@login_required
@require_safe
def snapshots(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    actor = Scope.of(request)
    campaign = selectors.campaign_for_user(actor, campaign_pk)
    context = {
        "campaign": campaign,
        "snapshots": selectors.snapshots_of(actor, campaign),
        "may_administer": selectors.may_administer(actor, campaign),
    }
    return render(request, "evaluations/snapshots/list.html", context)


@login_required
@require_POST
def snapshot_take(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    actor = Scope.of(request)
    campaign = selectors.campaign_for_user(actor, campaign_pk)
    try:
        snapshot = services.snapshot_take(actor, campaign)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
        return redirect("evaluations:snapshots", campaign_pk=campaign.pk)
    messages.success(
        request, _("Version %(version)d has been taken.") % {"version": snapshot.version}
    )
    return redirect(_url(snapshot))


@login_required
@require_safe
def snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    return _snapshot_page(request, selectors.snapshot_for_user(Scope.of(request), pk))


def _snapshot_page(
    request: HttpRequest, found: Snapshot, *, form: PublishForm | None = None, status: int = 200
) -> HttpResponse:
    state = selectors.snapshot_state(Scope.of(request), found)
    context = {
        "snapshot": found,
        "campaign": found.campaign,
        "final": state.final,
        "window_open": state.window_open,
        "replaced_by": state.replaced_by,
        "may_administer": state.may_administer,
        "publish_form": form or PublishForm(),
        "objections": state.objections,
        "objecting_units": state.objecting_units,
        "notice_url": notice_url(found) if found.is_published else "",
        **ranking_page(request, found),
    }
    return render(request, "evaluations/snapshots/snapshot.html", context, status=status)


@login_required
@require_POST
def snapshot_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    found = selectors.snapshot_for_user(actor, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _snapshot_page(request, found, form=form, status=400)
    try:
        services.snapshot_publish(actor, found, window_days=form.cleaned_data["window_days"])
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The result is published for objections."))
    return redirect(_url(found))


@login_required
@require_safe
def snapshot_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.snapshot_for_user(Scope.of(request), pk)
    response = HttpResponse(selectors.ranking_workbook(found), content_type=XLSX)
    name = f"assessment-{found.campaign_id}-v{found.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def snapshot_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole ranking on printable A4 pages."""
    found = selectors.snapshot_for_user(Scope.of(request), pk)
    columns = selectors.rule_columns(found)
    rows = [(row, selectors.points_by_rule(row, columns)) for row in selectors.rows_of(found)]
    context = {
        "snapshot": found,
        "campaign": found.campaign,
        "columns": columns,
        "rows": rows,
        "scaled": selectors.any_scaled(row for row, _points in rows),
        "final": selectors.is_final(found),
        "notice_url": notice_url(found) if found.is_published else "",
    }
    return render(request, "evaluations/snapshots/print.html", context)


def _objection_form_page(
    request: HttpRequest, found: Snapshot, unit: Unit, form: ObjectionForm, status: int = 200
) -> HttpResponse:
    row = selectors.rows_of(found).filter(unit=unit).first()
    columns = selectors.rule_columns(found)
    context = {
        "snapshot": found,
        "campaign": found.campaign,
        "unit": unit,
        "row": row,
        "rule_lines": selectors.rule_lines(row, columns) if row else [],
        "scaled": selectors.any_scaled([row] if row else []),
        "form": form,
        "window_open": selectors.window_open(found),
    }
    return render(request, "evaluations/snapshots/objection_form.html", context, status=status)


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def objection_add(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    actor = Scope.of(request)
    found = selectors.snapshot_for_user(actor, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not actor.can_view(unit):
        raise Http404
    if not selectors.may_object_for(actor, unit):
        raise PermissionDenied(
            _("Only the unit's staff or administrators may object to its result.")
        )
    if request.method != "POST":
        return _objection_form_page(request, found, unit, ObjectionForm())
    form = ObjectionForm(request.POST)
    for name in oversized_uploads(request):
        form.add_error(None, size_refusal(name))
    if form.errors or not form.is_valid():
        return _objection_form_page(request, found, unit, form, status=400)
    try:
        objection = services.objection_file(
            actor,
            found,
            unit,
            reasons=form.cleaned_data["reasons"],
            files=request.FILES.getlist("files"),
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        form.add_error(None, str(error))
        return _objection_form_page(request, found, unit, form, status=400)
    messages.success(request, _("Your objection has been filed."))
    return redirect("evaluations:objection", pk=objection.pk)


@login_required
@require_safe
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    return _objection_page(request, selectors.objection_for_user(Scope.of(request), pk))


def _objection_page(
    request: HttpRequest, found, *, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    actor = Scope.of(request)
    administer = selectors.may_administer(actor, found.snapshot.campaign)
    context = {
        "objection": found,
        "snapshot": found.snapshot,
        "campaign": found.snapshot.campaign,
        "files": list(selectors.objection_files(found)),
        "may_answer": administer and found.outcome == "pending",
        "form": form or AnswerForm(),
    }
    return render(request, "evaluations/snapshots/objection.html", context, status=status)


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    found = selectors.objection_for_user(actor, pk)
    if not selectors.may_administer(actor, found.snapshot.campaign):
        raise PermissionDenied(_("Only an administrator of the organising unit may do this."))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _objection_page(request, found, form=form, status=400)
    try:
        answered = services.objection_answer(
            actor,
            found,
            upheld=form.cleaned_data["outcome"] == "upheld",
            answer=form.cleaned_data["answer"],
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    except EvaluationError as error:
        form.add_error(None, str(error))
        return _objection_page(request, found, form=form, status=400)
    if answered.correction is not None:
        messages.success(
            request,
            _("The objection is upheld: version %(version)d corrects the result.")
            % {"version": answered.correction.version},
        )
    else:
        messages.success(request, _("The objection is rejected; the unit sees your answer."))
    return redirect("evaluations:objection", pk=answered.pk)


@never_cache
@require_safe
def public_notice(request: HttpRequest, public_id: str) -> HttpResponse:
    """The public notice (公示) of a published snapshot, without logging in: the ranking — unit
    names, peer groups, ranks, points by rule, grades — and the notice period; nothing else (no
    user, no objection, no id). Throttled per client address like the appraisal page."""
    if page_limited(request):
        return too_many(request)
    found = selectors.published_snapshot(public_id)
    replaced = getattr(found, "corrected_by", None)
    context = {
        "snapshot": found,
        "campaign": found.campaign,
        "final": selectors.is_final(found),
        "window_open": selectors.window_open(found),
        "replaced_by": replaced if replaced is not None and replaced.is_published else None,
        **ranking_page(request, found),
    }
    return render(request, "evaluations/public/notice.html", context)
