from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from units.models import Membership, Pair, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "code", "kind", "line", "is_active")
    list_filter = ("line", "kind", "is_active")
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Units are deactivated, not deleted, once anything refers to them: use the unit pages.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ("first", "second", "note", "created_at")
    search_fields = ("first__name", "second__name")
    autocomplete_fields = ("first", "second")
