"""A real server on localhost and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from consult import create_app
from consult.accounts.service import create_user, passwords_for
from consult.config import Config
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.models import Role
from consult.organizing.question_sets import load_into_store
from surveys.loader import load_file
from tests.conftest import CHEAP_ARGON2, require

ORGANIZER = "organizer@example.org"
PASSWORD = "correct horse battery staple"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"
MINI = ROOT / "tests" / "consult" / "fixtures" / "mini.yaml"
# Flags the machine needs: no sandbox as root, and no calls home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free localhost port, with a file SQLite database and both sets open."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        Config(
            database_url=f"sqlite:///{folder / 'consult.sqlite3'}",
            secret_key="browser-test",
            **CHEAP_ARGON2,
        )
    )
    with app.app_context():
        upgrade_database(db)
        for path in (SHIPPED, MINI):
            load_into_store(db.session, load_file(path), open_wave=True, today=dt.date.today())
        create_user(
            db.session,
            ORGANIZER,
            Role.ORGANIZER,
            PASSWORD,
            dt.date.today(),
            passwords=passwords_for(app.config["CONSULT"]),
        )
        db.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require(
        Path(CHROMIUM).exists(),
        f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nl-NL")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


@pytest.fixture
def page_without_javascript(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
