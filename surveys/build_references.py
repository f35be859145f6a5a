"""The builder's show_if conditions: parsed where they are written, then checked once every
code is known (existence, answer, earlier page, option codes, value types)."""

from __future__ import annotations

from surveys.build_base import _Readers, _Reference
from surveys.expressions import (
    Call,
    Compare,
    Expr,
    ExpressionError,
    Literal,
    Name,
    TupleLiteral,
)
from surveys.expressions import parse as parse_expression
from surveys.messages import N_, Message
from surveys.model import Item
from surveys.tree import _Map
from surveys.types import Answer, question_type
from surveys.vocabulary import (
    _fmt,
    _is_number,
    _suggest,
)


class _References(_Readers):
    """Parses show_if conditions and checks what they refer to (see `surveys.loader._Builder`)."""

    def expression(
        self, entry: _Map, where: Message, page_index: int
    ) -> tuple[Expr | None, str | None]:
        source = entry.get("show_if")
        if source is None:
            return None, None
        line = entry.line_of("show_if")
        if not isinstance(source, str):
            self.problem(
                line,
                'show_if of %(where)s must be a condition in quotes, e.g. "Q1 == 1"',
                where=where,
            )
            return None, None
        try:
            expr = parse_expression(source)
        except ExpressionError as exc:
            # The condition parser's own explanation stays English (see surveys.expressions).
            self.problem(
                line,
                "show_if of %(where)s is not a valid condition: %(error)s "
                '(at character %(column)s of "%(source)s")',
                where=where,
                error=exc.message,
                column=exc.column,
                source=source,
            )
            return None, source
        self.references.append(_Reference(expr, source, line, page_index, where))
        return expr, source

    # ---- show_if references -----------------------------------------------------------

    def check_references(self) -> None:
        """Every code in a show_if must exist, have an answer, and be on an earlier page."""
        owners: dict[str, tuple[Item, int]] = {}
        items: dict[str, tuple[Item, int]] = {}
        for index, page in enumerate(self.pages):
            for item in page.items:
                items[item.code] = (item, index)
                for code in item.answer_codes:
                    owners[code] = (item, index)
        for ref in self.references:
            messages: list[Message] = []
            for node in ref.expr.walk():
                if isinstance(node, Name | Call):
                    messages.extend(self.check_target(ref, node, owners, items))
                if isinstance(node, Compare):
                    messages.extend(self.check_comparison(ref, node, owners))
            for message in dict.fromkeys(messages):
                self.problem(ref.line, message)

    def check_target(
        self,
        ref: _Reference,
        node: Name | Call,
        owners: dict[str, tuple[Item, int]],
        items: dict[str, tuple[Item, int]],
    ) -> list[Message]:
        """Whole sentences "show_if of <where> ..." about one code the condition uses."""
        code = node.code
        where = ref.where
        if code not in owners:
            if code in items:
                item = items[code][0]
                if question_type(item).per_row:
                    example = item.rows[0].code if item.rows else f"{code}_1"
                    return [
                        Message(
                            "show_if of %(where)s refers to battery %(code)s; refer to one of its "
                            "rows instead, e.g. %(example)s",
                            {"where": where, "code": code, "example": example},
                        )
                    ]
                return [
                    Message(
                        "show_if of %(where)s refers to %(code)s, an info item that has no answer",
                        {"where": where, "code": code},
                    )
                ]
            guess = _suggest(code, [*owners, *items])
            if guess is None:
                return [
                    Message(
                        "show_if of %(where)s refers to %(code)s, but there is no item or row "
                        "with that code",
                        {"where": where, "code": code},
                    )
                ]
            return [
                Message(
                    "show_if of %(where)s refers to %(code)s, but there is no item or row with "
                    "that code (did you mean '%(guess)s'?)",
                    {"where": where, "code": code, "guess": guess},
                )
            ]
        item, target_index = owners[code]
        kind = question_type(item)
        messages: list[Message] = []
        function = node.function if isinstance(node, Call) else None
        if function in ("selected", "count") and function not in kind.functions:
            messages.append(
                Message(
                    "show_if of %(where)s uses %(function)s() on %(code)s, which is a %(type)s "
                    "item; %(function)s() only works on multiple-choice items",
                    {"where": where, "function": function, "code": code, "type": item.type},
                )
            )
        if (
            isinstance(node, Call)
            and function == "selected"
            and function in kind.functions
            and node.option is not None
            and item.choice(node.option) is None
        ):
            messages.append(
                Message(
                    "show_if of %(where)s uses selected(%(code)s, %(option)s), but %(code)s has "
                    "no option %(option)s",
                    {"where": where, "code": code, "option": node.option},
                )
            )
        if isinstance(node, Name) and not kind.compared:
            messages.append(
                Message(
                    "show_if of %(where)s compares %(code)s, a %(type)s item, directly; use "
                    "selected(%(code)s, OPTION) or count(%(code)s) instead",
                    {"where": where, "code": code, "type": item.type},
                )
            )
        page = self.pages[ref.page_index]
        target = self.pages[target_index]
        block = next((b for b in self.blocks if b.id == page.block), None)
        shuffled = block is not None and (block.randomize or block.sample is not None)
        if target_index == ref.page_index:
            messages.append(
                Message(
                    "show_if of %(where)s refers to %(code)s, which is on the same page; a "
                    "condition can only use answers from earlier pages",
                    {"where": where, "code": code},
                )
            )
        elif shuffled and block is not None and target.block == block.id:
            params = {"where": where, "code": code, "page": target.id, "block": block.id}
            if block.randomize:
                message = N_(
                    "show_if of %(where)s refers to %(code)s on page %(page)s, in the same "
                    "randomized block %(block)s; pages of such a block are not shown in a fixed "
                    "order, so they cannot depend on each other"
                )
            else:
                message = N_(
                    "show_if of %(where)s refers to %(code)s on page %(page)s, in the same "
                    "sampled block %(block)s; pages of such a block are not shown in a fixed "
                    "order, so they cannot depend on each other"
                )
            messages.append(Message(message, params))
        elif target_index > ref.page_index:
            messages.append(
                Message(
                    "show_if of %(where)s refers to %(code)s, which is on a later page "
                    "(%(page)s); a condition can only use answers from earlier pages",
                    {"where": where, "code": code, "page": target.id},
                )
            )
        return messages

    def check_comparison(
        self, ref: _Reference, node: Compare, owners: dict[str, tuple[Item, int]]
    ) -> list[Message]:
        """Catch typos such as comparing a choice question with an option it does not have."""
        sides = [(node.left, node.right), (node.right, node.left)]
        for name, other in sides:
            if not isinstance(name, Name) or name.code not in owners:
                continue
            item = owners[name.code][0]
            answer = question_type(item).answer
            if isinstance(other, Literal):
                values: tuple[object, ...] = (other.value,)
            elif isinstance(other, TupleLiteral):
                values = other.values
            else:
                continue
            if answer is Answer.OPTION and item.choices:
                if any(isinstance(value, str) for value in values):
                    return [
                        Message(
                            "show_if of %(where)s compares %(code)s with a text, but its answers "
                            "are option codes",
                            {"where": ref.where, "code": name.code},
                        )
                    ]
                if node.op not in ("<", "<=", ">", ">="):
                    for value in values:
                        if isinstance(value, bool) or not isinstance(value, int | float):
                            continue
                        if not float(value).is_integer() or item.choice(int(value)) is None:
                            return [
                                Message(
                                    "show_if of %(where)s compares %(code)s with %(value)s, "
                                    "which is not one of its option codes",
                                    {"where": ref.where, "code": name.code, "value": _fmt(value)},
                                )
                            ]
            if answer is Answer.NUMBER and any(isinstance(v, str) for v in values):
                return [
                    Message(
                        "show_if of %(where)s compares %(code)s with a text, but its answer is a "
                        "number",
                        {"where": ref.where, "code": name.code},
                    )
                ]
            if answer is Answer.TEXT and any(_is_number(v) for v in values):
                return [
                    Message(
                        "show_if of %(where)s compares %(code)s with a number, but its answer is "
                        "a text; put the value in quotes",
                        {"where": ref.where, "code": name.code},
                    )
                ]
        return []
