"""Keeping a wave's counts: one response as it completes, or the whole wave recounted."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from consult.counting import queries
from consult.counting.plan import counted_values, scale_sums, summary_profiles
from consult.models import COUNTS_VERSION, Wave
from consult.organizing.question_sets import question_set_of
from surveys.model import AnswerCell, QuestionSet


def count_completed_response(
    session: Session, wave: Wave, question_set: QuestionSet, key: str, cells: Iterable[AnswerCell]
) -> None:
    """Add one complete response to the wave's counts."""
    counted = counted_values(question_set, cells)
    queries.add_answer_counts(
        session, wave, {key: 1}, {(key, code, value): n for (code, value), n in counted.items()}
    )


def rebuild_counts(session: Session, wave: Wave, question_set: QuestionSet) -> int:
    """Recount the wave from its stored answers in the database (one grouped pass per kind)."""
    items = list(question_set.all_items())
    return queries.rebuild_answer_counts(
        session,
        wave,
        ranking=[item.code for item in items if item.type == "ranking"],
        multiple=[item.code for item in items if item.type == "multiple"],
        profiles=[(p.code, p.items, p.groups) for p in summary_profiles(question_set)],
        scales=[(s.code, s.rows, s.excluded) for s in scale_sums(question_set)],
    )


def ensure_current_counts(session: Session, waves: Iterable[Wave]) -> list[Wave]:
    """Recount the waves whose counts follow older counting rules; returns those recounted."""
    recounted = []
    for wave in waves:
        if wave.counts_version < COUNTS_VERSION:
            rebuild_counts(session, wave, question_set_of(wave.question_set_version))
            wave.counts_version = COUNTS_VERSION
            recounted.append(wave)
    session.flush()
    return recounted
