"""On SQLite one write lock serves the whole database: a slow upload must not hold it.

The uploads below are held up in their parsing (a hook waits until the citizen's save has been
answered, or gives up after a while), on the file-based SQLite database of the tests, with each
request in a thread of its own as a threaded server runs them. Before the write lock was taken
only to write, the upload's first query took it, and the citizen waited for the whole parse.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, delete

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
    Role,
    User,
    Wave,
)
from consult.organizing import margins, views
from tests.conftest import CHEAP_ARGON2
from tests.consult.conftest import PASSWORD, ROOT, SHIPPED, admin_token, sign_in
from tests.consult.test_concurrency import started_citizen

ADMIN = "lock-admin@example.org"
PATIENCE = 30.0
"""How long a held-up parse waits for the citizen; longer than SQLite's busy timeout (15 s),
so before the fix the citizen's save failed ('database is locked') before the parse went on."""


@pytest.fixture
def sqlite_app(sqlite_engine: Engine) -> Iterator[Flask]:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    app = create_app(Config(database_url=url, secret_key="lock", testing=True, **CHEAP_ARGON2))
    limiter.reset()
    with app.app_context():
        accounts.create_user(
            db.session,
            ADMIN,
            Role.ADMIN,
            PASSWORD,
            dt.date.today(),
            passwords=accounts.passwords_for(app.config["CONSULT"]),
        )
        db.commit()
    yield app
    with sqlite_engine.begin() as connection:
        for model in (Answer, Response, Wave, QuestionSetVersion, Consultation):
            connection.execute(delete(model))
        connection.execute(delete(AuditEvent).where(AuditEvent.actor == ADMIN))
        connection.execute(delete(User).where(User.email == ADMIN))


class HeldUpParse:
    """Wraps a parse function: it waits for the citizen before parsing, and records whether the
    citizen's save was answered while it waited and how long the whole upload took."""

    def __init__(self, parse: Callable[..., Any]) -> None:
        self.parse = parse
        self.parsing = threading.Event()
        self.citizen_answered = threading.Event()
        self.citizen_answered_while_parsing = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.parsing.set()
        self.citizen_answered_while_parsing = self.citizen_answered.wait(PATIENCE)
        return self.parse(*args, **kwargs)


def upload_question_set(client: Any, token: str) -> int:
    with SHIPPED.open("rb") as file:
        data = {"csrf_token": token, "file": (file, "biotech-2026.yaml")}
        return int(client.post("/admin/upload", data=data).status_code)


def upload_margins(client: Any, token: str) -> int:
    path = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
    with path.open("rb") as file:
        data = {"csrf_token": token, "file": (file, "margins.csv")}
        return int(client.post("/admin/w/biotech-2026/margins", data=data).status_code)


@pytest.mark.parametrize(
    ("target", "name", "upload"),
    [(views, "parse_upload", upload_question_set), (margins, "read_margins", upload_margins)],
    ids=["question set", "margins"],
)
def test_a_citizen_saves_while_an_upload_is_being_parsed(
    sqlite_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    name: str,
    upload: Callable[[Any, str], int],
) -> None:
    runner = sqlite_app.test_cli_runner()
    assert runner.invoke(args=["surveys", "load", str(SHIPPED), "--open"]).exit_code == 0
    post = started_citizen(sqlite_app, finished=False)
    organizer = sqlite_app.test_client()
    assert sign_in(organizer, ADMIN) == 303
    token = admin_token(organizer)
    held = HeldUpParse(getattr(target, name))
    monkeypatch.setattr(target, name, held)

    uploaded: list[int] = []
    upload_took: list[float] = []

    def run_upload() -> None:
        started = time.monotonic()
        uploaded.append(upload(organizer, token))
        upload_took.append(time.monotonic() - started)

    uploader = threading.Thread(target=run_upload)
    uploader.start()
    assert held.parsing.wait(PATIENCE), "the upload never reached its parsing"
    started = time.monotonic()
    try:
        saved = post("/c/mini-2026/page/knowledge", {"KNOW": "1", "action": "next"})
    finally:
        save_took = time.monotonic() - started
        held.citizen_answered.set()
    uploader.join(timeout=2 * PATIENCE)

    assert saved == 303
    assert uploaded and uploaded[0] in (303, 200)
    # The save was answered while the upload still parsed, so it took less than the upload.
    assert held.citizen_answered_while_parsing, (
        f"the citizen's save took {save_took:.1f} s, the upload {upload_took[0]:.1f} s"
    )
