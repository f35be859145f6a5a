"""The builder's analysis roles: an item's application, and the keys its role
(acceptance, condition, demographic, ...) requires."""

from __future__ import annotations

from surveys.build_base import _Readers
from surveys.messages import Message
from surveys.model import Item
from surveys.types import QUESTION_TYPES
from surveys.vocabulary import (
    APPLICATION,
    CONDITIONS,
    DEMOGRAPHICS,
    ROLES_NEEDING_APPLICATION,
)
from surveys.yaml_read import _Map, _Seq


class _Roles(_Readers):
    """Checks applications and analysis roles of items (see `surveys.loader._Builder`)."""

    def application(self, entry: _Map, where: Message) -> str | None:
        value = entry.get("application")
        if value is None:
            return None
        if not isinstance(value, str) or not APPLICATION.fullmatch(value):
            self.problem(
                entry.line_of("application"),
                "application '%(value)s' of %(where)s is not valid: use lower-case letters, "
                "digits and _, e.g. crispr_crops",
                value=value,
                where=where,
            )
            return None
        return value

    def check_roles(self, entry: _Map, item: Item, where: Message) -> None:
        role = entry.get("role")
        line = entry.line_of("role")
        if role in ROLES_NEEDING_APPLICATION:
            for key in ("application", "domain"):
                if entry.get(key) is None:
                    self.problem(
                        line,
                        "%(where)s has role %(role)s, so it needs '%(key)s'",
                        where=where,
                        role=role,
                        key=key,
                    )
        if role == "condition":
            kind = QUESTION_TYPES.get(item.type)
            if kind is not None and kind.per_row:
                raw_rows = entry.get("rows")
                for raw in raw_rows if isinstance(raw_rows, _Seq) else ():
                    if isinstance(raw, _Map) and raw.get("condition") is None:
                        self.problem(
                            raw.line,
                            "row %(code)s has no 'condition', which every row of a battery with "
                            "role condition needs (%(allowed)s)",
                            code=raw.get("code"),
                            allowed=", ".join(CONDITIONS),
                        )
            elif entry.get("condition") is None:
                self.problem(
                    line, "%(where)s has role condition, so it needs 'condition'", where=where
                )
        if role == "demographic" and entry.get("demographic") is None:
            self.problem(
                line,
                "%(where)s has role demographic, so it needs 'demographic' (%(allowed)s)",
                where=where,
                allowed=", ".join(DEMOGRAPHICS),
            )
        if entry.get("demographic") is not None and role != "demographic":
            self.problem(
                entry.line_of("demographic"),
                "%(where)s has 'demographic' but not role: demographic",
                where=where,
            )
