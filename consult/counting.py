"""Counts for the analysis, kept up to date as responses complete.

Raking weights depend only on a respondent's weighting cell, so the analysis needs, per code,
value and cell, how many complete responses gave that answer. Those counts are added when a
response completes (a few dozen upserts in the same transaction), and can be rebuilt from the
answers with one grouped statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
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


def unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of integer columns (values >= -1), their inverse and counts.

    The columns are packed into one int64 key first: numpy's row-wise unique sorts rows as
    byte strings and is many times slower.
    """
    shifted = [np.asarray(column, dtype=np.int64) + 1 for column in columns]
    sizes = [int(column.max()) + 1 if column.size else 1 for column in shifted]
    if sum(size.bit_length() for size in sizes) > 63:
        stacked = np.column_stack(shifted)
        unique, inverse, counts = np.unique(
            stacked, axis=0, return_inverse=True, return_counts=True
        )
        return unique - 1, inverse.reshape(-1), counts
    key = np.zeros(len(shifted[0]), dtype=np.int64)
    for column, size in zip(shifted, sizes, strict=True):
        key = key * size + column
    unique_keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    parts = []
    for size in reversed(sizes):
        unique_keys, part = np.divmod(unique_keys, size)
        parts.append(part)
    return np.column_stack(parts[::-1]) - 1, inverse.reshape(-1), counts
