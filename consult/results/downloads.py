"""A wave's downloads: the aggregate tables as CSV, XLSX and JSON, the data package and the
microdata, as files made by one set of functions for the web and `consult export`.

Every figure comes from `wave_results` (so it equals `consult report`) through the tables of
`consult.results.tables`. Spreadsheet cells that a spreadsheet program would run as a formula
are neutralized; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from consult.messages import N_, ExplainedError
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results.design import ResultsError, single_choice
from consult.results.service import ResultsState, results_state, wave_results
from consult.results.tables import (
    ESTIMATE_COLUMNS,
    ITEM_COLUMNS,
    LANGUAGES,
    OPTION_COLUMNS,
    SUMMARY_COLUMNS,
    THEME_COLUMNS,
    Figures,
    codebook_items,
    codebook_options,
    estimate_rows,
    method_lines,
    summary_rows,
    theme_rows,
)

AGGREGATE_FORMATS = ("csv", "xlsx", "json")
MICRODATA_FORMATS = ("csv", "sav", "dta")
EXPORT_FORMATS = ("csv", "xlsx", "json", "zip", "sav", "dta")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Download:
    """A file to hand over: its bytes, media type and a name that says what it holds."""

    content: bytes
    media_type: str
    filename: str


class Chunks(Protocol):
    """A file's bytes a chunk at a time, with `close` to let go of what they hold early."""

    def __iter__(self) -> Iterator[bytes]: ...
    def __next__(self) -> bytes: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Streamed:
    """A file too big to hold at once (the microdata), handed over a chunk at a time: the
    chunks are read to the end, or closed (the web server does) when the download is broken
    off, which lets go of what they hold (a temporary file, a database session)."""

    chunks: Chunks
    media_type: str
    filename: str
    size: int | None = None
    """Its length in bytes, when known before it is sent."""


class DownloadError(ExplainedError):
    """A download that was asked for wrongly (format, grouping, language); says how to ask."""


def neutralized(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (or a DDE call) gets a leading quote; numbers,
    booleans and empty cells are kept as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def check_language(lang: str | None) -> str:
    if lang not in LANGUAGES:
        raise DownloadError(N_("Choose the language with lang=nl or lang=en."))
    return lang


def check_format(fmt: str, formats: Sequence[str]) -> str:
    if fmt not in formats:
        raise DownloadError(
            N_("There is no download in the format %(format)s; choose one of: %(formats)s."),
            format=fmt,
            formats=", ".join(formats),
        )
    return fmt


def check_grouping(wave: Wave, by: str | None) -> str | None:
    """`by` if it names a single-choice question of the wave's set (subgroups need one)."""
    if by is None or by == "":
        return None
    question_set = question_set_of(wave.question_set_version)
    codes = [item.code for item in question_set.all_items() if single_choice(item)]
    if by not in codes:
        raise DownloadError(
            N_("Subgroups are formed by one single-choice question; choose by= one of: %(codes)s."),
            codes=", ".join(codes),
        )
    return by


def load_figures(
    session: Session,
    wave: Wave,
    *,
    by: str | None,
    lang: str,
    state: ResultsState | None = None,
) -> Figures:
    """The wave's figures for a download. A wave without complete responses has empty tables
    (its codebook and method note are still worth having); a wave whose responses cannot be
    analysed yet (no margins, counts under an older rule) raises `ResultsError`."""
    by = check_grouping(wave, by)
    lang = check_language(lang)
    state = state or results_state(session, wave)
    question_set = question_set_of(wave.question_set_version)
    if state.respondents == 0:
        return Figures(wave, question_set, None, by, lang)
    report = wave_results(session, wave, by=by, state=state)
    return Figures(wave, report.design.question_set, report, by, lang)


def file_stem(figures: Figures, what: str, *more: Figures) -> str:
    groupings = [f.by for f in (figures, *more) if f.by]
    grouped = f"-by-{'-'.join(groupings)}" if groupings else ""
    return f"{figures.wave.slug}-{what}{grouped}-{figures.lang}"


def csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    """UTF-8 CSV with one header row; empty cells for missing values, true/false for flags."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in columns])
    return out.getvalue().encode("utf-8")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralized(value)


def estimates_csv(figures: Figures, *more: Figures) -> Download:
    """The labelled estimates table. `more`: the same wave's figures by other groupings, whose
    rows follow in the same file (`consult report --by A --by B`)."""
    return Download(
        csv_bytes(ESTIMATE_COLUMNS, [row for f in (figures, *more) for row in estimate_rows(f)]),
        MEDIA_TYPES["csv"],
        file_stem(figures, "estimates", *more) + ".csv",
    )


def themes_csv(figures: Figures) -> Download:
    """The open questions' theme shares as a labelled table (`tables.theme_rows`)."""
    return Download(
        csv_bytes(THEME_COLUMNS, theme_rows(figures)),
        MEDIA_TYPES["csv"],
        file_stem(figures, "themes") + ".csv",
    )


def estimates_json(figures: Figures) -> Download:
    report = figures.report
    document = {
        "wave": figures.wave.slug,
        "consultation": figures.wave.consultation.slug,
        "question_set_version": figures.wave.question_set_version.number,
        "lang": figures.lang,
        "by": figures.by,
        "mode": report.design.mode if report is not None else None,
        "minimum_cell_size": figures.wave.min_cell_size,
        "respondents": report.design.weights.n if report is not None else 0,
        "method": dict(method_lines(figures)),
        "columns": list(ESTIMATE_COLUMNS),
        "estimates": estimate_rows(figures),
        "acceptance_summary": summary_rows(figures),
        "themes": theme_rows(figures),
    }
    return Download(
        json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"),
        MEDIA_TYPES["json"],
        file_stem(figures, "estimates") + ".json",
    )


def _sheet(workbook: Workbook, title: str, columns: Sequence[str], rows: Iterable[Any]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [row.get(name) for name in columns] if isinstance(row, dict) else list(row)
        sheet.append([neutralized(value) for value in values])
    sheet.freeze_panes = "A2"


def estimates_xlsx(figures: Figures) -> Download:
    """A sheet per table (estimates, acceptance summary), the codebook and the method note."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    _sheet(workbook, "estimates", ESTIMATE_COLUMNS, estimate_rows(figures))
    _sheet(workbook, "acceptance_summary", SUMMARY_COLUMNS, summary_rows(figures))
    _sheet(workbook, "themes", THEME_COLUMNS, theme_rows(figures))
    _sheet(workbook, "codebook", ITEM_COLUMNS, codebook_items(figures.question_set))
    _sheet(workbook, "codebook_options", OPTION_COLUMNS, codebook_options(figures.question_set))
    _sheet(workbook, "method", ("field", "value"), method_lines(figures))
    out = io.BytesIO()
    workbook.save(out)
    return Download(out.getvalue(), MEDIA_TYPES["xlsx"], file_stem(figures, "estimates") + ".xlsx")


def aggregates(figures: Figures, fmt: str) -> Download:
    """The estimates (and, in XLSX and JSON, the acceptance summary) in one format."""
    check_format(fmt, AGGREGATE_FORMATS)
    return {"csv": estimates_csv, "xlsx": estimates_xlsx, "json": estimates_json}[fmt](figures)


__all__ = [
    "AGGREGATE_FORMATS",
    "Download",
    "DownloadError",
    "ResultsError",
    "aggregates",
    "load_figures",
    "neutralized",
    "themes_csv",
]
