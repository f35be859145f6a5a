"""Turn stored answers back into the form fields a page shows, so a revisited page is filled in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from surveys.model import Item, Value


def form_fields(items: Sequence[Item], answers: Mapping[str, Value]) -> dict[str, list[str]]:
    """The HTML field values (name -> values) that would submit `answers` for `items` again."""
    fields: dict[str, list[str]] = {}
    for item in items:
        if item.type == "battery":
            for row in item.rows:
                if row.code in answers:
                    fields[row.code] = [str(answers[row.code])]
            continue
        value = answers.get(item.code)
        if value is None:
            continue
        if item.type == "multiple" and isinstance(value, frozenset):
            fields[item.code] = [str(code) for code in sorted(value)]
        elif item.type == "ranking" and isinstance(value, tuple):
            for rank, code in enumerate(value, start=1):
                fields[f"{item.code}.{code}"] = [str(rank)]
        elif isinstance(value, float):
            fields[item.code] = [_number_text(value)]
        else:
            fields[item.code] = [str(value)]
    return fields


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)
