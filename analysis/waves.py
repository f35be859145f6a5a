"""Change between two yearly waves: the difference of two independent weighted estimates.

Waves are separate samples, so their estimates are independent and the variance of the
difference is the sum of the variances. Waves are large, so the test uses the normal
distribution (a z test), not t.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from analysis.estimates import Estimate


@dataclass(frozen=True)
class WaveDifference:
    """Later minus earlier estimate of the same figure, with its z test and interval."""

    earlier: Estimate
    later: Estimate
    difference: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float

    @property
    def significant(self) -> bool:
        """True when the change is significant at the 5% level (two-sided)."""
        return self.p_value < 0.05


def wave_difference(earlier: Estimate, later: Estimate, *, level: float = 0.95) -> WaveDifference:
    """Difference later - earlier, se = sqrt(se1^2 + se2^2), two-sided z test and interval."""
    if earlier.suppressed or later.suppressed:
        raise ValueError("a suppressed figure cannot be compared between waves")
    if (earlier.item, earlier.option, earlier.kind) != (later.item, later.option, later.kind):
        raise ValueError(
            f"comparing different figures: {earlier.item}/{earlier.option} "
            f"and {later.item}/{later.option}"
        )
    difference = later.estimate - earlier.estimate
    se = math.sqrt(earlier.se**2 + later.se**2)
    z = difference / se if se > 0 else float("nan")
    p_value = float(2.0 * stats.norm.sf(abs(z))) if se > 0 else float("nan")
    half = float(stats.norm.ppf(0.5 + level / 2.0)) * se
    return WaveDifference(
        earlier=earlier,
        later=later,
        difference=difference,
        se=se,
        z=z,
        p_value=p_value,
        ci_low=difference - half,
        ci_high=difference + half,
    )


def wave_differences(
    earlier: Sequence[Estimate], later: Sequence[Estimate], *, level: float = 0.95
) -> list[WaveDifference]:
    """Pair the rows of two waves by (item, group, group code, option) and compare each pair.

    Rows present in only one wave, or suppressed in either, are left out.
    """

    def key(row: Estimate) -> tuple[object, ...]:
        return (row.item, row.group, row.group_code, row.option, row.kind)

    before = {key(row): row for row in earlier if not row.suppressed}
    return [
        wave_difference(before[key(row)], row, level=level)
        for row in later
        if not row.suppressed and key(row) in before
    ]
