"""Weighted proportions and means per item, overall and per subgroup, as tidy rows.

Every figure is a domain estimate over the design (all complete responses): the domain is the
item's base (respondents who answered it; "don't know" is an answer like any other), optionally
within one category of a grouping key. Standard errors and intervals follow R's survey package
(``svymean``, ``svyby``, ``svyciprop(method="logit")``) on the raked design.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from scipy import stats

from analysis.counts import CountsError, Grouped, is_answered
from analysis.variance import Mode, check_mode, ratios_by_domain
from analysis.weighting import Weights

Kind = Literal["proportion", "mean", "difference"]

FIELDS = (
    "item",
    "group",
    "group_code",
    "option",
    "n",
    "base",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "suppressed",
)
"""Columns of the tidy output, in order."""


@dataclass(frozen=True)
class Estimate:
    """One figure of a results table (a tidy row).

    ``n`` counts the respondents (unweighted) behind the figure: those who chose ``option`` in the
    domain for a proportion, the whole domain for a mean. ``base`` is the domain's respondents.
    A suppressed row keeps its labels but carries no numbers (NaN) and no counts, base or
    degrees of freedom (None): see ``hidden``.
    """

    item: str
    option: int | str | None
    n: int | None
    base: int | None
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int | None
    kind: Kind = "proportion"
    group: str | None = None
    group_code: int | None = None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The row with the tidy columns only (``FIELDS``)."""
        full = asdict(self)
        return {name: full[name] for name in FIELDS}

    def hidden(self) -> Estimate:
        """The same row with every number removed (disclosure control): not only the figure and
        its count, but its base and degrees of freedom too, since df + 1 is the base and the
        base less the other cells of its line would give the count back."""
        nan = float("nan")
        return replace(
            self,
            n=None,
            base=None,
            df=None,
            estimate=nan,
            se=nan,
            ci_low=nan,
            ci_high=nan,
            suppressed=True,
        )

    def without_base(self, *, count_ratio: bool = False) -> Estimate:
        """The same shown row when its group's base is hidden: without the base and without what
        gives it back, its degrees of freedom (base - 1) and its interval (whose t quantile
        has them). With ``count_ratio`` (unweighted figures: a share is then its count over the
        base) the share and its standard error go too; the count stays."""
        nan = float("nan")
        row = replace(self, base=None, df=None, ci_low=nan, ci_high=nan)
        return replace(row, estimate=nan, se=nan) if count_ratio else row


@lru_cache(maxsize=4096)
def t_quantile(df: int, level: float) -> float:
    """Two-sided t quantile for a confidence level, on ``df`` degrees of freedom.

    Cached: a report asks for the same few degrees of freedom thousands of times."""
    if df < 1:
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2.0, df))


def logit_interval(p: float, se: float, df: int, level: float = 0.95) -> tuple[float, float]:
    """R's svyciprop(method="logit"): the Wald interval of logit(p), transformed back.

    The standard error of logit(p) is se / (p(1-p)). At p = 0 or 1 the logit interval does not
    exist; the interval is then the point itself (such cells are suppressed when small).
    """
    if not (math.isfinite(p) and math.isfinite(se)):
        return (float("nan"), float("nan"))
    if p <= 0.0 or p >= 1.0 or se == 0.0:
        return (p, p)
    half = t_quantile(df, level) * se / (p * (1.0 - p))
    centre = math.log(p / (1.0 - p))
    return (_expit(centre - half), _expit(centre + half))


def mean_interval(value: float, se: float, df: int, level: float = 0.95) -> tuple[float, float]:
    """Symmetric t interval, as R's ``confint(svymean(...), df=degf(design))``."""
    half = t_quantile(df, level) * se
    return (value - half, value + half)


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _codes(table: Grouped, item: str) -> np.ndarray:
    values = table.key(item)
    if not np.issubdtype(values.dtype, np.integer):
        raise CountsError(f"{item!r} holds numbers, not answer codes; use means() for it")
    return values


def grouping_codes(design: Weights, table: Grouped, name: str) -> np.ndarray:
    """Codes of a grouping key per class: a key of the table, or else a weighting variable
    (read from the class's cell, so demographic subgroups need no extra key in the counts)."""
    if name not in table.keys and name in design.cells.variables:
        return design.cells.column(name)[table.cell]
    return _codes(table, name)


def _domains(
    design: Weights, table: Grouped, base: np.ndarray, group: str | None
) -> tuple[list[int | None], np.ndarray]:
    """The domains to estimate, the base or the base within each category of the group key:
    their group codes and each class's domain (-1 outside every domain)."""
    if group is None:
        return [None], np.where(base, 0, -1)
    codes = grouping_codes(design, table, group)
    inside = base & (codes >= 0) & (table.counts > 0)
    groups = np.unique(codes[inside])
    position = np.searchsorted(groups, codes)
    found = base & (codes >= 0) & (position < len(groups))
    found[found] = groups[position[found]] == codes[found]
    return [int(g) for g in groups], np.where(found, position, -1)


def proportions(
    design: Weights,
    table: Grouped,
    item: str,
    *,
    group: str | None = None,
    options: Sequence[int] | None = None,
    mode: Mode = "calibrated",
    level: float = 0.95,
) -> list[Estimate]:
    """Share of each option of a single-choice item among those who answered it.

    ``table`` is grouped by cell and the key ``item`` (and ``group`` if given; a weighting
    variable needs no key, it is read from the cell). Options default to
    every code found in the base; pass ``options`` to list codes nobody chose too. Intervals on the
    logit scale with t on (respondents in the domain - 1) degrees of freedom.
    """
    mode = check_mode(mode)
    table.check_against(design.cells)
    y = _codes(table, item)
    base = y >= 0
    codes = (
        np.array(sorted(set(int(v) for v in options)), dtype=np.int64)
        if options is not None
        else np.unique(y[base & (table.counts > 0)])
    )
    indicators = (y[:, None] == codes[None, :]).astype(np.float64)
    rows: list[Estimate] = []
    groups, domain = _domains(design, table, base, group)
    fits = ratios_by_domain(design, table.cell, table.counts, indicators, domain, len(groups), mode)
    inside = domain >= 0
    chosen_by_domain = np.zeros((len(groups), len(codes)))
    for j, column in enumerate(indicators.T):
        chosen_by_domain[:, j] = np.bincount(
            domain[inside], weights=(table.counts * column)[inside], minlength=len(groups)
        )
    for group_code, fit, chosen in zip(groups, fits, chosen_by_domain, strict=True):
        df = fit.respondents - 1
        errors = fit.se
        for j, code in enumerate(codes):
            p = float(fit.estimate[j])
            se = float(errors[j])
            low, high = logit_interval(p, se, df, level)
            rows.append(
                Estimate(
                    item=item,
                    option=int(code),
                    n=int(chosen[j]),
                    base=fit.respondents,
                    estimate=p,
                    se=se,
                    ci_low=low,
                    ci_high=high,
                    df=df,
                    kind="proportion",
                    group=group,
                    group_code=group_code,
                )
            )
    return rows


def means(
    design: Weights,
    table: Grouped,
    item: str,
    *,
    group: str | None = None,
    exclude: Collection[float] = (),
    mode: Mode = "calibrated",
    level: float = 0.95,
) -> list[Estimate]:
    """Weighted mean of a numeric item (slider, number, or a scale's codes) among answerers.

    Values in ``exclude`` (e.g. a don't-know code) do not count as answers. Interval
    ``mean +/- t * se`` with t on (respondents in the domain - 1) degrees of freedom.
    """
    mode = check_mode(mode)
    table.check_against(design.cells)
    y = table.key(item).astype(np.float64)
    base = is_answered(table.key(item))
    if exclude:
        base &= ~np.isin(y, list(exclude))
    values = np.where(base, y, 0.0)
    rows: list[Estimate] = []
    groups, domain = _domains(design, table, base, group)
    fits = ratios_by_domain(design, table.cell, table.counts, values, domain, len(groups), mode)
    for group_code, fit in zip(groups, fits, strict=True):
        df = fit.respondents - 1
        value = float(fit.estimate[0])
        se = float(fit.se[0])
        low, high = mean_interval(value, se, df, level)
        rows.append(
            Estimate(
                item=item,
                option=None,
                n=fit.respondents,
                base=fit.respondents,
                estimate=value,
                se=se,
                ci_low=low,
                ci_high=high,
                df=df,
                kind="mean",
                group=group,
                group_code=group_code,
            )
        )
    return rows
