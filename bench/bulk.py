"""Benchmark: bulk work at national size on SQLite and PostgreSQL.

    .venv/bin/python bench/bulk.py [--backend sqlite|postgresql|both] [-n 1000000]
        [--postgres-url URL] [--keep DIR]

For each database (a fresh one: a SQLite file in a scratch folder, or a schema `bulk_bench` made
anew in the PostgreSQL database of --postgres-url) it loads the shipped question set, then times,
each in a process of its own (so that its peak memory is its own):

- `consult responses import` of a generated CSV of n rows (every column of the shipped set:
  options, batteries, a multiple choice, a ranking, a slider, texts), a file written once;
- `consult responses simulate -n n` into a second wave;
- a recount of the simulated wave (`consult waves recount`).

It prints each step's time, rows/s and peak resident memory (as `/usr/bin/time -v` reports it),
and ends with one line per database and a last line over all of them (the slowest rate, the
largest peak, the longest times):

    RESULT import_rows_per_s=<r> import_peak_mb=<MB> simulate_s=<s> recount_s=<s>

Goals (issue #17): import >= 20,000 rows/s, peak under 300 MB, simulate under 120 s,
recount under 60 s.
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import csv
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from demo.simulation import simulate
from surveys.loader import load_file
from surveys.model import QuestionSet
from surveys.types import Answer, question_type

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "surveys" / "definitions" / "biotech-2026.yaml"
MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"
CONSULT = str(ROOT / ".venv" / "bin" / "consult")
WRITTEN = 50_000
"""Respondents simulated and written to the CSV at once (memory stays flat)."""


def write_csv(question_set: QuestionSet, path: Path, n: int, seed: int = 1) -> None:
    """n rows of answers to the set, as `consult responses import` reads them: a column per
    answer code; options by code, a multiple choice and a ranking as codes joined by ';'."""
    codes = [code for item in question_set.all_items() for code in item.answer_codes]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(codes)
        for part, start in enumerate(range(0, n, WRITTEN)):
            size = min(WRITTEN, n - start)
            data = simulate(question_set, size, seed + part)
            rng = np.random.default_rng(seed + part)
            columns: list[list[str]] = []
            for item in question_set.all_items():
                answer = question_type(item).answer
                if answer is Answer.OPTIONS and item.code in data.selections:
                    chosen = data.selections[item.code]
                    columns.append(
                        [";".join(str(o) for o in chosen.options[row]) for row in chosen.ticked]
                    )
                elif answer is Answer.ORDER and item.code in data.ranks:
                    options = np.array([c.code for c in item.choices])
                    columns.append(
                        [
                            ";".join(str(o) for o in options[np.argsort(row)][np.sort(row) > 0])
                            for row in data.ranks[item.code]
                        ]
                    )
                elif answer is Answer.TEXT:
                    said = rng.random(size) < 0.2
                    columns.append(
                        [f"Tekst {i}, met komma" if s else "" for i, s in enumerate(said)]
                    )
                else:
                    for code in item.answer_codes:
                        values = data.values.get(code)
                        if values is None:
                            columns.append([""] * size)
                            continue
                        columns.append(["" if v != v else str(int(v)) for v in values.tolist()])
            writer.writerows(zip(*columns, strict=True))


def peak_mb(usage: resource.struct_rusage) -> float:
    return usage.ru_maxrss / 1024


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a `consult` command in a process of its own: (seconds, its peak memory in MB)."""
    start = time.perf_counter()
    process = subprocess.Popen([CONSULT, *args, "--quiet"], env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"consult {' '.join(args)} failed ({status})")
    return seconds, peak_mb(usage)


def run(url: str, csv_path: Path, n: int) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    for args in (
        ["db", "upgrade"],
        ["surveys", "load", str(SHIPPED), "--open"],
        ["waves", "margins", "biotech-2026", str(MARGINS)],
        ["waves", "create", "simulated-2026", "--consultation", "biotech"],
    ):
        subprocess.run([CONSULT, *args], env=env, check=True, capture_output=True)
    import_s, import_mb = timed(
        ["responses", "import", str(csv_path), "--wave", "biotech-2026"], env
    )
    print(
        f"  import   {n:,} rows in {import_s:.1f} s: {n / import_s:,.0f} rows/s, "
        f"peak {import_mb:.0f} MB",
        flush=True,
    )
    simulate_s, simulate_mb = timed(
        ["responses", "simulate", "--wave", "simulated-2026", "-n", str(n)], env
    )
    print(
        f"  simulate {n:,} in {simulate_s:.1f} s: {n / simulate_s:,.0f} responses/s, "
        f"peak {simulate_mb:.0f} MB",
        flush=True,
    )
    recount_s, recount_mb = timed(["waves", "recount", "simulated-2026"], env)
    print(
        f"  recount  {n:,} in {recount_s:.1f} s: {n / recount_s:,.0f} responses/s, "
        f"peak {recount_mb:.0f} MB",
        flush=True,
    )
    return {
        "import_rows_per_s": n / import_s,
        "import_peak_mb": import_mb,
        "simulate_s": simulate_s,
        "recount_s": recount_s,
    }


def result_line(figures: dict[str, float]) -> str:
    return (
        f"RESULT import_rows_per_s={figures['import_rows_per_s']:.0f} "
        f"import_peak_mb={figures['import_peak_mb']:.0f} "
        f"simulate_s={figures['simulate_s']:.1f} recount_s={figures['recount_s']:.1f}"
    )


SCHEMA = "bulk_bench"


def fresh_schema(url: str) -> str:
    """The URL of an empty schema `bulk_bench` in the PostgreSQL database (made anew)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{SCHEMA}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
        ),
        help="an existing database; the benchmark works in its schema bulk_bench (made anew)",
    )
    parser.add_argument(
        "--keep", type=Path, help="write the CSV and SQLite file here, and keep them"
    )
    options = parser.parse_args()
    scratch = options.keep or Path(tempfile.mkdtemp(prefix="bulk-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        csv_path = scratch / f"responses-{options.n}.csv"
        start = time.perf_counter()
        write_csv(load_file(SHIPPED), csv_path, options.n)
        print(
            f"wrote {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
        backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
        results = []
        for backend in backends:
            if backend == "sqlite":
                database = scratch / "bench.db"
                database.unlink(missing_ok=True)
                url = f"sqlite:///{database}"
            else:
                url = fresh_schema(options.postgres_url)
            print(f"{backend}:", flush=True)
            figures = run(url, csv_path, options.n)
            print(f"{backend}: {result_line(figures)}", flush=True)
            results.append(figures)
        print(
            result_line(
                {
                    "import_rows_per_s": min(r["import_rows_per_s"] for r in results),
                    "import_peak_mb": max(r["import_peak_mb"] for r in results),
                    "simulate_s": max(r["simulate_s"] for r in results),
                    "recount_s": max(r["recount_s"] for r in results),
                }
            )
        )
    finally:
        if options.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
