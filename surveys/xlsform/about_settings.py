"""The `about` key on an XLSForm settings sheet: one column per part (`about_sender`,
`about_sender::en`, `about_privacy_rights`, ...), so a workbook carries the same frame as YAML."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from surveys.model import About, Text
from surveys.vocabulary import PRIVACY_KEYS

TEXT_KEYS = ("sender", "contact", "accessibility", "results_where")
PLAIN_KEYS = ("logo", "closes_on", "results_on")
#: Column base -> the path of its value under `about`.
TEXT_COLUMNS = {
    **{f"about_{key}": (key,) for key in TEXT_KEYS},
    **{f"about_privacy_{key}": ("privacy", key) for key in PRIVACY_KEYS},
}
PLAIN_COLUMNS = {f"about_{key}": (key,) for key in PLAIN_KEYS}


def columns(languages: Sequence[str]) -> list[str]:
    """The settings columns, each text in Dutch and then in each further language."""
    found = [
        name
        for base in TEXT_COLUMNS
        for name in (base, *(f"{base}::{lang}" for lang in languages[1:]))
    ]
    return found + list(PLAIN_COLUMNS)


def fill(row: dict[str, object], about: About | None, languages: Sequence[str]) -> None:
    """Write `about` into a settings row."""
    if about is None:
        return
    for base, path in TEXT_COLUMNS.items():
        text = _at(about, path)
        if isinstance(text, Text):
            values = text.as_dict()
            row[base] = values.get("nl")
            for lang in languages[1:]:
                row[f"{base}::{lang}"] = values.get(lang)
    for base, path in PLAIN_COLUMNS.items():
        value = _at(about, path)
        row[base] = None if value is None else str(value)


def read(text_of: Callable[[str], object], plain_of: Callable[[str], object]) -> dict | None:
    """The `about` mapping from a settings row (None when it has no about column)."""
    about: dict = {}
    for base, path in TEXT_COLUMNS.items():
        value = text_of(base)
        if value:
            target = about
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = value
    for base, path in PLAIN_COLUMNS.items():
        value = plain_of(base)
        if value:
            about[path[-1]] = value
    return about or None


def _at(about: About, path: tuple[str, ...]) -> object:
    value: object = about
    for key in path:
        value = getattr(value, key)
    return value


def as_mapping(about: About | None) -> dict | None:
    """`about` as the YAML mapping it was written as (dates as 2027-01-31)."""
    if about is None:
        return None
    mapping: dict = {}
    for path in (*TEXT_COLUMNS.values(), *PLAIN_COLUMNS.values()):
        value = _at(about, path)
        if value is None:
            continue
        target = mapping
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value.as_dict() if isinstance(value, Text) else str(value)
    return mapping
