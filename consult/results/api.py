"""The JSON API (blueprint `api`, /api/v1): a wave's figures for scripts and other sites.

The figures are `wave_results` (the same report as `consult report`, kept per state of the
wave's counts), in `report_as_json`'s shapes with labels in the asked language added; a wave's
weighting diagnostics need only its design (`wave_design`, kept the same way). Who reads what
follows `permissions.can_read_results`: a published wave's figures are public (and readable from
any site: CORS, on a 304 too), an unpublished wave's only for its consultation's members, who
send a personal token (`Authorization: Bearer`, see `consult.accounts.tokens`) or use their
signed-in session. Preflight requests get no CORS headers: a page on another site reads public
figures with plain GETs and never sends a token. Everything else answers with RFC 9457 problem
details, never a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, g, request, url_for
from flask.wrappers import Response
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, Unauthorized

from analysis import WeightingError
from consult.accounts import permissions, tokens
from consult.blueprints import api
from consult.extensions import db, limiter
from consult.models import User, Wave
from consult.organizing.question_sets import question_set_of
from consult.rate_limits import address_key
from consult.results import http, labels, queries
from consult.results.api_schema import (
    LANGUAGES,
    MODES,
    OPERATIONS,
    Operation,
    documented,
    openapi_document,
)
from consult.results.design import Mode, ResultsError, WaveDesign, reported, single_choice
from consult.results.report import (
    Report,
    estimate_row,
    method_text,
    report_as_json,
    subgroup_test_row,
    themes_as_json,
    weighting_as_json,
)
from consult.results.service import ResultsState, results_state, wave_design, wave_results
from surveys.model import Item, QuestionSet

#: Per token (or signed-in user, or anonymous address), over every API route.
RATE_LIMIT = "120 per minute"
PROBLEM = "application/problem+json"


# --------------------------------------------------------------------------- who is asking


def _rate_key() -> str:
    """Whom the rate limit counts: a token (by its hash), else a signed-in user, else the
    address as a keyed hash, so no address is kept in the limiter's store either."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "api-token:" + tokens.token_hash(token.strip())[:32]
    if current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return "api-" + address_key()


def _rate_limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT", RATE_LIMIT))


limiter.limit(_rate_limit, key_func=_rate_key)(api)


@api.before_request
def identify_reader() -> None:
    """A bearer token names the reader (a bad or revoked one is 401); without one, the
    signed-in session does, or nobody."""
    header = request.headers.get("Authorization")
    if header is None:
        g.api_reader = current_user if current_user.is_authenticated else None
        return
    scheme, _, token = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and token.strip():
        user = tokens.user_for_token(db.session, token.strip(), dt.date.today())
    if user is None:
        raise Unauthorized(gettext("The API token is unknown or has been revoked."))
    g.api_reader = user


def api_reader() -> User | None:
    return g.get("api_reader")


def readable_wave(slug: str) -> Wave:
    wave = queries.wave_by_slug(db.session, slug)
    if wave is None or not permissions.can_read_results(api_reader(), wave):
        raise NotFound(gettext("There is no wave %(wave)s, or you may not read it.", wave=slug))
    return wave


def _item(question_set: QuestionSet, wave: Wave, code: str) -> Item:
    try:
        return question_set.item(code)
    except KeyError:
        raise NotFound(
            gettext(
                "Wave %(wave)s has no item %(code)s; its codebook lists the items.",
                wave=wave.slug,
                code=code,
            )
        ) from None


# --------------------------------------------------------------------------- answers


def problem(error: HTTPException) -> Response:
    """An HTTP error as RFC 9457 problem details (the status's own title, `about:blank`)."""
    code = error.code or 500
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": error.name,
        "status": code,
        "detail": error.description or error.name,
    }
    invalid = getattr(error, "invalid_params", None)
    if invalid:
        body["invalid_params"] = invalid
    response = current_app.response_class(
        current_app.json.dumps(body), status=code, mimetype=PROBLEM
    )
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="consult", error="invalid_token"'
    if code == 405:
        allowed = error.get_response().headers.get("Allow")
        if allowed:
            response.headers["Allow"] = allowed
    return response


@api.errorhandler(HTTPException)
def api_error(error: HTTPException) -> Response:
    return problem(error)


class InvalidParameter(BadRequest):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            gettext("The parameter %(name)s is not valid: %(reason)s", name=name, reason=reason)
        )
        self.invalid_params = [{"name": name, "reason": reason}]


def _shared(response: Response, *, public: bool) -> Response:
    """Who may read an answer (a 200 and its 304 alike): it varies with the reader, and a public
    one may be read from any site (read-only CORS)."""
    response.vary.update(("Authorization", "Cookie"))
    if public:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
    return response


def _json(body: dict[str, Any], *, public: bool) -> Response:
    response = current_app.response_class(current_app.json.dumps(body), mimetype="application/json")
    return _shared(response, public=public)


def _conditional(response: Response, *, public: bool) -> Response:
    """An answer with its own ETag (of its content): 304 when the client holds it."""
    response.add_etag()
    response.headers["Cache-Control"] = "no-cache" if public else "private, no-cache"
    response.make_conditional(request)  # turns the answer itself into a 304 when fresh
    return response


def _lang() -> str:
    lang = request.args.get("lang", "nl")
    if lang not in LANGUAGES:
        raise InvalidParameter(
            "lang", gettext("use one of %(values)s", values=", ".join(LANGUAGES))
        )
    return lang


def _mode() -> Mode:
    mode = request.args.get("mode", "calibrated")
    if mode not in MODES:
        raise InvalidParameter("mode", gettext("use one of %(values)s", values=", ".join(MODES)))
    return mode  # type: ignore[return-value]


def _by(question_set: QuestionSet, of: Item | None = None) -> str | None:
    """The grouping asked for: a single-choice item (other than the item `of`, if given)."""
    by = request.args.get("by")
    if by is None:
        return None
    try:
        item = question_set.item(by)
    except KeyError:
        raise InvalidParameter(
            "by", gettext("this wave's question set has no item %(code)s", code=by)
        ) from None
    if not single_choice(item):
        raise InvalidParameter(
            "by", gettext("%(code)s is not a single-choice item; only those form groups", code=by)
        )
    if of is not None and by == of.code:
        raise InvalidParameter(
            "by",
            gettext(
                "the figures of %(code)s cannot be broken down by %(code)s itself; choose "
                "another single-choice item",
                code=by,
            ),
        )
    return by


# --------------------------------------------------------------------------- the documents


def _wave_entry(wave: Wave, lang: str) -> dict[str, Any]:
    consultation = wave.consultation
    return {
        "slug": wave.slug,
        "title": consultation.title(lang),
        "consultation": {"slug": consultation.slug, "title": consultation.title(lang)},
        "status": wave.status.value,
        "published": wave.results_published,
        "opens_on": wave.opens_on.isoformat() if wave.opens_on else None,
        "closes_on": wave.closes_on.isoformat() if wave.closes_on else None,
        "links": {
            name: url_for(f"api.{name}", wave=wave.slug)
            for name in ("wave", "estimates", "summary", "codebook")
        },
    }


def _figures(
    wave: Wave, state: ResultsState, *, by: str | None = None, mode: Mode = "calibrated"
) -> tuple[Report | None, str | None]:
    """The wave's report, or None and why there is none yet."""
    try:
        return wave_results(db.session, wave, by=by, mode=mode, state=state), None
    except (ResultsError, WeightingError) as error:
        return None, str(error)


def _weighting(design: WaveDesign, question_set: QuestionSet, lang: str) -> dict[str, Any]:
    weighting = weighting_as_json(design, lang)
    weighting["variables"] = [
        {"code": item.code, "label": labels.item_label(question_set, item.code, lang)}
        for item in question_set.weighting_variables()
    ]
    return weighting


def _labelled(value: Any, question_set: QuestionSet, lang: str) -> Any:
    """`report_as_json`'s rows with the labels of their codes: every estimate its item's, option's
    and group's; applications, domains and conditions theirs."""
    if isinstance(value, list):
        return [_labelled(v, question_set, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {key: _labelled(v, question_set, lang) for key, v in value.items()}
    if "estimate" in out and "kind" in out:
        out["item_label"] = labels.item_label(question_set, out["item"], lang)
        out["option_label"] = labels.option_label(question_set, out["item"], out["option"], lang)
        out["group_label"] = labels.group_label(question_set, out["group"], out["group_code"], lang)
    for kind in ("application", "domain", "condition"):
        if isinstance(out.get(kind), str):
            out[f"{kind}_label"] = labels.term_label(question_set, kind, out[kind], lang)
    if isinstance(out.get("variable"), str):
        out["variable_label"] = labels.item_label(question_set, out["variable"], lang)
    return out


def _figures_head(wave: Wave, mode: Mode, lang: str, reason: str | None) -> dict[str, Any]:
    return {
        "wave": wave.slug,
        "consultation": wave.consultation.slug,
        "question_set_version": wave.question_set_version.number,
        "mode": mode,
        "lang": lang,
        "minimum_cell_size": wave.min_cell_size,
        "available": reason is None,
        "unavailable_reason": reason,
        "suppression_note": gettext(
            "Figures based on fewer than %(n)d respondents are suppressed (null), and so are "
            "figures from which they could be derived.",
            n=wave.min_cell_size,
        ),
    }


def _breakdown(
    report: Report | None, item: Item | None, by: str | None, question_set: QuestionSet, lang: str
) -> dict[str, Any]:
    """The estimates (of every item, or of `item`) with their labels, and the Rao-Scott tests
    by the grouping: what the estimates and an item's answers share."""
    rows = (report.estimates if item is None else report.rows_of(item)) if report else []
    tests = (report.tests if item is None else report.tests_of(item)) if report else []
    return {
        "by": by,
        "by_label": labels.item_label(question_set, by, lang) if by else None,
        "estimates": _labelled([estimate_row(row) for row in rows], question_set, lang),
        "subgroup_tests": [subgroup_test_row(test, question_set, lang) for test in tests],
    }


# --------------------------------------------------------------------------- routes


@api.get("/openapi.json")
@documented(Operation("This document: the API in OpenAPI 3.1", None, errors=(401, 429)))
def openapi() -> Response:
    routes = [
        (rule.rule, rule.endpoint.split(".", 1)[1])
        for rule in current_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    ]
    server = request.host_url.rstrip("/")
    return _conditional(_json(openapi_document(routes, server), public=True), public=True)


@api.get("/waves")
@documented(
    Operation("The waves whose results you may read", "WaveList", ("lang",), (400, 401, 429))
)
def waves() -> Response:
    lang = _lang()
    reader = api_reader()
    listed = queries.readable_waves(db.session, reader)
    body = {"waves": [_wave_entry(wave, lang) for wave in listed]}
    public = reader is None
    return _conditional(_json(body, public=public), public=public)


@api.get("/waves/<wave>")
@documented(
    Operation(
        "A wave, with its weighting diagnostics", "Wave", ("wave", "lang"), (400, 401, 404, 429)
    )
)
def wave(wave: str) -> Response:
    found = readable_wave(wave)
    lang = _lang()
    question_set = question_set_of(found.question_set_version)
    design: WaveDesign | None = None
    reason = None
    try:
        design = wave_design(db.session, found)
    except (ResultsError, WeightingError) as error:
        reason = str(error)
    body = {
        **_wave_entry(found, lang),
        "question_set_version": found.question_set_version.number,
        "minimum_cell_size": found.min_cell_size,
        "results_available": design is not None,
        "unavailable_reason": reason,
        "weighting": _weighting(design, question_set, lang) if design else None,
        "method": method_text(question_set, lang, found.min_cell_size) if design else None,
    }
    public = found.results_published
    return _conditional(_json(body, public=public), public=public)


@api.get("/waves/<wave>/estimates")
@documented(
    Operation(
        "Every item's estimates, overall or by a single-choice item",
        "Estimates",
        ("wave", "by", "mode", "lang"),
        (400, 401, 404, 429),
    )
)
def estimates(wave: str) -> Response:
    found = readable_wave(wave)
    lang, mode = _lang(), _mode()
    question_set = question_set_of(found.question_set_version)
    by = _by(question_set)
    state = results_state(db.session, found)
    cached = _not_modified(found, state)
    if cached is not None:
        return cached
    report, reason = _figures(found, state, by=by, mode=mode)
    body = {
        **_figures_head(found, mode, lang, reason),
        **_breakdown(report, None, by, question_set, lang),
        "weighting": _weighting(report.design, question_set, lang) if report else None,
        "themes": _themes(report, question_set, lang),
    }
    return _figures_answer(body, found, state)


def _themes(report: Report | None, question_set: QuestionSet, lang: str) -> list[dict[str, Any]]:
    """The open questions' theme shares (`report.themes_as_json`) with their labels."""
    rows = themes_as_json((report,), lang) if report is not None else []
    for row in rows:
        row["item_label"] = labels.item_label(question_set, row["item"], lang)
        row["group_label"] = labels.group_label(question_set, row["group"], row["group_code"], lang)
    return rows


@api.get("/waves/<wave>/items/<code>")
@documented(
    Operation(
        "One item's estimates (its battery rows', its ranks'), overall or by a single-choice "
        "item, with the subgroup tests",
        "Item",
        ("wave", "code", "by", "mode", "lang"),
        (400, 401, 404, 429),
        not_found="No such wave (or not readable by this reader), or no such item in it",
    )
)
def item(wave: str, code: str) -> Response:
    found = readable_wave(wave)
    question_set = question_set_of(found.question_set_version)
    shown = _item(question_set, found, code)
    lang, mode = _lang(), _mode()
    by = _by(question_set, of=shown)
    state = results_state(db.session, found)
    cached = _not_modified(found, state)
    if cached is not None:
        return cached
    report, reason = _figures(found, state, by=by, mode=mode)
    body = {
        **_figures_head(found, mode, lang, reason),
        "item": shown.code,
        "item_label": labels.item_label(question_set, shown.code, lang),
        "type": shown.type,
        "has_figures": reported(shown),
        **_breakdown(report, shown, by, question_set, lang),
    }
    return _figures_answer(body, found, state)


@api.get("/waves/<wave>/summary")
@documented(
    Operation(
        "Acceptance per application and domain, the conditions ranked, subgroup differences "
        "and the change since the previous wave",
        "Summary",
        ("wave", "mode", "lang"),
        (400, 401, 404, 429),
    )
)
def summary(wave: str) -> Response:
    found = readable_wave(wave)
    lang, mode = _lang(), _mode()
    question_set = question_set_of(found.question_set_version)
    state = results_state(db.session, found)
    cached = _not_modified(found, state)
    if cached is not None:
        return cached
    report, reason = _figures(found, state, mode=mode)
    full = report_as_json(report, lang) if report else {}
    parts = full.get("summary") or {}
    body = {
        **_figures_head(found, mode, lang, reason),
        "applications": _labelled(parts.get("applications", []), question_set, lang),
        "domains": _labelled(parts.get("domains", []), question_set, lang),
        "largest_subgroup_differences": _labelled(
            full.get("largest_subgroup_differences", []), question_set, lang
        ),
        "changes_since_previous_wave": full.get("changes_since_previous_wave", []),
        "changes_left_out": full.get("changes_left_out", []),
    }
    return _figures_answer(body, found, state)


def _figures_headers(response: Response, wave: Wave) -> Response:
    """What a figures answer and its 304 both carry: who may read it (CORS only when the wave is
    published) and how it may be cached (privately only when it is not)."""
    public = wave.results_published
    _shared(response, public=public)
    response.headers["Cache-Control"] = "no-cache" if public else "private, no-cache"
    return response


def _not_modified(wave: Wave, state: ResultsState) -> Response | None:
    """A 304 when the client holds the figures of this state, with the 200's headers."""
    cached = http.not_modified(state)
    return _figures_headers(cached, wave) if cached is not None else None


def _figures_answer(body: dict[str, Any], wave: Wave, state: ResultsState) -> Response:
    response = _json(body, public=wave.results_published)
    return _figures_headers(http.tagged(response, state), wave)


@api.get("/waves/<wave>/codebook")
@documented(
    Operation(
        "Every item: code, wording, type, options, roles, show_if, and the waves it is in",
        "Codebook",
        ("wave",),
        (401, 404, 429),
    )
)
def codebook(wave: str) -> Response:
    found = readable_wave(wave)
    question_set = question_set_of(found.question_set_version)
    reader = api_reader()
    siblings = [
        (other.slug, {i.code for i in question_set_of(other.question_set_version).all_items()})
        for other in found.consultation.waves
        if permissions.can_read_results(reader, other)
    ]
    items = []
    for page in question_set.pages:
        for item in page.items:
            items.append(
                {
                    "code": item.code,
                    "type": item.type,
                    "page": page.id,
                    "text": item.text.as_dict() if item.text else {},
                    "role": item.role,
                    "application": item.application,
                    "condition": item.condition,
                    "required": item.required,
                    "show_if": item.show_if_source,
                    "page_show_if": page.show_if_source,
                    "answer_codes": list(item.answer_codes),
                    "options": [
                        {"code": c.code, "label": c.label.as_dict(), "missing": c.missing}
                        for c in item.choices
                    ],
                    "rows": [{"code": r.code, "text": r.text.as_dict()} for r in item.rows],
                    "waves": [slug for slug, codes in siblings if item.code in codes],
                }
            )
    body = {
        "wave": found.slug,
        "consultation": found.consultation.slug,
        "question_set_version": found.question_set_version.number,
        "version_label": question_set.version_label,
        "languages": list(question_set.languages),
        "items": items,
        "vocabulary": question_set.vocabulary.labels(),
    }
    public = found.results_published
    return _conditional(_json(body, public=public), public=public)


__all__ = ["OPERATIONS", "api", "problem"]
