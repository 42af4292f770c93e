"""Reads of the unit tree and memberships. Every page, export and API call that shows units or
acts on them starts from these, so scoping is decided in one place, server-side.

What each role reaches from a membership on unit U:
- staff: U itself (their own unit);
- reviewer: the units strictly below U;
- leader: U and everything below it (read-mostly);
- admin: U and everything below it (U itself may be edited, but only an admin above U may move,
  deactivate or delete it).
Any membership lets a user see U's subtree. A superuser is an admin everywhere.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from units.models import Membership, Pair, Role, Unit


def subtree_q(paths: Iterable[str], *, strict: bool = False, field: str = "path") -> Q:
    """Rows whose `field` (a unit path, e.g. "unit__path") lies in the subtrees under these
    paths (strictly below them when `strict`)."""
    query = Q(pk__in=[])
    for path in set(paths):
        below = Q(**{f"{field}__startswith": path})
        query |= below & ~Q(**{field: path}) if strict else below
    return query


def held_memberships(user: User) -> list[tuple[str, int, str]]:
    """(role, unit id, unit path) of each of `user`'s memberships on an active unit, in one
    query. A page asks several times (its scope, breadcrumbs, the navigation): for the user of a
    request, whom accounts.middleware.RequestUserMiddleware marks, it is read once per request."""
    if not user.is_authenticated or not user.is_active:
        return []
    found = getattr(user, "held_memberships", None)
    if found is None:
        held = Membership.objects.filter(user=user, unit__is_active=True)
        found = list(held.values_list("role", "unit_id", "unit__path"))
        if getattr(user, "of_request", False):
            user.held_memberships = found  # type: ignore[attr-defined]  # per-request cache
    return found


def membership_paths(user: User, roles: Iterable[str] | None = None) -> list[str]:
    """Paths of the units on which `user` holds one of `roles` (any role when None)."""
    wanted = None if roles is None else set(roles)
    held = held_memberships(user)
    return [path for role, _unit, path in held if wanted is None or role in wanted]


def units_visible_to(user: User) -> QuerySet[Unit]:
    if user.is_active and user.is_superuser:
        return Unit.objects.all()
    return Unit.objects.filter(subtree_q(membership_paths(user)))


def units_for_role(user: User, role: str) -> QuerySet[Unit]:
    """The units on which `user` may act as `role`."""
    if user.is_active and user.is_superuser:
        return Unit.objects.all()
    paths = membership_paths(user, [role])
    if role == Role.STAFF:
        return Unit.objects.filter(path__in=paths)
    return Unit.objects.filter(subtree_q(paths, strict=role == Role.REVIEWER))


def roots_for(user: User) -> QuerySet[Unit]:
    """The topmost visible units: where the user's tree browser starts."""
    if user.is_active and user.is_superuser:
        return Unit.objects.filter(depth=1)
    paths = sorted(set(membership_paths(user)))
    # Drop a path that lies under another one of the user's paths.
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return Unit.objects.filter(path__in=tops)


def roles_on(user: User, unit: Unit) -> set[str]:
    """The roles `user` may act in on `unit`, derived from memberships on it and above it."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return {Role.ADMIN, Role.LEADER, Role.REVIEWER}
    held = Membership.objects.filter(
        user=user, unit__path__in=unit.ancestor_paths, unit__is_active=True
    ).values_list("role", "unit__path")
    roles: set[str] = set()
    for role, path in held:
        on_unit = path == unit.path
        if role == Role.STAFF and not on_unit:
            continue  # staff act on their own unit only
        if role == Role.REVIEWER and on_unit:
            continue  # reviewers act on the units below theirs
        roles.add(role)
    return roles


def can_view(user: User, unit: Unit) -> bool:
    if user.is_active and user.is_superuser:
        return True
    return (
        bool(user.is_authenticated)
        and Membership.objects.filter(
            user=user, unit__path__in=unit.ancestor_paths, unit__is_active=True
        ).exists()
    )


def can_admin_above(user: User, unit: Unit) -> bool:
    """May `user` move, deactivate or delete `unit`: an admin on a unit strictly above it."""
    if user.is_active and user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user,
        role=Role.ADMIN,
        unit__path__in=unit.ancestor_paths[:-1],
        unit__is_active=True,
    ).exists()


def unit_for_user(user: User, pk: int, *, role: str | None = None) -> Unit:
    """The unit `pk` if `user` may see it (or act on it as `role`), else 404."""
    queryset = units_visible_to(user) if role is None else units_for_role(user, role)
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


def reviewer_levels_above(unit: Unit) -> list[tuple[Unit, list[User]]]:
    """The reviewers above `unit`, nearest level first: one (unit, reviewers) per ancestor that
    has active reviewers. Level 1 reviews a submission; level 2 is the level above that."""
    memberships = (
        Membership.objects.filter(
            role=Role.REVIEWER,
            unit__path__in=unit.ancestor_paths[:-1],
            unit__is_active=True,
            user__is_active=True,
        )
        .select_related("unit", "user")
        .order_by("-unit__depth", "user__username")
    )
    levels: dict[int, tuple[Unit, list[User]]] = {}
    for membership in memberships:
        levels.setdefault(membership.unit_id, (membership.unit, []))[1].append(membership.user)
    return list(levels.values())


class OpenableUnits:
    """Which units a user may open (their memberships' subtrees), answered in memory once the
    paths are known: pages link a unit only when the link leads somewhere for the viewer."""

    def __init__(self, user: User):
        self.everything = user.is_active and user.is_superuser
        self.paths = [] if self.everything else membership_paths(user)

    def opens(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths)

    def __contains__(self, unit: Unit) -> bool:
        return self.opens(unit.path)
