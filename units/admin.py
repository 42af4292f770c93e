from django.contrib import admin
from django.db import transaction
from django.utils.decorators import method_decorator
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

    # Moves in the admin bypass units.services.unit_move: announce them the same way, with the
    # unit and where it was, so that what is kept along the tree follows it.
    @method_decorator(transaction.atomic)
    def move_node(self, request):
        node = str(request.POST.get("node", ""))
        unit = Unit.objects.filter(pk=node).first() if node.isdigit() else None
        old_path = unit.path if unit else None
        old_parent = Unit.objects.get_parent(unit, update=True) if unit else None
        response = super().move_node(request)
        if response.status_code == 200:
            if unit is not None:
                unit.refresh_from_db()
            unit_moved.send(sender=Unit, unit=unit, old_path=old_path, old_parent=old_parent)
        return response

    def save_form(self, request, form, change):
        # The form moves the unit as it saves, before save_model: note where it was.
        if change:
            before = Unit.objects.get(pk=form.instance.pk)
            form.old_place = (before.path, Unit.objects.get_parent(before))
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        old_place = getattr(form, "old_place", None)
        if change and old_place is not None:
            old_path, old_parent = old_place
            obj.refresh_from_db()
            if Unit.objects.get_parent(obj, update=True) != old_parent:
                unit_moved.send(sender=Unit, unit=obj, old_path=old_path, old_parent=old_parent)


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
