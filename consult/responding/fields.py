"""Turn stored answers back into the form fields a page shows, so a revisited page is filled in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from surveys.model import Item, Value
from surveys.types import question_type


def form_fields(items: Sequence[Item], answers: Mapping[str, Value]) -> dict[str, list[str]]:
    """The HTML field values (name -> values) that would submit `answers` for `items` again."""
    fields: dict[str, list[str]] = {}
    for item in items:
        fields.update(question_type(item).form_fields(item, answers))
    return fields
