"""Every figure of a wave: item estimates, the acceptance summary, tests and scales.

What is published follows the wave's disclosure control: small cells are suppressed over the
linked tables (`consult.results.disclosure`), a shown figure whose group's base is hidden
carries nothing that gives that base back (`Estimate.without_base`), and a test between groups
uses only the groups whose figures are all shown, naming the others (`GroupTest`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.orm import Session

from analysis import (
    Alpha,
    Estimate,
    Grouped,
    GroupTest,
    Summary,
    acceptance_summary,
    cronbach_alpha_from_moments,
    means,
    moment_names,
    proportions,
    rao_scott_over_shown,
    shown_groups,
)
from consult.counting.plan import (
    ANSWERED,
    Profile,
    applications_of,
    coding_of,
    plan_of,
)
from consult.results.design import WaveDesign
from consult.results.disclosure import Disclosure
from surveys.model import Item
from surveys.types import Answer, question_type


def all_estimates(session: Session, design: WaveDesign, by: str | None = None) -> list[Estimate]:
    """Every item's figures (overall, or by `by`); their tables are suppressed all at once
    first (the same as one by one, with fewer programs solved)."""
    disclosure = Disclosure(design)
    codes = list(disclosure.policy.layouts)
    if by is None:
        disclosure.margins(session, codes)
    else:
        disclosure.tables(
            session, by, [(code, table_by(session, design, code, by)) for code in codes]
        )
    return [
        row
        for item in design.question_set.all_items()
        for row in item_estimates(session, design, item, by)
    ]


def table_by(session: Session, design: WaveDesign, code: str, by: str | None) -> Grouped:
    """The counts of `code` (an answer code, or a rank's `ITEM.option`) that its figures by
    `by` (or overall) come from: the kept counts, or for a grouping that is not a weighting
    variable the answers of those who answered both."""
    if by is None or by in design.cells.variables:
        return design.item_table(session, code)
    return design.subgroup_table(session, code, by)


def item_estimates(
    session: Session, design: WaveDesign, item: Item, by: str | None = None
) -> list[Estimate]:
    """Every figure of one item (overall, or by `by`), with small cells suppressed."""
    mode = design.mode
    disclosure = Disclosure(design)
    rows: list[Estimate] = []

    def table_for(code: str) -> Grouped:
        return table_by(session, design, code, by)

    def add(code: str, table: Grouped, found: list[Estimate]) -> None:
        rows.extend(without_bases(design, disclosure.published(session, code, by, table, found)))

    answer = question_type(item).answer
    if answer is Answer.OPTION:  # per answer code: a battery's rows
        options = [choice.code for choice in item.choices]
        for code in item.answer_codes:
            table = table_for(code)
            add(
                code,
                table,
                proportions(design.weights, table, code, group=by, options=options, mode=mode),
            )
    elif answer is Answer.NUMBER:
        for code in item.answer_codes:
            table = table_for(code)
            add(code, table, means(design.weights, table, code, group=by, mode=mode))
    elif answer is Answer.ORDER:
        for choice in item.choices:
            code = f"{item.code}.{choice.code}"
            table = table_for(code)
            add(code, table, means(design.weights, table, code, group=by, mode=mode))
    elif answer is Answer.OPTIONS:
        table = table_for(item.code)
        add(item.code, table, _multiple_choice(design, table, item, by))
    return rows


def without_bases(design: WaveDesign, rows: list[Estimate]) -> list[Estimate]:
    """One table's rows, suppressed (`results.disclosure`), as they may be published: a shown
    row of a group whose base is hidden without what would give the base back (its degrees of
    freedom and interval; unweighted, its share too)."""
    count_ratio = design.mode == "unweighted"
    return [
        row.without_base(count_ratio=count_ratio)
        if row.base is None and not row.suppressed
        else row
        for row in rows
    ]


def _multiple_choice(
    design: WaveDesign, answered: Grouped, item: Item, by: str | None
) -> list[Estimate]:
    return choice_shares(design, answered, item.code, [c.code for c in item.choices], by)


def choice_shares(
    design: WaveDesign, answered: Grouped, code: str, options: Sequence[int], by: str | None
) -> list[Estimate]:
    """Share choosing each option among those who answered `code` (a yes/no per option): a
    multiple-choice item's, or an open question's themes (`consult.themes.figures`).

    `answered` holds per class (a cell, and the answer to `by` when that is a key) who
    answered (value -1) and who chose each option."""
    group = answered.keys.get(by) if by is not None else None
    classes, inverse = np.unique(
        np.column_stack([answered.cell, np.zeros_like(answered.cell) if group is None else group]),
        axis=0,
        return_inverse=True,
    )
    inverse = inverse.reshape(-1)
    answers = answered.keys[code]
    base = answers == int(ANSWERED)
    per_class_base = np.bincount(
        inverse[base], weights=answered.counts[base], minlength=len(classes)
    )
    shown = np.flatnonzero(per_class_base)
    cell = np.tile(classes[shown, 0], 2)
    keys = {} if by is None or group is None else {by: np.tile(classes[shown, 1], 2)}
    rows: list[Estimate] = []
    for option in options:
        chosen = answers == option
        per_class_chosen = np.bincount(
            inverse[chosen], weights=answered.counts[chosen], minlength=len(classes)
        )[shown]
        key = f"{code}={option}"
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
                rows.append(_relabel(row, code, option))
    return rows


def _relabel(row: Estimate, item: str, option: int) -> Estimate:
    return replace(row, item=item, option=option)


def profile_table(
    session: Session, design: WaveDesign, profile: Profile, codes: tuple[str, ...]
) -> Grouped:
    """The joint counts of some of a profile's questions (everyone who answered at least one).

    Their states (base-4 digits of the profile numbers) are re-packed as (cell, states) into one
    integer, so the counts are summed with one bincount. Each state becomes a stand-in code: -1
    unanswered, the first code of the group it names, or a code in no group."""
    kept = design.item_table(session, profile.code)
    number = kept.keys[profile.code]
    positions = [profile.items.index(code) for code in codes]
    packed_states = np.zeros(len(number), dtype=np.int64)
    for j, position in enumerate(positions):
        packed_states |= ((number >> 2 * position) & 3) << 2 * j
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
    counts, and the joint tables it needs cut from the profiles of the counting plan."""
    applications = applications_of(design.question_set)
    if not applications:
        return None
    profiles = list(plan_of(design.question_set).profiles)

    def source(codes: tuple[str, ...]) -> Grouped:
        if len(codes) == 1:
            return design.item_table(session, codes[0])
        for profile in profiles:
            if set(codes) <= set(profile.items):
                return profile_table(session, design, profile, codes)
        return design.joint_table(session, codes)

    return acceptance_summary(
        design.weights,
        applications,
        source,
        mode=design.mode,
        minimum=design.wave.min_cell_size,
        coding=coding_of(design.question_set),
    )


@dataclass(frozen=True)
class SubgroupTest:
    """Rao-Scott test of an item against the grouping variable."""

    item: str
    by: str
    test: GroupTest


@dataclass(frozen=True)
class ScaleReliability:
    """Cronbach's alpha of a battery, over every respondent of the wave who answered all its
    rows (not per group, so it rests on no cell of a table). Suppressed (NaN, no count) when
    fewer respondents than the wave's minimum answered them all."""

    item: str
    alpha: Alpha
    suppressed: bool = False


@dataclass(frozen=True)
class SubgroupDifference:
    """How far acceptance of an application lies apart between the groups of one variable
    (among the groups whose figures are all shown, which the test covers too)."""

    application: str
    variable: str
    highest: Estimate
    lowest: Estimate
    test: GroupTest | None
    """None when everyone in the groups gave the same answer (nothing to test)."""

    @property
    def spread(self) -> float:
        return self.highest.estimate - self.lowest.estimate


def group_test(
    design: WaveDesign, table: Grouped, row: str, by: str, rows: Sequence[Estimate]
) -> GroupTest | None:
    """The Rao-Scott test of `row` against `by` over the groups whose figures in `rows` (as
    published) are all shown (`analysis.rao_scott_over_shown`)."""
    return rao_scott_over_shown(design.weights, table, row, by, rows, mode=design.mode)


def subgroup_tests(
    session: Session, design: WaveDesign, item: Item, by: str, estimates: Sequence[Estimate]
) -> list[SubgroupTest]:
    """Rao-Scott tests of each choice question (or battery row) of `item` against `by`, over
    the groups whose figures among `estimates` (the item's, by `by`, as published) are all
    shown."""
    if question_type(item).answer is not Answer.OPTION or by in item.answer_codes:
        return []
    tests = []
    for code in item.answer_codes:
        if by in design.cells.variables:
            table = design.item_table(session, code)
        else:
            table = design.subgroup_table(session, code, by)
        rows = [row for row in estimates if row.item == code]
        test = group_test(design, table, code, by, rows)
        if test is not None:
            tests.append(SubgroupTest(code, by, test))
    return tests


def scale_reliabilities(session: Session, design: WaveDesign) -> list[ScaleReliability]:
    """Cronbach's alpha of every battery, from the sums kept per cell (`counting.ScaleSums`)."""
    scales = []
    for scale in plan_of(design.question_set).scales:
        kept = design.item_table(session, scale.code)
        cells, position = np.unique(kept.cell, return_inverse=True)
        sums = np.zeros((len(cells), len(moment_names(len(scale.rows)))))
        np.add.at(sums, (position, kept.keys[scale.code]), kept.counts)
        try:
            alpha = cronbach_alpha_from_moments(
                design.weights, cells, sums, scale.rows, mode=design.mode
            )
        except ValueError:
            continue
        if (alpha.respondents or 0) < design.wave.min_cell_size:
            hidden = replace(alpha, alpha=float("nan"), respondents=None)
            scales.append(ScaleReliability(scale.item, hidden, suppressed=True))
            continue
        scales.append(ScaleReliability(scale.item, alpha))
    return scales


def largest_subgroup_differences(
    session: Session, design: WaveDesign, top: int = 3
) -> list[SubgroupDifference]:
    """Per application, the weighting variables whose groups differ most in acceptance
    (acceptable or very acceptable), largest spread first, with the Rao-Scott test: both among
    the groups whose figures are all shown."""
    accept = set(coding_of(design.question_set).accept)
    differences: list[SubgroupDifference] = []
    disclosure = Disclosure(design)
    for variable in design.cells.variables:  # every table at once (the same as one by one)
        disclosure.tables(
            session,
            variable,
            [
                (application.acceptance, design.item_table(session, application.acceptance))
                for application in applications_of(design.question_set)
            ],
        )
    for application in applications_of(design.question_set):
        counts = design.item_table(session, application.acceptance)
        answers = counts.keys[application.acceptance]
        accepted = np.where(answers < 0, -1, np.isin(answers, list(accept)).astype(np.int64))
        table = Grouped(cell=counts.cell, keys={"accepts": accepted}, counts=counts.counts)
        found = []
        for variable in design.cells.variables:
            rows = without_bases(
                design,
                disclosure.published_accepting(
                    session,
                    application.acceptance,
                    variable,
                    proportions(
                        design.weights,
                        table,
                        "accepts",
                        group=variable,
                        options=[0, 1],
                        mode=design.mode,
                    ),
                ),
            )
            kept, _ = shown_groups(rows, variable)
            shown = [row for row in rows if row.option == 1 and row.group_code in kept]
            if len(shown) < 2:
                continue
            found.append(
                SubgroupDifference(
                    application.id,
                    variable,
                    max(shown, key=lambda row: row.estimate),
                    min(shown, key=lambda row: row.estimate),
                    group_test(design, table, "accepts", variable, rows),
                )
            )
        differences += sorted(found, key=lambda d: d.spread, reverse=True)[:top]
    return differences
