"""A question set from a file or an upload: the reader is chosen by the name's suffix.

The front of the two readers: YAML (`surveys.loader`) and XLSForm (`surveys.xlsform`), which
both use the one validator; neither reader imports this module, so the dependency is one-way.
"""

from __future__ import annotations

from pathlib import Path

from surveys.loader import load_file, load_question_set, validate_file
from surveys.messages import Message
from surveys.model import QuestionSet
from surveys.problems import Problem, QuestionSetError
from surveys.xlsform import validate_xlsform, xlsform_to_question_set

#: File name endings read as XLSForm workbooks by `load_path` and `validate_path`.
XLSFORM_SUFFIXES = (".xlsx",)


def load_path(path: str | Path) -> QuestionSet:
    """Load a question set from a YAML file or an XLSForm workbook (.xlsx), by its suffix."""
    path = Path(path)
    if path.suffix.lower() in XLSFORM_SUFFIXES:
        return xlsform_to_question_set(path)
    return load_file(path)


def load_upload(filename: str, data: bytes) -> QuestionSet:
    """Load an uploaded file's bytes by the name's suffix: YAML (UTF-8) or XLSForm (.xlsx);
    raises QuestionSetError listing every problem."""
    lower = filename.lower()
    if lower.endswith(XLSFORM_SUFFIXES):
        return xlsform_to_question_set(data, filename=filename)
    if lower.endswith((".yaml", ".yml")):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            problem = Problem(None, Message("the file is not UTF-8 text"))
            raise QuestionSetError([problem], filename) from error
        return load_question_set(text, filename=filename)
    message = Message("upload a question set as a .yaml, .yml or .xlsx (XLSForm) file")
    raise QuestionSetError([Problem(None, message)], filename)


def validate_path(path: str | Path) -> list[Problem]:
    """Every problem in a YAML file or XLSForm workbook (.xlsx), by its suffix."""
    path = Path(path)
    if path.suffix.lower() in XLSFORM_SUFFIXES:
        return validate_xlsform(path)
    return validate_file(path)
