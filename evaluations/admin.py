"""Ratings are never edited or deleted, nor links rewritten: the admin only shows them. Remarks
are hidden, and links rotated, from the appraisal page (evaluations.services)."""

from django.contrib import admin

from evaluations.models import AppraisalLink, Rating


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AppraisalLink)
class AppraisalLinkAdmin(ReadOnlyAdmin):
    list_display = ["unit", "campaign", "created_at", "revoked_at"]
    list_select_related = ["unit", "campaign"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "campaign", "verdict", "created_at", "remark_hidden_at"]
    list_select_related = ["unit", "campaign"]
    list_filter = ["verdict"]
    exclude = ["device"]


# --- Assessment snapshots (snapshots): frozen, so shown only; objections are answered on their
# page (evaluations.snapshot_services), never here.
from evaluations.models import ScoreObjection, Snapshot  # noqa: E402


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "version", "taken_at", "published_at", "window_ends_on"]
    list_select_related = ["campaign"]
    exclude = ["scheme"]


@admin.register(ScoreObjection)
class ScoreObjectionAdmin(ReadOnlyAdmin):
    list_display = ["unit", "snapshot", "filed_at", "outcome", "answered_at"]
    list_select_related = ["unit", "snapshot__campaign"]
    list_filter = ["outcome"]
