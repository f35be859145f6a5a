"""Queries of the open answers: the codebook, the suggestions and the open answers of a wave."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from consult.counting.queries import complete_responses_of
from consult.models import (
    Answer,
    Consultation,
    Response,
    SuggestionStatus,
    Theme,
    ThemeSuggestion,
    Wave,
)


def themes_of(session: Session, consultation: Consultation) -> list[Theme]:
    return list(
        session.scalars(
            select(Theme).where(Theme.consultation_id == consultation.id).order_by(Theme.code)
        )
    )


def theme_by_id(session: Session, consultation: Consultation, theme_id: int) -> Theme | None:
    return session.scalar(
        select(Theme).where(Theme.id == theme_id, Theme.consultation_id == consultation.id)
    )


def add(session: Session, row: Theme | ThemeSuggestion) -> None:
    session.add(row)


def remove(session: Session, row: Theme) -> None:
    session.delete(row)


def remove_all_themes(session: Session, consultation: Consultation) -> None:
    session.execute(delete(Theme).where(Theme.consultation_id == consultation.id))


def suggestions_of(
    session: Session, consultation: Consultation, status: SuggestionStatus
) -> list[ThemeSuggestion]:
    return list(
        session.scalars(
            select(ThemeSuggestion)
            .where(
                ThemeSuggestion.consultation_id == consultation.id,
                ThemeSuggestion.status == status,
            )
            .order_by(ThemeSuggestion.size.desc(), ThemeSuggestion.id)
        )
    )


def suggestion_by_id(
    session: Session, consultation: Consultation, suggestion_id: int
) -> ThemeSuggestion | None:
    return session.scalar(
        select(ThemeSuggestion).where(
            ThemeSuggestion.id == suggestion_id,
            ThemeSuggestion.consultation_id == consultation.id,
        )
    )


def drop_open_suggestions(session: Session, consultation: Consultation) -> None:
    session.execute(
        delete(ThemeSuggestion).where(
            ThemeSuggestion.consultation_id == consultation.id,
            ThemeSuggestion.status == SuggestionStatus.OPEN,
        )
    )


def open_answers(
    session: Session, wave: Wave, codes: Sequence[str], by: str | None = None
) -> list[tuple[str | None, str, str, str, int | None]]:
    """(cell key, language, code, text, answer to `by` or None) of every open answer to `codes`
    in the wave's complete responses, in a fixed order (the same answers, the same figures)."""
    grouping = aliased(Answer)
    statement = (
        select(Response.cell, Response.language, Answer.code, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(complete_responses_of(wave), Answer.code.in_(list(codes)), Answer.text.is_not(None))
        .order_by(Answer.code, Answer.response_id)
    )
    if by is None:
        return [
            (cell, lang, code, text or "", None)
            for cell, lang, code, text in session.execute(statement)
        ]
    grouped = statement.add_columns(grouping.option).outerjoin(
        grouping, (grouping.response_id == Answer.response_id) & (grouping.code == by)
    )
    return [
        (cell, lang, code, text or "", option)
        for cell, lang, code, text, option in session.execute(grouped)
    ]


def answers_page(
    session: Session, wave: Wave, code: str, offset: int, limit: int
) -> list[tuple[str, str]]:
    """(public response id, text) of one page of open answers to `code`, in response order."""
    rows = session.execute(
        select(Response.public_id, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(complete_responses_of(wave), Answer.code == code, Answer.text.is_not(None))
        .order_by(Answer.response_id)
        .offset(offset)
        .limit(limit)
    )
    return [(public_id, text or "") for public_id, text in rows]


def answer_total(session: Session, wave: Wave, code: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(complete_responses_of(wave), Answer.code == code, Answer.text.is_not(None))
        )
        or 0
    )
