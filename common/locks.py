"""Work that must take turns, held until the transaction ends: a PostgreSQL transaction-level
advisory lock in its two-key form (a class of work, then what it is about: a campaign, a year).
SQLite lets one writer in at a time anyway: there, nothing.

An advisory lock locks no row: holding it while writing rows that point at units or campaigns
never deadlocks with a unit move or a campaign's update, as a row lock (SELECT … FOR UPDATE on
the campaign) would."""

from django.db import connection

# The classes of work (the first key); each number is used by one kind of work only. Each of
# them deletes rows and inserts them again, or counts what is there to number the next: two
# transactions doing so at once would insert what the other had not yet committed.
STANDING_REFRESH = 730_113  # evaluations.standing_rollups: a campaign's standing rows
CERTIFICATE_NUMBERS = 1410  # evaluations.honour_roll_services: a year's certificate numbers
DRAFT_SCORES = 730_114  # evaluations.draft_score_services: a campaign's kept draft scores


def take_turns(kind: int, key: int) -> None:
    """Wait for any other transaction holding (kind, key), then hold it until this one ends."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [kind, key])
