"""Options shared by the Celery tasks that write (imports no app).

Every task that writes retries when the database is locked (SQLite under a concurrent writer)
or gone (a dropped PostgreSQL connection: Celery's Django fix-up closes the broken connection
before the retry runs). Bounded, with exponential backoff and jitter: about an hour and a half
in all."""

from django.db import InterfaceError, OperationalError

WRITES = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 12,
}
