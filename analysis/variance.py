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


def sums_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Per-index sums of the rows of ``values`` (classes x columns): ``size`` x columns.

    One bincount per column: the tables have few columns and many classes."""
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(index, weights=values[:, j], minlength=size)
    return out


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
    """T: K x cells. Sparse on purpose: a dense product this size would start BLAS threads,
    which only slow things down on a busy server."""
    sweeps: np.ndarray
    """R: K x K."""
    shift_square: np.ndarray
    """T diag(w^2 n) T': K x K, for g' diag(w^2 n) g."""
    shift_total: np.ndarray
    """T (w n): K, for the total of the shift."""
    weights: np.ndarray
    """w per cell."""

    def terms(self, s1: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For per-cell sums ``s1`` (cells x estimates): ``beta`` (the shift is ``T' beta``),
        ``T (w^2 s1)`` and the column totals of the projected influence values."""
        beta = self.sweeps @ (self.members @ s1)
        weighted = self.members @ (self.weights[:, None] ** 2 * s1)
        return beta, weighted, self.weights @ s1 + self.shift_total @ beta


_CALIBRATIONS: WeakKeyDictionary[Weights, _Calibration] = WeakKeyDictionary()


def _calibration(design: Weights) -> _Calibration:
    found = _CALIBRATIONS.get(design)
    if found is not None:
        return found
    n_c = design.cells.counts.astype(np.float64)
    n_cells = len(n_c)
    offsets = np.cumsum([0, *(margin.size for margin in design.margins)])
    k = int(offsets[-1])
    category = np.concatenate(
        [start + m.cell_category for m, start in zip(design.margins, offsets[:-1], strict=True)]
    )
    cell = np.tile(np.arange(n_cells), len(design.margins))
    members = sparse.csr_matrix((np.ones(len(cell)), (category, cell)), shape=(k, n_cells))
    crossed = (members @ sparse.diags(n_c) @ members.T).toarray()
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
        shift_square=(members @ sparse.diags(w**2 * n_c) @ members.T).toarray(),
        shift_total=members @ (w * n_c),
        weights=w,
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
        s1 = sums_by(cell, c[:, None] * u, len(design.weights))
        beta, weighted, first = calibration.terms(s1)
        cross = weighted.T @ beta
        second = second + cross + cross.T + beta.T @ calibration.shift_square @ beta
    else:
        first = ((c * w_class)[:, None] * u).sum(axis=0)
    result: np.ndarray = n / (n - 1) * (second - np.outer(first, first) / n)
    return result


@dataclass(frozen=True, eq=False)
class Linearized:
    """One estimate's influence values reduced to what its covariance with any other estimate
    needs besides their cross product: the calibration shift and the weighted total. Kept per
    estimate, so a covariance between two costs one pass over their joint table."""

    beta: np.ndarray
    """The shift along the margins' categories (empty when nothing is calibrated)."""
    weighted: np.ndarray
    """T (w^2 s1): the categories' weighted sums of the influence values."""
    first: float
    """The total of the (projected) influence values."""


def linearize(
    design: Weights, cell: np.ndarray, counts: np.ndarray, u: np.ndarray, mode: Mode
) -> Linearized:
    """The parts of `covariance` that depend on one estimate alone; ``u`` per class as there."""
    c = counts.astype(np.float64)
    u = np.asarray(u, dtype=np.float64)
    if mode == "calibrated" and design.margins:
        s1 = sums_by(cell, (c * u)[:, None], len(design.weights))
        beta, weighted, first = _calibration(design).terms(s1)
        return Linearized(beta[:, 0], weighted[:, 0], float(first[0]))
    empty = np.zeros(0)
    return Linearized(empty, empty, float(np.sum(c * class_weights(design, cell, mode) * u)))


def linearized_covariance(
    design: Weights, a: Linearized, b: Linearized, cross_product: float, mode: Mode
) -> float:
    """`covariance` of two estimates from their `linearize` parts and ``cross_product``, the
    sum over the classes of their joint table of ``counts * w**2 * u_a * u_b``."""
    n = float(design.cells.n)
    if n <= 1:
        return float("nan")
    second = cross_product
    if mode == "calibrated" and design.margins:
        shift_square = _calibration(design).shift_square
        second += a.weighted @ b.beta + b.weighted @ a.beta + a.beta @ shift_square @ b.beta
    return n / (n - 1) * (second - a.first * b.first / n)


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


def ratios_by_domain(
    design: Weights,
    cell: np.ndarray,
    counts: np.ndarray,
    numerators: np.ndarray,
    domain: np.ndarray,
    domains: int,
    mode: Mode,
) -> list[Ratios]:
    """`ratios` in each of several disjoint domains at once (e.g. every subgroup of a table).

    ``domain`` gives each class's domain (0 .. domains - 1, or -1 for none); the denominator
    is the domain indicator. A class's influence values are zero outside its own domain, so
    each domain's covariance block sums over its own classes only, and the calibration
    projection of all domains runs as one set of products.
    """
    if domains == 0:
        return []  # e.g. subgroups of an item nobody answered
    numerators = np.asarray(numerators, dtype=np.float64)
    if numerators.ndim == 1:
        numerators = numerators[:, None]
    m = numerators.shape[1]
    inside = domain >= 0
    label = domain[inside]
    c = counts[inside].astype(np.float64)
    w = class_weights(design, cell, mode)[inside]
    cw = c * w
    total = np.bincount(label, weights=cw, minlength=domains)
    respondents = np.rint(np.bincount(label, weights=c, minlength=domains)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = sums_by(label, cw[:, None] * numerators[inside], domains) / total[:, None]
        u = (numerators[inside] - estimate[label]) / total[label][:, None]
    u[~np.isfinite(u)] = 0.0
    scaled = u * (np.sqrt(c) * w)[:, None]
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(domains + 1))
    second = np.empty((domains, m, m))
    for d in range(domains):
        block = scaled[order[bounds[d] : bounds[d + 1]]]
        second[d] = block.T @ block
    if mode == "calibrated" and design.margins:
        calibration = _calibration(design)
        # Per-cell sums of c * u, one block of columns per domain: (cells, domains * m).
        n_cells = len(design.weights)
        s1 = sums_by(cell[inside] * domains + label, c[:, None] * u, n_cells * domains)
        s1 = s1.reshape(n_cells, domains * m)
        beta, weighted, totals = calibration.terms(s1)
        beta3 = beta.reshape(-1, domains, m)
        cross = np.einsum("kbi,kbj->bij", weighted.reshape(-1, domains, m), beta3)
        shifted = (calibration.shift_square @ beta).reshape(-1, domains, m)
        second = (
            second + cross + cross.transpose(0, 2, 1) + np.einsum("kbi,kbj->bij", beta3, shifted)
        )
        first = totals.reshape(domains, m)
    else:
        first = sums_by(label, cw[:, None] * u, domains)
    n = float(design.cells.n)
    if n > 1:
        blocks = n / (n - 1) * (second - first[:, :, None] * first[:, None, :] / n)
    else:
        blocks = np.full((domains, m, m), np.nan)
    results = []
    for d in range(domains):
        if total[d] <= 0:
            nan = np.full(m, np.nan)
            results.append(Ratios(nan, np.full((m, m), np.nan), int(respondents[d]), 0.0))
        else:
            results.append(Ratios(estimate[d], blocks[d], int(respondents[d]), float(total[d])))
    return results
