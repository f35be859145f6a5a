"""Taylor-linearization variances computed from classes of respondents.

An estimate's influence value for respondent i is ``x_i = w_i * u_i``, where ``u_i`` depends only
on the respondent's class (cell and answers). R's survey package, for a raked design, replaces x by
its residual on the raking margins: ten sweeps of ``x <- x - w * ave(x / w, margin)`` over the
margins in raking order. Because ``x / w`` changes by the same amount for every respondent of a
category, the residual is ``w_i * (u_i + g_c)`` with a per-cell shift ``g_c``, and the variance
follows from per-class sums of ``u`` and ``u u'``. The shift moves only along the categories'
indicators and the sweeps read only category totals, so the ten sweeps are one small linear map
worked out once per design (`_Calibration`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from weakref import WeakKeyDictionary

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


@dataclass(frozen=True, eq=False)
class _Calibration:
    """R's ten raking sweeps as one linear map, worked out once per design.

    The shift ``g`` only ever moves along category indicators, ``g = T' beta`` with ``T`` the
    stacked category-by-cell indicators of all margins (K rows, a few dozen), and each sweep reads
    ``x`` only through its category totals. So ``beta = R (T s1)`` for a K x K matrix ``R``,
    found by running the sweeps once on the identity. Every variance term then needs only
    K-row products of the per-cell sums ``s1``: the sweeps cost nothing per estimate.
    """

    members: sparse.csr_matrix
    """T: K x cells."""
    sweeps: np.ndarray
    """R: K x K."""
    shift_square: np.ndarray
    """T diag(w^2 n) T': K x K, for g' diag(w^2 n) g."""
    shift_total: np.ndarray
    """T (w n): K, for the total of the shift."""


_CALIBRATIONS: WeakKeyDictionary[Weights, _Calibration] = WeakKeyDictionary()


def _calibration(design: Weights) -> _Calibration:
    found = _CALIBRATIONS.get(design)
    if found is not None:
        return found
    n_c = design.cells.counts.astype(np.float64)
    n_cells = len(n_c)
    offsets = np.cumsum([0, *(margin.size for margin in design.margins)])
    k = int(offsets[-1])
    members = sparse.vstack(
        [
            sparse.csr_matrix(
                (np.ones(n_cells), (margin.cell_category, np.arange(n_cells))),
                shape=(margin.size, n_cells),
            )
            for margin in design.margins
        ]
    ).tocsr()
    crossed = np.asarray((members @ sparse.diags(n_c) @ members.T).todense())
    # The sweeps, run on the category totals of the K unit vectors at once.
    beta = np.zeros((k, k))
    for _ in range(RAKING_SWEEPS):
        for margin, start, stop in zip(design.margins, offsets[:-1], offsets[1:], strict=True):
            totals = np.eye(k)[start:stop] + crossed[start:stop] @ beta
            beta[start:stop] -= totals / margin.respondents[:, None]
    w = design.weights
    found = _Calibration(
        members=members,
        sweeps=beta,
        shift_square=np.asarray((members @ sparse.diags(w**2 * n_c) @ members.T).todense()),
        shift_total=members @ (w * n_c),
    )
    _CALIBRATIONS[design] = found
    return found


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
        calibration = _calibration(design)
        w_cells = design.weights
        s1 = _cell_sums(len(w_cells), cell, c[:, None] * u)
        beta = calibration.sweeps @ (calibration.members @ s1)
        cross = (calibration.members @ (w_cells[:, None] ** 2 * s1)).T @ beta
        second = second + cross + cross.T + beta.T @ calibration.shift_square @ beta
        first = w_cells @ s1 + calibration.shift_total @ beta
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
        calibration = _calibration(design)
        w_cells = design.weights
        s1 = _cell_sums(len(w_cells), cell, c[:, None] * u)
        beta = calibration.sweeps @ (calibration.members @ s1)
        weighted = calibration.members @ (w_cells[:, None] ** 2 * s1)
        beta3 = beta.reshape(-1, blocks, size)
        cross = np.einsum("kbi,kbj->bij", weighted.reshape(-1, blocks, size), beta3)
        second = second + cross + cross.transpose(0, 2, 1)
        shifted = (calibration.shift_square @ beta).reshape(-1, blocks, size)
        second = second + np.einsum("kbi,kbj->bij", beta3, shifted)
        first = w_cells @ s1 + calibration.shift_total @ beta
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
