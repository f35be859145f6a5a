"""A read replica (`DATABASE_REPLICA_URL`): citizens write to the primary, results read the replica.

Needs a PostgreSQL streaming replica of the test server (`.ci/replica` makes one on port 5433;
`TEST_POSTGRES_REPLICA_URL` points elsewhere). Unlike the other tests this one commits for real,
into a database of its own (`<test database>_replica`), since only committed work replicates.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from consult import create_app
from consult.config import Config
from consult.db import make_engine
from consult.migrate import upgrade_engine
from consult.models import Response, ResponseStatus
from tests.conftest import CHEAP_ARGON2, require
from tests.consult.citizen import Citizen
from tests.consult.conftest import POSTGRES_URL, ROOT, SHIPPED

PRIMARY = make_url(POSTGRES_URL)
REPLICA = make_url(
    os.environ.get("TEST_POSTGRES_REPLICA_URL") or PRIMARY.set(port=5433).render_as_string(False)
)
DATABASE = f"{PRIMARY.database}_replica"
MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"


def _url(base: object, database: str) -> str:
    return make_url(str(base)).set(database=database).render_as_string(hide_password=False)


def _in_recovery(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(text("select pg_is_in_recovery()")))
    except OperationalError:
        return False
    finally:
        engine.dispose()


def _wait_for(check: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"the replica did not {what} within {seconds} s"
        time.sleep(0.2)


@pytest.fixture
def replicated() -> Iterator[tuple[str, str]]:
    """A fresh database on the primary and its URL on the replica, once the replica has it."""
    replica_postgres = _url(REPLICA.render_as_string(hide_password=False), "postgres")
    require(
        _in_recovery(replica_postgres),
        f"no PostgreSQL streaming replica at {REPLICA.set(database='postgres')} "
        "(run .ci/replica as root, or set TEST_POSTGRES_REPLICA_URL)",
    )
    admin = create_engine(_url(POSTGRES_URL, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{DATABASE}"')
    primary_url = _url(POSTGRES_URL, DATABASE)
    replica_url = _url(REPLICA.render_as_string(hide_password=False), DATABASE)
    _wait_for(lambda: _in_recovery(replica_url), "show the new database")
    engine = make_engine(primary_url)
    upgrade_engine(engine)
    engine.dispose()
    yield primary_url, replica_url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin.dispose()


def _caught_up(primary: Engine, replica: Engine) -> bool:
    """Whether the replica has replayed everything the primary had written when asked."""
    with primary.connect() as connection:
        written = connection.scalar(text("select pg_current_wal_lsn()"))
    with replica.connect() as connection:
        return bool(
            connection.scalar(
                text("select pg_last_wal_replay_lsn() >= cast(:lsn as pg_lsn)"), {"lsn": written}
            )
        )


def test_results_are_read_from_the_replica_after_a_citizen_writes_to_the_primary(
    replicated: tuple[str, str],
) -> None:
    primary_url, replica_url = replicated
    app: Flask = create_app(
        Config(
            database_url=primary_url,
            database_replica_url=replica_url,
            secret_key="test-secret",
            testing=True,
            **CHEAP_ARGON2,
        )
    )
    runner = app.test_cli_runner()
    for args in (
        ["surveys", "load", str(SHIPPED), "--open"],
        ["waves", "margins", "biotech-2026", str(MARGINS)],
        ["responses", "simulate", "--wave", "biotech-2026", "-n", "200", "--seed", "5"],
        ["waves", "publish", "biotech-2026"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output

    # A citizen's response goes to the primary, through the app.
    client = app.test_client()
    Citizen(client, "biotech-2026", Path(SHIPPED)).complete()
    # The app's own engines, to see which one the results page reads through.
    primary: Engine = app.extensions["consult_db"].kw["bind"]
    replica: Engine = app.extensions["consult_db_replica"].kw["bind"]
    with primary.connect() as connection:
        stored = connection.scalar(
            select(func.count()).where(Response.status == ResponseStatus.COMPLETE)
        )
    assert stored == 201
    _wait_for(lambda: _caught_up(primary, replica), "catch up")
    read_on_replica: list[str] = []
    read_on_primary: list[str] = []
    listeners = [
        (replica, lambda *args: read_on_replica.append(str(args[2]))),
        (primary, lambda *args: read_on_primary.append(str(args[2]))),
    ]
    for engine, listener in listeners:
        event.listen(engine, "before_cursor_execute", listener)
    try:
        page = client.get("/results/biotech-2026")
    finally:
        for engine, listener in listeners:
            event.remove(engine, "before_cursor_execute", listener)
    assert page.status_code == 200
    assert "201 volledige antwoorden" in page.get_data(as_text=True)
    # The counts behind the figures came from the replica; the primary was not asked at all.
    assert any("weighting_cell" in statement for statement in read_on_replica)
    assert read_on_primary == []
