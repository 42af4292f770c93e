"""Helpers of the few reads written in plain SQL (activities.progress, evaluations.
standing_selectors, the memberships of every request, the review queue's rows): those run on busy
pages, where putting a small query together through the ORM cost more than the database's work on
it."""

from django.db import connection, models


def marks(values: list) -> str:
    """One parameter placeholder per value, for `IN (…)`: "%s, %s, %s"."""
    return ", ".join(["%s"] * len(values))


def table(model: type[models.Model]) -> str:
    """The model's table, quoted as the ORM quotes it."""
    return connection.ops.quote_name(model._meta.db_table)
