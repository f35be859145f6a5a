"""`consult purge`: a closed wave's respondent-level data deleted after its retention period."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.accounts import audit
from consult.cli.waves import wave_or_fail
from consult.extensions import db
from consult.organizing import queries
from consult.organizing.retention import purge_wave
from consult.organizing.waves import WaveError


@click.command(
    "purge",
    help="Delete the responses, answers and invitation codes of a closed wave; its counts and "
    "published figures stay.",
)
@click.option("--wave", "slug", required=True, help="The wave's slug.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def purge(slug: str, yes: bool) -> None:
    wave = wave_or_fail(slug)
    responses = queries.response_count(db.session, wave)
    if not yes:
        click.confirm(
            f"Delete all {responses} responses of wave {slug} with their answers and its "
            "invitation codes, for good? Its counts and published figures stay.",
            abort=True,
        )
    try:
        purged = purge_wave(db.session, wave)
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    audit.record(
        db.session,
        "command line",
        "purge wave",
        f"wave:{slug}",
        detail=(
            f"{purged.responses} responses, {purged.answers} answers, "
            f"{purged.invitations} invitation codes deleted"
        ),
    )
    db.commit()
    click.echo(
        f"Wave {slug}: deleted {purged.responses} responses, {purged.answers} answers and "
        f"{purged.invitations} invitation codes; its counts stay."
    )
