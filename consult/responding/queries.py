"""Queries of responses and their answers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence

from sqlalchemy import (
    delete,
    insert,
    select,
)
from sqlalchemy.orm import Session

from consult.models import (
    Answer,
    Response,
    ResponseStatus,
    Wave,
    WaveStatus,
)
from surveys.model import AnswerCell


def open_waves(session: Session, today: dt.date) -> list[Wave]:
    """Waves a citizen can answer today, newest first."""
    waves = session.scalars(
        select(Wave).where(Wave.status == WaveStatus.OPEN).order_by(Wave.id.desc())
    )
    return [wave for wave in waves if wave.is_open(today)]


def response_by_token_hash(
    session: Session, wave: Wave, token_hash: str, *, for_update: bool = False
) -> Response | None:
    """The response a resume token opens; `for_update` locks it so replays wait their turn."""
    query = select(Response).where(
        Response.wave_id == wave.id, Response.resume_token_hash == token_hash
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def answer_cells(session: Session, response: Response) -> list[AnswerCell]:
    rows = session.execute(
        select(Answer.code, Answer.option, Answer.number, Answer.text)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    )
    return [AnswerCell(code, option, number, text) for code, option, number, text in rows]


def replace_answers(
    session: Session, response: Response, codes: Iterable[str], cells: Sequence[AnswerCell]
) -> None:
    """Replace everything stored under `codes` by `cells` (one page's answers)."""
    codes = list(codes)
    if codes:
        session.execute(
            delete(Answer).where(Answer.response_id == response.id, Answer.code.in_(codes))
        )
    rows = [
        {
            "response_id": response.id,
            "code": cell.code,
            "option": cell.option,
            "number": cell.number,
            "text": cell.text,
        }
        for cell in cells
    ]
    if rows:  # one statement, without the ORM's bookkeeping per row
        session.execute(insert(Answer), rows)


def delete_answers_except(session: Session, response: Response, keep: Iterable[str]) -> int:
    """Remove answers to items the respondent was finally not shown; returns how many."""
    result = session.execute(
        delete(Answer).where(Answer.response_id == response.id, Answer.code.not_in(list(keep)))
    )
    return int(getattr(result, "rowcount", 0) or 0)


IMPORTED_LAYOUT = '{"imported": true}'


def insert_complete_response_rows(
    session: Session, wave: Wave, cells: Sequence[str], today: dt.date, *, language: str
) -> list[int]:
    """Complete responses without their answers, one per weighting cell key given (imports,
    simulations); returns their ids in the same order."""
    rows = [
        {
            "public_id": secrets.token_hex(16),
            "wave_id": wave.id,
            "question_set_version_id": wave.question_set_version_id,
            "status": ResponseStatus.COMPLETE,
            "language": language,
            "started_on": today,
            "submitted_on": today,
            # Nobody resumes an imported response: a random, unguessable placeholder hash.
            "resume_token_hash": secrets.token_hex(32),
            "order_seed": 0,
            "layout": IMPORTED_LAYOUT,
            "cell": cell,
        }
        for cell in cells
    ]
    return list(
        session.scalars(
            insert(Response).returning(Response.id, sort_by_parameter_order=True), rows
        ).all()
    )


def insert_complete_responses(
    session: Session,
    wave: Wave,
    responses: Sequence[tuple[str, Sequence[AnswerCell]]],
    today: dt.date,
    *,
    language: str,
) -> None:
    """Store complete responses given as (cell, answer cells), in bulk (imports)."""
    if not responses:
        return
    ids = insert_complete_response_rows(
        session, wave, [cell for cell, _ in responses], today, language=language
    )
    answer_rows = [
        {
            "response_id": response_id,
            "code": cell.code,
            "option": cell.option,
            "number": cell.number,
            "text": cell.text,
        }
        for response_id, (_, cells) in zip(ids, responses, strict=True)
        for cell in cells
    ]
    if answer_rows:
        session.execute(insert(Answer), answer_rows)
