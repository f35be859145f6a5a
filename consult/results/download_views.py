"""A wave's downloads on the web (blueprint `results`): the page that lists them, the aggregate
tables (CSV, XLSX, JSON), the data package (ZIP) and, for the consultation's researchers only,
the microdata. The files are made by `consult.results.downloads`, `.package` and `.microdata`,
the same functions `consult export` calls.

Every file carries the ETag of the state of the wave's figures (and of what was asked), so a
repeat request is a 304 without any work. A wrong request (format, grouping, language) gets a
4xx that says how to ask; a wave whose figures cannot be computed yet a 409 that says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext

from analysis import WeightingError
from consult.accounts import permissions
from consult.accounts.guards import audit_action
from consult.blueprints import results
from consult.extensions import db
from consult.i18n import current_language
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results.design import ResultsError, single_choice
from consult.results.downloads import (
    AGGREGATE_FORMATS,
    MICRODATA_FORMATS,
    Chunks,
    Download,
    DownloadError,
    Streamed,
    aggregates,
    check_format,
    check_grouping,
    check_language,
    load_figures,
    themes_csv,
)
from consult.results.http import not_modified, tagged
from consult.results.labels import item_label
from consult.results.microdata import CHUNK, microdata
from consult.results.package import data_package
from consult.results.service import results_state
from consult.results.views import readable_wave, reader


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _asked() -> tuple[str | None, str]:
    """The grouping and language asked for (?by=, ?lang=; the page's language otherwise)."""
    lang = request.args.get("lang") or current_language()
    return request.args.get("by") or None, lang


def _serve(wave: Wave, variant: str, make: Any, private: bool = False) -> Response:
    """The file `make(state)` makes, or a 304 when the client holds it for this state."""
    state = results_state(db.read_session, wave)
    unchanged = not_modified(state, variant)
    if unchanged is not None:
        return unchanged
    try:
        download: Download | Streamed = make(state)
    except DownloadError as error:
        return _plain(error.translated(gettext), 400)
    except (ResultsError, WeightingError) as error:
        return _plain(
            gettext("The figures of this wave cannot be computed yet: %(reason)s")
            % {"reason": str(error)},
            409,
        )
    if isinstance(download, Streamed):
        # Sent while it is made: the request's own work (the audit line) is committed by then.
        # A download broken off (or a HEAD request) closes the chunks all the same.
        response = Response(_each_in_context(download.chunks), mimetype=download.media_type)
        response.call_on_close(download.chunks.close)
        if download.size is not None:
            response.content_length = download.size
    else:
        response = Response(download.content, mimetype=download.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    tagged(response, state, variant)
    if private or not wave.results_published:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def _each_in_context(chunks: Chunks) -> Iterator[bytes]:
    """The chunks, each made in an app context of its own that only reads (SQLite then locks
    nothing while a million rows are sent). Never one context across a `yield`, as Flask's
    `stream_with_context` keeps it: left pushed between two chunks, it would be the context of
    whatever else the thread does meanwhile (another request, as the test client does)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def each() -> Iterator[bytes]:
        try:
            while True:
                with app.app_context():
                    chunk = next(chunks, None)
                if chunk is None:
                    return
                yield chunk
        finally:
            chunks.close()

    return each()


def _checked(check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except DownloadError as error:
        abort(_plain(error.translated(gettext), 400))


@results.get("/<wave>/downloads")
def downloads(wave: str) -> Any:
    """The downloads of a wave, with what each holds (and a choice of subgroups)."""
    found = readable_wave(wave)
    by = _checked(check_grouping, found, request.args.get("by") or None)
    lang = current_language()
    question_set = question_set_of(found.question_set_version)
    groupings = [
        (item.code, item_label(question_set, item.code, lang))
        for item in question_set.all_items()
        if single_choice(item)
    ]
    return render_template(
        "results/downloads.html",
        wave=found,
        by=by,
        lang=lang,
        groupings=groupings,
        aggregate_formats=AGGREGATE_FORMATS,
        microdata_formats=MICRODATA_FORMATS,
        microdata=permissions.can_download_microdata(reader(), found),
        command=f"consult export --wave {found.slug} --format csv -o {found.slug}.csv"
        + (f" --by {by}" if by else "")
        + f" --lang {lang}",
    )


@results.get("/<wave>/downloads/estimates.<fmt>")
def download_estimates(wave: str, fmt: str) -> Any:
    """The tidy estimates (and acceptance summary) as CSV, XLSX or JSON."""
    found = readable_wave(wave)
    by, lang = _asked()
    _checked(check_format, fmt, AGGREGATE_FORMATS)
    _checked(check_grouping, found, by)
    _checked(check_language, lang)
    return _serve(
        found,
        f"estimates|{fmt}|{by}|{lang}",
        lambda state: aggregates(
            load_figures(db.read_session, found, by=by, lang=lang, state=state), fmt
        ),
    )


@results.get("/<wave>/downloads/themes.csv")
def download_themes(wave: str) -> Any:
    """The open questions' theme shares (aggregates under disclosure control, never answers)."""
    found = readable_wave(wave)
    by, lang = _asked()
    _checked(check_grouping, found, by)
    _checked(check_language, lang)
    return _serve(
        found,
        f"themes|{by}|{lang}",
        lambda state: themes_csv(
            load_figures(db.read_session, found, by=by, lang=lang, state=state)
        ),
    )


@results.get("/<wave>/downloads/package.zip")
def download_package(wave: str) -> Any:
    """The data package: tables, codebook, method note and datapackage.json in one ZIP."""
    found = readable_wave(wave)
    by, lang = _asked()
    _checked(check_grouping, found, by)
    _checked(check_language, lang)
    return _serve(
        found,
        f"package|{by}|{lang}",
        lambda state: data_package(
            load_figures(db.read_session, found, by=by, lang=lang, state=state)
        ),
    )


@results.get("/<wave>/downloads/microdata.<fmt>")
def download_microdata(wave: str, fmt: str) -> Any:
    """Anonymized respondent-level data with weights: the consultation's researchers only (404
    for anyone else, published or not). Every download is written to the audit log (committed
    before the file is sent: a million rows take a while)."""
    found = readable_wave(wave)
    if not permissions.can_download_microdata(reader(), found):
        abort(404)
    _, lang = _asked()
    _checked(check_format, fmt, MICRODATA_FORMATS)
    _checked(check_language, lang)
    secret = str(current_app.config["SECRET_KEY"])
    response = _serve(
        found,
        f"microdata|{fmt}|{lang}",
        lambda state: microdata(
            db.session,
            found,
            fmt,
            lang=lang,
            secret=secret,
            state=state,
            chunk=current_app.config.get("MICRODATA_CHUNK", CHUNK),
        ),
        private=True,
    )
    if response.status_code < 400:
        audit_action(
            "download_microdata",
            found.slug,
            detail=f"format={fmt} lang={lang} status={response.status_code}",
        )
    return response
