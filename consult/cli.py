"""The `consult` command: database upgrades, question sets, and serving the app."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from analysis import WeightingError
from consult import accounts, audit, store
from consult.counting import ensure_current_counts
from consult.db import mark_read_only
from consult.extensions import db
from consult.importing import ResponseImportError, import_responses
from consult.models import Role, Wave, WaveMode
from consult.question_sets import WaveConflict, load_into_store
from consult.results import (
    CSV_COLUMNS,
    Mode,
    ResultsError,
    csv_row,
    report_as_json,
    wave_report,
)
from consult.simulation import store_simulated
from consult.waves import (
    WaveError,
    WaveSettings,
    close_expired_waves,
    close_wave,
    create_wave,
    open_wave,
    set_margins,
    set_published,
)
from surveys.loader import QuestionSetError, load_path, validate_path


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(surveys_group)
    app.cli.add_command(users_group)
    app.cli.add_command(waves_group)
    app.cli.add_command(responses_group)
    app.cli.add_command(report)


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
    problems = validate_path(path)
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
        question_set = load_path(path)
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


@click.group("users", cls=AppGroup, help="Staff accounts.")
def users_group() -> None:
    pass


@users_group.command(
    "create", help="Create an account; the password is read from stdin or generated."
)
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--consultation", "consultations", multiple=True, help="Slug an organizer runs.")
def users_create(email: str, role: str, consultations: tuple[str, ...]) -> None:
    typed = "" if sys.stdin.isatty() else sys.stdin.read().strip()
    password = typed or accounts.generate_password()
    try:
        user = accounts.create_user(db.session, email, Role(role), password, dt.date.today())
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    for slug in consultations:
        consultation = store.consultation_by_slug(db.session, slug)
        if consultation is None:
            raise click.ClickException(f"there is no consultation {slug}")
        user.consultations.append(consultation)
    audit.record(db.session, "command line", "create user", f"user:{user.email}", detail=role)
    db.commit()
    click.echo(f"Created {user.role.value} {user.email}.")
    if not typed:
        click.echo(f"Password (shown only now): {password}")


@click.group("waves", cls=AppGroup, help="Waves: create, open, close, publish, margins.")
def waves_group() -> None:
    pass


def _wave_or_fail(slug: str) -> Wave:
    wave = store.wave_by_slug(db.session, slug)
    if wave is None:
        raise click.ClickException(f"there is no wave {slug}")
    return wave


@waves_group.command("create", help="Create a wave of a consultation on one of its versions.")
@click.argument("slug")
@click.option("--consultation", required=True, help="Consultation slug.")
@click.option("--version", "number", type=int, help="Version number (default: the newest).")
@click.option("--mode", type=click.Choice(["open", "invite"]), default="open", show_default=True)
@click.option("--opens", "opens_on", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--closes", "closes_on", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--min-cell-size", type=int, default=10, show_default=True)
def waves_create(
    slug: str,
    consultation: str,
    number: int | None,
    mode: str,
    opens_on: dt.datetime | None,
    closes_on: dt.datetime | None,
    min_cell_size: int,
) -> None:
    found = store.consultation_by_slug(db.session, consultation)
    if found is None or not found.versions:
        raise click.ClickException(f"there is no consultation {consultation} with a version")
    version = (
        found.versions[-1] if number is None else store.version_by_number(db.session, found, number)
    )
    if version is None:
        raise click.ClickException(f"{consultation} has no version {number}")
    settings = WaveSettings(
        slug=slug,
        version=version,
        mode=WaveMode(mode),
        opens_on=opens_on.date() if opens_on else None,
        closes_on=closes_on.date() if closes_on else None,
        min_cell_size=min_cell_size,
    )
    try:
        wave = create_wave(db.session, found, settings)
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    audit.record(db.session, "command line", "create wave", f"wave:{wave.slug}")
    db.commit()
    click.echo(f"Created wave {wave.slug} on version {version.number} ({wave.status.value}).")


def _wave_command(name: str, help_text: str, change: Callable[[Wave], None]) -> None:
    @waves_group.command(name, help=help_text)
    @click.argument("slug")
    def command(slug: str) -> None:
        wave = _wave_or_fail(slug)
        try:
            change(wave)
        except WaveError as error:
            raise click.ClickException(str(error)) from error
        audit.record(db.session, "command line", f"{name} wave", f"wave:{wave.slug}")
        db.commit()
        click.echo(
            f"Wave {wave.slug}: {wave.status.value}, results "
            f"{'published' if wave.results_published else 'not published'}."
        )


_wave_command("open", "Open a wave for respondents.", lambda w: open_wave(w, dt.date.today()))
_wave_command("close", "Close a wave: no more answers.", close_wave)
_wave_command("publish", "Publish a wave's results.", lambda w: set_published(w, True))
_wave_command("unpublish", "Withdraw a wave's results.", lambda w: set_published(w, False))


@waves_group.command("close-expired", help="Close every open wave whose closing date has passed.")
def waves_close_expired() -> None:
    closed = close_expired_waves(db.session, dt.date.today())
    for wave in closed:
        audit.record(
            db.session, "command line", "close wave", f"wave:{wave.slug}", detail="expired"
        )
    db.commit()
    click.echo(f"Closed {len(closed)} wave(s).")


@waves_group.command("margins", help="Set a wave's weighting margins from a CSV file.")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def waves_margins(slug: str, path: Path) -> None:
    wave = _wave_or_fail(slug)
    try:
        margins = set_margins(wave, path.read_text(encoding="utf-8"))
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    audit.record(db.session, "command line", "set margins", f"wave:{wave.slug}")
    db.commit()
    click.echo(f"Wave {wave.slug}: margins for {', '.join(margins)}.")


@click.group("responses", cls=AppGroup, help="Complete responses: import and simulate.")
def responses_group() -> None:
    pass


@responses_group.command(
    "import", help="Import complete responses from a CSV file (all or nothing)."
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wave", "wave_slug", required=True)
def responses_import(path: Path, wave_slug: str) -> None:
    wave = _wave_or_fail(wave_slug)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text") from error
    try:
        imported = import_responses(db.session, wave, text, dt.date.today())
    except ResponseImportError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        click.echo(f"{len(error.problems)} problem(s) found; nothing was imported.", err=True)
        sys.exit(1)
    audit.record(
        db.session, "command line", "import responses", f"wave:{wave.slug}", detail=f"{imported}"
    )
    db.commit()
    click.echo(f"Imported {imported} complete responses into {wave.slug}.")


@responses_group.command("simulate", help="Add realistic synthetic complete responses to a wave.")
@click.option("--wave", "wave_slug", required=True)
@click.option("-n", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
def responses_simulate(wave_slug: str, count: int, seed: int) -> None:
    wave = _wave_or_fail(wave_slug)
    stored = store_simulated(db.session, wave, count, seed, dt.date.today())
    audit.record(
        db.session, "command line", "simulate responses", f"wave:{wave.slug}", detail=f"{stored}"
    )
    db.commit()
    click.echo(f"Simulated {stored} complete responses in {wave.slug} (seed {seed}).")


@click.command("report", help="Weighted estimates of a wave as a tidy table (JSON or CSV).")
@click.option("--wave", "wave_slug", required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--by", help="Item code of a subgroup variable (a demographic or single choice).")
@click.option("--unweighted", is_flag=True, help="Equal weights, no calibration.")
@click.option(
    "--se",
    type=click.Choice(["calibrated", "fixed"]),
    default="calibrated",
    show_default=True,
    help="fixed: take the raking weights as given (no projection on the margins).",
)
@with_appcontext
def report(
    wave_slug: str, fmt: str, output: Path, by: str | None, unweighted: bool, se: str
) -> None:
    wave = _wave_or_fail(wave_slug)
    for recounted in ensure_current_counts(db.session, wave.consultation.waves):
        click.echo(f"Recounted {recounted.slug}: its counts predated this version of Consult.")
    db.commit()
    mark_read_only()
    mode: Mode = "unweighted" if unweighted else ("fixed" if se == "fixed" else "calibrated")
    try:
        result = wave_report(db.session, wave, by=by, mode=mode)
    except (ResultsError, WeightingError) as error:
        raise click.ClickException(str(error)) from error
    if fmt == "json":
        output.write_text(json.dumps(report_as_json(result), indent=1, ensure_ascii=False))
    else:
        with output.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            writer.writerows(csv_row(row) for row in result.estimates)
    click.echo(
        f"{len(result.estimates)} figures for {wave.slug} ({mode}, n={result.design.weights.n}) "
        f"written to {output}."
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
        # Access logs show method and path only: gunicorn's default format would log client
        # addresses, and the query string can carry a resume or invitation code.
        "--access-logformat",
        '"%(m)s %(U)s" %(s)s %(b)s %(M)sms',
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
