"""Large reads streamed through a server-side cursor that lives inside a transaction.

Behind PgBouncer in transaction pooling (deploy/README.md, "PgBouncer") a cursor outlasting its
transaction is lost with the server connection, and Django's own form fields iterate their
choices with `QuerySet.iterator()` outside any transaction: such installations set
DISABLE_SERVER_SIDE_CURSORS=1. The few reads that must stream (exports, the roll-up rebuild) run
in `transaction.atomic` and use `stream()`, which keeps a server-side cursor whatever that setting
says: it cannot outlive the transaction, so it is safe with transaction pooling.
"""

from collections.abc import Iterator

from django.db import connections
from django.db.models import QuerySet


def stream(queryset: QuerySet, chunk_size: int) -> Iterator:
    """The rows of `queryset`, fetched `chunk_size` at a time from a server-side cursor; only
    inside `transaction.atomic` (it refuses to run outside one)."""
    if not connections[queryset.db].in_atomic_block:
        raise RuntimeError("stream() needs a transaction: wrap the read in transaction.atomic")
    # QuerySet.iterator() would read DISABLE_SERVER_SIDE_CURSORS; inside a transaction the cursor
    # is safe, so ask for chunked reads directly.
    return queryset._iterator(use_chunked_fetch=True, chunk_size=chunk_size)
