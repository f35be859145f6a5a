"""The review page's list: every shown question with its answer in words, page by page, so a
citizen checks what will be sent ("Controleer uw antwoorden")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from consult.responding.service import ResponseState
from surveys.model import Item, Value
from surveys.types import Answer, question_type


@dataclass(frozen=True)
class ReviewedAnswer:
    """One question and its answer as lines of text (empty: not answered)."""

    question: str
    lines: list[str]


@dataclass(frozen=True)
class ReviewedPage:
    page_id: str
    position: int  # from 1, in this respondent's order: the page's address
    title: str
    answers: list[ReviewedAnswer] = field(default_factory=list)


def reviewed_pages(state: ResponseState, lang: str) -> list[ReviewedPage]:
    """The pages the citizen was shown, each with its questions and answers in `lang`."""
    pages = []
    for position, plan in enumerate(state.pages, start=1):
        page = state.question_set.page(plan.page_id)
        title = page.title.get(lang) if page.title else ""
        answers = [
            ReviewedAnswer(item.text.get(lang) if item.text else item.code, lines)
            for item in state.items(plan)
            if question_type(item).has_answer
            for lines in [answer_lines(item, state.answers, lang, plan.rows_for(item.code))]
        ]
        if answers:
            pages.append(ReviewedPage(plan.page_id, position, title, answers))
    return pages


def answer_lines(
    item: Item, answers: Mapping[str, Value], lang: str, row_order: tuple[str, ...] = ()
) -> list[str]:
    """An answer in words: option labels rather than codes, a ranking as "1. …", a battery as
    one line per answered row."""
    kind = question_type(item)
    if kind.per_row:
        order = row_order or tuple(row.code for row in item.rows)
        lines = []
        for code in order:
            row = item.row(code)
            value = answers.get(code)
            if row is not None and isinstance(value, int):
                lines.append(f"{row.text.get(lang)}: {_label(item, value, lang)}")
        return lines
    value = answers.get(item.code)
    if value is None:
        return []
    if kind.answer is Answer.OPTION and isinstance(value, int):
        return [_label(item, value, lang)]
    if kind.answer is Answer.OPTIONS and isinstance(value, frozenset):
        return [_label(item, c.code, lang) for c in item.choices if c.code in value]
    if kind.answer is Answer.ORDER and isinstance(value, tuple):
        return [f"{rank}. {_label(item, code, lang)}" for rank, code in enumerate(value, start=1)]
    if kind.answer is Answer.NUMBER and isinstance(value, int | float):
        return [_number(item, value, lang)]
    return [str(value)]


def _label(item: Item, code: int, lang: str) -> str:
    choice = item.choice(code)
    return choice.label.get(lang) if choice is not None else str(code)


def _number(item: Item, value: float, lang: str) -> str:
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    if lang == "nl":
        text = text.replace(".", ",")
    return f"{text} {item.unit.get(lang)}" if item.unit else text
