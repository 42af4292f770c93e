"""Backups of the database and the uploaded files, and the drill that proves one restores.

- `backup_write(folder)`: in one REPEATABLE READ transaction, exports its snapshot, counts the
  figures (rows of every table, the roll-ups' totals) and runs `pg_dump --snapshot` on that same
  snapshot, so the dump and its figures agree whatever is being written meanwhile; then packs
  MEDIA_ROOT into media.tar.gz with a list of every file's size and SHA-256. Writes database.dump
  (pg_dump's custom format), media.tar.gz and figures.json.
- `restore_drill(folder, database)`: creates `database` (it must not exist), restores the dump
  into it with pg_restore, unpacks the files into a temporary folder, counts the same figures
  there and compares. The drill's database is dropped afterwards unless asked to keep it.

The dump holds password hashes and sessions: the folder is made 0700 and every file in it 0600
(the umask is 077 while they are written, and each is chmod-ed afterwards). The drill's database
name is a plain identifier (letters, digits, underscore) quoted by psycopg2.sql.
"""

import hashlib
import json
import os
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg2 import sql

# Totals compared besides row counts: what the dashboards show.
ROLLUP_TOTALS = [
    ("activities_unitrollup", "activities"),
    ("activities_unitrollup", "participants"),
    ("activities_taskrollup", "quantity"),
    ("activities_waitingrollup", "submissions"),
]


_DATABASE_NAME = re.compile(r"[A-Za-z0-9_]{1,63}")
_BACKUP_FILES = ("database.dump", "media.tar.gz", "figures.json")


class BadDatabaseName(ValueError):
    pass


def check_database_name(database: str) -> str:
    """`database` when it is a plain name (letters, digits, underscore; at most 63), else
    BadDatabaseName."""
    if not _DATABASE_NAME.fullmatch(database or ""):
        raise BadDatabaseName(
            _(
                "“%(name)s” is not an accepted database name: use only letters, digits and "
                "underscores (at most 63)."
            )
            % {"name": database}
        )
    return database


def _table_figures(cursor) -> dict:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    figures: dict = {"rows": {}, "totals": {}}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        figures["rows"][table] = cursor.fetchone()[0]
    for table, column in ROLLUP_TOTALS:
        if table in tables:
            cursor.execute(
                sql.SQL("SELECT coalesce(sum({}), 0) FROM {}").format(
                    sql.Identifier(column), sql.Identifier(table)
                )
            )
            figures["totals"][f"{table}.{column}"] = str(cursor.fetchone()[0])
    return figures


def _figures_of(database: str) -> dict:
    """The figures of another database on the same server (its own connection: Django's stays
    on the app's database)."""
    import psycopg2

    options = connection.settings_dict
    drill = psycopg2.connect(
        dbname=database,
        host=options["HOST"] or None,
        port=options["PORT"] or None,
        user=options["USER"] or None,
        password=options["PASSWORD"] or None,
    )
    try:
        with drill.cursor() as cursor:
            return _table_figures(cursor)
    finally:
        drill.close()


def media_figures(root: Path) -> dict:
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    listing = hashlib.sha256()
    total = 0
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        size = path.stat().st_size
        total += size
        listing.update(f"{path.relative_to(root)}\0{size}\0{digest}\n".encode())
    return {"files": len(files), "bytes": total, "sha256": listing.hexdigest()}


def _libpq_env(url: str | None = None) -> tuple[dict, str]:
    """Environment for pg_dump/pg_restore (PGHOST…) and the database name."""
    database = connection.settings_dict
    env = dict(os.environ)
    if url:
        parts = urlsplit(url)
        host, port, user = parts.hostname, parts.port or 5432, parts.username
        password, name = parts.password or "", parts.path.lstrip("/")
    else:
        host, port, user = database["HOST"], database["PORT"] or 5432, database["USER"]
        password, name = database["PASSWORD"], database["NAME"]
    env.update(PGHOST=host or "", PGPORT=str(port), PGUSER=user or "")
    if password:
        env["PGPASSWORD"] = password  # else libpq reads ~/.pgpass or PGPASSFILE
    return env, name


def backup_write(folder: Path, database_url: str | None = None) -> dict:
    """Dump the database and pack the uploaded files into `folder` (0700, its files 0600);
    returns the figures."""
    if connection.vendor != "postgresql":
        raise RuntimeError("Backups need PostgreSQL (pg_dump).")
    previous_umask = os.umask(0o077)  # pg_dump inherits it: the dump is never readable by others
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        figures = _backup_into(folder, database_url)
    finally:
        os.umask(previous_umask)
    for name in _BACKUP_FILES:
        (folder / name).chmod(0o600)
    return figures


def _backup_into(folder: Path, database_url: str | None) -> dict:
    env, name = _libpq_env(database_url)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        figures = _table_figures(cursor)
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={folder / 'database.dump'}", f"--dbname={name}"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    media = Path(settings.MEDIA_ROOT)
    figures["media"] = media_figures(media)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    (folder / "figures.json").write_text(json.dumps(figures, indent=1, sort_keys=True))
    return figures


def restore_drill(folder: Path, database: str, *, keep: bool = False) -> dict:
    """Restore the backup in `folder` into the new database `database` and compare its figures
    with the backup's; returns {"equal": bool, "differences": [...], ...}."""
    check_database_name(database)
    expected = json.loads((folder / "figures.json").read_text())
    env, _name = _libpq_env()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone():
            raise RuntimeError(f"Database {database} exists: the drill restores into a new one.")
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={database}",
             str(folder / "database.dump")],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        restored = _figures_of(database)
        with tempfile.TemporaryDirectory() as unpacked:
            with tarfile.open(folder / "media.tar.gz") as archive:
                archive.extractall(unpacked, filter="data")
            restored["media"] = media_figures(Path(unpacked) / "media")
    finally:
        if not keep:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database))
                )
    differences = [
        f"{section}.{key}: backup {expected[section].get(key)}, "
        f"restored {restored[section].get(key)}"
        for section in ("rows", "totals", "media")
        for key in sorted(set(expected[section]) | set(restored[section]))
        if expected[section].get(key) != restored[section].get(key)
    ]
    return {
        "equal": not differences,
        "differences": differences,
        "tables": len(restored["rows"]),
        "rows": sum(restored["rows"].values()),
        "media_files": restored["media"]["files"],
    }
