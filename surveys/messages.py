"""Validation messages shown to respondents, translated with gettext (domain `surveys`).

Answer validation returns a `Message`: the English text (the gettext msgid) and its parameters,
not a sentence in some language, so the web app renders it in the respondent's language and tests
can compare messages. The Dutch (and English) texts live in
`surveys/translations/<lang>/LC_MESSAGES/surveys.po`; `make translations` extracts the msgids
(keywords `Message` and `plural_message:1,2`, see `surveys/babel.cfg`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from surveys.catalogues import compiled_catalogues
from surveys.model import DEFAULT_LANGUAGE, Text

DOMAIN = "surveys"
#: Characters of a value a message shows: enough to find it, never a whole pasted document.
EXCERPT = 80
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@dataclass(frozen=True)
class Message:
    """A validation message to show next to a question; render it with `render`.

    `text` is the English sentence with `%(name)s` placeholders. A message with a `plural` form
    chooses between `text` and `plural` by the number in the parameter named `count`, following
    the plural rule of the reader's language.
    """

    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    count: str | None = None

    def __hash__(self) -> int:
        params = tuple(sorted((k, excerpt(v)) for k, v in self.params.items()))
        return hash((self.text, params, self.plural, self.count))


def N_(text: str) -> str:  # noqa: N802 (the gettext convention for "translate later")
    """Mark a msgid kept in a variable for `make translations`; it is rendered where shown."""
    return text


def plural_message(singular: str, plural: str, count: str, params: Mapping[str, object]) -> Message:
    """A message with singular and plural forms, chosen by the number `params[count]`."""
    return Message(singular, params, plural=plural, count=count)


def _pieces(value: object) -> Iterator[str]:
    """The text of `value` as `str()` writes it, piece by piece, so a caller can stop early
    (a list of aliases can stand for a billion entries without being written out)."""
    if isinstance(value, Mapping):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ", " if index else ""
            yield from _pieces_repr(key)
            yield ": "
            yield from _pieces_repr(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            yield ", " if index else ""
            yield from _pieces_repr(item)
        yield "]"
    else:
        yield str(value)[: EXCERPT + 1] if isinstance(value, str) else str(value)


def _pieces_repr(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield repr(value[: EXCERPT + 1])
    else:
        yield from _pieces(value)


def excerpt(value: object) -> str:
    """`str(value)` cut to its first `EXCERPT` characters (with "…" when cut): a problem about
    a long or hostile value names it without rendering all of it."""
    text = ""
    for piece in _pieces(value):
        text += piece
        if len(text) > EXCERPT:
            return text[:EXCERPT] + "…"
    return text


def _language(lang: str) -> str:
    """`lang` if it has a catalogue, else Dutch."""
    known = isinstance(lang, str) and lang.isalpha() and (TRANSLATIONS / lang).is_dir()
    return lang if known else DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    """The `surveys` catalogue of `lang` (Dutch when there is none), compiled if needed."""
    lang = _language(lang)
    fallback = Path(tempfile.gettempdir()) / f"consult-{DOMAIN}-{os.getuid()}"
    directory = compiled_catalogues(TRANSLATIONS, DOMAIN, fallback)
    return Translations.load(str(directory), [lang], domain=DOMAIN)


def _format_param(value: object, lang: str) -> str:
    """Numbers in the reader's convention (3,5 in Dutch), texts in the reader's language, and a
    nested `Message` (the name of a place in a question set, such as "page P1") in the reader's
    language too."""
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "nl" else text
    return excerpt(value)


def render(message: Message, lang: str) -> str:
    """The message as a sentence in `lang` (Dutch when `lang` is not available)."""
    lang = _language(lang)
    catalogue = translations(lang)
    if message.plural is not None and message.count is not None:
        number = message.params[message.count]
        n = int(number) if isinstance(number, int | float) else 2
        template = catalogue.ngettext(message.text, message.plural, n)
    else:
        template = catalogue.gettext(message.text)
    params = {name: _format_param(value, lang) for name, value in message.params.items()}
    return template % params if params else template


def english(message: Message) -> str:
    """The message in English, the source language: the msgid itself, without a catalogue (so
    the command line and `str()` of a problem cost no lookup). Parameters appear as given."""
    template = message.text
    if message.plural is not None and message.count is not None:
        number = message.params[message.count]
        if not (isinstance(number, int | float) and number == 1):
            template = message.plural
    if not message.params:
        return template
    params = {
        name: english(value) if isinstance(value, Message) else _english_param(value)
        for name, value in message.params.items()
    }
    return template % params


def _english_param(value: object) -> object:
    """Numbers as given (so `%(n)s` reads 3.5), anything else as a short excerpt."""
    return value if isinstance(value, int | float | Text) else excerpt(value)
