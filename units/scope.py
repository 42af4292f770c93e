"""Who a user is to the units: the one place that says it.

A Scope is read from the user's memberships on active units, in one query, and built once per
request (`Scope.of(request)`): views, services, selectors, exports and the reminder rules ask it
instead of reading memberships again.

What each role reaches from a membership on unit U (`reaches`):
- staff: U itself (their own unit);
- reviewer: the units strictly below U;
- leader: U and everything below it (read-mostly);
- admin: U and everything below it (U itself may be edited, but only an admin above U may move,
  deactivate or delete it).
Any membership lets a user see U's subtree. An active superuser holds every role but staff's
everywhere (`SUPERUSER_ROLES`) and sees everything.

Each rule has its in-memory form (for one unit, e.g. `can_view`) and its query form (for a list,
e.g. `subtree_q`); they say the same thing.
"""

from collections.abc import Iterable
from functools import cached_property
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest

from accounts.models import User
from units.models import Membership, Role, Unit

# What an active superuser holds on every unit: everything but staff's (a superuser logs no
# activities of a unit without being named its staff).
SUPERUSER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.REVIEWER})
# Who sees the warnings on a subtree's evidence: those who judge the evidence, not staff or admins.
OVERSEER_ROLES = frozenset({Role.LEADER, Role.REVIEWER})
# Where a request's user keeps what was read of them for the rest of the request (see
# accounts.middleware.RequestUserMiddleware, which marks that user `of_request`).
HELD = "held_memberships"
SCOPE = "scope_of_request"


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
    query. For the user of a request, whom accounts.middleware.RequestUserMiddleware marks, it is
    read once per request."""
    if not user.is_authenticated or not user.is_active:
        return []
    found = getattr(user, HELD, None)
    if found is None:
        held = Membership.objects.filter(user=user, unit__is_active=True)
        found = list(held.values_list("role", "unit_id", "unit__path"))
        if getattr(user, "of_request", False):
            setattr(user, HELD, found)
    return found


def membership_rows(user: User) -> list[Membership]:
    """`user`'s memberships on active units, their units read with them, by unit path then role:
    one query. For the user of a request (RequestUserMiddleware) the same rows serve
    `held_memberships` for the rest of the request, which then reads nothing."""
    rows = list(
        Membership.objects.filter(user=user, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
    if user.is_active and getattr(user, "of_request", False) and not hasattr(user, HELD):
        setattr(user, HELD, [(row.role, row.unit_id, row.unit.path) for row in rows])
    return rows


def reaches(role: str, held_path: str, path: str) -> bool:
    """Does a membership in `role` on the unit at `held_path` act on the unit at `path`?"""
    if role == Role.STAFF:
        return path == held_path
    if role == Role.REVIEWER:
        return path.startswith(held_path) and path != held_path
    return path.startswith(held_path)


def reach_q(role: str, paths: Iterable[str], field: str = "path") -> Q:
    """`reaches` as a query: rows whose unit (at `field`) the memberships in `role` on the units
    at `paths` act on."""
    if role == Role.STAFF:
        return Q(**{f"{field}__in": sorted(set(paths))})
    return subtree_q(paths, strict=role == Role.REVIEWER, field=field)


class Scope:
    """A user's memberships, read at most once, and every question of who the user is to a unit.

    Built lazily: a superuser's pages mostly never read the memberships at all."""

    def __init__(self, user: User):
        self.user = user  # an AnonymousUser when nobody is signed in: it holds nothing
        self.superuser = bool(user.is_authenticated and user.is_active and user.is_superuser)

    @classmethod
    def of(cls, who: "HttpRequest | User | AnonymousUser | Scope | None") -> "Scope":
        """The scope of a request's user (kept for the rest of the request), of a user, or the
        scope itself."""
        if isinstance(who, Scope):
            return who
        user = getattr(who, "user", None) if isinstance(who, HttpRequest) else who
        found = getattr(user, SCOPE, None)
        if found is not None:
            return found
        scope = cls(cast(User, AnonymousUser() if user is None else user))
        if getattr(user, "of_request", False):
            setattr(user, SCOPE, scope)
        return scope

    # --- What the user holds -------------------------------------------------------------------

    @cached_property
    def memberships(self) -> list[tuple[str, int, str]]:
        """(role, unit id, unit path) of each membership on an active unit."""
        return held_memberships(self.user)

    @cached_property
    def paths(self) -> set[str]:
        """The paths of the units the user holds any role on."""
        return {path for _role, _unit, path in self.memberships}

    @cached_property
    def unit_ids(self) -> set[int]:
        """The units of the memberships themselves: the user's own units, in any role."""
        return {unit_id for _role, unit_id, _path in self.memberships}

    @cached_property
    def staff_unit_ids(self) -> set[int]:
        return {unit_id for role, unit_id, _path in self.memberships if role == Role.STAFF}

    @cached_property
    def reviewer_paths(self) -> set[str]:
        return self.paths_of(Role.REVIEWER)

    def paths_of(self, *roles: str) -> set[str]:
        """The paths of the units on which the user holds one of `roles`."""
        return {path for role, _unit, path in self.memberships if role in roles}

    @cached_property
    def roles_held(self) -> set[str]:
        """The roles the user holds anywhere."""
        roles = {role for role, _unit, _path in self.memberships}
        return roles | SUPERUSER_ROLES if self.superuser else roles

    # --- One unit ------------------------------------------------------------------------------

    def roles_on(self, unit: Unit) -> set[str]:
        """The roles the user may act in on `unit`, from memberships on it and above it."""
        if self.superuser:
            return set(SUPERUSER_ROLES)
        return {role for role, _id, path in self.memberships if reaches(role, path, unit.path)}

    def opens(self, path: str) -> bool:
        """May the user see the unit at `path` (a membership on it or above it)?"""
        return self.superuser or any(path.startswith(p) for p in self.paths)

    def can_view(self, unit: Unit) -> bool:
        return self.opens(unit.path)

    def acts_as(self, role: str, unit: Unit) -> bool:
        """May the user act on `unit` as `role`?"""
        if self.superuser:
            return True
        return any(r == role and reaches(r, path, unit.path) for r, _id, path in self.memberships)

    def can_manage(self, unit: Unit) -> bool:
        """An admin on `unit` or above it: sets its targets, edits it, adds its members."""
        return self.acts_as(Role.ADMIN, unit)

    def can_admin_above(self, unit: Unit) -> bool:
        """An admin on a unit strictly above `unit`: may move, deactivate or delete it."""
        return self.superuser or any(
            unit.path.startswith(p) and unit.path != p for p in self.paths_of(Role.ADMIN)
        )

    def is_own(self, unit: Unit | int) -> bool:
        """One of the user's own units: a membership in any role on it (not above it)."""
        return _pk(unit) in self.unit_ids

    def is_staff_of(self, unit: Unit | int) -> bool:
        """The user reports for `unit`: its staff."""
        return _pk(unit) in self.staff_unit_ids

    def reviews_for(self, unit: Unit, waiting_on: Unit | None = None) -> bool:
        """A reviewer of `unit`'s submissions, judged from the tree as it is now: a reviewer
        membership on a unit strictly above `unit` — and, given the unit a submission waits on,
        at or above that one too. Paths are rewritten when a unit moves, so a reviewer the unit
        has moved away from is refused at once. (`reviews_q` is the same rule as a query.)"""
        if self.superuser:
            return True
        below = unit.path
        return any(
            below.startswith(p)
            and below != p
            and (waiting_on is None or waiting_on.path.startswith(p))
            for p in self.reviewer_paths
        )

    def reviews_within(self, unit: Unit) -> bool:
        """A reviewer on `unit` or above it: their queue holds submissions of its subtree."""
        return self.superuser or any(unit.path.startswith(p) for p in self.reviewer_paths)

    def oversees(self, unit: Unit) -> bool:
        """A leader or reviewer on `unit` or above it: who sees the subtree's flagged evidence.
        Staff and admins do not: the warnings are for those who judge the evidence."""
        return self.superuser or any(
            unit.path.startswith(p) for p in self.paths_of(*OVERSEER_ROLES)
        )

    # --- As queries ----------------------------------------------------------------------------

    def subtree_q(self, field: str = "path") -> Q:
        """Rows whose unit (its path at `field`, e.g. "unit__path") the user may see."""
        return Q() if self.superuser else subtree_q(self.paths, field=field)

    def role_q(self, role: str, field: str = "path") -> Q:
        """Rows whose unit (its path at `field`) the user may act on as `role`."""
        return Q() if self.superuser else reach_q(role, self.paths_of(role), field=field)

    def reviews_q(self, unit: str = "unit", waiting_on: str = "review_unit") -> Q:
        """`reviews_for` as a query over submissions: their unit (the foreign key `unit`) strictly
        below one of the user's reviewer units, and the unit they wait on (`waiting_on`) at or
        below it."""
        if self.superuser:
            return Q()
        query = Q(pk__in=[])
        for path in sorted(self.reviewer_paths):
            query |= (
                Q(**{f"{unit}__path__startswith": path})
                & ~Q(**{f"{unit}__path": path})
                & Q(**{f"{waiting_on}__path__startswith": path})
            )
        return query

    def top_paths(self, *roles: str) -> list[str]:
        """The paths of the topmost units the user holds one of `roles` on (any role when none
        is named), none of them under another."""
        paths = sorted(self.paths_of(*roles) if roles else self.paths)
        return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def _pk(unit: Unit | int) -> int:
    return unit if isinstance(unit, int) else unit.pk
