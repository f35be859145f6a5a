"""Benchmark: the full weighted report of a national wave, from the database, against samplics.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/analysis.py [-n 1000000] [--seed 1] [--sqlite FILE] [--keep-postgres]
        [--no-postgres | --no-sqlite]

For each database (SQLite, and PostgreSQL when reachable), it stores n complete simulated
responses to the shipped 2026 consultation (with the shipped margins), then times, end to end
from the database:

- every item's figures (single and multiple choice, batteries, numbers, rankings), overall and by
  age group, with raking and calibration-aware standard errors, and again with fixed-weight
  standard errors;
- the acceptance summary;
- the whole `consult report --by AGE_GROUP` as JSON (with Rao-Scott tests and scales).

samplics' TaylorEstimator computes the fixed-weight shares of every single-choice item and
battery row from the same respondents and weights in the same run; the two are compared figure by
figure. It ends with one line:

    RESULT n=<N> seconds=<s> peak_mb=<MB> samplics_seconds=<s> speedup=<x> max_abs_diff=<d>

(seconds = every item's figures, overall and by age group, with `consult report`'s default
calibration-aware standard errors, on SQLite, the median of three runs. That is more work than
samplics does: its fixed-weight figures are compared with ours computed with `--se fixed`, so the
speed-up is on the safe side. The samplics time excludes reading the respondent-level data.)
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's folder comes first on the path and its name would hide the
# `analysis` package: put the repository there instead.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import datetime as dt
import json
import math
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import create_engine, func, select, text

from analysis import Estimate
from consult.app import compute_on_one_core, create_app
from consult.config import Config
from consult.counting.service import ensure_current_counts
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.models import Response, ResponseStatus, Wave
from consult.organizing.margins import set_margins
from consult.organizing.question_sets import load_into_store
from consult.results.design import load_design
from consult.results.figures import all_estimates, summary
from consult.results.report import report_as_json, wave_report
from demo.simulation import store_simulated
from surveys.loader import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = os.path.join(ROOT, "surveys", "definitions", "biotech-2026.yaml")
MARGINS = os.path.join(ROOT, "surveys", "definitions", "margins-nl-adults.csv")
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
BY = "AGE_GROUP"


def timed(
    label: str, action: Callable[[], Any], *, trace: bool = False, runs: int = 1
) -> tuple[Any, float, float]:
    """Run `action` `runs` times and print the seconds of each; returns the median. With
    `trace`, run it once more under tracemalloc for its peak memory (MB), so the tracing does
    not slow the timed runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    seconds = float(np.median(times))
    peak_mb = float("nan")
    if trace:
        tracemalloc.start()
        action()
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    memory = f"   peak {peak_mb:8.1f} MB" if trace else ""
    each = f"   (runs: {', '.join(f'{t:.2f}' for t in times)})" if runs > 1 else ""
    print(f"  {label:<52} {seconds:8.2f} s{memory}{each}", flush=True)
    return result, seconds, peak_mb


def postgres_database(keep: bool) -> str | None:
    """The `consult_bench` database (fresh unless `keep`), or None when PostgreSQL is not
    reachable."""
    try:
        engine = create_engine(POSTGRES + "postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = 'consult_bench'")
            )
            if exists and not keep:
                connection.execute(text("DROP DATABASE consult_bench"))
            if not exists or not keep:
                connection.execute(text("CREATE DATABASE consult_bench"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not reachable ({type(error).__name__}); SQLite only")
        return None
    return POSTGRES + "consult_bench"


def report_codes(question_set: Any) -> list[Any]:
    """The items samplics is compared on: every single-choice item and battery row."""
    return [
        item for item in question_set.all_items() if item.type in ("single", "likert", "battery")
    ]


def the_wave() -> Wave:
    wave = db.session.scalar(select(Wave).where(Wave.slug == "biotech-2026"))
    assert wave is not None
    return wave


def our_report(mode: str) -> list[Estimate]:
    """Every item's figures, overall and by age group, from the database."""
    design = load_design(db.session, the_wave(), mode)  # type: ignore[arg-type]
    return all_estimates(db.session, design) + all_estimates(db.session, design, BY)


def our_summary() -> Any:
    return summary(db.session, load_design(db.session, the_wave(), "calibrated"))


def whole_json_report() -> str:
    """What `consult report --by AGE_GROUP` computes and writes, scales and tests included."""
    return json.dumps(report_as_json(wave_report(db.session, the_wave(), by=BY), "nl"))


def respondent_data(codes: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Per respondent: cell key index, answers by code (NaN when none), and the cell keys.

    samplics needs one row per respondent; this read is not part of its timing."""
    wave = the_wave()
    ids_and_cells = db.session.execute(
        select(Response.id, Response.cell)
        .where(Response.wave_id == wave.id, Response.status == ResponseStatus.COMPLETE)
        .order_by(Response.id)
    ).all()
    ids = np.array([row[0] for row in ids_and_cells], dtype=np.int64)
    keys, cell_of = np.unique(np.array([row[1] for row in ids_and_cells]), return_inverse=True)
    answers = {code: np.full(len(ids), np.nan) for code in codes}
    # The driver's cursor directly: tens of millions of rows would crawl through the ORM.
    raw = db.session.connection().connection.driver_connection
    cursor = raw.cursor()
    marker = "%s" if db.engine.dialect.name == "postgresql" else "?"
    for code in codes:
        cursor.execute(f"SELECT response_id, option FROM answer WHERE code = {marker}", (code,))
        rows = np.array(cursor.fetchall(), dtype=float).reshape(-1, 2)
        if len(rows):
            position = np.searchsorted(ids, rows[:, 0].astype(np.int64))
            answers[code][position] = rows[:, 1]
    cursor.close()
    return cell_of, answers, keys


def samplics_report(
    weights: np.ndarray, groups: np.ndarray, answers: dict[str, np.ndarray]
) -> dict[tuple[str, int | None, int], tuple[float, float]]:
    """Fixed-weight shares and standard errors with samplics, overall and by group."""
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    figures: dict[tuple[str, int | None, int], tuple[float, float]] = {}
    for code, y in answers.items():
        answered = ~np.isnan(y)
        filled = np.where(answered, y, -1.0)
        for grouping in (None, groups):
            domain = np.where(answered, 1 if grouping is None else grouping, -999)
            estimator = TaylorEstimator(PopParam.prop)
            estimator.estimate(y=filled, samp_weight=weights, domain=domain)
            for group, shares in estimator.point_est.items():
                if group == -999:
                    continue
                for option, share in shares.items():
                    if option < 0:
                        continue
                    key = (code, None if grouping is None else int(group), int(option))
                    figures[key] = (float(share), float(estimator.stderror[group][option]))
    return figures


def compare(
    ours: list[Estimate], theirs: dict[tuple[str, int | None, int], tuple[float, float]]
) -> float:
    worst = 0.0
    for row in ours:
        if row.suppressed or row.kind != "proportion":
            continue
        key = (row.item, row.group_code if row.group else None, int(row.option))  # type: ignore[arg-type]
        if key not in theirs:
            continue  # an option nobody in the group chose: samplics lists no row
        share, se = theirs[key]
        worst = max(worst, abs(row.estimate - share), abs(row.se - se))
    return worst


def stored_responses() -> int:
    wave = db.session.scalar(select(Wave).where(Wave.slug == "biotech-2026"))
    if wave is None:
        return 0
    return (
        db.session.scalar(select(func.count(Response.id)).where(Response.wave_id == wave.id)) or 0
    )


def run(url: str, n: int, seed: int, with_samplics: bool) -> dict[str, float]:
    compute_on_one_core()
    app = create_app(Config(database_url=url, secret_key="bench"))
    name = url.split(":")[0]
    print(f"\n== {name}: {n:,} complete responses ==", flush=True)
    with app.app_context():
        upgrade_database(db)
        loaded = load_into_store(
            db.session, load_file(SHIPPED), open_wave=True, today=dt.date.today()
        )
        with open(MARGINS, encoding="utf-8") as handle:
            set_margins(db.session, loaded.wave, handle.read())
        db.commit()
        store_seconds = float("nan")
        if stored_responses() == n:
            print("  (reusing the responses already stored in this database)", flush=True)
        else:
            _, store_seconds, _ = timed(
                "store simulated responses (with counts)",
                lambda: (
                    store_simulated(db.session, loaded.wave, n, seed, dt.date.today()),
                    db.commit(),
                ),
            )
        if ensure_current_counts(db.session, [loaded.wave]):
            print("  (recounted: the stored counts followed older counting rules)", flush=True)
        db.commit()
        # Fresh planner statistics after the bulk load, as autovacuum would gather on a server.
        db.session.execute(text("ANALYZE"))
        db.commit()
        calibrated, calibrated_seconds, calibrated_peak = timed(
            f"all items, calibrated SEs (overall + by {BY})",
            lambda: our_report("calibrated"),
            trace=True,
            runs=3,
        )
        fixed, fixed_seconds, fixed_peak = timed(
            f"all items, fixed-weight SEs (overall + by {BY})",
            lambda: our_report("fixed"),
            trace=True,
            runs=3,
        )
        _, summary_seconds, _ = timed(
            "acceptance summary (11 applications, 3 domains)", our_summary, runs=3
        )
        _, whole_seconds, _ = timed(
            f"consult report --by {BY} as JSON (+ tests, scales)", whole_json_report
        )
        print(f"  figures: {len(calibrated)} per report", flush=True)
        result = {
            "store_seconds": store_seconds,
            "seconds": calibrated_seconds,
            "fixed_seconds": fixed_seconds,
            "summary_seconds": summary_seconds,
            "whole_seconds": whole_seconds,
            "peak_mb": max(calibrated_peak, fixed_peak),
        }
        if with_samplics:
            design = load_design(db.session, the_wave(), "fixed")
            codes = [
                code for item in report_codes(design.question_set) for code in item.answer_codes
            ]
            (cell_of, answers, keys), read_seconds, _ = timed(
                "read respondent-level data for samplics", lambda: respondent_data(codes)
            )
            weights = design.weights.weights[[design.cell_index[str(k)] for k in keys]][cell_of]
            group_column = design.cells.variables.index(BY)
            groups = design.cells.categories[
                [design.cell_index[str(k)] for k in keys], group_column
            ][cell_of]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs, samplics_seconds, _ = timed(
                    "samplics TaylorEstimator, same figures",
                    lambda: samplics_report(weights, groups, answers),
                )
            result["samplics_seconds"] = samplics_seconds
            result["max_abs_diff"] = compare(fixed, theirs)
            print(f"  largest difference from samplics: {result['max_abs_diff']:.3g}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--sqlite", metavar="FILE", help="keep the SQLite database here and reuse it next time"
    )
    parser.add_argument(
        "--keep-postgres",
        action="store_true",
        help="reuse the consult_bench database when it holds n responses (else start afresh)",
    )
    args = parser.parse_args()
    runs: list[dict[str, float]] = []
    names: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        if not args.no_sqlite:
            path = args.sqlite or f"{folder}/bench.sqlite3"
            runs.append(run(f"sqlite:///{path}", args.n, args.seed, with_samplics=True))
            names.append("sqlite")
    if not args.no_postgres and (url := postgres_database(args.keep_postgres)):
        runs.append(run(url, args.n, args.seed, with_samplics=not runs))
        names.append("postgresql")
    if not runs:
        raise SystemExit("no database to measure")
    for name, figures in zip(names, runs, strict=True):
        seconds = figures["store_seconds"]
        stored = "reused" if math.isnan(seconds) else f"{seconds:.0f} s"
        print(
            f"{name}: store {stored}, all items calibrated "
            f"{figures['seconds']:.2f} s, fixed {figures['fixed_seconds']:.2f} s, "
            f"summary {figures['summary_seconds']:.2f} s, "
            f"whole JSON report {figures['whole_seconds']:.2f} s"
        )
    first = runs[0]
    speedup = first["samplics_seconds"] / first["seconds"]
    print(
        f"RESULT n={args.n} seconds={first['seconds']:.2f} peak_mb={first['peak_mb']:.0f} "
        f"samplics_seconds={first['samplics_seconds']:.2f} speedup={speedup:.1f} "
        f"max_abs_diff={first['max_abs_diff']:.2g}"
    )


if __name__ == "__main__":
    main()
