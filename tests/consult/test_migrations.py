"""The migrations build exactly the schema the models describe, and every revision steps up and
down with rows in every table it touches, keeping every row (SecureDrop's migration testers are
the model: tests/consult/migrations/migration_<revision>.py).

Each test gets a database of its own: a SQLite file, or a PostgreSQL database created for the
test and dropped after it, so it never disturbs the shared test database.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from consult.db import make_engine
from consult.migrate import alembic_config, downgrade_engine, upgrade_engine
from consult.models import Base
from tests.conftest import require
from tests.consult.conftest import SHARED_POSTGRES_URL as POSTGRES_URL

TESTERS = Path(__file__).parent / "migrations"


def revisions() -> list[str]:
    """Every revision in consult/migrations/versions, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def previous(revision: str) -> str:
    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    down = script.get_revision(revision).down_revision
    assert down is None or isinstance(down, str), f"{revision} merges branches: test it by hand"
    return down or "base"


def load_tester(revision: str) -> ModuleType:
    name = f"tests.consult.migrations.migration_{revision}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        pytest.fail(
            f"every migration needs a tester: write {TESTERS / f'migration_{revision}.py'} with "
            "classes UpgradeTester and DowngradeTester (see migrations/__init__.py)"
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the given kind, for this test alone."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")
        yield engine
        engine.dispose()
        return
    name = f"{make_url(POSTGRES_URL).database}_migrations_{uuid.uuid4().hex[:12]}"
    server = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        server.dispose()
        require(False, f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.orig}")
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_head_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


@pytest.mark.parametrize("revision", revisions())
def test_upgrade_with_data(fresh_engine: Engine, revision: str) -> None:
    module = load_tester(revision)
    before = previous(revision)
    if before != "base":
        upgrade_engine(fresh_engine, before)
    with fresh_engine.connect() as connection:
        checker = module.UpgradeTester(connection)
        checker.load_data()
        connection.commit()
        upgrade_engine(fresh_engine, revision)
        checker.check()
        connection.commit()


@pytest.mark.parametrize("revision", revisions())
def test_downgrade_with_data(fresh_engine: Engine, revision: str) -> None:
    module = load_tester(revision)
    upgrade_engine(fresh_engine, revision)
    with fresh_engine.connect() as connection:
        checker = module.DowngradeTester(connection)
        checker.load_data()
        connection.commit()
        downgrade_engine(fresh_engine, previous(revision))
        checker.check()
        connection.commit()


def test_every_tester_belongs_to_a_revision() -> None:
    """A tester left behind by a renamed or squashed revision would test nothing."""
    found = {path.stem.removeprefix("migration_") for path in TESTERS.glob("migration_*.py")}
    assert found <= set(revisions())
