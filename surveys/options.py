"""Options named in data files: by option code, choice name or label.

Margins and imported responses come from other tools as often as from ours: an ODK or
KoboToolbox export writes choice names (`m`, `18-34`), a spreadsheet typed by hand may use the
labels. One rule reads them all, so a value means the same in every file:

1. an option code (`2`);
2. else a choice name, exactly (`m`), then ignoring case (`M`);
3. else a label in any language of the set, ignoring case and spacing (`zeer  AANVAARDBAAR`).

The first step that finds anything decides. A step that finds two options (a label two options
share) is ambiguous, never a guess: the caller reports both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from surveys.model import Choice

_CODE = re.compile(r"[+-]?\d{1,6}")


def _folded(text: str) -> str:
    """`text` compared without regard to case, spacing or Unicode composition."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def match_options(choices: Sequence[Choice], raw: str) -> tuple[Choice, ...]:
    """The options `raw` names: one when it is clear, none when it names no option, two or more
    when it is ambiguous."""
    value = raw.strip()
    if not value:
        return ()
    if _CODE.fullmatch(value):
        by_code = tuple(choice for choice in choices if choice.code == int(value))
        if by_code:
            return by_code
    exact = tuple(choice for choice in choices if choice.name == value)
    if exact:
        return exact
    folded = _folded(value)
    by_name = tuple(
        choice for choice in choices if choice.name is not None and _folded(choice.name) == folded
    )
    if by_name:
        return by_name
    return tuple(
        choice
        for choice in choices
        if any(_folded(text) == folded for _, text in choice.label.translations)
    )


def option_parts(choices: Sequence[Choice], raw: str) -> list[str]:
    """The options in a multiple-choice or ranking value, in their order.

    Ours joins codes with ';', ODK and KoboToolbox join choice names with spaces. A value that
    names one option as a whole (a label with spaces) is that option; otherwise it is split on
    ';' when it has one (so labels with spaces can be joined by ';'), else on spaces.
    """
    value = raw.strip()
    if not value:
        return []
    if len(match_options(choices, value)) == 1:
        return [value]
    parts = value.split(";") if ";" in value else value.split()
    return [part.strip() for part in parts if part.strip()]


def option_name(choice: Choice) -> str:
    """How an option is named in a problem: its code, with its choice name when it has one."""
    return f"{choice.code} ({choice.name})" if choice.name else str(choice.code)


def option_names(choices: Sequence[Choice]) -> str:
    """Every option of a list, for a problem that says which values are allowed."""
    return ", ".join(option_name(choice) for choice in choices)
