"""Engine and session set-up: one session per request, committed once at the request boundary."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and write locks taken only to write.
    PostgreSQL's pool tests each connection before use (pre-ping), so after a database restart
    the app reconnects by itself instead of failing on the dead connections it kept."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


_DEFERRED = "consult_deferred"
"""Marks a connection whose transaction has read but not yet taken the write lock."""

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
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

    def init_app(self, app: Flask, url: str, replica_url: str | None = None) -> None:
        app.extensions["consult_db"] = sessionmaker(bind=self._engine(url), expire_on_commit=False)
        app.extensions["consult_db_replica"] = (
            sessionmaker(bind=self._engine(replica_url), expire_on_commit=False)
            if replica_url
            else None
        )
        app.teardown_appcontext(self._close_session)

    def _engine(self, url: str) -> Engine:
        """One engine per URL per process: tests build many apps against the same database."""
        engine = self._engines.get(url)
        if engine is None:
            engine = self._engines[url] = make_engine(url)
        return engine

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

    @property
    def read_session(self) -> Session:
        """A session on the read replica (`DATABASE_REPLICA_URL`) for pages that only read and
        may lag the primary by a moment (results, downloads): it takes their reading off the
        primary, which keeps the citizens' writes. Without a replica, the request's session.
        It is never committed; anything written through it would fail on a standby."""
        factory: sessionmaker[Session] | None = current_app.extensions.get("consult_db_replica")
        if factory is None:
            return self.session
        if "db_read_session" not in g:
            g.db_read_session = factory()
        session: Session = g.db_read_session
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
        for name in ("db_session", "db_read_session"):
            session = g.pop(name, None)
            if session is not None:
                session.rollback()
                session.close()


db = Database()
