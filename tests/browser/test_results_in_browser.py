"""The results pages in a real browser: no WCAG 2.1 A/AA violation that axe-core finds on the
overview, an item's page by a group and the codebook; nothing scrolls sideways on a 320 px
phone; and every page works with JavaScript switched off."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from consult import create_app
from consult.config import Config
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.organizing import queries
from consult.organizing.question_sets import load_into_store
from surveys.loader import load_file
from tests.browser.conftest import ROOT, SHIPPED
from tests.browser.test_citizen_in_browser import assert_accessible
from tests.conftest import CHEAP_ARGON2

MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
PAGES = {
    "overview": "/results/biotech-2026",
    "item by a group": "/results/biotech-2026/items/ACC_CRISPR?by=EDUCATION",
    "scale item": "/results/biotech-2026/items/GEN_EFFECT",
    "codebook": "/results/biotech-2026/codebook",
}


@pytest.fixture(scope="module")
def results_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped set's wave with margins and 400 simulated responses, published."""
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
        load_into_store(db.session, load_file(SHIPPED), open_wave=True, today=dt.date.today())
        db.commit()
    runner = app.test_cli_runner()
    for args in (
        ["waves", "margins", "biotech-2026", str(MARGINS)],
        ["responses", "simulate", "--wave", "biotech-2026", "-n", "400", "--seed", "7"],
        ["waves", "publish", "biotech-2026"],
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
