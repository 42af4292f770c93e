"""Campaign pages: the list, a campaign with its phases and task catalogue, and the forms that
change them.

A campaign the user may not see is a 404 (campaigns.selectors.campaign_for_user); one they see but
may not manage (an admin on its organising unit or above) is a 403. Every write goes through
campaigns.services, whose refusals become messages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from campaigns import selectors, services
from campaigns.exceptions import CampaignError
from campaigns.forms import CampaignForm, PhaseForm, TaskForm
from campaigns.importing import admin_units_in
from campaigns.models import Campaign, Phase, TargetTask
from units.models import Role
from units.selectors import units_for_role


def _managed_campaign(user: User, pk: int) -> Campaign:
    campaign = selectors.campaign_for_user(user, pk)
    if not selectors.can_manage_campaign(user, campaign):
        raise PermissionDenied(_("Only an administrator of the organising unit may do that."))
    return campaign


def _managed(user: User, model, pk: int):
    """A phase or task of a campaign `user` manages: 404 out of sight, 403 without the role."""
    item = get_object_or_404(
        model.objects.select_related("campaign__unit"),
        pk=pk,
        campaign__in=selectors.campaigns_visible_to(user),
    )
    if not selectors.can_manage_campaign(user, item.campaign):
        raise PermissionDenied(_("Only an administrator of the organising unit may do that."))
    return item


def _fresh(instance):
    """A second copy for the form to fill in, so that a refused change leaves the original (which
    the service compares against) and the page title as saved."""
    return type(instance).objects.get(pk=instance.pk)


def _form_page(
    request: HttpRequest,
    template: str,
    form,
    *,
    title: str,
    campaign: Campaign | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "title": title, "campaign": campaign}
    return render(request, f"campaigns/{template}.html", context, status=status)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaigns_visible_to(request.user).select_related("unit")
    can_create = units_for_role(request.user, Role.ADMIN).filter(is_active=True).exists()
    return render(
        request,
        "campaigns/campaign_list.html",
        {"campaigns": campaigns, "can_create": can_create},
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    campaign = selectors.campaign_for_user(user, pk)
    can_manage = selectors.can_manage_campaign(user, campaign)
    tasks = selectors.catalogue(campaign)
    if not can_manage:
        tasks = tasks.filter(is_active=True)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "phases": campaign.phases.all(),
            "tasks": tasks,
            "can_manage": can_manage,
            "can_set_targets": admin_units_in(user, campaign).exists(),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    units = units_for_role(request.user, Role.ADMIN).filter(is_active=True).order_by("path")
    if not units.exists():
        raise PermissionDenied(_("Only administrators may start a campaign."))
    form = CampaignForm(request.POST or None, units=units)
    title = _("New campaign")
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        unit = fields.pop("unit")
        try:
            campaign = services.campaign_create(unit=unit, fields=fields)
        except CampaignError as error:
            messages.error(request, str(error))
            return _form_page(request, "campaign_create", form, title=title, status=400)
        messages.success(request, _("“%(name)s” has been created.") % {"name": campaign.name})
        return redirect("campaigns:detail", pk=campaign.pk)
    return _form_page(request, "campaign_create", form, title=title)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    form = CampaignForm(request.POST or None, instance=_fresh(campaign))
    title = _("Edit campaign")
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, fields=form.cleaned_data)
        except CampaignError as error:
            messages.error(request, str(error))
            return _form_page(
                request, "campaign_edit", form, title=title, campaign=campaign, status=400
            )
        messages.success(request, _("The campaign has been saved."))
        return redirect("campaigns:detail", pk=campaign.pk)
    return _form_page(request, "campaign_edit", form, title=title, campaign=campaign)


# --- Phases ----------------------------------------------------------------------------------


def _catalogue_form(
    request: HttpRequest,
    template: str,
    form,
    *,
    campaign: Campaign,
    title: str,
    save,
    done: str,
) -> HttpResponse:
    """A phase's or a task's form page: `save(cleaned_data)` calls the service; a refusal comes
    back on the form with a 400, success goes to the campaign with the message `done`."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except CampaignError as error:
            messages.error(request, str(error))
            return _form_page(request, template, form, title=title, campaign=campaign, status=400)
        messages.success(request, done)
        return redirect("campaigns:detail", pk=campaign.pk)
    return _form_page(request, template, form, title=title, campaign=campaign)


@login_required
def phase_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    return _catalogue_form(
        request,
        "phase_create",
        PhaseForm(request.POST or None, instance=Phase(campaign=campaign)),
        campaign=campaign,
        title=_("Add phase"),
        save=lambda fields: services.phase_create(campaign=campaign, fields=fields),
        done=_("The phase has been added."),
    )


@login_required
def phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _managed(request.user, Phase, pk)
    return _catalogue_form(
        request,
        "phase_edit",
        PhaseForm(request.POST or None, instance=_fresh(phase)),
        campaign=phase.campaign,
        title=_("Edit phase"),
        save=lambda fields: services.phase_update(phase=phase, fields=fields),
        done=_("The phase has been saved."),
    )


@login_required
@require_POST
def phase_delete(request: HttpRequest, pk: int) -> HttpResponse:
    phase = _managed(request.user, Phase, pk)
    try:
        services.phase_delete(phase=phase)
    except CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” has been deleted.") % {"name": phase.name})
    return redirect("campaigns:detail", pk=phase.campaign_id)


# --- Task catalogue --------------------------------------------------------------------------


@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request.user, pk)
    return _catalogue_form(
        request,
        "task_create",
        TaskForm(request.POST or None, instance=TargetTask(campaign=campaign)),
        campaign=campaign,
        title=_("Add target task"),
        save=lambda fields: services.task_create(campaign=campaign, fields=fields),
        done=_("The target task has been added."),
    )


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _managed(request.user, TargetTask, pk)
    return _catalogue_form(
        request,
        "task_edit",
        TaskForm(request.POST or None, instance=_fresh(task)),
        campaign=task.campaign,
        title=_("Edit target task"),
        save=lambda fields: services.task_update(task=task, fields=fields),
        done=_("The target task has been saved."),
    )
