"""Differences between waves, and Cronbach's alpha from a battery's answer patterns."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.estimates import Estimate, proportions
from analysis.scales import cronbach_alpha
from analysis.waves import wave_difference, wave_differences
from analysis.weighting import rake
from tests.analysis.analysis_helpers import MARGINS, cells_of, generate, grouped


def share(estimate: float, se: float, option: int = 4, group_code: int | None = None) -> Estimate:
    return Estimate("ACC", option, 100, 1000, estimate, se, 0.0, 1.0, 999, group_code=group_code)


def test_wave_difference_is_a_z_test_on_independent_samples() -> None:
    result = wave_difference(share(0.40, 0.012), share(0.45, 0.016))
    se = math.sqrt(0.012**2 + 0.016**2)
    assert result.difference == pytest.approx(0.05)
    assert result.se == pytest.approx(se)
    assert result.z == pytest.approx(0.05 / se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(0.05 / se))
    assert result.ci_low == pytest.approx(0.05 - 1.959963984540054 * se)
    assert result.ci_high == pytest.approx(0.05 + 1.959963984540054 * se)
    assert result.significant
    assert not wave_difference(share(0.40, 0.02), share(0.42, 0.02)).significant


def test_wave_difference_refuses_mismatched_or_hidden_figures() -> None:
    with pytest.raises(ValueError, match="different figures"):
        wave_difference(share(0.4, 0.01, option=4), share(0.4, 0.01, option=5))
    with pytest.raises(ValueError, match="suppressed"):
        wave_difference(share(0.4, 0.01).hidden(), share(0.4, 0.01))


def test_wave_differences_pair_rows_and_skip_hidden_ones() -> None:
    """A figure hidden in either wave is not compared: the change would give it back."""
    earlier = [share(0.3, 0.01, 4, 1), share(0.2, 0.01, 5, 1), share(0.1, 0.01, 9, 1).hidden()]
    earlier.append(share(0.15, 0.01, 3, 1))
    later = [share(0.35, 0.01, 4, 1), share(0.2, 0.01, 9, 1), share(0.25, 0.01, 5, 2)]
    later.append(share(0.15, 0.01, 3, 1).hidden())
    pairs = wave_differences(earlier, later)
    assert [(p.later.option, p.later.group_code) for p in pairs] == [(4, 1)]
    assert pairs[0].difference == pytest.approx(0.05)


def test_wave_difference_from_two_generated_waves() -> None:
    results = []
    for seed in (1, 2):
        sample = generate(n=1200, seed=seed)
        cells, index = cells_of(sample)
        rows = proportions(rake(cells, MARGINS), grouped(index, {"q1": sample["q1"]}), "q1")
        results.append(rows)
    pairs = wave_differences(results[0], results[1])
    assert len(pairs) == 6
    # Same population model in both waves: no option changes significantly at the 0.1% level.
    assert all(p.p_value > 0.001 for p in pairs)


def direct_alpha(x: np.ndarray, w: np.ndarray) -> float:
    """Weighted Cronbach's alpha on individual rows (complete cases)."""
    k = x.shape[1]
    cov = np.cov(x, rowvar=False, aweights=w)
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def test_cronbach_alpha_equals_the_formula_on_the_rows() -> None:
    sample = generate(n=1500, seed=5)
    cells, index = cells_of(sample)
    design = rake(cells, MARGINS)
    items = ["r1", "r2", "r3", "r4"]
    table = grouped(index, {item: sample[item] for item in items})
    x = np.column_stack([sample[item] for item in items]).astype(float)
    complete = np.all((x >= 0) & (x != 9), axis=1)
    weighted = cronbach_alpha(design, table, items)
    assert weighted.respondents == int(complete.sum())
    assert weighted.alpha == pytest.approx(
        direct_alpha(x[complete], design.weights[index][complete]), abs=1e-12
    )
    plain = cronbach_alpha(design, table, items, mode="unweighted")
    assert plain.alpha == pytest.approx(
        direct_alpha(x[complete], np.ones(int(complete.sum()))), abs=1e-12
    )
    assert 0.5 < plain.alpha < 0.95  # the rows share a person effect
    assert weighted.alpha != pytest.approx(plain.alpha, abs=1e-6)
    with_dont_know = cronbach_alpha(design, table, items, exclude=())
    assert with_dont_know.respondents > weighted.respondents
    with pytest.raises(ValueError, match="at least two rows"):
        cronbach_alpha(design, table, ["r1"])
