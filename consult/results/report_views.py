"""The report of a wave as a file (blueprint `results`): HTML or PDF, in Dutch or English, for
whoever may read the wave's results (`permissions.can_read_results`; 404 for anyone else).
`consult report --format html|pdf` renders the same document with `render_report`."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask_babel import force_locale, gettext

from consult.blueprints import results
from consult.extensions import db
from consult.i18n import LANGUAGES, current_language
from consult.models import Wave
from consult.results import queries
from consult.results.document import (
    MEDIA_TYPES,
    REPORT_FORMATS,
    ReportDocument,
    pdf_of,
    report_document,
    report_filename,
)
from consult.results.http import not_modified, tagged
from consult.results.report import OverviewFigures
from consult.results.service import REPORT_FILES, results_state, wave_overview
from consult.results.views import _figures as figures_or_why
from consult.results.views import readable_wave


def stylesheet() -> str:
    """The site's stylesheet, inlined: the report is one file that looks like the pages."""
    folder = current_app.static_folder
    return (Path(folder) / "consult.css").read_text(encoding="utf-8") if folder else ""


def report_policy(html: bytes) -> str:
    """The report's content security policy: the site's forbids inline styles, and the report
    is one file with its stylesheet inside; this one allows exactly that stylesheet (by its
    hash) and nothing else: no script, no request anywhere."""
    found = re.search(rb"<style>(.*?)</style>", html, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(found.group(1) if found else b"").digest())
    return (
        f"default-src 'none'; img-src data:; style-src 'sha256-{digest.decode()}'; "
        "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
    )


def render_report(figures: OverviewFigures, wave: Wave, lang: str, fmt: str) -> bytes:
    """The report of `wave` in `lang` as an HTML or PDF file (needs an app context only)."""
    document: ReportDocument = report_document(
        figures, wave, lang, fmt, queries.data_date(db.session, wave)
    )
    with force_locale(lang):
        html = render_template(
            "results/report.html",
            document=document,
            page=document.page,
            wave=wave,
            stylesheet=stylesheet(),
        )
    return html.encode("utf-8") if fmt == "html" else pdf_of(html)


@results.get("/<wave>/report.<kind>")
def download_report(wave: str, kind: str) -> Any:
    """The wave's report as a file, in the page's language unless ?lang= asks another."""
    found = readable_wave(wave)
    fmt = kind
    lang = request.args.get("lang") or current_language()
    if fmt not in REPORT_FORMATS:
        abort(404)
    if lang not in LANGUAGES:
        return Response(gettext("Choose the language with lang=nl or lang=en.") + "\n", 400,
                        mimetype="text/plain")  # fmt: skip
    state = results_state(db.session, found)
    variant = f"report|{fmt}|{lang}"
    unchanged = not_modified(state, variant)
    if unchanged is not None:
        return unchanged
    content = REPORT_FILES.get((state, fmt, lang))
    if content is None:
        # No figures yet (no responses, no margins, a recount): the page that says why, as
        # the results overview shows it.
        figures = figures_or_why(
            found, state, lambda: wave_overview(db.session, found, state=state)
        )
        if isinstance(figures, Response):
            return figures
        content = render_report(figures, found, lang, fmt)
        REPORT_FILES.put((state, fmt, lang), content)
    response = Response(content, mimetype=MEDIA_TYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{report_filename(found.slug, fmt, lang)}"'
    )
    if fmt == "html":
        response.headers["Content-Security-Policy"] = report_policy(content)
    tagged(response, state, variant)
    if not found.results_published:
        response.headers["Cache-Control"] = "private, no-cache"
    return response
