"""The shipped consultation's figures do not move when the code around them does.

A fixed simulated wave (600 responses, seed 7) of biotech-2026 gives a report kept in
`fixtures/`: every figure, weight and test must come out the same to the last digit. Only the
words around them (the method text, the vocabulary's labels, the labels and sentence of each
answer the margins do not list) may change. A failure names the first figure that differs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Flask
from threadpoolctl import threadpool_limits

FIXTURES = Path(__file__).parent / "fixtures"
OVERALL = FIXTURES / "biotech-2026-n600-seed7.report.json.gz"
BY_AGE_GROUP_SHA256 = "1816eaeaf82002d830beb2130392b4199c96c1b903c7944ba2ae947a8a5b62ca"
"""Digest of the report by AGE_GROUP (3,920 figures), canonical JSON without the method text."""


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
    return None if found == expected else f"{path}: {found!r} instead of {expected!r}"


def test_the_shipped_sets_report_is_unchanged_to_the_last_digit(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    wave = simulated_wave
    with gzip.open(OVERALL, "rt") as handle:
        expected = json.load(handle)
    overall = _report(app, tmp_path, "--wave", wave)
    assert _first_difference(overall, expected) is None, _first_difference(overall, expected)

    by_age = _report(app, tmp_path, "--wave", wave, "--by", "AGE_GROUP")
    canonical = json.dumps(by_age, sort_keys=True, indent=0).encode()
    assert hashlib.sha256(canonical).hexdigest() == BY_AGE_GROUP_SHA256
