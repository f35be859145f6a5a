"""Counts for the analysis, kept up to date as responses complete.

Raking weights depend only on a respondent's weighting cell, so the analysis needs, per code,
value and cell, how many complete responses gave that answer. Those counts are added when a
response completes (a few dozen upserts in the same transaction), and can be rebuilt from the
answers with one grouped statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from consult import store
from consult.models import Wave
from surveys.model import AnswerCell, Item, QuestionSet, Value

MISSING = -1
ANSWERED = -1.0  # value of the row counting who answered a multiple-choice item


def demographic_items(question_set: QuestionSet) -> list[Item]:
    """The weighting variables, in the question set's order (the order of a cell key)."""
    return [item for item in question_set.all_items() if item.role == "demographic"]


def cell_key(question_set: QuestionSet, answers: Mapping[str, Value]) -> str:
    """The cell of a respondent: demographic option codes joined by '|', -1 when unanswered."""
    codes = []
    for item in demographic_items(question_set):
        value = answers.get(item.code)
        codes.append(str(value) if isinstance(value, int) else str(MISSING))
    return "|".join(codes)


def parse_cell_key(key: str) -> list[int]:
    return [int(part) for part in key.split("|")] if key else []


def counted_values(
    question_set: QuestionSet, cells: Iterable[AnswerCell]
) -> Counter[tuple[str, float]]:
    """The (code, value) pairs one response adds to the counts; text answers are not counted."""
    counted: Counter[tuple[str, float]] = Counter()
    answered_multiple: set[str] = set()
    for cell in cells:
        if not question_set.has_answer_code(cell.code):
            continue
        item = question_set.owner_of(cell.code)
        if item.type == "ranking" and cell.option is not None and cell.number is not None:
            counted[(f"{cell.code}.{cell.option}", float(cell.number))] += 1
        elif cell.option is not None:
            counted[(cell.code, float(cell.option))] += 1
            if item.type == "multiple":
                answered_multiple.add(cell.code)
        elif cell.number is not None:
            counted[(cell.code, float(cell.number))] += 1
    for code in answered_multiple:
        counted[(code, ANSWERED)] += 1
    return counted


def count_completed_response(
    session: Session, wave: Wave, question_set: QuestionSet, key: str, cells: Iterable[AnswerCell]
) -> None:
    """Add one complete response to the wave's counts."""
    counted = counted_values(question_set, cells)
    store.add_answer_counts(
        session, wave, {(key, code, value): n for (code, value), n in counted.items()}
    )


def rebuild_counts(session: Session, wave: Wave, question_set: QuestionSet) -> int:
    """Recount the wave from its stored answers in the database (one grouped pass per kind)."""
    items = list(question_set.all_items())
    return store.rebuild_answer_counts(
        session,
        wave,
        ranking=[item.code for item in items if item.type == "ranking"],
        multiple=[item.code for item in items if item.type == "multiple"],
    )
