"""Target pages: bulk assignment, one unit's target, its history, and the spreadsheet
import/export. (A unit's targets with their progress need the activities' figures: that page is
activities.target_progress_views, under this app's URL names.)

Scope first, then role: a unit, task, target or campaign the user may not see is a 404. Setting
targets needs an admin on the unit or above (units.scope.Scope.can_manage); a user who sees the
unit without that role gets a 403."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User
from campaigns import importing, selectors, services
from campaigns.exceptions import CampaignError
from campaigns.forms import TargetAssignForm, TargetImportForm, TargetSetForm
from campaigns.importing import ImportRejected, TargetsPlan, admin_units_in
from campaigns.models import Campaign, Target, TargetTask
from common.uploads import oversized_uploads, upload_limit
from units.importing import file_too_large
from units.scope import Scope
from units.selectors import breadcrumbs, unit_for_user, units_visible_to

SESSION_KEY = "campaigns_targets_import"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error_text(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


# --- Bulk assignment -------------------------------------------------------------------------


@login_required
def targets_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    task = get_object_or_404(
        TargetTask.objects.select_related("campaign__unit"),
        pk=pk,
        campaign__in=selectors.campaigns_visible_to(user),
    )
    roots = admin_units_in(user, task.campaign).filter(is_active=True).order_by("path")
    if not roots.exists():
        raise PermissionDenied(_("Only an administrator of units in this campaign may do that."))
    form = TargetAssignForm(request.POST or None, task=task, roots=roots)
    context = {"task": task, "campaign": task.campaign, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.targets_assign(
                task=task,
                root=data["root"],
                kinds=data["kinds"],
                value=data["value"],
                due_on=data["due_on"],
                replace_overrides=data["replace_overrides"],
            )
        except (CampaignError, ValidationError) as error:
            messages.error(request, _error_text(error))
            return render(request, "campaigns/targets_assign.html", context, status=400)
        messages.success(
            request,
            _(
                "Targets for “%(task)s”: %(created)s created, %(updated)s updated, "
                "%(kept)s set per unit kept as they were."
            )
            % {
                "task": task.title,
                "created": result.created,
                "updated": result.updated,
                "kept": result.kept,
            },
        )
        return redirect("campaigns:detail", pk=task.campaign_id)
    return render(request, "campaigns/targets_assign.html", context)


# --- One unit --------------------------------------------------------------------------------


@login_required
def target_set(request: HttpRequest, unit_pk: int) -> HttpResponse:
    scope = Scope.of(request)
    unit = unit_for_user(scope, unit_pk)
    if not scope.can_manage(unit):
        raise PermissionDenied(_("Only an administrator of this unit or above may set targets."))
    tasks = (
        TargetTask.objects.filter(campaign__in=selectors.active_campaigns_for(unit), is_active=True)
        .select_related("campaign")
        .order_by("-campaign__starts_on", "campaign__name", "line", "sort_order", "code")
    )
    initial = {}
    chosen = request.GET.get("task", "")
    if chosen.isdigit():
        initial["task"] = int(chosen)
        current = Target.objects.filter(unit=unit, task_id=int(chosen)).first()
        if current is not None:
            initial.update(value=current.value, due_on=current.due_on)
    form = TargetSetForm(request.POST or None, tasks=tasks, initial=initial)
    context = {"unit": unit, "breadcrumbs": breadcrumbs(scope, unit), "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.target_set(
                unit=unit, task=data["task"], value=data["value"], due_on=data["due_on"]
            )
        except (CampaignError, ValidationError) as error:
            messages.error(request, _error_text(error))
            return render(request, "campaigns/target_set.html", context, status=400)
        messages.success(
            request,
            _("The target for “%(task)s” has been set.") % {"task": data["task"].title},
        )
        return redirect("campaigns:unit_targets", unit_pk=unit.pk)
    return render(request, "campaigns/target_set.html", context)


@login_required
def target_history(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        Target.objects.select_related("unit", "task__campaign"),
        pk=pk,
        unit__in=units_visible_to(Scope.of(request)),
    )
    records = target.history.select_related("history_user").order_by("-history_date", "-history_id")
    return render(
        request,
        "campaigns/target_history.html",
        {
            "target": target,
            "unit": target.unit,
            "breadcrumbs": breadcrumbs(Scope.of(request), target.unit),
            "records": records,
        },
    )


# --- Import and export -----------------------------------------------------------------------


def _import_campaign(user: User, pk: int) -> Campaign:
    campaign = selectors.campaign_for_user(user, pk)
    if not admin_units_in(user, campaign).exists():
        raise PermissionDenied(_("Only an administrator of units in this campaign may do that."))
    return campaign


@login_required
def targets_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _import_campaign(request.user, pk)
    response = HttpResponse(
        importing.targets_workbook(user=request.user, campaign=campaign), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="targets-{campaign.pk}.xlsx"'
    return response


@upload_limit("IMPORT_MAX_BYTES")
@login_required
def targets_import(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _import_campaign(request.user, pk)
    if request.method != "POST":
        return render(
            request,
            "campaigns/targets_import.html",
            {"campaign": campaign, "form": TargetImportForm()},
        )
    form = TargetImportForm(request.POST, request.FILES)
    if not form.is_valid():
        if oversized_uploads(request):  # skipped while it streamed in
            form.errors["file"] = form.error_class([file_too_large(settings.IMPORT_MAX_BYTES)])
        return render(
            request,
            "campaigns/targets_import.html",
            {"campaign": campaign, "form": form},
            status=400,
        )
    rows = form.cleaned_data["rows"]
    plan = importing.targets_validate(user=request.user, campaign=campaign, rows=rows)
    token = ""
    request.session.pop(SESSION_KEY, None)
    if not plan.errors:
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {"token": token, "campaign": campaign.pk, "rows": rows}
    return _preview(request, campaign, plan, token=token, filename=form.cleaned_data["file"].name)


@login_required
@require_POST
def targets_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _import_campaign(request.user, pk)
    pending = request.session.pop(SESSION_KEY, None)
    token = request.POST.get("token", "")
    if (
        not pending
        or not token
        or pending.get("campaign") != campaign.pk
        or not constant_time_compare(token, pending["token"])
    ):
        messages.error(request, _("This preview has expired or was imported already."))
        return redirect("campaigns:targets_import", pk=campaign.pk)
    try:
        plan = importing.targets_import(user=request.user, campaign=campaign, rows=pending["rows"])
    except ImportRejected as exc:
        messages.error(
            request,
            _("Nothing was imported: the data changed since the preview. Fix the rows below."),
        )
        return _preview(request, campaign, exc.plan, status=409)
    messages.success(
        request,
        ngettext(
            "Imported %(count)s target: %(created)s created, %(updated)s updated.",
            "Imported %(count)s targets: %(created)s created, %(updated)s updated.",
            plan.created + plan.updated,
        )
        % {
            "count": plan.created + plan.updated,
            "created": plan.created,
            "updated": plan.updated,
        },
    )
    return redirect("campaigns:detail", pk=campaign.pk)


def _preview(
    request: HttpRequest,
    campaign: Campaign,
    plan: TargetsPlan,
    *,
    token: str = "",
    filename: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {"campaign": campaign, "plan": plan, "token": token, "filename": filename}
    return render(request, "campaigns/targets_import_preview.html", context, status=status)
