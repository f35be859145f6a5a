"""XLSForm import end to end: translate, validate as YAML, report problems by sheet and row."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from surveys.loader import (
    ON_LINE,
    Problem,
    QuestionSetError,
    load_question_set,
)
from surveys.messages import Message
from surveys.model import QuestionSet
from surveys.xlsform.importer import _Importer
from surveys.xlsform.sheets import _SHEET_ORDER, Loc, Source, _open_workbook
from surveys.xlsform.yaml_write import _write_yaml


def _problem_key(problem: Problem) -> tuple[int, int]:
    return (
        _SHEET_ORDER.get((problem.sheet or "").lower(), 4 if problem.sheet else 0),
        problem.line or 0,
    )


def _translate(
    source: Source, name: str | None
) -> tuple[str | None, list[Loc | None], list[Problem]]:
    """The YAML text of a workbook, the sheet row of each YAML line, and XLSForm problems."""
    sheets, problems = _open_workbook(source)
    if not sheets:
        return None, [], problems
    importer = _Importer(sheets, name)
    tree = importer.run()
    problems.extend(importer.problems)
    if tree is None:
        return None, [], problems
    header = [
        "Converted from an XLSForm workbook by surveys.xlsform.",
        "Edit the workbook and convert again, or keep editing this file instead.",
    ]
    text, locs = _write_yaml(tree, header)
    if importer.no_pages:
        locs = [None if loc == importer.loc(importer.survey, None) else loc for loc in locs]
    return text, locs, problems


def _relocate(problems: Iterable[Problem], locs: Sequence[Loc | None]) -> list[Problem]:
    """Turn the validator's YAML line numbers into the sheet rows they were written from: the
    problem's own line, and every "on line N" inside its message (such as "first defined on
    line 12"), which becomes "on sheet survey, row 4" in every language."""

    def where(line: int) -> Loc | None:
        return locs[line - 1] if 0 < line <= len(locs) else None

    result: list[Problem] = []
    for problem in problems:
        message = _relocate_message(problem.explained, where)
        loc = where(problem.line) if problem.line is not None else None
        if loc is None:
            result.append(Problem(None, message))
        else:
            result.append(Problem(loc[1], message, sheet=loc[0]))
    return result


def _relocate_message(message: Message, where: Callable[[int], Loc | None]) -> Message:
    """`message` with each nested `on_line` place replaced by its sheet and row."""
    if message.text == ON_LINE.text:
        line = message.params["line"]
        loc = where(line) if isinstance(line, int) else None
        if loc is None or loc[0] is None:
            return message
        if loc[1]:
            return Message("on sheet %(sheet)s, row %(row)s", {"sheet": loc[0], "row": loc[1]})
        return Message("on sheet %(sheet)s", {"sheet": loc[0]})
    if not any(isinstance(value, Message) for value in message.params.values()):
        return message
    params = {
        name: _relocate_message(value, where) if isinstance(value, Message) else value
        for name, value in message.params.items()
    }
    return replace(message, params=params)


def _name_of(source: Source, filename: str | None) -> str | None:
    if filename:
        return filename
    if isinstance(source, str | Path):
        return str(source)
    return getattr(source, "name", None) if not isinstance(source, bytes) else None


def _convert(source: Source, filename: str | None) -> tuple[QuestionSet | None, list[Problem]]:
    name = _name_of(source, filename)
    text, locs, problems = _translate(source, name)
    qset: QuestionSet | None = None
    if text is not None:
        try:
            qset = load_question_set(text, filename=name or "<workbook>")
        except QuestionSetError as error:
            found = _relocate(error.problems, locs)
            # With nothing left to import the validator's "pages must be a list" only repeats
            # the importer's own, clearer problem.
            problems.extend(p for p in found if not (p.sheet is None and "'pages'" in p.message))
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

    Nothing is returned unless the whole workbook translates and validates, so a half-loaded
    set is impossible. The set's `source` is the equivalent YAML question set.
    """
    qset, problems = _convert(source, filename)
    if problems or qset is None:
        name = _name_of(source, filename) or "<workbook>"
        raise QuestionSetError(problems or [Problem(None, "the workbook could not be read")], name)
    return qset
