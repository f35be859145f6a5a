"""The vectorised engine: the counts of many responses at once, with NumPy.

Used where answers come in bulk (an import, the simulation, a recount from the database). It
carries out the same `CountPlan` as `one.count_response` and must agree with it on every count
(tests/consult/counting/test_engines_agree.py); nothing here decides what is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from consult.counting.plan import (
    ANSWERED,
    MISSING,
    PROFILE_BASE,
    Counted,
    CountPlan,
    unique_rows,
)

_NONE, _OPTION, _NUMBER, _RANK = 0, 1, 2, 3
"""How an answer code is counted (`_kind`): not at all, its option, its number, its rank."""


@dataclass(frozen=True)
class AnswerColumns:
    """Answer rows as parallel arrays: respondent index, code (an index into `names`), option
    (or -1) and number (or NaN)."""

    names: tuple[str, ...]
    respondent: np.ndarray
    code: np.ndarray
    option: np.ndarray
    number: np.ndarray

    def take(self, order: np.ndarray | slice) -> AnswerColumns:
        return AnswerColumns(
            self.names, *(a[order] for a in (self.respondent, self.code, self.option, self.number))
        )


@dataclass(frozen=True)
class Counts:
    """Counts as arrays, one row per (cell, code, value): a cell index, a code (an index into
    the plan's `names`), the value and n (a count, or a scale's sum)."""

    cell: np.ndarray
    code: np.ndarray
    value: np.ndarray
    n: np.ndarray

    @classmethod
    def empty(cls) -> Counts:
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, np.zeros(0), none)

    def __len__(self) -> int:
        return len(self.n)

    def merged(self, *others: Counts) -> Counts:
        """These counts and others added up (as parts of one wave)."""
        every = [counts for counts in (self, *others) if len(counts)]
        if len(every) <= 1:
            return every[0] if every else self
        cell, code, value, n = (
            np.concatenate(column) for column in zip(*(c.columns() for c in every), strict=True)
        )
        return _grouped(cell, code, value, n)

    def by_code(self) -> list[tuple[int, Counts]]:
        """These counts split by code (rows of different codes never add up)."""
        order = np.argsort(self.code, kind="stable")
        code = self.code[order]
        starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]).tolist() if len(code) else []
        ends = [*starts[1:], len(code)]
        return [
            (int(code[start]), Counts(*(column[order[start:end]] for column in self.columns())))
            for start, end in zip(starts, ends, strict=True)
        ]

    @classmethod
    def joined(cls, parts: list[Counts]) -> Counts:
        """Counts with no (cell, code, value) in common, side by side."""
        if not parts:
            return cls.empty()
        return cls(
            *(np.concatenate(column) for column in zip(*(p.columns() for p in parts), strict=True))
        )

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.cell, self.code, self.value, self.n

    def as_dict(self, plan: CountPlan, keys: list[str]) -> dict[tuple[str, str, float], int]:
        """{(cell key, code, value): n}, the form `queries.add_answer_counts` takes."""
        names = plan.names
        return {
            (keys[cell], names[code], value): n
            for cell, code, value, n in zip(
                self.cell.tolist(),
                self.code.tolist(),
                self.value.tolist(),
                self.n.tolist(),
                strict=True,
            )
        }


class Tally:
    """Counts of a stream of chunks added up as they come, in bounded memory: rows of different
    codes never add up, so each code's rows are merged on their own, and only once `MERGE_ROWS`
    rows wait (no merge sorts the whole wave, none runs per chunk)."""

    MERGE_ROWS = 2_000_000
    """Count rows from chunks kept before they are added up (some 64 MB), by default."""

    def __init__(self, merge_rows: int | None = None) -> None:
        self._pieces: dict[int, list[Counts]] = {}
        self._pending = 0
        self._merge_rows = merge_rows or self.MERGE_ROWS

    def add(self, counts: Counts) -> None:
        for name, part in counts.by_code():
            self._pieces.setdefault(name, []).append(part)
            self._pending += len(part)
        if self._pending > self._merge_rows:
            for kept in self._pieces.values():
                kept[:] = [kept[0].merged(*kept[1:])]
            self._pending = 0

    def total(self) -> Counts:
        """Every chunk's counts added up, ordered by code."""
        return Counts.joined(
            [self._pieces[name][0].merged(*self._pieces[name][1:]) for name in sorted(self._pieces)]
        )


COUNTED = 1_000
"""Respondents counted at once by `count_sliced`: the engine's arrays take some 25 KB per
respondent of a national question set (its profiles and scale sums), so a slice takes 25 MB."""


def count_sliced(
    plan: CountPlan, columns: AnswerColumns, cell_of: np.ndarray, tally: Tally
) -> None:
    """Count `columns` (their respondents in increasing order) into `tally`, `COUNTED`
    respondents at a time, so that memory stays flat however many a chunk holds."""
    respondents = len(cell_of)
    bounds = np.searchsorted(
        columns.respondent, np.arange(0, respondents + COUNTED, COUNTED)
    ).tolist()
    for start, lo, hi in zip(range(0, respondents, COUNTED), bounds, bounds[1:], strict=False):
        part = columns.take(slice(lo, hi))
        local = AnswerColumns(
            part.names, part.respondent - start, part.code, part.option, part.number
        )
        tally.add(count_columns(plan, local, cell_of[start : start + COUNTED]))


def count_columns(plan: CountPlan, columns: AnswerColumns, cell_of: np.ndarray) -> Counts:
    """The counts of the respondents whose answers `columns` holds (respondent i in cell
    `cell_of[i]`), as `one.count_response` counts each of them."""
    cell_of = np.asarray(cell_of, dtype=np.int64)
    respondents = len(cell_of)
    index = {name: i for i, name in enumerate(plan.names)}
    rules = [plan.counted.get(name) for name in columns.names]
    kind = np.array([_kind(rule) for rule in rules], dtype=np.int8)[columns.code]
    out = np.array([index.get(name, -1) for name in columns.names], dtype=np.int64)
    has_option = columns.option >= 0
    has_number = ~np.isnan(columns.number)
    cell = cell_of[columns.respondent]
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = []

    chosen = (kind == _OPTION) & has_option
    parts.append(
        (cell[chosen], out[columns.code[chosen]], columns.option[chosen].astype(float), None)
    )
    numbers = (kind == _NUMBER) & has_number
    parts.append((cell[numbers], out[columns.code[numbers]], columns.number[numbers], None))

    ranked = (kind == _RANK) & has_option & has_number
    if ranked.any():
        width = int(columns.option[ranked].max()) + 1
        table = sorted(
            (code * width + option, index[name])
            for code, rule in enumerate(rules)
            if rule is not None
            for option, name in rule.ranks
            if option < width
        )
        keys = np.array([key for key, _ in table], dtype=np.int64)
        names = np.array([name for _, name in table], dtype=np.int64)
        wanted = columns.code[ranked].astype(np.int64) * width + columns.option[ranked]
        at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        known = keys[at] == wanted if len(keys) else np.zeros(len(wanted), dtype=bool)
        parts.append(
            (
                cell[ranked][known],
                names[at[known]],
                columns.number[ranked][known].astype(float),
                None,
            )
        )

    answers = np.array([bool(rule and rule.answered) for rule in rules], dtype=bool)
    ticked = chosen & answers[columns.code]
    if ticked.any():
        pairs, _, _ = unique_rows(columns.code[ticked], columns.respondent[ticked])
        parts.append(
            (
                cell_of[pairs[:, 1]],
                out[pairs[:, 0]],
                np.full(len(pairs), ANSWERED, dtype=float),
                None,
            )
        )

    options = _options_by_code(plan, columns, respondents)
    for profile in plan.profiles:
        value = np.zeros(respondents, dtype=np.int64)
        for position, (item, groups) in enumerate(zip(profile.items, profile.groups, strict=True)):
            option = options[item]
            state = np.where(option >= 0, 1, 0)
            for j, codes in enumerate(groups):
                state = np.where(np.isin(option, codes), 2 + j, state)
            value += state * PROFILE_BASE**position
        kept = value > 0
        parts.append(
            (
                cell_of[kept],
                np.full(int(kept.sum()), index[profile.code], dtype=np.int64),
                value[kept].astype(float),
                None,
            )
        )
    size = int(cell_of.max(initial=-1)) + 1
    for scale in plan.scales:
        answers_ = np.column_stack([options[row] for row in scale.rows])
        on_scale = np.all(answers_ >= 0, axis=1) & ~np.any(
            np.isin(answers_, scale.excluded), axis=1
        )
        cells = cell_of[on_scale]
        present = np.flatnonzero(np.bincount(cells, minlength=size))
        if not len(present):
            continue
        sums = []
        for rows in scale.moments:
            total = np.zeros(size, dtype=np.int64)
            np.add.at(total, cells, np.prod(answers_[on_scale][:, list(rows)], axis=1))
            sums.append(total[present])
        k = len(scale.moments)
        # One row per moment for every cell with a respondent on the scale, zero sums too.
        parts.append(
            (
                np.repeat(present, k),
                np.full(len(present) * k, index[scale.code], dtype=np.int64),
                np.tile(np.arange(k, dtype=float), len(present)),
                np.column_stack(sums).reshape(-1),
            )
        )
    cell, code, value = (np.concatenate([part[i] for part in parts]) for i in range(3))
    n = np.concatenate(
        [np.ones(len(part[0]), dtype=np.int64) if part[3] is None else part[3] for part in parts]
    )
    return _grouped(cell, code, value, n)


def _kind(rule: Counted | None) -> int:
    if rule is None:
        return _NONE
    if rule.ranks:
        return _RANK
    return _OPTION if rule.value == "option" else _NUMBER


def _options_by_code(
    plan: CountPlan, columns: AnswerColumns, respondents: int
) -> dict[str, np.ndarray]:
    """Per code that profiles and scales read, each respondent's option (the largest it gave;
    MISSING when none)."""
    position = {name: i for i, name in enumerate(columns.names)}
    found = {}
    wanted = [code for code in plan.optioned if code in position]
    if wanted:
        mine = np.isin(columns.code, [position[code] for code in wanted]) & (columns.option >= 0)
        codes, who, option = columns.code[mine], columns.respondent[mine], columns.option[mine]
        order = np.argsort(codes, kind="stable")
        codes, who, option = codes[order], who[order], option[order]
        bounds = np.searchsorted(codes, [position[code] for code in wanted], side="left")
        ends = np.searchsorted(codes, [position[code] for code in wanted], side="right")
        for code, lo, hi in zip(wanted, bounds.tolist(), ends.tolist(), strict=True):
            values = np.full(respondents, MISSING, dtype=np.int64)
            np.maximum.at(values, who[lo:hi], option[lo:hi].astype(np.int64))
            found[code] = values
    for code in plan.optioned:
        if code not in found:
            found[code] = np.full(respondents, MISSING, dtype=np.int64)
    return found


def _grouped(cell: np.ndarray, code: np.ndarray, value: np.ndarray, n: np.ndarray) -> Counts:
    """Rows with the same (cell, code, value) summed."""
    if not len(cell):
        return Counts.empty()
    values, value_index = np.unique(value, return_inverse=True)
    rows, inverse, _ = unique_rows(cell, code, value_index.reshape(-1))
    totals = np.zeros(len(rows), dtype=np.int64)
    np.add.at(totals, inverse, n)
    return Counts(rows[:, 0], rows[:, 1], values[rows[:, 2]], totals)


def cell_keys(
    plan: CountPlan, columns: AnswerColumns, respondents: int
) -> tuple[np.ndarray, list[str]]:
    """Each respondent's cell index and the keys of those cells (as `one.cell_key` for each
    response), the keys in increasing order of their parts."""
    position = {name: i for i, name in enumerate(columns.names)}
    parts = []
    for demographic in plan.demographics:
        part = np.full(respondents, MISSING, dtype=np.int64)
        if demographic.value is not None and demographic.code in position:
            rows = columns.code == position[demographic.code]
            if demographic.value == "option":
                rows &= columns.option >= 0
                values = columns.option[rows].astype(np.int64)
            else:
                rows &= ~np.isnan(columns.number)
                values = np.rint(columns.number[rows]).astype(np.int64)
            # Reversed, so that the first answer under the code is the one assigned last.
            part[columns.respondent[rows][::-1]] = values[::-1]
        parts.append(part)
    if not parts:
        return np.zeros(respondents, dtype=np.int64), [""]
    unique, inverse = np.unique(np.column_stack(parts), axis=0, return_inverse=True)
    return inverse.reshape(-1), ["|".join(str(int(v)) for v in row) for row in unique]
