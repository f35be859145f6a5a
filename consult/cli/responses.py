"""`consult responses`: import complete responses, or simulate them."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from consult.accounts import audit
from consult.cli.waves import ENGLISH, english, wave_or_fail
from consult.extensions import db
from consult.organizing.margins import left_out, parse_margins
from consult.responding.importing import ResponseImportError, import_responses


@click.group("responses", cls=AppGroup, help="Complete responses: import and simulate.")
def responses_group() -> None:
    pass


@responses_group.command(
    "import",
    help="Import complete responses from a CSV file (all or nothing): ours, or an ODK or "
    "KoboToolbox export of the wave's form.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wave", "wave_slug", required=True)
def responses_import(path: Path, wave_slug: str) -> None:
    wave = wave_or_fail(wave_slug)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{path}: not UTF-8 text") from error
    try:
        result = import_responses(db.session, wave, text, dt.date.today())
    except ResponseImportError as error:
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        click.echo(f"{len(error.problems)} problem(s) found; nothing was imported.", err=True)
        sys.exit(1)
    audit.record(
        db.session,
        "command line",
        "import responses",
        f"wave:{wave.slug}",
        detail=f"{result.imported}",
    )
    db.commit()
    for note in result.notes:
        click.echo(f"{path}: {note}")
    click.echo(f"Imported {result.imported} complete responses into {wave.slug}.")
    shares = parse_margins(wave.margins, wave) if wave.margins else {}
    for answer in left_out(db.session, wave, shares):
        if answer.respondents:
            click.echo(f"Warning: {answer.describe(english, ENGLISH)}")


@responses_group.command("simulate", help="Add realistic synthetic complete responses to a wave.")
@click.option("--wave", "wave_slug", required=True)
@click.option("-n", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
def responses_simulate(wave_slug: str, count: int, seed: int) -> None:
    wave = wave_or_fail(wave_slug)
    # The simulation is a demo tool, not part of the app: loaded only for this command.
    from demo.simulation import store_simulated

    stored = store_simulated(db.session, wave, count, seed, dt.date.today())
    audit.record(
        db.session, "command line", "simulate responses", f"wave:{wave.slug}", detail=f"{stored}"
    )
    db.commit()
    click.echo(f"Simulated {stored} complete responses in {wave.slug} (seed {seed}).")
