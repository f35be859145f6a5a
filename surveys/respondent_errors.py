"""Errors as a respondent reads them in an error summary: each names its question, and each
links to the question's first input (the GOV.UK and NL Design System pattern).

`types` says what is wrong with an answer ("Please choose an answer."); a summary above the
form lists several such messages, so each must say which question it is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from surveys.messages import Message
from surveys.model import Item, Text
from surveys.types import REQUIRED_CHOICE, REQUIRED_TEXT, Bounds, question_type

#: Characters of a question's text a message quotes: enough to recognise it.
QUOTED = 90


def quoted_question(item: Item) -> Text:
    """The question's text in every language, cut at a word after `QUOTED` characters."""
    if item.text is None:
        return Text.of(item.code)
    return Text.from_dict({lang: _cut(text) for lang, text in item.text.translations})


def _cut(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTED:
        return text
    return text[:QUOTED].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _opt_out(item: Item) -> Text | None:
    """The label of the option that answers without answering ("Zeg ik liever niet")."""
    for wanted in ("refused", None):
        for choice in item.choices:
            if choice.missing and (wanted is None or choice.missing == wanted):
                return choice.label
    return None


def naming_question(item: Item, message: Message) -> Message:
    """`message` reworded so that it names `item`: "Choose an answer to ‘How old are you?’ or
    ‘I'd rather not say’" instead of "Please choose an answer."."""
    question = quoted_question(item)
    if message == REQUIRED_CHOICE:
        opt_out = _opt_out(item)
        if opt_out is not None:
            return Message(
                "Choose your answer to ‘%(question)s’ or ‘%(opt_out)s’.",
                {"question": question, "opt_out": opt_out},
            )
        return Message("Choose an answer to ‘%(question)s’.", {"question": question})
    if message == REQUIRED_TEXT:
        return Message("Enter an answer to ‘%(question)s’.", {"question": question})
    return Message("‘%(question)s’: %(problem)s", {"question": question, "problem": message})


def first_input_id(item: Item, rows: Sequence[str] = ()) -> str:
    """The id of the input an error summary's link moves to: the first option of the question
    (of its first row shown, for a battery), the field itself for a typed answer. The question
    templates in `templates/public/items/` give their inputs these ids."""
    kind = question_type(item)
    if kind.per_row and item.choices:
        first_row = rows[0] if rows else (item.rows[0].code if item.rows else item.code)
        return f"{first_row}-{item.choices[0].code}"
    if kind.has_choices and item.choices:
        return f"{item.code}-{item.choices[0].code}"
    if kind.bounds is Bounds.SCALE:
        low = item.min if item.min is not None else kind.default_min
        return f"{item.code}-{int(low or 0)}"
    return item.code
