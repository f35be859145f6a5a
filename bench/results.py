"""Benchmark: a national wave's results over HTTP, cold and warm.

    .venv/bin/python bench/results.py [--sqlite FILE] [-n 1000000] [--seed 1] [--requests 40]

It stores n complete simulated responses to the shipped 2026 consultation in the SQLite file
(or reuses the ones already there: storing a million takes a while), serves the app on a local
port from a real WSGI server in this process, and measures:

- cold: the overview page's first request, the figures computed from the kept counts;
- warm: p50 and p95 of the overview page, an item page by a subgroup (AGE_GROUP) and the CSV
  download of the estimates, each after its first request, over HTTP (full answers, not 304s);
- with `If-None-Match`: the p95 of a repeat request answered 304.

It ends with one line:

    RESULT n=<N> cold_s=<s> warm_p95_ms=<ms> (the slowest of the three warm p95s)

The goal for issue #11 is cold under 5 s and warm p95 under 100 ms on a 2-core machine.
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import datetime as dt
import http.client
import logging
import threading
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from werkzeug.serving import make_server

from consult.app import compute_on_one_core, create_app
from consult.config import Config
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.models import Response, Wave
from consult.organizing.margins import set_margins
from consult.organizing.question_sets import load_into_store
from consult.results import service
from demo.simulation import store_simulated
from surveys.loader import load_file

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"
MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
WAVE = "biotech-2026"


def prepare(n: int, seed: int) -> None:
    """The shipped wave, published, with n simulated responses (kept when already there)."""
    upgrade_database(db)
    wave = db.session.scalar(select(Wave).where(Wave.slug == WAVE))
    if wave is None:
        loaded = load_into_store(
            db.session, load_file(SHIPPED), open_wave=True, today=dt.date.today()
        )
        wave = loaded.wave
        set_margins(db.session, wave, MARGINS.read_text(encoding="utf-8"))
        db.commit()
    stored = db.session.scalar(select(func.count(Response.id)).where(Response.wave_id == wave.id))
    if stored != n:
        if stored:
            sys.exit(f"{stored:,} responses are stored, not {n:,}: use another --sqlite file")
        print(f"storing {n:,} simulated responses (once per file)...", flush=True)
        store_simulated(db.session, wave, n, seed, dt.date.today())
    wave.results_published = True
    db.commit()


def get(port: int, path: str, etag: str | None = None) -> tuple[float, int, str | None]:
    """Seconds for one GET (the whole body read), its status and ETag."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"If-None-Match": etag} if etag else {}
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    seconds = time.perf_counter() - start
    connection.close()
    if response.status not in (200, 304):
        sys.exit(f"GET {path}: {response.status}")
    return seconds, response.status, response.getheader("ETag")


def percentiles(times: list[float]) -> tuple[float, float]:
    values = np.array(times) * 1000
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/consult-bench-results.sqlite3")
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()

    compute_on_one_core()
    app = create_app(
        Config(database_url=f"sqlite:///{os.path.abspath(args.sqlite)}", secret_key="bench")
    )
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context():
        prepare(args.n, args.seed)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()

    pages = {
        "overview": f"/results/{WAVE}?lang=nl",
        "item by AGE_GROUP": f"/results/{WAVE}/items/ACC_CRISPR?by=AGE_GROUP&lang=nl",
        "estimates CSV": f"/results/{WAVE}/downloads/estimates.csv?lang=nl",
    }
    service.clear()
    cold, _, _ = get(port, pages["overview"])
    print(f"n={args.n:,}: cold overview {cold:.2f} s (figures computed from the kept counts)")
    warm_p95 = 0.0
    for name, path in pages.items():
        first, _, etag = get(port, path)
        times = [get(port, path)[0] for _ in range(args.requests)]
        p50, p95 = percentiles(times)
        repeat = [get(port, path, etag)[0] for _ in range(args.requests)]
        _, p95_304 = percentiles(repeat)
        warm_p95 = max(warm_p95, p95)
        print(
            f"  {name}: first {first:.2f} s, warm p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"({args.requests} requests); 304 p95 {p95_304:.1f} ms"
        )
    server.shutdown()
    print(f"RESULT n={args.n} cold_s={cold:.2f} warm_p95_ms={warm_p95:.1f}")


if __name__ == "__main__":
    main()
