"""The words of a finding, chosen by rules on its interval, so the report never says more than
its figures carry: "a majority" only when the whole 95% interval lies above 50%, "more than" only
when the interval of the difference leaves out 0, "changed" only when the change passes its test.

Plain Python (no Flask, no database): each rule takes numbers and returns a word's key, which
`consult.results.findings` turns into a sentence in the reader's language. A suppressed or
missing figure (None or NaN) has no word: the report then says nothing about it.
"""

from __future__ import annotations

import math
from enum import Enum

SIGNIFICANCE = 0.05
"""The level a test must pass (two-sided p below it) for a finding to say there is a difference."""


class Share(Enum):
    """How a share relates to half of the population."""

    MAJORITY = "majority"
    """The whole interval lies above 50%."""
    MINORITY = "minority"
    """The whole interval lies below 50%."""
    UNCLEAR = "unclear"
    """The interval holds (or touches) 50%: it may be more or less than half."""


class Difference(Enum):
    """How a difference (or change) relates to 0."""

    MORE = "more"
    """The whole interval lies above 0."""
    LESS = "less"
    """The whole interval lies below 0."""
    UNCLEAR = "unclear"
    """The interval holds (or touches) 0: no difference can be claimed."""


def known(*values: float | None) -> bool:
    """Whether every value is a number (a suppressed figure has NaN or None)."""
    return all(value is not None and math.isfinite(value) for value in values)


def share_word(low: float | None, high: float | None) -> Share | None:
    """The word for a share with its interval `low`-`high`; None without an interval (the figure
    is suppressed, or shown without its interval because its base is hidden). An interval that
    touches 50% exactly is not a majority: 50% itself is not more than half."""
    if not known(low, high):
        return None
    assert low is not None and high is not None
    if low > 0.5:
        return Share.MAJORITY
    if high < 0.5:
        return Share.MINORITY
    return Share.UNCLEAR


def difference_word(low: float | None, high: float | None) -> Difference | None:
    """The word for a difference with its interval: "more" only when the interval leaves out 0
    (an interval ending at exactly 0 does not); None when it is unknown (suppressed)."""
    if not known(low, high):
        return None
    assert low is not None and high is not None
    if low > 0:
        return Difference.MORE
    if high < 0:
        return Difference.LESS
    return Difference.UNCLEAR


def passes(p_value: float | None) -> bool:
    """Whether a test's result may be reported as a difference: a p-value below the level. A
    withheld test (None), or one with no p-value (NaN), never passes."""
    return known(p_value) and p_value is not None and p_value < SIGNIFICANCE


def change_word(low: float | None, high: float | None, p_value: float | None) -> Difference | None:
    """The word for a change since the previous wave: a rise or a fall only when its test
    passes and its interval leaves out 0 (both, so the two can never contradict each other);
    UNCLEAR otherwise; None when there is no previous figure to compare with."""
    word = difference_word(low, high)
    if word is None:
        return None
    return word if passes(p_value) else Difference.UNCLEAR
