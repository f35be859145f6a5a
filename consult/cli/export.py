"""`consult export`: a wave's downloads as files, made by the functions the web serves them with
(aggregate tables, the data package, and the microdata: the operator holds the database)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from analysis import WeightingError
from consult.cli.progress import quiet_option
from consult.cli.report import SEVERAL_BY, counted_wave, groupings_of
from consult.extensions import db
from consult.results.design import ResultsError
from consult.results.downloads import (
    EXPORT_FORMATS,
    MICRODATA_FORMATS,
    Download,
    DownloadError,
    Streamed,
    aggregates,
    estimates_csv,
    load_figures,
)
from consult.results.microdata import CHUNK, microdata
from consult.results.package import data_package
from consult.results.service import results_state
from consult.results.tables import LANGUAGES


@click.command("export", help="A wave's downloads: estimates, data package or microdata.")
@click.option("--wave", "wave_slug", required=True)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--by",
    "by",
    multiple=True,
    help="Item code of a single-choice question: figures by its subgroups. With --format csv: "
    + SEVERAL_BY,
)
@click.option("--lang", type=click.Choice(LANGUAGES), default="nl", show_default=True)
@click.option(
    "--microdata",
    "respondents",
    is_flag=True,
    help="With --format csv: the respondent-level data (sav and dta always are).",
)
@quiet_option
@with_appcontext
def export(
    wave_slug: str,
    fmt: str,
    output: Path,
    by: tuple[str, ...],
    lang: str,
    respondents: bool,
    quiet: bool,
) -> None:
    wave = counted_wave(wave_slug, quiet)
    groupings = groupings_of(by)
    try:
        download: Download | Streamed
        if respondents and fmt not in MICRODATA_FORMATS:
            raise click.BadParameter("microdata come as csv, sav or dta", param_hint="--format")
        if fmt in ("sav", "dta") or respondents:
            if by:
                raise click.BadParameter("microdata have no subgroups", param_hint="--by")
            download = microdata(
                db.session,
                wave,
                fmt,
                lang=lang,
                secret=str(current_app.config["SECRET_KEY"]),
                chunk=current_app.config.get("MICRODATA_CHUNK", CHUNK),
            )
        elif len(groupings) > 1:
            if fmt != "csv":
                raise click.BadParameter(
                    "several groupings come in one file as --format csv (or as JSON from "
                    "consult report)",
                    param_hint="--by",
                )
            state = results_state(db.session, wave)
            download = estimates_csv(
                *(load_figures(db.session, wave, by=g, lang=lang, state=state) for g in groupings)
            )
        else:
            figures = load_figures(db.session, wave, by=groupings[0], lang=lang)
            download = data_package(figures) if fmt == "zip" else aggregates(figures, fmt)
    except DownloadError as error:
        raise click.BadParameter(str(error)) from error
    except (ResultsError, WeightingError) as error:
        raise click.ClickException(str(error)) from error
    size = 0
    with output.open("wb") as file:
        for chunk in download.chunks if isinstance(download, Streamed) else [download.content]:
            file.write(chunk)
            size += len(chunk)
    click.echo(f"{download.filename} ({size} bytes) written to {output}.")
