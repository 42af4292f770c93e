"""What both benchmarks need of the PostgreSQL server: a database of their own."""

from collections.abc import Callable
from urllib.parse import urlsplit


def ensure_database(url: str, name: str, log: Callable[[str], None]) -> None:
    """Create the database `name` on `url`'s server unless it is there."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username,
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
