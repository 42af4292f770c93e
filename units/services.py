"""Writes to the unit tree, memberships and pairs. Views, forms, imports and commands call these;
the caller has already checked that the actor may act (see units.selectors)."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from treebeard.exceptions import InvalidMoveToDescendant

from accounts.models import User
from units.exceptions import UnitError, UnitReferenced
from units.locks import tree_locked_for_move
from units.models import Membership, Pair, Unit
from units.signals import unit_moved

_TREE_FIELDS = ["path", "depth", "numchild"]


@transaction.atomic
def unit_create(*, parent: Unit | None, unit: Unit) -> Unit:
    """Save the unsaved `unit` as the last child of `parent` (a root when None)."""
    if parent is not None and not parent.is_active:
        raise UnitError(_("A unit cannot be added under an inactive unit."))
    unit.full_clean(exclude=_TREE_FIELDS)
    if parent is None:
        return Unit.objects.add_root(instance=unit)
    return Unit.objects.add_child(parent, instance=unit)


@transaction.atomic
def unit_update(*, unit: Unit, fields: dict) -> Unit:
    if "sort_order" in fields or "code" in fields:
        tree_locked_for_move()  # the unit and its siblings may be renumbered
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean(exclude=_TREE_FIELDS)
    unit.save(update_fields=[*fields, "updated_at"])
    if "sort_order" in fields or "code" in fields:
        # Children are kept in (sort_order, code) order along their paths.
        parent = Unit.objects.get_parent(unit)
        if parent is not None:
            Unit.objects.move(unit, parent, "sorted-child")
    unit.refresh_from_db()
    return unit


@transaction.atomic
def unit_move(*, unit: Unit, new_parent: Unit) -> Unit:
    """Move `unit` with its subtree under `new_parent`, and announce it (units.signals.unit_moved)
    in the same transaction, so that what is kept along the tree follows at once."""
    tree_locked_for_move()
    # The tree as it is now, not as the caller read it: its copies may predate another move.
    unit.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise UnitError(_("A unit cannot be moved under itself or one of its own units."))
    if not new_parent.is_active:
        raise UnitError(_("A unit cannot be moved under an inactive unit."))
    old_path = unit.path
    old_parent = Unit.objects.get_parent(unit, update=True)
    try:
        Unit.objects.move(unit, new_parent, "sorted-child")
    except InvalidMoveToDescendant:
        raise UnitError(_("A unit cannot be moved under itself or one of its own units.")) from None
    unit.refresh_from_db()
    unit_moved.send(sender=Unit, unit=unit, old_path=old_path, old_parent=old_parent)
    return unit


@transaction.atomic
def unit_deactivate(*, unit: Unit) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(pk=unit.pk).exists():
        raise UnitError(_("Deactivate the units below it first."))
    unit.is_active = False
    unit.save(update_fields=["is_active", "updated_at"])
    return unit


@transaction.atomic
def unit_reactivate(*, unit: Unit) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not parent.is_active:
        raise UnitError(_("Reactivate the unit above it first."))
    unit.is_active = True
    unit.save(update_fields=["is_active", "updated_at"])
    return unit


def unit_is_referenced(unit: Unit) -> bool:
    """Does anything refer to `unit`? Looks at every relation to Unit, so later apps count too."""
    if unit.numchild:
        return True
    for relation in Unit._meta.related_objects:
        if relation.related_model.objects.filter(**{relation.field.name: unit}).exists():
            return True
    return False


@transaction.atomic
def unit_delete(*, unit: Unit) -> None:
    """Delete a unit created by mistake. Once anything refers to it, deactivate it instead."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit_is_referenced(unit):
        raise UnitReferenced(
            _("Something refers to this unit: deactivate it instead of deleting it.")
        )
    Unit.objects.filter(pk=unit.pk).delete()


@transaction.atomic
def membership_add(*, user: User, unit: Unit, role: str) -> Membership:
    if not unit.is_active:
        raise UnitError(_("Members cannot be added to an inactive unit."))
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise UnitError(_("%(user)s already holds this role here.") % {"user": user})
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership.delete()


@transaction.atomic
def pair_create(*, unit: Unit, other: Unit, note: str = "") -> Pair:
    if unit.pk == other.pk:
        raise UnitError(_("A unit cannot be paired with itself."))
    first, second = sorted([unit, other], key=lambda u: u.pk)
    if Pair.objects.filter(Q(first=first) & Q(second=second)).exists():
        raise UnitError(_("These two units are already paired."))
    pair = Pair(first=first, second=second, note=note)
    pair.full_clean()
    pair.save()
    return pair


@transaction.atomic
def pair_delete(*, pair: Pair) -> None:
    pair.delete()
