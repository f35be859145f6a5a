"""Importing complete responses from a CSV file (panel data, tests, ODK and KoboToolbox exports):
all or nothing.

One row per respondent, one column per answer code (battery rows have their own codes). A value
is an option code, a choice name or a label (`surveys.options`); a multiple-choice answer is its
options joined by ';' (or by spaces, as ODK and KoboToolbox write choice names), a ranking its
options in rank order the same way. An export of ODK or KoboToolbox imports as it is
(`surveys.exported`): group paths before a question's name, metadata columns (ignored, never
stored), multiple choices split into a column per option, ';' as delimiter. Every bad row and
column is reported (up to a limit; the rest counted); nothing is stored unless the whole file is
valid.

The file is read, checked, stored and counted a chunk of rows at a time, in one pass and one
transaction: memory stays bounded at a million rows, and each distinct answer of an item is read
once (a national file repeats a few option codes millions of times).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from sqlalchemy.orm import Session

from consult.counting.many import AnswerColumns, Tally, count_sliced
from consult.counting.one import cell_key
from consult.counting.plan import plan_of
from consult.counting.queries import add_count_arrays
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.progress import SILENT, Progress, stage
from consult.responding import queries
from surveys.exported import TICKED, UNTICKED, delimiter_of, read_column
from surveys.expressions import Expr, evaluate
from surveys.messages import render
from surveys.model import AnswerCell, Item, QuestionSet, Value
from surveys.types import Fields, answers_from_cells, parse_page, question_type

MAX_PROBLEMS = 200
"""Problems listed by default; the others are counted."""

NAN = float("nan")


class ResponseImportError(ValueError):
    """The file cannot be imported; `problems` lists the reasons with their row and column,
    `more` counts those left out of the list (beyond the cap)."""

    def __init__(self, problems: list[str], more: int = 0) -> None:
        super().__init__(f"{len(problems) + more} problem(s); nothing was imported")
        self.problems = problems
        self.more = more


@dataclass(frozen=True)
class ImportResult:
    """How many responses were stored, and the notes on the file's columns."""

    imported: int
    notes: list[str]


def _listed(count: int, singular: str, plural: str, headers: Sequence[str]) -> str:
    return f"{count} {singular if count == 1 else plural} ignored: {', '.join(headers)}"


class _Layout:
    """What the header row says: which column holds which answer, and what is left out."""

    def __init__(self, question_set: QuestionSet, header: list[str]) -> None:
        self.columns = [read_column(question_set, name) for name in header]
        self.problems = [
            f"column '{column.header}': not an answer code of {question_set.wave}"
            for column in self.columns
            if not column.known
        ]
        if not header:
            self.problems.append("the file is empty: the first row must name the answer codes")
        #: The header of the column holding each answer code (for problems).
        self.header_of: dict[str, str] = {}
        first: dict[str, str] = {}
        for column in self.columns:
            key = column.code
            if column.option is not None and column.item is not None:
                key = f"option {column.option.code} of {column.item.code}"
            if key is None:
                continue
            if key in first:
                self.problems.append(
                    f"the header names {key} twice: columns '{first[key]}' and '{column.header}'"
                )
            first.setdefault(key, column.header)
            if column.code is not None:
                self.header_of.setdefault(column.code, column.header)
        # A column per option is read only when the file has no joined column for the item.
        self.split = [
            (index, column)
            for index, column in enumerate(self.columns)
            if column.item is not None and column.item.code not in self.header_of
        ]
        repeated = [
            column.header
            for column in self.columns
            if column.item is not None and column.item.code in self.header_of
        ]
        metadata = [column.header for column in self.columns if column.metadata]
        self.notes = []
        if metadata:
            self.notes.append(
                _listed(len(metadata), "metadata column", "metadata columns", metadata)
            )
        if repeated:
            self.notes.append(
                _listed(len(repeated), "option column", "option columns", repeated)
                + " (the same answers as their multiple-choice columns)"
            )

    def column_of(self, code: str) -> str:
        return self.header_of.get(code, code)


def _split_answers(
    layout: _Layout, row: Sequence[str], number: int
) -> tuple[dict[str, str], list[str]]:
    """The multiple-choice answers of columns split per option, as codes joined by ';'."""
    ticked: dict[str, list[str]] = {}
    problems: list[str] = []
    for index, column in layout.split:
        if column.item is None or column.option is None:
            continue
        raw = row[index].strip() if index < len(row) else ""
        ticks = ticked.setdefault(column.item.code, [])
        if raw.lower() in TICKED:
            ticks.append(str(column.option.code))
        elif raw.lower() not in UNTICKED:
            problems.append(
                f"row {number}, column {column.header}: '{raw}': a ticked option is 1, "
                "an option not ticked 0 or empty"
            )
    return {code: ";".join(codes) for code, codes in ticked.items()}, problems


@dataclass(frozen=True)
class _ItemReading:
    """What one item's raw values in a row become (the same for every row with those values):
    the answer cells, the answers the conditions read, and the problems, each as (column, text)
    to be prefixed with the row."""

    cells: tuple[AnswerCell, ...]
    answers: tuple[tuple[str, Value], ...]
    problems: tuple[tuple[str, str], ...]


CACHED_READINGS = 5_000
"""Readings kept per item: option answers repeat a few values over and over (each read once);
texts and numbers may not, so their cache is emptied when it is full (memory stays bounded)."""


class _RowReader:
    """Reads a row into answer cells and problems, each distinct answer of an item once."""

    def __init__(self, question_set: QuestionSet, layout: _Layout) -> None:
        self.question_set = question_set
        self.layout = layout
        # Required items are not required here: an unanswered question is a skip. A battery's
        # rows are read one by one (each row's answer stands on its own once nothing is
        # required), so that each row's few distinct answers are each read once.
        self.items: list[tuple[Item, tuple[str, ...]]] = []
        for item in question_set.all_items():
            relaxed = dataclasses.replace(item, required=False)
            if question_type(item).per_row:
                for row in item.rows:
                    self.items.append((dataclasses.replace(relaxed, rows=(row,)), (row.code,)))
            elif item.answer_codes:
                self.items.append((relaxed, item.answer_codes))
        self.readings: list[dict[tuple[str, ...], _ItemReading]] = [{} for _ in self.items]
        self.shown_cache: dict[tuple[Expr, tuple[Value | None, ...]], bool] = {}
        self.references: dict[Expr, tuple[str, ...]] = {}
        self.conditional = [
            (page.show_if, item.show_if, item.answer_codes)
            for page in question_set.pages
            for item in page.items
            if item.answer_codes and (page.show_if is not None or item.show_if is not None)
        ]
        self.header_width = len(layout.columns)
        self.coded = [
            (index, column.code) for index, column in enumerate(layout.columns) if column.code
        ]

    def read(self, row: Sequence[str], number: int) -> tuple[list[AnswerCell], list[str]]:
        if len(row) > self.header_width:
            return [], [f"row {number}: more values than columns"]
        values: dict[str, str] = {}
        for index, code in self.coded:
            if index < len(row):
                values.setdefault(code, row[index])
        problems: list[str] = []
        if self.layout.split:
            split, problems = _split_answers(self.layout, row, number)
            values.update(split)
        cells: list[AnswerCell] = []
        answers: dict[str, Value] = {}
        for (item, codes), readings in zip(self.items, self.readings, strict=True):
            raw = tuple([values.get(code, "") for code in codes])
            reading = readings.get(raw)
            if reading is None:
                if len(readings) >= CACHED_READINGS:
                    readings.clear()
                reading = readings[raw] = self._reading(item, codes, values)
            cells += reading.cells
            answers.update(reading.answers)
            if reading.problems:
                problems += [
                    f"row {number}, column {column}: {text}" for column, text in reading.problems
                ]
        if self.conditional and answers:
            problems.extend(
                f"row {number}, column {self.layout.column_of(code)}: answered, but not shown "
                "to this respondent"
                for code in self._hidden(answers)
            )
        return cells, problems

    def _reading(
        self, item: Item, codes: tuple[str, ...], values: Mapping[str, str]
    ) -> _ItemReading:
        layout, question_set = self.layout, self.question_set
        problems: list[tuple[str, str]] = []
        form: Fields = {}
        kind = question_type(item)
        for code in codes:
            raw = values.get(code, "")
            fields, messages = kind.read_exported(item, code, raw)
            problems.extend(
                (layout.column_of(code), f"'{raw.strip()}': {render(m, 'en')}") for m in messages
            )
            form.update(fields)
        parsed = parse_page(question_set, [item], form)
        for code, message in parsed.errors.items():
            if kind.per_row:  # one row of a battery: its own column
                code = codes[0]
                shown = values.get(code, "")
            else:
                shown = values.get(code) or ";".join(
                    f"{r.code}={values.get(r.code, '')}" for r in question_set.item(code).rows
                )
            problems.append((layout.column_of(code), f"'{shown}': {render(message, 'en')}"))
        answers = answers_from_cells(question_set, parsed.cells)
        return _ItemReading(tuple(parsed.cells), tuple(answers.items()), tuple(problems))

    def _shown(self, expression: Expr, answers: Mapping[str, Value]) -> bool:
        """Whether a condition holds: evaluated once per distinct answers it reads."""
        references = self.references.get(expression)
        if references is None:
            references = self.references[expression] = tuple(sorted(expression.references()))
        key = (expression, tuple(answers.get(code) for code in references))
        shown = self.shown_cache.get(key)
        if shown is None:
            if len(self.shown_cache) >= CACHED_READINGS:
                self.shown_cache.clear()
            shown = self.shown_cache[key] = bool(evaluate(expression, answers))
        return shown

    def _hidden(self, answers: Mapping[str, Value]) -> list[str]:
        """Answer codes given to items whose page or own condition hides them."""
        hidden: list[str] = []
        for page_if, item_if, codes in self.conditional:
            given = [code for code in codes if code in answers]
            if not given:
                continue
            shown = (page_if is None or self._shown(page_if, answers)) and (
                item_if is None or self._shown(item_if, answers)
            )
            if not shown:
                hidden.extend(given)
        return hidden


def rows_of(file: TextIO) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator over the other rows of a CSV file (its delimiter guessed
    from the first line), read as they come."""
    first = file.readline().lstrip("\ufeff")
    delimiter = delimiter_of(first)
    reader = csv.reader(itertools.chain([first], file), delimiter=delimiter)
    return next(reader, []), reader


CHUNK = 5_000
"""Rows checked and stored at once (their answers: a few MB)."""


class _Store:
    """Stores and counts the checked rows of an import a chunk at a time, in the caller's
    transaction: answers through the driver's bulk path, counts with the vectorised engine
    (`counting.many`), added up across chunks and written at the end."""

    def __init__(self, session: Session, wave: Wave, question_set: QuestionSet, today: dt.date):
        self.session, self.wave, self.today = session, wave, today
        self.plan = plan_of(question_set)
        self.names = tuple(dict.fromkeys(c.code for c in self.plan.codes))
        self.index = {name: i for i, name in enumerate(self.names)}
        self.keys: dict[str, int] = {}
        self.tally = Tally(merge_rows=500_000)
        self.respondents: Counter[str] = Counter()
        self.stored = 0

    def add(self, responses: list[tuple[str, list[AnswerCell]]]) -> None:
        if not responses:
            return
        ids = queries.reserve_response_ids(self.session, len(responses))
        cells = [cell for cell, _ in responses]
        queries.copy_complete_responses(
            self.session, self.wave, ids, cells, self.today, language="nl"
        )
        queries.copy_answers(
            self.session,
            (
                (id_, a.code, a.option, a.number, a.text)
                for id_, (_, answers) in zip(ids, responses, strict=True)
                for a in answers
            ),
        )
        who, code, option, number = [], [], [], []
        index = self.index
        for i, (_, answers) in enumerate(responses):
            for a in answers:
                at = index.get(a.code)
                if at is not None:
                    who.append(i)
                    code.append(at)
                    option.append(-1 if a.option is None else a.option)
                    number.append(NAN if a.number is None else a.number)
        columns = AnswerColumns(
            self.names,
            np.array(who, dtype=np.int64),
            np.array(code, dtype=np.int64),
            np.array(option, dtype=np.int64),
            np.array(number, dtype=np.float64),
        )
        del who, code, option, number
        cell_of = np.array(
            [self.keys.setdefault(cell, len(self.keys)) for cell in cells], dtype=np.int64
        )
        count_sliced(self.plan, columns, cell_of, self.tally)
        self.respondents.update(cells)
        self.stored += len(responses)

    def finish(self) -> None:
        """Add the counts of every stored response to the wave's."""
        add_count_arrays(
            self.session,
            self.wave,
            dict(self.respondents),
            list(self.keys),
            self.plan.names,
            self.tally.total(),
        )


def import_responses(
    session: Session,
    wave: Wave,
    file: TextIO,
    today: dt.date,
    *,
    max_problems: int = MAX_PROBLEMS,
    progress: Progress = SILENT,
    rows: int | None = None,
) -> ImportResult:
    """Store every row of a CSV file as a complete response of `wave`, with its counts, a chunk
    at a time (memory stays bounded whatever the file's size).

    All or nothing: rows are stored in the caller's transaction as they are checked; after the
    first problem nothing more is stored and every row is still checked, and any problem raises
    `ResponseImportError`, so the caller rolls everything back. The first `max_problems`
    problems are listed, the others counted. `rows` (how many the file has, about) sizes the
    progress bar."""
    question_set = question_set_of(wave.question_set_version)
    header, reader = rows_of(file)
    layout = _Layout(question_set, header)
    problems = list(layout.problems)
    more = 0
    row_reader = _RowReader(question_set, layout)
    plan = plan_of(question_set)
    store = _Store(session, wave, question_set, today)
    chunk: list[tuple[str, list[AnswerCell]]] = []
    number = counted = 1
    with stage(progress, "import", rows):
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            cells, found = row_reader.read(row, number)
            if found:
                room = max(max_problems - len(problems), 0)
                problems.extend(found[:room])
                more += len(found) - min(room, len(found))
                chunk.clear()
            elif not problems:
                chunk.append((cell_key(plan, cells), cells))
                if len(chunk) >= CHUNK:
                    store.add(chunk)
                    chunk.clear()
            if number % 1000 == 0:
                progress.advance(number - counted)
                counted = number
        progress.advance(max(number - counted, 0))
        if problems:
            raise ResponseImportError(problems, more)
        store.add(chunk)
    with stage(progress, "counts", None):
        store.finish()
    return ImportResult(store.stored, layout.notes)
