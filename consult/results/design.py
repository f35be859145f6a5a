"""Weighted results of a wave: the database's counts handed to `analysis` as arrays.

The design is every complete response of the wave; weights come from raking the weighting cells
to the wave's population margins. Every figure reads counts kept in `answer_count` as
responses complete: single items their own code, the acceptance summary its profiles and the
scales their sums (`consult.counting`). Only subgroups by a question that is not a weighting
variable read the answers, in one grouped pass per report (`WaveDesign.subgroup_table`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from sqlalchemy.orm import Session

from analysis import (
    Cells,
    Grouped,
    Weights,
    rake,
)
from consult.counting import queries as counts
from consult.counting.plan import (
    counted_value,
    parse_cell_key,
    plan_of,
)
from consult.models import Wave
from consult.organizing.margins import Unlisted, parse_margins, unlisted_answers
from consult.organizing.question_sets import question_set_of
from consult.results import queries
from surveys.model import Item, QuestionSet
from surveys.types import Answer, question_type

Mode = Literal["calibrated", "fixed", "unweighted"]


def single_choice(item: Item) -> bool:
    """One option code under the item's own code: shares of its options, and subgroups."""
    kind = question_type(item)
    return kind.answer is Answer.OPTION and not kind.per_row


def numeric(item: Item) -> bool:
    """Its answers are numbers, counted and reported as such (means)."""
    return question_type(item).answer is Answer.NUMBER


def _multiple_choice(item: Item) -> bool:
    return question_type(item).answer is Answer.OPTIONS


def reported(item: Item) -> bool:
    """Items with figures are the counted ones; texts and info have none."""
    return counted_value(item) is not None


def belongs_to(item: Item, code: str) -> bool:
    """A figure's code is the item's own, a battery row's, or a ranking's `ITEM.option`."""
    return code == item.code or code in item.answer_codes or code.startswith(item.code + ".")


class ResultsError(ValueError):
    """The wave cannot be analysed yet (no responses, no margins...); the message says why."""


@dataclass(frozen=True)
class WaveFacts:
    """What a wave's figures say about it, read once: kept figures outlive the session that
    loaded the wave (a database object would be detached by then)."""

    id: int
    slug: str
    consultation: str
    version: int
    min_cell_size: int
    margins: str | None

    @classmethod
    def of(cls, wave: Wave) -> WaveFacts:
        return cls(
            wave.id,
            wave.slug,
            wave.consultation.slug,
            wave.question_set_version.number,
            wave.min_cell_size,
            wave.margins,
        )


@dataclass
class WaveDesign:
    """A wave's weighting cells and weights, with the counts tables read so far."""

    wave: WaveFacts
    question_set: QuestionSet
    cells: Cells
    weights: Weights
    mode: Mode
    cell_index: dict[str, int]
    cell_ids: np.ndarray
    """The database id of each cell, in increasing order."""
    outside_margins: tuple[Unlisted, ...] = ()
    """Answers to the weighting questions that respondents gave and the margins do not list:
    kept at their sample share (for the weighting diagnostics)."""
    _tables: dict[tuple[str, ...], Grouped] = field(default_factory=dict)
    _subgroup_tables: dict[tuple[str, str], Grouped] = field(default_factory=dict)
    _subgroups_read: set[str] = field(default_factory=set)
    masks: dict[object, object] = field(default_factory=dict)
    """What of its tables may be published (`results.disclosure`), kept with the design: the
    same counts give the same suppression, so it is worked out once per state of the counts."""

    def read_counts(self, session: Session, codes: Sequence[str]) -> None:
        """Read the kept counts of some codes into the design's tables."""
        wanted = [code for code in dict.fromkeys(codes) if (code,) not in self._tables]
        whole = {code for code in wanted if not self._numeric(code)}
        found = counts.answer_count_arrays(session, self._wave(session), wanted, whole)
        for code, rows in found.items():
            values = rows[:, 1]
            self._tables[(code,)] = Grouped(
                cell=np.searchsorted(self.cell_ids, rows[:, 0].astype(np.int64)),
                keys={code: values if self._numeric(code) else values.astype(np.int64)},
                counts=rows[:, 2].astype(np.int64),
            )

    def _wave(self, session: Session) -> Wave:
        """The wave in this session (the design may have been loaded in another)."""
        wave = session.get(Wave, self.wave.id)
        if wave is None:
            raise ResultsError(f"wave {self.wave.slug} has been deleted")
        return wave

    def _numeric(self, code: str) -> bool:
        """Numbers and ranks (`ITEM.option`) are counted as numbers; option codes and profile
        numbers (`~...`) as integers."""
        if code.startswith("~"):
            return False
        if not self.question_set.has_answer_code(code):
            return True
        return numeric(self.question_set.owner_of(code))

    def item_table(self, session: Session, code: str) -> Grouped:
        """One code's counts per cell and value, from the counts kept as responses complete."""
        self.read_counts(session, [code])
        return self._tables[(code,)]

    def joint_table(self, session: Session, codes: tuple[str, ...]) -> Grouped:
        """Joint counts of several codes (everyone who answered at least one of them)."""
        cached = self._tables.get(codes)
        if cached is not None:
            return cached
        numeric = [self._numeric(code) for code in codes]
        rows = queries.joint_answer_counts(session, self._wave(session), codes, numeric)
        keys: dict[str, np.ndarray] = {}
        for index, (code, is_number) in enumerate(zip(codes, numeric, strict=True)):
            column = [row[index + 1] for row in rows]
            keys[code] = (
                np.array([math.nan if v is None else v for v in column], dtype=np.float64)
                if is_number
                else np.array(column, dtype=np.int64)
            )
        table = Grouped(
            cell=np.array([self.cell_index[row[0]] for row in rows], dtype=np.int64),
            keys=keys,
            counts=np.array([row[-1] for row in rows], dtype=np.int64),
        )
        self._tables[codes] = table
        return table

    def subgroup_table(self, session: Session, code: str, by: str) -> Grouped:
        """Counts of `code` (an answer code, or `ITEM.option` for a rank) by the answers to `by`, a
        question that is not a weighting variable, among respondents who answered both (the only
        ones any figure by `by` is about). Shaped like the kept counts, with `by` as a second key.

        The first call for `by` reads them for every item of the report in one grouped pass over
        the answers."""
        if by not in self._subgroups_read:
            items = [item for item in self.question_set.all_items() if reported(item)]
            ranked = {item.code for item in items if question_type(item).answer is Answer.ORDER}
            # Each table's code gets a number; a ranking's option picks its `ITEM.option` code.
            names = [
                name
                for item in items
                for name in (
                    [f"{item.code}.{choice.code}" for choice in item.choices]
                    if item.code in ranked
                    else item.answer_codes
                )
            ]
            number = {name: index for index, name in enumerate(names)}
            numbers = {code for item in items if numeric(item) for code in item.answer_codes}
            parts = [
                np.array(
                    [
                        (
                            number[f"{code}.{option}" if code in ranked else code],
                            self.cell_index[cell],
                            group,
                            numeral if code in ranked or code in numbers else option,
                            n,
                        )
                        for code, cell, group, option, numeral, n in part
                    ],
                    dtype=np.float64,
                ).reshape(-1, 5)
                for part in queries.answer_counts_by_question(
                    session,
                    self._wave(session),
                    by,
                    [code for item in items for code in item.answer_codes],
                    multiple=[item.code for item in items if _multiple_choice(item)],
                )
            ]
            rows = np.concatenate([np.zeros((0, 5)), *parts])
            rows = rows[np.argsort(rows[:, 0], kind="stable")]
            bounds = np.searchsorted(rows[:, 0], np.arange(len(names) + 1))
            for index, name in enumerate(names):
                table = rows[bounds[index] : bounds[index + 1]]
                keys: dict[str, np.ndarray] = {by: table[:, 2].astype(np.int64)}
                if name != by:
                    keys[name] = (
                        table[:, 3] if self._numeric(name) else table[:, 3].astype(np.int64)
                    )
                self._subgroup_tables[(name, by)] = Grouped(
                    cell=table[:, 1].astype(np.int64),
                    keys=keys,
                    counts=table[:, 4].astype(np.int64),
                )
            self._subgroups_read.add(by)
        empty = np.zeros(0, dtype=np.int64)
        return self._subgroup_tables.get(
            (code, by), Grouped(cell=empty, keys={code: empty, by: empty}, counts=empty)
        )


def _respondents_per_answer(cells: Cells) -> dict[str, dict[int, int]]:
    """Respondents per answer of each weighting question, from the cells."""
    out: dict[str, dict[int, int]] = {}
    for variable in cells.variables:
        codes, where = np.unique(cells.column(variable), return_inverse=True)
        totals = np.bincount(where.reshape(-1), weights=cells.counts, minlength=len(codes))
        out[variable] = {int(c): int(t) for c, t in zip(codes, totals, strict=True)}
    return out


def load_design(session: Session, wave: Wave, mode: Mode = "calibrated") -> WaveDesign:
    """The design of a wave: its cells from the database, raked to its margins."""
    question_set = question_set_of(wave.question_set_version)
    if wave.counts_fingerprint != plan_of(question_set).fingerprint():
        raise ResultsError(
            f"the counts of wave {wave.slug} follow another counting rule than this version of "
            f"Consult; `consult report --wave {wave.slug}` recounts them first"
        )
    variables = tuple(item.code for item in question_set.weighting_variables())
    rows = counts.design_cells(session, wave)
    if not rows:
        raise ResultsError(f"wave {wave.slug} has no complete responses yet")
    cells = Cells(
        variables=variables,
        categories=np.array([parse_cell_key(key) for _, key, _ in rows], dtype=np.int64).reshape(
            len(rows), len(variables)
        ),
        counts=np.array([n for _, _, n in rows], dtype=np.int64),
    )
    outside_margins: tuple[Unlisted, ...] = ()
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
        # sample share: the engine's rule for refused demographics. The diagnostics name them.
        unlisted = unlisted_answers(question_set, margins, _respondents_per_answer(cells))
        outside_margins = tuple(answer for answer in unlisted if answer.respondents > 0)
        weights = rake(cells, margins, refused={answer.choice.code for answer in unlisted})
    return WaveDesign(
        WaveFacts.of(wave),
        question_set,
        cells,
        weights,
        mode,
        cell_index={key: i for i, (_, key, _) in enumerate(rows)},
        cell_ids=np.array([id_ for id_, _, _ in rows], dtype=np.int64),
        outside_margins=outside_margins,
    )
