"""Campaigns, tasks and targets in the admin. Every write goes through campaigns.services, as the
pages' do, so the rules that keep the targets' sums and the roll-ups right hold here too: a
task's campaign, and its metric or line once targets or activities depend on them, are read-only;
a target's unit and task are fixed; a target that activities count toward is not deleted. A
refusal is shown as a message and nothing is written."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaigns import services
from campaigns.exceptions import CampaignError
from campaigns.models import Campaign, Phase, Target, TargetTask
from common.admin_services import ThroughServices, adopt

PHASE_FIELDS = ("name", "starts_on", "deadline", "description")


class PhaseInline(admin.TabularInline):
    model = Phase
    fields = PHASE_FIELDS
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(ThroughServices, admin.ModelAdmin):
    refusals = (CampaignError,)
    list_display = ("name", "unit", "starts_on", "ends_on", "review_levels", "is_active")
    list_filter = ("is_active", "review_levels")
    search_fields = ("name", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    inlines = [PhaseInline]

    def get_readonly_fields(self, request, obj=None):
        # The organising unit decides which units' targets the campaign holds.
        return ("unit",) if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            saved = services.campaign_update(
                campaign=Campaign.objects.get(pk=obj.pk), fields=fields
            )
        else:
            fields = dict(form.cleaned_data)
            unit = fields.pop("unit")
            saved = services.campaign_create(unit=unit, fields=fields)
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change) -> None:
        """The phases, by phase_create, phase_update and phase_delete."""
        formset.save(commit=False)
        for phase in formset.deleted_objects:
            services.phase_delete(phase=phase)
        for phase, changed in formset.changed_objects:
            fields = {name: getattr(phase, name) for name in changed}
            services.phase_update(phase=Phase.objects.get(pk=phase.pk), fields=fields)
        for phase in formset.new_objects:
            fields = {name: getattr(phase, name) for name in PHASE_FIELDS}
            adopt(phase, services.phase_create(campaign=form.instance, fields=fields))


@admin.register(TargetTask)
class TargetTaskAdmin(ThroughServices, SimpleHistoryAdmin):
    refusals = (CampaignError,)
    list_display = ("code", "title", "campaign", "line", "metric", "is_required", "is_active")
    list_filter = ("campaign", "line", "metric", "is_required", "is_active")
    search_fields = ("code", "title", "programme")
    list_select_related = ("campaign",)

    def get_readonly_fields(self, request, obj=None):
        return tuple(services.task_fixed_fields(obj)) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        # Activities and targets refer to tasks: a task is deactivated, on the campaign's pages.
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            # The service judges the change against the task as it is stored.
            saved = services.task_update(task=TargetTask.objects.get(pk=obj.pk), fields=fields)
        else:
            fields = dict(form.cleaned_data)
            campaign = fields.pop("campaign")
            saved = services.task_create(campaign=campaign, fields=fields)
        adopt(obj, saved)


@admin.register(Target)
class TargetAdmin(ThroughServices, SimpleHistoryAdmin):
    refusals = (CampaignError,)
    list_display = ("unit", "task", "value", "due_on", "is_override", "updated_at")
    list_filter = ("task__campaign", "task__line", "is_override")
    search_fields = ("unit__name", "unit__code", "task__code", "task__title")
    autocomplete_fields = ("unit", "task")
    list_select_related = ("unit", "task")

    def get_readonly_fields(self, request, obj=None):
        # A target stays the one unit's on the one task; set another one for other pairs. One set
        # here is set by hand: a later bulk assignment leaves it alone.
        return ("unit", "task", "is_override") if obj is not None else ("is_override",)

    def save_model(self, request, obj, form, change) -> None:
        unit = obj.unit if change else form.cleaned_data["unit"]
        task = obj.task if change else form.cleaned_data["task"]
        saved = services.target_set(
            unit=unit,
            task=task,
            value=form.cleaned_data["value"],
            due_on=form.cleaned_data["due_on"],
        )
        adopt(obj, saved)

    def delete_model(self, request, obj) -> None:
        services.target_delete(target=obj)
