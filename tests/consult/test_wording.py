"""The rules that choose the words of the report's findings: never more than the interval
carries. Edge cases: an interval touching 50% or 0, a suppressed figure, a withheld test, no
previous wave."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis import Estimate, WaveDifference
from analysis.waves import wave_difference
from consult.results.wording import (
    Difference,
    Share,
    change_word,
    difference_word,
    passes,
    share_word,
)

NAN = float("nan")


@pytest.mark.parametrize(
    ("low", "high", "word"),
    [
        (0.51, 0.60, Share.MAJORITY),
        (0.5000001, 0.55, Share.MAJORITY),
        (0.50, 0.58, Share.UNCLEAR),  # touches 50%: half is not a majority
        (0.45, 0.55, Share.UNCLEAR),
        (0.42, 0.50, Share.UNCLEAR),  # touches 50% from below: not a minority either
        (0.42, 0.4999999, Share.MINORITY),
        (0.0, 0.0, Share.MINORITY),  # nobody: a count of 0 is shown, and is a minority
        (1.0, 1.0, Share.MAJORITY),
    ],
)
def test_a_majority_only_when_the_whole_interval_is_above_half(
    low: float, high: float, word: Share
) -> None:
    assert share_word(low, high) is word


@pytest.mark.parametrize(("low", "high"), [(NAN, NAN), (None, None), (0.6, NAN), (None, 0.7)])
def test_a_suppressed_share_or_one_without_its_interval_has_no_word(
    low: float | None, high: float | None
) -> None:
    assert share_word(low, high) is None
    assert difference_word(low, high) is None


@pytest.mark.parametrize(
    ("low", "high", "word"),
    [
        (0.01, 0.09, Difference.MORE),
        (0.0, 0.09, Difference.UNCLEAR),  # the interval reaches 0 exactly
        (-0.03, 0.04, Difference.UNCLEAR),
        (0.0, 0.0, Difference.UNCLEAR),  # exactly no difference
        (-0.09, 0.0, Difference.UNCLEAR),
        (-0.09, -1e-9, Difference.LESS),
    ],
)
def test_more_than_only_when_the_differences_interval_excludes_zero(
    low: float, high: float, word: Difference
) -> None:
    assert difference_word(low, high) is word


@pytest.mark.parametrize(
    ("p", "passed"),
    [(0.049, True), (0.05, False), (0.2, False), (None, False), (NAN, False), (0.0, True)],
)
def test_a_test_passes_below_five_percent_only(p: float | None, passed: bool) -> None:
    assert passes(p) is passed


def _change(earlier: float, later: float, se: float) -> WaveDifference:
    row = Estimate("ACC_X", "acceptable", 100, 500, earlier, se, NAN, NAN, 499)
    return wave_difference(row, replace(row, estimate=later))


def test_a_change_is_a_rise_or_fall_only_when_its_test_passes() -> None:
    rise = _change(0.40, 0.50, 0.02)
    assert rise.ci_low > 0 and rise.p_value < 0.05
    assert change_word(rise.ci_low, rise.ci_high, rise.p_value) is Difference.MORE
    fall = _change(0.50, 0.40, 0.02)
    assert change_word(fall.ci_low, fall.ci_high, fall.p_value) is Difference.LESS
    chance = _change(0.40, 0.42, 0.02)
    assert chance.ci_low < 0 < chance.ci_high
    assert change_word(chance.ci_low, chance.ci_high, chance.p_value) is Difference.UNCLEAR
    # An interval that leaves out 0 with a test that does not pass (or is missing) says nothing.
    assert change_word(0.01, 0.05, 0.2) is Difference.UNCLEAR
    assert change_word(0.01, 0.05, None) is Difference.UNCLEAR
    # No previous figure (first wave, or suppressed then): no word at all.
    assert change_word(None, None, None) is None
    assert change_word(NAN, NAN, NAN) is None
