"""Internal consistency of a battery: Cronbach's alpha from the joint counts of its rows.

Alpha needs the covariance of the rows over the respondents who answered every row: per cell,
their number, the sum of each row and the sum of each product of two rows. Those come either from
the battery's answer patterns per cell, or from the same sums kept as responses complete.
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
    respondents: int | None
    """Respondents who gave a substantive answer to every row (listwise); None when too few to
    publish (the alpha is then NaN)."""


def moment_names(k: int) -> list[tuple[int, ...]]:
    """The order of a battery's moments: (), then (a,) for each row, then (a, b) for a <= b."""
    return [(), *((a,) for a in range(k)), *((a, b) for a in range(k) for b in range(a, k))]


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
    x, n = values[complete], table.counts[complete].astype(np.float64)
    moments = np.column_stack(
        [n * np.prod(x[:, list(name)], axis=1) for name in moment_names(len(items))]
    )
    return cronbach_alpha_from_moments(design, table.cell[complete], moments, items, mode=mode)


def cronbach_alpha_from_moments(
    design: Weights,
    cell: np.ndarray,
    moments: np.ndarray,
    items: Sequence[str],
    *,
    mode: Mode = "calibrated",
) -> Alpha:
    """Cronbach's alpha from per-class sums over the complete cases, in `moment_names` order:
    respondents, the sum of each row, and the sum of each product of two rows.

    These sums are all alpha needs, so they can be kept per weighting cell as responses complete
    instead of grouping every answer pattern."""
    mode = check_mode(mode)
    k = len(items)
    if k < 2:
        raise ValueError("Cronbach's alpha needs at least two rows")
    moments = np.asarray(moments, dtype=np.float64).reshape(-1, len(moment_names(k)))
    respondents = int(round(moments[:, 0].sum()))
    if respondents < 2:
        return Alpha(float("nan"), tuple(items), respondents)
    totals = class_weights(design, cell, mode) @ moments
    total_weight = totals[0]
    mean = totals[1 : k + 1] / total_weight
    second = np.zeros((k, k))
    for (a, b), value in zip(moment_names(k)[k + 1 :], totals[k + 1 :], strict=True):
        second[a, b] = second[b, a] = value / total_weight
    cov = second - np.outer(mean, mean)
    alpha = k / (k - 1) * (1.0 - float(np.trace(cov)) / float(cov.sum()))
    return Alpha(alpha, tuple(items), respondents)
