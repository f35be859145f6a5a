"""Disclosure control: no figure may rest on fewer respondents than the wave's minimum, and no
suppressed figure may be worked back from what is published.

The rule is the threshold rule as statistical offices apply it (CBS's τ-ARGUS with its default
settings, R's sdcTable), over every table that is published about a wave:

- **Primary suppression.** A count with 0 < n < minimum is unsafe and hidden: a cell, a group's
  base, a published sum of options (the summary's acceptance). **A count of 0 is safe**: that
  nobody chose an option reveals no respondent, and hiding it would protect nobody. Zeros are
  never chosen as complements either (τ-ARGUS's default: a suppressed zero protects nothing,
  since a count cannot go below 0), so one empty option no longer hides a whole table.
- **Secondary suppression.** Counts are tied by addition along *lines* (a group's options add up
  to its base, the groups add up to the overall count, a sum of options to its options). A hidden
  count must not follow from the shown ones: while a line has a single unknown count that is
  hidden (or a small count that is not shown anywhere, like "everyone but the accepting"), the
  smallest shown non-zero count of the line is hidden too; while the counts a line leaves
  unknown add up to less than the minimum around a small hidden one, another is hidden. Then the
  attacker's linear program (`analysis.disclosure_audit`) checks every hidden small count and,
  where one can still be narrowed below [0, minimum], hides the nearest shown count, until none
  can.
- **Linked tables.** Every item's overall table is suppressed on its own. A table by subgroup (X
  by G) is suppressed with both overall tables fixed: a shown overall count is published and
  never picked as a complement, a hidden one stays hidden, and so does its breakdown (every count
  of the linked table that adds up to it), so that no linked table narrows an overall one. When
  X and G are both single-choice questions, "X by G" and "G by X" publish the same counts with
  both margins: they are one *pair table*, suppressed once. Its rows add up to G's overall counts
  exactly when X is a weighting variable (everyone answered it), and to at most those otherwise
  (only who answered both is counted); likewise its columns.

`analysis.linked_tables` lays out the tables of a wave (overall and by subgroup) in a
`TableSet`, which holds any set of them for the audit. `suppress_lines`,
`suppress_table` and `suppress_estimates` are the single-table forms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from scipy import sparse

from analysis.disclosure_audit import Constraints, narrow_counts
from analysis.estimates import Estimate

DEFAULT_MINIMUM = 10


def unsafe(counts: np.ndarray, minimum: int) -> np.ndarray:
    """Primary suppression: more than nobody, fewer than the minimum."""
    counts = np.asarray(counts)
    return (counts > 0) & (counts < minimum)


class TableSet:
    """Counts of a set of linked tables (*entries*), the lines that tie them by addition and the
    links that bound a subgroup's count by the overall one.

    An entry is *published* when some page, download or API response shows it (a derived count,
    like the number not accepting or the respondents who answered both questions, is not, but
    may be worked out); *fixed* when its fate was decided elsewhere (an overall table's counts,
    seen from a table by subgroup); *baseline* when it is published on its own (overall tables,
    the summary), which the audit's criterion distinguishes. Entries are keyed, so tables that
    share counts share entries."""

    def __init__(self) -> None:
        self.keys: list[Hashable] = []
        self.index: dict[Hashable, int] = {}
        self.values: list[int] = []
        self.published: list[bool] = []
        self.fixed: list[bool] = []
        self.hidden: list[bool] = []
        self.baseline: list[bool] = []
        self.lines: dict[tuple[tuple[int, ...], int], None] = {}
        self.bounds: dict[tuple[tuple[int, ...], int], None] = {}

    def entry(
        self,
        key: Hashable,
        value: int,
        *,
        published: bool = True,
        fixed: bool = False,
        hidden: bool = False,
        baseline: bool = False,
    ) -> int:
        found = self.index.get(key)
        if found is not None:
            return found
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.values.append(int(value))
        self.published.append(published)
        self.fixed.append(fixed)
        self.hidden.append(hidden and published)
        self.baseline.append(baseline)
        return len(self.keys) - 1

    def line(self, parts: Sequence[int] | np.ndarray, total: int = -1) -> None:
        """`parts` add up to `total`; without a total, the entries are tied by addition in some
        way not said (`suppress_lines`)."""
        if len(parts) + (total >= 0) > 1:
            self.lines[(tuple(int(p) for p in parts), int(total))] = None

    def bound(self, parts: Sequence[int] | np.ndarray, total: int) -> None:
        """`parts` add up to at most `total`."""
        self.bounds[(tuple(int(p) for p in parts), int(total))] = None

    def frozen(self) -> Frozen:
        return Frozen(
            keys=list(self.keys),
            values=np.array(self.values, dtype=np.int64),
            published=np.array(self.published, dtype=bool),
            fixed=np.array(self.fixed, dtype=bool),
            hidden=np.array(self.hidden, dtype=bool),
            baseline=np.array(self.baseline, dtype=bool),
            lines=list(self.lines),
            bounds=list(self.bounds),
        )


def _ragged(groups: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members, the group of each member and each group's start, for vectorized passes."""
    lengths = np.array([len(g) for g in groups], dtype=np.int64)
    members = np.fromiter((m for g in groups for m in g), dtype=np.int64, count=int(lengths.sum()))
    owner = np.repeat(np.arange(len(groups)), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return members, owner, starts


@dataclass
class Frozen:
    """A `TableSet` as arrays: what suppression and the audit run on."""

    keys: list[Hashable]
    values: np.ndarray
    published: np.ndarray
    fixed: np.ndarray
    hidden: np.ndarray
    baseline: np.ndarray
    lines: list[tuple[tuple[int, ...], int]]
    bounds: list[tuple[tuple[int, ...], int]]

    @cached_property
    def _line_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every member of every line (its parts, then its total), and each line's total."""
        groups = [(*parts, total) if total >= 0 else parts for parts, total in self.lines]
        members, owner, starts = _ragged(groups)
        totals = np.array([total for _, total in self.lines], dtype=np.int64)
        return members, owner, starts, totals

    @cached_property
    def _part_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Parts of the lines with a total and of the bounds, the owner of each, the totals and
        the number of each (as `_lines_of` numbers them: lines, then bounds)."""
        numbers = [i for i, (_, total) in enumerate(self.lines) if total >= 0]
        numbers += [len(self.lines) + b for b in range(len(self.bounds))]
        rows = [self._members(n) for n in numbers]
        members, owner, _ = _ragged([parts for parts, _ in rows])
        totals = np.array([total for _, total in rows], dtype=np.int64)
        return members, owner, totals, np.array(numbers, dtype=np.int64)

    @cached_property
    def _lines_of(self) -> list[list[int]]:
        """For each entry, the lines and bounds it is in (lines first, then bounds as L + b)."""
        found: list[list[int]] = [[] for _ in self.keys]
        for position, (parts, total) in enumerate([*self.lines, *self.bounds]):
            for member in (*parts, total) if total >= 0 else parts:
                found[member].append(position)
        return found

    def _members(self, position: int) -> tuple[tuple[int, ...], int]:
        if position < len(self.lines):
            return self.lines[position]
        return self.bounds[position - len(self.lines)]

    @cached_property
    def constraints(self) -> Constraints:
        """The lines and bounds as the attacker's linear constraints."""

        def matrix(rows: list[tuple[tuple[int, ...], int]]) -> sparse.csr_matrix:
            data, row_index, column = [], [], []
            for r, (parts, total) in enumerate(rows):
                for p in parts:
                    data.append(1.0)
                    row_index.append(r)
                    column.append(p)
                data.append(-1.0)
                row_index.append(r)
                column.append(total)
            return sparse.csr_matrix((data, (row_index, column)), shape=(len(rows), len(self.keys)))

        return Constraints(
            equal=matrix([line for line in self.lines if line[1] >= 0]),
            at_most=matrix(self.bounds),
        )


def closure(tables: Frozen, hidden: np.ndarray) -> np.ndarray:
    """The entries an attacker knows: the shown ones and every one a line gives away (a line
    with a single unknown entry)."""
    return _close(tables, hidden)[0]


def _close(
    tables: Frozen,
    hidden: np.ndarray,
    secret: np.ndarray | None = None,
    skip: set[int] | frozenset[int] = frozenset(),
) -> tuple[np.ndarray, int]:
    """(known, the first line not in `skip` that gives a `secret` entry away, or -1)."""
    known = tables.published & ~hidden
    if not tables.lines:
        return known, -1
    members, owner, _, _ = tables._line_arrays
    skipped = np.isin(np.arange(len(tables.lines)), list(skip))
    while True:
        open_ = ~known[members]
        count = np.bincount(owner, weights=open_, minlength=len(tables.lines))
        single = open_ & (count[owner] == 1)
        if not single.any():
            return known, -1
        entries, lines = members[single], owner[single]
        if secret is not None:
            bad = secret[entries] & ~skipped[lines]
            if bad.any():
                return known, int(lines[bad].min())
        known[entries] = True


def _mass(
    tables: Frozen, known: np.ndarray, small: np.ndarray, minimum: int, skip: set[int]
) -> int:
    """The first line or bound (numbered as in `_lines_of`, not in `skip`) whose unknown parts
    around a small one add up to less than the minimum while its total is known, or -1."""
    members, owner, totals, numbers = tables._part_arrays
    if len(totals) == 0:
        return -1
    n = len(totals)
    open_ = ~known[members]
    has_small = np.bincount(owner, weights=open_ & small[members], minlength=n) > 0
    shown = np.bincount(owner, weights=np.where(open_, 0, tables.values[members]), minlength=n)
    slack = tables.values[totals] - shown
    bad = numbers[known[totals] & has_small & (slack < minimum)]
    bad = bad[~np.isin(bad, list(skip))]
    return int(bad[0]) if len(bad) else -1


def _complement(
    tables: Frozen, hidden: np.ndarray, start: Sequence[int], *, zeros: bool = False
) -> int | None:
    """The entry to hide next: the smallest shown, non-zero, not fixed entry of the given lines,
    or else of the lines around them, nearest first (ties: the first listed). A part of a line
    goes before a total, one step further out too, so that bases stay shown where they can.
    With `zeros`, an empty count may be taken too (the last resort, see `protect`)."""
    seen_lines: set[int] = set()
    seen_entries: set[int] = set()
    frontier = list(dict.fromkeys(start))
    totals: list[tuple[int, int]] = []
    for _ in range(6):
        parts_found: list[tuple[int, int]] = []
        totals_found: list[tuple[int, int]] = []
        reached: list[int] = []
        for position in frontier:
            if position in seen_lines:
                continue
            seen_lines.add(position)
            parts, total = tables._members(position)
            for member in (*parts, total) if total >= 0 else parts:
                if tables.published[member] and not hidden[member]:
                    if not tables.fixed[member] and (zeros or tables.values[member] > 0):
                        found = parts_found if member != total else totals_found
                        found.append((int(tables.values[member]), member))
                elif member not in seen_entries:
                    seen_entries.add(member)
                    reached.append(member)
        if parts_found:
            return min(parts_found, key=lambda c: c[0])[1]
        if totals:  # a total one step nearer, no part here either
            return min(totals, key=lambda c: c[0])[1]
        totals = totals_found
        frontier = [p for member in reached for p in tables._lines_of[member]]
        if not frontier:
            break
    return min(totals, key=lambda c: c[0])[1] if totals else None


def union(sets: Sequence[Frozen]) -> tuple[Frozen, list[np.ndarray]]:
    """Separate table sets as one (entries not shared), and where each one's entries are."""
    offsets = np.cumsum([0, *(len(t.keys) for t in sets)])
    return (
        Frozen(
            keys=[(n, key) for n, t in enumerate(sets) for key in t.keys],
            values=np.concatenate([t.values for t in sets]),
            published=np.concatenate([t.published for t in sets]),
            fixed=np.concatenate([t.fixed for t in sets]),
            hidden=np.concatenate([t.hidden for t in sets]),
            baseline=np.concatenate([t.baseline for t in sets]),
            lines=[
                (tuple(p + int(o) for p in parts), total + int(o) if total >= 0 else -1)
                for t, o in zip(sets, offsets, strict=False)
                for parts, total in t.lines
            ],
            bounds=[
                (tuple(p + int(o) for p in parts), total + int(o))
                for t, o in zip(sets, offsets, strict=False)
                for parts, total in t.bounds
            ],
        ),
        [np.arange(offsets[n], offsets[n + 1]) for n in range(len(sets))],
    )


def protect_all(sets: Sequence[Frozen], minimum: int) -> list[np.ndarray]:
    """`protect` each table set, all at once: the same result as one by one (nothing is
    shared, and the choices in one set never look at another), with a few linear programs for
    all of them instead of a few for each."""
    if not sets:
        return []
    whole, parts = union(sets)
    hidden = protect(whole, minimum)
    return [hidden[part] for part in parts]


def protect(tables: Frozen, minimum: int, *, exact: bool = True) -> np.ndarray:
    """Which entries are hidden after primary and secondary suppression (see the module
    docstring); fixed entries keep their given state. With `exact`, the attacker's linear
    program confirms every small hidden entry, adding complements until it does."""
    hidden = tables.hidden.copy()
    small = unsafe(tables.values, minimum)
    hidden |= small & tables.published & ~tables.fixed
    hidden = _by_lines(tables, hidden, small, minimum)
    if not exact:
        return hidden
    failing = np.flatnonzero(small & ~(tables.published & ~hidden) & ~tables.fixed)
    while len(failing):
        failing = np.array(
            [
                found.entry
                for found in narrow_counts(
                    tables.constraints,
                    tables.values,
                    tables.published & ~hidden,
                    failing,
                    minimum,
                    baseline=tables.fixed,
                    exact=False,
                ).narrow
            ],
            dtype=np.int64,
        )
        picks: set[int] = set()
        touched: set[int] = set()
        for entry in failing:  # one complement per line a round: one often serves many
            lines = tables._lines_of[entry]
            if touched.intersection(lines):
                continue
            pick = _complement(tables, hidden, lines)
            if pick is None:  # only empty counts left around it: one goes, the last resort
                pick = _complement(tables, hidden, lines, zeros=True)
            if pick is not None:
                picks.add(pick)
                touched.update(tables._lines_of[pick])
        if not picks:
            break  # nothing left to hide around them: the audit will say so
        hidden[list(picks)] = True
        hidden = _by_lines(tables, hidden, small, minimum)
    return hidden


def _by_lines(tables: Frozen, hidden: np.ndarray, small: np.ndarray, minimum: int) -> np.ndarray:
    """Complements until no line gives a hidden or small entry away and every line leaves at
    least the minimum unknown around a small entry (where a shown entry can still be hidden)."""
    secret = tables.published | small
    given_up: set[int] = set()
    while True:
        known, line = _close(tables, hidden, secret, given_up)
        if line < 0:
            line = _mass(tables, known, small, minimum, given_up)
        if line < 0:
            return hidden
        pick = _complement(tables, hidden, [line])
        if pick is None:
            given_up.add(line)  # nothing shown to hide around it: the audit will say so
        else:
            hidden[pick] = True


def suppress_lines(
    counts: np.ndarray, lines: Sequence[Sequence[int]], minimum: int = DEFAULT_MINIMUM
) -> np.ndarray:
    """Hidden entries (True) after primary and secondary suppression of one table on its own.

    ``counts`` are the respondents behind each entry; each line lists entries (cells and their
    total) that are tied by addition. Unsafe: 0 < count < minimum. Among the shown non-zero
    entries of a line with a single hidden entry the smallest is hidden (ties: the first
    listed), pass after pass over the lines until none has exactly one hidden entry.
    """
    counts = np.asarray(counts)
    hidden = unsafe(counts, minimum)
    arrays = [np.asarray(line, dtype=np.int64) for line in lines if len(line) > 1]
    changed = True
    while changed:
        changed = False
        for line in arrays:
            inside = hidden[line]
            if int(inside.sum()) == 1:
                shown = line[~inside & (counts[line] > 0)]
                if len(shown):
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
    """Suppression of a groups (rows) x options (columns) table of respondent counts, on its
    own (no linked table).

    With ``row_totals`` the group bases are shown, with ``column_totals`` the overall row; both
    create lines that a lone hidden cell could be recovered from.
    """
    counts = np.asarray(counts, dtype=np.int64)
    g, k = counts.shape
    tables = TableSet()
    cell = np.array(
        [[tables.entry(("cell", i, j), counts[i, j]) for j in range(k)] for i in range(g)]
    )
    rows = [tables.entry(("row", i), counts[i].sum(), published=row_totals) for i in range(g)]
    cols = [
        tables.entry(("column", j), counts[:, j].sum(), published=column_totals) for j in range(k)
    ]
    grand = tables.entry("grand", counts.sum(), published=column_totals)
    for i in range(g):
        tables.line(cell[i], rows[i])
    for j in range(k):
        tables.line(cell[:, j], cols[j])
    tables.line(cols, grand)
    tables.line(rows, grand)
    frozen = tables.frozen()
    hidden = protect(frozen, minimum, exact=False) & frozen.published
    return TableMask(
        cells=hidden[cell],
        row_totals=hidden[rows],
        column_totals=hidden[cols],
        grand_total=bool(hidden[grand]),
    )


# --- Tidy rows (one table on its own) ----------------------------------------------------------

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
    """Apply primary and secondary suppression to tidy rows, table by table, each on its own
    (the results of a wave link their tables instead: `margin`, `linked`).

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
