"""`consult surveys`: validate and load question-set files."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from consult.extensions import db
from consult.organizing.question_sets import load_into_store
from consult.organizing.waves import WaveError
from surveys.files import load_path, validate_path
from surveys.problems import QuestionSetError


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
    except WaveError as error:
        raise click.ClickException(str(error)) from error
    state = "new version" if result.version_created else "unchanged version"
    click.echo(
        f"{question_set.consultation_slug}: {state} {result.version.number}; "
        f"wave {result.wave.slug} is {result.wave.status.value}"
    )
