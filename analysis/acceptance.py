"""The acceptance-conditions summary: how acceptance depends on the conditions citizens set.

Per application: acceptance (top-2 share of the 5-point scale) with the full distribution and the
don't-know share; per condition the share calling it necessary, ranked, with a paired test between
neighbours; and the lift, conditional minus unconditional acceptance on the same respondents. Per
domain: the same figures averaged over the domain's applications (each application counts once).

The code takes plain descriptors (application id, domain, item codes) and a *table source*: a
function that returns the joint counts of a few items (see README "Table source"). All figures are
combinations of shares; their variances come from linearization on the joint counts of the items
involved, so paired figures (lift, neighbour differences, domain averages) carry the covariance of
answers given by the same respondents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import stats

from analysis.counts import CountsError, Grouped
from analysis.disclosure import DEFAULT_MINIMUM
from analysis.estimates import Estimate, logit_interval, mean_interval, proportions
from analysis.linked_tables import Layout, Margin, lift_shown, margin
from analysis.variance import (
    Linearized,
    Mode,
    check_mode,
    class_weights,
    linearize,
    linearized_covariance,
)
from analysis.weighting import Weights

TableSource = Callable[[tuple[str, ...]], Grouped]
"""Joint counts of the given items: keys named by item code, -1 for no answer, every respondent
who answered at least one of them (the engine asks for one to four items at a time)."""


@dataclass(frozen=True)
class Condition:
    """One row of an application's conditions battery."""

    name: str
    """The condition, stable across applications and years (e.g. ``safety``)."""
    item: str
    """The battery row's item code (e.g. ``COND_CRISPR_SAFETY``)."""


@dataclass(frozen=True)
class Application:
    """What the summary needs to know about one application, taken from the question set roles."""

    id: str
    domain: str
    acceptance: str
    """Item code of the acceptance question (role ``acceptance``)."""
    conditions: tuple[Condition, ...] = ()
    """Rows of the conditions battery (role ``condition``)."""
    conditional: str | None = None
    """Item code of the conditional acceptance question (role ``conditional_acceptance``)."""


@dataclass(frozen=True)
class Coding:
    """Answer codes of the scales, as a question set's vocabulary declares them (the defaults are
    the shipped ``acceptance5`` and ``conditions3`` lists)."""

    acceptance_options: tuple[int, ...] = (1, 2, 3, 4, 5, 9)
    accept: tuple[int, ...] = (4, 5)
    dont_know: tuple[int, ...] = (9,)
    condition_options: tuple[int, ...] = (1, 2, 3, 9)
    necessary: tuple[int, ...] = (3,)


@dataclass(frozen=True)
class Comparison:
    """Paired difference of two figures from the same respondents, with its t test."""

    first: str
    second: str
    difference: float
    se: float
    statistic: float
    df: int | None
    p_value: float
    ci_low: float
    ci_high: float
    respondents: int | None
    suppressed: bool = False

    @property
    def significant(self) -> bool:
        """Significant at the 5% level (two-sided); never for a suppressed comparison."""
        return not self.suppressed and self.p_value < 0.05


@dataclass(frozen=True)
class ConditionShare:
    """A condition in the ranking: share necessary and the test against the next one down."""

    condition: str
    item: str
    rank: int
    necessary: Estimate
    versus_next: Comparison | None = None


@dataclass(frozen=True)
class Lift:
    """Conditional minus unconditional acceptance, on the respondents who answered both."""

    conditional: Estimate
    unconditional: Estimate
    lift: Estimate
    p_value: float


@dataclass(frozen=True)
class ApplicationSummary:
    application: str
    domain: str
    acceptance: Estimate
    dont_know: Estimate
    distribution: tuple[Estimate, ...]
    conditions: tuple[ConditionShare, ...]
    lift: Lift | None

    def rows(self) -> list[Estimate]:
        """The summary as tidy rows (distribution, acceptance, conditions, lift)."""
        out = [*self.distribution, self.acceptance]
        out += [c.necessary for c in self.conditions]
        if self.lift is not None:
            out += [self.lift.conditional, self.lift.unconditional, self.lift.lift]
        return out


@dataclass(frozen=True)
class DomainSummary:
    """Averages over the domain's applications (each application weighs the same)."""

    domain: str
    applications: tuple[str, ...]
    acceptance: Estimate
    dont_know: Estimate
    conditions: tuple[ConditionShare, ...]
    lift: Estimate | None

    def rows(self) -> list[Estimate]:
        out = [self.acceptance, self.dont_know, *(c.necessary for c in self.conditions)]
        if self.lift is not None:
            out.append(self.lift)
        return out


@dataclass(frozen=True)
class Summary:
    applications: tuple[ApplicationSummary, ...]
    domains: tuple[DomainSummary, ...]

    def rows(self) -> list[Estimate]:
        out: list[Estimate] = []
        for app in self.applications:
            out += app.rows()
        for domain in self.domains:
            out += domain.rows()
        return out


@dataclass(frozen=True)
class _Term:
    """Share of ``codes`` on ``item`` among respondents who answered every item of ``base``."""

    item: str
    codes: tuple[int, ...]
    base: tuple[str, ...]


@dataclass
class _Share:
    estimate: float
    weight: float
    respondents: int
    chosen: int
    """Respondents in the base with one of the term's codes."""


@dataclass
class _Engine:
    """Shares and their joint covariance, fetching and caching the joint tables it needs."""

    design: Weights
    source: TableSource
    mode: Mode
    tables: dict[tuple[str, ...], Grouped] = field(default_factory=dict)
    shares: dict[_Term, _Share] = field(default_factory=dict)
    covariances: dict[tuple[_Term, _Term], float] = field(default_factory=dict)
    linearized: dict[_Term, Linearized] = field(default_factory=dict)

    def table(self, items: Sequence[str]) -> Grouped:
        key = tuple(sorted(set(items)))
        if key not in self.tables:
            table = self.source(key)
            missing = [item for item in key if item not in table.keys]
            if missing:
                raise CountsError(f"the table source returned no key for {missing}")
            table.check_against(self.design.cells)
            self.tables[key] = table
        return self.tables[key]

    @staticmethod
    def _hit(term: _Term, table: Grouped) -> np.ndarray:
        """Where the term's item has one of its codes (a few codes: cheaper than np.isin)."""
        values = table.key(term.item)
        hit = np.zeros(len(values), dtype=bool)
        for code in term.codes:
            hit |= values == code
        return hit

    def _domain(self, term: _Term, table: Grouped) -> np.ndarray:
        domain = table.counts > 0
        for item in term.base:
            domain &= table.key(item) >= 0
        return domain

    def share(self, term: _Term) -> _Share:
        if term not in self.shares:
            table = self.table(term.base)
            domain = self._domain(term, table)
            hit = domain & self._hit(term, table)
            cw = table.counts * class_weights(self.design, table.cell, self.mode)
            weight = float(cw[domain].sum())
            estimate = float(cw[hit].sum()) / weight if weight > 0 else float("nan")
            self.shares[term] = _Share(
                estimate,
                weight,
                int(table.counts[domain].sum()),
                int(table.counts[hit].sum()),
            )
        return self.shares[term]

    def _influence(self, term: _Term, table: Grouped) -> np.ndarray:
        share = self.share(term)
        domain = self._domain(term, table)
        hit = self._hit(term, table).astype(np.float64)
        return np.where(domain, (hit - share.estimate) / share.weight, 0.0)

    def _linearized(self, term: _Term) -> Linearized:
        """The term's own parts of every covariance it enters, from its base's table."""
        if term not in self.linearized:
            table = self.table(term.base)
            u = self._influence(term, table)
            self.linearized[term] = linearize(self.design, table.cell, table.counts, u, self.mode)
        return self.linearized[term]

    def cov(self, a: _Term, b: _Term) -> float:
        """Their covariance: each term's own parts, and their cross product on the joint table
        of both bases (the respondents who answered both sets of questions)."""
        key = (a, b) if (a.item, a.base) <= (b.item, b.base) else (b, a)
        if key not in self.covariances:
            table = self.table((*a.base, *b.base))
            w = class_weights(self.design, table.cell, self.mode)
            cross_product = float(
                np.sum(table.counts * w**2 * self._influence(a, table) * self._influence(b, table))
            )
            self.covariances[key] = linearized_covariance(
                self.design, self._linearized(a), self._linearized(b), cross_product, self.mode
            )
        return self.covariances[key]

    def combine(self, terms: Sequence[_Term], coef: Sequence[float]) -> tuple[float, float]:
        """Estimate and standard error of sum(coef_j * share_j)."""
        estimate = sum(c * self.share(t).estimate for t, c in zip(terms, coef, strict=True))
        variance = 0.0
        for i, (ti, ci) in enumerate(zip(terms, coef, strict=True)):
            for j, (tj, cj) in enumerate(zip(terms, coef, strict=True)):
                if j >= i:
                    factor = 1.0 if i == j else 2.0
                    variance += factor * ci * cj * self.cov(ti, tj)
        return estimate, float(np.sqrt(max(variance, 0.0)))


def _share_estimate(engine: _Engine, term: _Term, item: str, option: str, level: float) -> Estimate:
    share = engine.share(term)
    estimate, se = engine.combine([term], [1.0])
    df = share.respondents - 1
    low, high = logit_interval(estimate, se, df, level)
    return Estimate(
        item=item,
        option=option,
        n=share.chosen,
        base=share.respondents,
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        df=df,
    )


def _paired(
    engine: _Engine,
    first: _Term,
    second: _Term,
    names: tuple[str, str],
    level: float,
) -> Comparison:
    """first - second on the same base: a paired difference, linearized per respondent."""
    difference, se = engine.combine([first, second], [1.0, -1.0])
    n = engine.share(first).respondents
    df = n - 1
    statistic = difference / se if se > 0 else float("nan")
    p_value = float(2.0 * stats.t.sf(abs(statistic), df)) if se > 0 and df > 0 else float("nan")
    low, high = mean_interval(difference, se, df, level)
    return Comparison(names[0], names[1], difference, se, statistic, df, p_value, low, high, n)


def _option_counts(table: Grouped, item: str, options: Sequence[int]) -> list[int]:
    """Respondents (unweighted) per option of an item."""
    codes = table.key(item)
    return [int(table.counts[codes == option].sum()) for option in options]


Sums = tuple[tuple[tuple[int, ...], bool], ...]


def published_sums(applications: Sequence[Application], coding: Coding) -> dict[str, Sums]:
    """The sums of options the summary publishes (True) or implies (False) beside each
    question's distribution: acceptance and don't know of an acceptance question, necessary of
    a condition; a conditional acceptance question's accepting enter the lift only. Its tables
    are suppressed with these sums (`summary_layout`), wherever they are published."""
    found: dict[str, Sums] = {}
    for application in applications:
        found[application.acceptance] = ((coding.accept, True), (coding.dont_know, True))
        if application.conditional is not None:
            found[application.conditional] = ((coding.accept, False),)
        for condition in application.conditions:
            found[condition.item] = ((coding.necessary, True),)
    return found


def summary_layout(options: Sequence[int], sums: Sums) -> Layout:
    """The layout of a question's overall table with the summary's sums."""
    return Layout(
        "options",
        tuple(options),
        tuple(codes for codes, _ in sums),
        tuple(shown for _, shown in sums),
    )


def _hide_if(row: Estimate, hide: bool) -> Estimate:
    return row.hidden() if hide else row


def summarize_application(
    design: Weights,
    application: Application,
    source: TableSource,
    *,
    coding: Coding = Coding(),  # noqa: B008 - frozen, shared default is safe
    mode: Mode = "calibrated",
    level: float = 0.95,
    minimum: int | None = DEFAULT_MINIMUM,
    _engine: _Engine | None = None,
) -> ApplicationSummary:
    """Acceptance, conditions ranking and lift of one application (see module docstring)."""
    mode = check_mode(mode)
    engine = _engine or _Engine(design, source, mode)
    acc = application.acceptance
    distribution = proportions(
        design, engine.table((acc,)), acc, options=coding.acceptance_options, mode=mode, level=level
    )
    accepted = _Term(acc, coding.accept, (acc,))
    dont_know_term = _Term(acc, coding.dont_know, (acc,))
    acceptance = _share_estimate(engine, accepted, acc, "acceptable", level)
    dont_know = _share_estimate(engine, dont_know_term, acc, "dont_know", level)
    accepting: Margin | None = None
    if minimum is not None:
        accepting = margin(
            summary_layout(
                coding.acceptance_options,
                ((coding.accept, True), (coding.dont_know, True)),
            ),
            np.array(_option_counts(engine.table((acc,)), acc, coding.acceptance_options)),
            design.n,
            minimum,
        )
        distribution = [
            _hide_if(row, not accepting.shown(("option", int(row.option or 0))))
            for row in distribution
        ]
        acceptance = _hide_if(acceptance, not accepting.shown(("sum", 0)))
        dont_know = _hide_if(dont_know, not accepting.shown(("sum", 1)))

    shares: list[tuple[Condition, Estimate]] = []
    for condition in application.conditions:
        term = _Term(condition.item, coding.necessary, (condition.item,))
        estimate = _share_estimate(engine, term, condition.item, "necessary", level)
        if minimum is not None:
            necessary = margin(
                summary_layout(coding.condition_options, ((coding.necessary, True),)),
                np.array(
                    _option_counts(
                        engine.table((condition.item,)), condition.item, coding.condition_options
                    )
                ),
                design.n,
                minimum,
            )
            estimate = _hide_if(estimate, not necessary.shown(("sum", 0)))
        shares.append((condition, estimate))
    ranked = _rank(shares)
    conditions: list[ConditionShare] = []
    for position, (condition, estimate) in enumerate(ranked):
        versus: Comparison | None = None
        if position + 1 < len(ranked):
            other, other_estimate = ranked[position + 1]
            pair = (condition.item, other.item)
            versus = _paired(
                engine,
                _Term(condition.item, coding.necessary, pair),
                _Term(other.item, coding.necessary, pair),
                (condition.name, other.name),
                level,
            )
            if minimum is not None and (
                estimate.suppressed
                or other_estimate.suppressed
                or (versus.respondents or 0) < minimum
            ):
                versus = _hidden_comparison(versus)
        conditions.append(
            ConditionShare(condition.name, condition.item, position + 1, estimate, versus)
        )

    lift: Lift | None = None
    if application.conditional is not None:
        lift = _lift(engine, acc, application.conditional, coding, level, minimum, accepting)
    return ApplicationSummary(
        application=application.id,
        domain=application.domain,
        acceptance=acceptance,
        dont_know=dont_know,
        distribution=tuple(distribution),
        conditions=tuple(conditions),
        lift=lift,
    )


def _rank(shares: list[tuple[Condition, Estimate]]) -> list[tuple[Condition, Estimate]]:
    """Highest share necessary first; suppressed shares last; ties keep the battery's order."""
    return sorted(
        shares,
        key=lambda pair: (pair[1].suppressed, -pair[1].estimate if not pair[1].suppressed else 0),
    )


def _hidden_comparison(comparison: Comparison) -> Comparison:
    """No number at all: its degrees of freedom are its respondents - 1."""
    nan = float("nan")
    return replace(
        comparison,
        difference=nan,
        se=nan,
        statistic=nan,
        df=None,
        p_value=nan,
        ci_low=nan,
        ci_high=nan,
        respondents=None,
        suppressed=True,
    )


def _lift(
    engine: _Engine,
    acceptance: str,
    conditional: str,
    coding: Coding,
    level: float,
    minimum: int | None,
    accepting: Margin | None,
) -> Lift:
    """Conditional and unconditional acceptance on the paired base, and their difference; all
    hidden unless `analysis.linked_tables.lift_shown` allows them."""
    pair = (acceptance, conditional)
    with_conditions = _Term(conditional, coding.accept, pair)
    without = _Term(acceptance, coding.accept, pair)
    conditional_row = _share_estimate(
        engine, with_conditions, conditional, "acceptable_paired", level
    )
    unconditional_row = _share_estimate(engine, without, acceptance, "acceptable_paired", level)
    comparison = _paired(engine, with_conditions, without, (conditional, acceptance), level)
    lift_row = Estimate(
        item=f"{conditional}-{acceptance}",
        option="lift",
        n=comparison.respondents,
        base=comparison.respondents,
        estimate=comparison.difference,
        se=comparison.se,
        ci_low=comparison.ci_low,
        ci_high=comparison.ci_high,
        df=comparison.df,
        kind="difference",
    )
    p_value = comparison.p_value
    if minimum is not None and accepting is not None:
        conditionally = margin(
            summary_layout(coding.acceptance_options, ((coding.accept, False),)),
            np.array(
                _option_counts(engine.table((conditional,)), conditional, coding.acceptance_options)
            ),
            engine.design.n,
            minimum,
        )
        shown_with, shown_without = lift_shown(
            accepting,
            conditionally,
            coding.accept,
            conditional_row.n or 0,
            unconditional_row.n or 0,
            comparison.respondents or 0,
            minimum,
        )
        if not shown_with:
            conditional_row = conditional_row.hidden()
        if not shown_without:
            unconditional_row = unconditional_row.hidden()
        if not (shown_with and shown_without):
            lift_row = lift_row.hidden()
            p_value = float("nan")
    return Lift(conditional_row, unconditional_row, lift_row, p_value)


def _average(
    engine: _Engine,
    terms: Sequence[_Term],
    item: str,
    option: str,
    components: Sequence[Estimate],
    level: float,
) -> Estimate:
    """Mean of shares over applications, with the covariance between them (logit interval).

    Degrees of freedom: the smallest base among the applications, minus one.
    """
    estimate, se = engine.combine(terms, [1.0 / len(terms)] * len(terms))
    df = min(engine.share(t).respondents for t in terms) - 1
    low, high = logit_interval(estimate, se, df, level)
    row = Estimate(
        item=item,
        option=option,
        n=None,
        base=None,
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        df=df,
    )
    return row.hidden() if any(c.suppressed for c in components) else row


def summarize_domain(
    design: Weights,
    domain: str,
    applications: Sequence[ApplicationSummary],
    descriptors: Sequence[Application],
    source: TableSource,
    *,
    coding: Coding = Coding(),  # noqa: B008 - frozen, shared default is safe
    mode: Mode = "calibrated",
    level: float = 0.95,
    _engine: _Engine | None = None,
) -> DomainSummary:
    """Domain figures: each application's figure averaged with equal weight per application.

    A domain figure is hidden when any application figure it averages is hidden (it would
    otherwise reveal it). Conditions are ranked without tests between neighbours: comparing
    two averages would need every respondent's joint answers to all of the domain's conditions,
    which no table of counts keeps (the tests are there per application).
    """
    mode = check_mode(mode)
    engine = _engine or _Engine(design, source, mode)
    apps = [a for a in descriptors if a.domain == domain]
    if not apps:
        raise ValueError(f"no application in domain {domain!r}")
    summaries = {s.application: s for s in applications}
    label = f"domain:{domain}"
    acceptance = _average(
        engine,
        [_Term(a.acceptance, coding.accept, (a.acceptance,)) for a in apps],
        label,
        "acceptable",
        [summaries[a.id].acceptance for a in apps],
        level,
    )
    dont_know = _average(
        engine,
        [_Term(a.acceptance, coding.dont_know, (a.acceptance,)) for a in apps],
        label,
        "dont_know",
        [summaries[a.id].dont_know for a in apps],
        level,
    )
    names: list[str] = []
    for app in apps:
        for condition in app.conditions:
            if condition.name not in names:
                names.append(condition.name)
    by_name: dict[str, list[_Term]] = {}
    rows_by_name: dict[str, Estimate] = {}
    for name in names:
        terms = [
            _Term(c.item, coding.necessary, (c.item,))
            for a in apps
            for c in a.conditions
            if c.name == name
        ]
        components = [
            share.necessary
            for a in apps
            for share in summaries[a.id].conditions
            if share.condition == name
        ]
        by_name[name] = terms
        rows_by_name[name] = _average(engine, terms, label, f"necessary:{name}", components, level)
    order = sorted(
        names,
        key=lambda n: (
            rows_by_name[n].suppressed,
            -rows_by_name[n].estimate if not rows_by_name[n].suppressed else 0,
        ),
    )
    conditions = [
        ConditionShare(name, label, position + 1, rows_by_name[name])
        for position, name in enumerate(order)
    ]
    lift: Estimate | None = None
    with_lift = [a for a in apps if a.conditional is not None]
    if with_lift:
        lift_terms: list[_Term] = []
        lift_coef: list[float] = []
        for a in with_lift:
            assert a.conditional is not None
            pair = (a.acceptance, a.conditional)
            lift_terms += [
                _Term(a.conditional, coding.accept, pair),
                _Term(a.acceptance, coding.accept, pair),
            ]
            lift_coef += [1.0 / len(with_lift), -1.0 / len(with_lift)]
        estimate, se = engine.combine(lift_terms, lift_coef)
        df = min(engine.share(t).respondents for t in lift_terms) - 1
        low, high = mean_interval(estimate, se, df, level)
        lift = Estimate(
            item=label,
            option="lift",
            n=None,
            base=None,
            estimate=estimate,
            se=se,
            ci_low=low,
            ci_high=high,
            df=df,
            kind="difference",
        )
        lifts = [summaries[a.id].lift for a in with_lift]
        if any(c is None or c.lift.suppressed for c in lifts):
            lift = lift.hidden()
    return DomainSummary(
        domain=domain,
        applications=tuple(a.id for a in apps),
        acceptance=acceptance,
        dont_know=dont_know,
        conditions=tuple(conditions),
        lift=lift,
    )


def acceptance_summary(
    design: Weights,
    applications: Sequence[Application],
    source: TableSource,
    *,
    coding: Coding = Coding(),  # noqa: B008 - frozen, shared default is safe
    mode: Mode = "calibrated",
    level: float = 0.95,
    minimum: int | None = DEFAULT_MINIMUM,
) -> Summary:
    """The whole summary: every application, then every domain in order of first appearance."""
    mode = check_mode(mode)
    engine = _Engine(design, source, mode)
    apps = tuple(
        summarize_application(
            design,
            a,
            source,
            coding=coding,
            mode=mode,
            level=level,
            minimum=minimum,
            _engine=engine,
        )
        for a in applications
    )
    domains: list[str] = []
    for a in applications:
        if a.domain not in domains:
            domains.append(a.domain)
    return Summary(
        applications=apps,
        domains=tuple(
            summarize_domain(
                design,
                d,
                apps,
                applications,
                source,
                coding=coding,
                mode=mode,
                level=level,
                _engine=engine,
            )
            for d in domains
        ),
    )
