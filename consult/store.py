"""Every query the app runs lives here; views and services call these functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consult.models import (
    Answer,
    Consultation,
    QuestionSetVersion,
    Response,
    ResponseStatus,
    Wave,
    WaveStatus,
)
from surveys.model import AnswerCell


def consultation_by_slug(session: Session, slug: str) -> Consultation | None:
    return session.scalar(select(Consultation).where(Consultation.slug == slug))


def version_by_checksum(
    session: Session, consultation: Consultation, checksum: str
) -> QuestionSetVersion | None:
    return session.scalar(
        select(QuestionSetVersion).where(
            QuestionSetVersion.consultation_id == consultation.id,
            QuestionSetVersion.checksum == checksum,
        )
    )


def next_version_number(session: Session, consultation: Consultation) -> int:
    highest = session.scalar(
        select(func.max(QuestionSetVersion.number)).where(
            QuestionSetVersion.consultation_id == consultation.id
        )
    )
    return (highest or 0) + 1


def wave_by_slug(session: Session, slug: str) -> Wave | None:
    return session.scalar(select(Wave).where(Wave.slug == slug))


def open_waves(session: Session, today: dt.date) -> list[Wave]:
    """Waves a citizen can answer today, newest first."""
    waves = session.scalars(
        select(Wave).where(Wave.status == WaveStatus.OPEN).order_by(Wave.id.desc())
    )
    return [wave for wave in waves if wave.is_open(today)]


def response_count(session: Session, wave: Wave, status: ResponseStatus | None = None) -> int:
    query = select(func.count(Response.id)).where(Response.wave_id == wave.id)
    if status is not None:
        query = query.where(Response.status == status)
    return session.scalar(query) or 0


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
    session.add_all(
        Answer(
            response_id=response.id,
            code=cell.code,
            option=cell.option,
            number=cell.number,
            text=cell.text,
        )
        for cell in cells
    )
    session.flush()


def delete_answers_except(session: Session, response: Response, keep: Iterable[str]) -> int:
    """Remove answers to items the respondent was finally not shown; returns how many."""
    result = session.execute(
        delete(Answer).where(Answer.response_id == response.id, Answer.code.not_in(list(keep)))
    )
    return int(getattr(result, "rowcount", 0) or 0)
