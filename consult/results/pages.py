"""What the results overview shows, in the reader's language: the report's figures labelled with
the set's words (never codes), formatted as shown, with the chart geometry beside them.

Plain Python over a `Report`: the view picks the wave and the language, the templates only lay
out what is here. Numbers are formatted here (a decimal comma in Dutch) so a test can format a
`consult report` figure the same way and find it on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis import Estimate
from consult.results import charts
from consult.results.charts import Axis, Dot, Segment, Tick
from consult.results.labels import item_label, option_label, term_label
from consult.results.report import OverviewFigures, method_paragraphs
from surveys.model import QuestionSet

DASH = "–"
"""Shown instead of a suppressed figure (with a footnote saying why)."""


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def number(value: float | None, lang: str, digits: int = 1) -> str:
    """A number as shown: a decimal comma in Dutch; the dash when there is none."""
    if not _finite(value):
        return DASH
    assert value is not None
    text = f"{value:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def percent(value: float | None, lang: str) -> str:
    """A share as a percentage with one decimal ("25.7%", "25,7%")."""
    return DASH if not _finite(value) else number(100 * value, lang) + "%"  # type: ignore[operator]


def points(value: float | None, lang: str) -> str:
    """A difference of shares in percentage points, with its sign ("+12.5", "−3,0")."""
    if not _finite(value):
        return DASH
    assert value is not None
    text = number(abs(100 * value), lang)
    return ("+" if value >= 0 else "−") + text


def p_value(value: float | None, lang: str) -> str:
    """A p-value as shown after "p": "< 0.001" below a thousandth, else "= " three decimals."""
    if not _finite(value):
        return DASH
    assert value is not None
    if value < 0.001:
        return "< " + number(0.001, lang, 3)
    return "= " + number(value, lang, 3)


@dataclass(frozen=True)
class Shown:
    """One figure as a page shows it: its label, value and interval as text, and its dot."""

    label: str
    value: float
    low: float
    high: float
    text: str
    interval: str
    n: int | None
    base: int | None
    suppressed: bool


def shown(row: Estimate, label: str, lang: str, *, as_points: bool = False) -> Shown:
    """A share (or, `as_points`, a difference of shares) with its 95% interval."""
    form = points if as_points else percent
    mean = row.kind == "mean"
    if row.suppressed:
        text = interval = DASH
    elif mean:
        text = number(row.estimate, lang, 2)
        interval = f"{number(row.ci_low, lang, 2)} – {number(row.ci_high, lang, 2)}"
    else:
        text = form(row.estimate, lang)
        interval = f"{form(row.ci_low, lang)} – {form(row.ci_high, lang)}"
    return Shown(
        label, row.estimate, row.ci_low, row.ci_high, text, interval, row.n, row.base,
        row.suppressed,
    )  # fmt: skip


@dataclass(frozen=True)
class Test:
    """A test's verdict in words the template translates: p, and significant or not."""

    p: str
    significant: bool
    tested: bool


def verdict(p: float | None, lang: str) -> Test:
    if not _finite(p):
        return Test(DASH, False, False)
    assert p is not None
    return Test(p_value(p, lang), p < 0.05, True)


@dataclass(frozen=True)
class ConditionView:
    rank: int
    label: str
    share: Shown
    dot: Dot
    next_label: str | None
    difference: str | None
    difference_interval: str | None
    test: Test | None


@dataclass(frozen=True)
class LiftView:
    conditional: Shown
    unconditional: Shown
    lift: Shown
    test: Test


@dataclass(frozen=True)
class ApplicationView:
    code: str
    label: str
    acceptance: Shown
    dont_know: Shown
    distribution: tuple[Shown, ...]
    bar: tuple[Segment, ...]
    dot: Dot
    conditions: tuple[ConditionView, ...]
    lift: LiftView | None
    item: str
    """The acceptance question's code, for the link to its item page."""


@dataclass(frozen=True)
class DomainView:
    code: str
    label: str
    acceptance: Shown
    dont_know: Shown
    dot: Dot
    conditions: tuple[ConditionView, ...]
    lift: Shown | None
    applications: tuple[ApplicationView, ...]


@dataclass(frozen=True)
class DifferenceView:
    application: str
    variable: str
    variable_code: str
    item: str
    highest: Shown
    lowest: Shown
    spread: str
    test: Test


@dataclass(frozen=True)
class ChangeView:
    label: str
    earlier: str
    later: str
    difference: str
    interval: str
    test: Test


@dataclass(frozen=True)
class ResponseView:
    completes: int
    effective_n: str
    design_effect: str
    weight_low: str
    weight_high: str
    cells: int
    variables: tuple[str, ...]
    weighted: bool
    converged: bool
    minimum: int
    margins_source: tuple[str, ...]
    method: tuple[str, str]
    """How the figures were made: in plain words, then for researchers (`method_paragraphs`)."""


@dataclass(frozen=True)
class Overview:
    domains: tuple[DomainView, ...]
    scale: tuple[tuple[str, str], ...]
    """The acceptance scale's options (label, colour) in order, for the chart's legend."""
    dont_know_label: str
    span_ticks: tuple[Tick, ...]
    share_ticks: tuple[Tick, ...]
    share_axis: Axis
    differences: tuple[DifferenceView, ...]
    changes: tuple[ChangeView, ...]
    previous_wave: str | None
    response: ResponseView
    suppressed: bool
    """Some figure is hidden: the page says why under the tables."""


def _conditions(
    question_set: QuestionSet, rows: tuple, axis: Axis, lang: str
) -> tuple[ConditionView, ...]:
    out = []
    for share in rows:
        label = term_label(question_set, "condition", share.condition, lang)
        view = shown(share.necessary, label, lang)
        versus = share.versus_next
        if versus is None:
            out.append(
                ConditionView(share.rank, label, view, _dot(axis, view), None, None, None, None)
            )
            continue
        out.append(
            ConditionView(
                share.rank,
                label,
                view,
                _dot(axis, view),
                term_label(question_set, "condition", versus.second, lang),
                DASH if versus.suppressed else points(versus.difference, lang),
                DASH
                if versus.suppressed
                else f"{points(versus.ci_low, lang)} – {points(versus.ci_high, lang)}",
                Test(DASH, False, False) if versus.suppressed else verdict(versus.p_value, lang),
            )
        )
    return tuple(out)


def _dot(axis: Axis, figure: Shown) -> Dot:
    return charts.dot(axis, figure.value, figure.low, figure.high)


def _substantive(question_set: QuestionSet, code: str) -> list[int]:
    """The options of a scale that are not "don't know" (or another missing answer)."""
    item = question_set.owner_of(code)
    return [choice.code for choice in item.choices if choice.missing is None]


def overview(report: OverviewFigures, lang: str, previous_wave: str | None = None) -> Overview:
    """The overview of a wave: acceptance and its conditions per domain and application, the
    subgroup differences, the change since the previous wave, and the response figures."""
    question_set = report.design.question_set
    summary = report.summary
    axis = Axis(0.0, 1.0)
    domains: list[DomainView] = []
    scale: list[tuple[str, str]] = []
    dont_know_label = ""
    suppressed = any(row.suppressed for row in (summary.rows() if summary else []))
    if summary is not None:
        first = summary.applications[0].acceptance.item if summary.applications else None
        options = _substantive(question_set, first) if first else []
        bars = [
            [row.estimate for row in app.distribution if row.option in options]
            for app in summary.applications
        ]
        span = charts.diverging_span(bars)
        if first:
            colours = charts.DIVERGING.get(len(options), charts.OKABE_ITO)
            scale = [
                (option_label(question_set, first, option, lang), colour)
                for option, colour in zip(options, colours, strict=False)
            ]
            missing = [c.code for c in question_set.owner_of(first).choices if c.missing]
            dont_know_label = option_label(question_set, first, missing[0], lang) if missing else ""
        applications: dict[str, ApplicationView] = {}
        for app in summary.applications:
            label = term_label(question_set, "application", app.application, lang)
            distribution = tuple(
                shown(row, option_label(question_set, row.item, row.option, lang), lang)
                for row in app.distribution
            )
            on_scale = [d for d, row in zip(distribution, app.distribution, strict=True)
                        if row.option in options]  # fmt: skip
            acceptance = shown(app.acceptance, label, lang)
            lift = None
            if app.lift is not None:
                lift = LiftView(
                    shown(app.lift.conditional, label, lang),
                    shown(app.lift.unconditional, label, lang),
                    shown(app.lift.lift, label, lang, as_points=True),
                    Test(DASH, False, False)
                    if app.lift.lift.suppressed
                    else verdict(app.lift.p_value, lang),
                )
            applications[app.application] = ApplicationView(
                app.application,
                label,
                acceptance,
                shown(app.dont_know, label, lang),
                distribution,
                tuple(
                    charts.diverging_bar(
                        [d.value for d in on_scale],
                        [d.label for d in on_scale],
                        [d.text for d in on_scale],
                        span,
                    )
                    if not any(d.suppressed for d in on_scale)
                    else ()  # a bar missing a part would mislead; the table says why
                ),
                _dot(axis, acceptance),
                _conditions(question_set, app.conditions, axis, lang),
                lift,
                app.acceptance.item,
            )
        for domain in summary.domains:
            label = term_label(question_set, "domain", domain.domain, lang)
            acceptance = shown(domain.acceptance, label, lang)
            domains.append(
                DomainView(
                    domain.domain,
                    label,
                    acceptance,
                    shown(domain.dont_know, label, lang),
                    _dot(axis, acceptance),
                    _conditions(question_set, domain.conditions, axis, lang),
                    shown(domain.lift, label, lang, as_points=True) if domain.lift else None,
                    tuple(applications[code] for code in domain.applications),
                )
            )
        span_ticks = charts.diverging_ticks(span)
    else:
        span_ticks = []
    return Overview(
        tuple(domains),
        tuple(scale),
        dont_know_label,
        tuple(span_ticks),
        tuple(charts.ticks(axis, 4, "{}%", 100)),
        axis,
        _differences(report, lang),
        _changes(report, lang),
        previous_wave,
        response(report, lang),
        suppressed,
    )


def _differences(report: OverviewFigures, lang: str, top: int = 8) -> tuple[DifferenceView, ...]:
    """The largest differences in acceptance between groups, largest first, each with its
    Rao-Scott test: the template says plainly when one is not significant."""
    question_set = report.design.question_set
    found = sorted(report.subgroup_differences, key=lambda d: d.spread, reverse=True)[:top]
    out = []
    for difference in found:
        application = term_label(question_set, "application", difference.application, lang)
        variable = difference.variable

        def group(row: Estimate, variable: str = variable) -> Shown:
            name = option_label(question_set, variable, row.group_code, lang)
            return shown(row, name, lang)

        out.append(
            DifferenceView(
                application,
                item_label(question_set, variable, lang),
                variable,
                _acceptance_item(report, difference.application),
                group(difference.highest),
                group(difference.lowest),
                points(difference.spread, lang),
                verdict(difference.test.p_value if difference.test else None, lang),
            )
        )
    return tuple(out)


def _acceptance_item(report: OverviewFigures, application: str) -> str:
    summary = report.summary
    for app in summary.applications if summary else ():
        if app.application == application:
            return app.acceptance.item
    return ""


def _changes(report: OverviewFigures, lang: str) -> tuple[ChangeView, ...]:
    """Acceptance per application and domain now and in the previous wave, with the z test of
    the difference (independent samples)."""
    question_set = report.design.question_set
    names = {}
    for app in report.summary.applications if report.summary else ():
        names[app.acceptance.item] = term_label(question_set, "application", app.application, lang)
    out = []
    for change in report.changes:
        later = change.later
        if later.option != "acceptable":
            continue
        if later.item.startswith("domain:"):
            label = term_label(question_set, "domain", later.item.split(":", 1)[1], lang)
        elif later.item in names:
            label = names[later.item]
        else:
            continue
        out.append(
            ChangeView(
                label,
                percent(change.earlier.estimate, lang),
                percent(later.estimate, lang),
                points(change.difference, lang),
                f"{points(change.ci_low, lang)} – {points(change.ci_high, lang)}",
                verdict(change.p_value, lang),
            )
        )
    return tuple(out)


def response(report: OverviewFigures, lang: str) -> ResponseView:
    """How many responded, how much the weighting costs in precision, and to what it weighs."""
    design = report.design
    weights = design.weights
    low, high = weights.weight_range
    question_set = design.question_set
    source = tuple(
        line.lstrip("# ").rstrip()
        for line in (design.wave.margins or "").splitlines()
        if line.lstrip().startswith("#")
    )
    return ResponseView(
        completes=weights.n,
        effective_n=number(weights.effective_n, lang, 0),
        design_effect=number(weights.design_effect, lang, 2),
        weight_low=number(low, lang, 2),
        weight_high=number(high, lang, 2),
        cells=len(design.cells.counts),
        variables=tuple(
            item_label(question_set, item.code, lang) for item in question_set.weighting_variables()
        ),
        weighted=design.mode != "unweighted",
        converged=weights.converged,
        minimum=design.wave.min_cell_size,
        margins_source=source,
        method=method_paragraphs(question_set, lang),
    )
