"""`consult backup` and `consult restore`: the whole database to a file and back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext

from consult.backup import BackupError, backup, restore
from consult.extensions import db


@click.command("backup", help="Write a consistent backup of the database to FILE (online).")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help="The file; strftime codes in it (e.g. consult-%Y%m%d.dump) take the UTC time.",
)
@with_appcontext
def backup_command(output: Path) -> None:
    if "%" in output.name:
        output = output.with_name(dt.datetime.now(dt.UTC).strftime(output.name))
    try:
        backup(db.engine, output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {output} ({output.stat().st_size} bytes).")


@click.command("restore", help="Load a backup FILE into the configured, empty database.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(source: Path) -> None:
    try:
        restore(db.engine, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {source}; run `consult db upgrade` if it came from an older version.")
