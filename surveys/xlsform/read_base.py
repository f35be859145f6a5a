"""What the parts of the XLSForm reader share: the workbook, what has been read so far, the
problems found, and small helpers (where a row is, texts per language, yes/no columns)."""

from __future__ import annotations

from collections.abc import Mapping

from surveys.messages import Message
from surveys.problems import Problem
from surveys.tree import SheetRow
from surveys.xlsform.sheets import (
    KNOWN_SURVEY_COLUMNS,
    UNSUPPORTED_COLUMNS,
    _Row,
    _Sheet,
    _yes_no,
)
from surveys.xlsform.xpath import _Target


class _ImporterState:
    """The reader's state and small helpers, under its parts: the survey sheet
    (`surveys.xlsform.survey`) and the rest of the workbook (`surveys.xlsform.importer`)."""

    def __init__(self, sheets: Mapping[str, _Sheet], name: str | None) -> None:
        self.sheets = sheets
        self.name = name
        self.problems: list[Problem] = []
        self.survey = sheets.get("survey")
        self.choices = sheets.get("choices")
        self.settings = sheets.get("settings")
        self.vocabulary_sheet = sheets.get("vocabulary")
        self.settings_row: _Row | None = None
        if self.settings is not None and self.settings.rows:
            self.settings_row = self.settings.rows[0]
        self.languages: tuple[str, ...] = ("nl",)
        self.language_map: dict[str, str | None] = {}
        self.default_language = "nl"
        self.codes: dict[str, dict[str, int]] = {}
        self.targets: dict[str, _Target] = {}
        self.skipped: dict[str, str] = {}
        self.slug = "xlsform"
        self.no_pages = False

    def complain(
        self, sheet: _Sheet | None, row: int | None, message: str | Message, **params: object
    ) -> None:
        """Record a problem: `message` is the English msgid with `%(name)s` placeholders."""
        if isinstance(message, str):
            message = Message(message, params)
        self.problems.append(Problem(row, message, sheet=sheet.title if sheet else None))

    def loc(
        self, sheet: _Sheet | None, row: _Row | int | None, absent: str = "settings"
    ) -> SheetRow:
        """Where a row is; a sheet the workbook lacks is named `absent`."""
        number = row.number if isinstance(row, _Row) else row
        return SheetRow(sheet.title if sheet else absent, number)

    def text(self, row: _Row, base: str, *, plain_everywhere: bool = False) -> object:
        """A text: a plain string or {nl: ..., en: ...} (which `_Node.put` locates)."""
        found = row.texts(base)
        if plain_everywhere and list(found) == [None]:
            return found[None]
        texts: dict[str, str] = {}
        for language, value in found.items():
            code = self.language_map.get(language or self.default_language)
            if code is not None and code not in texts:
                texts[code] = value
        if not texts:
            return None
        if self.languages == ("nl",) and list(texts) == ["nl"]:
            return texts["nl"]
        ordered: dict[str, str] = {}
        for code in ("nl", "en"):
            if code in texts:
                ordered[code] = texts[code]
        return ordered

    def flag(self, row: _Row, column: str) -> bool:
        value = _yes_no(row.raw(column))
        if value is None:
            self.complain(self.survey, row.number, "%(column)s must be yes or no", column=column)
            return False
        return value

    def check_columns(
        self, sheet: _Sheet | None, row: _Row, allowed: frozenset[str], what: Message
    ) -> None:
        """Report filled columns that are unsupported, or that do not apply to this row."""
        for base in row.filled():
            if base in UNSUPPORTED_COLUMNS:
                if base == "read_only" and _yes_no(row.raw(base)) is False:
                    continue
                self.complain(
                    sheet,
                    row.number,
                    "column %(column)s: %(reason)s",
                    column=base,
                    reason=Message(UNSUPPORTED_COLUMNS[base]),
                )
            elif sheet is self.survey and base in KNOWN_SURVEY_COLUMNS and base not in allowed:
                self.complain(
                    sheet,
                    row.number,
                    "column %(column)s cannot be used on %(what)s",
                    column=base,
                    what=what,
                )
