"""Benchmark: the disclosure audit of a national wave, every table it publishes.

    .venv/bin/python bench/disclosure.py [--sqlite FILE] [-n 1000000] [--seed 1] [--by CODE ...]
        [--min-cell-size N]

It stores n complete simulated responses to the shipped 2026 consultation in the SQLite file as
`bench/results.py` does, unless the file holds them already: then it is opened read-only
(immutable), so a store shared with other benchmarks is never written. It runs
`consult audit-disclosure`'s audit cold (overall tables, every item by every single-choice
question, or by the --by ones, and the summary's counts; every suppressed small count's
interval by linear programming) and ends with one line. At a million responses few counts are
below the default minimum of 10; `--min-cell-size N` (3 to 1000) audits as if the organizers had
raised it, so that suppression has work to do (nothing is written to the file):

    RESULT n=<N> tables=<T> counts=<C> suppressed=<S> checked=<K> programs=<P> seconds=<s>
        peak_mb=<MB> holds=<True|False>

(peak_mb: the process's peak resident memory). The goal for issue #12: a million responses
within a minute on a 2-core machine.
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import resource
import sqlite3
import time

from bench.results import WAVE, prepare
from consult.app import compute_on_one_core, create_app
from consult.config import Config
from consult.extensions import db
from consult.organizing.waves import MAX_CELL_SIZE, MIN_CELL_SIZE
from consult.results import queries, service
from consult.results.audit import audit_wave


def stored(path: str) -> int:
    """Complete responses of the shipped wave already in the file (0 without one)."""
    if not os.path.exists(path):
        return 0
    connection = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        found = connection.execute(
            "SELECT count(*) FROM response r JOIN wave w ON w.id = r.wave_id "
            "WHERE w.slug = ? AND r.status = 'complete'",
            (WAVE,),
        ).fetchone()
    except sqlite3.OperationalError:
        return 0
    finally:
        connection.close()
    return int(found[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/consult-bench-results.sqlite3")
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--by", action="append", help="only these groupings")
    parser.add_argument(
        "--min-cell-size", type=int, help="audit under this minimum instead of the wave's"
    )
    args = parser.parse_args()

    compute_on_one_core()
    path = os.path.abspath(args.sqlite)
    if stored(path) != args.n:
        app = create_app(Config(database_url=f"sqlite:///{path}", secret_key="bench"))
        with app.app_context():
            prepare(args.n, args.seed)
    url = f"sqlite:///file:{path}?immutable=1&uri=true"
    app = create_app(Config(database_url=url, secret_key="bench"))
    with app.app_context():
        wave = queries.wave_by_slug(db.session, WAVE)
        assert wave is not None
        service.clear()
        with db.session.no_autoflush:  # a minimum for this run only: never written
            if args.min_cell_size is not None:
                if not MIN_CELL_SIZE <= args.min_cell_size <= MAX_CELL_SIZE:
                    parser.error(f"--min-cell-size: {MIN_CELL_SIZE} to {MAX_CELL_SIZE}")
                wave.min_cell_size = args.min_cell_size
            start = time.perf_counter()
            audit = audit_wave(db.session, wave, args.by)
            seconds = time.perf_counter() - start
        db.session.rollback()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"n={args.n:,}, minimum cell size {audit.minimum}: {audit.tables:,} tables "
        f"({len(audit.groupings)} groupings), "
        f"{audit.counts:,} published counts, {audit.suppressed:,} suppressed, "
        f"{audit.checked:,} small ones checked with {audit.programs:,} linear programs: "
        f"{seconds:.1f} s, peak {peak_mb:,.0f} MB; "
        + ("the suppression holds" if audit.holds else f"{len(audit.narrow)} narrow counts")
    )
    print(
        f"RESULT n={args.n} minimum={audit.minimum} tables={audit.tables} counts={audit.counts} "
        f"suppressed={audit.suppressed} checked={audit.checked} programs={audit.programs} "
        f"seconds={seconds:.1f} peak_mb={peak_mb:.0f} holds={audit.holds}"
    )


if __name__ == "__main__":
    main()
