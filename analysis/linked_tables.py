"""The tables a wave publishes, laid out as `analysis.disclosure` suppresses them: how one answer
code is tabulated (`Layout`), an item's overall table suppressed on its own (`margin`) and a
table by subgroup suppressed with its overall tables fixed (`linked`), and the summary's lift
(`lift_shown`). The rules they follow are in `analysis.disclosure`'s docstring.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from analysis.disclosure import TableSet, closure, protect_all, unsafe

# --- Layouts: how one answer code is tabulated -------------------------------------------------

Kind = Literal["options", "choices", "mean"]
Name = tuple[str, int] | tuple[str]


@dataclass(frozen=True)
class Layout:
    """The entries of one answer code's table and the lines that tie them.

    - ``options`` (a single choice, a battery row): a count per option and the base, plus sums
      of options the summary publishes (acceptance = 4 + 5) and, not published, the rest of the
      base beside each sum. A group's profile is its count per option.
    - ``choices`` (a multiple choice): per option who chose it and, not published, who answered
      but did not; the base (who answered). A profile is the chosen counts and the base.
    - ``mean`` (a number, a rank): only the base. A profile is the base.
    """

    kind: Kind
    options: tuple[int, ...] = ()
    sums: tuple[tuple[int, ...], ...] = ()
    shown_sums: tuple[bool, ...] = ()

    @cached_property
    def names(self) -> list[Name]:
        if self.kind == "mean":
            return [("base",)]
        if self.kind == "choices":
            return [
                *(("chosen", o) for o in self.options),
                *(("not", o) for o in self.options),
                ("base",),
            ]
        return [
            *(("option", o) for o in self.options),
            ("base",),
            *(name for k in range(len(self.sums)) for name in (("sum", k), ("rest", k))),
        ]

    @cached_property
    def position(self) -> dict[Name, int]:
        return {name: i for i, name in enumerate(self.names)}

    @property
    def base(self) -> int:
        return self.position[("base",)]

    @cached_property
    def weights(self) -> np.ndarray:
        """Entry values = weights @ profile."""
        k = len(self.options)
        if self.kind == "mean":
            return np.ones((1, 1), dtype=np.int64)
        if self.kind == "choices":
            top = np.hstack([np.eye(k, dtype=np.int64), np.zeros((k, 1), dtype=np.int64)])
            middle = np.hstack([-np.eye(k, dtype=np.int64), np.ones((k, 1), dtype=np.int64)])
            bottom = np.zeros((1, k + 1), dtype=np.int64)
            bottom[0, k] = 1
            return np.vstack([top, middle, bottom])
        rows = [*np.eye(k, dtype=np.int64), np.ones(k, dtype=np.int64)]
        for codes in self.sums:
            inside = np.isin(np.array(self.options), codes).astype(np.int64)
            rows += [inside, 1 - inside]
        return np.vstack(rows) if rows else np.zeros((0, k), dtype=np.int64)

    @cached_property
    def lines(self) -> list[tuple[list[int], int]]:
        """Lines over the layout's entries (local positions)."""
        at = self.position
        base = at[("base",)]
        if self.kind == "mean":
            return []
        if self.kind == "choices":
            return [([at[("chosen", o)], at[("not", o)]], base) for o in self.options]
        options = [at[("option", o)] for o in self.options]
        found = [(options, base)]
        for k, codes in enumerate(self.sums):
            found.append(([at[("option", o)] for o in self.options if o in codes], at[("sum", k)]))
            found.append(
                ([at[("option", o)] for o in self.options if o not in codes], at[("rest", k)])
            )
            found.append(([at[("sum", k)], at[("rest", k)]], base))
        return found

    @cached_property
    def published(self) -> np.ndarray:
        """What the overall table shows."""
        shown: set[Name] = {("base",)}
        if self.kind == "choices":
            shown |= {("chosen", o) for o in self.options}
        if self.kind == "options":
            shown |= {("option", o) for o in self.options}
            shown |= {("sum", k) for k, on in enumerate(self.shown_sums) if on}
        return np.array([name in shown for name in self.names])

    @cached_property
    def per_group(self) -> np.ndarray:
        """What a table by subgroup shows of each group: its counts and its base."""
        return np.array(
            [name[0] in ("option", "chosen", "base") for name in self.names], dtype=bool
        )

    @cached_property
    def answers(self) -> np.ndarray:
        """Entries that are answers (the options), not sums: the columns of a pair table."""
        return np.array([name[0] == "option" for name in self.names], dtype=bool)


@dataclass(frozen=True)
class Margin:
    """An overall table, suppressed on its own."""

    layout: Layout
    values: np.ndarray
    hidden: np.ndarray
    """Published entries that are suppressed."""
    known: np.ndarray
    """Entries shown or given away by the shown ones (a sum of shown options)."""

    def shown(self, name: Name) -> bool:
        position = self.layout.position[name]
        return bool(self.layout.published[position] and not self.hidden[position])


def add_margin(
    tables: TableSet,
    key: Hashable,
    layout: Layout,
    profile: np.ndarray,
    respondents: int,
    *,
    hidden: np.ndarray | None = None,
) -> np.ndarray:
    """Put one overall table into `tables` (fixed when its `hidden` state is given); its entries."""
    values = layout.weights @ np.asarray(profile, dtype=np.int64)
    wave = tables.entry(("respondents",), respondents, fixed=True, baseline=True)
    index = np.array(
        [
            tables.entry(
                (key, name),
                int(values[i]),
                published=bool(layout.published[i]),
                fixed=hidden is not None,
                hidden=bool(hidden[i]) if hidden is not None else False,
                baseline=True,
            )
            for i, name in enumerate(layout.names)
        ],
        dtype=np.int64,
    )
    for parts, total in layout.lines:
        tables.line(index[parts], int(index[total]))
    tables.bound([int(index[layout.base])], wave)
    return index


def margins(
    specs: Sequence[tuple[Layout, np.ndarray]], respondents: int, minimum: int
) -> list[Margin]:
    """Overall tables suppressed each on its own: (layout, profile) as `Layout` says; the
    wave's respondents bound every base (they are published)."""
    sets, indexes = [], []
    for layout, profile in specs:
        tables = TableSet()
        indexes.append(add_margin(tables, "overall", layout, profile, respondents))
        sets.append(tables.frozen())
    found = []
    for (layout, _), frozen, index, hidden in zip(
        specs, sets, indexes, protect_all(sets, minimum), strict=True
    ):
        known = closure(frozen, hidden)
        found.append(Margin(layout, frozen.values[index], hidden[index], known[index]))
    return found


def margin(layout: Layout, profile: np.ndarray, respondents: int, minimum: int) -> Margin:
    """One overall table suppressed on its own (`margins`)."""
    return margins([(layout, profile)], respondents, minimum)[0]


# --- Tables by subgroup ------------------------------------------------------------------------

Extra = Literal["shown", "published"]


@dataclass(frozen=True)
class LinkedSpec:
    """A table by subgroup to suppress: its overall tables, counts and links (`add_linked`)."""

    grouping: Margin
    item: Margin
    profiles: np.ndarray
    pair: bool
    rows_equal: bool
    columns_equal: bool = False
    extras: Mapping[tuple[Name, Name], Extra] | None = None


@dataclass(frozen=True)
class Linked:
    """A table by subgroup (rows: the grouping's entries; columns: the item's), suppressed with
    its overall tables fixed. In a pair table both are single-choice questions and the rows are
    the grouping's whole layout; otherwise they are its options and, last, the base."""

    rows: list[Name]
    columns: list[Name]
    values: np.ndarray
    hidden: np.ndarray
    spec: LinkedSpec

    def hides(self, row: Name, column: Name) -> bool:
        return bool(self.hidden[self.rows.index(row), self.columns.index(column)])


def row_names(grouping: Layout, pair: bool) -> list[Name]:
    if pair:
        return list(grouping.names)
    return [*(("option", o) for o in grouping.options), ("base",)]


def add_linked(
    tables: TableSet,
    key: Hashable,
    grouping: tuple[Hashable, Margin],
    item: tuple[Hashable, Margin],
    profiles: np.ndarray,
    *,
    pair: bool,
    rows_equal: bool,
    columns_equal: bool = False,
    extras: Mapping[tuple[Name, Name], Extra] | None = None,
    hidden: np.ndarray | None = None,
) -> tuple[list[Name], np.ndarray]:
    """Put a table by subgroup into `tables`, with its overall tables' entries (keyed
    `(grouping key, name)`, `(item key, name)`, which must be there); its rows and entries.

    `profiles` has one row per option of the grouping: the item's profile in that group.
    `rows_equal`: the groups together hold everyone who answered the item (the grouping is a
    weighting variable), so the bottom row (the sums over the groups) is the item's overall
    table; otherwise it is at most that. `columns_equal` likewise for the columns of a pair table
    (the item is a weighting variable). `extras` publishes more entries: the summary's sums by
    group ("published"), or counts published on their own and fixed ("shown"). Without `hidden`
    the overall tables' hidden and unknown entries hide their breakdown (see the module
    docstring); with it, the state is given (the audit)."""
    extras = extras or {}
    group_key, groups = grouping
    item_key, items = item
    glayout, xlayout = groups.layout, items.layout
    names = row_names(glayout, pair)
    if pair:
        weights = glayout.weights
    else:
        k = len(glayout.options)
        weights = np.vstack([np.eye(k, dtype=np.int64), np.ones((1, k), dtype=np.int64)])
    values = weights @ np.asarray(profiles, dtype=np.int64) @ xlayout.weights.T
    base_row = names.index(("base",))
    base_column = xlayout.base
    row_parent = [glayout.position[name] for name in names]
    item_entry = [tables.index[(item_key, name)] for name in xlayout.names]
    group_entry = [tables.index[(group_key, name)] for name in glayout.names]
    index = np.zeros(values.shape, dtype=np.int64)
    for i, row in enumerate(names):
        for j, column in enumerate(xlayout.names):
            if rows_equal and i == base_row:
                index[i, j] = item_entry[j]
                continue
            if columns_equal and j == base_column:
                index[i, j] = group_entry[row_parent[i]]
                continue
            extra = extras.get((row, column))
            if pair:
                shown = (row[0] == "option" and column[0] in ("option", "base")) or (
                    row == ("base",) and column[0] == "option"
                )
            else:
                shown = row[0] == "option" and bool(xlayout.per_group[j])
            published = shown or extra is not None
            if hidden is not None:
                hide = bool(hidden[i, j])
            else:
                hide = published and not (
                    items.known[j] and groups.known[row_parent[i]]
                )  # the breakdown of an unknown overall count stays unknown
            index[i, j] = tables.entry(
                (key, row, column),
                int(values[i, j]),
                published=published,
                fixed=hidden is not None or extra == "shown",
                hidden=hide,
                baseline=extra == "shown",
            )
    for i in range(len(names)):
        for parts, total in xlayout.lines:
            tables.line(index[i, parts], int(index[i, total]))
    if pair:
        for j in range(len(xlayout.names)):
            for parts, total in glayout.lines:
                tables.line(index[parts, j], int(index[total, j]))
    else:
        for j in range(len(xlayout.names)):
            tables.line(index[:base_row, j], int(index[base_row, j]))
    if not rows_equal:
        for j in range(len(xlayout.names)):
            tables.bound([int(index[base_row, j])], item_entry[j])
    if not (pair and columns_equal):
        for i in range(len(names)):
            tables.bound([int(index[i, base_column])], group_entry[row_parent[i]])
    return names, index


def linked_tables(specs: Sequence[LinkedSpec], respondents: int, minimum: int) -> list[Linked]:
    """Tables by subgroup, each suppressed with its overall tables fixed (`add_linked`)."""
    sets, shapes = [], []
    for spec in specs:
        tables = TableSet()
        add_margin(
            tables,
            "grouping",
            spec.grouping.layout,
            profile_of(spec.grouping),
            respondents,
            hidden=spec.grouping.hidden,
        )
        add_margin(
            tables,
            "item",
            spec.item.layout,
            profile_of(spec.item),
            respondents,
            hidden=spec.item.hidden,
        )
        names, index = add_linked(
            tables,
            "linked",
            ("grouping", spec.grouping),
            ("item", spec.item),
            spec.profiles,
            pair=spec.pair,
            rows_equal=spec.rows_equal,
            columns_equal=spec.columns_equal,
            extras=spec.extras,
        )
        sets.append(tables.frozen())
        shapes.append((names, index))
    return [
        Linked(names, list(spec.item.layout.names), frozen.values[index], hidden[index], spec)
        for spec, frozen, (names, index), hidden in zip(
            specs, sets, shapes, protect_all(sets, minimum), strict=True
        )
    ]


def linked(spec: LinkedSpec, respondents: int, minimum: int) -> Linked:
    """One table by subgroup (`linked_tables`)."""
    return linked_tables([spec], respondents, minimum)[0]


def profile_of(found: Margin) -> np.ndarray:
    """The profile an overall table was made from, read back from its entries."""
    layout = found.layout
    if layout.kind == "mean":
        return found.values[[layout.base]]
    if layout.kind == "choices":
        k = len(layout.options)
        return np.concatenate([found.values[:k], found.values[[layout.base]]])
    return found.values[: len(layout.options)]


def pair_counts_shown(counts: Sequence[int], totals: Sequence[int], minimum: int) -> bool:
    """Whether counts that each split a total in two may be shown: both parts 0 or at least the
    minimum (the summary's lift: the accepting among the respondents who answered both)."""
    parts = [*counts, *(t - c for c, t in zip(counts, totals, strict=True))]
    return not bool(unsafe(np.array(parts), minimum).any())


def lift_shown(
    acceptance: Margin,
    conditional: Margin,
    accept: tuple[int, ...],
    with_conditions: int,
    without: int,
    paired: int,
    minimum: int,
) -> tuple[bool, bool]:
    """Whether the summary's lift may show its accepting with the conditions (those accepting
    the conditional question among the `paired` respondents who answered both questions) and
    without (those accepting the plain one). They are counts of the pair table of the two
    questions, published on their own, so they follow the rule of an overall table's
    breakdown: each count and its rest 0 or at least the minimum, and the overall counts it
    breaks down (who accepts and who does not, who answered) known. Where one is shown, so is
    the paired base; the lift itself needs both."""

    def known(found: Margin) -> bool:
        k = found.layout.sums.index(accept)
        position = found.layout.position
        needed = [position[("sum", k)], position[("rest", k)], found.layout.base]
        return bool(found.known[needed].all())

    bases = acceptance.known[acceptance.layout.base] and conditional.known[conditional.layout.base]
    return (
        bool(bases)
        and known(conditional)
        and pair_counts_shown([with_conditions], [paired], minimum),
        bool(bases) and known(acceptance) and pair_counts_shown([without], [paired], minimum),
    )
