"""Do two answers go together? The Rao-Scott corrected chi-square test on a weighted table.

Pearson's X^2 on weighted shares is too large when weighting inflates the variance; Rao and Scott's
second-order correction divides it by the mean generalized design effect and compares it with an F
distribution whose degrees of freedom reflect the spread of those effects. Same numbers as R's
``svychisq(~row + column, design, statistic = "F")``.

A published test must not undo the disclosure control of the table it tests: over every group,
its statistics (Pearson's X^2 with the table's margins) can rebuild hidden cells, a fully
suppressed 2x2 table exactly. ``rao_scott_over_shown`` therefore tests only the groups whose
figures are all shown and names the others.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis.counts import CountsError, Grouped
from analysis.estimates import Estimate, grouping_codes
from analysis.variance import Mode, check_mode, ratios
from analysis.weighting import Weights


@dataclass(frozen=True)
class ChiSquare:
    """Result of the Rao-Scott test of independence of two answers."""

    row: str
    column: str
    statistic: float
    """The F statistic: Pearson's X^2 divided by the sum of the generalized design effects."""
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    """Pearson's X^2 of the weighted table scaled to N respondents, before correction (as R)."""
    mean_design_effect: float
    """Mean of the generalized design effects (eigenvalues of the Rao-Scott Delta matrix)."""
    respondents: int
    """Respondents who answered both (the domain of the test)."""
    row_codes: tuple[int, ...]
    column_codes: tuple[int, ...]


def _main_effects(nr: int, nc: int) -> tuple[np.ndarray, np.ndarray]:
    """Design matrices of R's expand.grid(rows, cols): main effects and interaction contrasts."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    row_dummies = (rows[:, None] == np.arange(1, nr)[None, :]).astype(np.float64)
    col_dummies = (cols[:, None] == np.arange(1, nc)[None, :]).astype(np.float64)
    x1 = np.column_stack([np.ones(nr * nc), row_dummies, col_dummies])
    interactions = (row_dummies[:, :, None] * col_dummies[:, None, :]).reshape(nr * nc, -1)
    return x1, interactions


def rao_scott(
    design: Weights,
    table: Grouped,
    row: str,
    column: str,
    *,
    mode: Mode = "calibrated",
    columns: Collection[int] | None = None,
) -> ChiSquare:
    """Rao-Scott second-order corrected chi-square test of independence of two keys.

    The domain is the respondents who answered both (codes >= 0), and with ``columns`` only
    those in these categories of ``column`` (R: the test on the subset of the design, e.g. the
    groups whose figures are all published); categories are the codes found in it. A weighting
    variable needs no key in ``table``: it is read from the cell. Denominator degrees of freedom
    are d0 * (n - 1) where n counts the design's respondents (calibrated: all complete
    responses, as R keeps every row of a raked design; otherwise the domain's).
    """
    mode = check_mode(mode)
    table.check_against(design.cells)
    a = grouping_codes(design, table, row)
    b = grouping_codes(design, table, column)
    if not (np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer)):
        raise CountsError("the chi-square test needs answer codes, not numbers")
    domain = (a >= 0) & (b >= 0) & (table.counts > 0)
    if columns is not None:
        domain &= np.isin(b, np.fromiter(columns, dtype=np.int64))
    row_codes = np.unique(a[domain])
    col_codes = np.unique(b[domain])
    nr, nc = len(row_codes), len(col_codes)
    if nr < 2 or nc < 2:
        raise ValueError(
            f"a test of independence needs at least two categories of each; "
            f"{row!r} has {nr} and {column!r} has {nc} among those who answered both"
        )
    ri = np.searchsorted(row_codes, a)
    ci = np.searchsorted(col_codes, b)
    position = np.where(domain, ri + nr * ci, -1)
    indicators = (position[:, None] == np.arange(nr * nc)[None, :]).astype(np.float64)
    fit = ratios(design, table.cell, table.counts, indicators, domain.astype(np.float64), mode)
    p = fit.estimate
    v = fit.covariance
    n_design = design.n if mode == "calibrated" else fit.respondents
    big_n = float(n_design)
    nu = n_design - 1

    grid = p.reshape(nc, nr).T  # [row, column]
    expected = np.outer(grid.sum(axis=1), grid.sum(axis=0))
    pearson = float(big_n * np.sum((grid - expected) ** 2 / expected))

    x1, x12 = _main_effects(nr, nc)
    coef, *_ = np.linalg.lstsq(x1, x12, rcond=None)
    contrasts = x12 - x1 @ coef
    inverse_p = np.divide(1.0, p, out=np.zeros_like(p), where=p != 0)
    scaled = contrasts * inverse_p[:, None]
    denominator = contrasts.T @ scaled / big_n
    numerator = scaled.T @ v @ scaled
    delta = np.linalg.solve(denominator, numerator)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    statistic = pearson / trace
    ddf = d0 * nu
    return ChiSquare(
        row=row,
        column=column,
        statistic=statistic,
        ndf=d0,
        ddf=ddf,
        p_value=float(stats.f.sf(statistic, d0, ddf)),
        pearson=pearson,
        mean_design_effect=trace / delta.shape[0],
        respondents=fit.respondents,
        row_codes=tuple(int(c) for c in row_codes),
        column_codes=tuple(int(c) for c in col_codes),
    )


TOO_FEW_GROUPS = "too_few_groups"
"""A test withheld: fewer than two groups have all their figures shown."""
TOO_FEW_ANSWERS = "too_few_answers"
"""A test withheld: in the groups whose figures are all shown, everyone gave the same answer."""


@dataclass(frozen=True)
class GroupTest:
    """A Rao-Scott test between the groups of a variable, over the groups whose figures are all
    shown, with the groups it leaves out; or withheld, with the reason."""

    result: ChiSquare | None
    """None when the test is withheld (``withheld`` says why)."""
    left_out: tuple[int, ...] = ()
    """Codes of the groups left out because some of their figures are hidden."""
    withheld: str | None = None
    """Why there is no test (``TOO_FEW_GROUPS``, ``TOO_FEW_ANSWERS``), or None."""


def shown_groups(rows: Sequence[Estimate], column: str) -> tuple[list[int], list[int]]:
    """The groups of ``column`` among published ``rows`` whose figures are all shown (with
    their base and share), and those with a hidden figure, by code. Rows without an answer to
    ``column`` (code -1) form no group."""
    hidden: dict[int, bool] = {}
    for row in rows:
        if row.group != column or row.group_code is None or row.group_code < 0:
            continue
        withheld = row.suppressed or row.base is None or not np.isfinite(row.estimate)
        hidden[row.group_code] = hidden.get(row.group_code, False) or withheld
    return (
        sorted(code for code, gone in hidden.items() if not gone),
        sorted(code for code, gone in hidden.items() if gone),
    )


def rao_scott_over_shown(
    design: Weights,
    table: Grouped,
    row: str,
    column: str,
    rows: Sequence[Estimate],
    *,
    mode: Mode = "calibrated",
) -> GroupTest | None:
    """``rao_scott`` of ``row`` against the groups of ``column`` whose figures among ``rows``
    (``row``'s estimates by ``column``, as published) are all shown. Withheld, with the reason,
    when the groups left out leave fewer than two groups or one answer; None when there is
    nothing to test whatever the disclosure control (one group or one answer in all)."""
    kept, left_out = shown_groups(rows, column)
    if len(kept) < 2:
        return GroupTest(None, tuple(left_out), TOO_FEW_GROUPS) if left_out else None
    try:
        result = rao_scott(
            design, table, row, column, mode=mode, columns=kept if left_out else None
        )
    except ValueError:  # fewer than two answers given in the groups tested
        return GroupTest(None, tuple(left_out), TOO_FEW_ANSWERS) if left_out else None
    return GroupTest(result, tuple(left_out))
