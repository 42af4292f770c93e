"""The unit tree, memberships and pairs in the admin. Every write goes through units.services, as
the unit pages' do: a unit is created under an active unit, moved under another unit (dragging in
the list) by unit_move — which keeps the children in their order and announces the move, so what
is rolled up along the tree follows — deactivated only once the units below it are, and edited by
unit_update, which keeps its siblings sorted. A refusal is shown as a message."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from common.admin_services import ThroughServices, adopt
from units import services
from units.exceptions import UnitError
from units.models import Membership, Pair, Unit

# The unit's own fields; the tree's (path, depth, numchild) are written by the services alone.
UNIT_FIELDS = (
    "name",
    "code",
    "kind",
    "line",
    "contact_person",
    "contact_phone",
    "sort_order",
    "is_active",
)
# Where treebeard's add form puts a new node, relative to the node it names: under it, or beside.
_UNDER = {"first-child", "last-child", "sorted-child"}


@admin.register(Unit)
class UnitAdmin(ThroughServices, TreeAdmin):
    refusals = (UnitError,)
    list_display = ("name", "code", "kind", "line", "is_active")
    list_filter = ("line", "kind", "is_active")
    search_fields = ("name", "code")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:  # where to add it: treebeard's position fields
            kwargs["form"] = movenodeform_factory(Unit, fields=UNIT_FIELDS)
            return super().get_form(request, obj, change=change, **kwargs)
        # An existing unit moves by dragging in the list (unit_move), not by its form.
        kwargs.update(form=forms.ModelForm, fields=UNIT_FIELDS)
        return super().get_form(request, obj, change=change, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Units are deactivated, not deleted, once anything refers to them: use the unit pages.
        return False

    def save_form(self, request, form, change):
        if isinstance(form, MoveNodeForm):
            # Treebeard's form would insert the node itself, ignoring commit=False: unit_create
            # does it, in save_model.
            return forms.ModelForm.save(form, commit=False)
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            ref = form.cleaned_data.get("treebeard_ref_node")
            position = form.cleaned_data.get("treebeard_position", "")
            parent = ref if ref is None or position in _UNDER else Unit.objects.get_parent(ref)
            adopt(obj, services.unit_create(parent=parent, unit=obj))
            return
        unit = Unit.objects.get(pk=obj.pk)
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        active = fields.pop("is_active", None)
        if active is False:
            unit = services.unit_deactivate(unit=unit)
        if fields:
            unit = services.unit_update(unit=unit, fields=fields)
        if active is True:
            unit = services.unit_reactivate(unit=unit)
        adopt(obj, unit)

    def move_node(self, request):
        """Dragging a unit onto another makes it that unit's child, beside another its sibling:
        either way it joins its new parent's children in their order (unit_move)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        node = Unit.objects.filter(pk=request.POST.get("node") or 0).first()
        target = Unit.objects.filter(pk=request.POST.get("target") or 0).first()
        relation = request.POST.get("relation")
        if node is None or target is None or relation not in ("child", "sibling"):
            messages.error(request, _("Invalid form data provided"))
            return HttpResponseBadRequest("Invalid form data provided")
        parent = target if relation == "child" else Unit.objects.get_parent(target)
        try:
            if parent is None:
                raise UnitError(_("A unit cannot be moved to the top of the tree."))
            services.unit_move(unit=node, new_parent=parent)
        except UnitError as error:
            messages.error(request, str(error))
            return HttpResponseBadRequest("Refused")
        messages.info(
            request, _("%(unit)s moved under %(parent)s.") % {"unit": node, "parent": parent}
        )
        return HttpResponse("OK")


@admin.register(Membership)
class MembershipAdmin(ThroughServices, admin.ModelAdmin):
    refusals = (UnitError,)
    list_display = ("user", "unit", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")

    def get_readonly_fields(self, request, obj=None):
        # Another role or unit is another membership: add it, and remove this one.
        return ("user", "unit", "role") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            data = form.cleaned_data
            adopt(
                obj,
                services.membership_add(user=data["user"], unit=data["unit"], role=data["role"]),
            )

    def delete_model(self, request, obj) -> None:
        services.membership_remove(membership=obj)


@admin.register(Pair)
class PairAdmin(ThroughServices, admin.ModelAdmin):
    refusals = (UnitError,)
    list_display = ("first", "second", "note", "created_at")
    search_fields = ("first__name", "second__name")
    autocomplete_fields = ("first", "second")

    def get_readonly_fields(self, request, obj=None):
        return ("first", "second") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            obj.save(update_fields=["note"])  # only the note can change
            return
        adopt(
            obj, services.pair_create(unit=data["first"], other=data["second"], note=data["note"])
        )

    def delete_model(self, request, obj) -> None:
        services.pair_delete(pair=obj)
