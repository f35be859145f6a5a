"""The `consult` command: database upgrades, question sets, and serving the app."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup

from consult.extensions import db
from consult.question_sets import WaveConflict, load_into_store
from surveys.loader import QuestionSetError, load_file, validate_file


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(surveys_group)


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Bring the database schema up to date (Alembic).")
def db_upgrade() -> None:
    from consult.migrate import upgrade_database

    upgrade_database(db)
    click.echo("Database is up to date.")


@click.group("surveys", cls=AppGroup, help="Question sets: validate and load.")
def surveys_group() -> None:
    pass


@surveys_group.command("validate", help="List every problem in a question-set file.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def surveys_validate(path: Path) -> None:
    if not path.exists():
        raise click.ClickException(f"{path}: no such file")
    problems = validate_file(path)
    if problems:
        for problem in problems:
            click.echo(f"{path}: {problem}", err=True)
        click.echo(f"{len(problems)} problem(s) found; nothing was loaded.", err=True)
        sys.exit(1)
    click.echo(f"{path}: valid")


@surveys_group.command("load", help="Store a question set as a new version (and its wave).")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--open", "open_wave", is_flag=True, help="Open the wave for respondents.")
def surveys_load(path: Path, open_wave: bool) -> None:
    if not path.exists():
        raise click.ClickException(f"{path}: no such file")
    try:
        question_set = load_file(path)
    except QuestionSetError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        click.echo(f"{len(error.problems)} problem(s) found; nothing was loaded.", err=True)
        sys.exit(1)
    try:
        result = load_into_store(
            db.session, question_set, open_wave=open_wave, today=dt.date.today()
        )
        db.commit()
    except WaveConflict as error:
        raise click.ClickException(str(error)) from error
    state = "new version" if result.version_created else "unchanged version"
    click.echo(
        f"{question_set.consultation_slug}: {state} {result.version.number}; "
        f"wave {result.wave.slug} is {result.wave.status.value}"
    )


@click.command("serve", help="Serve the app (gunicorn when available, else Flask's server).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int, envvar="PORT")
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # Access logs show paths only: gunicorn's default format would log client addresses.
        "--access-logformat",
        '"%(r)s" %(s)s %(b)s %(M)sms',
        "consult.wsgi:app",
    ]
    run()


def _create_app() -> Flask:
    from consult import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Consult: citizen consultations with weighted, honest results."""


main.add_command(serve)
