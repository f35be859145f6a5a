"""Engine and session set-up: one session per request, committed once at the request boundary."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and write locks taken only to write."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **kwargs)
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


_DEFERRED = "consult_deferred"
"""Marks a connection whose transaction has read but not yet taken the write lock."""

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _tune_sqlite(engine: Engine) -> None:
    """SQLite defaults lose concurrent writes to 'database is locked'; these settings avoid it.

    SQLite has one write lock for the whole database. A transaction begins DEFERRED (in WAL
    mode, reads never wait for a writer) and takes the write lock (`BEGIN IMMEDIATE`, waiting
    up to the busy timeout) only at its first write or `SELECT ... FOR UPDATE`: a request that
    parses an upload or computes figures holds no lock meanwhile, so a citizen's save never
    waits for it. A deferred transaction that read and then writes cannot take the lock where
    it stands (another writer may have committed since its snapshot: SQLITE_BUSY_SNAPSHOT,
    with no waiting), so the reads end there and the writing transaction begins afresh, as a
    statement in PostgreSQL's READ COMMITTED sees the latest committed rows; what must not
    change in between is read `FOR UPDATE`, as on PostgreSQL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN DEFERRED")
        connection.info[_DEFERRED] = True

    @event.listens_for(engine, "before_execute")
    def _before_execute(connection: Connection, clause: Any, *_args: Any) -> None:
        # SQLite's compiler drops FOR UPDATE: this is the one place that still sees it.
        if getattr(clause, "_for_update_arg", None) is not None:
            _take_write_lock(connection)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_cursor_execute(
        connection: Connection, _cursor: Any, statement: str, *_a: Any
    ) -> None:
        if statement.lstrip().upper().startswith(_WRITES):
            _take_write_lock(connection)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Connection) -> None:
        connection.info.pop(_DEFERRED, None)


def _take_write_lock(connection: Connection) -> None:
    """End the transaction's reads and begin the writing one with the write lock (see above).
    Inside a savepoint (the tests' rolled-back transactions) SQLite upgrades the lock itself."""
    if not connection.info.pop(_DEFERRED, False) or connection.in_nested_transaction():
        return
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    if dbapi_connection.in_transaction:
        dbapi_connection.execute("COMMIT")  # it only read: nothing to keep or lose
    dbapi_connection.execute("BEGIN IMMEDIATE")


class Database:
    """Access to the current app's database: each app keeps its own engine and session factory."""

    _engines: dict[str, Engine] = {}

    def init_app(self, app: Flask, url: str) -> None:
        # One engine per URL per process: tests build many apps against the same database.
        engine = self._engines.get(url)
        if engine is None:
            engine = self._engines[url] = make_engine(url)
        app.extensions["consult_db"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.teardown_appcontext(self._close_session)

    @property
    def session_factory(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = current_app.extensions["consult_db"]
        return factory

    @property
    def engine(self) -> Engine:
        bind = self.session_factory.kw["bind"]
        return bind.engine if isinstance(bind, Connection) else bind

    @property
    def session(self) -> Session:
        """The session of the current request (or CLI command), created on first use."""
        if "db_session" not in g:
            g.db_session = self.session_factory()
        session: Session = g.db_session
        return session

    def commit(self) -> None:
        """Commit the current request's work, if any was started."""
        if "db_session" in g:
            g.db_session.commit()

    def rollback(self) -> None:
        """Undo the current request's work, if any was started."""
        if "db_session" in g:
            g.db_session.rollback()

    def _close_session(self, _exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


db = Database()
