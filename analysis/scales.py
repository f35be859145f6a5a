"""Internal consistency of a battery: Cronbach's alpha from the joint counts of its rows.

Alpha needs the covariance of the rows, which needs each respondent's combination of answers:
the input is the battery's answer patterns per cell (one GROUP BY cell and every row), not the
per-row counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.counts import Grouped
from analysis.variance import Mode, check_mode, class_weights
from analysis.weighting import Weights


@dataclass(frozen=True)
class Alpha:
    """Cronbach's alpha of a battery and what it was computed on."""

    alpha: float
    items: tuple[str, ...]
    respondents: int
    """Respondents who gave a substantive answer to every row (listwise)."""


def cronbach_alpha(
    design: Weights,
    table: Grouped,
    items: Sequence[str],
    *,
    exclude: Collection[float] = (9,),
    mode: Mode = "calibrated",
) -> Alpha:
    """alpha = k/(k-1) * (1 - sum of row variances / variance of the row total), weighted.

    ``table`` is grouped by cell and every row of the battery (the answer pattern). Respondents
    count only if they answered every row with a code not in ``exclude`` (don't know). Variances
    and covariances use the weights (``mode="unweighted"`` for weight 1); the normalization
    cancels in the ratio, so it is the same for sum(w) or sum(w) - 1.
    """
    mode = check_mode(mode)
    table.check_against(design.cells)
    if len(items) < 2:
        raise ValueError("Cronbach's alpha needs at least two rows")
    values = np.column_stack([table.key(item).astype(np.float64) for item in items])
    complete = np.all(~np.isnan(values) & (values >= 0), axis=1)
    if exclude:
        complete &= ~np.any(np.isin(values, list(exclude)), axis=1)
    complete &= table.counts > 0
    cw = (table.counts * class_weights(design, table.cell, mode))[complete]
    x = values[complete]
    respondents = int(table.counts[complete].sum())
    if respondents < 2:
        return Alpha(float("nan"), tuple(items), respondents)
    mean = cw @ x / cw.sum()
    centred = x - mean
    cov = (centred * cw[:, None]).T @ centred / cw.sum()
    total_variance = float(cov.sum())
    k = len(items)
    alpha = k / (k - 1) * (1.0 - float(np.trace(cov)) / total_variance)
    return Alpha(alpha, tuple(items), respondents)
