"""Real concurrent requests against committed data: double clicks and replays race each other.

These tests use their own app without the per-test rollback, because the racing requests need
separate connections, and clean up after themselves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import Engine, delete, func, select

from consult import create_app
from consult.config import Config
from consult.extensions import db, limiter
from consult.models import Answer, Consultation, QuestionSetVersion, Response, ResponseStatus, Wave
from tests.conftest import CHEAP_ARGON2
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, csrf_from


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
    from a new client sharing the citizen's session, as a second tab or a double click does."""
    assert (
        app.test_cli_runner().invoke(args=["surveys", "load", str(MINI), "--open"]).exit_code == 0
    )
    client = app.test_client()
    citizen = Citizen(client, "mini-2026", MINI)
    citizen.start()
    if finished:
        citizen.answer_all_pages()
    token = csrf_from(citizen.html)
    cookie = client.get_cookie("session")
    assert cookie is not None

    def post(path: str, form: dict[str, str]) -> int:
        other = app.test_client()
        other.set_cookie("session", cookie.value)
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
