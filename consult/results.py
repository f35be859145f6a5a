"""Weighted results of a wave: the database's counts handed to `analysis` as arrays.

The design is every complete response of the wave; weights come from raking the weighting cells
to the wave's population margins. Every figure reads counts kept in `answer_count` as
responses complete: single items their own code, the acceptance summary its profiles and the
scales their sums (`consult.counting`). Only subgroups by a question that is not a weighting
variable read the answers, in one grouped pass per report (`subgroup_table`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session

from analysis import (
    Alpha,
    Cells,
    ChiSquare,
    Coding,
    Estimate,
    Grouped,
    Summary,
    WaveDifference,
    Weights,
    acceptance_summary,
    cronbach_alpha_from_moments,
    means,
    moment_names,
    proportions,
    rake,
    rao_scott,
    suppress_estimates,
    wave_differences,
)
from consult import store
from consult.counting import (
    ANSWERED,
    Profile,
    applications_of,
    demographic_items,
    parse_cell_key,
    scale_sums,
    summary_profiles,
)
from consult.models import COUNTS_VERSION, Wave
from consult.question_sets import question_set_of
from consult.waves import parse_margins
from surveys.model import Item, QuestionSet

Mode = Literal["calibrated", "fixed", "unweighted"]
CHOICE_TYPES = ("single", "likert")
NUMERIC_TYPES = ("number", "slider")
REPORTED_TYPES = (*CHOICE_TYPES, *NUMERIC_TYPES, "battery", "ranking", "multiple")
"""Items with figures; texts have none."""


class ResultsError(ValueError):
    """The wave cannot be analysed yet (no responses, no margins...); the message says why."""


@dataclass
class WaveDesign:
    """A wave's weighting cells and weights, with the counts tables read so far."""

    wave: Wave
    question_set: QuestionSet
    cells: Cells
    weights: Weights
    mode: Mode
    cell_index: dict[str, int]
    cell_ids: np.ndarray
    """The database id of each cell, in increasing order."""
    _tables: dict[tuple[str, ...], Grouped] = field(default_factory=dict)
    _subgroup_tables: dict[tuple[str, str], Grouped] = field(default_factory=dict)
    _subgroups_read: set[str] = field(default_factory=set)
    _profile_states: dict[str, np.ndarray] = field(default_factory=dict)

    def read_counts(self, session: Session, codes: Sequence[str]) -> None:
        """Read the kept counts of some codes into the design's tables."""
        wanted = [code for code in dict.fromkeys(codes) if (code,) not in self._tables]
        for code, rows in store.answer_count_arrays(session, self.wave, wanted).items():
            values = rows[:, 1]
            self._tables[(code,)] = Grouped(
                cell=np.searchsorted(self.cell_ids, rows[:, 0].astype(np.int64)),
                keys={code: values if self._numeric(code) else values.astype(np.int64)},
                counts=rows[:, 2].astype(np.int64),
            )

    def _numeric(self, code: str) -> bool:
        """Numbers and ranks (`ITEM.option`) are counted as numbers; option codes and profile
        numbers (`~...`) as integers."""
        if code.startswith("~"):
            return False
        if not self.question_set.has_answer_code(code):
            return True
        return self.question_set.owner_of(code).type in NUMERIC_TYPES


def load_design(session: Session, wave: Wave, mode: Mode = "calibrated") -> WaveDesign:
    """The design of a wave: its cells from the database, raked to its margins."""
    if wave.counts_version < COUNTS_VERSION:
        raise ResultsError(
            f"the counts of wave {wave.slug} predate this version of Consult; "
            f"`consult report --wave {wave.slug}` recounts them first"
        )
    question_set = question_set_of(wave.question_set_version)
    variables = tuple(item.code for item in demographic_items(question_set))
    rows = store.design_cells(session, wave)
    if not rows:
        raise ResultsError(f"wave {wave.slug} has no complete responses yet")
    cells = Cells(
        variables=variables,
        categories=np.array([parse_cell_key(key) for _, key, _ in rows], dtype=np.int64).reshape(
            len(rows), len(variables)
        ),
        counts=np.array([n for _, _, n in rows], dtype=np.int64),
    )
    if mode == "unweighted":
        weights = Weights.equal(cells)
    else:
        if not wave.margins:
            raise ResultsError(
                f"wave {wave.slug} has no weighting margins: set them with "
                f"`consult waves margins {wave.slug} FILE`, or ask for unweighted figures"
            )
        margins = parse_margins(wave.margins, wave)
        # Answers outside the margins' categories ("anders", "zeg ik liever niet") keep their
        # sample share: the engine's rule for refused demographics.
        outside = {
            choice.code
            for item in demographic_items(question_set)
            for choice in item.choices
            if choice.code not in margins.get(item.code, {})
        }
        weights = rake(cells, margins, refused=outside)
    return WaveDesign(
        wave,
        question_set,
        cells,
        weights,
        mode,
        cell_index={key: i for i, (_, key, _) in enumerate(rows)},
        cell_ids=np.array([id_ for id_, _, _ in rows], dtype=np.int64),
    )


def item_table(session: Session, design: WaveDesign, code: str) -> Grouped:
    """One code's counts per cell and value, from the counts kept as responses complete."""
    design.read_counts(session, [code])
    return design._tables[(code,)]


def joint_table(session: Session, design: WaveDesign, codes: tuple[str, ...]) -> Grouped:
    """Joint counts of several codes (everyone who answered at least one of them)."""
    cached = design._tables.get(codes)
    if cached is not None:
        return cached
    numeric = [design._numeric(code) for code in codes]
    rows = store.joint_answer_counts(session, design.wave, codes, numeric)
    keys: dict[str, np.ndarray] = {}
    for index, (code, is_number) in enumerate(zip(codes, numeric, strict=True)):
        column = [row[index + 1] for row in rows]
        keys[code] = (
            np.array([math.nan if v is None else v for v in column], dtype=np.float64)
            if is_number
            else np.array(column, dtype=np.int64)
        )
    table = Grouped(
        cell=np.array([design.cell_index[row[0]] for row in rows], dtype=np.int64),
        keys=keys,
        counts=np.array([row[-1] for row in rows], dtype=np.int64),
    )
    design._tables[codes] = table
    return table


def subgroup_table(session: Session, design: WaveDesign, code: str, by: str) -> Grouped:
    """Counts of `code` (an answer code, or `ITEM.option` for a rank) by the answers to `by`, a
    question that is not a weighting variable, among respondents who answered both (the only
    ones any figure by `by` is about). Shaped like the kept counts, with `by` as a second key.

    The first call for `by` reads them for every item of the report in one grouped pass over
    the answers."""
    if by not in design._subgroups_read:
        items = [item for item in design.question_set.all_items() if item.type in REPORTED_TYPES]
        # Each table's code gets a number; a ranking's option picks its `ITEM.option` code.
        names = [
            name
            for item in items
            for name in (
                [f"{item.code}.{choice.code}" for choice in item.choices]
                if item.type == "ranking"
                else item.answer_codes
            )
        ]
        number = {name: index for index, name in enumerate(names)}
        ranked = {item.code for item in items if item.type == "ranking"}
        numeric = {
            code for item in items if item.type in NUMERIC_TYPES for code in item.answer_codes
        }
        parts = [
            np.array(
                [
                    (
                        number[f"{code}.{option}" if code in ranked else code],
                        design.cell_index[cell],
                        group,
                        numeral if code in ranked or code in numeric else option,
                        n,
                    )
                    for code, cell, group, option, numeral, n in part
                ],
                dtype=np.float64,
            ).reshape(-1, 5)
            for part in store.answer_counts_by_question(
                session,
                design.wave,
                by,
                [code for item in items for code in item.answer_codes],
                multiple=[item.code for item in items if item.type == "multiple"],
            )
        ]
        rows = np.concatenate([np.zeros((0, 5)), *parts])
        rows = rows[np.argsort(rows[:, 0], kind="stable")]
        bounds = np.searchsorted(rows[:, 0], np.arange(len(names) + 1))
        for index, name in enumerate(names):
            table = rows[bounds[index] : bounds[index + 1]]
            keys: dict[str, np.ndarray] = {by: table[:, 2].astype(np.int64)}
            if name != by:
                keys[name] = table[:, 3] if design._numeric(name) else table[:, 3].astype(np.int64)
            design._subgroup_tables[(name, by)] = Grouped(
                cell=table[:, 1].astype(np.int64), keys=keys, counts=table[:, 4].astype(np.int64)
            )
        design._subgroups_read.add(by)
    empty = np.zeros(0, dtype=np.int64)
    return design._subgroup_tables.get(
        (code, by), Grouped(cell=empty, keys={code: empty, by: empty}, counts=empty)
    )


# --- the tidy table -----------------------------------------------------------------------------


def all_estimates(session: Session, design: WaveDesign, by: str | None = None) -> list[Estimate]:
    """Every item's figures (overall, or by `by`)."""
    return [
        row
        for item in design.question_set.all_items()
        for row in item_estimates(session, design, item, by)
    ]


def item_estimates(
    session: Session, design: WaveDesign, item: Item, by: str | None = None
) -> list[Estimate]:
    """Every figure of one item (overall, or by `by`), with small cells suppressed."""
    group_is_cell = by is None or by in design.cells.variables
    mode = design.mode
    minimum = design.wave.min_cell_size
    tables: list[list[Estimate]] = []

    def table_for(code: str) -> Grouped:
        if group_is_cell:
            return item_table(session, design, code)
        assert by is not None
        return subgroup_table(session, design, code, by)

    if item.type in CHOICE_TYPES or item.type == "battery":
        options = [choice.code for choice in item.choices]
        for code in item.answer_codes:
            table = table_for(code)
            tables.append(
                proportions(design.weights, table, code, group=by, options=options, mode=mode)
            )
    elif item.type in NUMERIC_TYPES:
        tables.append(means(design.weights, table_for(item.code), item.code, group=by, mode=mode))
    elif item.type == "ranking":
        for choice in item.choices:
            code = f"{item.code}.{choice.code}"
            tables.append(means(design.weights, table_for(code), code, group=by, mode=mode))
    elif item.type == "multiple":
        tables.append(_multiple_choice(design, table_for(item.code), item, by))
    return [row for rows in tables for row in suppress_estimates(rows, minimum=minimum)]


def _multiple_choice(
    design: WaveDesign, answered: Grouped, item: Item, by: str | None
) -> list[Estimate]:
    """Share choosing each option among those who answered the item (a yes/no per option).

    `answered` holds per class (a cell, and the answer to `by` when that is a key) who
    answered the item (value -1) and who chose each option."""
    group = answered.keys.get(by) if by is not None else None
    classes, inverse = np.unique(
        np.column_stack([answered.cell, np.zeros_like(answered.cell) if group is None else group]),
        axis=0,
        return_inverse=True,
    )
    inverse = inverse.reshape(-1)
    answers = answered.keys[item.code]
    base = answers == int(ANSWERED)
    per_class_base = np.bincount(
        inverse[base], weights=answered.counts[base], minlength=len(classes)
    )
    shown = np.flatnonzero(per_class_base)
    cell = np.tile(classes[shown, 0], 2)
    keys = {} if by is None or group is None else {by: np.tile(classes[shown, 1], 2)}
    rows: list[Estimate] = []
    for choice in item.choices:
        chosen = answers == choice.code
        per_class_chosen = np.bincount(
            inverse[chosen], weights=answered.counts[chosen], minlength=len(classes)
        )[shown]
        key = f"{item.code}={choice.code}"
        table = Grouped(
            cell=cell,
            keys={
                **keys,
                key: np.repeat(np.array([1, 0], dtype=np.int64), len(shown)),
            },
            counts=np.concatenate(
                [per_class_chosen, per_class_base[shown] - per_class_chosen]
            ).astype(np.int64),
        )
        for row in proportions(
            design.weights, table, key, group=by, options=[0, 1], mode=design.mode
        ):
            if row.option == 1:
                rows.append(_relabel(row, item.code, choice.code))
    return rows


def _relabel(row: Estimate, item: str, option: int) -> Estimate:
    return replace(row, item=item, option=option)


# --- the acceptance summary ---------------------------------------------------------------------


def profile_table(
    session: Session, design: WaveDesign, profile: Profile, codes: tuple[str, ...]
) -> Grouped:
    """The joint counts of some of a profile's questions (everyone who answered at least one).

    Their states are cut from the profile numbers and re-packed as (cell, states) into one
    integer, so the counts are summed with one bincount. Each state becomes a stand-in code: -1
    unanswered, the first code of the group it names, or a code in no group."""
    kept = item_table(session, design, profile.code)
    all_states = design._profile_states.get(profile.code)
    if all_states is None:
        number = kept.keys[profile.code]
        all_states = np.column_stack([(number >> 2 * k) & 3 for k in range(len(profile.items))])
        design._profile_states[profile.code] = all_states
    positions = [profile.items.index(code) for code in codes]
    packed_states = sum(all_states[:, position] * 4**j for j, position in enumerate(positions))
    answered = packed_states > 0
    width = 4 ** len(codes)
    packed = kept.cell[answered] * width + packed_states[answered]
    if len(design.cells.counts) * width <= 10_000_000:
        totals = np.bincount(packed, weights=kept.counts[answered])
        found = np.flatnonzero(totals)
        counts = totals[found]
    else:
        found, inverse = np.unique(packed, return_inverse=True)
        counts = np.bincount(inverse.reshape(-1), weights=kept.counts[answered])
    cell, packed_states = np.divmod(found, width)
    keys = {}
    for j, (code, position) in enumerate(zip(codes, positions, strict=True)):
        groups = profile.groups[position]
        outside = 1 + max(option for group in groups for option in group)
        stand_in = np.array([-1, outside, *(group[0] for group in groups)], dtype=np.int64)
        keys[code] = stand_in[(packed_states // 4**j) % 4]
    return Grouped(cell=cell, keys=keys, counts=counts.astype(np.int64))


def summary(session: Session, design: WaveDesign) -> Summary | None:
    """The acceptance summary, from counts kept as responses complete: each question's own
    counts, and the joint tables it needs cut from the profiles (`counting.summary_profiles`)."""
    applications = applications_of(design.question_set)
    if not applications:
        return None
    profiles = summary_profiles(design.question_set)

    def source(codes: tuple[str, ...]) -> Grouped:
        if len(codes) == 1:
            return item_table(session, design, codes[0])
        for profile in profiles:
            if set(codes) <= set(profile.items):
                return profile_table(session, design, profile, codes)
        return joint_table(session, design, codes)

    return acceptance_summary(
        design.weights,
        applications,
        source,
        mode=design.mode,
        minimum=design.wave.min_cell_size,
    )


def previous_wave(session: Session, wave: Wave) -> Wave | None:
    """The latest earlier wave of the same consultation that has complete responses."""
    earlier = [
        other
        for other in wave.consultation.waves
        if other.id < wave.id and store.design_cells(session, other)
    ]
    return earlier[-1] if earlier else None


# --- tests, scales and the largest subgroup differences -----------------------------------------


@dataclass(frozen=True)
class SubgroupTest:
    """Rao-Scott test of an item against the grouping variable."""

    item: str
    by: str
    test: ChiSquare


@dataclass(frozen=True)
class ScaleReliability:
    item: str
    alpha: Alpha


@dataclass(frozen=True)
class SubgroupDifference:
    """How far acceptance of an application lies apart between the groups of one variable."""

    application: str
    variable: str
    highest: Estimate
    lowest: Estimate
    test: ChiSquare | None

    @property
    def spread(self) -> float:
        return self.highest.estimate - self.lowest.estimate


def subgroup_tests(session: Session, design: WaveDesign, item: Item, by: str) -> list[SubgroupTest]:
    """Rao-Scott tests of each choice question (or battery row) of `item` against `by`."""
    if item.type not in (*CHOICE_TYPES, "battery") or by in item.answer_codes:
        return []
    tests = []
    for code in item.answer_codes:
        if by in design.cells.variables:
            table = item_table(session, design, code)
        else:
            table = subgroup_table(session, design, code, by)
        try:
            tests.append(
                SubgroupTest(code, by, rao_scott(design.weights, table, code, by, mode=design.mode))
            )
        except ValueError:
            continue  # fewer than two categories answered: nothing to test
    return tests


def scale_reliabilities(session: Session, design: WaveDesign) -> list[ScaleReliability]:
    """Cronbach's alpha of every battery, from the sums kept per cell (`counting.ScaleSums`)."""
    scales = []
    for scale in scale_sums(design.question_set):
        kept = item_table(session, design, scale.code)
        cells, position = np.unique(kept.cell, return_inverse=True)
        sums = np.zeros((len(cells), len(moment_names(len(scale.rows)))))
        np.add.at(sums, (position, kept.keys[scale.code]), kept.counts)
        try:
            alpha = cronbach_alpha_from_moments(
                design.weights, cells, sums, scale.rows, mode=design.mode
            )
        except ValueError:
            continue
        scales.append(ScaleReliability(scale.item, alpha))
    return scales


def largest_subgroup_differences(
    session: Session, design: WaveDesign, top: int = 3
) -> list[SubgroupDifference]:
    """Per application, the weighting variables whose groups differ most in acceptance
    (acceptable or very acceptable), largest spread first, with the Rao-Scott test."""
    accept = set(Coding().accept)
    differences: list[SubgroupDifference] = []
    for application in applications_of(design.question_set):
        counts = item_table(session, design, application.acceptance)
        answers = counts.keys[application.acceptance]
        accepted = np.where(answers < 0, -1, np.isin(answers, list(accept)).astype(np.int64))
        table = Grouped(cell=counts.cell, keys={"accepts": accepted}, counts=counts.counts)
        found = []
        for variable in design.cells.variables:
            rows = suppress_estimates(
                proportions(
                    design.weights,
                    table,
                    "accepts",
                    group=variable,
                    options=[0, 1],
                    mode=design.mode,
                ),
                minimum=design.wave.min_cell_size,
            )
            shown = [
                row
                for row in rows
                if row.option == 1
                and not row.suppressed
                and row.group_code is not None
                and row.group_code >= 0
            ]
            if len(shown) < 2:
                continue
            try:
                test = rao_scott(design.weights, table, "accepts", variable, mode=design.mode)
            except ValueError:
                test = None
            found.append(
                SubgroupDifference(
                    application.id,
                    variable,
                    max(shown, key=lambda row: row.estimate),
                    min(shown, key=lambda row: row.estimate),
                    test,
                )
            )
        differences += sorted(found, key=lambda d: d.spread, reverse=True)[:top]
    return differences


# --- the report ----------------------------------------------------------------------------------


@dataclass
class Report:
    design: WaveDesign
    estimates: list[Estimate]
    summary: Summary | None
    changes: list[WaveDifference]
    by: str | None
    tests: list[SubgroupTest] = field(default_factory=list)
    scales: list[ScaleReliability] = field(default_factory=list)
    subgroup_differences: list[SubgroupDifference] = field(default_factory=list)


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
    earlier = previous_wave(session, wave)
    if current is not None and earlier is not None:
        try:
            before = summary(session, load_design(session, earlier, mode))
        except ResultsError:
            before = None
        if before is not None:
            changes = wave_differences(before.rows(), current.rows())
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
    )


def _check_grouping(question_set: QuestionSet, by: str) -> None:
    try:
        item = question_set.item(by)
    except KeyError:
        raise ResultsError(f"there is no item {by} in this wave's question set") from None
    if item.type not in CHOICE_TYPES:
        raise ResultsError(f"{by} is not a single-choice item; only those can form subgroups")


# --- writing reports -----------------------------------------------------------------------------

CSV_COLUMNS = ("item", "group", "option", "n", "estimate", "se", "ci_low", "ci_high", "suppressed")

METHOD = (
    "Weights: raking of age group, sex, education and province to the population margins "
    "(every margin met within 1e-10; refused or missing demographics form their own category "
    "at its sample share). Figures are domain estimates over all complete responses of the wave. "
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
        "method": METHOD,
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
