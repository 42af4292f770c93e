from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from units.models import Membership, Pair, Unit
from units.signals import unit_moved


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "code", "kind", "line", "is_active")
    list_filter = ("line", "kind", "is_active")
    search_fields = ("name", "code")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Units are deactivated, not deleted, once anything refers to them: use the unit pages.
        return False

    # Moves in the admin bypass units.services.unit_move: announce them the same way, so what is
    # rolled up along the tree is recomputed.
    def move_node(self, request):
        response = super().move_node(request)
        unit_moved.send(sender=Unit, unit=None)
        return response

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and {"_position", "_ref_node_id"} & set(form.changed_data):
            unit_moved.send(sender=Unit, unit=obj)


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
