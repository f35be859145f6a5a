"""Fixtures for the web app: the same tests run on SQLite and on PostgreSQL.

Each test runs inside a transaction that is rolled back at the end; the code under test commits
for real into a savepoint (`join_transaction_mode="create_savepoint"`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from consult import create_app
from consult.accounts import service as accounts
from consult.config import Config
from consult.db import make_engine
from consult.extensions import db as database
from consult.extensions import limiter
from consult.migrate import upgrade_engine
from consult.models import Role
from consult.organizing import queries as organizing_queries
from consult.organizing.question_sets import load_into_store
from surveys.loader import load_file
from tests.conftest import CHEAP_ARGON2, per_worker_database, require

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"
MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
SHARED_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
POSTGRES_URL = per_worker_database(SHARED_POSTGRES_URL)


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "consult.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_engine(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_engine() -> Iterator[Engine]:
    engine = make_engine(POSTGRES_URL)
    try:
        _create_worker_database()
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except OperationalError as error:
        engine.dispose()
        require(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.orig}")
    upgrade_engine(engine)
    yield engine
    engine.dispose()


def _create_worker_database() -> None:
    """Under pytest-xdist, this worker's database beside the shared one, made on first use."""
    if POSTGRES_URL == SHARED_POSTGRES_URL:
        return
    name = make_url(POSTGRES_URL).database
    server = make_engine(SHARED_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{request.param}_engine")  # type: ignore[no-any-return]


@pytest.fixture
def app(engine: Engine) -> Iterator[Flask]:
    connection = engine.connect()
    transaction = connection.begin()
    app = create_app(
        Config(
            database_url=str(engine.url.render_as_string(hide_password=False)),
            secret_key="test-secret",
            testing=True,
            **CHEAP_ARGON2,
        )
    )
    app.extensions["consult_db"].configure(
        bind=connection, join_transaction_mode="create_savepoint"
    )
    limiter.reset()  # rate-limit counters live in memory across apps in one process
    yield app
    transaction.rollback()
    connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session for arranging and checking data, outside any request.

    It deliberately pushes no app context: requests made during the test must get their own.
    """
    session = app.extensions["consult_db"]()
    yield session
    session.close()


@pytest.fixture
def load_set(app: Flask):  # type: ignore[no-untyped-def]
    """Load a question-set file and (optionally) open its wave, as `consult surveys load` does."""

    def load(path: Path = MINI, *, open_wave: bool = True) -> str:
        with app.app_context():
            result = load_into_store(
                database.session, load_file(path), open_wave=open_wave, today=dt.date.today()
            )
            database.commit()
            return result.wave.slug

    return load


@pytest.fixture
def simulated_wave(app: Flask, load_set):  # type: ignore[no-untyped-def]
    """The shipped set's wave with its margins and 600 simulated responses (seed 7): a fixed
    wave whose report `test_report_unchanged` keeps."""
    wave: str = load_set(SHIPPED)
    runner = app.test_cli_runner()
    margins = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
    assert runner.invoke(args=["waves", "margins", wave, str(margins)]).exit_code == 0
    result = runner.invoke(
        args=["responses", "simulate", "--wave", wave, "-n", "600", "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    return wave


@pytest.fixture
def small_wave(app: Flask, load_set):  # type: ignore[no-untyped-def]
    """A published wave of the shipped set small enough (300 responses, seed 3) for a raised
    minimum cell size to hide many cells (every margin still filled)."""

    def make(minimum: int) -> str:
        wave: str = load_set(SHIPPED)
        runner = app.test_cli_runner()
        margins = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
        assert runner.invoke(args=["waves", "margins", wave, str(margins)]).exit_code == 0
        result = runner.invoke(
            args=["responses", "simulate", "--wave", wave, "-n", "300", "--seed", "3"]
        )
        assert result.exit_code == 0, result.output
        with app.app_context():
            found = organizing_queries.wave_by_slug(database.session, wave)
            assert found is not None
            found.min_cell_size = minimum
            found.results_published = True
            database.commit()
        return wave

    return make


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    """Create a staff account; organizers can be given consultations by slug."""

    def make(email: str, role: str, consultations: tuple[str, ...] = ()) -> str:
        with app.app_context():
            user = accounts.create_user(
                database.session,
                email,
                Role(role),
                PASSWORD,
                dt.date.today(),
                passwords=accounts.passwords_for(app.config["CONSULT"]),
            )
            for slug in consultations:
                consultation = organizing_queries.consultation_by_slug(database.session, slug)
                assert consultation is not None
                user.consultations.append(consultation)
            database.commit()
        return email

    return make


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    page = client.get("/admin/login").get_data(as_text=True)
    reply = client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page)},
    )
    return reply.status_code


@pytest.fixture
def logged_in(app: Flask, make_user):  # type: ignore[no-untyped-def]
    """A client signed in with a new account of the given role."""

    def client_for(role: str, consultations: tuple[str, ...] = (), email: str | None = None):  # type: ignore[no-untyped-def]
        email = make_user(email or f"{role}-{len(consultations)}@example.org", role, consultations)
        client = app.test_client()
        assert sign_in(client, email) == 303
        return client

    return client_for


def admin_token(client: FlaskClient, path: str = "/admin/") -> str:
    """A CSRF token from an admin page, for posting forms."""
    return csrf_from(client.get(path).get_data(as_text=True))
