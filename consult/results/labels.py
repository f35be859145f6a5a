"""The words for a figure's codes in a reader's language: every page, download and API answer
shows labels, never only codes. Plain functions of the question set, so the web pages, the
downloads and the API label alike (and the command line, outside any request)."""

from __future__ import annotations

import os
import tempfile
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

from consult.messages import N_
from surveys.catalogues import compiled_catalogues
from surveys.model import QuestionSet, Text

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@cache
def _catalogue(lang: str) -> NullTranslations:
    fallback = Path(tempfile.gettempdir()) / f"consult-messages-{os.getuid()}"
    directory = compiled_catalogues(TRANSLATIONS, "messages", fallback)
    return Translations.load(str(directory), [lang], domain="messages")


def translate(text: str, lang: str) -> str:
    """The web app's catalogue outside a request (the command line writes the same files)."""
    return _catalogue(lang).gettext(text)


def _text(text: Text | None, lang: str, fallback: str) -> str:
    return text.get(lang) if text is not None else fallback


def item_label(question_set: QuestionSet, code: str, lang: str) -> str:
    """The question's wording (a battery's too, by its own code); for a battery row the
    battery's and the row's ("Trust: the government"); for a ranking's `ITEM.option` (its
    average rank) the item's wording and the option's label. The code itself for a code the set
    does not hold."""
    if not question_set.has_answer_code(code):
        try:
            return _text(question_set.item(code).text, lang, code)
        except KeyError:
            pass
        base, _, option = code.rpartition(".")
        if not question_set.has_answer_code(base) or not option.isdigit():
            return code
        return translate(N_("%(item)s: average rank of %(option)s"), lang) % {
            "item": item_label(question_set, base, lang),
            "option": option_label(question_set, base, int(option), lang),
        }
    item = question_set.owner_of(code)
    if item.code == code:
        return _text(item.text, lang, code)
    row = item.row(code)
    row_text = _text(row.text if row else None, lang, code)
    return f"{_text(item.text, lang, item.code)}: {row_text}"


def option_label(question_set: QuestionSet, code: str, option: object, lang: str) -> str:
    """An option's label ("" for a figure without an option, such as a mean); `code` is an
    answer code or an item's own (a battery's, whose rows share its options)."""
    if option is None or option == "":
        return ""
    if not isinstance(option, int):
        return str(option)
    if question_set.has_answer_code(code):
        item = question_set.owner_of(code)
    else:
        try:
            item = question_set.item(code)
        except KeyError:
            return str(option)
    choice = item.choice(option)
    return choice.label.get(lang) if choice is not None else str(option)


def group_label(question_set: QuestionSet, by: str | None, group: int | None, lang: str) -> str:
    """The subgroup's label: the option of the grouping question ("" overall)."""
    if by is None or group is None:
        return ""
    return option_label(question_set, by, group, lang)


def term_label(question_set: QuestionSet, kind: str, code: str, lang: str) -> str:
    """A domain's, condition's or application's label from the set's vocabulary."""
    vocabulary = question_set.vocabulary
    find = {
        "domain": vocabulary.domain,
        "condition": vocabulary.condition,
        "application": vocabulary.application,
    }[kind]
    term = find(code)
    return term.label.get(lang) if term is not None else code
