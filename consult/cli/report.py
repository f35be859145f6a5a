"""`consult report`: a wave's weighted figures as JSON, or as the tidy labelled CSV table that the
web and `consult export` download (one writer: `consult.results.downloads.estimates_csv`); or
the report to read, HTML or PDF, as the results page downloads it (`report_views.render_report`)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from analysis import WeightingError
from consult.cli.progress import interrupted_cleanly, progress_for, quiet_option
from consult.cli.waves import wave_or_fail
from consult.counting.service import ensure_current_counts
from consult.extensions import db
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results.design import Mode, ResultsError
from consult.results.document import REPORT_FORMATS
from consult.results.downloads import estimates_csv
from consult.results.report import check_grouping, report_as_json, wave_overview, wave_report
from consult.results.report_views import render_report
from consult.results.tables import LANGUAGES, Figures


def groupings_of(by: tuple[str, ...]) -> list[str | None]:
    """The groupings a file holds: one `--by` its own rows (as the web's download by= has
    them); several the overall rows first, then each grouping's, in the order given."""
    unique = list(dict.fromkeys(by))
    if len(unique) <= 1:
        return [unique[0] if unique else None]
    return [None, *unique]


SEVERAL_BY = (
    "Repeat it for several groupings in one file: the overall figures first, then each "
    "grouping's, the same rows as a run with that --by alone."
)


def counted_wave(slug: str, quiet: bool = False) -> Wave:
    """The wave, its consultation's waves recounted first where their counts follow an older
    counting rule (with progress; Ctrl-C keeps the old counts); then the session reads only
    (figures never write)."""
    wave = wave_or_fail(slug)
    with interrupted_cleanly("the counts are as they were"), progress_for(quiet) as progress:
        for recounted in ensure_current_counts(db.session, wave.consultation.waves, progress):
            click.echo(f"Recounted {recounted.slug}: its counts followed another counting rule.")
        db.commit()
    return wave


def write_report(wave: Wave, fmt: str, lang: str, output: Path) -> None:
    """The report to read (HTML or PDF), as the wave's results page downloads it."""
    try:
        overview = wave_overview(db.session, wave)
    except (ResultsError, WeightingError) as error:
        raise click.ClickException(str(error)) from error
    output.write_bytes(render_report(overview, wave, lang, fmt))
    click.echo(f"The report of {wave.slug} ({fmt}, {lang}) written to {output}.")


@click.command(
    "report",
    help="Weighted estimates of a wave: JSON (every figure, weighting, summary, tests), CSV "
    "(the labelled estimates table, as `consult export --format csv` writes it), or the report "
    "to read: HTML or PDF (as the wave's results page downloads it).",
)
@click.option("--wave", "wave_slug", required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "html", "pdf"]),
    default="json",
    show_default=True,
    help="html, pdf: the readable report (summary, charts and tables, method); overall only.",
)
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option(
    "--by",
    "by",
    multiple=True,
    help=f"Item code of a subgroup variable (a demographic or single choice). {SEVERAL_BY}",
)
@click.option("--unweighted", is_flag=True, help="Equal weights, no calibration.")
@click.option(
    "--se",
    type=click.Choice(["calibrated", "fixed"]),
    default="calibrated",
    show_default=True,
    help="fixed: take the raking weights as given (no projection on the margins).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="nl",
    show_default=True,
    help="Language of the labels (CSV), of the method text (JSON) and of the report (HTML, PDF).",
)
@quiet_option
@with_appcontext
def report(
    wave_slug: str,
    fmt: str,
    output: Path,
    by: tuple[str, ...],
    unweighted: bool,
    se: str,
    lang: str,
    quiet: bool,
) -> None:
    wave = counted_wave(wave_slug, quiet)
    if fmt in REPORT_FORMATS:
        if by or unweighted or se != "calibrated":
            raise click.UsageError(
                "The report (html, pdf) shows the weighted figures overall; --by, --unweighted "
                "and --se are for json and csv."
            )
        write_report(wave, fmt, lang, output)
        return
    mode: Mode = "unweighted" if unweighted else ("fixed" if se == "fixed" else "calibrated")
    groupings = groupings_of(by)
    try:
        question_set = question_set_of(wave.question_set_version)
        for grouping in groupings:  # every grouping checked before any figure is computed
            if grouping is not None:
                check_grouping(question_set, grouping)
        overview = wave_overview(db.session, wave, mode)
        reports = [
            wave_report(db.session, wave, by=grouping, mode=mode, overview=overview)
            for grouping in groupings
        ]
    except (ResultsError, WeightingError) as error:
        raise click.ClickException(str(error)) from error
    if fmt == "json":
        document = report_as_json(reports[0], lang, *reports[1:])
        output.write_text(json.dumps(document, indent=1, ensure_ascii=False))
    else:
        figures = [Figures(wave, r.design.question_set, r, r.by, lang) for r in reports]
        output.write_bytes(estimates_csv(*figures).content)
    click.echo(
        f"{sum(len(r.estimates) for r in reports)} figures for {wave.slug} ({mode}, "
        f"n={overview.design.weights.n}) written to {output}."
    )
