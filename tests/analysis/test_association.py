"""A Rao-Scott test between groups does not undo the suppression of the table it tests.

Over every group, a test's published statistics rebuild hidden cells: Pearson's X^2 with the
table's margins gives a fully suppressed 2x2 table back exactly. So a test covers only the
groups whose figures are all shown, names the others, and is withheld when fewer than two
groups remain (`rao_scott_over_shown`).
"""

from __future__ import annotations

import math

import numpy as np

from analysis.association import (
    TOO_FEW_ANSWERS,
    TOO_FEW_GROUPS,
    rao_scott,
    rao_scott_over_shown,
    shown_groups,
)
from analysis.counts import Cells, Grouped
from analysis.disclosure import suppress_estimates
from analysis.estimates import Estimate, proportions
from analysis.weighting import Weights


def _table(cells: dict[tuple[int, int], int]) -> tuple[Weights, Grouped]:
    """Respondents per (group, answer), all in one weighting cell: an unweighted design."""
    keys = list(cells)
    total = sum(cells.values())
    design = Weights.equal(Cells(("all",), np.array([[1]]), np.array([total])))
    table = Grouped(
        cell=np.zeros(len(keys), dtype=np.int64),
        keys={
            "g": np.array([g for g, _ in keys], dtype=np.int64),
            "q": np.array([q for _, q in keys], dtype=np.int64),
        },
        counts=np.array([cells[key] for key in keys], dtype=np.int64),
    )
    return design, table


def _published(design: Weights, table: Grouped) -> list[Estimate]:
    """The answer's shares overall and by group as published: small cells suppressed."""
    rows = proportions(design, table, "q", options=[1, 2], mode="unweighted")
    rows += proportions(design, table, "q", group="g", options=[1, 2], mode="unweighted")
    return suppress_estimates(rows, minimum=10)


def test_a_test_over_every_group_rebuilt_a_fully_suppressed_2x2_table() -> None:
    truth = {(1, 1): 59, (1, 2): 1, (2, 1): 31, (2, 2): 9}
    design, table = _table(truth)
    published = _published(design, table)
    by_group = [row for row in published if row.group == "g"]
    assert all(row.suppressed for row in by_group)  # every cell of the 2x2 table is hidden
    overall = {row.option: row.n for row in published if row.group is None}
    assert overall == {1: 90, 2: 10}  # the overall counts are shown

    # The attack on what used to be published: the test over both groups, whose Pearson X^2
    # (and its respondents) an attacker matches against every table with the known margins
    # (the groups' bases, 60 and 40, were on the hidden rows as their base, or df + 1).
    before = rao_scott(design, table, "q", "g", mode="unweighted")
    found = []
    for n11 in range(0, 61):
        n12, n21 = 60 - n11, overall[1] - n11
        n22 = 40 - n21
        if min(n12, n21, n22) < 0:
            continue
        candidate = {(1, 1): n11, (1, 2): n12, (2, 1): n21, (2, 2): n22}
        _, other = _table({key: value for key, value in candidate.items() if value > 0})
        test = rao_scott(design, other, "q", "g", mode="unweighted")
        if math.isclose(test.pearson, before.pearson, rel_tol=1e-9):
            found.append(candidate)
    assert found == [truth]  # rebuilt exactly

    # Now: both groups have hidden figures, so the test is withheld; nothing is left to match.
    now = rao_scott_over_shown(design, table, "q", "g", by_group, mode="unweighted")
    assert now is not None
    assert (now.result, now.left_out, now.withheld) == (None, (1, 2), TOO_FEW_GROUPS)


def _hiding(rows: list[Estimate], groups: set[int]) -> list[Estimate]:
    """The rows with the figures of some groups hidden (as suppression may leave them)."""
    return [row.hidden() if row.group_code in groups else row for row in rows]


def _by_group(design: Weights, table: Grouped) -> list[Estimate]:
    return proportions(design, table, "q", group="g", options=[1, 2], mode="unweighted")


def test_a_test_covers_only_the_groups_whose_figures_are_all_shown() -> None:
    cells = {(1, 1): 50, (1, 2): 50, (2, 1): 40, (2, 2): 45, (3, 1): 30, (3, 2): 25}
    cells |= {(4, 1): 3, (4, 2): 4, (5, 1): 20, (5, 2): 2}  # group 4 small, 5 with a small cell
    design, table = _table(cells)
    rows = _hiding(_by_group(design, table), {4})
    rows = [row.hidden() if (row.group_code, row.option) == (5, 2) else row for row in rows]
    assert shown_groups(rows, "g") == ([1, 2, 3], [4, 5])
    test = rao_scott_over_shown(design, table, "q", "g", rows, mode="unweighted")
    assert test is not None and test.result is not None
    assert (test.left_out, test.withheld) == ((4, 5), None)
    # The same test as on the table without groups 4 and 5: it says nothing about their cells.
    _, without = _table({key: value for key, value in cells.items() if key[0] < 4})
    expected = rao_scott(design, without, "q", "g", mode="unweighted")
    assert test.result.column_codes == (1, 2, 3)
    assert test.result.respondents == 240 == expected.respondents  # the shown groups' bases
    for name in ("statistic", "ndf", "ddf", "p_value", "pearson"):
        assert math.isclose(getattr(test.result, name), getattr(expected, name), rel_tol=1e-12)


def test_a_test_is_withheld_when_its_shown_groups_leave_too_little() -> None:
    # One group shown, the other hidden: fewer than two groups to compare.
    design, table = _table({(1, 1): 50, (1, 2): 40, (2, 1): 4, (2, 2): 3})
    rows = _hiding(_by_group(design, table), {2})
    test = rao_scott_over_shown(design, table, "q", "g", rows, mode="unweighted")
    assert test is not None
    assert (test.result, test.left_out, test.withheld) == (None, (2,), TOO_FEW_GROUPS)
    # Two groups shown, but in them everyone gave the same answer (the others are hidden).
    design, table = _table({(1, 1): 50, (2, 1): 40, (3, 1): 4, (3, 2): 3})
    rows = _hiding(_by_group(design, table), {3})
    test = rao_scott_over_shown(design, table, "q", "g", rows, mode="unweighted")
    assert test is not None
    assert (test.result, test.left_out, test.withheld) == (None, (3,), TOO_FEW_ANSWERS)
    # Nothing hidden and nothing to test (one group): no test, and nothing to explain.
    design, table = _table({(1, 1): 50, (1, 2): 40})
    rows = _by_group(design, table)
    assert rao_scott_over_shown(design, table, "q", "g", rows, mode="unweighted") is None
