"""`consult themes`: a consultation's codebook of themes as CSV, and suggested new themes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import AppGroup

from consult.cli.waves import wave_or_fail
from consult.extensions import db
from consult.messages import ExplainedError
from consult.models import Consultation
from consult.organizing import queries
from consult.themes import codebook, suggestions

ACTOR = "command line"


@click.group("themes", cls=AppGroup, help="Themes of open answers: codebook CSV, suggestions.")
def themes_group() -> None:
    pass


def consultation_or_fail(slug: str) -> Consultation:
    found = queries.consultation_by_slug(db.session, slug)
    if found is None:
        raise click.ClickException(f"there is no consultation {slug}")
    return found


@themes_group.command("import", help="Replace a consultation's codebook by a CSV file's themes.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--consultation", required=True, help="Consultation slug.")
def themes_import(file: Path, consultation: str) -> None:
    found = consultation_or_fail(consultation)
    try:
        count = codebook.import_csv(db.session, ACTOR, found, file.read_bytes())
    except ExplainedError as error:
        db.rollback()
        raise click.ClickException(str(error)) from None
    db.commit()
    click.echo(f"{count} themes in the codebook of {consultation}")


@themes_group.command("export", help="Write a consultation's codebook as CSV.")
@click.option("--consultation", required=True, help="Consultation slug.")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
def themes_export(consultation: str, output: Path | None) -> None:
    text = codebook.export_csv(codebook.themes_of(db.session, consultation_or_fail(consultation)))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@themes_group.command("suggest", help="Suggest themes from a wave's unmatched open answers.")
@click.option("--wave", "slug", required=True, help="Wave slug.")
def themes_suggest(slug: str) -> None:
    found = suggestions.refresh_suggestions(db.session, ACTOR, wave_or_fail(slug), dt.date.today())
    db.commit()
    for row in found:
        click.echo(f"{row.size:6d}  {', '.join(row.term_list())}")
