"""What the results overview shows, in the reader's language: the report's figures labelled with
the set's words (never codes), formatted as shown, with the chart geometry beside them.

Plain Python over a `Report`: the view picks the wave and the language, the templates only lay
out what is here. Numbers are formatted here (a decimal comma in Dutch) so a test can format a
`consult report` figure the same way and find it on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis import Estimate, GroupTest, WaveDifference
from consult.messages import N_
from consult.results import charts
from consult.results.charts import Axis, Dot, Pair, Segment, Tick
from consult.results.labels import item_label, option_label, term_label, translate
from consult.results.report import Method, OverviewFigures, method_paragraphs, test_note
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
    elif not (_finite(row.ci_low) and _finite(row.ci_high)):
        # Shown without its interval: its group's base is hidden (the interval would give it).
        text = number(row.estimate, lang, 2) if mean else form(row.estimate, lang)
        interval = DASH
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
    pair: Pair
    """Unconditional and conditional acceptance joined, the lift's interval from the first."""


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
    lift_dot: Dot | None
    """The lift on the difference axis (`Overview.lift_ticks`)."""
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
    test_note: str | None = None
    """The groups the test leaves out (some of their figures are hidden), or why it is
    withheld."""


def group_verdict(test: GroupTest | None, lang: str) -> Test:
    """A test between groups as shown: its verdict, or no test when it is withheld."""
    return verdict(test.result.p_value if test and test.result else None, lang)


@dataclass(frozen=True)
class ChangeView:
    label: str
    earlier: str
    later: str
    difference: str
    interval: str
    test: Test


def change_view(label: str, change: WaveDifference, lang: str) -> ChangeView:
    """A figure then and now: a share's change in percentage points, a mean's in its own
    unit, signed, each with its interval and the z test's verdict."""
    if change.later.kind != "mean":
        return ChangeView(
            label,
            percent(change.earlier.estimate, lang),
            percent(change.later.estimate, lang),
            points(change.difference, lang),
            f"{points(change.ci_low, lang)} – {points(change.ci_high, lang)}",
            verdict(change.p_value, lang),
        )

    def signed(value: float) -> str:
        text = number(abs(value), lang, 2)
        return text if text == DASH else ("+" if value >= 0 else "−") + text

    return ChangeView(
        label,
        number(change.earlier.estimate, lang, 2),
        number(change.later.estimate, lang, 2),
        signed(change.difference),
        f"{signed(change.ci_low)} – {signed(change.ci_high)}",
        verdict(change.p_value, lang),
    )


@dataclass(frozen=True)
class ChangeGroup:
    """The changes of one application or domain: its acceptance and its conditions (label and
    change, in this wave's ranking); None where a figure is not compared (dashes where it is
    suppressed)."""

    label: str
    acceptance: ChangeView | None
    conditions: tuple[tuple[str, ChangeView | None], ...]

    @property
    def compared(self) -> bool:
        """Whether any of its conditions is compared."""
        return any(change is not None for _, change in self.conditions)


@dataclass(frozen=True)
class DomainChanges:
    domain: ChangeGroup
    applications: tuple[ChangeGroup, ...]


@dataclass(frozen=True)
class OutsideMarginsView:
    """An answer to a weighting question that the margins do not list."""

    question: str
    answer: str
    respondents: str


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
    outside_margins: tuple[OutsideMarginsView, ...]
    """Answers kept at their sample share because the margins do not list them."""
    method: Method
    """How the figures were made: in plain words, how small groups are protected, and for
    researchers (`method_paragraphs`)."""


@dataclass(frozen=True)
class Overview:
    domains: tuple[DomainView, ...]
    scale: tuple[tuple[str, str], ...]
    """The acceptance scale's options (label, colour) in order, for the chart's legend."""
    dont_know_label: str
    span_ticks: tuple[Tick, ...]
    share_ticks: tuple[Tick, ...]
    share_axis: Axis
    pair_ticks: tuple[Tick, ...]
    """The axis of acceptance without and with the conditions met (`LiftView.pair`)."""
    lift_ticks: tuple[Tick, ...]
    lift_zero: float
    """Where 0 falls on the axis of the domains' lifts."""
    differences: tuple[DifferenceView, ...]
    changes: tuple[DomainChanges, ...]
    not_compared: tuple[str, ...]
    """The summary's questions that changed since the previous wave, labelled: not compared."""
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
    lifts = [app.lift for app in summary.applications if app.lift] if summary else []
    pair_axis = charts.share_axis(
        [high for lift in lifts for high in (
            lift.conditional.ci_high,
            lift.unconditional.ci_high,
            lift.unconditional.estimate + lift.lift.ci_high,
        )]
    )  # fmt: skip
    lift_axis = charts.difference_axis(
        [value for domain in (summary.domains if summary else ()) if domain.lift
         for value in (domain.lift.ci_low, domain.lift.ci_high)],
        symmetric=False,
    )  # fmt: skip
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
                figures = app.lift
                lift = LiftView(
                    shown(figures.conditional, label, lang),
                    shown(figures.unconditional, label, lang),
                    shown(figures.lift, label, lang, as_points=True),
                    Test(DASH, False, False)
                    if figures.lift.suppressed
                    else verdict(figures.p_value, lang),
                    charts.pair(
                        pair_axis,
                        figures.unconditional.estimate,
                        figures.conditional.estimate,
                        figures.lift.ci_low,
                        figures.lift.ci_high,
                    ),
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
            lift_view = shown(domain.lift, label, lang, as_points=True) if domain.lift else None
            domains.append(
                DomainView(
                    domain.domain,
                    label,
                    acceptance,
                    shown(domain.dont_know, label, lang),
                    _dot(axis, acceptance),
                    _conditions(question_set, domain.conditions, axis, lang),
                    lift_view,
                    _dot(lift_axis, lift_view) if lift_view else None,
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
        tuple(charts.share_ticks(pair_axis)),
        tuple(charts.difference_ticks(lift_axis)),
        lift_axis.x(0.0),
        _differences(report, lang),
        _changes(report, lang),
        _not_compared(report, lang),
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
                group_verdict(difference.test, lang),
                test_note(difference.test, question_set, variable, lang)
                if difference.test
                else None,
            )
        )
    return tuple(out)


def _acceptance_item(report: OverviewFigures, application: str) -> str:
    summary = report.summary
    for app in summary.applications if summary else ():
        if app.application == application:
            return app.acceptance.item
    return ""


def _changes(report: OverviewFigures, lang: str) -> tuple[DomainChanges, ...]:
    """Acceptance and the conditions called necessary, per domain and application, now and in
    the previous wave, with the z test of the difference (independent samples). The report
    pairs only the figures that mean the same in both waves; the rest are left out here."""
    question_set = report.design.question_set
    summary = report.summary
    if summary is None or not report.changes:
        return ()
    found = {(change.later.item, change.later.option): change for change in report.changes}

    def row(label: str, figure: Estimate) -> ChangeView | None:
        change = found.get((figure.item, figure.option))
        if change is not None:
            return change_view(label, change, lang)
        if (figure.item, figure.option) not in report.comparable:
            return None
        # Comparable, but suppressed in either wave: dashes, as everywhere else.
        return ChangeView(
            label, DASH, percent(figure.estimate, lang), DASH, DASH, Test(DASH, False, False)
        )

    def group(label: str, acceptance: Estimate, conditions: tuple) -> ChangeGroup:
        rows = []
        for share in conditions:
            name = term_label(question_set, "condition", share.condition, lang)
            rows.append((name, row(name, share.necessary)))
        return ChangeGroup(label, row(label, acceptance), tuple(rows))

    apps = {app.application: app for app in summary.applications}
    out = []
    for domain in summary.domains:
        members = tuple(
            group(
                term_label(question_set, "application", code, lang),
                apps[code].acceptance,
                apps[code].conditions,
            )
            for code in domain.applications
        )
        label = term_label(question_set, "domain", domain.domain, lang)
        out.append(DomainChanges(group(label, domain.acceptance, domain.conditions), members))
    return tuple(out)


def _not_compared(report: OverviewFigures, lang: str) -> tuple[str, ...]:
    """The questions of the acceptance summary whose meaning changed since the previous wave
    (`report.incomparable`), named by their application and role, never by their code."""
    question_set = report.design.question_set
    changed = report.incomparable
    out: list[str] = []
    for app in report.summary.applications if report.summary and changed else ():
        application = term_label(question_set, "application", app.application, lang)
        if app.acceptance.item in changed:
            out.append(
                translate(N_("%(application)s: acceptance"), lang) % {"application": application}
            )
        for share in app.conditions:
            if share.item in changed:
                out.append(
                    translate(N_("%(application)s, condition “%(condition)s”"), lang)
                    % {
                        "application": application,
                        "condition": term_label(question_set, "condition", share.condition, lang),
                    }
                )
        if app.lift is not None and app.lift.conditional.item in changed:
            out.append(
                translate(N_("%(application)s: acceptance if the conditions are met"), lang)
                % {"application": application}
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
        outside_margins=tuple(
            OutsideMarginsView(
                question=item_label(question_set, answer.variable, lang),
                answer=answer.choice.label.get(lang),
                respondents=number(answer.respondents, lang, 0)
                if answer.respondents >= design.wave.min_cell_size
                else translate(N_("fewer than %(minimum)s"), lang)
                % {"minimum": design.wave.min_cell_size},
            )
            for answer in design.outside_margins
        ),
        method=method_paragraphs(question_set, lang, design.wave.min_cell_size),
    )
