"""What a questionnaire page shows when an answer cannot be saved: one message per question that
names it, inline and in the error summary, whose links go to the question's first input."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from surveys.layout import PagePlan
from surveys.messages import Message, render
from surveys.model import Item, QuestionSet
from surveys.respondent_errors import first_input_id, naming_question
from surveys.types import Form, PageAnswers, parse_page


@dataclass
class PageErrors:
    """The messages by item code (shown at the question) and the summary's (link, message)."""

    by_item: dict[str, str] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)


def page_errors(
    items: Sequence[Item], plan: PagePlan, errors: Mapping[str, Message], lang: str
) -> PageErrors:
    """The errors of a page in `lang`, in the order its questions are shown."""
    shown = PageErrors()
    for item in items:
        message = errors.get(item.code)
        if message is None:
            continue
        text = render(naming_question(item, message), lang)
        shown.by_item[item.code] = text
        shown.summary.append((f"#{first_input_id(item, plan.rows_for(item.code))}", text))
    return shown


def parse_leniently(qset: QuestionSet, items: Sequence[Item], form: Form) -> PageAnswers:
    """The page read as if no question were required: leaving a page (Back, another language)
    may leave questions open, but an invalid input (a letter in a number) is still an error."""
    optional = [dataclasses.replace(item, required=False) for item in items]
    return parse_page(qset, optional, form)
