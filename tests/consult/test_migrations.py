"""The migrations build exactly the schema the models describe, and go down and up with data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from consult.db import make_engine
from consult.migrate import downgrade_engine, upgrade_engine
from consult.models import Base


def test_head_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_and_upgrade_with_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")
    upgrade_engine(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO consultation (slug, title_nl) VALUES ('c', 'Consultatie')")
        )
    downgrade_engine(engine, "base")
    assert "consultation" not in inspect(engine).get_table_names()
    upgrade_engine(engine)
    assert {"consultation", "wave", "response", "answer"} <= set(inspect(engine).get_table_names())
    # The rebuilt schema takes data again.
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO consultation (slug, title_nl) VALUES ('c', 'C')"))
        assert connection.scalar(text("SELECT count(*) FROM consultation")) == 1
    engine.dispose()


def test_each_migration_steps_down_and_up_keeping_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every revision downgrades one step and upgrades again without losing the rows that its
    predecessor's tables hold."""
    engine = make_engine(f"sqlite:///{tmp_path / 'steps.sqlite3'}")
    upgrade_engine(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO consultation (slug, title_nl) VALUES ('c', 'Consultatie')")
        )
    for _ in range(2):  # head -> the first revision, one step at a time
        downgrade_engine(engine, "-1")
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM consultation")) == 1
    upgrade_engine(engine)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT slug FROM consultation")) == "c"
    engine.dispose()
