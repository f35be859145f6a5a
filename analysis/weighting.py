"""Raking: weights that make the respondents' demographics match the population.

Iterative proportional fitting works on the weighting cells, not on respondents: every respondent
of a cell gets the same weight, so a sweep over a margin is a handful of array operations whatever
the number of respondents.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from analysis.counts import Cells

Margins = Mapping[str, Mapping[int, float]]
"""Population shares per weighting variable: ``{"sex": {1: 0.49, 2: 0.51}, ...}``."""

UNKNOWN = -1
"""Code of the raking category that pools a variable's refused and missing answers."""

REFUSED: frozenset[int] = frozenset({99})
"""Codes that mean "prefer not to say"; negative codes always mean "missing"."""

SHARE_TOLERANCE = 1e-6


class WeightingError(ValueError):
    """The weights cannot be made; the message says what to change in margins or categories."""


@dataclass(frozen=True, eq=False)
class Margin:
    """One raking margin as used: categories, their target shares and the cells they hold."""

    variable: str
    codes: tuple[int, ...]
    """Raking categories; ``UNKNOWN`` is the pooled refused/missing category if there is one."""
    targets: np.ndarray
    """Share of the population in each category, after the missing-demographic rule."""
    cell_category: np.ndarray
    """For each cell, the index into ``codes`` of its category."""
    respondents: np.ndarray
    """Respondents per category (unweighted)."""

    @property
    def size(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, eq=False)
class Weights:
    """Weights of a design: one weight per cell, normalized so they sum to n over respondents."""

    cells: Cells
    weights: np.ndarray
    margins: tuple[Margin, ...]
    converged: bool
    iterations: int
    max_margin_error: float
    trim: tuple[float | None, float | None] | None = None

    @classmethod
    def equal(cls, cells: Cells) -> Weights:
        """Every respondent weighs 1 and nothing is calibrated (an unweighted design)."""
        return cls(
            cells=cells,
            weights=np.ones(len(cells.counts)),
            margins=(),
            converged=True,
            iterations=0,
            max_margin_error=0.0,
        )

    @property
    def n(self) -> int:
        """Number of respondents in the design."""
        return self.cells.n

    @property
    def total(self) -> float:
        """Sum of the weights over respondents (equals n)."""
        return float(np.dot(self.weights, self.cells.counts))

    @property
    def effective_n(self) -> float:
        """Kish's effective sample size (sum w)^2 / sum w^2: the n a simple random sample needs
        for the same precision of a mean."""
        sum_w2 = float(np.dot(self.weights**2, self.cells.counts))
        return self.total**2 / sum_w2 if sum_w2 > 0 else 0.0

    @property
    def design_effect(self) -> float:
        """Kish's design effect of weighting, n / effective n (1 = no loss of precision)."""
        effective = self.effective_n
        return self.n / effective if effective > 0 else float("nan")

    @property
    def weight_range(self) -> tuple[float, float]:
        """Smallest and largest weight of any respondent (mean weight is 1)."""
        occupied = self.weights[self.cells.counts > 0]
        if occupied.size == 0:
            return (float("nan"), float("nan"))
        return (float(occupied.min()), float(occupied.max()))

    def achieved(self, variable: str) -> dict[int, float]:
        """Weighted shares of the raking categories of one variable, to check against targets."""
        for margin in self.margins:
            if margin.variable == variable:
                totals = np.bincount(
                    margin.cell_category,
                    weights=self.weights * self.cells.counts,
                    minlength=margin.size,
                )
                return {
                    code: float(t) / self.total
                    for code, t in zip(margin.codes, totals, strict=True)
                }
        raise KeyError(f"{variable!r} is not a raking margin")


def _is_unknown(codes: np.ndarray, known: Collection[int], refused: Collection[int]) -> np.ndarray:
    """Codes that are missing (negative) or refused, unless the margins list them as a category."""
    refused_unlisted = [c for c in refused if c not in known]
    return (codes < 0) | np.isin(codes, refused_unlisted)


def _build_margin(
    cells: Cells, variable: str, shares: Mapping[int, float], refused: Collection[int]
) -> Margin:
    """Check one variable's population shares against the sample and apply the missing rule."""
    codes = cells.column(variable)
    occupied = cells.counts > 0
    values = {int(k): float(v) for k, v in shares.items()}
    bad = {k: v for k, v in values.items() if not np.isfinite(v) or v < 0}
    if bad:
        raise WeightingError(
            f"the population shares of {variable!r} must be numbers >= 0; "
            f"check categories {sorted(bad)}"
        )
    negative = sorted(k for k in values if k < 0)
    if negative:
        raise WeightingError(
            f"the margins of {variable!r} list negative codes {negative}; negative codes mean "
            "'missing' and get their share from the sample"
        )
    total = sum(values.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise WeightingError(
            f"the population shares of {variable!r} add up to {total:.8f}, not 1; "
            "correct the margins file (shares, not percentages)"
        )
    unknown = _is_unknown(codes, values.keys(), refused)
    n = cells.n
    n_unknown = int(cells.counts[unknown].sum())
    if n and n_unknown == n:
        raise WeightingError(
            f"every respondent refused or skipped {variable!r}; it cannot be used for weighting"
        )
    stray = sorted(set(codes[occupied & ~unknown].tolist()) - set(values))
    if stray:
        counts = {c: int(cells.counts[(codes == c)].sum()) for c in stray}
        raise WeightingError(
            f"respondents have {variable!r} categories {stray} (respondents: {counts}) that the "
            "population margins do not list; add them to the margins or recode the answers"
        )
    respondents = {c: int(cells.counts[(codes == c) & ~unknown].sum()) for c in values}
    empty = [c for c, share in values.items() if share > 0 and respondents[c] == 0]
    if empty:
        raise WeightingError(
            f"no respondents in {variable!r} categories {sorted(empty)}, which have a population "
            "share; merge them with a neighbouring category in the margins and the cells"
        )
    impossible = [c for c, share in values.items() if share == 0 and respondents[c] > 0]
    if impossible:
        raise WeightingError(
            f"{variable!r} categories {sorted(impossible)} have respondents but a population share "
            "of 0; respondents cannot be weighted to zero, correct the margins"
        )
    known_codes = [c for c, share in values.items() if share > 0]
    unknown_share = n_unknown / n if n else 0.0
    scaled = np.array([values[c] / total for c in known_codes]) * (1.0 - unknown_share)
    codes_used = tuple(known_codes)
    targets = scaled
    counts_used = [respondents[c] for c in known_codes]
    if n_unknown:
        codes_used = (*codes_used, UNKNOWN)
        targets = np.append(scaled, unknown_share)
        counts_used.append(n_unknown)
    # Empty cells with a code outside the margins keep category 0: they hold nobody.
    cell_category = np.zeros(len(codes), dtype=np.int64)
    for i, code in enumerate(known_codes):
        cell_category[(codes == code) & ~unknown] = i
    if n_unknown:
        cell_category[unknown] = len(known_codes)
    return Margin(
        variable=variable,
        codes=codes_used,
        targets=targets,
        cell_category=cell_category,
        respondents=np.array(counts_used, dtype=np.int64),
    )


def _margin_error(weights: np.ndarray, counts: np.ndarray, margins: tuple[Margin, ...]) -> float:
    """Largest absolute difference between a weighted share and its target share."""
    weighted = weights * counts
    total = weighted.sum()
    worst = 0.0
    for margin in margins:
        shares = np.bincount(margin.cell_category, weights=weighted, minlength=margin.size) / total
        worst = max(worst, float(np.abs(shares - margin.targets).max()))
    return worst


def rake(
    cells: Cells,
    margins: Margins,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
    trim: tuple[float | None, float | None] | None = None,
    refused: Collection[int] = REFUSED,
    strict: bool = True,
) -> Weights:
    """Rake the cells to the population margins by iterative proportional fitting.

    Each sweep post-stratifies on every margin in the order given, until every weighted share is
    within ``tolerance`` of its target. Refused/missing codes of a variable form one extra category
    whose target is its sample share (README: "missing demographics"). ``trim=(lower, upper)``
    bounds the weights to multiples of the mean weight: after every sweep, weights are clipped to
    the bounds, and sweeping continues until margins and bounds hold together. Weights sum to n.
    With ``strict`` (default) failing to converge raises ``WeightingError``.
    """
    if not cells.variables:
        raise WeightingError("the design has no weighting variables")
    missing = [v for v in cells.variables if v not in margins]
    if missing:
        raise WeightingError(
            f"no population margins for {missing}; every weighting variable needs margins"
        )
    extra = [v for v in margins if v not in cells.variables]
    if extra:
        raise WeightingError(
            f"margins given for {extra}, which are not weighting variables {cells.variables}"
        )
    if cells.n == 0:
        raise WeightingError("the design has no respondents")
    if trim is not None:
        lower, upper = trim
        if (lower is not None and not 0 <= lower <= 1) or (upper is not None and upper < 1):
            raise WeightingError(
                f"trimming bounds {trim} must be multiples of the mean weight with "
                "0 <= lower <= 1 <= upper"
            )
    built = tuple(_build_margin(cells, v, margins[v], refused) for v in margins)
    counts = cells.counts.astype(np.float64)
    n = float(cells.n)
    weights = np.ones(len(counts))
    error = _margin_error(weights, counts, built)
    iterations = 0
    converged = error <= tolerance
    while not converged and iterations < max_iterations:
        iterations += 1
        for margin in built:
            totals = np.bincount(
                margin.cell_category, weights=weights * counts, minlength=margin.size
            )
            factors = np.divide(
                margin.targets * n, totals, out=np.ones(margin.size), where=totals > 0
            )
            weights = weights * factors[margin.cell_category]
        if trim is not None:
            mean = float(np.dot(weights, counts)) / n
            lower, upper = trim
            weights = np.clip(
                weights,
                None if lower is None else lower * mean,
                None if upper is None else upper * mean,
            )
        error = _margin_error(weights, counts, built)
        converged = error <= tolerance
    weights = weights * (n / float(np.dot(weights, counts)))
    if not converged and strict:
        hint = (
            "; the trimming bounds may be too tight for these margins"
            if trim is not None
            else "; sparse cells may make some margins impossible to meet together"
        )
        raise WeightingError(
            f"raking did not converge in {iterations} sweeps: a weighted share is still "
            f"{error:.3g} away from its target{hint}"
        )
    return Weights(
        cells=cells,
        weights=weights,
        margins=built,
        converged=converged,
        iterations=iterations,
        max_margin_error=error,
        trim=trim,
    )
