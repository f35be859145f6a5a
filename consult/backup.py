"""Backups and restores of the whole database, taken while citizens keep answering.

SQLite: the online backup API copies the database in one step under a read lock, so the copy is
one consistent moment (WAL writers carry on meanwhile). PostgreSQL: `pg_dump` in its custom
format (one snapshot transaction, compressed), restored by `pg_restore` in one transaction.
A restore goes into an empty database only: an operator restores into a fresh database and
points DATABASE_URL at it, so a typo can never overwrite the live data.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target` (replaced if it exists)."""
    if engine.dialect.name == "sqlite":
        _sqlite_backup(_sqlite_path(engine.url), target)
    elif engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}"], engine.url)
    else:
        raise BackupError(f"no backup for {engine.dialect.name} databases")


def restore(engine: Engine, source: Path) -> None:
    """Load a backup made by `backup` into the (empty) database of `engine`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    head = _head(source)
    if inspect(engine).get_table_names():
        raise BackupError(
            "the database is not empty: restore into a new, empty database, then point "
            "DATABASE_URL at it"
        )
    if engine.dialect.name == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup")
        engine.dispose()
        _sqlite_backup(source, _sqlite_path(engine.url))
    elif engine.dialect.name == "postgresql":
        if not head.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL backup (pg_dump's custom format)")
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", str(source)],
            engine.url,
        )
    else:
        raise BackupError(f"no restore for {engine.dialect.name} databases")


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(16)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API, in one step (pages=-1): a consistent snapshot."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(partial)
    try:
        src.backup(dst, pages=-1)
    finally:
        src.close()
        dst.close()
    # A reader never sees half a file: the finished copy takes the name at once.
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    partial.replace(target)


def _run(command: list[str], url: URL) -> None:
    """Run pg_dump/pg_restore against `url`; the password goes by environment, never argv."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string()
    result = subprocess.run(  # noqa: S603  (fixed program, arguments we built)
        [*command, f"--dbname={libpq_url}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")
