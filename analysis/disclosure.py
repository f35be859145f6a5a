"""Disclosure control: no figure may rest on fewer respondents than the wave's minimum.

Primary suppression hides every cell with fewer respondents (unweighted) than the minimum.
Secondary suppression then makes sure no hidden cell can be worked out from the cells and totals
that are shown: a table is a set of *lines* (a group's options add up to the group's base; a
group-by-option column adds up to the option's overall count; group bases add up to the overall
base), and in every line either nothing or at least two entries are hidden. While a line has
exactly one hidden entry, its smallest shown entry is hidden too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from analysis.estimates import Estimate

DEFAULT_MINIMUM = 10


def suppress_lines(
    counts: np.ndarray, lines: Sequence[Sequence[int]], minimum: int = DEFAULT_MINIMUM
) -> np.ndarray:
    """Hidden entries (True) after primary and secondary suppression.

    ``counts`` are the respondents behind each entry; each line lists entries (cells and their
    total) that are tied by addition. Among shown entries of a line the smallest is hidden first
    (ties: the first listed), repeated until no line has exactly one hidden entry.
    """
    counts = np.asarray(counts)
    hidden = counts < minimum
    arrays = [np.asarray(line, dtype=np.int64) for line in lines if len(line) > 1]
    changed = True
    while changed:
        changed = False
        for line in arrays:
            inside = hidden[line]
            if int(inside.sum()) == 1:
                shown = line[~inside]
                hidden[shown[np.argmin(counts[shown])]] = True
                changed = True
    return hidden


@dataclass(frozen=True)
class TableMask:
    """Which parts of a groups x options table are hidden."""

    cells: np.ndarray
    row_totals: np.ndarray
    column_totals: np.ndarray
    grand_total: bool


def suppress_table(
    counts: np.ndarray,
    minimum: int = DEFAULT_MINIMUM,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> TableMask:
    """Suppression of a groups (rows) x options (columns) table of respondent counts.

    With ``row_totals`` the group bases are shown, with ``column_totals`` the overall row; both
    create lines that a lone hidden cell could be recovered from.
    """
    counts = np.asarray(counts, dtype=np.int64)
    g, k = counts.shape
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    entries = np.concatenate([counts.ravel(), rows, cols, [counts.sum()]])
    cell = np.arange(g * k).reshape(g, k)
    row_index = g * k + np.arange(g)
    col_index = g * k + g + np.arange(k)
    grand = g * k + g + k
    lines: list[list[int]] = []
    if row_totals:
        lines += [[*cell[i], int(row_index[i])] for i in range(g)]
    if column_totals:
        lines += [[*cell[:, j], int(col_index[j])] for j in range(k)]
        lines.append([*col_index.tolist(), grand])
    if row_totals and column_totals:
        lines.append([*row_index.tolist(), grand])
    shown_entries = np.ones(len(entries), dtype=bool)
    if not row_totals:
        shown_entries[row_index] = False
    if not column_totals:
        shown_entries[col_index] = False
        shown_entries[grand] = False
    # Totals that are not shown are never hidden nor used as a complement.
    big = np.where(shown_entries, entries, np.iinfo(np.int64).max)
    hidden = suppress_lines(big, lines, minimum) & shown_entries
    return TableMask(
        cells=hidden[: g * k].reshape(g, k),
        row_totals=hidden[row_index],
        column_totals=hidden[col_index],
        grand_total=bool(hidden[grand]),
    )


Domain = tuple[str | None, int | None]


@dataclass
class _Entries:
    """The entries of one table of rows: cells and group bases, with the rows they belong to."""

    counts: list[int] = field(default_factory=list)
    owner: list[int | None] = field(default_factory=list)
    """Row index of a cell entry (None for a base entry of a proportions table)."""

    def add(self, count: int | None, row_index: int | None) -> int:
        self.counts.append(count if count is not None else 0)
        self.owner.append(row_index)
        return len(self.counts) - 1


def _suppress_rows(
    rows: Sequence[Estimate], members: list[int], proportion: bool, minimum: int
) -> tuple[set[int], set[Domain]]:
    """Hidden rows and hidden group bases of one table (one item and kind)."""
    entries = _Entries()
    lines: list[list[int]] = []
    base_entry: dict[Domain, int] = {}
    cell_entry: dict[tuple[str | None, int | None, object], int] = {}
    for i in members:
        row = rows[i]
        domain = (row.group, row.group_code)
        if domain not in base_entry:
            base_entry[domain] = entries.add(row.base, None)
        if proportion:
            cell_entry[(*domain, row.option)] = entries.add(row.n, i)
        else:
            cell_entry[(*domain, row.option)] = base_entry[domain]
            entries.owner[base_entry[domain]] = i
    if proportion:
        for domain, base in base_entry.items():
            lines.append(
                [e for key, e in cell_entry.items() if (key[0], key[1]) == domain] + [base]
            )
    groupings = sorted({group for group, _ in base_entry if group is not None})
    overall = base_entry.get((None, None))
    for grouping in groupings:
        codes = [code for group, code in base_entry if group == grouping]
        if overall is not None:
            lines.append([base_entry[(grouping, c)] for c in codes] + [overall])
        if not proportion:
            continue
        options = sorted({key[2] for key in cell_entry if key[0] == grouping}, key=str)
        for option in options:
            line = [
                cell_entry[(grouping, c, option)]
                for c in codes
                if (grouping, c, option) in cell_entry
            ]
            if (None, None, option) in cell_entry:
                line.append(cell_entry[(None, None, option)])
            lines.append(line)
    hidden = suppress_lines(np.array(entries.counts), lines, minimum)
    hidden_rows = {i for e, i in enumerate(entries.owner) if i is not None and hidden[e]}
    hidden_bases = {domain for domain, e in base_entry.items() if hidden[e]}
    return hidden_rows, hidden_bases


def suppress_estimates(rows: Sequence[Estimate], minimum: int = DEFAULT_MINIMUM) -> list[Estimate]:
    """Apply primary and secondary suppression to tidy rows, table by table.

    Rows of one item (and kind) form one table: the overall rows (no group) and, per grouping
    key, the group rows. For proportions each group's options add up to its base and each option
    across groups adds up to its overall count; for means the group bases add up to the overall
    base. Hidden rows lose their numbers; rows of a group whose base is hidden show no base.
    """
    tables: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        tables[(row.item, row.kind)].append(i)
    result = list(rows)
    for (_, kind), members in tables.items():
        hidden_rows, hidden_bases = _suppress_rows(rows, members, kind == "proportion", minimum)
        for i in members:
            if i in hidden_rows:
                result[i] = result[i].hidden()
            if (rows[i].group, rows[i].group_code) in hidden_bases:
                result[i] = replace(result[i], base=None)
    return result
