"""The counting plan's fingerprint: stored with each wave's counts, so that any change of the
counting rule (or of the set) makes `consult report` recount the waves it concerns."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections import Counter
from pathlib import Path

import pytest

from consult.counting import plan as counting
from consult.counting.one import cell_key, count_response
from consult.counting.plan import CountPlan
from surveys.loader import load_file
from surveys.model import AnswerCell, QuestionSet

SHIPPED = Path(__file__).resolve().parents[3] / "surveys" / "definitions" / "biotech-2026.yaml"

EXPECTED = "4398002e6031685cb7593e3a59931829973f9b858be7520372c772920f3b969d"
"""The fingerprint of the shipped set's plan (surveys/definitions/biotech-2026.yaml)."""


def test_the_shipped_sets_counting_rule_is_the_one_expected() -> None:
    found = CountPlan.of(load_file(SHIPPED)).fingerprint()
    assert found == EXPECTED, (
        f"the counting rule changed: the plan of {SHIPPED.name} now has fingerprint {found} "
        f"instead of {EXPECTED}. Every wave whose counts were kept under the old rule will be "
        "recounted from its stored answers before its next report (`consult report` does it "
        "by itself; a few minutes for a wave of a million responses), and its figures may "
        "change. If that is intended, say so in the commit and set EXPECTED in "
        f"{Path(__file__).name} to {found!r}; if not, the change to consult/counting/plan.py "
        "(or to the shipped set) is a mistake."
    )


def test_a_change_of_rule_or_of_set_changes_the_fingerprint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question_set = load_file(SHIPPED)
    plan = CountPlan.of(question_set)
    assert CountPlan.of(load_file(SHIPPED)).fingerprint() == plan.fingerprint()  # stable

    # Another set: one code moved out of a profile's group of accepted answers.
    profile = plan.profiles[0]
    moved = dataclasses.replace(profile, groups=(((4,),), *profile.groups[1:]))
    assert moved != profile
    other = dataclasses.replace(plan, profiles=(moved, *plan.profiles[1:]))
    assert other.fingerprint() != plan.fingerprint()

    # Another rule: smaller profiles kept, or the engines' words about what they do.
    monkeypatch.setattr(counting, "MAX_PROFILE_ITEMS", 6)
    assert CountPlan.of(question_set).fingerprint() != plan.fingerprint()
    monkeypatch.undo()
    monkeypatch.setattr(counting, "RULE", counting.RULE + " Changed.")
    assert CountPlan.of(question_set).fingerprint() != plan.fingerprint()


def _fixed_responses(question_set: QuestionSet, n: int) -> list[list[AnswerCell]]:
    """Answers to every item of the set, drawn with Python's Mersenne Twister (its stream of
    floats is the same on every platform and version): fixed input for the golden counts."""
    rng = random.Random(2026)

    def pick(options: list[int]) -> int:
        return options[int(rng.random() * len(options))]

    responses = []
    for _ in range(n):
        cells: list[AnswerCell] = []
        for item in question_set.all_items():
            options = [choice.code for choice in item.choices]
            if item.type in ("single", "likert"):
                cells.append(AnswerCell(item.code, option=pick(options)))
            elif item.type == "battery":
                cells += [AnswerCell(row.code, option=pick(options)) for row in item.rows]
            elif item.type == "multiple":
                cells += [AnswerCell(item.code, option=o) for o in options if rng.random() < 0.3]
            elif item.type == "ranking":
                order = sorted(options, key=lambda _: rng.random())
                cells += [
                    AnswerCell(item.code, option=o, number=float(r)) for r, o in enumerate(order, 1)
                ]
            elif item.type in ("number", "slider"):
                low, high = item.min or 0, item.max if item.max is not None else 100
                cells.append(AnswerCell(item.code, number=float(low + int(rng.random() * high))))
        responses.append(cells)
    return responses


EXPECTED_COUNTS = "7f7dc0278ca7ffba943ffac9cfe17f64b6d943308acf3a01665b36201f6200a1"
"""sha256 of the counts of `_fixed_responses(shipped set, 300)`, as `_counts_digest` writes them."""


def _counts_digest(plan: CountPlan, responses: list[list[AnswerCell]]) -> str:
    counted: Counter[tuple[str, str, float]] = Counter()
    for cells in responses:
        key = cell_key(plan, cells)
        for (code, value), n in count_response(plan, cells).items():
            counted[(key, code, value)] += n
    text = "\n".join(
        f"{key}\t{code}\t{value!r}\t{n}" for (key, code, value), n in sorted(counted.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_engines_count_as_the_rule_says() -> None:
    """Counting the same answers gives the same counts as when `RULE` was last written: an
    engine that starts counting differently without saying so in `RULE` (and so without
    changing the fingerprint) would leave waves counted under two rules."""
    question_set = load_file(SHIPPED)
    plan = CountPlan.of(question_set)
    found = _counts_digest(plan, _fixed_responses(question_set, 300))
    assert found == EXPECTED_COUNTS, (
        "the counting engines count differently than when consult/counting/plan.py's RULE was "
        "last written. Describe the change in RULE, so every wave's fingerprint changes and it "
        f"is recounted before its next report; then set EXPECTED_COUNTS to {found!r} (and "
        "EXPECTED to the new fingerprint)."
    )
