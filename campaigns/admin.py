from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from campaigns.models import Campaign, Phase, Target, TargetTask


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "starts_on", "ends_on", "review_levels", "is_active")
    list_filter = ("is_active", "review_levels")
    search_fields = ("name", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    inlines = [PhaseInline]


@admin.register(TargetTask)
class TargetTaskAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "campaign", "line", "metric", "is_required", "is_active")
    list_filter = ("campaign", "line", "metric", "is_required", "is_active")
    search_fields = ("code", "title", "programme")
    list_select_related = ("campaign",)

    def get_readonly_fields(self, request, obj=None):
        # A task stays in its campaign: its targets' sums and roll-ups are kept per campaign.
        return ("campaign",) if obj is not None else ()


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "task", "value", "due_on", "is_override", "updated_at")
    list_filter = ("task__campaign", "task__line", "is_override")
    search_fields = ("unit__name", "unit__code", "task__code", "task__title")
    autocomplete_fields = ("unit", "task")
    list_select_related = ("unit", "task")

    def get_readonly_fields(self, request, obj=None):
        # A target stays the one unit's on the one task; set another one for other pairs.
        return ("unit", "task") if obj is not None else ()
