"""Benchmark: what counting one complete response costs on the submit path.

    .venv/bin/python bench/counting.py [-n 2000] [--seed 1]

It simulates n responses to the shipped 2026 consultation and times what a submit does before
the upserts: `one.count_response` with the set's plan (answer counts, profiles and scale sums)
and `one.cell_key`, for each, printing the mean and percentiles in milliseconds. The plan is
built once per process (`plan.plan_of`), as on the server.
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import time

import numpy as np

from consult.counting.one import cell_key, count_response
from consult.counting.plan import plan_of
from demo.simulation import answer_columns, simulate
from surveys.loader import load_file
from surveys.model import AnswerCell

SHIPPED = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "surveys",
    "definitions",
    "biotech-2026.yaml",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    question_set = load_file(SHIPPED)
    columns = answer_columns(question_set, simulate(question_set, args.n, args.seed))
    responses: list[list[AnswerCell]] = [[] for _ in range(args.n)]
    for who, code, option, number in zip(
        columns.respondent.tolist(),
        columns.code.tolist(),
        columns.option.tolist(),
        columns.number.tolist(),
        strict=True,
    ):
        responses[who].append(
            AnswerCell(
                code=columns.names[code],
                option=None if option < 0 else option,
                number=None if number != number else number,
                text=None,
            )
        )
    seconds = []
    for cells in responses:
        start = time.perf_counter()
        plan = plan_of(question_set)
        count_response(plan, cells)
        cell_key(plan, cells)
        seconds.append(time.perf_counter() - start)
    ms = np.array(seconds) * 1000
    print(
        f"count_response + cell_key per response over {args.n} responses: mean {ms.mean():.2f} ms, "
        f"p50 {np.percentile(ms, 50):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
        f"max {ms.max():.2f} ms"
    )


if __name__ == "__main__":
    main()
