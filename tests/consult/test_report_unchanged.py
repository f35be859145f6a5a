"""The shipped consultation's figures do not move when the code around them does.

A fixed simulated wave (600 responses, seed 7) of biotech-2026 gives reports kept in
`fixtures/` (overall and by AGE_GROUP): every count, label code and suppression must come out the
same, and every figure, weight and test the same to 1e-12 (relative). Not to the last bit: the
order in which NumPy adds up a sum depends on the processor's vector width (AVX2 or AVX-512),
which moves the last digit of a few figures between machines. Only the words around them (the
method text, the vocabulary's labels, the labels and sentence of each answer the margins do not
list) may change. A failure names the first figure that differs.

When a change is meant to move figures (a new suppression rule), write the new reports with
`_report` and compare them with the kept ones figure by figure before replacing them.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

from flask import Flask
from threadpoolctl import threadpool_limits

FIXTURES = Path(__file__).parent / "fixtures"
OVERALL = FIXTURES / "biotech-2026-n600-seed7.report.json.gz"
BY_AGE_GROUP = FIXTURES / "biotech-2026-n600-seed7-by-age-group.report.json.gz"
RELATIVE = 1e-12


def _report(app: Flask, tmp_path: Path, *args: str) -> dict[str, Any]:
    """The report as `consult report` computes it: on one BLAS thread, since the order in which
    threads add up products moves the last digit of a few figures."""
    out = tmp_path / "report.json"
    with threadpool_limits(limits=1, user_api="blas"):
        result = app.test_cli_runner().invoke(args=["report", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text())
    data.pop("method")
    data.pop("vocabulary", None)  # labels, not figures
    for answer in data["weighting"]["outside_margins"]:  # words, beside the figures
        for words in ("variable_label", "category_label", "note"):
            answer.pop(words)
    return data


def _first_difference(found: Any, expected: Any, path: str = "report") -> str | None:
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            if key not in found or key not in expected:
                return f"{path}.{key}: present in only one of the two"
            difference = _first_difference(found[key], expected[key], f"{path}.{key}")
            if difference:
                return difference
        return None
    if isinstance(expected, list) and isinstance(found, list):
        if len(found) != len(expected):
            return f"{path}: {len(found)} entries instead of {len(expected)}"
        for index, (a, b) in enumerate(zip(found, expected, strict=True)):
            difference = _first_difference(a, b, f"{path}[{index}]")
            if difference:
                return difference
        return None
    if isinstance(expected, float) and isinstance(found, float):
        same = (math.isnan(found) and math.isnan(expected)) or math.isclose(
            found, expected, rel_tol=RELATIVE, abs_tol=1e-15
        )
        return None if same else f"{path}: {found!r} instead of {expected!r}"
    if type(found) is not type(expected) or found != expected:
        return f"{path}: {found!r} instead of {expected!r}"
    return None


def test_the_shipped_sets_report_is_unchanged_to_the_last_digit(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    for kept, by in ((OVERALL, ()), (BY_AGE_GROUP, ("--by", "AGE_GROUP"))):
        with gzip.open(kept, "rt") as handle:
            expected = json.load(handle)
        found = _report(app, tmp_path, "--wave", simulated_wave, *by)
        difference = _first_difference(found, expected)
        assert difference is None, difference


def test_a_moved_figure_is_found() -> None:
    """The comparison lets the last bits move, nothing more."""
    kept = {"estimates": [{"n": 12, "estimate": 0.25, "suppressed": False, "ci": float("nan")}]}
    same = {
        "estimates": [{"n": 12, "estimate": 0.25 + 1e-16, "suppressed": False, "ci": float("nan")}]
    }
    assert _first_difference(same, kept) is None
    for key, value in (("n", 13), ("estimate", 0.25 + 1e-9), ("suppressed", True), ("ci", 0.1)):
        moved = {"estimates": [{**kept["estimates"][0], key: value}]}
        assert _first_difference(moved, kept) == (
            f"report.estimates[0].{key}: {value!r} instead of {kept['estimates'][0][key]!r}"
        )
