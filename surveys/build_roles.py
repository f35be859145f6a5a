"""The builder's analysis roles: the keys an item's role (acceptance, condition, demographic,
...) requires, checked against the set's own vocabulary (`surveys.build_vocabulary`)."""

from __future__ import annotations

from surveys.build_vocabulary import _VocabularyReader
from surveys.messages import Message
from surveys.model import Item
from surveys.tree import _Map, _Seq
from surveys.types import QUESTION_TYPES, Answer
from surveys.vocabulary import RETIRED_ITEM_KEYS


def _one_category(item: Item) -> bool:
    """Whether an item puts each respondent in one category, as a weighting variable must: one
    option, or a whole number (an age in years, counted by its rounded value)."""
    kind = QUESTION_TYPES.get(item.type)
    if kind is None or kind.per_row:
        return False
    return kind.answer == Answer.OPTION or (kind.answer == Answer.NUMBER and item.integer)


class _Roles(_VocabularyReader):
    """Checks the analysis roles of items (see `surveys.loader._Builder`)."""

    def check_roles(self, entry: _Map, item: Item, where: Message) -> None:
        role = entry.get("role")
        for key, message in RETIRED_ITEM_KEYS.items():
            if key in entry:
                self.problem(entry.line_of(key), message, where=where)
        self.needs_application(entry, role, where)
        if role == "condition":
            if item.rows or entry.get("rows") is not None:
                raw_rows = entry.get("rows")
                for raw in raw_rows if isinstance(raw_rows, _Seq) else ():
                    if isinstance(raw, _Map) and raw.get("condition") is None:
                        self.problem(
                            raw.line,
                            "row %(code)s has no 'condition', which every row of a battery with "
                            "role condition needs (a code declared under vocabulary: conditions)",
                            code=raw.get("code"),
                        )
            elif entry.get("condition") is None:
                self.problem(
                    entry.line_of("role"),
                    "%(where)s has role condition, so it needs 'condition'",
                    where=where,
                )
        if role == "demographic" and not _one_category(item):
            self.problem(
                entry.line_of("role"),
                "%(where)s has role demographic, so it must be a single-choice question (or a "
                "whole number): a weighting variable puts each respondent in one category",
                where=where,
            )
        self.check_role_scale(entry, item, where)
