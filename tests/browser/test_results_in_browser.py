"""The results pages in a real browser: no WCAG 2.1 A/AA violation that axe-core finds on the
overview (also with the change since a previous wave), an item's page by a group, the codebook,
the report (HTML) and the downloads (also a researcher's, with the microdata); nothing scrolls
sideways on a 320 px phone; and every page works with JavaScript switched off."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from consult import create_app
from consult.accounts.service import create_user, passwords_for
from consult.config import Config
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.models import Role
from consult.organizing import queries
from consult.organizing.question_sets import load_into_store
from surveys.loader import load_file
from tests.browser.conftest import PASSWORD, ROOT, SHIPPED
from tests.browser.test_citizen_in_browser import assert_accessible
from tests.conftest import CHEAP_ARGON2, next_wave_set

MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
PAGES = {
    "overview": "/results/biotech-2026",
    "item by a group": "/results/biotech-2026/items/ACC_CRISPR?by=EDUCATION",
    "scale item": "/results/biotech-2026/items/GEN_EFFECT",
    "codebook": "/results/biotech-2026/codebook",
    "downloads": "/results/biotech-2026/downloads?by=EDUCATION",
    "overview with a previous wave": "/results/biotech-2027",
    "battery with a previous wave": "/results/biotech-2027/items/COND_CRISPR",
    "the report (HTML)": "/results/biotech-2027/report.html",
}
RESEARCHER = "researcher@example.org"


@pytest.fixture(scope="module")
def results_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped set's wave with margins and 400 simulated responses, and next year's wave
    (in which two questions changed) with 300, both published; a researcher of both."""
    folder: Path = tmp_path_factory.mktemp("results")
    app = create_app(
        Config(
            database_url=f"sqlite:///{folder / 'consult.sqlite3'}",
            secret_key="browser-test",
            **CHEAP_ARGON2,
        )
    )
    with app.app_context():
        upgrade_database(db)
        for path in (SHIPPED, next_wave_set(folder)):
            load_into_store(db.session, load_file(path), open_wave=True, today=dt.date.today())
        user = create_user(
            db.session,
            RESEARCHER,
            Role.RESEARCHER,
            PASSWORD,
            dt.date.today(),
            passwords=passwords_for(app.config["CONSULT"]),
        )
        consultation = queries.consultation_by_slug(db.session, "biotech")
        assert consultation is not None
        user.consultations.append(consultation)
        db.commit()
    runner = app.test_cli_runner()
    for args in (
        ["waves", "margins", "biotech-2026", str(MARGINS)],
        ["responses", "simulate", "--wave", "biotech-2026", "-n", "400", "--seed", "7"],
        ["waves", "publish", "biotech-2026"],
        ["waves", "margins", "biotech-2027", str(MARGINS)],
        ["responses", "simulate", "--wave", "biotech-2027", "-n", "300", "--seed", "8"],
        ["waves", "publish", "biotech-2027"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        wave = queries.wave_by_slug(db.session, "biotech-2026")
        assert wave is not None and wave.results_published
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.parametrize("name", list(PAGES))
def test_results_pages_are_accessible_in_both_languages(
    page: Any, results_server: str, name: str
) -> None:
    for lang in ("nl", "en"):
        page.goto(f"{results_server}{PAGES[name]}{'&' if '?' in PAGES[name] else '?'}lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert_accessible(page, f"{name} ({lang})")


def test_a_researchers_downloads_are_accessible(page: Any, results_server: str) -> None:
    """Signed in, the page also lists the microdata."""
    page.goto(f"{results_server}/admin/login")
    page.get_by_label("E-mailadres").fill(RESEARCHER)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen").click()
    for lang in ("nl", "en"):
        page.goto(f"{results_server}/results/biotech-2026/downloads?lang={lang}")
        assert page.locator("a[href*='microdata.sav']").count() == 1
        assert_accessible(page, f"a researcher's downloads ({lang})")
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_nothing_scrolls_sideways_on_a_small_phone(browser: Any, results_server: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 700}, locale="nl-NL")
    tab = context.new_page()
    try:
        for name, path in PAGES.items():
            tab.goto(results_server + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{name} is {width} px wide at 320 px"
    finally:
        context.close()


def test_the_breakdown_works_without_javascript(
    page_without_javascript: Any, results_server: str
) -> None:
    tab = page_without_javascript
    tab.goto(f"{results_server}/results/biotech-2026/items/GEN_EFFECT")
    tab.get_by_label("Uitsplitsen naar").select_option("KNOW_BIO")
    tab.get_by_role("button", name="Toon").click()
    assert tab.url.endswith("/items/GEN_EFFECT?by=KNOW_BIO")
    assert tab.get_by_text("Rao-Scott-toets").first.is_visible()
    # A bar is an image with its own text alternative; the same numbers are in a table.
    bars = tab.locator("svg[role=img]")
    assert bars.count() > 0 and "%" in (bars.first.get_attribute("aria-label") or "")
    assert tab.locator("table").count() > 0
