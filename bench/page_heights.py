"""Figures: how tall a citizen's pages are on a phone (390 px wide) and a laptop (1280 px).

    .venv/bin/python bench/page_heights.py [--port 5161] [--screenshots DIR]

Serves the app with the shipped 2026 set on a fresh SQLite file, walks one citizen through it in
Debian's Chromium (answering each page with its first options), and prints one line per page:

    RESULT page=<page id> width=<px> height=<px> screens=<height / 844>

(844 px: the height of a 390 px wide phone screen.) With --screenshots, a full-page PNG of each
page at both widths goes to DIR for a person to look at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import tempfile
import threading
from pathlib import Path

# bench/analysis.py would hide the analysis package when this script runs from bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from werkzeug.serving import make_server  # noqa: E402

from consult import create_app
from consult.config import Config
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.organizing.question_sets import load_into_store
from surveys.loader import load_file

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
FILL_PAGE = """() => {
  const form = document.querySelector('main form[method=post]');
  const seen = new Set();
  form.querySelectorAll('input[type=radio]').forEach(r => {
    if (!seen.has(r.name)) { seen.add(r.name); r.checked = true; }
  });
  form.querySelectorAll('input[inputmode]').forEach(i => { i.value = '40'; });
  const ranks = {};
  form.querySelectorAll('select').forEach(s => {
    const group = s.name.split('.')[0];
    ranks[group] = (ranks[group] || 0) + 1;
    s.selectedIndex = ranks[group];
  });
}"""


def serve(port: int, folder: Path) -> None:
    app = create_app(Config(database_url=f"sqlite:///{folder / 'heights.sqlite3'}", secret_key="x"))
    with app.app_context():
        upgrade_database(db)
        load_into_store(db.session, load_file(SHIPPED), open_wave=True, today=dt.date.today())
        db.commit()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5161)
    parser.add_argument("--screenshots", type=Path)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        serve(args.port, Path(folder))
        base = f"http://127.0.0.1:{args.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport=PHONE, locale="nl-NL")
            page.goto(f"{base}/c/biotech-2026")
            measure(page, "start", args.screenshots)
            page.check("#consent")
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            for _ in range(40):
                if "/page/" not in page.url:
                    break
                name = page.url.rsplit("/", 1)[1].split("?")[0]
                measure(page, name, args.screenshots)
                page.evaluate(FILL_PAGE)
                with page.expect_navigation():
                    page.click("main button[value=next]")
            measure(page, page.url.rsplit("/", 1)[1], args.screenshots)
            browser.close()


def measure(page, name: str, shots: Path | None) -> None:  # type: ignore[no-untyped-def]
    for size in (PHONE, LAPTOP):
        page.set_viewport_size(size)
        height = page.evaluate("document.documentElement.scrollHeight")
        print(
            f"RESULT page={name} width={size['width']} height={height} "
            f"screens={height / PHONE['height']:.1f}"
        )
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{name}-{size['width']}.png"), full_page=True)
    page.set_viewport_size(PHONE)


if __name__ == "__main__":
    main()
