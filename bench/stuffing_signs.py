"""Benchmark: the monitoring page's count of identical complete responses on a large wave.

    .venv/bin/python bench/stuffing_signs.py [--sqlite FILE | --url URL] [-n 100000] [--seed 1]

It stores n complete simulated responses to the shipped 2026 consultation (as bench/results.py
does; a file that already holds them is reused), then times what the monitoring page asks,
`organizing.queries.identical_answer_groups` (each response's answers as one string, grouped,
all in SQL): the median of three runs. It ends with one line:

    RESULT n=<N> seconds=<s> largest_group=<k>
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import statistics
import time

from sqlalchemy import select

from bench.results import WAVE, prepare
from consult.app import create_app
from consult.config import Config
from consult.extensions import db
from consult.models import ResponseStatus, Wave
from consult.organizing import queries
from consult.organizing.monitoring import identical_answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/consult-bench-stuffing.sqlite3")
    parser.add_argument("--url", help="a database URL instead of --sqlite (e.g. PostgreSQL)")
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{os.path.abspath(args.sqlite)}"
    with create_app(Config(database_url=url, secret_key="bench")).app_context():
        prepare(args.n, args.seed)
        wave = db.session.scalar(select(Wave).where(Wave.slug == WAVE))
        assert wave is not None
        completed = queries.response_count(db.session, wave, ResponseStatus.COMPLETE)
        times = []
        for _ in range(3):
            begin = time.perf_counter()
            found = identical_answers(queries.identical_answer_groups(db.session, wave), completed)
            times.append(time.perf_counter() - begin)
        print(
            f"{completed:,} complete responses: largest identical group {found.largest_group}, "
            f"{found.in_groups:,} in groups",
            flush=True,
        )
    print(
        f"RESULT n={completed} seconds={statistics.median(times):.2f} "
        f"largest_group={found.largest_group}"
    )


if __name__ == "__main__":
    main()
