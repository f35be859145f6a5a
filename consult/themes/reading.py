"""Researchers reading a wave's open answers: masked (`analysis.masking`), a page at a time,
and every read in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.masking import mask
from consult.accounts import audit
from consult.models import Wave
from consult.themes import codebook, queries

PAGE_SIZE = 50


@dataclass(frozen=True)
class ReadAnswer:
    """One open answer as a researcher sees it: masked, with the themes it is about."""

    response: str
    text: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class AnswersPage:
    code: str
    answers: tuple[ReadAnswer, ...]
    page: int
    pages: int
    total: int


def read_answers(session: Session, actor: str, wave: Wave, code: str, page: int = 1) -> AnswersPage:
    """One page of the open answers to `code`, masked; the read is logged (who, which wave,
    question and page: never the answers)."""
    total = queries.answer_total(session, wave, code)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = queries.answers_page(session, wave, code, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    themes = queries.themes_of(session, wave.consultation)
    matches = codebook.matcher_of(themes).match([text for _, text in rows])
    answers = tuple(
        ReadAnswer(
            response=public_id,
            text=mask(text),
            themes=tuple(theme.code for theme, hit in zip(themes, found, strict=True) if hit),
        )
        for (public_id, text), found in zip(rows, matches, strict=True)
    )
    audit.record(
        session,
        actor,
        "read open answers",
        f"wave {wave.slug}",
        detail=f"{code} page {page}: {len(answers)} answers",
    )
    return AnswersPage(code, answers, page, pages, total)
