"""Taylor-linearization variances computed from classes of respondents.

An estimate's influence value for respondent i is ``x_i = w_i * u_i``, where ``u_i`` depends only
on the respondent's class (cell and answers). R's survey package, for a raked design, replaces x by
its residual on the raking margins: ten sweeps of ``x <- x - w * ave(x / w, margin)`` over the
margins in raking order. Because ``x / w`` changes by the same amount for every respondent of a
category, the residual is ``w_i * (u_i + g_c)`` with a per-cell shift ``g_c``: the sweeps run on
per-cell sums, and the variance follows from per-class sums of ``u`` and ``u u'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse

from analysis.weighting import Weights

Mode = Literal["calibrated", "fixed", "unweighted"]
"""How standard errors treat the weights.

- ``calibrated``: raking weights, influence values projected on the raking margins (R's
  ``rake()`` design); every respondent of the design counts in n.
- ``fixed``: the same weights taken as given (R's ``svydesign(ids=~1, weights=~w)``): no
  projection.
- ``unweighted``: every respondent weighs 1 (R's ``svydesign(ids=~1)``), no projection.
"""

MODES: tuple[Mode, ...] = ("calibrated", "fixed", "unweighted")
RAKING_SWEEPS = 10
"""R's svyrecvar makes exactly ten passes over the raking margins; so do we."""


def check_mode(mode: str) -> Mode:
    """Refuse an unknown variance mode with the list of known ones."""
    if mode not in MODES:
        raise ValueError(f"unknown variance mode {mode!r}; use one of {MODES}")
    return mode  # type: ignore[return-value]


def class_weights(design: Weights, cell: np.ndarray, mode: Mode) -> np.ndarray:
    """The weight of each class's respondents (1 when unweighted)."""
    if mode == "unweighted":
        return np.ones(len(cell))
    return design.weights[cell]


def _cell_sums(n_cells: int, cell: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum per cell of per-class rows (``values`` already multiplied by the class counts)."""
    k = len(cell)
    membership = sparse.csr_matrix((np.ones(k), (cell, np.arange(k))), shape=(n_cells, k))
    return np.asarray(membership @ values)


def _projection_shift(design: Weights, s1: np.ndarray) -> np.ndarray:
    """Per-cell shift g with residual x = w * (u + g), after R's ten sweeps over the margins."""
    n_c = design.cells.counts.astype(np.float64)[:, None]
    n_cells = len(n_c)
    # Category-by-cell indicator matrices: a sparse product sums cells into categories far
    # faster than np.add.at.
    members = [
        sparse.csr_matrix(
            (np.ones(n_cells), (margin.cell_category, np.arange(n_cells))),
            shape=(margin.size, n_cells),
        )
        for margin in design.margins
    ]
    g = np.zeros_like(s1)
    for _ in range(RAKING_SWEEPS):
        for margin, member in zip(design.margins, members, strict=True):
            totals = np.asarray(member @ (s1 + n_c * g))
            means = totals / margin.respondents[:, None]
            g = g - means[margin.cell_category]
    return g


def covariance(
    design: Weights,
    cell: np.ndarray,
    counts: np.ndarray,
    u: np.ndarray,
    mode: Mode,
) -> np.ndarray:
    """Covariance matrix of estimates whose influence values are ``x = w * u`` per class.

    ``u`` has one row per class and one column per estimate (zero for classes outside the
    estimate's domain). Respondents who are in no class have ``u = 0``. As R's one-stage
    ``svyrecvar``: n/(n-1) times the sum of squares of the centred influence values over all n
    respondents of the design (R pads a subset with zeros up to the design's n even when the
    weights are not calibrated).
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim == 1:
        u = u[:, None]
    c = counts.astype(np.float64)
    m = u.shape[1]
    n = float(design.cells.n)
    if n <= 1:
        return np.full((m, m), np.nan)
    w_class = class_weights(design, cell, mode)
    second = (u * (c * w_class**2)[:, None]).T @ u
    if mode == "calibrated" and design.margins:
        w_cells = design.weights
        n_c = design.cells.counts.astype(np.float64)
        s1 = _cell_sums(len(w_cells), cell, c[:, None] * u)
        g = _projection_shift(design, s1)
        w2 = w_cells**2
        cross = (s1 * w2[:, None]).T @ g
        second = second + cross + cross.T + (g * (w2 * n_c)[:, None]).T @ g
        first = (w_cells[:, None] * (s1 + n_c[:, None] * g)).sum(axis=0)
    else:
        first = ((c * w_class)[:, None] * u).sum(axis=0)
    result: np.ndarray = n / (n - 1) * (second - np.outer(first, first) / n)
    return result


@dataclass(frozen=True, eq=False)
class Ratios:
    """Ratio estimates on one domain with their covariance matrix."""

    estimate: np.ndarray
    covariance: np.ndarray
    respondents: int
    """Respondents in the domain (unweighted)."""
    weight: float
    """Sum of the weights of the domain."""

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.covariance), 0.0, None))


def ratios(
    design: Weights,
    cell: np.ndarray,
    counts: np.ndarray,
    numerators: np.ndarray,
    denominator: np.ndarray,
    mode: Mode,
) -> Ratios:
    """Estimates sum(w * num_j) / sum(w * den) with their linearized covariance.

    ``denominator`` is the domain indicator (or a per-class count); classes with a zero
    denominator are outside the domain. Influence: ``u = (num - r * den) / sum(w * den)``.
    """
    numerators = np.asarray(numerators, dtype=np.float64)
    if numerators.ndim == 1:
        numerators = numerators[:, None]
    denominator = np.asarray(denominator, dtype=np.float64)
    domain = denominator != 0
    w = class_weights(design, cell, mode)
    cw = counts * w
    total = float(np.dot(cw, denominator))
    respondents = int(counts[domain].sum())
    m = numerators.shape[1]
    if total <= 0:
        nan = np.full(m, np.nan)
        return Ratios(nan, np.full((m, m), np.nan), respondents, 0.0)
    estimate = (cw @ numerators) / total
    u = (numerators - estimate[None, :] * denominator[:, None]) / total
    u[~domain] = 0.0
    return Ratios(estimate, covariance(design, cell, counts, u, mode), respondents, total)


def _block_covariances(
    design: Weights, cell: np.ndarray, counts: np.ndarray, u: np.ndarray, mode: Mode, size: int
) -> np.ndarray:
    """The diagonal blocks (size x size) of `covariance(design, cell, counts, u, mode)`.

    The same formula, with the second moments taken within each block of columns only: a
    table's subgroups need no covariance between each other."""
    k, m = u.shape
    blocks = m // size
    n = float(design.cells.n)
    if n <= 1:
        return np.full((blocks, size, size), np.nan)
    c = counts.astype(np.float64)
    w_class = class_weights(design, cell, mode)
    u3 = u.reshape(k, blocks, size)
    second = np.einsum("kbi,k,kbj->bij", u3, c * w_class**2, u3, optimize=True)
    if mode == "calibrated" and design.margins:
        w_cells = design.weights
        n_c = design.cells.counts.astype(np.float64)
        s1 = _cell_sums(len(w_cells), cell, c[:, None] * u)
        g = _projection_shift(design, s1)
        w2 = w_cells**2
        s3, g3 = s1.reshape(-1, blocks, size), g.reshape(-1, blocks, size)
        cross = np.einsum("cbi,c,cbj->bij", s3, w2, g3, optimize=True)
        second = second + cross + cross.transpose(0, 2, 1)
        second = second + np.einsum("cbi,c,cbj->bij", g3, w2 * n_c, g3, optimize=True)
        first = (w_cells[:, None] * (s1 + n_c[:, None] * g)).sum(axis=0)
    else:
        first = ((c * w_class)[:, None] * u).sum(axis=0)
    first3 = first.reshape(blocks, size)
    outer = np.einsum("bi,bj->bij", first3, first3)
    result: np.ndarray = n / (n - 1) * (second - outer / n)
    return result


def ratios_by_domain(
    design: Weights,
    cell: np.ndarray,
    counts: np.ndarray,
    numerators: np.ndarray,
    domains: Sequence[np.ndarray],
    mode: Mode,
) -> list[Ratios]:
    """`ratios` for several domains at once (e.g. every subgroup of a table).

    The calibration projection is linear, so the influence values of all domains go through one
    set of raking sweeps together; each domain's covariance is its diagonal block.
    """
    numerators = np.asarray(numerators, dtype=np.float64)
    if numerators.ndim == 1:
        numerators = numerators[:, None]
    m = numerators.shape[1]
    cw = counts * class_weights(design, cell, mode)
    fits: list[tuple[np.ndarray, int, float] | None] = []
    influence = []
    for domain in domains:
        inside = np.asarray(domain, dtype=bool)
        total = float(cw[inside].sum())
        respondents = int(counts[inside].sum())
        if total <= 0:
            fits.append(None)
            continue
        scoped = numerators * inside[:, None]
        estimate = (cw @ scoped) / total
        u = (scoped - estimate[None, :] * inside[:, None]) / total
        u[~inside] = 0.0
        influence.append(u)
        fits.append((estimate, respondents, total))
    blocks = (
        _block_covariances(design, cell, counts, np.hstack(influence), mode, m)
        if influence
        else np.empty((0, m, m))
    )
    results = []
    block = 0
    for domain, fit in zip(domains, fits, strict=True):
        if fit is None:
            nan = np.full(m, np.nan)
            results.append(Ratios(nan, np.full((m, m), np.nan), int(counts[domain].sum()), 0.0))
            continue
        estimate, respondents, total = fit
        results.append(Ratios(estimate, blocks[block], respondents, total))
        block += 1
    return results
