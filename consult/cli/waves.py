"""`consult waves`: create, open, close, publish and weight waves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from consult.accounts import audit
from consult.extensions import db
from consult.models import Wave, WaveMode
from consult.organizing import queries
from consult.organizing.margins import set_margins
from consult.organizing.waves import (
    WaveError,
    WaveSettings,
    close_expired_waves,
    close_wave,
    create_wave,
    open_wave,
    set_published,
)


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


@waves_group.command("margins", help="Set a wave's weighting margins from a CSV file.")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def waves_margins(slug: str, path: Path) -> None:
    wave = wave_or_fail(slug)
    try:
        margins = set_margins(wave, path.read_text(encoding="utf-8"))
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    audit.record(db.session, "command line", "set margins", f"wave:{wave.slug}")
    db.commit()
    click.echo(f"Wave {wave.slug}: margins for {', '.join(margins)}.")
