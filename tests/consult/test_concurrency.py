"""Real concurrent requests against committed data: double clicks and replays race each other.

These tests use their own app without the per-test rollback, because the racing requests need
separate connections, and clean up after themselves.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, delete, func, select

from consult import create_app
from consult.accounts import service as accounts
from consult.config import Config
from consult.extensions import db, limiter
from consult.models import (
    Answer,
    AuditEvent,
    Consultation,
    QuestionSetVersion,
    Response,
    ResponseStatus,
    Role,
    User,
    Wave,
)
from tests.conftest import CHEAP_ARGON2
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, PASSWORD, ROOT, SHIPPED, csrf_from, sign_in


@pytest.fixture
def committing_app(engine: Engine) -> Iterator[Flask]:
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Config(database_url=url, secret_key="race", testing=True, **CHEAP_ARGON2))
    limiter.reset()
    yield app
    with engine.begin() as connection:
        for model in (Answer, Response, Wave, QuestionSetVersion, Consultation):
            connection.execute(delete(model))


def race(count: int, action) -> list[int]:  # type: ignore[no-untyped-def]
    """Run `action` in `count` threads released at the same moment; return their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def worker() -> None:
        barrier.wait()
        statuses.append(action())

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def started_citizen(app: Flask, *, finished: bool) -> Callable[[str, dict[str, str]], int]:
    """Start a response (answering every page if `finished`); returns a poster that sends a form
    from a new client sharing the citizen's cookies (the session and the wave's resume code), as
    a second tab or a double click does."""
    assert (
        app.test_cli_runner().invoke(args=["surveys", "load", str(MINI), "--open"]).exit_code == 0
    )
    client = app.test_client()
    citizen = Citizen(client, "mini-2026", MINI)
    citizen.start()
    if finished:
        citizen.answer_all_pages()
    token = csrf_from(citizen.html)
    cookies = list(client._cookies.values())
    assert {cookie.key for cookie in cookies} == {"session", "response-mini-2026"}

    def post(path: str, form: dict[str, str]) -> int:
        other = app.test_client()
        for cookie in cookies:
            other.set_cookie(cookie.key, cookie.value, path=cookie.path)
        return other.post(path, data={**form, "csrf_token": token}).status_code

    return post


def test_simultaneous_submits_leave_one_complete_response(
    committing_app: Flask, engine: Engine
) -> None:
    post = started_citizen(committing_app, finished=True)

    def submit() -> int:
        return post("/c/mini-2026/review", {})

    assert race(4, submit) == [303] * 4
    with engine.connect() as connection:
        statuses = connection.scalars(select(Response.status)).all()
        answers = connection.scalar(select(func.count(Answer.id)))
    assert statuses == [ResponseStatus.COMPLETE]
    assert answers and answers > 0


def test_simultaneous_saves_of_one_page_store_its_answers_once(
    committing_app: Flask, engine: Engine
) -> None:
    post = started_citizen(committing_app, finished=False)

    def save() -> int:
        form = {"KNOW": "1", "AGE": "30", "action": "next"}
        return post("/c/mini-2026/page/knowledge", form)

    assert race(4, save) == [303] * 4
    with engine.connect() as connection:
        codes = connection.scalars(select(Answer.code).order_by(Answer.code)).all()
    assert codes == ["AGE", "KNOW"]


def test_reading_pages_and_reports_do_not_hold_up_citizens(
    committing_app: Flask, engine: Engine
) -> None:
    """A long read (a page view, a report) must not lock out a citizen saving a page."""
    post = started_citizen(committing_app, finished=False)
    outcome: list[int] = []
    with committing_app.test_request_context("/", method="GET"):
        # A read transaction stays open in this request while another request writes.
        assert db.session.scalar(select(func.count(Answer.id))) == 0
        writer = threading.Thread(
            target=lambda: outcome.append(
                post("/c/mini-2026/page/knowledge", {"KNOW": "1", "action": "next"})
            )
        )
        started = time.monotonic()
        writer.start()
        writer.join(timeout=60)
        assert time.monotonic() - started < 5
    assert outcome == [303]


def test_a_microdata_download_being_sent_does_not_hold_up_citizens(
    committing_app: Flask, engine: Engine
) -> None:
    """The CSV is read from the database while it is sent (a million rows take minutes): its
    reads must lock nothing, so a citizen saves a page in the middle of it."""
    post = started_citizen(committing_app, finished=False)
    runner = committing_app.test_cli_runner()
    assert runner.invoke(args=["surveys", "load", str(SHIPPED), "--open"]).exit_code == 0
    margins = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
    assert runner.invoke(args=["waves", "margins", "biotech-2026", str(margins)]).exit_code == 0
    simulate = ["responses", "simulate", "--wave", "biotech-2026", "-n", "300", "--seed", "3"]
    assert runner.invoke(args=simulate).exit_code == 0
    email = "race-researcher@example.org"
    with committing_app.app_context():
        user = accounts.create_user(
            db.session,
            email,
            Role.RESEARCHER,
            PASSWORD,
            dt.date.today(),
            passwords=accounts.passwords_for(committing_app.config["CONSULT"]),
        )
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "biotech"))
        assert consultation is not None
        user.consultations.append(consultation)
        db.commit()
    try:
        researcher = committing_app.test_client()
        assert sign_in(researcher, email) == 303
        committing_app.config["MICRODATA_CHUNK"] = 5
        reply = researcher.get("/results/biotech-2026/downloads/microdata.csv?lang=en")
        assert reply.status_code == 200, reply.get_data(as_text=True)
        body = iter(reply.response)
        sent = [next(body), next(body)]  # the header and the first 5 rows: a read is under way
        outcome: list[int] = []
        writer = threading.Thread(
            target=lambda: outcome.append(
                post("/c/mini-2026/page/knowledge", {"KNOW": "1", "action": "next"})
            )
        )
        writer.start()
        writer.join(timeout=60)
        assert outcome == [303]
        rows = b"".join([*sent, *body]).decode().splitlines()
        reply.close()
        assert len(rows) == 301 and rows[0].startswith("respondent,weight,")
    finally:
        with engine.begin() as connection:
            connection.execute(delete(AuditEvent).where(AuditEvent.actor == email))
            connection.execute(delete(User).where(User.email == email))


def test_simultaneous_clicks_on_start_make_one_response(
    committing_app: Flask, engine: Engine
) -> None:
    """Four clicks on start from one browser, released together, all lead to one response and
    hand the browser the same resume code."""
    runner = committing_app.test_cli_runner()
    assert runner.invoke(args=["surveys", "load", str(MINI), "--open"]).exit_code == 0
    browser = committing_app.test_client()
    token = csrf_from(browser.get("/c/mini-2026").get_data(as_text=True))
    session = browser.get_cookie("session")
    assert session is not None
    codes: list[str | None] = []

    def click() -> int:
        tab = committing_app.test_client()
        tab.set_cookie("session", session.value)
        reply = tab.post("/c/mini-2026/start", data={"consent": "y", "csrf_token": token})
        kept = tab.get_cookie("response-mini-2026", path="/c/mini-2026")
        codes.append(kept.value if kept else None)
        return reply.status_code

    assert race(4, click) == [303] * 4
    with engine.connect() as connection:
        started = connection.scalar(select(func.count(Response.id)))
    assert started == 1
    assert None not in codes
    with committing_app.test_request_context():
        from consult.responding.resume_cookie import _serializer

        assert len({_serializer().loads(code)["token"] for code in codes if code}) == 1
