"""Disclosure control: small cells are hidden and cannot be recovered from what is shown."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.disclosure import suppress_estimates, suppress_lines, suppress_table
from analysis.estimates import Estimate


def lines_of(g: int, k: int) -> list[list[int]]:
    """Lines of a g x k table with row, column and grand totals (see suppress_table)."""
    cell = np.arange(g * k).reshape(g, k)
    rows = g * k + np.arange(g)
    cols = g * k + g + np.arange(k)
    grand = g * k + g + k
    return (
        [[*cell[i], rows[i]] for i in range(g)]
        + [[*cell[:, j], cols[j]] for j in range(k)]
        + [[*cols, grand], [*rows, grand]]
    )


def assert_protected(mask, counts: np.ndarray, minimum: int) -> None:
    """Every small entry hidden; no line with exactly one hidden entry."""
    g, k = counts.shape
    hidden = np.concatenate(
        [mask.cells.ravel(), mask.row_totals, mask.column_totals, [mask.grand_total]]
    )
    entries = np.concatenate([counts.ravel(), counts.sum(1), counts.sum(0), [counts.sum()]])
    assert np.all(hidden[(entries > 0) & (entries < minimum)])
    for line in lines_of(g, k):
        assert hidden[line].sum() != 1, f"line {line} has a single hidden entry"


def test_one_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    counts = np.array([[50, 30, 4, 60], [40, 25, 35, 70], [45, 20, 33, 80]])
    mask = suppress_table(counts)
    assert mask.cells[0, 2]
    # The row partner is the smallest other cell of the row (30), the column partner the
    # smallest other cell of the column (33); then row 2 needs a partner too (20).
    assert mask.cells[0, 1] and mask.cells[2, 2] and mask.cells[2, 1]
    assert mask.cells.sum() == 4
    assert not mask.row_totals.any() and not mask.column_totals.any()
    assert_protected(mask, counts, 10)


def test_a_small_group_is_hidden_whole_and_another_group_with_it() -> None:
    counts = np.array([[3, 2, 1], [40, 50, 60], [20, 15, 30], [70, 80, 90]])
    mask = suppress_table(counts)
    assert mask.cells[0].all() and mask.row_totals[0]
    # The group's base is hidden; with the overall base shown another base must go (the smallest).
    assert mask.row_totals[2]
    assert_protected(mask, counts, 10)


def test_nothing_is_hidden_when_every_cell_is_large_enough() -> None:
    counts = np.array([[10, 11], [12, 13]])
    mask = suppress_table(counts)
    assert not mask.cells.any() and not mask.row_totals.any()


@pytest.mark.parametrize("seed", range(20))
def test_random_tables_are_always_protected(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 40, size=(rng.integers(2, 6), rng.integers(2, 7)))
    assert_protected(suppress_table(counts, 10), counts, 10)


def test_lines_without_shown_totals_need_no_partner() -> None:
    counts = np.array([[5, 50, 60]])
    assert suppress_table(counts, row_totals=False, column_totals=False).cells.tolist() == [
        [True, False, False]
    ]
    assert suppress_lines(np.array([5, 50, 60]), [], 10).tolist() == [True, False, False]


def row(group_code: int | None, option: int, n: int, base: int) -> Estimate:
    return Estimate(
        item="q1",
        option=option,
        n=n,
        base=base,
        estimate=n / base,
        se=0.01,
        ci_low=0.0,
        ci_high=1.0,
        df=base - 1,
        group=None if group_code is None else "sex",
        group_code=group_code,
    )


def test_estimate_rows_lose_their_numbers_when_hidden() -> None:
    rows = [
        row(None, 1, 100, 217),
        row(None, 2, 85, 217),
        row(None, 9, 32, 217),
        row(1, 1, 60, 125),
        row(1, 2, 40, 125),
        row(1, 9, 25, 125),
        row(2, 1, 40, 92),
        row(2, 2, 45, 92),
        row(2, 9, 7, 92),
    ]
    out = suppress_estimates(rows, minimum=10)
    hidden = {(r.group_code, r.option) for r in out if r.suppressed}
    # (2, 9) is small; its row partner is (2, 1) (40 < 45); then option 1's column needs a
    # partner (60) and the don't-know column too (25); group 1 then has two hidden cells.
    assert hidden == {(2, 9), (2, 1), (1, 1), (1, 9)}
    for r in out:
        if r.suppressed:  # not even the base or df (df + 1 is the base)
            assert r.n is r.base is r.df is None
            assert math.isnan(r.estimate) and math.isnan(r.se) and math.isnan(r.ci_low)
        else:
            assert r.n is not None and r.base is not None and not math.isnan(r.estimate)


def test_means_hide_small_groups_and_a_partner_group() -> None:
    def mean_row(code: int | None, base: int) -> Estimate:
        return Estimate(
            "x",
            None,
            base,
            base,
            50.0,
            1.0,
            48.0,
            52.0,
            base - 1,
            "mean",
            None if code is None else "age",
            code,
        )

    out = suppress_estimates(
        [mean_row(None, 300), mean_row(1, 6), mean_row(2, 120), mean_row(3, 80), mean_row(4, 94)]
    )
    assert [r.suppressed for r in out] == [False, True, False, True, False]
    assert out[1].base is None and out[3].base is None
