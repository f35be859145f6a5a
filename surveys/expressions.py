"""The `show_if` language: a hand-written tokenizer and recursive-descent parser.

Conditions come from question-set authors, so they are parsed into a small tree and evaluated by
walking it; nothing is ever passed to `eval`. Grammar (lowest precedence first)::

    condition  := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := operand (("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                           | ("in" | "not" "in") tuple)?
    operand    := NUMBER | STRING | CODE | tuple | "(" condition ")"
                | "answered" "(" CODE ")" | "selected" "(" CODE "," INTEGER ")"
                | "count" "(" CODE ")"
    tuple      := "(" literal ("," literal)* ","? ")"

Conditions (`and`, `or`, `not`, comparisons, `answered`, `selected`) and values (codes, literals,
`count`) are kept apart while parsing, so `not AGE` or `answered(X) == 1` are reported as errors
instead of silently meaning something odd.
"""

from __future__ import annotations

import operator
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.model import Value

#: Words with a meaning in expressions; item codes may not use them.
KEYWORDS = frozenset({"and", "or", "not", "in"})
FUNCTIONS = frozenset({"answered", "selected", "count"})
RESERVED_WORDS = KEYWORDS | FUNCTIONS

Scalar = int | float | str
#: What evaluating a node can give: a condition, an answer, a literal tuple, or None (no answer).
Result = bool | Value | tuple[Scalar, ...] | None

COMPARISON_OPERATORS = ("==", "!=", "<=", ">=", "<", ">")


class ExpressionError(Exception):
    """A syntax error, with the 1-based column where it was found."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message, column)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (at column {self.column})"


# --------------------------------------------------------------------------- tree


class Expr(ABC):
    """A node of a parsed expression."""

    column: int
    #: True for nodes that give a yes/no answer (usable after `and`, `or`, `not`, `show_if`).
    is_condition: bool = False

    @abstractmethod
    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        """The value of this node given the answers so far (absent or None = unanswered)."""

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions, for `walk`."""
        return ()

    def walk(self) -> Iterator[Expr]:
        """This node and every node below it, so validators can inspect the whole tree."""
        yield self
        for child in self.children():
            yield from child.walk()

    def references(self) -> frozenset[str]:
        """Item codes this expression reads."""
        codes: set[str] = set()
        for node in self.walk():
            if isinstance(node, Name | Call):
                codes.add(node.code)
        return frozenset(codes)


@dataclass(frozen=True)
class Literal(Expr):
    """A number or a quoted string."""

    value: Scalar
    column: int = 0

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return self.value

    def __str__(self) -> str:
        return repr(self.value) if isinstance(self.value, str) else str(self.value)


@dataclass(frozen=True)
class TupleLiteral(Expr):
    """A parenthesised list of literals, the right-hand side of `in`."""

    values: tuple[Scalar, ...]
    column: int = 0

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return self.values

    def __str__(self) -> str:
        return "(" + ", ".join(str(Literal(value)) for value in self.values) + ")"


@dataclass(frozen=True)
class Name(Expr):
    """An item (or battery row) code: evaluates to the answer given, or None."""

    code: str
    column: int = 0

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return answers.get(self.code)

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Compare(Expr):
    """`left OP right`; false whenever either side has no answer."""

    op: str
    left: Expr
    right: Expr
    column: int = 0
    is_condition = True

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return compare(self.op, self.left.evaluate(answers), self.right.evaluate(answers))

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class And(Expr):
    """Both conditions hold (the right side is not evaluated when the left is false)."""

    left: Expr
    right: Expr
    column: int = 0
    is_condition = True

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return self.left.evaluate(answers) is True and self.right.evaluate(answers) is True

    def __str__(self) -> str:
        return f"({self.left} and {self.right})"


@dataclass(frozen=True)
class Or(Expr):
    """At least one of the conditions holds."""

    left: Expr
    right: Expr
    column: int = 0
    is_condition = True

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return self.left.evaluate(answers) is True or self.right.evaluate(answers) is True

    def __str__(self) -> str:
        return f"({self.left} or {self.right})"


@dataclass(frozen=True)
class Not(Expr):
    """The condition does not hold."""

    operand: Expr
    column: int = 0
    is_condition = True

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        return self.operand.evaluate(answers) is not True

    def __str__(self) -> str:
        return f"not {self.operand}"


@dataclass(frozen=True)
class Call(Expr):
    """`answered(CODE)`, `selected(CODE, OPTION)` or `count(CODE)`."""

    function: str
    code: str
    option: int | None = None
    column: int = 0

    @property
    def is_condition(self) -> bool:  # type: ignore[override]
        """`count` gives a number; the other two give yes/no."""
        return self.function != "count"

    def evaluate(self, answers: Mapping[str, Value | None]) -> Result:
        value = answers.get(self.code)
        if self.function == "answered":
            return _is_answered(value)
        if self.function == "selected":
            return isinstance(value, frozenset) and self.option in value
        # count: the number of options selected; a single answer counts as one.
        if isinstance(value, frozenset | tuple):
            return len(value)
        return 1 if _is_answered(value) else 0

    def __str__(self) -> str:
        if self.function == "selected":
            return f"selected({self.code}, {self.option})"
        return f"{self.function}({self.code})"


def _is_answered(value: object) -> bool:
    """None, an empty text and an empty selection all mean 'not answered'."""
    if value is None:
        return False
    return not (isinstance(value, str | frozenset | tuple) and len(value) == 0)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equal(left: object, right: object) -> bool:
    if _is_number(left) and _is_number(right):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    return False


def compare(op: str, left: Result, right: Result) -> bool:
    """Compare two operand values; an unanswered side (None) or a selection is never true."""
    if left is None or right is None:
        return False
    if isinstance(left, frozenset | tuple):
        return False  # multiple/ranking answers: use selected() and count() instead
    if op in ("in", "not in"):
        if not isinstance(right, tuple):
            return False
        found = any(_equal(left, candidate) for candidate in right)
        return found if op == "in" else not found
    if isinstance(right, frozenset | tuple):
        return False
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    both_numbers = _is_number(left) and _is_number(right)
    both_texts = isinstance(left, str) and isinstance(right, str)
    if not (both_numbers or both_texts):
        return False
    return bool(_ORDERINGS[op](left, right))


_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def evaluate(expr: Expr | None, answers: Mapping[str, Value | None]) -> bool:
    """Whether a `show_if` holds; no condition at all means 'always shown'."""
    if expr is None:
        return True
    return expr.evaluate(answers) is True


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One lexical unit with its 1-based column."""

    kind: str  # number, string, name, keyword, op, "(", ")", ",", end
    text: str
    column: int
    value: Scalar | None = None


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def tokenize(source: str) -> list[Token]:
    """Split an expression into tokens; anything unexpected is an error at its column."""
    tokens: list[Token] = []
    pos = 0
    length = len(source)
    while pos < length:
        char = source[pos]
        column = pos + 1
        if char in " \t\r\n":
            pos += 1
            continue
        if char.isdigit() or (char == "-" and pos + 1 < length and source[pos + 1].isdigit()):
            start = pos + 1 if char == "-" else pos
            match = _NUMBER.match(source, start)
            assert match is not None  # guarded by isdigit above
            text = match.group()
            end = match.end()
            if end < length and (source[end].isalpha() or source[end] == "_"):
                raise ExpressionError(f"a number cannot be followed by '{source[end]}'", end + 1)
            if end < length and source[end] == ".":
                raise ExpressionError("a number can have only one decimal point", end + 1)
            sign = -1 if char == "-" else 1
            number: int | float = sign * (float(text) if "." in text else int(text))
            tokens.append(Token("number", source[pos:end], column, number))
            pos = end
            continue
        if char in "'\"":
            value, pos = _read_string(source, pos)
            tokens.append(Token("string", source[column - 1 : pos], column, value))
            continue
        if char.isalpha():
            match = _NAME.match(source, pos)
            if match is None:  # a letter outside A-Z, e.g. an accented one
                raise ExpressionError(
                    f"unexpected character '{char}': codes use only the letters A-Z, digits and _",
                    column,
                )
            word = match.group()
            kind = "keyword" if word in KEYWORDS else "name"
            tokens.append(Token(kind, word, column))
            pos = match.end()
            continue
        two = source[pos : pos + 2]
        if two in ("==", "!=", "<=", ">="):
            tokens.append(Token("op", two, column))
            pos += 2
            continue
        if char in "<>":
            tokens.append(Token("op", char, column))
            pos += 1
            continue
        if char in "(),":
            tokens.append(Token(char, char, column))
            pos += 1
            continue
        if char == "=":
            raise ExpressionError("use '==' to compare (a single '=' is not allowed)", column)
        if char == "!":
            raise ExpressionError("use 'not' or '!=' ('!' on its own is not allowed)", column)
        if char == "&" or char == "|":
            word = "and" if char == "&" else "or"
            raise ExpressionError(f"use the word '{word}' instead of '{char}'", column)
        raise ExpressionError(f"unexpected character '{char}'", column)
    tokens.append(Token("end", "", length + 1))
    return tokens


def _read_string(source: str, start: int) -> tuple[str, int]:
    """Read a quoted string starting at `start`; backslash escapes the next character."""
    quote = source[start]
    pos = start + 1
    chars: list[str] = []
    while pos < len(source):
        char = source[pos]
        if char == "\\" and pos + 1 < len(source):
            chars.append(source[pos + 1])
            pos += 2
            continue
        if char == quote:
            return "".join(chars), pos + 1
        chars.append(char)
        pos += 1
    raise ExpressionError(f"text starting here has no closing {quote}", start + 1)


# --------------------------------------------------------------------------- parser


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def at_keyword(self, word: str) -> bool:
        return self.current.kind == "keyword" and self.current.text == word

    def expect(self, kind: str, what: str) -> Token:
        if self.current.kind != kind:
            raise ExpressionError(f"expected {what}, found {_describe(self.current)}", self.column)
        return self.advance()

    @property
    def column(self) -> int:
        return self.current.column

    def parse(self) -> Expr:
        if self.current.kind == "end":
            raise ExpressionError("the condition is empty", 1)
        expr = self.parse_or()
        if self.current.kind != "end":
            token = self.current
            if token.kind == "op":
                raise ExpressionError(
                    "comparisons cannot be chained; combine them with 'and'", token.column
                )
            raise ExpressionError(f"unexpected {_describe(token)}", token.column)
        _require_condition(expr)
        return expr

    def parse_or(self) -> Expr:
        left = self.parse_and()
        while self.at_keyword("or"):
            token = self.advance()
            right = self.parse_and()
            _require_condition(left, "or")
            _require_condition(right, "or")
            left = Or(left, right, token.column)
        return left

    def parse_and(self) -> Expr:
        left = self.parse_not()
        while self.at_keyword("and"):
            token = self.advance()
            right = self.parse_not()
            _require_condition(left, "and")
            _require_condition(right, "and")
            left = And(left, right, token.column)
        return left

    def parse_not(self) -> Expr:
        if self.at_keyword("not"):
            token = self.advance()
            operand = self.parse_not()
            _require_condition(operand, "not")
            return Not(operand, token.column)
        return self.parse_comparison()

    def parse_comparison(self) -> Expr:
        left = self.parse_operand()
        token = self.current
        if token.kind == "op":
            self.advance()
            right = self.parse_operand()
            _require_value(left, token.text)
            _require_value(right, token.text)
            if isinstance(right, TupleLiteral) or isinstance(left, TupleLiteral):
                raise ExpressionError(
                    f"a list in parentheses can only follow 'in' or 'not in', not '{token.text}'",
                    token.column,
                )
            return Compare(token.text, left, right, token.column)
        if self.at_keyword("in") or (self.at_keyword("not") and self.peek().text == "in"):
            op = "in" if self.at_keyword("in") else "not in"
            self.advance()
            if op == "not in":
                self.advance()
            if self.current.kind != "(":
                raise ExpressionError(
                    f"'{op}' must be followed by a list in parentheses, e.g. (1, 2)", self.column
                )
            right = self.parse_operand()
            if not isinstance(right, TupleLiteral):
                right = _as_tuple(right)
            _require_value(left, op)
            if isinstance(left, TupleLiteral):
                raise ExpressionError(f"a list cannot come before '{op}'", left.column)
            return Compare(op, left, right, token.column)
        return left

    def parse_operand(self) -> Expr:
        token = self.current
        if token.kind in ("number", "string"):
            self.advance()
            assert token.value is not None
            return Literal(token.value, token.column)
        if token.kind == "name":
            self.advance()
            if self.current.kind == "(":
                return self.parse_call(token)
            return Name(token.text, token.column)
        if token.kind == "(":
            return self.parse_parenthesised()
        if token.kind == "end":
            raise ExpressionError("the condition ends too early: a value is missing", token.column)
        raise ExpressionError(f"expected a value, found {_describe(token)}", token.column)

    def parse_parenthesised(self) -> Expr:
        open_token = self.advance()
        if self.current.kind == ")":
            raise ExpressionError("empty parentheses", open_token.column)
        first = self.parse_or()
        if self.current.kind != ",":
            self.expect(")", "a closing parenthesis ')'")
            return first
        values = [_literal_value(first)]
        while self.current.kind == ",":
            self.advance()
            if self.current.kind == ")":
                break
            element = self.parse_operand()
            values.append(_literal_value(element))
        self.expect(")", "a closing parenthesis ')'")
        return TupleLiteral(tuple(values), open_token.column)

    def parse_call(self, name: Token) -> Expr:
        if name.text not in FUNCTIONS:
            raise ExpressionError(
                f"unknown function '{name.text}' (use answered, selected or count)", name.column
            )
        self.advance()  # "("
        code = self.expect("name", "an item code")
        option: int | None = None
        if name.text == "selected":
            self.expect(",", "a comma and an option code, e.g. selected(CODE, 2)")
            number = self.expect("number", "an option code (a whole number)")
            if not isinstance(number.value, int):
                raise ExpressionError("an option code must be a whole number", number.column)
            option = number.value
        self.expect(")", "a closing parenthesis ')'")
        return Call(name.text, code.text, option, name.column)


def _as_tuple(expr: Expr) -> TupleLiteral:
    """`X in (3)`: a single parenthesised literal is a one-element list."""
    return TupleLiteral((_literal_value(expr),), expr.column)


def _literal_value(expr: Expr) -> Scalar:
    if isinstance(expr, Literal):
        return expr.value
    raise ExpressionError(
        "a list in parentheses can only hold numbers and 'texts'", getattr(expr, "column", 1)
    )


def _require_condition(expr: Expr, after: str | None = None) -> None:
    if expr.is_condition:
        return
    example = f"{expr} == 1" if isinstance(expr, Name) else f"{expr} > 0"
    where = f"'{after}' needs" if after else "show_if needs"
    raise ExpressionError(
        f"{where} a condition, but '{expr}' is a value; compare it, e.g. {example}", expr.column
    )


def _require_value(expr: Expr, op: str) -> None:
    if expr.is_condition:
        raise ExpressionError(f"'{op}' compares values, not conditions", expr.column)


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the condition"
    return f"'{token.text}'"


def parse(source: str) -> Expr:
    """Parse a `show_if` condition; raises ExpressionError (message, column) when malformed."""
    if not isinstance(source, str):
        raise ExpressionError("a condition must be text", 1)
    return _Parser(source).parse()
