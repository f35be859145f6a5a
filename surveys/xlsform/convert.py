"""XLSForm import end to end: read the workbook into the tree, validate it with the one
validator, and report every problem by sheet and row."""

from __future__ import annotations

from pathlib import Path

from surveys.loader import build_question_set
from surveys.model import QuestionSet
from surveys.problems import Problem, QuestionSetError
from surveys.tree import SheetRow
from surveys.xlsform.importer import _Importer
from surveys.xlsform.sheets import _SHEET_ORDER, Source, _open_workbook
from surveys.xlsform.yaml_write import _write_yaml

#: The comment above the YAML that is stored as an imported set's `source`.
HEADER = (
    "Converted from an XLSForm workbook by surveys.xlsform.",
    "Edit the workbook and convert again, or keep editing this file instead.",
)


def _problem_key(problem: Problem) -> tuple[int, int, int]:
    """Sheets in their usual order, then rows; on one row, the workbook's own problems first,
    then the validator's in the order of the row's entries."""
    at = problem.location
    return (
        _SHEET_ORDER.get((problem.sheet or "").lower(), 5 if problem.sheet else 0),
        problem.line or 0,
        at.order if isinstance(at, SheetRow) else 0,
    )


def _name_of(source: Source, filename: str | None) -> str | None:
    if filename:
        return filename
    if isinstance(source, str | Path):
        return str(source)
    return getattr(source, "name", None) if not isinstance(source, bytes) else None


def _convert(source: Source, filename: str | None) -> tuple[QuestionSet | None, list[Problem]]:
    sheets, problems = _open_workbook(source)
    qset: QuestionSet | None = None
    if sheets:
        importer = _Importer(sheets, _name_of(source, filename))
        tree = importer.run()
        problems.extend(importer.problems)
        if tree is not None:
            qset, found = build_question_set(tree, _write_yaml(tree, HEADER))
            if importer.no_pages:
                # With nothing left to import the validator's "pages must be a list" only
                # repeats the importer's own, clearer problem.
                pages = tree.line_of("pages")
                found = [problem for problem in found if problem.location != pages]
            problems.extend(found)
    unique = sorted(dict.fromkeys(problems), key=_problem_key)
    return (None if unique else qset), unique


def validate_xlsform(source: Source, filename: str | None = None) -> list[Problem]:
    """Every problem in an XLSForm workbook (path, bytes or binary file); empty when valid.

    Problems name the sheet and row (`sheet survey, row 12: ...`). `filename` only names the
    workbook in messages and gives the consultation slug when the settings have no form_id.
    """
    return _convert(source, filename)[1]


def xlsform_to_question_set(source: Source, filename: str | None = None) -> QuestionSet:
    """Read an XLSForm workbook; raises QuestionSetError listing every problem.

    Nothing is returned unless the whole workbook reads and validates, so a half-loaded set is
    impossible. The set's `source` is the equivalent YAML question set, written from the same
    tree, so a stored version reloads with the YAML reader.
    """
    qset, problems = _convert(source, filename)
    if problems or qset is None:
        name = _name_of(source, filename) or "<workbook>"
        raise QuestionSetError(problems or [Problem(None, "the workbook could not be read")], name)
    return qset
