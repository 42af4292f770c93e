"""Reads of the unit tree and memberships. Every page, export and API call that shows units or
acts on them starts from these, scoped by units.scope.Scope (who the user is to each unit: the
one place that says what each role reaches, and that a superuser is an admin everywhere).
"""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from units.models import Membership, Pair, Role, Unit
from units.scope import Scope
from units.scope import held_memberships as held_memberships  # for code still reading them here
from units.scope import subtree_q as subtree_q


def units_visible_to(who: User | Scope) -> QuerySet[Unit]:
    return Unit.objects.filter(Scope.of(who).subtree_q())


def without_staff_q() -> Q:
    """Units with no active staff member: nobody reports for them."""
    staff = Membership.objects.filter(user__is_active=True, role=Role.STAFF, unit=OuterRef("pk"))
    return ~Q(Exists(staff))


def units_for_role(who: User | Scope, role: str) -> QuerySet[Unit]:
    """The units on which `who` may act as `role`."""
    return Unit.objects.filter(Scope.of(who).role_q(role))


def roots_for(who: User | Scope) -> QuerySet[Unit]:
    """The topmost visible units: where the user's tree browser starts."""
    scope = Scope.of(who)
    if scope.superuser:
        return Unit.objects.filter(depth=1)
    return Unit.objects.filter(path__in=scope.top_paths())


def unit_for_user(who: User | Scope, pk: int, *, role: str | None = None) -> Unit:
    """The unit `pk` if `who` may see it (or act on it as `role`), else 404."""
    queryset = units_visible_to(who) if role is None else units_for_role(who, role)
    return get_object_or_404(queryset, pk=pk)


def ancestors_of(unit: Unit) -> list[Unit]:
    """The units above `unit`, root first, in one query (none for a root)."""
    if unit.depth <= 1:
        return []
    return list(Unit.objects.filter(path__in=unit.ancestor_paths[:-1]).order_by("depth"))


def ancestors_by_path(units: Iterable[Unit]) -> dict[str, Unit]:
    """Every unit above any of `units`, keyed by path, in one query (for breadcrumbs in lists)."""
    paths = {path for unit in units for path in unit.ancestor_paths[:-1]}
    return {u.path: u for u in Unit.objects.filter(path__in=paths)}


def children_of(unit: Unit, *, include_inactive: bool = False) -> QuerySet[Unit]:
    children = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
    return children if include_inactive else children.filter(is_active=True)


def members_of(unit: Unit) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__username")
    )


def pairs_of(unit: Unit) -> QuerySet[Pair]:
    return Pair.objects.filter(Q(first=unit) | Q(second=unit)).select_related("first", "second")


def breadcrumbs(who: User | Scope, unit: Unit) -> list[tuple[Unit, bool]]:
    """The units above `unit`, root first, each with whether `who` may open it (one query)."""
    scope = Scope.of(who)
    return [(ancestor, scope.can_view(ancestor)) for ancestor in ancestors_of(unit)]


def viewable_ancestors(who: User | Scope, unit: Unit) -> list[Unit]:
    """The units above `unit` whose pages `who` may open, root first."""
    return [ancestor for ancestor, opens in breadcrumbs(who, unit) if opens]
