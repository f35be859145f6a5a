"""The migrations build exactly the schema the models describe, and go down and up with data."""

from __future__ import annotations

import datetime as dt

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
    assert dt.date.today()  # the schema is usable again:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO consultation (slug, title_nl) VALUES ('c', 'C')"))
    engine.dispose()
