"""Error messages shown to respondents, in plain (B1-level) Dutch and English.

Answer validation returns a `Message` (a key plus parameters) rather than a sentence, so the
web app can render it in the respondent's language and tests can assert on the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from surveys.model import DEFAULT_LANGUAGE, Text


@dataclass(frozen=True)
class Message:
    """A validation message to show next to a question; render it with `render`."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))


# A template is one sentence, or a (singular, plural) pair chosen by the `count_param` number.
Template = str | tuple[str, str]

#: key -> language -> template. Every key must have every language in SUPPORTED_LANGUAGES.
MESSAGES: dict[str, dict[str, Template]] = {
    "required_choice": {
        "nl": "Kies een antwoord.",
        "en": "Please choose an answer.",
    },
    "required_text": {
        "nl": "Vul een antwoord in.",
        "en": "Please enter an answer.",
    },
    "required_rows": {
        "nl": "Geef op elke regel een antwoord.",
        "en": "Please give an answer on every row.",
    },
    "required_ranking": {
        "nl": "Zet de opties in volgorde: geef elke optie een plaats.",
        "en": "Please put the options in order: give every option a place.",
    },
    "invalid_choice": {
        "nl": "Deze keuze bestaat niet. Kies een van de antwoorden.",
        "en": "This choice does not exist. Please choose one of the answers.",
    },
    "choose_one": {
        "nl": "Kies maar één antwoord.",
        "en": "Please choose only one answer.",
    },
    "choose_at_least": {
        "nl": ("Kies ten minste {min} optie.", "Kies ten minste {min} opties."),
        "en": ("Please choose at least {min} option.", "Please choose at least {min} options."),
    },
    "choose_at_most": {
        "nl": ("Kies ten hoogste {max} optie.", "Kies ten hoogste {max} opties."),
        "en": ("Please choose at most {max} option.", "Please choose at most {max} options."),
    },
    "exclusive": {
        "nl": "U kunt ‘{option}’ niet samen met een ander antwoord kiezen.",
        "en": "You cannot choose ‘{option}’ together with another answer.",
    },
    "invalid_number": {
        "nl": "Vul een getal in, bijvoorbeeld 12 of 3,5.",
        "en": "Please enter a number, for example 12 or 3.5.",
    },
    "whole_number": {
        "nl": "Vul een heel getal in, zonder komma of punt.",
        "en": "Please enter a whole number, without a decimal point or comma.",
    },
    "number_range": {
        "nl": "Vul een getal in tussen {min} en {max}.",
        "en": "Please enter a number between {min} and {max}.",
    },
    "number_min": {
        "nl": "Vul een getal in van {min} of meer.",
        "en": "Please enter a number of {min} or more.",
    },
    "number_max": {
        "nl": "Vul een getal in van {max} of minder.",
        "en": "Please enter a number of {max} or less.",
    },
    "too_long": {
        "nl": "Gebruik ten hoogste {max} tekens. U gebruikt er nu {length}.",
        "en": "Please use at most {max} characters. You have used {length}.",
    },
    "invalid_characters": {
        "nl": "Uw tekst bevat tekens die niet zijn toegestaan. Haal die weg.",
        "en": "Your text contains characters that are not allowed. Please remove them.",
    },
    "single_line": {
        "nl": "Schrijf uw antwoord op één regel.",
        "en": "Please write your answer on one line.",
    },
    "rank_all": {
        "nl": "Geef elke optie een eigen plaats, van 1 tot en met {count}.",
        "en": "Please give every option its own place, from 1 to {count}.",
    },
    "rank_range": {
        "nl": "Gebruik alleen de plaatsen 1 tot en met {count}.",
        "en": "Please use only the places 1 to {count}.",
    },
    "rank_unique": {
        "nl": "Gebruik elke plaats maar één keer.",
        "en": "Please use each place only once.",
    },
}

#: Which parameter decides singular or plural for (singular, plural) templates.
_COUNT_PARAMS = ("min", "max", "count")


def _format_param(value: object, lang: str) -> str:
    """Numbers in the reader's convention (3,5 in Dutch), texts in the reader's language."""
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "nl" else text
    return str(value)


def render(message: Message, lang: str) -> str:
    """The message as a sentence in `lang` (Dutch when `lang` is not available)."""
    templates = MESSAGES[message.key]
    template = templates.get(lang) or templates[DEFAULT_LANGUAGE]
    if not isinstance(lang, str) or lang not in templates:
        lang = DEFAULT_LANGUAGE
    if isinstance(template, tuple):
        count = next(
            (message.params[name] for name in _COUNT_PARAMS if name in message.params), None
        )
        template = template[0] if count == 1 else template[1]
    params = {name: _format_param(value, lang) for name, value in message.params.items()}
    return template.format(**params)
