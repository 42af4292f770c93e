"""The few reads written in plain SQL: the dashboards' roll-ups (activities.progress,
evaluations.standing_selectors), the inbox badge's count on every page and the review queue's
rows. Each runs on a busy page, where putting a small query together through the ORM cost more
Python than the database's work on it (README, "Benchmarks")."""

from django.db import connection, models


def read(sql: str, params: list) -> list[tuple]:
    """The rows of one plain-SQL read; every value is a parameter, never part of `sql`."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def marks(values: list) -> str:
    """One parameter placeholder per value, for `IN (…)`: "%s, %s, %s"."""
    return ", ".join(["%s"] * len(values))


def table(model: type[models.Model]) -> str:
    """The model's table, quoted as the ORM quotes it."""
    return connection.ops.quote_name(model._meta.db_table)


def ordering(model: type[models.Model], alias: str) -> str:
    """The model's default ordering (Meta.ordering, fields of its own) as an ORDER BY list over
    the table's `alias`."""
    columns = []
    for name in model._meta.ordering:
        assert isinstance(name, str), name
        field = model._meta.get_field(name.removeprefix("-"))
        direction = " DESC" if name.startswith("-") else ""
        columns.append(f"{alias}.{connection.ops.quote_name(field.column)}{direction}")
    return ", ".join(columns)
