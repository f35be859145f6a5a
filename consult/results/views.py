"""The results pages (blueprint `results`): the public and a consultation's researchers read a
wave's figures. A wave is readable when published, else only by its consultation's members and
admins (404 for anyone else, so an unpublished wave's existence is not revealed).

Every page carries the ETag of the state its figures follow (and its language, which no URL
argument needs to tell), so a repeat visit is a 304 until a response completes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, abort, make_response, render_template, request
from flask_login import current_user

from analysis import WeightingError
from consult.accounts import permissions
from consult.blueprints import results
from consult.counting.service import counts_are_current
from consult.extensions import db
from consult.i18n import current_language
from consult.models import User, Wave
from consult.organizing.question_sets import question_set_of
from consult.results import queries
from consult.results.design import ResultsError, single_choice
from consult.results.http import not_modified, tagged
from consult.results.item_page import codebook, item_change, item_page
from consult.results.labels import item_label
from consult.results.pages import overview as overview_of
from consult.results.report import OverviewFigures, Report
from consult.results.service import ResultsState, results_state, wave_overview, wave_results

Figures = TypeVar("Figures", OverviewFigures, Report)


def reader() -> User | None:
    """The signed-in user, or None for an anonymous visitor."""
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]


def readable_wave(slug: str) -> Wave:
    """The wave `slug` if the reader may see its results; 404 otherwise."""
    wave = queries.wave_by_slug(db.read_session, slug)
    if wave is None or not permissions.can_read_results(reader(), wave):
        abort(404)
    return wave


@results.get("/")
def index() -> Any:
    """Published waves, and for a signed-in member the unpublished waves they may read."""
    waves = queries.readable_waves(db.read_session, reader())
    completes = {wave.id: queries.counts_state(db.read_session, wave)[1] for wave in waves}
    return render_template("results/index.html", waves=waves, completes=completes)


def _page(template: str, state: ResultsState, status: int = 200, **context: Any) -> Response:
    lang = current_language()
    response = make_response(render_template(template, **context), status)
    return tagged(response, state, variant=lang)


def _figures(wave: Wave, state: ResultsState, compute: Callable[[], Figures]) -> Figures | Response:
    """The wave's report (or only its overview), or the page that says why there is none: the
    counts are being brought to the current counting rule (503: try again later), or there are
    no complete responses or no margins yet (a page that says so)."""
    if not counts_are_current(wave):
        response = _page("results/unavailable.html", state, 503, wave=wave, reason="recount")
        response.headers["Retry-After"] = "300"
        return response
    try:
        return compute()
    except (ResultsError, WeightingError):
        if state.respondents == 0:
            reason = "empty"
        elif not wave.margins:
            reason = "margins"
        else:
            reason = "weighting"
        return _page("results/unavailable.html", state, wave=wave, reason=reason)


@results.get("/<wave>")
def overview(wave: str) -> Any:
    """Under which conditions citizens accept which applications: the wave's overview."""
    found = readable_wave(wave)
    state = results_state(db.read_session, found)
    cached = not_modified(state, variant=current_language())
    if cached is not None:
        return cached
    figures = _figures(found, state, lambda: wave_overview(db.read_session, found, state=state))
    if isinstance(figures, Response):
        return figures
    page = overview_of(figures, current_language(), figures.previous)
    return _page("results/overview.html", state, wave=found, page=page)


@results.get("/<wave>/items/<code>")
def item(wave: str, code: str) -> Any:
    """One item's distribution with intervals, overall or by a single-choice item (`?by=`)."""
    found = readable_wave(wave)
    question_set = question_set_of(found.question_set_version)
    try:
        shown_item = question_set.item(code)
    except KeyError:
        abort(404)
    by = request.args.get("by") or None
    state = results_state(db.read_session, found)
    lang = current_language()
    if by is not None and not _groups(question_set, by, code):
        return _page(
            "results/bad_grouping.html", state, 400, wave=found, item=shown_item, by=by,
            label=item_label(question_set, shown_item.code, lang),
        )  # fmt: skip
    cached = not_modified(state, variant=lang)
    if cached is not None:
        return cached
    report = _figures(
        found, state, lambda: wave_results(db.read_session, found, by=by, state=state)
    )
    if isinstance(report, Response):
        return report
    overall = report if by is None else wave_results(db.read_session, found, state=state)
    change = item_change(overall, _previous_results(found), shown_item, lang)
    page = item_page(report, shown_item, lang, change)
    answers = page.open_question and permissions.can_download_microdata(reader(), found)
    return _page("results/item.html", state, wave=found, page=page, answers=answers)


def _previous_results(wave: Wave) -> Report | None:
    """The previous wave's overall report (kept like any other), or None when it has no
    figures (no margins yet, or counts being recounted)."""
    earlier = queries.previous_wave(db.read_session, wave)
    if earlier is None or not counts_are_current(earlier):
        return None
    try:
        return wave_results(db.read_session, earlier)
    except (ResultsError, WeightingError):
        return None


def _groups(question_set: Any, by: str, code: str) -> bool:
    """Whether `by` can split the figures of item `code`: another single-choice item."""
    try:
        grouping = question_set.item(by)
    except KeyError:
        return False
    return single_choice(grouping) and by != code


@results.get("/<wave>/codebook")
def codebook_page(wave: str) -> Any:
    """Every item's code, wording in both languages, type, options, role and show_if, with the
    waves of the consultation (that the reader may see) in which it appears."""
    found = readable_wave(wave)
    state = results_state(db.read_session, found)
    cached = not_modified(state, variant=current_language())
    if cached is not None:
        return cached
    question_set = question_set_of(found.question_set_version)
    others = [
        (other.slug, question_set_of(other.question_set_version))
        for other in found.consultation.waves
        if permissions.can_read_results(reader(), other)
    ]
    entries = codebook(question_set, others, current_language())
    return _page(
        "results/codebook.html", state, wave=found, entries=entries, question_set=question_set
    )
