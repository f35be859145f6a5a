"""The report of a wave as a document a policy officer can attach to a letter: the summary of its
main findings (`findings`), the charts and tables of the results overview (`pages.overview`) and
how to reproduce every figure; as HTML, or as a tagged PDF made from that HTML by WeasyPrint.

Plain Python (no Flask): the web's download and `consult report --format html|pdf` build the
same `ReportDocument`; the template `templates/results/report.html` lays it out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date

from consult.messages import N_
from consult.models import Wave
from consult.results.findings import Findings, findings
from consult.results.labels import translate
from consult.results.pages import Overview, overview
from consult.results.report import OverviewFigures

REPORT_FORMATS = ("html", "pdf")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
TITLE = N_("Under which conditions do citizens accept which applications?")


@dataclass(frozen=True)
class ReportDocument:
    """Everything the report shows, in one language."""

    lang: str
    title: str
    consultation: str
    wave: str
    published: bool
    page: Overview
    findings: Findings
    question_set_version: int
    data_date: dt.date | None
    """The day of the latest complete response the figures include."""
    data_day: str
    """That day in words, in `lang` ("–" without complete responses)."""
    command: str
    """The `consult report` command that makes this report again."""


def report_document(
    figures: OverviewFigures, wave: Wave, lang: str, fmt: str, data_date: dt.date | None
) -> ReportDocument:
    """The report of `wave` (its overview figures) in `lang`, for a file of format `fmt`."""
    return ReportDocument(
        lang=lang,
        title=translate(TITLE, lang),
        consultation=wave.consultation.title(lang),
        wave=wave.slug,
        published=wave.results_published,
        page=overview(figures, lang, figures.previous),
        findings=findings(figures, lang),
        question_set_version=figures.design.wave.version,
        data_date=data_date,
        data_day=format_date(data_date, format="long", locale=lang) if data_date else "–",
        command=report_command(wave.slug, fmt, lang),
    )


def report_command(slug: str, fmt: str, lang: str) -> str:
    filename = report_filename(slug, fmt, lang)
    return f"consult report --wave {slug} --format {fmt} -o {filename} --lang {lang}"


def report_filename(slug: str, fmt: str, lang: str) -> str:
    return f"{slug}-report-{lang}.{fmt}"


def pdf_of(html: str, base_url: str | None = None) -> bytes:
    """The PDF of the report's HTML: tagged (headings, lists and tables as structure, for a
    screen reader), its title and language from the HTML's <title> and lang, bookmarks from
    its headings. WeasyPrint is imported here only, so the web app starts without it."""
    from weasyprint import HTML  # noqa: PLC0415 (heavy; only a PDF needs it)

    document = HTML(string=html, base_url=base_url)
    pdf = document.write_pdf(pdf_tags=True, pdf_variant="pdf/ua-1")
    assert pdf is not None
    return bytes(pdf)
