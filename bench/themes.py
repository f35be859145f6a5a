"""Benchmark: coding open answers by theme and suggesting new themes, for 100,000 answers.

    .venv/bin/python bench/themes.py [-n 100000] [--seed 1]

It generates n open answers as the simulation writes them (`demo.open_answers`: Dutch phrases,
now and then English), compiles the example codebook (`demo.open_answers.EXAMPLE_CODEBOOK`),
matches every answer to its themes (`analysis.themes.Matcher.match`: normalisation, Snowball
stems, phrase lookup), then clusters the answers no theme matched into suggested themes
(`analysis.theme_suggestions.suggest_themes`: TF-IDF and mini-batch k-means). Each step is timed,
then run once more under tracemalloc for its peak memory (numpy's and scikit-learn's arrays
included; slower, so not timed). It ends with one line:

    RESULT n=<N> coding_seconds=<s> coding_peak_mb=<MB> suggest_seconds=<s>
        suggest_peak_mb=<MB> matched_share=<p> suggestions=<k> maxrss_mb=<MB>
"""

from __future__ import annotations

import os
import sys

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

import argparse
import csv
import io
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from analysis.theme_suggestions import suggest_themes
from analysis.themes import Matcher, ThemeSpec
from demo.open_answers import EXAMPLE_CODEBOOK, open_answers

T = TypeVar("T")


def measured(step: Callable[[], T]) -> tuple[T, float, float]:
    """The step's result, its seconds, and the peak of its allocations in MB (a second run)."""
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    texts = [t for t in open_answers(args.n * 4, np.random.default_rng(args.seed), 1.0)][: args.n]
    texts = [t or "" for t in texts]
    languages = ["en" if t and t[0] in "IlcsgL" and " the " in f" {t} " else "nl" for t in texts]
    specs = [
        ThemeSpec(row["code"], tuple(k.strip() for k in row["keywords"].split(";") if k.strip()))
        for row in csv.DictReader(io.StringIO(EXAMPLE_CODEBOOK))
    ]
    print(f"{len(texts)} answers, {len(specs)} themes")
    matcher = Matcher(specs)
    matches, coding_seconds, coding_peak = measured(lambda: matcher.match(texts, languages))
    unmatched = ~matches.any(axis=1)
    print(f"coding: {coding_seconds:.2f} s, peak {coding_peak:.1f} MB")
    for code, share in zip(matcher.codes, matches.mean(axis=0), strict=True):
        print(f"  {code:14} {share:6.1%}")
    left = [t for t, u in zip(texts, unmatched, strict=True) if u]
    left_languages = [lang for lang, u in zip(languages, unmatched, strict=True) if u]
    found, suggest_seconds, suggest_peak = measured(
        lambda: suggest_themes(left, left_languages, seed=args.seed)
    )
    print(
        f"suggestions from {len(left)} unmatched answers: {suggest_seconds:.2f} s, "
        f"peak {suggest_peak:.1f} MB"
    )
    for suggestion in found:
        print(f"  {suggestion.size:6d}  {', '.join(suggestion.terms)}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RESULT n={len(texts)} coding_seconds={coding_seconds:.2f} "
        f"coding_peak_mb={coding_peak:.1f} suggest_seconds={suggest_seconds:.2f} "
        f"suggest_peak_mb={suggest_peak:.1f} matched_share={1 - unmatched.mean():.3f} "
        f"suggestions={len(found)} maxrss_mb={maxrss:.0f}"
    )


if __name__ == "__main__":
    main()
