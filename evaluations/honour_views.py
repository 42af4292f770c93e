"""Honours (评选表彰), first half: the rounds (admins of the organising unit create them and set
quotas), applications (a unit's staff apply or nominate), and recommendation level by level (the
reviewers the routing names). A round or application the user may not see is a 404; an action
the user may not take on one they see is a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.evidence import size_refusal
from campaigns.selectors import campaigns_visible_to, can_manage_campaign
from common.posted import level_seen, whole_number
from common.uploads import oversized_uploads, upload_limit
from evaluations import honour_roll_services
from evaluations import honour_selectors as selectors
from evaluations import honour_services as services
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.fulfilment_selectors import file_for_user
from evaluations.honour_forms import (
    ApplicationForm,
    DeclineForm,
    QuotaForm,
    RecommendForm,
    RoundForm,
)
from evaluations.models import Application, HonourRound, Quota
from units.models import Unit, UnitKind
from units.scope import Scope


def _url(application: Application) -> str:
    return reverse("evaluations:honour_application", args=[application.pk])


def _round_url(honour_round: HonourRound) -> str:
    return reverse("evaluations:honour_round", args=[honour_round.pk])


def _refused(request: HttpRequest, error: EvaluationError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error)) from error
    messages.error(request, str(error))


def _form_refused(form, error: EvaluationError) -> None:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error)) from error
    form.add_error(None, str(error))


def _staff_units(actor: Scope) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=actor.staff_unit_ids, is_active=True).order_by("path"))


# --- Rounds --------------------------------------------------------------------------------------


@login_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    """The honours start page: the rounds the user sees, what waits for their recommendation."""
    actor = Scope.of(request)
    found = list(selectors.rounds_visible_to(actor))
    manageable = list(campaigns_visible_to(actor).select_related("unit"))
    context = {
        "rounds": [(r, services.window_open(r)) for r in found],
        "may_create": any(can_manage_campaign(actor, c) for c in manageable),
        "waiting": selectors.waiting_count(actor),
        "is_staff": bool(actor.staff_unit_ids),
        "is_reviewer": actor.superuser or bool(actor.reviewer_paths),
    }
    return render(request, "evaluations/honours/rounds.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    actor = Scope.of(request)
    campaigns = [
        c
        for c in campaigns_visible_to(actor).select_related("unit").order_by("-starts_on", "-pk")
        if can_manage_campaign(actor, c)
    ]
    if not campaigns:
        raise PermissionDenied(_("Only an admin of a campaign's organising unit may do this."))
    chosen = next(
        (
            c
            for c in campaigns
            if c.pk == whole_number(request.POST.get("campaign") or request.GET.get("campaign"))
        ),
        campaigns[0],
    )
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            honour_round = services.round_create(actor, campaign=chosen, **form.cleaned_data)
        except EvaluationError as error:
            _form_refused(form, error)
        else:
            messages.success(request, _("The honours round was created."))
            return redirect(_round_url(honour_round))
    context = {"form": form, "campaigns": campaigns, "chosen": chosen, "round": None}
    status = 400 if form.errors else 200
    return render(request, "evaluations/honours/round_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    honour_round = selectors.round_for_user(actor, pk)
    if not services.may_manage(actor, honour_round):
        raise PermissionDenied(_("Only an admin of the campaign's organising unit may do this."))
    initial = {
        "title": honour_round.title,
        "opens_on": honour_round.opens_on,
        "closes_on": honour_round.closes_on,
        "publicity_days": honour_round.publicity_days,
    }
    form = RoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(actor, honour_round, **form.cleaned_data)
        except EvaluationError as error:
            _form_refused(form, error)
        else:
            messages.success(request, _("The honours round was saved."))
            return redirect(_round_url(honour_round))
    context = {"form": form, "round": honour_round, "chosen": honour_round.campaign}
    status = 400 if form.errors else 200
    return render(request, "evaluations/honours/round_form.html", context, status=status)


def _kind_label(kind: str) -> str:
    return str(UnitKind(kind).label) if kind in UnitKind.values else kind


def _quota_units(honour_round: HonourRound):
    organiser = honour_round.campaign.unit
    return Unit.objects.filter(path__startswith=organiser.path, is_active=True).order_by("path")


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    honour_round = selectors.round_for_user(actor, pk)
    manages = services.may_manage(actor, honour_round)
    staff_units = [u for u in _staff_units(actor) if services.may_apply(actor, honour_round, u)]
    context = {
        "round": honour_round,
        "window_open": services.window_open(honour_round),
        "manages": manages,
        "sees_notice": honour_roll_services.may_see(actor, honour_round),
        "quotas": [(q, _kind_label(q.unit_kind)) for q in selectors.quotas_of(honour_round)],
        "applications": list(selectors.applications_in_round(actor, honour_round)),
        "apply_units": staff_units,
    }
    if manages:
        context["quota_form"] = QuotaForm(units=_quota_units(honour_round))
    return render(request, "evaluations/honours/round_detail.html", context)


@login_required
@require_POST
def quota_set(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    honour_round = selectors.round_for_user(actor, pk)
    if not services.may_manage(actor, honour_round):
        raise PermissionDenied(_("Only an admin of the campaign's organising unit may do this."))
    form = QuotaForm(request.POST, units=_quota_units(honour_round))
    if not form.is_valid():
        messages.error(request, _("Choose an honour and give a whole number for the quota."))
        return redirect(_round_url(honour_round))
    try:
        services.quota_set(actor, honour_round, **form.cleaned_data)
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The quota was set."))
    return redirect(_round_url(honour_round))


@login_required
@require_POST
def quota_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    quota = get_object_or_404(Quota, pk=pk)
    honour_round = selectors.round_for_user(actor, quota.round_id)
    try:
        services.quota_delete(actor, quota)
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The quota was removed."))
    return redirect(_round_url(honour_round))


# --- Applications --------------------------------------------------------------------------------


def _application_form_page(request, context, form, status=200):
    context["form"] = form
    return render(request, "evaluations/honours/application_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    actor = Scope.of(request)
    honour_round = selectors.round_for_user(actor, pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    if not actor.can_view(unit):
        raise Http404
    if not actor.is_staff_of(unit):
        raise PermissionDenied(_("Only the unit's staff may apply for it."))
    if not services.may_apply(actor, honour_round, unit):
        messages.error(
            request,
            _("Applications are made within the round's window, by units below its organiser."),
        )
        return redirect(_round_url(honour_round))
    categories = selectors.categories_for(unit)
    form = ApplicationForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor, honour_round=honour_round, unit=unit, **form.application_data()
            )
        except EvaluationError as error:
            _form_refused(form, error)
        else:
            messages.success(request, _("The application was saved as a draft."))
            return redirect(_url(application))
    context = {"round": honour_round, "unit": unit, "application": None}
    return _application_form_page(request, context, form, 400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    application = selectors.application_for_user(actor, pk)
    if not services.may_edit(actor, application):
        raise PermissionDenied(_("Only the unit's staff may change its application."))
    initial = {
        "category": application.category_id,
        "person_name": application.person_name,
        "person_post": application.person_post,
        "case": application.case,
        "summary": application.summary,
        **application.registration,
    }
    categories = selectors.categories_for(application.unit)
    form = ApplicationForm(request.POST or None, initial=initial, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor, application, **form.application_data())
        except EvaluationError as error:
            _form_refused(form, error)
        else:
            messages.success(request, _("The application was saved."))
            return redirect(_url(application))
    context = {"round": application.round, "unit": application.unit, "application": application}
    return _application_form_page(request, context, form, 400 if form.errors else 200)


@login_required
@require_GET
def application_page(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    application = selectors.application_for_user(actor, pk)
    campaign = application.round.campaign
    count, latest = selectors.approved_activities(application.unit, campaign)
    context = {
        "application": application,
        "round": application.round,
        "steps": list(selectors.steps_of(application)),
        "files": list(selectors.files_of(application)),
        "assessment": selectors.assessment_of(application.unit, campaign),
        "activity_count": count,
        "activities": latest,
        "may_edit": services.may_edit(actor, application),
        "may_withdraw": services.may_withdraw(actor, application),
        "may_recommend": services.may_recommend(actor, application),
        "recommend_form": RecommendForm(),
        "decline_form": DeclineForm(),
    }
    if context["may_recommend"] and application.waiting_unit is not None:
        here = application.waiting_unit
        context["quota"] = selectors.category_quota_use(
            application.round, application.category, here
        )
        context["shortlists"] = here.pk == campaign.unit_id
    return render(request, "evaluations/honours/application.html", context)


def _move(request: HttpRequest, pk: int, move, done: str) -> HttpResponse:
    actor = Scope.of(request)
    application = selectors.application_for_user(actor, pk)
    try:
        move(actor, application)
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return redirect(_url(application))


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(
        request,
        pk,
        services.application_submit,
        _("The application was submitted: it waits for the first level's recommendation."),
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, services.application_withdraw, _("The application was withdrawn."))


@login_required
@require_POST
def application_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    application = selectors.application_for_user(actor, pk)
    form = RecommendForm(request.POST)
    if not form.is_valid():
        if not services.may_recommend(actor, application):
            raise PermissionDenied(
                _("This application has not reached a level where you recommend.")
            )
        messages.error(request, _("A rank is a whole number from 1 to 999."))
        return redirect(_url(application))
    try:
        done = services.application_recommend(
            actor, application, level=level_seen(request.POST) or 0, **form.cleaned_data
        )
    except EvaluationError as error:
        _refused(request, error)
    else:
        if done.status == "shortlisted":
            messages.success(request, _("The application is on the shortlist."))
        else:
            messages.success(request, _("Recommended: it now waits on the next level."))
    return redirect(_url(application))


@login_required
@require_POST
def application_decline(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    application = selectors.application_for_user(actor, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        if not services.may_recommend(actor, application):
            raise PermissionDenied(
                _("This application has not reached a level where you recommend.")
            )
        messages.error(request, _("Say why: a reason is required."))
        return redirect(_url(application))
    try:
        services.application_decline(
            actor,
            application,
            level=level_seen(request.POST) or 0,
            reason=form.cleaned_data["reason"],
        )
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The application was declined with your reason."))
    return redirect(_url(application))


@upload_limit("EVIDENCE_MAX_BYTES")
@login_required
@require_POST
def application_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach each file on its own: a refused file is reported by name, the others are kept."""
    actor = Scope.of(request)
    application = selectors.application_for_user(actor, pk)
    if not actor.is_staff_of(application.unit_id):
        raise PermissionDenied(_("Only the unit's staff may change its application."))
    uploads = request.FILES.getlist("files")
    oversized = oversized_uploads(request)
    for name in oversized:
        messages.error(request, size_refusal(name))
    if not uploads and not oversized:
        messages.error(request, _("Choose one or more files to attach."))
    for upload in uploads:
        name = upload.name or ""
        try:
            services.file_add(actor, application, upload)
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
    return redirect(_url(application))


@login_required
@require_POST
def application_file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Scope.of(request)
    item = file_for_user(actor, pk)
    if item.application is None:
        raise Http404
    try:
        services.file_delete(actor, item)
    except EvaluationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("“%(name)s” has been removed.") % {"name": item.original_name})
    return redirect(_url(item.application))


# --- Lists ---------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The applications of the user's own units (as their staff)."""
    actor = Scope.of(request)
    context = {
        "applications": list(selectors.applications_of_units(actor.staff_unit_ids)),
        "is_reviewer": actor.superuser or bool(actor.reviewer_paths),
    }
    return render(request, "evaluations/honours/mine.html", context)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for the user's recommendation, with the quota used and left of the unit it
    waits on for its category."""
    actor = Scope.of(request)
    if not (actor.superuser or actor.reviewer_paths):
        raise PermissionDenied(_("Only reviewers recommend applications."))
    context = {"rows": selectors.waiting_for(actor), "is_reviewer": True}
    return render(request, "evaluations/honours/queue.html", context)
