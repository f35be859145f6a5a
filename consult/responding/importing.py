"""Importing complete responses from a CSV file (panel data, tests): all or nothing.

One row per respondent, one column per answer code (battery rows have their own codes), option
codes as values; a multiple-choice answer is its codes joined by ';', a ranking its option codes
in rank order joined by ';'. Every bad row and column is reported; nothing is stored unless the
whole file is valid.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult.counting.one import cell_key, count_response
from consult.counting.plan import plan_of
from consult.counting.queries import add_answer_counts
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.responding import queries
from surveys.expressions import evaluate
from surveys.messages import render
from surveys.model import AnswerCell, Item, QuestionSet, Value
from surveys.types import answers_from_cells, parse_page

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


def _column_owner(question_set: QuestionSet) -> dict[str, Item]:
    columns: dict[str, Item] = {}
    for item in question_set.all_items():
        for code in item.answer_codes:
            columns[code] = item
    return columns


def _form_for(item: Item, row: dict[str, str]) -> dict[str, list[str]]:
    """The web form fields that would have carried this row's answer to `item`."""
    if item.type == "battery":
        return {
            row_item.code: [row[row_item.code]] for row_item in item.rows if row.get(row_item.code)
        }
    text = row.get(item.code, "")
    if not text.strip():
        return {}
    if item.type == "multiple":
        return {item.code: [part.strip() for part in text.split(";") if part.strip()]}
    if item.type == "ranking":
        order = [part.strip() for part in text.split(";") if part.strip()]
        return {f"{item.code}.{code}": [str(rank)] for rank, code in enumerate(order, start=1)}
    return {item.code: [text]}


def read_responses(question_set: QuestionSet, text: str) -> list[CompleteResponse]:
    """Parse and validate the whole file; raise with every problem, or return every response."""
    columns = _column_owner(question_set)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    problems = [
        f"column '{name}': not an answer code of {question_set.wave}"
        for name in header
        if name not in columns
    ]
    if not header:
        problems.append("the file is empty: the first row must name the answer codes")
    if len(set(header)) != len(header):
        problems.append("the header names a column twice")
    items = [item for item in question_set.all_items() if item.answer_codes]
    relaxed = [dataclasses.replace(item, required=False) for item in items]
    responses: list[CompleteResponse] = []
    for number, row in enumerate(reader, start=2):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(f"stopped after {MAX_PROBLEMS} problems")
            break
        if None in row:
            problems.append(f"row {number}: more values than columns")
            continue
        present = {key: value for key, value in row.items() if key in columns}
        form: dict[str, list[str]] = {}
        for item in items:
            form.update(_form_for(item, present))
        parsed = parse_page(question_set, relaxed, form)
        for code, message in parsed.errors.items():
            shown = present.get(code) or ";".join(
                f"{r.code}={present.get(r.code, '')}" for r in question_set.item(code).rows
            )
            problems.append(f"row {number}, column {code}: '{shown}': {render(message, 'en')}")
        answers = answers_from_cells(question_set, parsed.cells)
        problems.extend(
            f"row {number}, column {code}: answered, but not shown to this respondent"
            for code in _hidden_answers(question_set, answers)
        )
        responses.append(
            CompleteResponse(cell_key(plan_of(question_set), parsed.cells), parsed.cells)
        )
    if problems:
        raise ResponseImportError(problems)
    return responses


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


def import_responses(session: Session, wave: Wave, text: str, today: dt.date) -> int:
    """Store every row as a complete response of `wave`, with its counts; all or nothing."""
    question_set = question_set_of(wave.question_set_version)
    responses = read_responses(question_set, text)
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
    return len(responses)
