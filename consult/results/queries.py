"""Queries of the results: which waves a reader may see, the state a wave's figures follow, and the
figures the kept counts do not hold (joint answers and subgroups by a question that is not a
weighting variable, grouped from the answers in one pass)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import (
    case,
    func,
    literal,
    null,
    select,
)
from sqlalchemy.orm import Session, aliased

from consult.counting.queries import complete_responses_of
from consult.models import (
    Answer,
    Consultation,
    Response,
    Role,
    User,
    Wave,
    WaveStatus,
    WeightingCell,
    consultation_organizer,
)

PAGE = 100_000
"""Rows read from the database at once: a national wave has millions."""


def wave_by_slug(session: Session, slug: str) -> Wave | None:
    return session.scalar(select(Wave).where(Wave.slug == slug))


def readable_waves(session: Session, user: User | None) -> list[Wave]:
    """Published waves (no draft: see `permissions.can_read_results`), and the unpublished waves
    of the consultations `user` belongs to (every wave for an admin), newest first."""
    statement = select(Wave).join(Consultation).order_by(Wave.id.desc())
    public = Wave.results_published & (Wave.status != WaveStatus.DRAFT)
    if user is None:
        return list(session.scalars(statement.where(public)))
    if user.role == Role.ADMIN:
        return list(session.scalars(statement))
    member = (
        select(consultation_organizer.c.consultation_id)
        .where(consultation_organizer.c.user_id == user.id)
        .scalar_subquery()
    )
    visible = public | Wave.consultation_id.in_(member)
    return list(session.scalars(statement.where(visible)))


def counts_state(session: Session, wave: Wave) -> tuple[int, int]:
    """How many weighting cells the wave's complete responses fill and how many responses they
    hold: both move with every complete response, and a query over the cells (hundreds, not a
    million responses) is cheap enough to ask on every request."""
    cells, respondents = session.execute(
        select(func.count(), func.coalesce(func.sum(WeightingCell.respondents), 0)).where(
            WeightingCell.wave_id == wave.id
        )
    ).one()
    return int(cells), int(respondents)


def data_date(session: Session, wave: Wave) -> dt.date | None:
    """The day of the wave's latest complete response: the report's figures include it."""
    day = session.scalar(select(func.max(Response.submitted_on)).where(complete_responses_of(wave)))
    return day if isinstance(day, dt.date) else None


def previous_wave(session: Session, wave: Wave) -> Wave | None:
    """The wave whose figures `wave`'s are compared with: the latest earlier wave of the same
    consultation with complete responses that `wave`'s readers may all see. A published wave is
    read by anyone, so it compares with published waves only; an unpublished one only by the
    consultation's members and admins, who may read every wave of it."""
    earlier = [
        other
        for other in wave.consultation.waves
        if other.id < wave.id
        and (other.results_published or not wave.results_published)
        and counts_state(session, other)[1] > 0
    ]
    return earlier[-1] if earlier else None


def answer_counts_by_question(
    session: Session, wave: Wave, by: str, codes: Sequence[str], multiple: Sequence[str] = ()
) -> Iterator[list[tuple[str, str, int, int | None, float | None, int]]]:
    """(code, cell, answer to `by`, option, number, n) for every code, over complete responses
    that answered both the code and the single-choice question `by`; for the multiple-choice
    items among `multiple`, also who answered them, as option -1 (`counting.ANSWERED`). In
    parts of at most 100,000 rows: a national wave has millions.

    One grouped pass over the answers for a whole report by a question that is not a weighting
    variable (a pivot per item would read them once per item). Rankings keep both the option
    and its rank. Rows come in a fixed order, so the same answers give the same figures to the
    last digit on either database."""
    grouping = aliased(Answer)
    group = grouping.option
    answers = (
        select(Answer.code, Response.cell, group)
        .join(Response, Response.id == Answer.response_id)
        .join(grouping, (grouping.response_id == Answer.response_id) & (grouping.code == by))
        .where(complete_responses_of(wave), group.is_not(None))
    )
    statements = [
        answers.add_columns(Answer.option, Answer.number, func.count())
        # `code || ''`: no index on the code, so each response's answers are read as one range
        # (SQLite otherwise looks every code up for every response: 4 times slower).
        .where((Answer.code + "").in_(list(codes)))
        .where((Answer.option.is_not(None)) | (Answer.number.is_not(None)))
        .group_by(Answer.code, Response.cell, group, Answer.option, Answer.number)
        .order_by(Answer.code, Response.cell, group, Answer.option, Answer.number)
    ]
    if multiple:
        statements.append(
            answers.add_columns(literal(-1), null(), func.count(Answer.response_id.distinct()))
            .where(Answer.code.in_(list(multiple)))
            .group_by(Answer.code, Response.cell, group)
            .order_by(Answer.code, Response.cell, group)
        )
    for statement in statements:
        result = session.execute(statement, execution_options={"yield_per": PAGE})
        for part in result.partitions():
            yield [tuple(row) for row in part]


def joint_answer_counts(
    session: Session, wave: Wave, codes: Sequence[str], numeric: Sequence[bool]
) -> list[tuple[Any, ...]]:
    """(cell, answer to codes[0], ..., n) over complete responses that answered any of `codes`.

    One grouped pass: answers are pivoted per response (option codes, or numbers where `numeric`
    says so; -1 / None when unanswered), then grouped by cell and the answers.
    """
    pivots = []
    for index, (code, is_number) in enumerate(zip(codes, numeric, strict=True)):
        column = Answer.number if is_number else Answer.option
        picked = func.max(case((Answer.code == code, column)))
        pivots.append((picked if is_number else func.coalesce(picked, -1)).label(f"k{index}"))
    per_response = (
        select(Response.cell.label("cell"), *pivots)
        .join(Response, Response.id == Answer.response_id)
        .where(complete_responses_of(wave), Answer.code.in_(list(codes)))
        .group_by(Response.id, Response.cell)
        .subquery()
    )
    keys = [per_response.c[f"k{index}"] for index in range(len(codes))]
    rows = session.execute(
        select(per_response.c.cell, *keys, func.count())
        .group_by(per_response.c.cell, *keys)
        .order_by(per_response.c.cell, *keys)
    )
    return [tuple(row) for row in rows]


def respondent_cells(session: Session, wave: Wave) -> tuple[np.ndarray, np.ndarray]:
    """The ids of the wave's complete responses in increasing order, and the id of each one's
    weighting cell (-1 if it has none), as two arrays: read in pages of 100,000 rows (a national
    wave has a million), never a Python object per response kept."""
    # A lookup in the cells' unique index per response (-1 when its cell is missing), whatever
    # the planner knows: as a join, PostgreSQL without statistics (after a bulk load) compared
    # every response with every cell, 20 s at 200,000 responses against 0.4 s.
    cell = (
        select(WeightingCell.id)
        .where(
            WeightingCell.wave_id == Response.wave_id,
            WeightingCell.key == func.coalesce(Response.cell, ""),
        )
        .scalar_subquery()
    )
    statement = (
        select(Response.id, func.coalesce(cell, -1))
        .where(complete_responses_of(wave))
        .order_by(Response.id)
    )
    # Through the connection: the ORM's rows would take three times as long.
    result = session.connection().execute(statement.execution_options(yield_per=PAGE))
    pages = [
        np.fromiter(itertools.chain.from_iterable(part), dtype=np.int64, count=2 * len(part))
        for part in result.partitions()
    ]
    pairs = np.concatenate([np.zeros(0, dtype=np.int64), *pages]).reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()
