"""`consult db`: the database schema."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from consult.extensions import db


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Bring the database schema up to date (Alembic).")
def db_upgrade() -> None:
    from consult.migrate import upgrade_database

    upgrade_database(db)
    click.echo("Database is up to date.")
