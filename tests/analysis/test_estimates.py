"""Estimates from counts: input checks, textbook special cases, tidy rows, and scale."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy import stats

from analysis.association import rao_scott
from analysis.counts import Cells, CountsError, Grouped
from analysis.estimates import FIELDS, Estimate, logit_interval, means, proportions
from analysis.weighting import Weights, rake
from tests.analysis.analysis_helpers import (
    MARGINS,
    cells_of,
    generate,
    grouped,
    linearized_se_rows,
    raking_categories,
)


def test_malformed_counts_are_refused_with_a_reason() -> None:
    with pytest.raises(CountsError, match="one count per cell"):
        Cells(("sex",), np.array([[1], [2]]), np.array([5]))
    with pytest.raises(CountsError, match="same cell twice"):
        Cells(("sex",), np.array([[1], [1]]), np.array([5, 5]))
    with pytest.raises(CountsError, match="must not be negative"):
        Cells(("sex",), np.array([[1], [2]]), np.array([5, -1]))
    with pytest.raises(CountsError, match="whole numbers"):
        Grouped(np.array([0]), {"q": np.array([1])}, np.array([1.5]))
    with pytest.raises(CountsError, match="key 'q' has shape"):
        Grouped(np.array([0, 1]), {"q": np.array([1])}, np.array([1, 1]))
    cells = Cells(("sex",), np.array([[1], [2]]), np.array([5, 5]))
    design = Weights.equal(cells)
    too_many = Grouped(np.array([0, 0]), {"q": np.array([1, 2])}, np.array([4, 3]))
    with pytest.raises(CountsError, match="cell 0 holds 5 respondents but the counts put 7"):
        proportions(design, too_many, "q")
    unknown_cell = Grouped(np.array([2]), {"q": np.array([1])}, np.array([1]))
    with pytest.raises(CountsError, match="index the design's 2 cells"):
        proportions(design, unknown_cell, "q")
    table = Grouped(np.array([0]), {"q": np.array([1])}, np.array([1]))
    with pytest.raises(CountsError, match=r"no key 'x'; they have \['q'\]"):
        proportions(design, table, "x")
    with pytest.raises(ValueError, match="unknown variance mode"):
        proportions(design, table, "q", mode="robust")  # type: ignore[arg-type]


def test_unweighted_share_has_the_textbook_variance() -> None:
    # 2 cells, 100 respondents; 60 answered, 24 chose option 1.
    cells = Cells(("sex",), np.array([[1], [2]]), np.array([50, 50]))
    table = Grouped(
        np.array([0, 0, 1, 1]),
        {"q": np.array([1, 2, 1, 2])},
        np.array([10, 20, 14, 16]),
    )
    (one, two) = proportions(Weights.equal(cells), table, "q", mode="unweighted")
    p, n_domain, n = 24 / 60, 60, 100
    assert one.estimate == pytest.approx(p)
    # Domain estimate in a design of n: var = n/(n-1) * p(1-p)/n_domain.
    assert one.se == pytest.approx(math.sqrt(n / (n - 1) * p * (1 - p) / n_domain))
    assert (one.n, one.base, one.df) == (24, 60, 59)
    t = stats.t.ppf(0.975, 59)
    centre, half = math.log(p / (1 - p)), t * one.se / (p * (1 - p))
    assert one.ci_low == pytest.approx(1 / (1 + math.exp(-(centre - half))))
    assert one.ci_high == pytest.approx(1 / (1 + math.exp(-(centre + half))))
    assert two.estimate == pytest.approx(1 - p) and two.se == pytest.approx(one.se)


def test_options_nobody_chose_are_listed_when_asked() -> None:
    cells = Cells(("sex",), np.array([[1]]), np.array([20]))
    table = Grouped(np.array([0]), {"q": np.array([1])}, np.array([20]))
    rows = proportions(Weights.equal(cells), table, "q", options=[1, 2])
    assert [(r.option, r.estimate, r.n) for r in rows] == [(1, 1.0, 20), (2, 0.0, 0)]
    assert (rows[1].ci_low, rows[1].ci_high) == (0.0, 0.0)
    assert all(math.isnan(v) for v in logit_interval(float("nan"), 0.1, 10))


@pytest.mark.parametrize("mode", ["calibrated", "fixed", "unweighted"])
def test_subgroups_of_an_item_nobody_answered_are_no_rows(mode: str) -> None:
    """A split-ballot question shown to nobody yet: no figures by subgroup, and no error."""
    sample = generate(n=300, seed=5)
    cells, _ = cells_of(sample)
    design = rake(cells, MARGINS)
    nobody = Grouped(np.array([0]), {"q": np.array([-1]), "x": np.array([np.nan])}, np.array([1]))
    assert proportions(design, nobody, "q", group="sex", options=[1, 2], mode=mode) == []
    assert means(design, nobody, "x", group="sex", mode=mode) == []


def test_calibrated_share_matches_row_level_linearization() -> None:
    sample = generate(n=800, seed=3)
    cells, index = cells_of(sample)
    design = rake(cells, MARGINS)
    rows = proportions(design, grouped(index, {"q1": sample["q1"]}), "q1")
    w = design.weights[index]
    base = sample["q1"] >= 0
    for row in rows:
        hit = (sample["q1"] == row.option).astype(float)
        total = w[base].sum()
        p = (w * hit)[base].sum() / total
        x = np.where(base, w * (hit - p) / total, 0.0)
        assert row.estimate == pytest.approx(p, abs=1e-12)
        assert row.se == pytest.approx(
            linearized_se_rows(w, x, raking_categories(sample)), abs=1e-12
        )
        fixed = linearized_se_rows(w, x, [], calibrated=False)
        (fixed_row,) = [
            r
            for r in proportions(design, grouped(index, {"q1": sample["q1"]}), "q1", mode="fixed")
            if r.option == row.option
        ]
        assert fixed_row.se == pytest.approx(fixed, abs=1e-12)


def test_means_skip_excluded_codes_and_missing_numbers() -> None:
    cells = Cells(("sex",), np.array([[1], [2]]), np.array([10, 10]))
    table = Grouped(
        np.array([0, 0, 1, 1]),
        {"x": np.array([1.0, 99.0, 3.0, np.nan])},
        np.array([4, 2, 4, 3]),
    )
    (row,) = means(Weights.equal(cells), table, "x", exclude=[99.0])
    assert row.estimate == pytest.approx(2.0)
    assert (row.n, row.base, row.df, row.kind) == (8, 8, 7, "mean")
    with pytest.raises(CountsError, match="holds numbers"):
        proportions(Weights.equal(cells), table, "x")


def test_tidy_rows_have_the_report_columns() -> None:
    row = Estimate("q1", 4, 12, 100, 0.12, 0.03, 0.07, 0.2, 99)
    assert tuple(row.as_dict()) == FIELDS
    hidden = row.hidden()
    assert hidden.suppressed and hidden.n is None and math.isnan(hidden.estimate)
    # Nothing that gives its size away: no base, and no df (df + 1 was the base).
    tidy = hidden.as_dict()
    assert tidy["base"] is tidy["df"] is None
    assert all(math.isnan(tidy[name]) for name in ("estimate", "se", "ci_low", "ci_high"))
    assert (tidy["item"], tidy["option"]) == ("q1", 4)


def test_a_shown_row_whose_base_is_hidden_keeps_nothing_that_gives_it_back() -> None:
    """df + 1 is the base, and the interval's t quantile gives df: both go with the base. An
    unweighted share is its count over the base, so it goes too (with its standard error)."""
    p, se = 0.41, 0.06
    low, high = logit_interval(p, se, 59)
    row = Estimate("q1", 4, 25, 60, p, se, low, high, 59, group="g", group_code=3)

    def logit(x: float) -> float:
        return math.log(x / (1 - x))

    # The attack on the interval: its t quantile names the degrees of freedom, df + 1 the base.
    t = (logit(high) - logit(p)) * p * (1 - p) / se
    assert min(range(1, 1000), key=lambda df: abs(stats.t.ppf(0.975, df) - t)) + 1 == row.base
    weighted = row.without_base()
    assert (weighted.n, weighted.base, weighted.df) == (25, None, None)
    assert (weighted.estimate, weighted.se) == (p, se) and not weighted.suppressed
    assert math.isnan(weighted.ci_low) and math.isnan(weighted.ci_high)
    unweighted = row.without_base(count_ratio=True)
    assert unweighted.n == 25 and math.isnan(unweighted.estimate) and math.isnan(unweighted.se)


def test_chi_square_needs_two_categories_each() -> None:
    cells = Cells(("sex",), np.array([[1]]), np.array([20]))
    table = Grouped(
        np.array([0, 0]), {"a": np.array([1, 1]), "b": np.array([1, 2])}, np.array([10, 10])
    )
    with pytest.raises(ValueError, match="'a' has 1"):
        rao_scott(Weights.equal(cells), table, "a", "b")


def test_work_grows_with_classes_not_respondents() -> None:
    """Multiplying every count by 1,000 (2 million respondents) changes no share and takes no
    longer: the engine never touches individual respondents."""
    sample = generate(n=2000, seed=11)
    cells, index = cells_of(sample)
    table = grouped(index, {"q1": sample["q1"], "grp": sample["grp"]})
    big_cells = Cells(cells.variables, cells.categories, cells.counts * 1000)
    big_table = Grouped(table.cell, table.keys, table.counts * 1000)
    small = proportions(rake(cells, MARGINS), table, "q1", group="grp")
    start = time.perf_counter()
    big = proportions(rake(big_cells, MARGINS), big_table, "q1", group="grp")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    for a, b in zip(small, big, strict=True):
        assert b.estimate == pytest.approx(a.estimate, abs=1e-9)
        # Same shares from 1,000 times the respondents: standard errors shrink by about sqrt(1000).
        assert b.se == pytest.approx(a.se / math.sqrt(1000), rel=0.01)
