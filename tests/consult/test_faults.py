"""When a part fails: the database gone, locked or full, Redis down. Citizens get a clear page,
nothing is half-written, and the app recovers by itself when the part is back."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url

from consult.db import make_engine
from consult.extensions import db
from consult.migrate import upgrade_engine
from consult.models import Answer, Response
from consult.rate_limits import OutageLogFilter
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, POSTGRES_URL, csrf_from
from tests.consult.scratch import (
    TcpRelay,
    committing_app,
    load_committed,
    scratch_postgres,
)

CLOSED_PORT = 5149  # one of this project's ports on which nothing listens
RELAY_PORT = 5148


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def assert_unavailable_page(reply) -> None:  # type: ignore[no-untyped-def]
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "30"
    page = reply.get_data(as_text=True)
    assert "Tijdelijk niet beschikbaar" in page  # Dutch first
    assert "niet opgeslagen" in page
    assert reply.headers["X-Request-Id"] in page


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'consult.sqlite3'}"
    engine = make_engine(url)
    upgrade_engine(engine)
    engine.dispose()
    yield url


def test_sqlite_locked_past_the_busy_timeout_is_a_503_and_a_retry_works(sqlite_file: str) -> None:
    app = committing_app(sqlite_file)
    wave = load_committed(app, MINI)
    impatient = make_engine(sqlite_file, busy_timeout_ms=200)
    app.extensions["consult_db"].configure(bind=impatient)
    citizen = Citizen(app.test_client(), wave, MINI)
    citizen.get(f"/c/{wave}")
    blocker = sqlite3.connect(make_url(sqlite_file).database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock, longer than we wait
    try:
        assert_unavailable_page(citizen.post(f"/c/{wave}/start", {"consent": "y"}))
        # Reading pages needs no write lock: they keep working meanwhile.
        assert citizen.get(f"/c/{wave}").status_code == 200
    finally:
        blocker.rollback()
        blocker.close()
    assert count(app, Response) == 0
    assert citizen.post(f"/c/{wave}/start", {"consent": "y"}).status_code == 200
    assert citizen.page_id is not None
    assert count(app, Response) == 1
    impatient.dispose()


def test_sqlite_disk_full_mid_page_is_a_503_and_nothing_half_written(sqlite_file: str) -> None:
    app = committing_app(sqlite_file)
    wave = load_committed(app, MINI)
    engine = make_engine(sqlite_file)
    app.extensions["consult_db"].configure(bind=engine)
    full = {"now": False}

    @event.listens_for(engine, "before_cursor_execute")
    def _disk_full(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if full["now"] and statement.startswith("INSERT INTO answer"):
            raise sqlite3.OperationalError("database or disk is full")

    citizen = Citizen(app.test_client(), wave, MINI)
    citizen.start()
    first_page = citizen.page_id
    assert first_page is not None
    full["now"] = True
    assert_unavailable_page(citizen.answer_page_validly())
    with app.app_context():
        response = db.session.scalars(select(Response)).one()
        assert response.answers == []
        assert response.last_page_id in (None, first_page)
    full["now"] = False
    citizen.get(f"/c/{wave}/page/{first_page}")
    assert citizen.answer_page_validly().status_code == 200
    assert citizen.page_id != first_page
    assert count(app, Answer) > 0
    engine.dispose()


def test_a_commit_that_fails_is_a_503_and_keeps_nothing(sqlite_file: str) -> None:
    """The database fails at the request's one commit (after the view flushed its rows)."""
    app = committing_app(sqlite_file)
    wave = load_committed(app, MINI)
    engine = make_engine(sqlite_file)
    app.extensions["consult_db"].configure(bind=engine)
    real_commit = engine.dialect.do_commit

    def failing_commit(_connection) -> None:  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("disk I/O error")

    citizen = Citizen(app.test_client(), wave, MINI)
    citizen.get(f"/c/{wave}")
    engine.dialect.do_commit = failing_commit  # type: ignore[method-assign]
    try:
        assert_unavailable_page(citizen.post(f"/c/{wave}/start", {"consent": "y"}))
    finally:
        engine.dialect.do_commit = real_commit  # type: ignore[method-assign]
    assert count(app, Response) == 0
    citizen.get(f"/c/{wave}")
    assert citizen.post(f"/c/{wave}/start", {"consent": "y"}).status_code == 200
    assert count(app, Response) == 1
    engine.dispose()


def test_postgresql_unreachable_is_a_503_page_in_dutch() -> None:
    app = committing_app(f"postgresql+psycopg://consult@127.0.0.1:{CLOSED_PORT}/consult")
    client = app.test_client()
    assert_unavailable_page(client.get("/c/some-wave"))
    english = client.get("/c/some-wave?lang=en")
    assert english.status_code == 503
    assert "Temporarily unavailable" in english.get_data(as_text=True)
    api = client.get("/api/v1/waves")
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "30"


def test_postgresql_gone_and_back_the_app_recovers_without_a_restart() -> None:
    base = make_url(POSTGRES_URL)
    with scratch_postgres("faults") as url:
        engine: Engine = make_engine(url)
        upgrade_engine(engine)
        engine.dispose()
        relay = TcpRelay(RELAY_PORT, (base.host or "127.0.0.1", base.port or 5432))
        relay.restore()
        try:
            relayed = make_url(url).set(host="127.0.0.1", port=RELAY_PORT)
            app = committing_app(relayed.render_as_string(hide_password=False))
            wave = load_committed(app, MINI)
            citizen = Citizen(app.test_client(), wave, MINI)
            assert citizen.get(f"/c/{wave}").status_code == 200
            relay.cut()  # a restart: every pooled connection dies, new ones are refused
            assert_unavailable_page(citizen.get(f"/c/{wave}"))
            relay.restore()
            assert citizen.get(f"/c/{wave}").status_code == 200
            assert citizen.post(f"/c/{wave}/start", {"consent": "y"}).status_code == 200
            assert count(app, Response) == 1
        finally:
            relay.cut()


def test_redis_down_citizens_keep_answering_sign_ins_wait_one_log_line(
    app: Flask, engine: Engine, make_user, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    url = engine.url.render_as_string(hide_password=False)
    redis_down = committing_app(url, redis_url=f"redis://127.0.0.1:{CLOSED_PORT}/0")
    redis_down.extensions["consult_db"].configure(
        bind=app.extensions["consult_db"].kw["bind"], join_transaction_mode="create_savepoint"
    )
    wave = load_committed(redis_down, MINI)
    email = make_user("organizer@example.org", "organizer")
    for log_filter in logging.getLogger("flask-limiter").filters:
        if isinstance(log_filter, OutageLogFilter):
            log_filter.last = -log_filter.interval  # a fresh outage for this test
    caplog.set_level(logging.INFO)

    citizen = Citizen(redis_down.test_client(), wave, MINI)
    citizen.start()
    assert citizen.page_id is not None
    assert citizen.answer_page_validly().status_code == 200
    resume = citizen.client.get(f"/c/{wave}/resume")
    assert resume.status_code == 200
    wrong = citizen.client.post(
        f"/c/{wave}/resume",
        data={
            "code": "AAAA-BBBB-CCCC-DDDD",
            "csrf_token": csrf_from(resume.get_data(as_text=True)),
        },
    )
    assert wrong.status_code < 500

    staff = redis_down.test_client()
    page = staff.get("/admin/login").get_data(as_text=True)
    refused = staff.post(
        "/admin/login",
        data={
            "email": email,
            "password": "correct horse battery staple",
            "csrf_token": csrf_from(page),
        },
    )
    assert_unavailable_page(refused)
    assert "_user_id" not in (
        staff.get_cookie("session") and staff.get_cookie("session").value or ""
    )

    outage = [r for r in caplog.records if "Rate-limit store unreachable" in r.getMessage()]
    assert len(outage) == 1
    assert "5149" not in outage[0].getMessage() and outage[0].exc_info is None
    # Nothing else failed: the only other error line is the refused sign-in's request line.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["flask-limiter", "consult.requests"]
