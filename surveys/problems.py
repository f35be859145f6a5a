"""What is wrong with a question set: `Problem` (one, with where it is) and `QuestionSetError`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from surveys.messages import Message, english, render
from surveys.tree import Location, SheetRow

# --------------------------------------------------------------------------- results


@dataclass(frozen=True, init=False)
class Problem:
    """One thing wrong with a question set, pointing at the line to fix.

    Built from a `Location`: for a YAML file `line` is the line; for a workbook (XLSForm)
    `sheet` names the sheet and `line` is the row number there (None for the whole sheet), so
    the author is sent to the row they wrote.

    `explained` is the language-neutral `Message` (domain `surveys`): the web app shows it in
    the organizer's language with `render`; `message` and `str()` give the English, as the
    command line prints it. Two problems are the same when their English is.
    """

    line: int | None
    message: str
    sheet: str | None = None
    explained: Message = field(default_factory=partial(Message, ""), compare=False, repr=False)
    #: Where the problem is, as a reader located it in the tree (None: the whole file).
    location: Location | None = field(default=None, compare=False, repr=False)

    def __init__(
        self, line: Location | None, message: str | Message, sheet: str | None = None
    ) -> None:
        if isinstance(line, SheetRow):
            location: Location | None = line
            sheet, line = line.sheet, line.row
        else:
            location = line if sheet is None else SheetRow(sheet, line)
        explained = message if isinstance(message, Message) else Message(message)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "message", english(explained))
        object.__setattr__(self, "sheet", sheet)
        object.__setattr__(self, "explained", explained)
        object.__setattr__(self, "location", location)

    def located(self) -> Message:
        """The message preceded by where to fix it ("line 3: ...", "sheet survey, row 4: ...")."""
        if self.sheet is not None and self.line is not None:
            params = {"sheet": self.sheet, "row": self.line, "problem": self.explained}
            return Message("sheet %(sheet)s, row %(row)s: %(problem)s", params)
        if self.sheet is not None:
            params = {"sheet": self.sheet, "problem": self.explained}
            return Message("sheet %(sheet)s: %(problem)s", params)
        if self.line is not None:
            params = {"line": self.line, "problem": self.explained}
            return Message("line %(line)s: %(problem)s", params)
        return self.explained

    def render(self, lang: str) -> str:
        """The located problem in `lang` (Dutch when `lang` has no catalogue)."""
        return render(self.located(), lang)

    def __str__(self) -> str:
        if self.sheet is not None:
            where = f"sheet {self.sheet}" + (f", row {self.line}" if self.line is not None else "")
            return f"{where}: {self.message}"
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


class QuestionSetError(ValueError):
    """The question set has problems; `.problems` lists all of them."""

    def __init__(self, problems: Sequence[Problem], filename: str = "<string>") -> None:
        self.problems = list(problems)
        self.filename = filename
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        header = f"{self.filename}: {count} problem{'s' if count != 1 else ''}"
        return "\n".join([header, *(f"  {problem}" for problem in self.problems)])


#: A place nested in a message ("first defined on line 12"), in the terms of the file's reader.
ON_LINE = Message("on line %(line)s")
ON_SHEET_ROW = Message("on sheet %(sheet)s, row %(row)s")
ON_SHEET = Message("on sheet %(sheet)s")


def on_line(where: Location) -> Message:
    """ "on line 12" for a YAML file, "on sheet survey, row 4" for a workbook."""
    if isinstance(where, SheetRow):
        if where.row is None:
            return Message(ON_SHEET.text, {"sheet": where.sheet})
        return Message(ON_SHEET_ROW.text, {"sheet": where.sheet, "row": where.row})
    return Message(ON_LINE.text, {"line": where})
