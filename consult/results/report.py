"""The report of a wave: every figure, overall or by one question, and its JSON and CSV forms."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from analysis import (
    Estimate,
    Summary,
    WaveDifference,
    wave_differences,
)
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results.design import Mode, ResultsError, WaveDesign, load_design, single_choice
from consult.results.figures import (
    ScaleReliability,
    SubgroupDifference,
    SubgroupTest,
    all_estimates,
    largest_subgroup_differences,
    previous_wave,
    scale_reliabilities,
    subgroup_tests,
    summary,
)
from surveys.diff import diff_question_sets
from surveys.model import QuestionSet


@dataclass
class Report:
    design: WaveDesign
    estimates: list[Estimate]
    summary: Summary | None
    changes: list[WaveDifference]
    """The summary's figures now and in the previous wave, where both mean the same."""
    by: str | None
    tests: list[SubgroupTest] = field(default_factory=list)
    scales: list[ScaleReliability] = field(default_factory=list)
    subgroup_differences: list[SubgroupDifference] = field(default_factory=list)
    previous: str | None = None
    """The slug of the wave `changes` compare with (the previous wave with responses)."""
    incomparable: frozenset[str] = frozenset()
    """Answer codes of this wave's set whose answers mean something else in the previous
    wave's set (`surveys.diff`): their figures are not compared."""
    comparable: frozenset[tuple[str, object]] = frozenset()
    """The summary's figures (item, option) that mean the same in both waves: those missing
    from `changes` were suppressed in one of them."""


def wave_report(
    session: Session, wave: Wave, *, by: str | None = None, mode: Mode = "calibrated"
) -> Report:
    """Every item's figures (overall, or by one item), the summary and the change since the
    previous wave."""
    design = load_design(session, wave, mode)
    if by is not None:
        _check_grouping(design.question_set, by)
    estimates = all_estimates(session, design, by)
    current = summary(session, design)
    changes: list[WaveDifference] = []
    comparable: list[Estimate] = []
    earlier = previous_wave(session, wave)
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
    tests = (
        [
            test
            for item in design.question_set.all_items()
            for test in subgroup_tests(session, design, item, by)
        ]
        if by is not None
        else []
    )
    return Report(
        design,
        estimates,
        current,
        changes,
        by,
        tests=tests,
        scales=scale_reliabilities(session, design),
        subgroup_differences=largest_subgroup_differences(session, design) if current else [],
        previous=earlier.slug if earlier is not None else None,
        incomparable=incomparable,
        comparable=frozenset((row.item, row.option) for row in comparable),
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


def _check_grouping(question_set: QuestionSet, by: str) -> None:
    try:
        item = question_set.item(by)
    except KeyError:
        raise ResultsError(f"there is no item {by} in this wave's question set") from None
    if not single_choice(item):
        raise ResultsError(f"{by} is not a single-choice item; only those can form subgroups")


CSV_COLUMNS = ("item", "group", "option", "n", "estimate", "se", "ci_low", "ci_high", "suppressed")


def method_text(question_set: QuestionSet) -> str:
    """How the figures were made, naming this set's own weighting variables."""
    variables = [item.code for item in question_set.weighting_variables()]
    if not variables:
        weights = "Weights: none (the question set has no weighting variables). "
    else:
        named = variables[0] if len(variables) == 1 else ", ".join(variables[:-1])
        if len(variables) > 1:
            named += f" and {variables[-1]}"
        weights = (
            f"Weights: raking of {named} to the population margins (every margin met within "
            "1e-10; refused or missing answers form their own category at their sample share). "
        )
    return weights + METHOD


METHOD = (
    "Figures are domain estimates over all complete responses of the wave. "
    "Standard errors: Taylor linearization, calibration-aware (residuals on the raking margins), "
    "factor n/(n-1). Shares have intervals on the logit scale with t on (respondents in the "
    "base - 1) degrees of freedom. Cells with fewer respondents than the wave's minimum are "
    "suppressed, with secondary suppression. As R survey: rake() on svydesign(ids=~1), svymean, "
    "svyby, svyciprop(method='logit')."
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


def csv_row(row: Estimate) -> list[Any]:
    group = f"{row.group}={row.group_code}" if row.group else "all"
    values = _plain(row.as_dict())
    out = [values["item"], group, values["option"]]
    out += [values[name] for name in ("n", "estimate", "se", "ci_low", "ci_high")]
    out.append("true" if row.suppressed else "false")
    return ["" if value is None else value for value in out]


def report_as_json(report: Report) -> dict[str, Any]:
    design = report.design
    weights = design.weights
    low, high = weights.weight_range
    return {
        "wave": design.wave.slug,
        "consultation": design.wave.consultation.slug,
        "question_set_version": design.wave.question_set_version.number,
        "mode": design.mode,
        "by": report.by,
        "minimum_cell_size": design.wave.min_cell_size,
        "method": method_text(design.question_set),
        "vocabulary": design.question_set.vocabulary.labels(),
        "weighting": _plain(
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
            }
        ),
        "estimates": [estimate_row(row) for row in report.estimates],
        "summary": _plain(report.summary) if report.summary is not None else None,
        "largest_subgroup_differences": [
            {
                "application": d.application,
                "variable": d.variable,
                "spread": _plain(d.spread),
                "highest": estimate_row(d.highest),
                "lowest": estimate_row(d.lowest),
                "test": _plain(d.test),
            }
            for d in report.subgroup_differences
        ],
        "subgroup_tests": [{"item": t.item, "by": t.by, **_plain(t.test)} for t in report.tests],
        "scales": [{"item": s.item, **_plain(s.alpha)} for s in report.scales],
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
    }
