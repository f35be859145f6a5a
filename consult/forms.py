"""Form helpers shared by every audience's forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

#: The largest number a database integer column (an id, a version number) holds.
INT32_MAX = 2**31 - 1


def database_number(text: str) -> int:
    """A whole number from a query string that fits a database integer column; anything else
    raises ValueError, which `request.args.get(..., type=database_number)` turns into None."""
    number = int(text)
    if not 0 <= number <= INT32_MAX:
        raise ValueError(f"{text!r} is out of range")
    return number


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options of a select field from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change state."""


def form_error_entries(*forms: Any) -> list[tuple[str, str]]:
    """An error summary's (link, message) pairs for WTForms forms, each message naming its
    field ("E-mail address: …"); forms a page did not receive (undefined, None) are skipped."""
    entries: list[tuple[str, str]] = []
    for form in forms:
        if not isinstance(form, FlaskForm):
            continue
        for field in form:
            for error in field.errors:
                if not isinstance(error, dict):  # a sub-form's errors are its fields'
                    entries.append((f"#{field.id}", f"{field.label.text}: {error}"))
    return entries
