"""How far an attacker can narrow down suppressed counts: bounds by linear programming.

An attacker who holds every published figure knows the shown counts and that the counts are
tied by addition (a group's options add up to its base, the groups add up to the overall count,
a subgroup count is at most the overall one) and are never negative. For a suppressed count the
smallest and largest value these constraints allow are two linear programs (integrality relaxed,
which can only widen the interval), solved with HiGHS through `scipy.optimize.linprog`.

**The criterion.** A suppressed count n with 0 < n < m (m the wave's minimum cell size) is
protected when the constraints allow it to be 0 and to be m or more: its interval contains
[0, m], so nobody can tell whether the group is empty, small or large enough to be shown. There
is one allowance, for counts of linked tables only (a table by subgroup): the tables that are
published on their own (every item's overall table, the acceptance summary) already imply some
bounds with every linked table withheld (in a wave of 600 where 590 are in one group and 15
chose an option, at least 5 of that group chose it); such a bound, computed with every linked
count unknown, is not held against the linked table, which must add nothing to it. A count of
an overall table has no allowance.

Only the counts that need it are solved one by one: one program maximizes the sum of the
suppressed counts each capped at m, which shows many of them reaching m at once; another
minimizes their sum, which shows many of them reaching 0 at once; the rest are solved singly.
Constraints fall apart into independent groups of unknown counts, each solved on its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

TOLERANCE = 1e-9
"""Slack allowed on a bound, relative to the largest count (plus 1e-6): the solver's rounding."""


@dataclass(frozen=True)
class Constraints:
    """What an attacker knows beyond the shown counts, over every entry of a set of tables:
    ``equal @ x == 0`` (one row per line: +1 its parts, -1 its total) and
    ``at_most @ x <= 0`` (one row per link: a subgroup's count at most the overall one)."""

    equal: sparse.csr_matrix
    at_most: sparse.csr_matrix


@dataclass(frozen=True)
class Interval:
    """The values a suppressed count can take given everything published."""

    entry: int
    value: int
    low: float
    high: float
    allowed_low: float = 0.0
    """The lowest bound the criterion accepts: 0, or what the overall tables alone imply."""
    allowed_high: float = float("inf")


@dataclass
class Findings:
    """The counts checked, the narrow ones and the programs solved."""

    checked: int = 0
    narrow: list[Interval] = field(default_factory=list)
    programs: int = 0
    stopped: bool = False
    """The search stopped at its limit of narrow counts: there may be more."""


@dataclass
class _Problem:
    """One group of unknown counts tied by constraints: x >= 0, eq @ x == b_eq, ub @ x <= b_ub."""

    variables: np.ndarray
    """Entry index of each variable."""
    eq: sparse.csr_matrix
    b_eq: np.ndarray
    ub: sparse.csr_matrix
    b_ub: np.ndarray
    tolerance: float
    findings: Findings

    def solve(
        self,
        objective: np.ndarray,
        extra: int = 0,
        ub: sparse.csr_matrix | None = None,
        b_ub: np.ndarray | None = None,
        bounds: Sequence[tuple[float, float | None]] | None = None,
    ) -> np.ndarray | None:
        """The optimal x (None when unbounded); `extra` variables appended after x."""
        self.findings.programs += 1
        n = len(self.variables) + extra
        eq = sparse.hstack([self.eq, sparse.csr_matrix((self.eq.shape[0], extra))]).tocsr()
        if ub is None:
            ub = sparse.hstack([self.ub, sparse.csr_matrix((self.ub.shape[0], extra))]).tocsr()
            b_ub = self.b_ub
        if bounds is None:
            bounds = [(0, None)] * n
        result = linprog(
            objective,
            A_ub=ub if ub.shape[0] else None,
            b_ub=b_ub if ub.shape[0] else None,
            A_eq=eq if eq.shape[0] else None,
            b_eq=self.b_eq if eq.shape[0] else None,
            bounds=bounds,
            method="highs",
        )
        if result.status == 3:  # unbounded
            return None
        if result.status != 0:
            raise RuntimeError(f"the attacker's linear program failed: {result.message}")
        return np.asarray(result.x)

    def high(self, position: int) -> float:
        objective = np.zeros(len(self.variables))
        objective[position] = -1.0
        x = self.solve(objective)
        return float("inf") if x is None else float(x[position])

    def low(self, position: int) -> float:
        objective = np.zeros(len(self.variables))
        objective[position] = 1.0
        x = self.solve(objective)
        return 0.0 if x is None else float(x[position])

    def reaching(self, positions: Sequence[int], minimum: int) -> set[int]:
        """Of `positions`, those shown to reach `minimum` by one program: the sum of the counts,
        each capped at the minimum, made as large as possible."""
        n, r = len(self.variables), len(positions)
        cap = sparse.csr_matrix(
            (
                np.concatenate([np.ones(r), -np.ones(r)]),
                (
                    np.concatenate([np.arange(r), np.arange(r)]),
                    np.concatenate([n + np.arange(r), np.asarray(positions)]),
                ),
            ),
            shape=(r, n + r),
        )
        ub = sparse.vstack(
            [sparse.hstack([self.ub, sparse.csr_matrix((self.ub.shape[0], r))]), cap]
        ).tocsr()
        b_ub = np.concatenate([self.b_ub, np.zeros(r)])
        objective = np.concatenate([np.zeros(n), -np.ones(r)])
        bounds = [(0, None)] * n + [(0, minimum)] * r
        x = self.solve(objective, extra=r, ub=ub, b_ub=b_ub, bounds=bounds)
        if x is None:  # the capped sum cannot be unbounded; a solver hiccup: decide singly
            return set()
        return {p for j, p in enumerate(positions) if x[n + j] >= minimum - self.tolerance}

    def emptying(self, positions: Sequence[int]) -> set[int]:
        """Of `positions`, those shown to reach 0 by one program minimizing their sum."""
        objective = np.zeros(len(self.variables))
        objective[list(positions)] = 1.0
        x = self.solve(objective)
        if x is None:
            return set()
        return {p for p in positions if x[p] <= self.tolerance}


def _problems(
    constraints: Constraints,
    values: np.ndarray,
    known: np.ndarray,
    wanted: np.ndarray,
    findings: Findings,
    *,
    split: bool = True,
) -> list[_Problem]:
    """The independent groups of unknown counts that hold a wanted entry, each as a problem
    (or, without `split`, all of them as one)."""
    unknown = np.flatnonzero(~known)
    if len(unknown) == 0:
        return []
    known_values = np.where(known, values, 0).astype(np.float64)
    eq_u = constraints.equal[:, unknown].tocsr()
    b_eq = -(constraints.equal @ known_values)
    ub_u = constraints.at_most[:, unknown].tocsr()
    b_ub = -(constraints.at_most @ known_values)
    eq_rows = np.flatnonzero(np.diff(eq_u.indptr))
    ub_rows = np.flatnonzero(np.diff(ub_u.indptr))
    eq_u, b_eq = eq_u[eq_rows], b_eq[eq_rows]
    ub_u, b_ub = ub_u[ub_rows], b_ub[ub_rows]
    # Variables and constraint rows as one graph: its components are independent problems.
    rows = sparse.vstack([eq_u, ub_u]).tocsr()
    n_rows, n_vars = rows.shape
    pattern = rows.copy()
    pattern.data = np.ones_like(pattern.data)
    graph = sparse.bmat([[None, pattern], [pattern.T, None]]).tocsr()
    _, labels = connected_components(graph, directed=False)
    var_label = labels[n_rows:]
    row_label = labels[:n_rows]
    position = np.full(len(values), -1)
    position[unknown] = np.arange(n_vars)
    targets = position[wanted]
    scale = max(1.0, float(np.max(values, initial=0)))
    problems = []
    labels_wanted = np.unique(var_label[targets[targets >= 0]])
    groups = [[label] for label in labels_wanted] if split else [list(labels_wanted)]
    for group in groups:
        if not group:
            continue
        mine = np.flatnonzero(np.isin(var_label, group))
        in_eq = np.flatnonzero(np.isin(row_label[: len(eq_rows)], group))
        in_ub = np.flatnonzero(np.isin(row_label[len(eq_rows) :], group))
        problems.append(
            _Problem(
                variables=unknown[mine],
                eq=eq_u[in_eq][:, mine],
                b_eq=b_eq[in_eq],
                ub=ub_u[in_ub][:, mine],
                b_ub=b_ub[in_ub],
                tolerance=1e-6 + TOLERANCE * scale,
                findings=findings,
            )
        )
    return problems


def _failing(
    constraints: Constraints,
    values: np.ndarray,
    known: np.ndarray,
    targets: np.ndarray,
    minimum: int,
    findings: Findings,
    exact: bool,
) -> Iterator[tuple[int, float, float]]:
    """Each target failing the plain criterion with its interval (low, high; without `exact`
    the high end only up to the minimum). Shared programs over all unknown counts show as many
    targets as they can reaching the minimum, then 0, while they show any; the rest are solved
    one by one, each in its own group of unknown counts, as they are asked for."""
    whole = _problems(constraints, values, known, targets, findings, split=False)
    if not whole:
        return
    problem = whole[0]
    where = {int(e): p for p, e in enumerate(problem.variables)}
    mine = [where[int(t)] for t in targets if int(t) in where]
    highs: set[int] = set()
    lows: set[int] = set()
    rest = list(mine)
    while rest and (found := problem.reaching(rest, minimum)):
        highs |= found
        rest = [p for p in rest if p not in found]
    rest = list(mine)
    while rest and (found := problem.emptying(rest)):
        lows |= found
        rest = [p for p in rest if p not in found]
    doubtful = [int(problem.variables[p]) for p in mine if p not in highs or p not in lows]
    parts = _problems(constraints, values, known, np.array(doubtful, dtype=np.int64), findings)
    for part in parts:
        inside = {int(e): p for p, e in enumerate(part.variables)}
        for entry in doubtful:
            if entry not in inside:
                continue
            p = inside[entry]
            low = 0.0 if where[entry] in lows else part.low(p)
            high = float(minimum) if where[entry] in highs else part.high(p)
            if low > part.tolerance or high < minimum - part.tolerance:
                if exact and where[entry] in highs:
                    high = part.high(p)
                yield entry, low, high


def narrow_counts(
    constraints: Constraints,
    values: np.ndarray,
    known: np.ndarray,
    targets: np.ndarray,
    minimum: int,
    *,
    baseline: np.ndarray | None = None,
    exact: bool = True,
    limit: int | None = None,
) -> Findings:
    """The targets (suppressed counts with 0 < n < minimum) whose interval is narrower than the
    criterion allows (see the module docstring).

    `known` marks the shown counts. `baseline` marks the counts published on their own (the
    overall tables and the summary): a target outside it may keep a bound those imply with
    every other count unknown; a target inside it may not. Without `exact` the high end of a
    narrow interval is only known up to the minimum (what suppression needs). With `limit`, the
    search stops once it has found that many narrow counts (`Findings.stopped`): a broken
    suppression can leave thousands, each a few linear programs."""
    values = np.asarray(values, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    findings = Findings(checked=len(targets))
    scale = max(1.0, float(np.max(values, initial=0)))
    tolerance = 1e-6 + TOLERANCE * scale
    alone: dict[int, tuple[_Problem, int]] | None = None
    for e, low, high in _failing(constraints, values, known, targets, minimum, findings, exact):
        floor, ceiling = 0.0, float("inf")
        if baseline is not None and not baseline[e]:
            if alone is None:  # the bounds the counts published on their own imply
                alone = {}
                linked = targets[~baseline[targets]]
                for problem in _problems(constraints, values, known & baseline, linked, findings):
                    for p, entry in enumerate(problem.variables):
                        alone[int(entry)] = (problem, p)
            if e in alone:
                problem, p = alone[e]
                if low > tolerance:
                    floor = problem.low(p)
                if high < minimum - tolerance:
                    ceiling = problem.high(p)
        if low <= max(0.0, floor) + tolerance and high >= min(minimum, ceiling) - tolerance:
            continue
        findings.narrow.append(Interval(e, int(values[e]), low, high, floor, ceiling))
        if limit is not None and len(findings.narrow) >= limit:
            findings.stopped = True
            break
    findings.narrow.sort(key=lambda found: found.entry)
    return findings
