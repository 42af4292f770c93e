"""Activities in the admin, for superusers to inspect. Read-only: every change to an activity goes
through `activities.services` (the pages), so that the workflow's rules and events hold."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityEvent, CoOrganiser, Evidence


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActivityEventInline(_ReadOnlyInline):
    model = ActivityEvent
    fields = (
        "created_at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "level",
        "comment",
        "evidence_warnings",
    )
    readonly_fields = fields
    ordering = ("created_at", "pk")


class CoOrganiserInline(_ReadOnlyInline):
    model = CoOrganiser
    fields = ("unit", "status", "responded_by", "responded_at")
    readonly_fields = fields


class EvidenceInline(_ReadOnlyInline):
    model = Evidence
    fields = (
        "download",
        "content_type",
        "size",
        "uploaded_by",
        "created_at",
        "captured_at",
        "flagged",
    )
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj: Evidence) -> str:
        # Through the scoped download view: evidence is never served from a media URL.
        return render_to_string("admin/activities/evidence_link.html", {"evidence": obj})


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "campaign", "starts_on", "status", "review_level")
    list_filter = ("status", "campaign", "review_level")
    search_fields = ("title", "unit__name", "unit__code", "created_by__username")
    date_hierarchy = "starts_on"
    list_select_related = ("unit", "campaign")
    inlines = (CoOrganiserInline, EvidenceInline, ActivityEventInline)
    readonly_fields = (
        "campaign",
        "unit",
        "created_by",
        "title",
        "starts_on",
        "ends_on",
        "place",
        "tasks",
        "participants_party_members",
        "participants_workers",
        "participants_youth",
        "participants_women",
        "participants_public",
        "participants",
        "quantity",
        "description",
        "outcome",
        "status",
        "review_level",
        "review_unit",
        "submitted_at",
        "waiting_since",
        "approved_at",
        "return_reason",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
