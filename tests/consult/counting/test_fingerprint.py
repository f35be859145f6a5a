"""The counting plan's fingerprint: stored with each wave's counts, so that any change of the
counting rule (or of the set) makes `consult report` recount the waves it concerns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from consult.counting import plan as counting
from consult.counting.plan import CountPlan
from surveys.loader import load_file

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
