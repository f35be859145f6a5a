"""`consult waves`: create, open, close, publish and weight waves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from consult.accounts import audit
from consult.cli.progress import interrupted_cleanly, progress_for, quiet_option
from consult.counting.service import rebuild_counts
from consult.extensions import db
from consult.models import Wave, WaveMode
from consult.organizing import queries
from consult.organizing.margins import set_margins
from consult.organizing.waves import (
    DEFAULT_MIN_CELL_SIZE,
    WaveError,
    WaveSettings,
    close_expired_waves,
    close_wave,
    create_wave,
    open_wave,
    set_min_cell_size,
    set_published,
)

#: The command line speaks English (its words are data in scripts and logs).
ENGLISH = "en"


def english(text: str) -> str:
    """gettext for the command line: the English msgid as it is."""
    return text


@click.group("waves", cls=AppGroup, help="Waves: create, open, close, publish, margins.")
def waves_group() -> None:
    pass


def wave_or_fail(slug: str) -> Wave:
    wave = queries.wave_by_slug(db.session, slug)
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
@click.option(
    "--min-cell-size",
    type=int,
    default=DEFAULT_MIN_CELL_SIZE,
    show_default=True,
    help="Fewest respondents a published figure may rest on (3 to 1000).",
)
def waves_create(
    slug: str,
    consultation: str,
    number: int | None,
    mode: str,
    opens_on: dt.datetime | None,
    closes_on: dt.datetime | None,
    min_cell_size: int,
) -> None:
    found = queries.consultation_by_slug(db.session, consultation)
    if found is None or not found.versions:
        raise click.ClickException(f"there is no consultation {consultation} with a version")
    version = (
        found.versions[-1]
        if number is None
        else queries.version_by_number(db.session, found, number)
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
        wave = wave_or_fail(slug)
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


@waves_group.command("set", help="Change a wave's settings (its results follow at once).")
@click.argument("slug")
@click.option(
    "--min-cell-size",
    type=int,
    help="Fewest respondents a published figure may rest on (3 to 1000; new waves have 10).",
)
def waves_set(slug: str, min_cell_size: int | None) -> None:
    wave = wave_or_fail(slug)
    if min_cell_size is None:
        raise click.UsageError("give a setting to change, e.g. --min-cell-size 15")
    try:
        old = set_min_cell_size(wave, min_cell_size)
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    if old == min_cell_size:
        click.echo(f"Wave {wave.slug}: the minimum cell size is already {old}; nothing changed.")
        return
    audit.record(
        db.session,
        "command line",
        "set minimum cell size",
        f"wave:{wave.slug}",
        detail=f"from {old} to {min_cell_size}",
    )
    db.commit()
    click.echo(
        f"Wave {wave.slug}: minimum cell size {old} -> {min_cell_size}; its results follow "
        "the new minimum from now on."
    )


@waves_group.command("margins", help="Set a wave's weighting margins from a CSV file.")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rescale",
    is_flag=True,
    help="Rescale a variable's shares to add up to 1 when they miss it by no more than "
    "their rounding explains (e.g. 0.999 from shares with three decimals).",
)
def waves_margins(slug: str, path: Path, rescale: bool) -> None:
    wave = wave_or_fail(slug)
    try:
        stored = set_margins(db.session, wave, path.read_text(encoding="utf-8"), rescale=rescale)
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    audit.record(
        db.session,
        "command line",
        "set margins",
        f"wave:{wave.slug}",
        detail=stored.audit_detail(),
    )
    db.commit()
    click.echo(f"Wave {wave.slug}: margins for {', '.join(stored.shares)}.")
    for rescaling in stored.rescaled:
        click.echo(f"Rescaled: {rescaling.describe(english, ENGLISH)}")
    for unlisted in stored.unlisted:
        click.echo(f"Warning: {unlisted.describe(english, ENGLISH)}")


@waves_group.command(
    "recount",
    help="Recount a wave's counts from its stored answers (in chunks; what `consult report` "
    "does by itself when the counting rule changed). Ctrl-C keeps the old counts.",
)
@click.argument("slug")
@quiet_option
def waves_recount(slug: str, quiet: bool) -> None:
    wave = wave_or_fail(slug)
    with interrupted_cleanly("the counts are as they were"), progress_for(quiet) as progress:
        rows = rebuild_counts(db.session, wave, progress)
        audit.record(db.session, "command line", "recount wave", f"wave:{wave.slug}")
        db.commit()
    click.echo(f"Recounted {wave.slug}: {rows} count rows.")
