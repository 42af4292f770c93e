"""The shape of the tree, locked for the length of a transaction.

What is kept along the tree (the roll-ups in activities.rollups, the unit a submission waits on)
is computed from the units' paths as a transaction reads them. A move rewrites those paths: it
holds the lock alone (`tree_locked_for_move`), while every write that counts along the tree holds
it shared (`tree_locked_for_counting`) before it locks its first row. So a transition never counts
with paths that a move is rewriting, a move never reads a unit's figures while a transition is
still adding to them, and transitions never wait for one another. A move waits for the
transitions under way and holds the others for its own length (about a second at city scale).

A PostgreSQL transaction-level advisory lock; on SQLite, which lets one writer in at a time
anyway, nothing.
"""

from django.db import connection

_KEY = 0x74726565  # "tree"


def _lock(function: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [_KEY])


def tree_locked_for_move() -> None:
    _lock("pg_advisory_xact_lock")


def tree_locked_for_counting() -> None:
    _lock("pg_advisory_xact_lock_shared")
