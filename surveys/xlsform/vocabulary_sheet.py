"""The `vocabulary` sheet read into the tree's `vocabulary:` key: one row per domain, condition,
application and scale (see "Vocabulary sheet" in surveys/README.md).

The validator checks the declaration as it checks a YAML file's (codes, duplicates, domains,
option codes); this reader reports only what belongs to the sheet: rows without a known kind,
columns the sheet does not have or a row cannot use, and choice names that are not in the list.
"""

from __future__ import annotations

import re

from surveys.messages import Message
from surveys.problems import on_line
from surveys.tree import SheetRow
from surveys.vocabulary import SCALE_KEYS
from surveys.xlsform.nodes import _Node
from surveys.xlsform.read_base import _ImporterState
from surveys.xlsform.sheets import _number, _Row, _Sheet

#: Per kind of row: the key of its list under `vocabulary:` and the columns it may fill.
KINDS = {
    "domain": ("domains", frozenset({"kind", "code", "label"})),
    "condition": ("conditions", frozenset({"kind", "code", "label"})),
    "application": ("applications", frozenset({"kind", "code", "domain", "label"})),
    "scale": ("scales", frozenset({"kind", "code", "accepting", "necessary", "dont_know"})),
}
#: A scale row's columns (`SCALE_KEYS`) hold choice names or option codes, space-separated.
VOCABULARY_COLUMNS = ("kind", "code", "domain", "label", *SCALE_KEYS)
_SEPARATORS = re.compile(r"[\s,;]+")


class _VocabularySheet(_ImporterState):
    """Reads the vocabulary sheet (see `surveys.xlsform.importer._Importer`); after the choices,
    whose names a scale may use."""

    def vocabulary(self) -> _Node | None:
        """The `vocabulary:` mapping, or None when the workbook has no vocabulary rows."""
        sheet = self.vocabulary_sheet
        if sheet is None or not sheet.rows:
            return None
        self.check_vocabulary_columns(sheet)
        node = _Node(self.loc(sheet, None))
        terms: dict[str, list[_Node]] = {"domains": [], "conditions": [], "applications": []}
        scales = _Node(self.loc(sheet, None))
        first_scale: dict[str, SheetRow] = {}
        for row in sheet.rows:
            kind = row.get("kind").lower()
            if kind not in KINDS:
                self.unknown_kind(sheet, row, kind)
                continue
            key, allowed = KINDS[kind]
            what = Message("a %(kind)s row", {"kind": kind})
            for column in row.filled():
                if column in VOCABULARY_COLUMNS and column not in allowed:
                    self.complain(
                        sheet,
                        row.number,
                        "column %(column)s cannot be used on %(what)s",
                        column=column,
                        what=what,
                    )
            if kind != "scale":
                entry = _Node(self.loc(sheet, row), flow=True)
                entry.put("code", row.get("code"))
                entry.put("domain", row.get("domain") if kind == "application" else None)
                entry.put("label", self.text(row, "label"))
                terms[key].append(entry)
                continue
            name = row.get("code")
            if not name:
                self.complain(
                    sheet, row.number, "a scale row needs the name of its choice list in code"
                )
            elif name in first_scale:
                self.complain(
                    sheet,
                    row.number,
                    "the scale of choice list %(list)s is given twice (first %(first)s)",
                    list=name,
                    first=on_line(first_scale[name]),
                )
            else:
                first_scale[name] = self.loc(sheet, row)
                scales.put(name, self.scale(sheet, row, name), self.loc(sheet, row))
        for key, entries in terms.items():
            if entries:
                node.put(key, entries, entries[0].line)
        if scales:
            node.put("scales", scales)
        return node or None

    def check_vocabulary_columns(self, sheet: _Sheet) -> None:
        """The sheet is this platform's own, so a column it does not know is a typo to report
        (other sheets ignore unknown columns, as pyxform does)."""
        for column in sheet.columns:
            if column.base not in VOCABULARY_COLUMNS:
                self.complain(
                    sheet,
                    sheet.header_row,
                    "column '%(header)s' is not a column of the vocabulary sheet; its columns "
                    "are %(columns)s",
                    header=column.header,
                    columns=", ".join(VOCABULARY_COLUMNS),
                )

    def unknown_kind(self, sheet: _Sheet, row: _Row, kind: str) -> None:
        kinds = ", ".join(KINDS)
        if kind:
            self.complain(
                sheet,
                row.number,
                "kind '%(kind)s' is not known; use one of: %(kinds)s",
                kind=row.get("kind"),
                kinds=kinds,
            )
        else:
            self.complain(sheet, row.number, "this row has no kind (%(kinds)s)", kinds=kinds)

    def scale(self, sheet: _Sheet, row: _Row, list_name: str) -> _Node:
        """What the options of `list_name` mean, as option codes: a choice name becomes its
        code, as in conditions (a list the choices sheet lacks is the validator's to report)."""
        node = _Node(self.loc(sheet, row), flow=True)
        names = self.codes.get(list_name)
        for column in SCALE_KEYS:
            codes: list[int | str] = []
            for word in _SEPARATORS.split(row.get(column)):
                if not word:
                    continue
                number = _number(word)
                if names is not None and word in names:
                    codes.append(names[word])
                elif isinstance(number, int):
                    codes.append(number)
                elif names is None:
                    codes.append(word)  # of a list the choices sheet lacks: left to the validator
                else:
                    self.complain(
                        sheet,
                        row.number,
                        "%(column)s names '%(name)s', which is not a choice of list %(list)s "
                        "(its choices are %(choices)s)",
                        column=column,
                        name=word,
                        list=list_name,
                        choices=", ".join(names),
                    )
            if codes:
                node.put(column, codes)
        return node
