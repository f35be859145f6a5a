"""What of a wave's tables may be published: every table linked to the overall ones.

Every item's overall table is suppressed on its own; a table by subgroup with both overall
tables fixed; "X by G" and "G by X" of two single-choice questions are one pair table,
suppressed once (`analysis.linked_tables`). What a table looks like is the wave's `Policy`: each
answer code's layout (with the sums the acceptance summary publishes beside it), which groupings
hold every respondent (a weighting variable whose cells all have a category), which sums are
published by group (the largest subgroup differences) and which pair tables carry the summary's
lift. A table's suppression is a function of its counts and these alone, so it is the same
whatever is asked first, and it is kept with the design (`WaveDesign.masks`), that is per state
of the wave's counts (`consult.results.service`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TypeVar

import numpy as np
from sqlalchemy.orm import Session

from analysis import Estimate, Grouped
from analysis.acceptance import published_sums, summary_layout
from analysis.linked_tables import (
    Extra,
    Layout,
    Linked,
    LinkedSpec,
    Margin,
    Name,
    lift_shown,
    linked_tables,
    margins,
)
from consult.counting.plan import ANSWERED, applications_of, coding_of
from consult.results.design import WaveDesign, reported, single_choice
from surveys.model import QuestionSet
from surveys.types import Answer, question_type

Kept = TypeVar("Kept")


@dataclass(frozen=True)
class Policy:
    """How a wave's tables are laid out and linked (see the module docstring)."""

    layouts: Mapping[str, Layout]
    """Every answer code with figures (a ranking's `ITEM.option`), in the set's order."""
    groupings: tuple[str, ...]
    """The single-choice questions: what a table by subgroup may be by."""
    weighting: frozenset[str]
    complete: frozenset[str]
    """Groupings every respondent has a category of: their groups add up to the whole."""
    accept: tuple[int, ...]
    lifts: frozenset[tuple[str, str]]
    """(acceptance, conditional acceptance) of each application with a lift."""

    @cached_property
    def order(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.layouts)}

    def pair(self, item: str, by: str) -> bool:
        return item in self.groupings and by in self.groupings

    def oriented(self, item: str, by: str) -> tuple[str, str]:
        """(rows, columns) of the table of `item` by `by`: a pair table's are in the set's
        order, whichever is asked by the other; otherwise the grouping's rows."""
        if self.pair(item, by) and self.order[item] < self.order[by]:
            return item, by
        return by, item

    def accepting_sum(self, code: str) -> int:
        """The position of the accepting sum (published or not) in `code`'s layout."""
        return self.layouts[code].sums.index(self.accept)

    def accepting(self, code: str) -> int | None:
        """The position of the summary's published accepting sum in `code`'s layout."""
        layout = self.layouts[code]
        for k, (codes, shown) in enumerate(zip(layout.sums, layout.shown_sums, strict=True)):
            if codes == self.accept and shown:
                return k
        return None


def policy_of(question_set: QuestionSet, cell_categories: Mapping[str, np.ndarray]) -> Policy:
    """The wave's policy; `cell_categories` are the weighting cells' categories per variable."""
    coding = coding_of(question_set)
    applications = applications_of(question_set)
    sums = published_sums(applications, coding)
    layouts: dict[str, Layout] = {}
    for item in question_set.all_items():
        if not reported(item):
            continue
        answer = question_type(item).answer
        options = tuple(choice.code for choice in item.choices)
        if answer is Answer.OPTION:
            for code in item.answer_codes:
                layouts[code] = summary_layout(options, sums.get(code, ()))
        elif answer is Answer.OPTIONS:
            layouts[item.code] = Layout("choices", options)
        elif answer is Answer.NUMBER:
            for code in item.answer_codes:
                layouts[code] = Layout("mean")
        elif answer is Answer.ORDER:
            for choice in item.choices:
                layouts[f"{item.code}.{choice.code}"] = Layout("mean")
    weighting = frozenset(item.code for item in question_set.weighting_variables())
    complete = frozenset(
        code for code in weighting if np.isin(cell_categories[code], layouts[code].options).all()
    )
    return Policy(
        layouts=layouts,
        groupings=tuple(item.code for item in question_set.all_items() if single_choice(item)),
        weighting=weighting,
        complete=complete,
        accept=tuple(coding.accept),
        lifts=frozenset(
            (a.acceptance, a.conditional) for a in applications if a.conditional is not None
        ),
    )


def profiles(
    layout: Layout,
    values: np.ndarray,
    counts: np.ndarray,
    groups: np.ndarray | None = None,
    group_options: Sequence[int] = (),
) -> np.ndarray:
    """A code's profile (`analysis.linked_tables.Layout`) from counts per class: overall, or one
    row per option of a grouping (`groups`: each class's answer to it)."""
    if groups is None:
        return profiles(layout, values, counts, np.zeros(len(values), dtype=np.int64), [0])[0]
    g = _positions(group_options, groups)
    n_groups = len(group_options)
    counts = np.asarray(counts, dtype=np.float64)
    if layout.kind == "mean":
        keep = (g >= 0) & ~np.isnan(np.asarray(values, dtype=np.float64))
        return np.bincount(g[keep], weights=counts[keep], minlength=n_groups).reshape(-1, 1)
    codes = np.asarray(values).astype(np.int64)
    k = len(layout.options)
    o = _positions(layout.options, codes)
    keep = (g >= 0) & (o >= 0)
    chosen = np.bincount(
        g[keep] * k + o[keep], weights=counts[keep], minlength=n_groups * k
    ).reshape(n_groups, k)
    if layout.kind == "options":
        return chosen.astype(np.int64)
    answered = (g >= 0) & (codes == int(ANSWERED))
    base = np.bincount(g[answered], weights=counts[answered], minlength=n_groups)
    return np.column_stack([chosen, base]).astype(np.int64)


def _positions(options: Sequence[int], values: np.ndarray) -> np.ndarray:
    """Each value's position among `options` (-1 when it is none of them)."""
    ordered = np.asarray(options, dtype=np.int64)
    if len(ordered) == 0:
        return np.full(len(values), -1)
    sort = np.argsort(ordered)
    at = np.clip(np.searchsorted(ordered[sort], values), 0, len(ordered) - 1)
    found = ordered[sort][at] == values
    return np.where(found, sort[at], -1)


def extras(
    policy: Policy,
    rows: str,
    columns: str,
    margins: tuple[Margin, Margin],
    counts: np.ndarray,
    minimum: int,
) -> dict[tuple[Name, Name], Extra]:
    """The counts of pair table `rows` x `columns` published beside its cells and margins: the
    accepting per group of a weighting variable (the largest subgroup differences) and the
    summary's lift on the respondents who answered both its questions."""
    found: dict[tuple[Name, Name], Extra] = {}
    row_margin, column_margin = margins
    accepting = policy.accepting(columns)
    if rows in policy.weighting and accepting is not None:
        for g in row_margin.layout.options:
            found[(("option", g), ("sum", accepting))] = "published"
    accepting = policy.accepting(rows)
    if columns in policy.weighting and accepting is not None:
        for g in column_margin.layout.options:
            found[(("sum", accepting), ("option", g))] = "published"
    for acceptance, conditional in policy.lifts:
        if {rows, columns} != {acceptance, conditional} or rows == columns:
            continue
        values = row_margin.layout.weights @ counts @ column_margin.layout.weights.T
        by_name = {
            (r, c): int(values[i, j])
            for i, r in enumerate(row_margin.layout.names)
            for j, c in enumerate(column_margin.layout.names)
        }
        k_rows = row_margin.layout.sums.index(policy.accept)
        k_columns = column_margin.layout.sums.index(policy.accept)
        accepting_rows: tuple[Name, Name] = (("sum", k_rows), ("base",))
        accepting_columns: tuple[Name, Name] = (("base",), ("sum", k_columns))
        paired: tuple[Name, Name] = (("base",), ("base",))
        if rows == acceptance:
            without, with_conditions = accepting_rows, accepting_columns
            margins_ordered = (row_margin, column_margin)
        else:
            without, with_conditions = accepting_columns, accepting_rows
            margins_ordered = (column_margin, row_margin)
        shown_with, shown_without = lift_shown(
            *margins_ordered,
            policy.accept,
            by_name[with_conditions],
            by_name[without],
            by_name[paired],
            minimum,
        )
        for name, shown in ((with_conditions, shown_with), (without, shown_without)):
            if shown:
                found[name] = "shown"
        if shown_with or shown_without:
            found[paired] = "shown"
    return found


class Disclosure:
    """The suppression of one design's tables, computed when first asked and kept with it."""

    def __init__(self, design: WaveDesign) -> None:
        self.design = design
        self.kept = design.masks

    @property
    def policy(self) -> Policy:
        found = self.kept.get("policy")
        if found is None:
            cells = self.design.cells
            found = policy_of(
                self.design.question_set, {v: cells.column(v) for v in cells.variables}
            )
            self.kept["policy"] = found
        assert isinstance(found, Policy)
        return found

    @property
    def minimum(self) -> int:
        return self.design.wave.min_cell_size

    @property
    def respondents(self) -> int:
        return self.design.cells.n

    def margins(self, session: Session, codes: Sequence[str]) -> list[Margin]:
        """The overall tables of `codes`, each suppressed on its own."""
        wanted = [code for code in dict.fromkeys(codes) if ("margin", code) not in self.kept]
        specs = []
        for code in wanted:
            layout = self.policy.layouts[code]
            table = self.design.item_table(session, code)
            specs.append((layout, profiles(layout, table.keys[code], table.counts)))
        for code, found in zip(wanted, margins(specs, self.respondents, self.minimum), strict=True):
            self.kept[("margin", code)] = found
        return [self._kept(Margin, ("margin", code)) for code in codes]

    def margin(self, session: Session, code: str) -> Margin:
        return self.margins(session, [code])[0]

    def tables(
        self, session: Session, by: str, tables: Sequence[tuple[str, Grouped]]
    ) -> list[Linked]:
        """Each (code, its counts) by `by` (classes with `code`, and `by` as a key or, for a
        weighting variable, in the cell), suppressed with the overall tables fixed; a pair
        table in the policy's orientation."""
        policy = self.policy
        self.margins(session, [by, *(code for code, _ in tables)])
        wanted: dict[tuple[str, str, str], LinkedSpec] = {}
        for code, table in tables:
            rows, columns = policy.oriented(code, by)
            key = ("linked", rows, columns)
            if key in self.kept or key in wanted:
                continue
            groups = (
                table.keys[by] if by in table.keys else self.design.cells.column(by)[table.cell]
            )
            grouping, item = self.margin(session, by), self.margin(session, code)
            counts = profiles(
                item.layout, table.keys[code], table.counts, groups, grouping.layout.options
            )
            pair = policy.pair(code, by)
            if pair and rows != by:
                counts = counts.T
                grouping, item = item, grouping
            wanted[key] = LinkedSpec(
                grouping,
                item,
                counts,
                pair=pair,
                rows_equal=rows in policy.complete,
                columns_equal=pair and columns in policy.complete,
                extras=extras(policy, rows, columns, (grouping, item), counts, self.minimum)
                if pair
                else None,
            )
        found = linked_tables(list(wanted.values()), self.respondents, self.minimum)
        for key, mask in zip(wanted, found, strict=True):
            self.kept[key] = mask
        return [self._kept(Linked, ("linked", *policy.oriented(code, by))) for code, _ in tables]

    def table(self, session: Session, code: str, by: str, table: Grouped) -> Linked:
        return self.tables(session, by, [(code, table)])[0]

    def _kept(self, kind: type[Kept], key: tuple[str, ...]) -> Kept:
        found = self.kept[key]
        assert isinstance(found, kind)
        return found

    def published(
        self,
        session: Session,
        code: str,
        by: str | None,
        table: Grouped,
        rows: Sequence[Estimate],
    ) -> list[Estimate]:
        """`code`'s rows (overall, or by `by`) as they may be published: hidden rows lose their
        numbers, a shown row whose group's base is hidden shows no base."""
        layout = self.policy.layouts[code]
        column = "chosen" if layout.kind == "choices" else "option"
        if by is None:
            overall = self.margin(session, code)
            position = layout.position

            def hides(row: Estimate) -> tuple[bool, bool]:
                base = bool(overall.hidden[layout.base])
                if layout.kind == "mean":
                    return base, base
                return bool(overall.hidden[position[(column, int(row.option or 0))]]), base

        else:
            mask = self.table(session, code, by, table)
            swapped = self.policy.oriented(code, by)[0] != by

            def hides(row: Estimate) -> tuple[bool, bool]:
                group: Name = ("option", int(row.group_code or 0))
                base = _hides(mask, group, ("base",), swapped)
                if layout.kind == "mean":
                    return base, base
                return _hides(mask, group, (column, int(row.option or 0)), swapped), base

        out = []
        for row in rows:
            hide_row, hide_base = hides(row)
            published = row.hidden() if hide_row else row
            out.append(replace(published, base=None) if hide_base else published)
        return out

    def published_accepting(
        self, session: Session, code: str, by: str, rows: Sequence[Estimate]
    ) -> list[Estimate]:
        """Rows of "accepts `code`" (option 1: acceptable or very; 0: not) by weighting
        variable `by`, as the largest subgroup differences may publish them: the accepting per
        group are a sum of the pair table of `code` by `by` (`extras`), hidden as it says."""
        mask = self.table(session, code, by, self.design.item_table(session, code))
        accepting = self.policy.accepting(code)
        assert accepting is not None, f"{code} has no published accepting sum"
        swapped = self.policy.oriented(code, by)[0] != by
        out = []
        for row in rows:
            group: Name = ("option", int(row.group_code or 0))
            published = row.hidden() if _hides(mask, group, ("sum", accepting), swapped) else row
            hide_base = _hides(mask, group, ("base",), swapped)
            out.append(replace(published, base=None) if hide_base else published)
        return out


def _hides(mask: Linked, group: Name, column: Name, swapped: bool) -> bool:
    return mask.hides(column, group) if swapped else mask.hides(group, column)
