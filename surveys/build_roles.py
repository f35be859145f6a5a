"""The builder's analysis roles: the keys an item's role (acceptance, condition, demographic,
...) requires, checked against the set's own vocabulary (`surveys.build_vocabulary`)."""

from __future__ import annotations

from surveys.build_vocabulary import _VocabularyReader
from surveys.messages import Message
from surveys.model import Item
from surveys.vocabulary import RETIRED_ITEM_KEYS
from surveys.yaml_read import _Map, _Seq

#: Types that put each respondent in one category: one option, or a whole number (an age in
#: years, counted by its rounded value).
WEIGHTING_TYPES = ("single", "likert", "number")


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
        if role == "demographic" and (
            item.type not in WEIGHTING_TYPES or (item.type == "number" and not item.integer)
        ):
            self.problem(
                entry.line_of("role"),
                "%(where)s has role demographic, so it must be a single-choice question (or a "
                "whole number): a weighting variable puts each respondent in one category",
                where=where,
            )
        self.check_role_scale(entry, item, where)
