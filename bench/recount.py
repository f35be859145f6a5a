"""Benchmark: recounting a whole wave from its stored answers (the streamed NumPy recount).

    .venv/bin/python bench/recount.py URL [URL ...] [--wave biotech-2026] [--upgrade]
        [--chunk 10000] [--dump FILE]

For each database URL (each in a process of its own, so that its peak memory is its own) it
times `counting.recount.recount_wave` on the wave plus the commit: reading every answer of the
wave's complete responses a chunk at a time, counting them with `counting.many`, and writing the
counts in place of the old ones. `--upgrade` first brings the database to the newest migration
(untimed); on PostgreSQL the tables are ANALYZEd first (untimed). `--dump FILE` writes the
recounted counts as sorted `code, cell key, value, n` lines, to compare with another recount.
Each database ends with one line:

    RESULT url=<URL> recount_s=<s> peak_mb=<MB> responses=<n> count_rows=<rows>

(peak_mb: the process's peak resident memory, as `/usr/bin/time -v` reports it.)
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import resource
import subprocess
import time

from sqlalchemy import func, select, text

from consult import create_app
from consult.config import Config
from consult.counting.plan import plan_of
from consult.counting.recount import CHUNK, recount_wave
from consult.extensions import db
from consult.migrate import upgrade_database
from consult.models import AnswerCount, Response, ResponseStatus, Wave, WeightingCell
from consult.organizing.question_sets import question_set_of


def recount_one(url: str, slug: str, upgrade: bool, chunk: int, dump: str | None) -> None:
    app = create_app(Config(database_url=url, secret_key="bench"))
    with app.app_context():
        if upgrade:
            upgrade_database(db)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        wave = db.session.scalar(select(Wave).where(Wave.slug == slug))
        if wave is None:
            raise SystemExit(f"no wave {slug} in {url}")
        responses = db.session.scalar(
            select(func.count(Response.id)).where(
                Response.wave_id == wave.id, Response.status == ResponseStatus.COMPLETE
            )
        )
        plan = plan_of(question_set_of(wave.question_set_version))
        start = time.perf_counter()
        rows = recount_wave(db.session, wave, plan, chunk=chunk)
        db.session.commit()
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if dump:
            found = db.session.execute(
                select(AnswerCount.code, WeightingCell.key, AnswerCount.value, AnswerCount.n)
                .join(WeightingCell, WeightingCell.id == AnswerCount.cell_id)
                .where(AnswerCount.wave_id == wave.id)
            )
            with open(dump, "w", encoding="utf-8") as handle:
                for code, key, value, n in sorted(found):
                    handle.write(f"{code}\t{key}\t{value!r}\t{n}\n")
        print(
            f"RESULT url={url} recount_s={seconds:.1f} peak_mb={peak:.0f} "
            f"responses={responses} count_rows={rows}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", metavar="URL")
    parser.add_argument("--wave", default="biotech-2026")
    parser.add_argument("--upgrade", action="store_true")
    parser.add_argument("--chunk", type=int, default=CHUNK)
    parser.add_argument("--dump", help="(one URL) write the recounted counts here, sorted")
    args = parser.parse_args()
    if len(args.urls) == 1:
        recount_one(args.urls[0], args.wave, args.upgrade, args.chunk, args.dump)
        return
    if args.dump:
        parser.error("--dump takes one URL")
    for url in args.urls:
        extra = ["--upgrade"] if args.upgrade else []
        command = [sys.executable, __file__, url, "--wave", args.wave, "--chunk", str(args.chunk)]
        subprocess.run(command + extra, check=True)


if __name__ == "__main__":
    main()
