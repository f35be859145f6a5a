"""`consult responses`: import complete responses, or simulate them."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from consult.accounts import audit
from consult.cli.progress import interrupted_cleanly, progress_for, quiet_option
from consult.cli.waves import ENGLISH, english, wave_or_fail
from consult.extensions import db
from consult.organizing.margins import left_out, parse_margins
from consult.progress import stage
from consult.responding.importing import MAX_PROBLEMS, ResponseImportError, import_responses


@click.group("responses", cls=AppGroup, help="Complete responses: import and simulate.")
def responses_group() -> None:
    pass


@responses_group.command(
    "import",
    help="Import complete responses from a CSV file (all or nothing): ours, or an ODK or "
    "KoboToolbox export of the wave's form. Read, checked, stored and counted a chunk at a time "
    "in one transaction; Ctrl-C leaves the database as it was.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--wave", "wave_slug", required=True)
@click.option(
    "--max-problems",
    type=click.IntRange(1),
    default=MAX_PROBLEMS,
    show_default=True,
    help="Problems listed; the others are counted.",
)
@quiet_option
def responses_import(path: Path, wave_slug: str, max_problems: int, quiet: bool) -> None:
    wave = wave_or_fail(wave_slug)
    try:
        with (
            interrupted_cleanly("nothing was imported"),
            progress_for(quiet) as progress,
            path.open(encoding="utf-8", newline="") as file,
        ):
            rows = None
            if not quiet:
                with stage(progress, "count rows", None):
                    rows = data_lines(path)
                    progress.advance(rows)
            result = import_responses(
                db.session,
                wave,
                file,
                dt.date.today(),
                max_problems=max_problems,
                progress=progress,
                rows=rows,
            )
    except UnicodeDecodeError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: not UTF-8 text; nothing was imported") from error
    except ResponseImportError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(f"{path}: {problem}", err=True)
        if error.more:
            click.echo(f"{path}: and {error.more} more problem(s) not listed", err=True)
        click.echo(
            f"{len(error.problems) + error.more} problem(s) found; nothing was imported.", err=True
        )
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


def data_lines(path: Path) -> int:
    """The lines after the header (about the rows: a quoted value may span lines), counted in
    a quick pass over the bytes, for the progress bar's total."""
    lines = 0
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


@responses_group.command("simulate", help="Add realistic synthetic complete responses to a wave.")
@click.option("--wave", "wave_slug", required=True)
@click.option("-n", "count", type=click.IntRange(1, 10_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@quiet_option
def responses_simulate(wave_slug: str, count: int, seed: int, quiet: bool) -> None:
    wave = wave_or_fail(wave_slug)
    # The simulation is a demo tool, not part of the app: loaded only for this command.
    from demo.simulation import store_simulated

    with interrupted_cleanly("nothing was stored"), progress_for(quiet) as progress:
        stored = store_simulated(db.session, wave, count, seed, dt.date.today(), progress)
        audit.record(
            db.session,
            "command line",
            "simulate responses",
            f"wave:{wave.slug}",
            detail=f"{stored}",
        )
        db.commit()
    click.echo(f"Simulated {stored} complete responses in {wave.slug} (seed {seed}).")
