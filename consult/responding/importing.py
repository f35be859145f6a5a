"""Importing complete responses from a CSV file (panel data, tests, ODK and KoboToolbox exports):
all or nothing.

One row per respondent, one column per answer code (battery rows have their own codes). A value
is an option code, a choice name or a label (`surveys.options`); a multiple-choice answer is its
options joined by ';' (or by spaces, as ODK and KoboToolbox write choice names), a ranking its
options in rank order the same way. An export of ODK or KoboToolbox imports as it is
(`surveys.exported`): group paths before a question's name, metadata columns (ignored, never
stored), multiple choices split into a column per option, ';' as delimiter. Every bad row and
column is reported; nothing is stored unless the whole file is valid.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult.counting.one import cell_key, count_response
from consult.counting.plan import plan_of
from consult.counting.queries import add_answer_counts
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.responding import queries
from surveys.exported import TICKED, UNTICKED, delimiter_of, read_column
from surveys.expressions import evaluate
from surveys.messages import render
from surveys.model import AnswerCell, Item, QuestionSet, Value
from surveys.types import Fields, answers_from_cells, parse_page, question_type

MAX_PROBLEMS = 200


class ResponseImportError(ValueError):
    """The file cannot be imported; `problems` lists every reason with its row and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems


@dataclass(frozen=True)
class CompleteResponse:
    """One respondent's answers, ready to store as a complete response."""

    cell: str
    cells: list[AnswerCell]


@dataclass(frozen=True)
class ReadFile:
    """Every response of a valid file, and notes on the columns that were left out."""

    responses: list[CompleteResponse]
    notes: list[str]


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


def _form_for(
    item: Item, values: Mapping[str, str], layout: _Layout, number: int, problems: list[str]
) -> Fields:
    """The web form fields that would have carried this row's answer to `item`; each value that
    names no option is a problem."""
    form: Fields = {}
    kind = question_type(item)
    for code in item.answer_codes:
        raw = values.get(code, "")
        fields, messages = kind.read_exported(item, code, raw)
        problems.extend(
            f"row {number}, column {layout.column_of(code)}: '{raw.strip()}': {render(m, 'en')}"
            for m in messages
        )
        form.update(fields)
    return form


def read_responses(question_set: QuestionSet, text: str) -> ReadFile:
    """Parse and validate the whole file; raise with every problem, or return every response."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter_of(text))
    header = next(reader, [])
    layout = _Layout(question_set, header)
    problems = list(layout.problems)
    items = [item for item in question_set.all_items() if item.answer_codes]
    relaxed = [dataclasses.replace(item, required=False) for item in items]
    responses: list[CompleteResponse] = []
    for number, row in enumerate(reader, start=2):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"stopped after {MAX_PROBLEMS} problems")
            break
        if not row:
            continue
        if len(row) > len(header):
            problems.append(f"row {number}: more values than columns")
            continue
        values: dict[str, str] = {}
        for column, value in zip(layout.columns, row, strict=False):
            if column.code is not None:
                values.setdefault(column.code, value)
        split, split_problems = _split_answers(layout, row, number)
        values.update(split)
        problems.extend(split_problems)
        form: Fields = {}
        for item in items:
            form.update(_form_for(item, values, layout, number, problems))
        parsed = parse_page(question_set, relaxed, form)
        for code, message in parsed.errors.items():
            shown = values.get(code) or ";".join(
                f"{r.code}={values.get(r.code, '')}" for r in question_set.item(code).rows
            )
            problems.append(
                f"row {number}, column {layout.column_of(code)}: '{shown}': {render(message, 'en')}"
            )
        answers = answers_from_cells(question_set, parsed.cells)
        problems.extend(
            f"row {number}, column {layout.column_of(code)}: answered, but not shown to this "
            "respondent"
            for code in _hidden_answers(question_set, answers)
        )
        responses.append(
            CompleteResponse(cell_key(plan_of(question_set), parsed.cells), parsed.cells)
        )
    if problems:
        raise ResponseImportError(problems)
    return ReadFile(responses, layout.notes)


def _hidden_answers(question_set: QuestionSet, answers: Mapping[str, Value]) -> list[str]:
    """Answer codes given to items whose page or own condition hides them."""
    hidden: list[str] = []
    for page in question_set.pages:
        page_shown = evaluate(page.show_if, answers) if page.show_if else True
        for item in page.items:
            shown = page_shown and (evaluate(item.show_if, answers) if item.show_if else True)
            if not shown:
                hidden.extend(code for code in item.answer_codes if code in answers)
    return hidden


def import_responses(session: Session, wave: Wave, text: str, today: dt.date) -> ImportResult:
    """Store every row as a complete response of `wave`, with its counts; all or nothing."""
    question_set = question_set_of(wave.question_set_version)
    read = read_responses(question_set, text)
    responses = read.responses
    plan = plan_of(question_set)
    counts: Counter[tuple[str, str, float]] = Counter()
    for response in responses:
        for (code, value), n in count_response(plan, response.cells).items():
            counts[(response.cell, code, value)] += n
    queries.insert_complete_responses(
        session, wave, [(r.cell, r.cells) for r in responses], today, language="nl"
    )
    respondents = Counter(response.cell for response in responses)
    add_answer_counts(session, wave, respondents, counts)
    return ImportResult(len(responses), read.notes)
