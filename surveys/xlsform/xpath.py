"""XLSForm's XPath conditions and constraints, translated into the question-set language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from surveys.expressions import (
    And,
    Call,
    Compare,
    Expr,
    Literal,
    Name,
    Not,
    Or,
    TupleLiteral,
)
from surveys.vocabulary import CODE
from surveys.xlsform.sheets import _cell_text, _number
from surveys.xlsform.yaml_write import _number_text


class _XPathError(Exception):
    """A condition that cannot be translated; the message says why, in plain words."""


@dataclass(frozen=True)
class _XNode:
    """A node of a parsed XPath condition: kind plus operands."""

    kind: str  # or, and, cmp, call, ref, str, num, dot
    value: Any = None
    args: tuple[_XNode, ...] = ()


_XPATH_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{[^}]*\})
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<num>\d+(?:\.\d*)?|\.\d+)
    | (?P<op>!=|<=|>=|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[A-Za-z_][A-Za-z0-9_.:-]*)
    | (?P<dot>\.)
    | (?P<minus>-)
    | (?P<other>\S)
    )""",
    re.VERBOSE,
)
_MIRROR = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class _XPathParser:
    """The small XPath subset XLSForm conditions use: and/or/not, comparisons, a few calls."""

    def __init__(self, source: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(source):
            match = _XPATH_TOKEN.match(source, pos)
            if match is None or match.end() == pos:
                break
            kind = match.lastgroup or "other"
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.tokens.append(("end", ""))
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if token[0] != "end":
            self.pos += 1
        return token

    def expect(self, text: str) -> None:
        kind, found = self.take()
        if found != text:
            raise _XPathError(f"expected '{text}' but found '{found or 'the end'}'")

    def parse(self) -> _XNode:
        node = self.parse_or()
        kind, text = self.peek()
        if kind != "end":
            raise _XPathError(_unexpected(kind, text))
        return node

    def parse_or(self) -> _XNode:
        parts = [self.parse_and()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else _XNode("or", args=tuple(parts))

    def parse_and(self) -> _XNode:
        parts = [self.parse_comparison()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.parse_comparison())
        return parts[0] if len(parts) == 1 else _XNode("and", args=tuple(parts))

    def parse_comparison(self) -> _XNode:
        left = self.parse_primary()
        kind, text = self.peek()
        if kind != "op":
            return left
        self.take()
        right = self.parse_primary()
        if self.peek()[0] == "op":
            raise _XPathError("chained comparisons cannot be translated")
        return _XNode("cmp", text, (left, right))

    def parse_primary(self) -> _XNode:
        kind, text = self.take()
        if kind == "ref":
            return _XNode("ref", text[2:-1].strip())
        if kind == "str":
            return _XNode("str", text[1:-1])
        if kind == "num":
            return _XNode("num", _number(text))
        if kind == "minus" and self.peek()[0] == "num":
            return _XNode("num", -(_number(self.take()[1]) or 0))
        if kind == "dot":
            return _XNode("dot")
        if kind == "punct" and text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if kind == "word" and self.peek() == ("punct", "("):
            self.take()
            args: list[_XNode] = []
            if self.peek() != ("punct", ")"):
                args.append(self.parse_or())
                while self.peek() == ("punct", ","):
                    self.take()
                    args.append(self.parse_or())
            self.expect(")")
            return _XNode("call", text, tuple(args))
        if kind == "end":
            raise _XPathError("it ends too early")
        raise _XPathError(_unexpected(kind, text))


def _unexpected(kind: str, text: str) -> str:
    """Why a token cannot be translated, in the author's terms."""
    if kind == "word" and text in ("div", "mod"):
        return f"arithmetic ({text}) cannot be translated"
    if kind in ("other", "minus") and text in "‘’“”":
        return f"it uses the typographic quote {text}; use straight quotes ' or \""
    if kind in ("other", "minus") and text in "+-*|/":
        return f"'{text}' (arithmetic or paths) cannot be translated"
    return f"'{text}' cannot be translated"


@dataclass(frozen=True)
class _Target:
    """What a condition needs to know about a question it names."""

    kind: str  # choice, multiple, ranking, number, text, info
    list_name: str | None = None


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _ConditionTranslator:
    """Turns an XLSForm `relevant` into a `show_if` of our language (or says why not)."""

    def __init__(
        self,
        targets: Mapping[str, _Target],
        codes: Mapping[str, Mapping[str, int]],
        skipped: Mapping[str, str],
    ) -> None:
        self.targets = targets
        self.codes = codes
        self.skipped = skipped

    def translate(self, source: str) -> str:
        text, _ = self.condition(_XPathParser(source).parse())
        return text

    def option_names(self) -> dict[str, dict[int, str]]:
        """Per question, the choice names of a list of words (what `xpath_of` writes for it)."""
        return {
            name: words
            for name, target in self.targets.items()
            if target.list_name is not None
            and (
                words := {
                    code: word
                    for word, code in self.codes.get(target.list_name, {}).items()
                    if _number(word) is None
                }
            )
        }

    def condition(self, node: _XNode) -> tuple[str, str]:
        """(text, precedence): precedence is or, and or atom, for parentheses."""
        if node.kind in ("or", "and"):
            parts = []
            for arg in node.args:
                text, level = self.condition(arg)
                needs = level == "or" and node.kind == "and"
                parts.append(f"({text})" if needs else text)
            return f" {node.kind} ".join(parts), node.kind
        if node.kind == "call" and node.value == "not":
            if len(node.args) != 1:
                raise _XPathError("not() takes one condition")
            text, level = self.condition(node.args[0])
            return (f"not {text}" if level == "atom" else f"not ({text})"), "atom"
        if node.kind == "call" and node.value == "selected":
            return self.selected(node), "atom"
        if node.kind == "cmp":
            return self.comparison(node), "atom"
        if node.kind == "ref":
            return f"answered({self.code(node.value)})", "atom"
        if node.kind == "call" and node.value == "count-selected":
            raise _XPathError("count-selected() must be compared with a number")
        if node.kind == "call":
            raise _XPathError(f"the function {node.value}() has no equivalent")
        if node.kind == "dot":
            raise _XPathError("'.' (the question itself) cannot be used in relevant")
        raise _XPathError(f"'{self.describe(node)}' on its own is not a condition")

    def describe(self, node: _XNode) -> str:
        return str(node.value) if node.value is not None else node.kind

    def code(self, name: str) -> str:
        if name in self.skipped:
            raise _XPathError(
                f"it refers to ${{{name}}}, which is not imported ({self.skipped[name]})"
            )
        if not CODE.fullmatch(name):
            raise _XPathError(f"${{{name}}} is not a valid question code")
        return name

    def option(self, name: str, value: _XNode) -> int:
        """An option name or number as the option code of `name`'s choice list."""
        target = self.targets.get(name)
        raw = _cell_text(value.value) if value.kind in ("str", "num") else None
        if raw is None:
            raise _XPathError("an option must be a quoted choice name")
        if target is not None and target.list_name is not None:
            codes = self.codes.get(target.list_name, {})
            if raw in codes:
                return codes[raw]
            number = _number(raw)
            if codes and not isinstance(number, int):
                raise _XPathError(f"'{raw}' is not a choice of list {target.list_name}")
        number = _number(raw)
        if not isinstance(number, int):
            raise _XPathError(f"option '{raw}' is not a whole number")
        return number

    def selected(self, node: _XNode) -> str:
        if len(node.args) != 2 or node.args[0].kind != "ref":
            raise _XPathError("selected() needs a question and a choice, e.g. selected(${Q}, '2')")
        name = node.args[0].value
        code = self.code(name)
        option = self.option(name, node.args[1])
        target = self.targets.get(name)
        if target is not None and target.kind == "choice":
            return f"{code} == {option}"
        return f"selected({code}, {option})"

    def comparison(self, node: _XNode) -> str:
        op = node.value
        left, right = node.args
        if left.kind in ("str", "num") and right.kind in ("ref", "call"):
            left, right, op = right, left, _MIRROR[op]
        if left.kind == "ref" and right.kind == "str" and right.value == "":
            if op == "=":
                return f"not answered({self.code(left.value)})"
            if op == "!=":
                return f"answered({self.code(left.value)})"
            raise _XPathError(f"'{op} \"\"' cannot be translated")
        left_text = self.operand(left, None)
        right_text = self.operand(right, left)
        if op == "=":
            return f"{left_text} == {right_text}"
        if op == "!=":
            # XPath's != is true for an unanswered question; ours is not, hence `not ==`.
            return f"not {left_text} == {right_text}"
        return f"{left_text} {op} {right_text}"

    def operand(self, node: _XNode, other: _XNode | None) -> str:
        if node.kind == "ref":
            return self.code(node.value)
        if node.kind == "call" and node.value == "count-selected":
            if len(node.args) != 1 or node.args[0].kind != "ref":
                raise _XPathError("count-selected() needs one question, e.g. ${Q}")
            return f"count({self.code(node.args[0].value)})"
        if node.kind in ("str", "num"):
            target = self.targets.get(other.value) if other and other.kind == "ref" else None
            if target is not None and target.kind in ("choice", "multiple", "ranking"):
                return str(self.option(other.value if other else "", node))
            if target is not None and target.kind == "text":
                return _quote(_cell_text(node.value))
            number = node.value if node.kind == "num" else None
            if target is not None and target.kind == "number" and number is None:
                number = _number(node.value)  # '18' compared with a number question
            if isinstance(number, int | float):
                return _number_text(number)
            return _quote(node.value)
        if node.kind == "call":
            raise _XPathError(f"the function {node.value}() has no equivalent")
        if node.kind == "dot":
            raise _XPathError("'.' (the question itself) cannot be used in relevant")
        raise _XPathError("only questions, numbers and quoted texts can be compared")


def _constraint_bounds(source: str, subject: str, whole: bool) -> dict[str, int | float]:
    """min/max from `. >= 18 and . <= 120`, `count-selected(.) <= 2`, `string-length(.) <= 200`.

    `subject` is dot, count-selected or string-length; `whole` allows `>`/`<` (as +1/-1).
    """
    tree = _XPathParser(source).parse()
    terms = tree.args if tree.kind == "and" else (tree,)
    bounds: dict[str, int | float] = {}
    for term in terms:
        if term.kind != "cmp":
            raise _XPathError("only comparisons joined with 'and' can be translated")
        op = term.value
        left, right = term.args
        if left.kind == "num":
            left, right, op = right, left, _MIRROR[op]
        matches = (subject == "dot" and left.kind == "dot") or (
            left.kind == "call"
            and left.value == subject
            and len(left.args) == 1
            and left.args[0].kind == "dot"
        )
        if not matches or right.kind != "num" or right.value is None:
            raise _XPathError("only comparisons of the answer with a number can be translated")
        number = right.value
        if op in (">", "<"):
            if not whole or not isinstance(number, int):
                raise _XPathError(f"'{op}' cannot be translated here; use >= or <=")
            key, number = ("min", number + 1) if op == ">" else ("max", number - 1)
        elif op in (">=", "<="):
            key = "min" if op == ">=" else "max"
        else:
            raise _XPathError(f"'{op}' cannot be translated; use >= and <=")
        if key in bounds:
            raise _XPathError(f"it gives the {'minimum' if key == 'min' else 'maximum'} twice")
        bounds[key] = number
    return bounds


def _xpath_value(expr: Expr, names: Mapping[int, str] | None = None) -> str:
    """An operand as XPath; `names` (an option code's choice name) for the literal compared with
    a question whose options are written by name."""
    if isinstance(expr, Name):
        return f"${{{expr.code}}}"
    if isinstance(expr, Literal):
        if isinstance(expr.value, str):
            return _xpath_string(expr.value)
        if names and isinstance(expr.value, int) and expr.value in names:
            return _xpath_string(names[expr.value])
        return _number_text(expr.value)
    if isinstance(expr, Call) and expr.function == "count":
        return f"count-selected(${{{expr.code}}})"
    raise ValueError(f"cannot write {expr} as an XPath value")


def _xpath_string(text: str) -> str:
    """An XPath 1.0 string literal; it has no escapes, so both quotes need concat()."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    pieces = [f"'{piece}'" for piece in text.split("'")]
    return "concat(" + ', "\'", '.join(pieces) + ")"


_OptionNames = Mapping[str, Mapping[int, str]]


def _xpath(expr: Expr, names: _OptionNames) -> tuple[str, str | None]:
    """(XPath text, its top operator or None), so callers add parentheses only when needed."""

    def inner(child: Expr, parent: str) -> str:
        text, op = _xpath(child, names)
        return f"({text})" if op is not None and op != parent else text

    if isinstance(expr, Or | And):
        op = "or" if isinstance(expr, Or) else "and"
        return f"{inner(expr.left, op)} {op} {inner(expr.right, op)}", op
    if isinstance(expr, Not):
        return f"not({_xpath(expr.operand, names)[0]})", None
    if isinstance(expr, Call):
        ref = f"${{{expr.code}}}"
        if expr.function == "answered":
            return f"{ref} != ''", None
        if expr.function == "selected":
            option = str(expr.option)
            if expr.option is not None:
                option = names.get(expr.code, {}).get(expr.option, option)
            return f"selected({ref}, {_xpath_string(option)})", None
        return f"count-selected({ref})", None
    if isinstance(expr, Compare):
        sides = (expr.left, expr.right)
        # An option of a question whose options are named is written as its name (an order
        # between names means nothing, so >, >= ... keep the codes).
        named = next((names.get(side.code) for side in sides if isinstance(side, Name)), None)
        if expr.op not in ("==", "!=", "in", "not in"):
            named = None
        left = _xpath_value(expr.left, named)
        # Our comparisons are false for an unanswered question; XPath's != and "not in" are
        # true, so those get an explicit "answered" guard.
        guards = [f"{_xpath_value(side)} != ''" for side in sides if isinstance(side, Name)]
        if expr.op in ("in", "not in"):
            values = expr.right.values if isinstance(expr.right, TupleLiteral) else ()
            if expr.op == "in":
                terms = [f"{left} = {_xpath_value(Literal(value), named)}" for value in values]
                return " or ".join(terms), "or" if len(terms) > 1 else None
            terms = guards[:1] + [
                f"{left} != {_xpath_value(Literal(value), named)}" for value in values
            ]
            return " and ".join(terms), "and" if len(terms) > 1 else None
        right = _xpath_value(expr.right, named)
        if expr.op == "!=":
            terms = [*guards, f"{left} != {right}"]
            return " and ".join(terms), "and" if len(terms) > 1 else None
        op = "=" if expr.op == "==" else expr.op
        return f"{left} {op} {right}", None
    raise ValueError(f"cannot write {expr} as XPath")


def xpath_of(expr: Expr, names: _OptionNames | None = None) -> str:
    """A `show_if` written as an XLSForm `relevant` with the same meaning (for other tools).

    `names` gives, per answer code, the choice names its options are written with in the
    choices sheet; options of other questions are written as their codes."""
    return _xpath(expr, names or {})[0]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)
