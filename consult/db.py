"""Engine and session set-up: one session per request, committed once at the request boundary."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and immediate write transactions.
    PostgreSQL's pool tests each connection before use (pre-ping), so after a database restart
    the app reconnects by itself instead of failing on the dead connections it kept."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite defaults lose concurrent writes to 'database is locked'; these settings avoid it."""

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
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(f"BEGIN {_begin_mode()}")


READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")


def _begin_mode() -> str:
    """IMMEDIATE for work that writes: it takes the write lock up front, so two writers never
    fail upgrading read locks. DEFERRED for reads (page views, reports), which in WAL mode never
    block, and are never blocked by, a writer."""
    if has_request_context():
        return "DEFERRED" if request.method in READ_ONLY_METHODS else "IMMEDIATE"
    if has_app_context() and g.get("read_only"):
        return "DEFERRED"
    return "IMMEDIATE"


def mark_read_only() -> None:
    """Declare that the current command only reads (e.g. a report), so it locks nothing."""
    g.read_only = True


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
