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
from consult.i18n import choose_language, current_language
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
from consult.responding import challenge, queries
from consult.responding import service as responding
from consult.responding.fields import form_fields
from consult.responding.forms import (
    INVITATION_UNKNOWN,
    ConfirmForm,
    InvitedStartForm,
    ResumeForm,
    StartForm,
)
from consult.responding.page_errors import PageErrors, page_errors, parse_leniently
from consult.responding.resume_cookie import (
    KeptResponse,
    browser_token,
    forget_response,
    keep_response,
    kept_response,
    write_kept_responses,
)
from consult.responding.review import reviewed_pages
from consult.responding.tokens import normalize_resume_token
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


#: The hidden field that names the page a form was shown for (in the body, never in the URL).
SHOWN_PAGE_FIELD = "shown_page"


def today() -> dt.date:
    return dt.date.today()


# A citizen's resume code lives in a cookie of its own (`resume_cookie`), never in the session.
public.after_request(write_kept_responses)


@public.get("/")
def home() -> str:
    waves = queries.open_waves(db.session, today())
    consultations = [(wave, question_set_of(wave.question_set_version)) for wave in waves]
    return render_template("public/home.html", consultations=consultations)


@public.get("/hello")
def hello() -> str:
    """A small page that touches no database: the yardstick `bench/load.py` compares the
    citizens' pages with (what the framework, templates and server cost by themselves)."""
    return render_template("public/hello.html")


@public.route("/c/<wave_slug>", methods=["GET"])
def start_page(wave_slug: str) -> str:
    """The consent form, or, on a device that already holds a response to this wave, what it
    holds: a response in progress (continue or start again) or one sent from here."""
    wave = _open_wave(wave_slug)
    form = _start_form(wave)
    if isinstance(form, InvitedStartForm) and request.args.get("code"):
        form.invitation.data = request.args["code"][:80]
    held = _current_response(wave)
    in_progress = held is not None and held.status == ResponseStatus.IN_PROGRESS
    return _render_start(
        wave, form, in_progress=in_progress, sent=not in_progress and kept_response(wave).done
    )


def _start_form(wave: Wave) -> StartForm:
    return InvitedStartForm() if wave.mode == WaveMode.INVITE else StartForm()


@public.post("/c/<wave_slug>/start")
@limit_wrong_codes()
def start_response(wave_slug: str) -> Any:
    """Start a response after consent. One browser holds one response per wave: a second click
    (in parallel too) continues the response already started, and a browser that sent its
    answers is shown so on the start page; only "start again" (confirmed) begins anew.

    In an invitation-only wave the one-time code is used up by the start.
    """
    wave = _open_wave(wave_slug)
    form = _start_form(wave)
    if not form.validate_on_submit():
        return _render_start(wave, form), 422
    existing = _current_response(wave)
    if existing is not None and existing.status == ResponseStatus.IN_PROGRESS:
        return _continue(wave, existing)
    if kept_response(wave).done:
        return redirect(url_for("public.start_page", wave_slug=wave.slug), 303)
    token = browser_token(wave)
    if wave.mode == WaveMode.OPEN and (
        token is None or responding.find_response(db.session, wave, token) is None
    ):
        gate = challenge.gate(wave, request.form.get("wait_ticket"))
        if gate.refused:
            abort(429)
        if gate.wait:
            return _render_wait(wave, gate)
        challenge.count_start(wave)
    if isinstance(form, InvitedStartForm):
        code = normalize_resume_token(form.invitation.data or "")
        if not redeem_invitation(db.session, wave, code, today()):
            # A parallel click may have used the code for this very browser.
            same_browser = responding.find_response(db.session, wave, token) if token else None
            if same_browser is None:
                form.invitation.errors = [INVITATION_UNKNOWN]
                return _render_start(wave, form), 422
    response, token = responding.start_response(
        db.session, wave, current_language(), today(), token=token
    )
    if response.status == ResponseStatus.COMPLETE:  # sent from this browser, cookie lost
        keep_response(wave, KeptResponse(done=True))
        return redirect(url_for("public.thanks", wave_slug=wave.slug), 303)
    started_at = kept_response(wave).started_at if kept_response(wave).token == token else None
    keep_response(wave, KeptResponse(token=token, started_at=started_at or time.time()))
    return _continue(wave, response)


@public.route("/c/<wave_slug>/again", methods=["GET", "POST"])
def start_again(wave_slug: str) -> Any:
    """Start again on this device, after a confirmation: the device lets go of the response it
    holds (an unfinished one stays open to its code, a sent one stays counted) and shows the
    consent form anew. Nothing is deleted."""
    wave = _open_wave(wave_slug)
    form = ConfirmForm()
    if form.validate_on_submit():
        forget_response(wave)
        return redirect(url_for("public.start_page", wave_slug=wave.slug), 303)
    held = _current_response(wave)
    return render_template(
        "public/again.html",
        wave=wave,
        question_set=question_set_of(wave.question_set_version),
        form=form,
        in_progress=held is not None and held.status == ResponseStatus.IN_PROGRESS,
    )


@public.post("/c/<wave_slug>/forget")
def forget_device(wave_slug: str) -> Any:
    """Stop and forget this device: nothing in this browser leads to the response any more."""
    wave = _public_wave(wave_slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    forget_response(wave)
    return render_template(
        "public/forgotten.html",
        wave=wave,
        question_set=question_set_of(wave.question_set_version),
    )


@public.get("/c/<wave_slug>/continue")
def resume_here(wave_slug: str) -> Any:
    """Continue the response this device holds, where it was left."""
    wave = _open_wave(wave_slug)
    state = _response_in_progress(wave)
    if not isinstance(state, responding.ResponseState):
        return state
    return redirect(_page_url(wave, state, state.resume_page_id()), 303)


def _continue(wave: Wave, response: Any) -> HttpResponse:
    state = responding.load_state(db.session, response)
    return redirect(_page_url(wave, state, state.resume_page_id()), 303)


@public.route("/c/<wave_slug>/page/<page>", methods=["GET", "POST"])
def answer_page(wave_slug: str, page: str) -> Any:
    """One page of questions, addressed by its position in this respondent's order (1, 2, ...):
    the random order of pages never shows in a URL, so a log of addresses and times cannot be
    matched to a stored order. Next validates and saves; Back saves what is valid and goes back.
    """
    wave = _open_wave(wave_slug)
    state = _response_in_progress(wave)
    if not isinstance(state, responding.ResponseState):
        return state
    page_id = _page_at(state, page)
    if page_id is None:
        abort(404)
    if not page.isdecimal() and request.method == "GET":
        return redirect(_page_url(wave, state, page_id), 303)  # an address from before positions
    if request.method == "POST":
        # The page this form was shown for, when answers given in another tab moved it.
        shown_page = request.form.get(SHOWN_PAGE_FIELD, "")
        if shown_page != page_id and state.page(shown_page) is not None:
            page_id = shown_page
    plan = state.page(page_id)
    if plan is None:
        abort(404)
    items = state.items(plan)
    from_review = request.args.get("return_to") == "review"
    shown = PageErrors()
    submitted: dict[str, list[str]] | None = None
    if request.method == "POST":
        form = {key: request.form.getlist(key) for key in request.form}
        action = request.form.get("action", "next")
        switch_to = action.removeprefix("language:") if action.startswith("language:") else None
        going_back = action == "back"
        if going_back or switch_to:
            # Required questions may stay open when leaving a page; what is typed is kept.
            lenient = parse_leniently(state.question_set, items, form)
            invalid = lenient.errors
            if going_back and invalid:
                # Stay, with every typed character and what is wrong with it (a 422 saves
                # nothing: the page itself still holds all of it).
                submitted = form
                shown = page_errors(items, plan, invalid, current_language())
            else:
                responding.save_page(db.session, state, plan, lenient, only_valid=True)
            if switch_to:
                choose_language(switch_to)
                # Invalid input stays on the page in the new language: a redirect would show
                # only what could be saved.
                submitted = form if invalid else None
            if not invalid:
                if switch_to:
                    return redirect(_page_url(wave, state, page_id, from_review=from_review), 303)
                target = state.previous_page_id(page_id)
                if target is None:
                    return redirect(url_for("public.start_page", wave_slug=wave.slug), 303)
                return redirect(_page_url(wave, state, target), 303)
        else:
            parsed = parse_page(state.question_set, items, form)
            if not parsed.errors:
                responding.save_page(db.session, state, plan, parsed)
                target = state.next_page_id(page_id)
                state.response.last_page_id = target or page_id
                if target is None or from_review:
                    return redirect(url_for("public.review", wave_slug=wave.slug), 303)
                return redirect(_page_url(wave, state, target), 303)
            shown = page_errors(items, plan, parsed.errors, current_language())
            submitted = form
    pages = state.pages
    position = [p.page_id for p in pages].index(page_id)
    fields = submitted if submitted is not None else form_fields(items, state.answers)
    return (
        render_template(
            "public/page.html",
            wave=wave,
            question_set=state.question_set,
            page=state.question_set.page(page_id),
            plan=plan,
            items=items,
            types=QUESTION_TYPES,
            fields=fields,
            errors=shown.by_item,
            error_entries=shown.summary,
            kept_invalid=bool(shown.by_item) and request.form.get("action") == "back",
            from_review=from_review,
            step=position + 1,
            total_steps=len(pages) + 1,
            resume_token=_remembered_token(wave),
        ),
        422 if shown.by_item else 200,
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
        return redirect(_page_url(wave, state, unfinished), 303)
    if request.method == "POST":
        started_at = kept_response(wave).started_at
        minutes = round((time.time() - started_at) / 60) if started_at else None
        if responding.submit(db.session, state, today(), duration_minutes=minutes):
            challenge.count_complete(wave)
        keep_response(wave, KeptResponse(done=True))  # the code is not needed any more
        return redirect(url_for("public.thanks", wave_slug=wave.slug), 303)
    pages = state.pages
    return render_template(
        "public/review.html",
        wave=wave,
        question_set=state.question_set,
        reviewed=reviewed_pages(state, current_language()),
        step=len(pages) + 1,
        total_steps=len(pages) + 1,
        previous_page=len(pages) or None,
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
            return redirect(_page_url(wave, state, state.resume_page_id()), 303)
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


def _render_wait(wave: Wave, gate: challenge.StartGate) -> HttpResponse:
    """The short wait once starts from one address burst: the same start, sent again later."""
    page = render_template(
        "public/wait.html",
        wave=wave,
        question_set=question_set_of(wave.question_set_version),
        seconds=gate.wait,
        ticket=gate.ticket,
    )
    return HttpResponse(page, status=429, headers={"Retry-After": str(gate.wait)})


def _render_start(
    wave: Wave, form: StartForm, *, in_progress: bool = False, sent: bool = False
) -> str:
    return render_template(
        "public/start.html",
        wave=wave,
        question_set=question_set_of(wave.question_set_version),
        form=form,
        invited=isinstance(form, InvitedStartForm),
        in_progress=in_progress,
        sent=sent,
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


def _page_at(state: responding.ResponseState, page: str) -> str | None:
    """The id of the page at a position (from 1) in this respondent's pages, or of the page
    named by an id (addresses from before positions); None when there is no such page."""
    ids = [plan.page_id for plan in state.pages]
    if page.isdecimal() and page.isascii():
        position = int(page[:6])  # a longer number is past any questionnaire's end anyway
        return ids[position - 1] if 1 <= position <= len(ids) and len(page) <= 6 else None
    return page if page in ids else None


def _page_url(
    wave: Wave, state: responding.ResponseState, page_id: str | None, *, from_review: bool = False
) -> str:
    """The address of a page: its position in this respondent's order, never its id; from the
    review page ("Wijzigen") it returns there."""
    ids = [plan.page_id for plan in state.pages]
    if page_id is None or page_id not in ids:
        return url_for("public.review", wave_slug=wave.slug)
    extra: dict[str, Any] = {"return_to": "review"} if from_review else {}
    return url_for("public.answer_page", wave_slug=wave.slug, page=ids.index(page_id) + 1, **extra)
