"""Alembic, driven from code so `consult db upgrade` needs no alembic.ini beside it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine

from consult.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade_engine(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def upgrade_database(database: Database) -> None:
    upgrade_engine(database.engine)
