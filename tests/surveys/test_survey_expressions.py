"""The show_if language: parsing, precedence, evaluation with missing answers, safe errors."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from surveys.expressions import (
    And,
    Call,
    Compare,
    ExpressionError,
    Literal,
    Name,
    Not,
    Or,
    TupleLiteral,
    evaluate,
    parse,
    tokenize,
)
from surveys.model import Value

ANSWERS: Mapping[str, Value | None] = {
    "ACC": 4,
    "AGE": 35,
    "SCORE": 7.5,
    "CITY": "Utrecht",
    "WORRIES": frozenset({1, 3}),
    "GOALS": (2, 1, 3),
    "EMPTY_TEXT": "",
    "NOTHING": None,
}


def test_parse_builds_the_expected_tree() -> None:
    expr = parse("ACC in (4, 5) and not answered(KNOW)")
    assert expr == And(
        Compare("in", Name("ACC", 1), TupleLiteral((4, 5), 8), 5),
        Not(Call("answered", "KNOW", None, 23), 19),
        15,
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("ACC == 4", True),
        ("ACC != 4", False),
        ("ACC < 5", True),
        ("ACC <= 4", True),
        ("ACC > 4", False),
        ("ACC >= 4", True),
        ("ACC in (4, 5)", True),
        ("ACC in (5)", False),
        ("ACC not in (1, 2)", True),
        ("ACC not in (4,)", False),
        ("AGE >= 18 and AGE < 65", True),
        ("SCORE > 7", True),
        ("SCORE == 7.5", True),
        ("SCORE > -1", True),
        ("ACC == 4.0", True),
        ("CITY == 'Utrecht'", True),
        ('CITY == "Utrecht"', True),
        ("CITY in ('Amsterdam', 'Utrecht')", True),
        ("CITY < 'Zwolle'", True),
        ("CITY == 4", False),
        ("CITY != 4", True),
        ("ACC == '4'", False),
        ("ACC > 'a'", False),
        ("selected(WORRIES, 3)", True),
        ("selected(WORRIES, 2)", False),
        ("count(WORRIES) == 2", True),
        ("count(WORRIES) > 2", False),
        ("count(GOALS) == 3", True),
        ("count(ACC) == 1", True),
        ("answered(ACC)", True),
        ("answered(WORRIES)", True),
        ("answered(GOALS)", True),
        ("not answered(ACC)", False),
        ("WORRIES == 1", False),
        ("GOALS in (1, 2)", False),
        ("(ACC == 4)", True),
    ],
)
def test_evaluate(source: str, expected: bool) -> None:
    assert evaluate(parse(source), ANSWERS) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Unanswered (absent or None) makes every comparison false, even != and not in.
        ("MISSING == 1", False),
        ("MISSING != 1", False),
        ("MISSING < 1", False),
        ("MISSING in (1, 2)", False),
        ("MISSING not in (1, 2)", False),
        ("NOTHING == 1", False),
        ("NOTHING != 1", False),
        ("not MISSING == 1", True),
        ("answered(MISSING)", False),
        ("answered(NOTHING)", False),
        ("answered(EMPTY_TEXT)", False),
        ("selected(MISSING, 1)", False),
        ("count(MISSING) == 0", True),
        ("MISSING == 1 or ACC == 4", True),
        ("MISSING == 1 and ACC == 4", False),
    ],
)
def test_missing_answers(source: str, expected: bool) -> None:
    assert evaluate(parse(source), ANSWERS) is expected


@pytest.mark.parametrize(
    ("source", "shape"),
    [
        # and binds tighter than or; not binds tighter than and; comparison tighter than not.
        ("A == 1 or B == 1 and C == 1", "(A == 1 or (B == 1 and C == 1))"),
        ("A == 1 and B == 1 or C == 1", "((A == 1 and B == 1) or C == 1)"),
        ("not A == 1 and B == 1", "(not A == 1 and B == 1)"),
        ("not (A == 1 and B == 1)", "not (A == 1 and B == 1)"),
        ("(A == 1 or B == 1) and C == 1", "((A == 1 or B == 1) and C == 1)"),
        ("A == 1 or B == 1 or C == 1", "((A == 1 or B == 1) or C == 1)"),
        ("not not A == 1", "not not A == 1"),
    ],
)
def test_precedence(source: str, shape: str) -> None:
    assert str(parse(source)) == shape


def test_precedence_changes_the_result() -> None:
    answers: dict[str, Value] = {"A": 1, "B": 0, "C": 0}
    assert evaluate(parse("A == 1 or B == 1 and C == 1"), answers)
    assert not evaluate(parse("(A == 1 or B == 1) and C == 1"), answers)


def test_references_lists_every_code_once() -> None:
    expr = parse("A == 1 or (selected(B, 2) and count(C) > 1) or A in (3, 4) and answered(D)")
    assert expr.references() == frozenset({"A", "B", "C", "D"})


def test_literals() -> None:
    assert parse("X == 12").right == Literal(12, 6)  # type: ignore[attr-defined]
    assert parse("X == 1.25").right == Literal(1.25, 6)  # type: ignore[attr-defined]
    assert parse("X == -3").right == Literal(-3, 6)  # type: ignore[attr-defined]
    assert parse(r"X == 'it\'s'").right == Literal("it's", 6)  # type: ignore[attr-defined]
    assert parse('X == "say \\"hi\\""').right == Literal('say "hi"', 6)  # type: ignore[attr-defined]


def test_whitespace_and_newlines_are_ignored() -> None:
    assert evaluate(parse("  ACC\n  in (4,\t5)  "), ANSWERS)


def test_evaluate_without_condition_is_true() -> None:
    assert evaluate(None, {}) is True


def test_or_and_short_circuit() -> None:
    assert isinstance(parse("A == 1 or B == 2"), Or)
    assert isinstance(parse("A == 1 and B == 2"), And)


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("__import__('os')", "unexpected character '_'", 1),
        ("os.system('ls')", "unexpected character '.'", 3),
        ("ACC == 1; import os", "unexpected character ';'", 9),
        ("lambda: 1", "unexpected character ':'", 7),
        ("eval('1')", "unknown function 'eval' (use answered, selected or count)", 1),
        ("", "the condition is empty", 1),
        ("   ", "the condition is empty", 1),
        ("ACC", "show_if needs a condition, but 'ACC' is a value; compare it, e.g. ACC == 1", 1),
        ("count(W)", "show_if needs a condition, but 'count(W)' is a value", 1),
        ("ACC = 1", "use '==' to compare (a single '=' is not allowed)", 5),
        ("!answered(A)", "use 'not' or '!='", 1),
        ("A == 1 && B == 2", "use the word 'and' instead of '&'", 8),
        ("A == 1 || B == 2", "use the word 'or' instead of '|'", 8),
        ("1 < ACC < 3", "comparisons cannot be chained; combine them with 'and'", 9),
        ("ACC ==", "the condition ends too early: a value is missing", 7),
        ("(ACC == 1", "expected a closing parenthesis ')', found the end of the condition", 10),
        ("ACC == 1)", "unexpected ')'", 9),
        ("ACC in X", "'in' must be followed by a list in parentheses, e.g. (1, 2)", 8),
        ("ACC in (B, 1)", "a list in parentheses can only hold numbers and 'texts'", 9),
        ("ACC == (1, 2)", "a list in parentheses can only follow 'in' or 'not in', not '=='", 5),
        ("not ACC", "'not' needs a condition, but 'ACC' is a value", 5),
        ("ACC and B == 1", "'and' needs a condition, but 'ACC' is a value", 1),
        ("B == 1 or ACC", "'or' needs a condition, but 'ACC' is a value", 11),
        ("answered(A) == 1", "'==' compares values, not conditions", 1),
        ("selected(A)", "expected a comma and an option code", 11),
        ("selected(A, B)", "expected an option code (a whole number), found 'B'", 13),
        ("selected(A, 1.5)", "an option code must be a whole number", 13),
        ("answered(1)", "expected an item code, found '1'", 10),
        ("CITY == 'Utrecht", "text starting here has no closing '", 9),
        ("X == 1.2.3", "a number can have only one decimal point", 9),
        ("X == 12abc", "a number cannot be followed by 'a'", 8),
        ("X == ()", "empty parentheses", 6),
        ("X_é == 1", "unexpected character 'é'", 3),
        ("AND == 1 and", "the condition ends too early", 13),
    ],
)
def test_syntax_errors_have_a_message_and_a_column(source: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as raised:
        parse(source)
    assert message in raised.value.message
    assert raised.value.column == column
    assert str(raised.value).endswith(f"(at column {column})")


def test_codes_may_look_like_upper_case_keywords() -> None:
    """Keywords are lower case, so AND or IN can still be item codes."""
    assert evaluate(parse("AND == 1 and IN == 2"), {"AND": 1, "IN": 2})


def test_tokenizer_never_executes_anything() -> None:
    tokens = tokenize("A == 'x'")
    assert [token.kind for token in tokens] == ["name", "op", "string", "end"]
    assert tokens[2].value == "x"


def test_parse_rejects_non_text() -> None:
    with pytest.raises(ExpressionError):
        parse(42)  # type: ignore[arg-type]


def test_expressions_are_hashable_values() -> None:
    assert parse("A == 1 and B in (2, 3)") == parse("A == 1 and B in (2, 3)")
    assert len({parse("A == 1"), parse("A == 1"), parse("A == 2")}) == 2
