"""Benchmark: a national wave's microdata (CSV, SPSS, Stata): time, memory and rows per second.

    .venv/bin/python bench/microdata.py [--sqlite FILE | --url URL] [-n 200000] [--seed 1]
        [--chunk 10000] [--formats csv,sav,dta]

It stores n complete simulated responses to the shipped 2026 consultation (as bench/results.py
does; a file that already holds them is reused), then, each format in a process of its own,
computes the wave's figures (a warm server keeps them) and makes the format's file as the web
sends it (`results.microdata.microdata`), reading its chunks to the end, twice:

- timed: seconds, rows per second and the process's peak resident memory (ru_maxrss: arrays,
  SQLite's cache, pyreadstat), also as the growth over the peak the figures left;
- traced: the peak of the allocations made while the file is made (tracemalloc, which counts
  numpy's arrays too; slower, so not timed). The CSV's stays flat as n grows.

Each format ends with one line:

    RESULT format=<fmt> n=<N> seconds=<s> rows_per_s=<r> maxrss_mb=<MB> maxrss_delta_mb=<MB>
        traced_peak_mb=<MB> bytes=<size>

The in-memory version this replaced (a float64 frame, Python objects per answer, the whole file
in memory) took at n=200,000 on a 2-core machine: CSV 100 s and +1,543 MB, SPSS 85 s and
+618 MB, Stata 127 s and +728 MB (ru_maxrss growth over the figures' peak).
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import resource
import subprocess
import time
import tracemalloc

from sqlalchemy import select

from bench.results import WAVE, prepare
from consult.app import compute_on_one_core, create_app
from consult.config import Config
from consult.extensions import db
from consult.models import Wave
from consult.results.microdata import CHUNK, microdata
from consult.results.service import results_state, wave_results

FORMATS = ("csv", "sav", "dta")


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_file(fmt: str, chunk: int) -> tuple[int, int]:
    """Make the file and read it to the end, as a download would: (rows, bytes)."""
    wave = db.session.scalar(select(Wave).where(Wave.slug == WAVE))
    assert wave is not None
    state = results_state(db.session, wave)
    download = microdata(db.session, wave, fmt, lang="nl", secret="bench", state=state, chunk=chunk)
    size = sum(len(part) for part in download.chunks)
    return state.respondents, size


def measure(url: str, fmt: str, chunk: int) -> None:
    app = create_app(Config(database_url=url, secret_key="bench"))
    with app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.slug == WAVE))
        assert wave is not None
        wave_results(db.session, wave, state=results_state(db.session, wave))
        before = maxrss_mb()
        start = time.perf_counter()
        rows, size = one_file(fmt, chunk)
        seconds = time.perf_counter() - start
        peak = maxrss_mb()
        grown = peak - before
        tracemalloc.start()
        one_file(fmt, chunk)
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(
        f"  {fmt}: {seconds:.1f} s, {rows / seconds:,.0f} rows/s; peak memory: ru_maxrss "
        f"{peak:.0f} MB (+{grown:.0f} MB over the figures' peak), tracemalloc {traced:.0f} MB; "
        f"{size / 2**20:.0f} MB file",
        flush=True,
    )
    print(
        f"RESULT format={fmt} n={rows} seconds={seconds:.2f} rows_per_s={rows / seconds:.0f} "
        f"maxrss_mb={peak:.0f} maxrss_delta_mb={grown:.0f} traced_peak_mb={traced:.0f} "
        f"bytes={size}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", default="/tmp/consult-bench-microdata.sqlite3")
    parser.add_argument("--url", help="a database URL instead of --sqlite (e.g. PostgreSQL)")
    parser.add_argument("-n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--formats", default=",".join(FORMATS))
    # The parent only starts processes: Linux hands a parent's peak memory on to its children.
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{os.path.abspath(args.sqlite)}"

    compute_on_one_core()
    if args.only == "prepare":
        with create_app(Config(database_url=url, secret_key="bench")).app_context():
            prepare(args.n, args.seed)
        print(f"n={args.n:,}, {args.chunk:,} respondents a page:", flush=True)
        return
    if args.only:
        measure(url, args.only, args.chunk)
        return
    for step in ["prepare", *args.formats.split(",")]:
        command = [sys.executable, __file__, "--url", url, "--chunk", str(args.chunk)]
        subprocess.run(
            [*command, "-n", str(args.n), "--seed", str(args.seed), "--only", step], check=True
        )


if __name__ == "__main__":
    main()
