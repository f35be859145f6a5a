"""The citizens' pages (public blueprint).

Thin: parse the request, find the response, call a service.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from flask import (
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as HttpResponse

from consult.blueprints import public
from consult.extensions import db, limiter
from consult.i18n import current_language
from consult.models import ResponseStatus, Wave, WaveMode, WaveStatus
from consult.organizing import queries as organizing_queries
from consult.organizing.invitations import redeem_invitation
from consult.organizing.question_sets import question_set_of
from consult.rate_limits import (
    CODE_ADDRESS_LIMIT,
    CODE_BROWSER_LIMIT,
    wave_address_key,
    wave_browser_key,
)
from consult.responding import queries
from consult.responding import service as responding
from consult.responding.fields import form_fields
from consult.responding.forms import (
    INVITATION_UNKNOWN,
    InvitedStartForm,
    ResumeForm,
    StartForm,
)
from consult.responding.resume_cookie import (
    KeptResponse,
    keep_response,
    kept_response,
    write_kept_responses,
)
from consult.responding.tokens import normalize_resume_token
from surveys.messages import render as render_message
from surveys.types import QUESTION_TYPES, parse_page


def _wrong_code(response: HttpResponse) -> bool:
    """Only wrong codes count (a 422: unknown code, or a form without consent)."""
    return response.status_code == 422


def limit_wrong_codes(methods: list[str] | None = None) -> Any:
    """Wrong codes count per wave: tightly per browser, more widely per address."""

    def decorate(view: Any) -> Any:
        for limit, key in (
            (CODE_BROWSER_LIMIT, wave_browser_key),
            (CODE_ADDRESS_LIMIT, wave_address_key),
        ):
            view = limiter.limit(limit, key_func=key, methods=methods, deduct_when=_wrong_code)(
                view
            )
        return view

    return decorate


def today() -> dt.date:
    return dt.date.today()


# A citizen's resume code lives in a cookie of its own (`resume_cookie`), never in the session.
public.after_request(write_kept_responses)


@public.get("/")
def home() -> str:
    waves = queries.open_waves(db.session, today())
    consultations = [(wave, question_set_of(wave.question_set_version)) for wave in waves]
    return render_template("public/home.html", consultations=consultations)


@public.route("/c/<wave_slug>", methods=["GET"])
def start_page(wave_slug: str) -> str:
    wave = _open_wave(wave_slug)
    form = _start_form(wave)
    if isinstance(form, InvitedStartForm) and request.args.get("code"):
        form.invitation.data = request.args["code"][:80]
    return _render_start(wave, form)


def _start_form(wave: Wave) -> StartForm:
    return InvitedStartForm() if wave.mode == WaveMode.INVITE else StartForm()


@public.post("/c/<wave_slug>/start")
@limit_wrong_codes()
def start_response(wave_slug: str) -> Any:
    """Start a response after consent; a second click continues the response already started.

    In an invitation-only wave the one-time code is used up by the start.
    """
    wave = _open_wave(wave_slug)
    form = _start_form(wave)
    if not form.validate_on_submit():
        return _render_start(wave, form), 422
    existing = _current_response(wave)
    if existing is not None and existing.status == ResponseStatus.IN_PROGRESS:
        state = responding.load_state(db.session, existing)
        return redirect(_page_url(wave, state.resume_page_id()), 303)
    if isinstance(form, InvitedStartForm):
        code = normalize_resume_token(form.invitation.data or "")
        if not redeem_invitation(db.session, wave, code, today()):
            form.invitation.errors = [INVITATION_UNKNOWN]
            return _render_start(wave, form), 422
    response, token = responding.start_response(db.session, wave, current_language(), today())
    keep_response(wave, KeptResponse(token=token, started_at=time.time()))
    state = responding.load_state(db.session, response)
    return redirect(_page_url(wave, state.resume_page_id()), 303)


@public.route("/c/<wave_slug>/page/<page_id>", methods=["GET", "POST"])
def answer_page(wave_slug: str, page_id: str) -> Any:
    """One page of questions. Next validates and saves; Back saves what is valid and goes back."""
    wave = _open_wave(wave_slug)
    state = _response_in_progress(wave)
    if not isinstance(state, responding.ResponseState):
        return state
    plan = state.page(page_id)
    if plan is None:
        abort(404)
    items = state.items(plan)
    errors: dict[str, str] = {}
    submitted: dict[str, list[str]] | None = None
    if request.method == "POST":
        form = {key: request.form.getlist(key) for key in request.form}
        parsed = parse_page(state.question_set, items, form)
        going_back = request.form.get("action") == "back"
        if going_back or not parsed.errors:
            responding.save_page(db.session, state, plan, parsed, only_valid=going_back)
            state = responding.load_state(db.session, state.response)
            target = state.previous_page_id(page_id) if going_back else state.next_page_id(page_id)
            if not going_back:
                state.response.last_page_id = target or page_id
            if target is None:
                if going_back:
                    return redirect(url_for("public.start_page", wave_slug=wave.slug), 303)
                return redirect(url_for("public.review", wave_slug=wave.slug), 303)
            return redirect(_page_url(wave, target), 303)
        lang = current_language()
        errors = {code: render_message(message, lang) for code, message in parsed.errors.items()}
        submitted = form
    pages = state.pages
    position = [p.page_id for p in pages].index(page_id)
    page = state.question_set.page(page_id)
    fields = submitted if submitted is not None else form_fields(items, state.answers)
    return (
        render_template(
            "public/page.html",
            wave=wave,
            question_set=state.question_set,
            page=page,
            plan=plan,
            items=items,
            types=QUESTION_TYPES,
            fields=fields,
            errors=errors,
            step=position + 1,
            total_steps=len(pages) + 1,
            resume_token=_remembered_token(wave),
        ),
        422 if errors else 200,
    )


@public.route("/c/<wave_slug>/review", methods=["GET", "POST"])
def review(wave_slug: str) -> Any:
    """The last step: send the answers. Replays and double clicks leave one complete response."""
    wave = _open_wave(wave_slug)
    state = _response_in_progress(wave)
    if not isinstance(state, responding.ResponseState):
        return state
    unfinished = state.first_page_missing_required()
    if unfinished is not None:
        return redirect(_page_url(wave, unfinished), 303)
    if request.method == "POST":
        started_at = kept_response(wave).started_at
        minutes = round((time.time() - started_at) / 60) if started_at else None
        responding.submit(db.session, state, today(), duration_minutes=minutes)
        keep_response(wave, KeptResponse(done=True))  # the code is not needed any more
        return redirect(url_for("public.thanks", wave_slug=wave.slug), 303)
    pages = state.pages
    answered = len({state.question_set.owner_of(code).code for code in state.answers})
    return render_template(
        "public/review.html",
        wave=wave,
        question_set=state.question_set,
        answered=answered,
        step=len(pages) + 1,
        total_steps=len(pages) + 1,
        previous_page=pages[-1].page_id if pages else None,
        resume_token=_remembered_token(wave),
    )


@public.get("/c/<wave_slug>/thanks")
def thanks(wave_slug: str) -> str:
    wave = _public_wave(wave_slug)
    return render_template(
        "public/thanks.html", wave=wave, question_set=question_set_of(wave.question_set_version)
    )


@public.route("/c/<wave_slug>/resume", methods=["GET", "POST"])
@limit_wrong_codes(methods=["POST"])
def resume(wave_slug: str) -> Any:
    """Continue with a resume code, on any device. Attempts are rate limited."""
    wave = _open_wave(wave_slug)
    form = ResumeForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:80]
    unknown = False
    if form.validate_on_submit():
        token = normalize_resume_token(form.code.data or "")
        response = responding.find_response(db.session, wave, token)
        if response is not None:
            if response.status == ResponseStatus.COMPLETE:
                keep_response(wave, KeptResponse(done=True))
                return redirect(url_for("public.thanks", wave_slug=wave.slug), 303)
            kept = kept_response(wave)
            started_at = kept.started_at if kept.token == token else None
            keep_response(wave, KeptResponse(token=token, started_at=started_at))
            state = responding.load_state(db.session, response)
            return redirect(_page_url(wave, state.resume_page_id()), 303)
        unknown = True
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "public/resume.html",
            wave=wave,
            question_set=question_set_of(wave.question_set_version),
            form=form,
            unknown=unknown,
        ),
        status,
    )


def _render_start(wave: Wave, form: StartForm) -> str:
    return render_template(
        "public/start.html",
        wave=wave,
        question_set=question_set_of(wave.question_set_version),
        form=form,
        invited=isinstance(form, InvitedStartForm),
    )


def _public_wave(wave_slug: str) -> Wave:
    """The wave, unless it is unknown or a draft (the organizer's work in progress, whose title
    is not public yet): both are 404, as on every public route."""
    wave = organizing_queries.wave_by_slug(db.session, wave_slug)
    if wave is None or wave.status == WaveStatus.DRAFT:
        abort(404)
    return wave


def _open_wave(wave_slug: str) -> Wave:
    """The wave, if citizens can answer it today: unknown or a draft is 404, closed or not yet
    open is 410."""
    wave = _public_wave(wave_slug)
    if not wave.is_open(today()):
        abort(410)
    return wave


def _remembered_token(wave: Wave) -> str | None:
    return kept_response(wave).token


def _current_response(wave: Wave, *, for_update: bool = False) -> Any:
    token = _remembered_token(wave)
    if token is None:
        return None
    return responding.find_response(db.session, wave, token, for_update=for_update)


def _response_in_progress(wave: Wave) -> responding.ResponseState | HttpResponse:
    """This visitor's unfinished response (locked while a form is saved), or where to go instead:
    the start page without one, the thank-you page once it is sent."""
    response = _current_response(wave, for_update=request.method == "POST")
    if response is None:
        if kept_response(wave).done:
            return redirect(url_for("public.thanks", wave_slug=wave.slug), 303)
        return redirect(url_for("public.start_page", wave_slug=wave.slug), 303)
    if response.status == ResponseStatus.COMPLETE:
        keep_response(wave, KeptResponse(done=True))  # sent from another device
        return redirect(url_for("public.thanks", wave_slug=wave.slug), 303)
    return responding.load_state(db.session, response)


def _page_url(wave: Wave, page_id: str | None) -> str:
    if page_id is None:
        return url_for("public.review", wave_slug=wave.slug)
    return url_for("public.answer_page", wave_slug=wave.slug, page_id=page_id)
