"""The report of a wave: every figure, overall or by one question, its JSON form and the method
that made it (its tables are `consult.results.tables`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, NamedTuple

import numpy as np
from babel.lists import format_list
from sqlalchemy.orm import Session

from analysis import (
    TOO_FEW_ANSWERS,
    TOO_FEW_GROUPS,
    ChiSquare,
    Estimate,
    GroupTest,
    Summary,
    WaveDifference,
    wave_differences,
)
from consult.messages import N_
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results import queries
from consult.results.design import (
    Mode,
    ResultsError,
    WaveDesign,
    belongs_to,
    load_design,
    single_choice,
)
from consult.results.figures import (
    ScaleReliability,
    SubgroupDifference,
    SubgroupTest,
    all_estimates,
    largest_subgroup_differences,
    scale_reliabilities,
    subgroup_tests,
    summary,
)
from consult.results.labels import item_label, option_label, translate
from consult.themes.figures import ThemeFigures, codebook_of, theme_figures
from surveys.diff import diff_question_sets
from surveys.model import Item, QuestionSet


@dataclass
class OverviewFigures:
    """What the overview page shows: the acceptance summary, its change since the previous wave
    and the largest subgroup differences. They do not depend on a grouping, so every report of
    the same state and mode shares one, and the overview page needs nothing more."""

    design: WaveDesign
    summary: Summary | None
    changes: list[WaveDifference]
    subgroup_differences: list[SubgroupDifference]
    previous: str | None = None
    """The slug of the wave `changes` compare with (the previous wave with responses)."""
    incomparable: frozenset[str] = frozenset()
    """Answer codes of this wave's set whose answers mean something else in the previous
    wave's set (`surveys.diff`): their figures are not compared."""
    comparable: frozenset[tuple[str, object]] = frozenset()
    """The summary's figures (item, option) that mean the same in both waves: those missing
    from `changes` were suppressed in one of them."""


def wave_overview(session: Session, wave: Wave, mode: Mode = "calibrated") -> OverviewFigures:
    """The summary, the change since the previous wave and the largest subgroup differences."""
    design = load_design(session, wave, mode)
    current = summary(session, design)
    changes: list[WaveDifference] = []
    comparable: list[Estimate] = []
    earlier = queries.previous_wave(session, wave)
    incomparable: frozenset[str] = frozenset()
    if earlier is not None:
        incomparable = incomparable_codes(
            question_set_of(earlier.question_set_version), design.question_set
        )
    if current is not None and earlier is not None:
        try:
            before = summary(session, load_design(session, earlier, mode))
        except ResultsError:
            before = None
        if before is not None:
            comparable = comparable_rows(before, current, incomparable)
            changes = wave_differences(before.rows(), comparable)
    return OverviewFigures(
        design,
        current,
        changes,
        largest_subgroup_differences(session, design) if current else [],
        previous=earlier.slug if earlier is not None else None,
        incomparable=incomparable,
        comparable=frozenset((row.item, row.option) for row in comparable),
    )


@dataclass
class Report:
    """Every figure of a wave, overall or by one question: the overview's and each item's."""

    overview: OverviewFigures
    estimates: list[Estimate]
    by: str | None
    tests: list[SubgroupTest] = field(default_factory=list)
    scales: list[ScaleReliability] = field(default_factory=list)
    themes: ThemeFigures | None = None
    """The open questions' theme shares (overall, or by the same question), when the
    consultation has a codebook."""

    @property
    def design(self) -> WaveDesign:
        return self.overview.design

    @property
    def summary(self) -> Summary | None:
        return self.overview.summary

    @property
    def changes(self) -> list[WaveDifference]:
        return self.overview.changes

    @property
    def subgroup_differences(self) -> list[SubgroupDifference]:
        return self.overview.subgroup_differences

    @property
    def previous(self) -> str | None:
        return self.overview.previous

    @property
    def incomparable(self) -> frozenset[str]:
        return self.overview.incomparable

    @property
    def comparable(self) -> frozenset[tuple[str, object]]:
        return self.overview.comparable

    def rows_of(self, item: Item) -> list[Estimate]:
        """One item's figures: its own code's, its battery rows' or its ranks (`ITEM.option`)."""
        return [row for row in self.estimates if belongs_to(item, row.item)]

    def tests_of(self, item: Item) -> list[SubgroupTest]:
        """The subgroup tests of one item's codes (none without a grouping)."""
        return [test for test in self.tests if belongs_to(item, test.item)]


def wave_report(
    session: Session,
    wave: Wave,
    *,
    by: str | None = None,
    mode: Mode = "calibrated",
    overview: OverviewFigures | None = None,
) -> Report:
    """Every item's figures (overall, or by one item) with the overview's (computed here unless
    given: its design, with the counts it has read, serves the item figures too)."""
    if by is not None:
        check_grouping(question_set_of(wave.question_set_version), by)
    overview = overview or wave_overview(session, wave, mode)
    design = overview.design
    estimates = all_estimates(session, design, by)
    tests = (
        [
            test
            for item in design.question_set.all_items()
            for test in subgroup_tests(
                session, design, item, by, [row for row in estimates if belongs_to(item, row.item)]
            )
        ]
        if by is not None
        else []
    )
    return Report(
        overview,
        estimates,
        by,
        tests=tests,
        scales=scale_reliabilities(session, design),
        themes=theme_figures(session, design, codebook_of(session, wave.consultation), by),
    )


def incomparable_codes(earlier: QuestionSet, later: QuestionSet) -> frozenset[str]:
    """The answer codes of `later` whose answers cannot be compared with `earlier`'s under the
    same code, by the version comparison's rules (`surveys.diff`): a changed type, options,
    scale or analysis role. A battery that changed stands for all its rows."""
    codes: set[str] = set()
    for code in diff_question_sets(earlier, later).incomparable_codes:
        if later.has_answer_code(code):
            codes.add(code)
        try:
            codes.update(later.item(code).answer_codes)
        except KeyError:
            continue  # a removed item, or a row (added above)
    return frozenset(codes)


def _components(figures: Summary) -> dict[tuple[str, object], frozenset[str]]:
    """Per summary figure (item, option), the answer codes it is computed from: an
    application's own questions, or for a domain's average all its applications' ones."""
    out: dict[tuple[str, object], frozenset[str]] = {}
    for app in figures.applications:
        own = frozenset({app.acceptance.item})
        for row in (*app.distribution, app.acceptance, app.dont_know):
            out[(row.item, row.option)] = own
        for condition in app.conditions:
            out[(condition.necessary.item, condition.necessary.option)] = frozenset(
                {condition.item}
            )
        if app.lift is not None:
            pair = frozenset({app.lift.unconditional.item, app.lift.conditional.item})
            for row in (app.lift.conditional, app.lift.unconditional, app.lift.lift):
                out[(row.item, row.option)] = pair
    apps = {app.application: app for app in figures.applications}
    for domain in figures.domains:
        members = [apps[code] for code in domain.applications if code in apps]
        accepting = frozenset(app.acceptance.item for app in members)
        for row in (domain.acceptance, domain.dont_know):
            out[(row.item, row.option)] = accepting
        for condition in domain.conditions:
            out[(condition.necessary.item, condition.necessary.option)] = frozenset(
                share.item
                for app in members
                for share in app.conditions
                if share.condition == condition.condition
            )
        if domain.lift is not None:
            out[(domain.lift.item, domain.lift.option)] = frozenset(
                code
                for app in members
                if app.lift is not None
                for code in (app.lift.unconditional.item, app.lift.conditional.item)
            )
    return out


def comparable_rows(
    before: Summary, after: Summary, incomparable: frozenset[str]
) -> list[Estimate]:
    """The rows of `after` that mean the same as in `before`: computed from the same questions
    (a domain's average over the same applications and battery rows), none of which changed
    its meaning. Only these are compared between the waves."""
    earlier, later = _components(before), _components(after)
    return [
        row
        for row in after.rows()
        if (key := (row.item, row.option)) in earlier
        and earlier[key] == later.get(key)
        and not later[key] & incomparable
    ]


def check_grouping(question_set: QuestionSet, by: str) -> None:
    try:
        item = question_set.item(by)
    except KeyError:
        raise ResultsError(f"there is no item {by} in this wave's question set") from None
    if not single_choice(item):
        raise ResultsError(f"{by} is not a single-choice item; only those can form subgroups")


class Method(NamedTuple):
    """The method in three paragraphs (`method_paragraphs`)."""

    plain: str
    protection: str
    """How small groups are protected, in plain words."""
    technical: str


def method_paragraphs(question_set: QuestionSet, lang: str, minimum: int) -> Method:
    """How the figures were made, in `lang`: first in plain words for anyone reading the
    results, naming this set's own weighting variables by their questions' wording, then how
    groups of fewer than `minimum` respondents are protected, then the technical account for
    researchers (the R equivalent). Plain Python with the web app's catalogue, so the pages,
    downloads, API and command line say the same."""
    questions = [
        f"“{item_label(question_set, item.code, lang)}”"
        for item in question_set.weighting_variables()
    ]
    if questions:
        weights = translate(WEIGHTED, lang) % {"questions": format_list(questions, locale=lang)}
        raking = translate(RAKING, lang)
    else:
        weights, raking = translate(UNWEIGHTED, lang), translate(NO_RAKING, lang)
    intervals = translate(INTERVALS, lang) % {}  # a python-format text: "%%" becomes "%"
    plain = f"{translate(COVERAGE, lang)} {weights} {intervals}"
    protection = translate(PROTECTION, lang) % {"minimum": minimum}
    technical = f"{raking} {translate(TECHNICAL, lang)} {translate(TECHNICAL_PROTECTION, lang)}"
    return Method(plain, protection, technical)


def method_text(question_set: QuestionSet, lang: str, minimum: int) -> str:
    """The method as one text: its paragraphs (`method_paragraphs`) apart by a blank line."""
    return "\n\n".join(method_paragraphs(question_set, lang, minimum))


COVERAGE = N_("The figures cover every complete response of the wave.")
WEIGHTED = N_(
    "The respondents are weighted by their answers to %(questions)s. People from groups that "
    "took part less often than their share of the population therefore count for more, so "
    "that the figures match the whole population on these points. Answers such as “prefer not "
    "to say” keep their own share."
)
UNWEIGHTED = N_(
    "The respondents are not weighted: this questionnaire has no questions to weight by, so "
    "every respondent counts the same."
)
INTERVALS = N_(
    "Every percentage comes with a 95%% confidence interval: the range within which the figure "
    "for the whole population lies with 95%% certainty."
)
RAKING = N_(
    "For researchers: the weights come from raking to the population margins (every margin met "
    "within 1e-10; refused or missing answers form their own category at their sample share)."
)
NO_RAKING = N_("For researchers: equal weights, no raking.")
PROTECTION = N_(
    "Small groups are protected. We do not show figures about groups of fewer than "
    "%(minimum)s respondents. Some other figures are hidden too, so that nobody can work out "
    "the hidden ones from totals or from other tables, such as everyone minus the groups that "
    "are shown. An answer that nobody gave is shown as 0: that says nothing about anyone. Tests "
    "of differences between groups leave out the groups with hidden figures."
)
TECHNICAL_PROTECTION = N_(
    "Threshold rule: a count n with 0 < n < minimum is suppressed; a count of 0 is safe and is "
    "never chosen as a complement (the default of CBS's τ-ARGUS). Secondary suppression covers "
    "every published table at once: each item's overall table on its own, each table by "
    "subgroup with the overall tables fixed, and X by G and G by X as one table, the same "
    "whatever is asked first. The command consult audit-disclosure checks by linear "
    "programming that, given every published figure, each suppressed count can still be "
    "anything from 0 to the minimum. A suppressed figure carries no count, base, degrees of "
    "freedom, standard error or interval; a shown figure of a group whose base is hidden "
    "carries no base, degrees of freedom or interval (unweighted: no share either). Rao-Scott "
    "tests use only the groups whose figures are all shown and name the groups they leave out; "
    "Cronbach's alpha is computed over every respondent of the wave who answered all rows of "
    "the battery, not per group."
)
TECHNICAL = N_(
    "Figures are domain estimates over all complete responses of the wave. Standard errors: "
    "Taylor linearization, calibration-aware (residuals on the raking margins), factor "
    "n/(n-1). Shares have intervals on the logit scale with t on (respondents in the base - 1) "
    "degrees of freedom. Cells with fewer respondents than the wave's minimum are suppressed, "
    "with secondary suppression. As R survey: rake() on svydesign(ids=~1), svymean, svyby, "
    "svyciprop(method='logit')."
)


def _plain(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def estimate_row(row: Estimate) -> dict[str, Any]:
    return {**_plain(row.as_dict()), "kind": row.kind}


LEFT_OUT = N_("The test leaves out %(groups)s: not all of their figures are shown.")
WITHHELD = {
    TOO_FEW_GROUPS: N_("No test: fewer than two groups have all their figures shown."),
    TOO_FEW_ANSWERS: N_(
        "No test: in the groups whose figures are all shown, everyone gave the same answer."
    ),
}
SCALE_BASIS = N_(
    "every respondent of the wave who answered all rows of the battery (not per group)"
)
CHANGE_LEFT_OUT = "suppressed"
"""Why a comparable figure is missing from the changes: hidden in this wave or the earlier one."""


def test_note(test: GroupTest, question_set: QuestionSet, by: str, lang: str) -> str | None:
    """What the disclosure control did to a test, in words: withheld and why, or the groups it
    leaves out (by their labels); None when it covers every group."""
    if test.withheld is not None:
        return translate(WITHHELD[test.withheld], lang)
    if not test.left_out:
        return None
    groups = [option_label(question_set, by, code, lang) for code in test.left_out]
    return translate(LEFT_OUT, lang) % {"groups": format_list(groups, locale=lang)}


def group_test_json(
    test: GroupTest | None, question_set: QuestionSet, by: str, lang: str
) -> dict[str, Any] | None:
    """A test's figures (null when withheld), the groups it leaves out and why, in words."""
    if test is None:
        return None
    figures = (
        _plain(test.result)
        if test.result is not None
        else {f.name: None for f in fields(ChiSquare)}
    )
    return {
        **figures,
        "left_out": [
            {"code": code, "label": option_label(question_set, by, code, lang)}
            for code in test.left_out
        ],
        "withheld": test.withheld,
        "note": test_note(test, question_set, by, lang),
    }


def subgroup_test_row(test: SubgroupTest, question_set: QuestionSet, lang: str) -> dict[str, Any]:
    return {
        "item": test.item,
        "by": test.by,
        **(group_test_json(test.test, question_set, test.by, lang) or {}),
    }


def scale_row(scale: ScaleReliability, lang: str) -> dict[str, Any]:
    """Cronbach's alpha, and over whom it is computed (every respondent, not a group)."""
    return {
        "item": scale.item,
        **_plain(scale.alpha),
        "suppressed": scale.suppressed,
        "computed_over": translate(SCALE_BASIS, lang),
    }


def changes_left_out(report: Report) -> list[dict[str, Any]]:
    """The summary's figures that mean the same in both waves but are not compared: hidden (too
    few respondents) in this wave or the earlier one."""
    if report.summary is None:
        return []
    compared = {(change.later.item, change.later.option) for change in report.changes}
    return [
        {"item": row.item, "option": row.option, "reason": CHANGE_LEFT_OUT}
        for row in report.summary.rows()
        if (row.item, row.option) in report.comparable and (row.item, row.option) not in compared
    ]


def outside_margins_as_json(design: WaveDesign, lang: str) -> list[dict[str, Any]]:
    """The answers to weighting questions that the margins do not list, each kept at its
    sample share: which question, which answer, how many respondents (null for fewer than the
    wave's minimum, as a suppressed figure), and that sentence."""
    question_set = design.question_set
    minimum = design.wave.min_cell_size
    return [
        {
            "variable": answer.variable,
            "variable_label": item_label(question_set, answer.variable, lang),
            "category": answer.choice.code,
            "category_label": answer.choice.label.get(lang),
            "respondents": answer.respondents if answer.respondents >= minimum else None,
            "missing": answer.choice.missing,
            "note": answer.note(lambda text: translate(text, lang), lang, minimum),
        }
        for answer in design.outside_margins
    ]


def weighting_as_json(design: WaveDesign, lang: str) -> dict[str, Any]:
    """The weighting diagnostics: they need the design only, not its figures."""
    weights = design.weights
    low, high = weights.weight_range
    return _plain(  # type: ignore[no-any-return]
        {
            "respondents": weights.n,
            "cells": len(design.cells.counts),
            "converged": weights.converged,
            "iterations": weights.iterations,
            "max_margin_error": weights.max_margin_error,
            "effective_n": weights.effective_n,
            "design_effect": weights.design_effect,
            "weight_min": low,
            "weight_max": high,
            "outside_margins": outside_margins_as_json(design, lang),
        }
    )


def report_as_json(report: Report, lang: str, *more: Report) -> dict[str, Any]:
    """The whole report as plain JSON; the method in `lang`.

    `more` are reports of the same wave and mode by other groupings (`consult report --by A
    --by B`): their estimates and subgroup tests follow the report's, and `by` lists every
    grouping, so one file holds them all; the overview's figures are the same in each."""
    design = report.design
    reports = (report, *more)
    if any((r.design.wave, r.design.mode) != (design.wave, design.mode) for r in more):
        raise ValueError("reports of several groupings must be of one wave, state and mode")
    return {
        "wave": design.wave.slug,
        "consultation": design.wave.consultation,
        "question_set_version": design.wave.version,
        "mode": design.mode,
        "by": [r.by for r in reports if r.by is not None] if more else report.by,
        "minimum_cell_size": design.wave.min_cell_size,
        "method": method_text(design.question_set, lang, design.wave.min_cell_size),
        "vocabulary": design.question_set.vocabulary.labels(),
        "weighting": weighting_as_json(design, lang),
        "estimates": [estimate_row(row) for r in reports for row in r.estimates],
        "summary": _plain(report.summary) if report.summary is not None else None,
        "largest_subgroup_differences": [
            {
                "application": d.application,
                "variable": d.variable,
                "spread": _plain(d.spread),
                "highest": estimate_row(d.highest),
                "lowest": estimate_row(d.lowest),
                "test": group_test_json(d.test, design.question_set, d.variable, lang),
            }
            for d in report.subgroup_differences
        ],
        "subgroup_tests": [
            subgroup_test_row(test, design.question_set, lang) for r in reports for test in r.tests
        ],
        "scales": [scale_row(scale, lang) for scale in report.scales],
        "changes_since_previous_wave": [
            {
                "item": change.later.item,
                "group": change.later.group,
                "option": change.later.option,
                **_plain(
                    {
                        "earlier": change.earlier.estimate,
                        "later": change.later.estimate,
                        "difference": change.difference,
                        "se": change.se,
                        "z": change.z,
                        "p_value": change.p_value,
                        "ci_low": change.ci_low,
                        "ci_high": change.ci_high,
                    }
                ),
            }
            for change in report.changes
        ],
        "changes_left_out": changes_left_out(report),
        # Only for a consultation with a codebook of themes (`consult.themes`).
        **(
            {"themes": themes_as_json(reports, lang)}
            if any(r.themes is not None and r.themes.themes for r in reports)
            else {}
        ),
    }


def themes_as_json(reports: tuple[Report, ...], lang: str) -> list[dict[str, Any]]:
    """The open questions' theme shares: like a multiple-choice item's rows, the theme named
    by its code and name instead of an option."""
    out = []
    for report in reports:
        figures = report.themes
        if figures is None:
            continue
        for row in figures.rows:
            theme = figures.theme_of(row)
            plain = estimate_row(row)
            plain.pop("option", None)
            out.append({**plain, "theme": theme.code, "theme_label": theme.name(lang)})
    return out
