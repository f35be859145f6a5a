"""The Consult questionnaire language: model, YAML loader, show_if expressions, layout, types.

Plain Python (no Flask, no SQLAlchemy), so it can be used from tests and notebooks.
"""

from surveys.expressions import Expr, ExpressionError, evaluate, parse
from surveys.layout import Layout, PagePlan, plan_layout, visible_items, visible_pages
from surveys.loader import (
    Problem,
    QuestionSetError,
    load_file,
    load_question_set,
    validate_file,
    validate_text,
)
from surveys.messages import Message, plural_message, render
from surveys.model import (
    AnswerCell,
    Block,
    Choice,
    Item,
    Page,
    QuestionSet,
    Row,
    Text,
    Value,
)
from surveys.types import (
    QUESTION_TYPES,
    PageAnswers,
    QuestionType,
    answers_from_cells,
    decode,
    encode,
    parse_page,
)

__all__ = [
    "QUESTION_TYPES",
    "AnswerCell",
    "Block",
    "Choice",
    "Expr",
    "ExpressionError",
    "Item",
    "Layout",
    "Message",
    "Page",
    "PageAnswers",
    "PagePlan",
    "Problem",
    "QuestionSet",
    "QuestionSetError",
    "QuestionType",
    "Row",
    "Text",
    "Value",
    "answers_from_cells",
    "decode",
    "encode",
    "evaluate",
    "load_file",
    "load_question_set",
    "parse",
    "parse_page",
    "plural_message",
    "plan_layout",
    "render",
    "validate_file",
    "validate_text",
    "visible_items",
    "visible_pages",
]
