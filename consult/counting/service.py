"""Keeping a wave's counts: one response as it completes, or the whole wave recounted."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from consult.counting import queries
from consult.counting.one import count_response
from consult.counting.plan import plan_of
from consult.counting.recount import recount_wave
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.progress import SILENT, Progress
from surveys.model import AnswerCell, QuestionSet


def count_completed_response(
    session: Session, wave: Wave, question_set: QuestionSet, key: str, cells: Iterable[AnswerCell]
) -> None:
    """Add one complete response to the wave's counts."""
    counted = count_response(plan_of(question_set), cells)
    queries.add_answer_counts(
        session, wave, {key: 1}, {(key, code, value): n for (code, value), n in counted.items()}
    )


def counts_are_current(wave: Wave) -> bool:
    """Whether the wave's counts follow today's counting rule for its question set."""
    plan = plan_of(question_set_of(wave.question_set_version))
    return wave.counts_fingerprint == plan.fingerprint()


def rebuild_counts(session: Session, wave: Wave, progress: Progress = SILENT) -> int:
    """Recount the wave from its stored answers (see `recount`); returns the count rows."""
    return recount_wave(
        session, wave, plan_of(question_set_of(wave.question_set_version)), progress=progress
    )


def ensure_current_counts(
    session: Session, waves: Iterable[Wave], progress: Progress = SILENT
) -> list[Wave]:
    """Recount the waves whose counts follow another counting rule (their plan's fingerprint
    differs from the one stored with them, or none is); returns those recounted."""
    recounted = []
    for wave in waves:
        # A purged wave has no answers left to count: its counts are all there is, kept as is.
        if not counts_are_current(wave) and not queries.answers_purged(session, wave):
            rebuild_counts(session, wave, progress)
            recounted.append(wave)
    session.flush()
    return recounted
