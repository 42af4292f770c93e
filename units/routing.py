"""Who reviews a unit's submissions, at which level: the one place that says it, for activities
and for every other kind of submission (commitments, fulfilment reports, honour
recommendations). It takes a unit and a level, never a submission.

- The reviewers of a unit are the active users holding the reviewer role on an active unit
  strictly above it. Each unit above that has such reviewers is a *level*, the nearest first:
  level 1 is the nearest unit above the unit that has reviewers, level 2 the nearest above
  level 1's, and so on (`levels_above`, `level_of`).
- A submission waits on a unit (`waiting_unit`): its level's unit — or, when no unit above has
  reviewers, the unit's parent, so that reviewers added there later still find it.
- A user may act on a submission of a unit that waits on a unit W when they hold the reviewer
  role on a unit strictly above the submitting unit *and* at or above W, judged from the tree as it
  is now (units.scope.Scope.reviews_for): when a unit moves, its former reviewers are refused at
  once, before its waiting submissions are re-routed.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from accounts.models import User
from units.models import Membership, Role, Unit, paths_up_to
from units.scope import Scope


@dataclass(frozen=True)
class Level:
    """A reviewing unit and its active reviewers (by username)."""

    unit: Unit
    reviewers: list[User]


def _active_reviewers() -> QuerySet[Membership]:
    return Membership.objects.filter(role=Role.REVIEWER, unit__is_active=True, user__is_active=True)


def _levels_by_path(paths: Iterable[str]) -> dict[str, Level]:
    """{path: its Level} of the units at `paths` that have active reviewers, in one query."""
    memberships = (
        _active_reviewers()
        .filter(unit__path__in=sorted(set(paths)))
        .select_related("unit", "user")
        .order_by("user__username")
    )
    found: dict[str, Level] = {}
    for membership in memberships:
        unit = membership.unit
        found.setdefault(unit.path, Level(unit, [])).reviewers.append(membership.user)
    return found


def _above(unit: Unit, levels: dict[str, Level]) -> list[Level]:
    return [levels[path] for path in reversed(paths_up_to(unit.path)[:-1]) if path in levels]


def levels_above(unit: Unit) -> list[Level]:
    """Every reviewing level above `unit`, the nearest first, in one query."""
    return _above(unit, _levels_by_path(paths_up_to(unit.path)[:-1]))


def levels_above_each(units: Iterable[Unit]) -> dict[int, list[Level]]:
    """{unit id: levels_above(unit)} for many units, in one query."""
    units = list(units)
    levels = _levels_by_path(path for unit in units for path in paths_up_to(unit.path)[:-1])
    return {unit.pk: _above(unit, levels) for unit in units}


def level_of(unit: Unit, level: int) -> Level | None:
    """The reviewers of `unit`'s submissions at review `level` now (1 or 2), or None when no
    unit that high above it has reviewers."""
    levels = levels_above(unit)
    return levels[level - 1] if 0 < level <= len(levels) else None


def waiting_unit(unit: Unit, level: int = 1) -> Unit | None:
    """The unit a submission of `unit` at review `level` waits on, from the tree now: level 1's
    unit, else (no reviewers above) `unit`'s parent; each further level is found the same way
    from the one below it. None above a root."""
    found: Unit | None = unit
    for _step in range(level):
        if found is None:
            break
        levels = levels_above(found)
        found = levels[0].unit if levels else Unit.objects.get_parent(found)
    return found


class Rerouting:
    """`waiting_unit` for many submissions after a move, each (unit, level) found once: the units
    of a moved subtree mostly share the units their submissions wait on at level 1, and so share
    what lies above those."""

    def __init__(self) -> None:
        self._found: dict[tuple[int, int], Unit | None] = {}

    def waiting_unit(self, unit: Unit, level: int) -> Unit | None:
        key = (unit.pk, level)
        if key not in self._found:
            if level == 1:
                self._found[key] = waiting_unit(unit, 1)
            else:
                below = self.waiting_unit(unit, level - 1)
                self._found[key] = None if below is None else self.waiting_unit(below, 1)
        return self._found[key]


def reviewers_on(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """{unit id: its active reviewers, by username} for the units a submission waits on."""
    found: dict[int, list[User]] = {}
    memberships = (
        _active_reviewers()
        .filter(unit_id__in=sorted(set(unit_ids)))
        .select_related("user")
        .order_by("user__username")
    )
    for membership in memberships:
        found.setdefault(membership.unit_id, []).append(membership.user)
    return found


def reviewers_above(path: str = "path") -> QuerySet[Membership]:
    """Active reviewer memberships on a unit strictly above the outer query's unit (its path at
    `path`): `~Exists(reviewers_above())` are the units whose submissions wait on no one."""
    outer = OuterRef(path)
    return _active_reviewers().filter(StartsWith(outer, F("unit__path"))).exclude(unit__path=outer)


def unreviewed_q() -> Q:
    """Units below the top of the tree with no active reviewer above: their submissions wait on
    no one."""
    return Q(depth__gt=1) & ~Q(Exists(reviewers_above()))


def may_review(who: "Scope | User", unit: Unit, waiting_on: Unit | None) -> bool:
    """May `who` act on a submission of `unit` that waits on `waiting_on` (a submission waiting
    on no unit: only a superuser)?"""
    scope = Scope.of(who)
    if scope.superuser:
        return True
    return waiting_on is not None and scope.reviews_for(unit, waiting_on)


def may_act(who: "Scope | User", unit: Unit, level: int) -> bool:
    """May `who` act at review `level` on a submission of `unit` routed now (waiting_unit)?"""
    scope = Scope.of(who)
    if scope.superuser:
        return True
    if not scope.reviews_for(unit):
        return False  # no query: not a reviewer above the unit at all
    return may_review(scope, unit, waiting_unit(unit, level))
