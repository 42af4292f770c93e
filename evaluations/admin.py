"""Ratings are never edited or deleted, nor links rewritten: the admin only shows them. Remarks
are hidden, and links rotated, from the appraisal page (evaluations.services)."""

from django.contrib import admin

from evaluations.models import (
    AppraisalLink,
    DraftScore,
    Honour,
    HonourCategory,
    HonourObjection,
    Rating,
    ScoreObjection,
    Snapshot,
)


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


# --- Honours (honour_services): the categories are seeded (migration 0005) and edited here;
# rounds, quotas and applications only through their pages, where the rules are checked.


@admin.register(HonourCategory)
class HonourCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # applications refer to them: deactivate instead


# --- Assessment snapshots (snapshots): frozen, so shown only; objections are answered on their
# page (evaluations.snapshot_services), never here.


# Kept draft scores: written only by evaluations.draft_score_services (Celery keeps them).
@admin.register(DraftScore)
class DraftScoreAdmin(ReadOnlyAdmin):
    list_display = ["unit", "campaign", "total", "grade", "rank", "peers", "computed_at"]
    list_select_related = ["unit", "campaign"]
    list_filter = ["campaign"]
    exclude = ["rules"]


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


# --- Honour roll: honours conferred and the public's objections, shown only (honour_roll_services
# writes them; an honour is frozen, an objection is answered from the round's notice page).


@admin.register(Honour)
class HonourAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "category", "year", "document_number", "conferred_on"]
    list_select_related = ["category"]
    list_filter = ["year", "line"]
    search_fields = ["name", "unit_name", "number"]


@admin.register(HonourObjection)
class HonourObjectionAdmin(ReadOnlyAdmin):
    list_display = ["application", "created_at", "answered_at"]
    list_select_related = ["application__category", "application__unit"]
