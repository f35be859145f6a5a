"""XLSForm import and export, and a YAML writer for question sets.

Organizers often design questionnaires in a spreadsheet, and other survey tools (ODK, KoboToolbox,
SurveyCTO) exchange them as XLSForm workbooks. Importing one must never bypass our own rules, so
the workbook is *translated* into the YAML question-set language (README.md), and that text is
checked by the one YAML validator in `surveys.loader`. Every YAML line remembers the sheet row it
came from, so the validator's problems point at `sheet survey, row 12` instead of a YAML line the
author never saw. Only what XLSForm adds on top (unsupported types and columns, XPath conditions,
group structure) is checked here.

The imported set's `source` is the generated YAML, so it can be stored and re-read like any set.
See "XLSForm" in surveys/README.md for the mapping, including what cannot be mapped.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from surveys.expressions import (
    And,
    Call,
    Compare,
    Expr,
    ExpressionError,
    Literal,
    Name,
    Not,
    Or,
    TupleLiteral,
)
from surveys.expressions import parse as parse_expression
from surveys.loader import (
    CODE,
    LIST_NAME,
    ON_LINE,
    PAGE_ID,
    Problem,
    QuestionSetError,
    _LineLoader,
    _read_yaml,
    load_question_set,
)
from surveys.messages import N_, Message
from surveys.model import Choice, Item, Page, QuestionSet, Text
from surveys.types import QUESTION_TYPES, TextType

__all__ = [
    "question_set_to_xlsform",
    "question_set_to_yaml",
    "validate_xlsform",
    "xlsform_to_question_set",
    "xpath_of",
]

#: Where a YAML line came from: (sheet title, row number); either may be unknown.
Loc = tuple[str | None, int | None]
Source = str | Path | bytes | BinaryIO

#: Non-empty rows read per sheet at most: a questionnaire has hundreds, not tens of thousands.
MAX_ROWS = 10_000
YAML_WIDTH = 100
YES = frozenset({"yes", "true", "true()", "1", "y"})
NO = frozenset({"no", "false", "false()", "0", "n"})

#: Columns whose cells are texts per language (`label::en`); used to find the form's languages.
SURVEY_TEXT_COLUMNS = ("label", "hint", "unit", "min_label", "max_label")
TRANSLATABLE = frozenset(
    {
        *SURVEY_TEXT_COLUMNS,
        "form_title",
        "intro",
        "constraint_message",
        "required_message",
        "guidance_hint",
        "image",
        "audio",
        "video",
        "big-image",
        "media",
    }
)
#: Old or alternative spellings pyxform accepts.
COLUMN_ALIASES = {
    "list_name": "list_name",
    "caption": "label",
    "relevance": "relevant",
    "requiredmsg": "required_message",
    "constraint_msg": "constraint_message",
    # pyxform cannot read `form_title::en` (nor `title::en`, its alias), so our English title
    # travels as `consultation_title::en`.
    "consultation_title": "form_title",
}
#: Columns read and then deliberately ignored: the platform shows its own (translated) messages.
IGNORED_COLUMNS = frozenset(
    {"constraint_message", "required_message", "guidance_hint", "autoplay", "comments"}
)
#: Columns with behaviour the platform does not have; a filled cell is a problem.
UNSUPPORTED_COLUMNS = {
    "choice_filter": N_("choice_filter (cascading choices) is not supported"),
    "calculation": N_("calculations are not supported"),
    "default": N_("default answers are not supported (respondents start with an empty form)"),
    "trigger": N_("triggers are not supported"),
    "repeat_count": N_("repeats are not supported"),
    "read_only": N_("read-only questions are not supported"),
    "image": N_("images, audio and video are not supported"),
    "big-image": N_("images, audio and video are not supported"),
    "audio": N_("images, audio and video are not supported"),
    "video": N_("images, audio and video are not supported"),
    "media": N_("images, audio and video are not supported"),
    "body": N_("body:: attributes are not supported"),
    "bind": N_("bind:: attributes are not supported"),
    "instance": N_("instance:: attributes are not supported"),
    "save_to": N_("saving to entities (save_to) is not supported"),
}
ROLE_COLUMNS = ("role", "application", "domain", "condition", "demographic")
QUESTION_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "show_if",
        "constraint",
        "appearance",
        "parameters",
        "unit",
        "min_label",
        "max_label",
        *ROLE_COLUMNS,
    }
)
#: Every survey column with a meaning here; any other column is ignored, as pyxform does.
KNOWN_SURVEY_COLUMNS = QUESTION_COLUMNS | {"battery", "randomize", "sample"}
BATTERY_ROW_COLUMNS = frozenset(
    {"type", "name", "label", "battery", "condition", "required", "appearance"}
)
PAGE_COLUMNS = frozenset(
    {"type", "name", "label", "hint", "relevant", "show_if", "randomize", "appearance"}
)
BATTERY_COLUMNS = PAGE_COLUMNS | {"required", *ROLE_COLUMNS}
BLOCK_COLUMNS = frozenset({"type", "name", "randomize", "sample", "appearance"})

#: XLSForm question types that map onto ours (select types carry a list name).
SUPPORTED_TYPES = frozenset(
    {"note", "text", "integer", "decimal", "range", "select_one", "select_multiple", "rank"}
)
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "simserial",
        "subscriberid",
        "phonenumber",
        "username",
        "email",
        "audit",
        "uri:deviceid",
        "uri:username",
        "uri:email",
        "uri:phonenumber",
        "uri:subscriberid",
        "uri:simserial",
        "start-geopoint",
        "background-geopoint",
    }
)
TYPE_REASONS = {
    "geopoint": N_("location (GPS) questions are not supported"),
    "geotrace": N_("location (GPS) questions are not supported"),
    "geoshape": N_("location (GPS) questions are not supported"),
    "image": N_("photo, audio, video and file uploads are not supported"),
    "audio": N_("photo, audio, video and file uploads are not supported"),
    "background-audio": N_("photo, audio, video and file uploads are not supported"),
    "video": N_("photo, audio, video and file uploads are not supported"),
    "file": N_("photo, audio, video and file uploads are not supported"),
    "barcode": N_("barcode questions are not supported"),
    "calculate": N_("calculations are not supported"),
    "date": N_("date and time questions are not supported; use a number or text question"),
    "time": N_("date and time questions are not supported; use a number or text question"),
    "datetime": N_("date and time questions are not supported; use a number or text question"),
    "acknowledge": N_("acknowledge questions are not supported; use a single-choice question"),
    "trigger": N_("trigger questions are not supported"),
    "hidden": N_("hidden values are not supported"),
    "xml-external": N_("external data is not supported"),
    "csv-external": N_("external data is not supported"),
    "select_one_from_file": N_(
        "choices from a file are not supported; put them on the choices sheet"
    ),
    "select_multiple_from_file": N_(
        "choices from a file are not supported; put them on the choices sheet"
    ),
    "select_one_external": N_("external choices are not supported; use the choices sheet"),
    "osm": N_("OpenStreetMap questions are not supported"),
    "begin repeat": N_("repeats are not supported; the rows inside it are not imported"),
    "begin loop": N_("loops are not supported; the rows inside it are not imported"),
}
OR_OTHER_REASON = N_(
    "'or_other' is not supported; add an 'other' choice and a text question shown with relevant"
)
METADATA_REASON = N_("metadata is not collected (answers are anonymous)")

_SELECT = re.compile(
    r"(select_one|select_multiple|rank|select one|select multiple|select all that apply)"
    r"\s+(?:from\s+)?(\S+)(\s+(?:or_other|or specify other))?",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"(begin|end)[ _](group|repeat|loop)\b(.*)", re.IGNORECASE)
_LANGUAGE_IN_PARENS = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
_LANGUAGE_NAMES = {
    "nl": "nl",
    "dutch": "nl",
    "nederlands": "nl",
    "en": "en",
    "english": "en",
    "engels": "en",
}
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)")
_PARAMETER = re.compile(r"([A-Za-z][\w-]*)\s*=\s*([^\s,;]+)")
_SHEET_ORDER = {"survey": 1, "choices": 2, "settings": 3}


# --------------------------------------------------------------------------- cells and sheets


def _cell_text(value: object) -> str:
    """A cell as text: whole floats lose their '.0', booleans read as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _language_code(raw: str) -> str:
    """`English (en)` -> en, `Nederlands (nl)` -> nl, `english` -> en, `chinese` -> chinese."""
    match = _LANGUAGE_IN_PARENS.search(raw)
    if match:
        return match.group(1).lower()
    word = " ".join(raw.lower().split())
    return _LANGUAGE_NAMES.get(word, word)


def _split_header(header: str) -> tuple[str, str | None]:
    """`label::English (en)` -> (label, en); `label:english` (old syntax) -> (label, en)."""
    text = header.strip()
    rest: str | None = None
    if "::" in text:
        text, _, rest = text.partition("::")
    elif ":" in text and text.partition(":")[0].strip().lower() in TRANSLATABLE:
        text, _, rest = text.partition(":")
    base = "_".join(text.lower().split())
    base = COLUMN_ALIASES.get(base, base)
    language = _language_code(rest) if rest is not None and base in TRANSLATABLE else None
    if rest is not None and base not in TRANSLATABLE:
        base = f"{base}::{rest.strip().lower()}" if base not in UNSUPPORTED_COLUMNS else base
    return base, language


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    base: str
    language: str | None


@dataclass
class _Row:
    """One non-empty row; cells keyed by (column base, language or None)."""

    number: int
    cells: dict[tuple[str, str | None], object]

    def get(self, base: str) -> str:
        return _cell_text(self.cells.get((base, None)))

    def raw(self, base: str) -> object:
        return self.cells.get((base, None))

    def texts(self, base: str) -> dict[str | None, str]:
        """The filled translations of a text column; None is the plain (unmarked) column."""
        found: dict[str | None, str] = {}
        for (column, language), value in self.cells.items():
            text = _cell_text(value)
            if column == base and text:
                found[language] = text
        return found

    def filled(self) -> list[str]:
        """The column bases with a value in this row, each once."""
        return list(dict.fromkeys(base for (base, _), value in self.cells.items() if value))


@dataclass
class _Sheet:
    title: str
    header_row: int
    columns: list[_Column]
    rows: list[_Row]

    def has(self, base: str) -> bool:
        return any(column.base == base for column in self.columns)


def _read_sheet(worksheet: Any, problems: list[Problem]) -> _Sheet:
    """Read a worksheet: the first non-empty row is the header, empty rows are skipped."""
    title = str(worksheet.title)
    if hasattr(worksheet, "reset_dimensions"):
        # Spreadsheet programs often claim a size of 1,048,576 rows; read only what is there.
        worksheet.reset_dimensions()
    header_row = 0
    columns: list[_Column] = []
    rows: list[_Row] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if not header_row:
            if any(_cell_text(value) for value in values):
                header_row = number
                columns = _read_header(title, number, values, problems)
            continue
        if not any(value is not None for value in values):
            continue  # fast path: sheets often claim a million empty rows
        cells: dict[tuple[str, str | None], object] = {}
        for column in columns:
            value = values[column.index] if column.index < len(values) else None
            key = (column.base, column.language)
            if key not in cells and _cell_text(value):
                cells[key] = value.strip() if isinstance(value, str) else value
        if cells:
            rows.append(_Row(number, cells))
            if len(rows) > MAX_ROWS:
                problems.append(
                    Problem(
                        number,
                        Message("the sheet has more than %(max)s rows", {"max": MAX_ROWS}),
                        sheet=title,
                    )
                )
                break
    return _Sheet(title, header_row, columns, rows)


def _read_header(
    title: str, number: int, values: Sequence[object], problems: list[Problem]
) -> list[_Column]:
    columns: list[_Column] = []
    seen: dict[tuple[str, str | None], _Column] = {}
    for index, value in enumerate(values):
        header = _cell_text(value)
        if not header:
            continue
        base, language = _split_header(header)
        column = _Column(index, header, base, language)
        key = (base, language)
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(
                    number,
                    Message(
                        "columns %(first)s ('%(first_header)s') and %(second)s ('%(header)s') are "
                        "the same column; remove one (only the first is read)",
                        {
                            "first": _column_letter(first.index),
                            "first_header": first.header,
                            "second": _column_letter(index),
                            "header": header,
                        },
                    ),
                    sheet=title,
                )
            )
            continue
        seen[key] = column
        columns.append(column)
    return columns


def _open_workbook(source: Source) -> tuple[dict[str, _Sheet], list[Problem]]:
    """Read every sheet of an .xlsx workbook; an unreadable file is one problem, not a crash."""
    from openpyxl import load_workbook  # imported here: only XLSForm users need openpyxl

    problems: list[Problem] = []
    if isinstance(source, bytes):
        stream: Any = io.BytesIO(source)
    elif isinstance(source, str | Path):
        stream = str(source)
    else:
        stream = source
    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it ignores (data validation, ...).
            warnings.simplefilter("ignore")
            workbook = load_workbook(stream, read_only=True, data_only=True)
            try:
                sheets = {
                    str(ws.title).strip().lower(): _read_sheet(ws, problems)
                    for ws in workbook.worksheets
                }
            finally:
                workbook.close()
    except OSError as error:
        reason = error.strerror or error
        return {}, [
            Problem(None, Message("the file cannot be read (%(reason)s)", {"reason": reason}))
        ]
    except Exception as error:  # a damaged or non-Excel file: report it, never a traceback
        return {}, [
            Problem(
                None,
                Message(
                    "this is not a readable Excel workbook (.xlsx); save it from your "
                    "spreadsheet program as 'Excel Workbook (.xlsx)' (%(error)s)",
                    {"error": type(error).__name__},
                ),
            )
        ]
    return sheets, problems


def _yes_no(value: object) -> bool | None:
    """yes/no/true/false (any case) and real booleans; None when it is something else."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if not text or text in NO:
        return False
    if text in YES:
        return True
    return None


def _number(text: str) -> int | float | None:
    """A number written in a cell or a condition; None when it is not one."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        value = float(text)
        return int(value) if value.is_integer() and "." not in text else value
    return None


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- YAML tree


class _Node(dict[str, Any]):
    """A mapping of the question-set language that remembers the sheet row of each key."""

    def __init__(self, loc: Loc | None = None, *, flow: bool = False) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Loc | None] = {}
        self.flow = flow

    def put(self, key: str, value: object, loc: Loc | None = None) -> None:
        """Set `key` unless the value is absent (None or an empty text)."""
        if value is None or value == "":
            return
        self[key] = value
        if loc is not None:
            self.key_locs[key] = loc

    def loc_of(self, key: str) -> Loc | None:
        return self.key_locs.get(key, self.loc)


_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVER = _LineLoader("")


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether `text` can be written without quotes and reads back as the same string."""
    if not text or text != text.strip() or text[0] in _PLAIN_BAD_START:
        return False
    if not _PRINTABLE.fullmatch(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(char in text for char in ",[]{}?:#"):
        return False
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return bool(tag == "tag:yaml.org,2002:str")


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not _PRINTABLE.fullmatch(char) or char == "\ufeff":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def _scalar(value: object, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    text = str(value)
    return text if _plain_ok(text, flow) else _double_quoted(text)


def _folded(text: str, width: int) -> list[str] | None:
    """The lines of a `>-` block for a long text, or None when it cannot be folded exactly."""
    if text != text.strip() or not _PRINTABLE.fullmatch(text.replace("\n", " ")):
        return None
    lines: list[str] = []
    for part in re.split(r"(\n+)", text):
        if part.startswith("\n"):
            lines.extend([""] * len(part))
            continue
        if part != part.strip() or "  " in part or "\t" in part:
            return None
        current = ""
        for word in part.split(" "):
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return lines


class _Writer:
    """Writes a tree of mappings, lists and scalars as block-style YAML, one location per line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.locs: list[Loc | None] = []

    def emit(self, text: str, loc: Loc | None) -> None:
        self.lines.append(text.rstrip())
        self.locs.append(loc)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def mapping(self, node: Mapping[str, Any], indent: int, dash: bool = False) -> None:
        for index, (key, value) in enumerate(node.items()):
            loc = node.loc_of(key) if isinstance(node, _Node) else None
            prefix = " " * (indent - 2) + "- " if dash and index == 0 else " " * indent
            self.entry(prefix, key, value, indent, loc)

    def entry(self, prefix: str, key: str, value: object, indent: int, loc: Loc | None) -> None:
        head = f"{prefix}{key}:"
        if isinstance(value, Mapping):
            flow = self.flow_mapping(value) if getattr(value, "flow", False) else None
            if flow is not None and len(head) + 1 + len(flow) <= YAML_WIDTH:
                self.emit(f"{head} {flow}", loc)
            else:
                self.emit(head, loc)
                self.mapping(value, indent + 2)
        elif isinstance(value, list):
            self.sequence(head, value, indent, loc)
        elif isinstance(value, str) and len(head) + 1 + len(_scalar(value)) > YAML_WIDTH:
            lines = _folded(value, YAML_WIDTH - indent - 2)
            if lines is None:
                self.emit(f"{head} {_scalar(value)}", loc)
            else:
                self.emit(f"{head} >-", loc)
                for line in lines:
                    self.emit(" " * (indent + 2) + line if line else "", loc)
        else:
            self.emit(f"{head} {_scalar(value)}", loc)

    def sequence(self, head: str, values: list[Any], indent: int, loc: Loc | None) -> None:
        if not values:
            self.emit(f"{head} []", loc)
            return
        if all(not isinstance(value, Mapping | list) for value in values):
            self.emit(f"{head} [{', '.join(_scalar(value, flow=True) for value in values)}]", loc)
            return
        self.emit(head, loc)
        for value in values:
            element_loc = value.loc if isinstance(value, _Node) else loc
            if isinstance(value, Mapping):
                flow = self.flow_mapping(value) if getattr(value, "flow", False) else None
                line = " " * (indent + 2) + f"- {flow}"
                if flow is not None and len(line) <= YAML_WIDTH:
                    self.emit(line, element_loc)
                else:
                    self.mapping(value, indent + 4, dash=True)
            else:
                self.emit(" " * (indent + 2) + f"- {_scalar(value)}", element_loc)

    def flow_mapping(self, node: Mapping[str, Any]) -> str | None:
        parts: list[str] = []
        for key, value in node.items():
            if isinstance(value, Mapping):
                inner = self.flow_mapping(value)
                if inner is None:
                    return None
                parts.append(f"{key}: {inner}")
            elif isinstance(value, list):
                return None
            else:
                parts.append(f"{key}: {_scalar(value, flow=True)}")
        return "{" + ", ".join(parts) + "}"


def _write_yaml(
    tree: Mapping[str, Any], header: Sequence[str] = ()
) -> tuple[str, list[Loc | None]]:
    writer = _Writer()
    for line in header:
        writer.emit(f"# {line}" if line else "#", None)
    writer.mapping(tree, 0)
    return writer.text(), writer.locs


# --------------------------------------------------------------------------- XPath conditions


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


def _xpath_value(expr: Expr) -> str:
    if isinstance(expr, Name):
        return f"${{{expr.code}}}"
    if isinstance(expr, Literal):
        if isinstance(expr.value, str):
            return _xpath_string(expr.value)
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


def _xpath(expr: Expr) -> tuple[str, str | None]:
    """(XPath text, its top operator or None), so callers add parentheses only when needed."""

    def inner(child: Expr, parent: str) -> str:
        text, op = _xpath(child)
        return f"({text})" if op is not None and op != parent else text

    if isinstance(expr, Or | And):
        op = "or" if isinstance(expr, Or) else "and"
        return f"{inner(expr.left, op)} {op} {inner(expr.right, op)}", op
    if isinstance(expr, Not):
        return f"not({_xpath(expr.operand)[0]})", None
    if isinstance(expr, Call):
        ref = f"${{{expr.code}}}"
        if expr.function == "answered":
            return f"{ref} != ''", None
        if expr.function == "selected":
            return f"selected({ref}, '{expr.option}')", None
        return f"count-selected({ref})", None
    if isinstance(expr, Compare):
        left = _xpath_value(expr.left)
        # Our comparisons are false for an unanswered question; XPath's != and "not in" are
        # true, so those get an explicit "answered" guard.
        sides = (expr.left, expr.right)
        guards = [f"{_xpath_value(side)} != ''" for side in sides if isinstance(side, Name)]
        if expr.op in ("in", "not in"):
            values = expr.right.values if isinstance(expr.right, TupleLiteral) else ()
            if expr.op == "in":
                terms = [f"{left} = {_xpath_value(Literal(value))}" for value in values]
                return " or ".join(terms), "or" if len(terms) > 1 else None
            terms = guards[:1] + [f"{left} != {_xpath_value(Literal(value))}" for value in values]
            return " and ".join(terms), "and" if len(terms) > 1 else None
        right = _xpath_value(expr.right)
        if expr.op == "!=":
            terms = [*guards, f"{left} != {right}"]
            return " and ".join(terms), "and" if len(terms) > 1 else None
        op = "=" if expr.op == "==" else expr.op
        return f"{left} {op} {right}", None
    raise ValueError(f"cannot write {expr} as XPath")


def xpath_of(expr: Expr) -> str:
    """A `show_if` written as an XLSForm `relevant` with the same meaning (for other tools)."""
    return _xpath(expr)[0]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- import


@dataclass
class _Question:
    row: _Row
    kind: str  # note, text, integer, decimal, range, select_one, select_multiple, rank
    list_name: str | None


@dataclass
class _Group:
    row: _Row
    children: list[_Question | _Group] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row.get("name")

    @property
    def role(self) -> str:
        """battery (a row names this group in `battery`), block (holds groups) or page."""
        rows = [child for child in self.children if isinstance(child, _Question)]
        if self.name and any(row.row.get("battery") == self.name for row in rows):
            return "battery"
        if any(isinstance(c, _Group) and c.role != "battery" for c in self.children):
            return "block"
        return "page"


class _Importer:
    """Translates the sheets of one workbook into the YAML question-set tree."""

    def __init__(self, sheets: Mapping[str, _Sheet], name: str | None) -> None:
        self.sheets = sheets
        self.name = name
        self.problems: list[Problem] = []
        self.survey = sheets.get("survey")
        self.choices = sheets.get("choices")
        self.settings = sheets.get("settings")
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

    def loc(self, sheet: _Sheet | None, row: _Row | int | None) -> Loc:
        number = row.number if isinstance(row, _Row) else row
        return (sheet.title if sheet else None, number)

    # ---- whole workbook ---------------------------------------------------------------

    def run(self) -> _Node | None:
        if self.survey is None:
            self.complain(None, None, "the workbook has no 'survey' sheet, so it is not an XLSForm")
            return None
        entities = self.sheets.get("entities")
        if entities is not None and entities.rows:
            self.complain(entities, None, "ODK entities (the entities sheet) are not supported")
        self.read_languages()
        tree = _Node(self.loc(self.settings, self.settings_row))
        tree.put("consultation", self.consultation())
        self.top_level(tree)
        tree.put("languages", list(self.languages), self.loc(self.survey, self.survey.header_row))
        choice_lists = self.choice_lists()
        root = self.structure()
        self.read_targets(root)
        if choice_lists:
            tree["choice_lists"] = choice_lists
        tree["pages"] = self.pages(root)
        if not tree["pages"]:
            self.no_pages = True
            self.complain(self.survey, None, "there are no questions left that can be imported")
        tree.key_locs["pages"] = self.loc(self.survey, None)
        return tree

    def text_columns(self) -> Iterable[tuple[_Sheet, _Column]]:
        for sheet, bases in (
            (self.survey, SURVEY_TEXT_COLUMNS),
            (self.choices, ("label",)),
            (self.settings, ("form_title", "intro")),
        ):
            if sheet is None:
                continue
            for column in sheet.columns:
                if column.base in bases:
                    yield sheet, column

    def read_languages(self) -> None:
        """Decide which language each text column is in (see README, 'Languages')."""
        default = _cell_text(self.settings_row.raw("default_language")) if self.settings_row else ""
        self.default_language = _language_code(default) if default else "nl"
        used: dict[str, tuple[_Sheet, _Column]] = {}
        plain_settings = ("form_title", "intro")
        for sheet, column in self.text_columns():
            if sheet is self.settings and column.language is None and column.base in plain_settings:
                continue  # a plain form_title is the same in every language
            if not any(row.texts(column.base).get(column.language) for row in sheet.rows):
                continue
            language = column.language or self.default_language
            used.setdefault(language, (sheet, column))
        if len(used) <= 1:
            self.language_map = {language: "nl" for language in used}
            self.language_map.setdefault(self.default_language, "nl")
            self.languages = ("nl",)
            self.check_plain_clash()
            return
        stand_in: str | None = None
        if "nl" not in used:
            others = [lang for lang in used if lang != "en"]
            stand_in = self.default_language if self.default_language in others else others[0]
            found = ", ".join(used)
            self.complain(
                None,
                None,
                "the form has no Dutch texts (languages found: %(found)s); the platform always "
                "needs Dutch: add label::nl columns (and hint::nl, ... where used)",
                found=found,
            )
        for language in used:
            if language in ("nl", "en"):
                self.language_map[language] = language
            elif language == stand_in:
                self.language_map[language] = "nl"
            else:
                self.language_map[language] = None
                for sheet, column in self.text_columns():
                    if (column.language or self.default_language) == language:
                        self.complain(
                            sheet,
                            sheet.header_row,
                            "column '%(header)s' is in a language the platform does not offer "
                            "(%(language)s); only Dutch (nl) and English (en) are supported: "
                            "remove or rename the column",
                            header=column.header,
                            language=language,
                        )
        mapped = set(self.language_map.values())
        self.languages = ("nl", "en") if "en" in mapped else ("nl",)
        self.check_plain_clash()

    def check_plain_clash(self) -> None:
        """A plain `label` is the default language, so it clashes with `label::<default>`."""
        for sheet in (self.survey, self.choices):
            if sheet is None:
                continue
            for column in sheet.columns:
                if column.language is None and column.base in TRANSLATABLE:
                    for other in sheet.columns:
                        if other.base == column.base and other.language == self.default_language:
                            self.complain(
                                sheet,
                                sheet.header_row,
                                "columns '%(header)s' and '%(other)s' are both the %(language)s "
                                "%(column)s; remove one",
                                header=column.header,
                                other=other.header,
                                language=self.default_language,
                                column=column.base,
                            )

    def text(self, row: _Row, base: str, *, plain_everywhere: bool = False) -> object:
        """A text value for the YAML tree: a plain string or {nl: ..., en: ...}."""
        found = row.texts(base)
        if plain_everywhere and list(found) == [None]:
            return found[None]
        texts = _Node(flow=True)
        for language, value in found.items():
            code = self.language_map.get(language or self.default_language)
            if code is not None and code not in texts:
                texts[code] = value
        if not texts:
            return None
        if self.languages == ("nl",) and list(texts) == ["nl"]:
            return texts["nl"]
        ordered = _Node(flow=True)
        for code in ("nl", "en"):
            if code in texts:
                ordered[code] = texts[code]
        return ordered

    def consultation(self) -> _Node:
        row = self.settings_row
        loc = self.loc(self.settings, row)
        node = _Node(loc)
        form_id = row.get("form_id") if row else ""
        stem = Path(self.name).stem if self.name else ""
        slug = _slugify(form_id) or _slugify(stem) or "xlsform"
        node.put("slug", slug)
        title = self.text(row, "form_title", plain_everywhere=True) if row else None
        node.put("title", title or form_id or stem or slug)
        self.slug = slug
        return node

    def top_level(self, tree: _Node) -> None:
        row = self.settings_row
        wave = row.get("wave") if row else ""
        tree.put("wave", wave or f"{self.slug}-draft")
        if row is None:
            return
        tree.put("version", row.get("version"))
        tree.put("intro", self.text(row, "intro", plain_everywhere=True))
        minutes = row.get("estimated_minutes")
        number = _number(minutes)
        tree.put("estimated_minutes", number if isinstance(number, int) else minutes)

    # ---- choices ----------------------------------------------------------------------

    def choice_lists(self) -> _Node:
        lists = _Node(self.loc(self.choices, None))
        sheet = self.choices
        if sheet is None:
            return lists
        grouped: dict[str, list[_Row]] = {}
        for row in sheet.rows:
            list_name = row.get("list_name")
            if not list_name:
                if row.get("name") or row.texts("label"):
                    self.complain(sheet, row.number, "this choice has no list_name")
                continue
            grouped.setdefault(list_name, []).append(row)
        for list_name, rows in grouped.items():
            lists.put(list_name, self.choice_list(sheet, list_name, rows), self.loc(sheet, rows[0]))
        return lists

    def choice_list(self, sheet: _Sheet, list_name: str, rows: list[_Row]) -> list[_Node]:
        names = [row.get("name") for row in rows]
        numbers = [_number(name) for name in names]
        # Names are option codes; only a list made entirely of words is numbered for the author.
        words = all(number is None for name, number in zip(names, numbers, strict=True) if name)
        by_name: dict[str, int] = {}
        entries: list[_Node] = []
        first_row: dict[str, int] = {}
        for position, (row, name, number) in enumerate(zip(rows, names, numbers, strict=True)):
            if not name:
                self.complain(
                    sheet, row.number, "a choice of list %(list)s has no name", list=list_name
                )
                continue
            if words:
                code = position + 1
                if name in first_row:
                    self.complain(
                        sheet,
                        row.number,
                        "choice name '%(name)s' appears twice in list %(list)s (first on row "
                        "%(first)s)",
                        name=name,
                        list=list_name,
                        first=first_row[name],
                    )
                    continue
                first_row[name] = row.number
            elif isinstance(number, int):
                code = number
            else:
                self.complain(
                    sheet,
                    row.number,
                    "choice name '%(name)s' in list %(list)s is not a whole number: option "
                    "codes must be whole numbers (a list of only words is numbered 1, 2, 3...)",
                    name=name,
                    list=list_name,
                )
                continue
            by_name.setdefault(name, code)
            entry = _Node(self.loc(sheet, row), flow=True)
            entry.put("code", code)
            entry.put("label", self.text(row, "label"))
            entry.put("missing", row.get("missing"))
            exclusive = _yes_no(row.raw("exclusive"))
            if exclusive is None:
                self.complain(sheet, row.number, "exclusive must be yes or no")
            elif exclusive:
                entry.put("exclusive", True)
            self.check_columns(sheet, row, frozenset(), Message("a choice"))
            entries.append(entry)
        self.codes[list_name] = by_name
        return entries

    # ---- survey structure ---------------------------------------------------------------

    def parse_type(self, row: _Row) -> tuple[str, str | None, str | None]:
        """(kind, list name, reason it is unsupported or None)."""
        raw = " ".join(row.get("type").split())
        lower = raw.lower()
        control = _CONTROL.fullmatch(lower)
        if control:
            kind = f"{control.group(1)} {control.group(2)}"
            return kind, None, TYPE_REASONS.get(kind)
        select = _SELECT.fullmatch(raw)
        if select:
            word = select.group(1).lower()
            kind = {"select one": "select_one", "select all that apply": "select_multiple"}.get(
                word, word.replace(" ", "_")
            )
            reason = OR_OTHER_REASON if select.group(3) else None
            return kind, select.group(2), reason
        first = lower.split(" ")[0] if lower else ""
        if lower in SUPPORTED_TYPES and lower not in ("select_one", "select_multiple", "rank"):
            return lower, None, None
        if lower in ("select_one", "select_multiple", "rank"):
            return lower, None, f"{lower} needs a choice list name, e.g. '{lower} yes_no'"
        if lower in METADATA_TYPES:
            return lower, None, METADATA_REASON
        reason = TYPE_REASONS.get(lower) or TYPE_REASONS.get(first)
        return lower, None, reason or N_("this type is not supported")

    def structure(self) -> _Group:
        """Group the survey rows by begin/end group; report and leave out what cannot be used."""
        sheet = self.survey
        assert sheet is not None
        root = _Group(_Row(0, {}))
        stack: list[_Group] = [root]
        skipping: list[tuple[str, _Row]] = []  # open repeats/loops: their rows are left out
        for row in sheet.rows:
            raw_type = row.get("type")
            name = row.get("name")
            if not raw_type:
                if name or row.texts("label"):
                    self.complain(sheet, row.number, "this row has no type")
                continue
            kind, list_name, reason = self.parse_type(row)
            if kind in ("begin repeat", "begin loop"):
                self.unsupported(row, reason or "")
                skipping.append((kind.split()[1], row))
                continue
            if kind in ("end repeat", "end loop"):
                if skipping and skipping[-1][0] == kind.split()[1]:
                    skipping.pop()
                elif skipping:
                    self.complain(
                        sheet,
                        row.number,
                        N_("'%(type)s' closes a repeat")
                        if skipping[-1][0] == "repeat"
                        else N_("'%(type)s' closes a loop"),
                        type=raw_type,
                    )
                    skipping.pop()
                else:
                    self.complain(
                        sheet, row.number, "'%(type)s' has no matching begin", type=raw_type
                    )
                continue
            if skipping:
                # Inside a repeat: nothing is imported; name rows that would fail on their own.
                if name:
                    self.skipped[name] = f"row {skipping[0][1].number} starts a repeat"
                if reason is not None and kind not in ("begin group", "end group"):
                    self.unsupported(row, reason)
                continue
            if reason is not None:
                self.unsupported(row, reason)
                continue
            if kind == "begin group":
                group = _Group(row)
                stack[-1].children.append(group)
                stack.append(group)
            elif kind == "end group":
                if len(stack) == 1:
                    self.complain(sheet, row.number, "'end group' has no matching 'begin group'")
                else:
                    stack.pop()
            else:
                stack[-1].children.append(_Question(row, kind, list_name))
        for group in stack[1:]:
            self.complain(
                sheet, group.row.number, "group %(name)s has no 'end group'", name=group.name
            )
        for _, row in skipping:
            self.complain(sheet, row.number, "'%(type)s' has no matching end", type=row.get("type"))
        return root

    def unsupported(self, row: _Row, reason: str) -> None:
        name = row.get("name")
        if name:
            self.skipped[name] = f"row {row.number}: type {row.get('type')}"
        # The reason is a sentence of its own ("repeats are not supported"), in the catalogue.
        if name:
            self.complain(
                self.survey,
                row.number,
                "type '%(type)s' (question %(name)s): %(reason)s",
                type=row.get("type"),
                name=name,
                reason=Message(reason),
            )
        else:
            self.complain(
                self.survey,
                row.number,
                "type '%(type)s': %(reason)s",
                type=row.get("type"),
                reason=Message(reason),
            )

    def read_targets(self, group: _Group) -> None:
        """What kind of answer each question name gives, for translating conditions."""
        for child in group.children:
            if isinstance(child, _Group):
                self.read_targets(child)
                continue
            kind = {
                "select_one": "choice",
                "select_multiple": "multiple",
                "rank": "ranking",
                "integer": "number",
                "decimal": "number",
                "range": "number",
                "text": "text",
            }.get(child.kind, "info")
            self.targets[child.row.get("name")] = _Target(kind, child.list_name)

    # ---- pages, blocks and items ------------------------------------------------------

    def pages(self, root: _Group) -> list[_Node]:
        pages: list[_Node] = []
        for child in root.children:
            if isinstance(child, _Group) and child.role == "block":
                block = self.block(child)
                if block is not None:
                    pages.append(block)
            else:
                page = self.page(child)
                if page is not None:
                    pages.append(page)
        return pages

    def block(self, group: _Group) -> _Node | None:
        sheet = self.survey
        row = group.row
        if not group.name:
            self.complain(sheet, row.number, "this group has no name")
        self.check_columns(
            sheet, row, BLOCK_COLUMNS, Message("a group of groups (a block of pages)")
        )
        node = _Node(self.loc(sheet, row))
        node.put("block", group.name)
        randomize = self.flag(row, "randomize")
        if randomize:
            node.put("randomize", True)
        sample = row.get("sample")
        number = _number(sample)
        node.put("sample", number if isinstance(number, int) else sample)
        pages: list[_Node] = []
        for child in group.children:
            if isinstance(child, _Group) and child.role == "block":
                self.complain(
                    sheet,
                    child.row.number,
                    "group %(name)s holds groups and is inside group %(outer)s, which "
                    "holds groups too: a block of pages cannot contain another block",
                    name=child.name,
                    outer=group.name,
                )
                continue
            page = self.page(child)
            if page is not None:
                pages.append(page)
        node["pages"] = pages
        return node

    def page(self, child: _Question | _Group) -> _Node | None:
        sheet = self.survey
        row = child.row
        node = _Node(self.loc(sheet, row))
        if isinstance(child, _Question) or child.role == "battery":
            # A question outside any group is a page of its own (one screen, as in ODK).
            name = row.get("name")
            node.put("id", name if PAGE_ID.fullmatch(name) else f"row_{row.number}")
            item = self.battery(child) if isinstance(child, _Group) else self.item(child)
            node["items"] = [item]
            return node
        if not child.name:
            self.complain(sheet, row.number, "this group has no name")
        self.check_columns(sheet, row, PAGE_COLUMNS, Message("a group (a page)"))
        node.put("id", child.name)
        node.put("title", self.text(row, "label"))
        node.put("intro", self.text(row, "hint"))
        node.put("show_if", self.condition(row))
        if self.flag(row, "randomize"):
            node.put("randomize_items", True)
        items: list[_Node] = []
        for grandchild in child.children:
            if isinstance(grandchild, _Group):
                items.append(self.battery(grandchild))
            else:
                items.append(self.item(grandchild))
        node["items"] = items
        return node

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

    def condition(self, row: _Row) -> str | None:
        """The show_if of a row: our `show_if` column, else its translated `relevant`."""
        relevant = row.get("relevant")
        show_if = row.get("show_if")
        translator = _ConditionTranslator(self.targets, self.codes, self.skipped)
        if show_if:
            if relevant:
                try:
                    expected = xpath_of(parse_expression(show_if))
                except (ExpressionError, ValueError):
                    return show_if  # the validator reports the broken show_if
                if _squeeze(expected) != _squeeze(relevant):
                    self.complain(
                        self.survey,
                        row.number,
                        "relevant (%(relevant)s) and show_if (%(show_if)s) say different things; "
                        "after changing relevant, clear show_if",
                        relevant=relevant,
                        show_if=show_if,
                    )
            return show_if
        if not relevant:
            return None
        try:
            return translator.translate(relevant)
        except _XPathError as error:
            self.complain(
                self.survey,
                row.number,
                "relevant '%(relevant)s' cannot be used: %(error)s",
                relevant=relevant,
                error=error,
            )
            return None

    def common(self, node: _Node, row: _Row) -> None:
        """Keys every item has: text, help, required, show_if and the analysis roles."""
        node.put("text", self.text(row, "label"))
        node.put("help", self.text(row, "hint"))
        required = _yes_no(row.raw("required"))
        if required is None:
            self.complain(
                self.survey,
                row.number,
                "required must be yes or no, not '%(value)s' (conditions in "
                "required are not supported)",
                value=row.get("required"),
            )
        elif required:
            node.put("required", True)  # on a note, the validator explains why not
        node.put("show_if", self.condition(row))
        for column in ROLE_COLUMNS:
            node.put(column, row.get(column))

    def item(self, question: _Question) -> _Node:
        sheet = self.survey
        row = question.row
        node = _Node(self.loc(sheet, row))
        node.put("code", row.get("name"))
        appearance = set(row.get("appearance").lower().split())
        kind = question.kind
        allowed = QUESTION_COLUMNS - {"parameters"} if kind != "range" else QUESTION_COLUMNS
        self.check_columns(sheet, row, allowed, Message("a %(type)s question", {"type": kind}))
        if row.get("battery"):
            self.complain(
                sheet,
                row.number,
                "column battery is filled, but the row is not inside a group named %(name)s",
                name=row.get("battery"),
            )
        if any(word.startswith("ex:") for word in appearance):
            self.complain(sheet, row.number, "appearance ex:... (an external app) is not supported")
        our_type = {
            "note": "info",
            "select_one": "likert" if "likert" in appearance else "single",
            "select_multiple": "multiple",
            "rank": "ranking",
            "integer": "number",
            "decimal": "number",
            "range": "slider",
            "text": "textarea" if "multiline" in appearance else "text",
        }[kind]
        node.put("type", our_type)
        self.common(node, row)
        if question.list_name is not None:
            node.put("choices", question.list_name)
        if kind == "decimal":
            node.put("integer", False)
        if kind == "range":
            self.slider(node, row)
        for column in ("unit", "min_label", "max_label"):
            node.put(column, self.text(row, column))
        self.constraint(node, row, our_type)
        return node

    def slider(self, node: _Node, row: _Row) -> None:
        params = dict(_PARAMETER.findall(row.get("parameters")))
        values: dict[str, int | float | None] = {}
        for key, default in (("start", 1), ("end", 10), ("step", 1)):
            raw = params.pop(key, None)
            values[key] = default if raw is None else _number(raw)
            if raw is not None and values[key] is None:
                self.complain(
                    self.survey,
                    row.number,
                    "parameter %(key)s=%(value)s is not a number",
                    key=key,
                    value=raw,
                )
        for key in params:
            self.complain(
                self.survey, row.number, "range parameter %(key)s is not supported", key=key
            )
        if values["step"] is not None and values["step"] != 1:
            self.complain(
                self.survey,
                row.number,
                "range step %(step)s is not supported: a slider moves in steps of 1",
                step=values["step"],
            )
        node.put("min", values["start"])
        node.put("max", values["end"])

    def constraint(self, node: _Node, row: _Row, our_type: str) -> None:
        source = row.get("constraint")
        if not source:
            return
        kind = QUESTION_TYPES[our_type]
        subjects = {"number": "dot", "multiple": "count-selected"}
        subject = "string-length" if isinstance(kind, TextType) else subjects.get(our_type)
        example = {
            "dot": ". >= 18 and . <= 120",
            "count-selected": "count-selected(.) <= 2",
            "string-length": "string-length(.) <= 200",
        }
        if subject is None:
            self.complain(
                self.survey,
                row.number,
                "constraint '%(constraint)s' is not supported on a %(type)s question",
                constraint=source,
                type=row.get("type"),
            )
            return
        whole = subject != "dot" or node.get("integer", True) is True
        try:
            bounds = _constraint_bounds(source, subject, whole)
        except _XPathError as error:
            self.complain(
                self.survey,
                row.number,
                "constraint '%(constraint)s' cannot be used: %(error)s (supported: %(example)s)",
                constraint=source,
                error=error,
                example=example[subject],
            )
            return
        if subject == "string-length":
            if "min" in bounds:
                self.complain(self.survey, row.number, "a minimum text length is not supported")
            node.put("max_length", bounds.get("max"))
            return
        node.put("min", bounds.get("min"))
        node.put("max", bounds.get("max"))

    def battery(self, group: _Group) -> _Node:
        sheet = self.survey
        row = group.row
        node = _Node(self.loc(sheet, row))
        self.check_columns(sheet, row, BATTERY_COLUMNS, Message("a battery group"))
        node.put("code", group.name)
        node.put("type", "battery")
        self.common(node, row)
        if self.flag(row, "randomize"):
            node.put("randomize_rows", True)
        list_name: str | None = None
        rows: list[_Node] = []
        required: set[bool] = set()
        for child in group.children:
            if isinstance(child, _Group):
                self.complain(
                    sheet, child.row.number, "battery %(name)s cannot hold a group", name=group.name
                )
                continue
            child_row = child.row
            self.check_columns(sheet, child_row, BATTERY_ROW_COLUMNS, Message("a battery row"))
            if child.kind != "select_one":
                self.complain(
                    sheet,
                    child_row.number,
                    "battery %(name)s can only hold select_one rows, not %(kind)s",
                    name=group.name,
                    kind=child.kind,
                )
                continue
            if child_row.get("battery") != group.name:
                self.complain(
                    sheet,
                    child_row.number,
                    "every row of battery %(name)s needs battery = %(name)s",
                    name=group.name,
                )
            if list_name is None:
                list_name = child.list_name
            elif child.list_name != list_name:
                self.complain(
                    sheet,
                    child_row.number,
                    "every row of battery %(name)s must use list %(list)s, not %(other)s",
                    name=group.name,
                    list=list_name,
                    other=child.list_name,
                )
            flag = _yes_no(child_row.raw("required"))
            required.add(bool(flag))
            entry = _Node(self.loc(sheet, child_row), flow=True)
            entry.put("code", child_row.get("name"))
            entry.put("text", self.text(child_row, "label"))
            entry.put("condition", child_row.get("condition"))
            rows.append(entry)
        if len(required) > 1:
            self.complain(
                sheet,
                row.number,
                "the rows of battery %(name)s must all be required or none",
                name=group.name,
            )
        elif required == {True}:
            node.put("required", True)
        node.put("choices", list_name)
        node["rows"] = rows
        return node


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


# --------------------------------------------------------------------------- export


def _text_node(text: Text, languages: Sequence[str]) -> object:
    """A Text as YAML: a plain string when it reads the same in every language."""
    values = text.as_dict()
    if set(values) == set(languages) and len(set(values.values())) == 1:
        return next(iter(values.values()))
    node = _Node(flow=True)
    for language in languages:
        if language in values:
            node[language] = values[language]
    return node


def _choice_key(choices: Sequence[Choice]) -> tuple[Choice, ...]:
    return tuple(choices)


def _source_list_names(qset: QuestionSet) -> dict[tuple[Choice, ...], str]:
    """The names the set's own YAML gave its choice lists, so an export keeps them."""
    data, problems = _read_yaml(qset.source)
    if problems or not isinstance(data, dict) or not isinstance(data.get("choice_lists"), dict):
        return {}
    names: dict[tuple[Choice, ...], str] = {}
    for name, entries in data["choice_lists"].items():
        if not isinstance(name, str) or not isinstance(entries, list):
            continue
        try:
            choices = tuple(_source_choice(entry, qset.languages) for entry in entries)
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
        names.setdefault(choices, name)
    return names


def _source_choice(entry: Mapping[str, Any], languages: Sequence[str]) -> Choice:
    label = entry["label"]
    if isinstance(label, Mapping):
        text = Text.from_dict({str(k): str(v).strip() for k, v in label.items()})
    else:
        text = Text.of(str(label).strip(), tuple(languages))
    return Choice(int(entry["code"]), text, entry.get("missing"), bool(entry.get("exclusive")))


def _list_names(
    qset: QuestionSet,
) -> tuple[dict[tuple[Choice, ...], str], dict[str, int], set[str]]:
    """A name for every distinct choice list, how many items use each, and the source's names."""
    known = _source_list_names(qset)
    names: dict[tuple[Choice, ...], str] = {}
    used: dict[str, int] = {}
    taken = set(known.values())
    for item in qset.all_items():
        if not item.choices:
            continue
        key = _choice_key(item.choices)
        if key not in names:
            name = known.get(key)
            if name is None:
                base = item.code.lower() if LIST_NAME.fullmatch(item.code.lower()) else "list"
                name, number = base, 1
                while name in taken:
                    number += 1
                    name = f"{base}_{number}"
                taken.add(name)
            names[key] = name
        used[names[key]] = used.get(names[key], 0) + 1
    return names, used, set(known.values())


def _choice_node(choice: Choice, languages: Sequence[str]) -> _Node:
    node = _Node(flow=True)
    node["code"] = choice.code
    node["label"] = _text_node(choice.label, languages)
    node.put("missing", choice.missing)
    if choice.exclusive:
        node["exclusive"] = True
    return node


def _item_node(item: Item, languages: Sequence[str], choices: object) -> _Node:
    node = _Node()
    node["code"] = item.code
    node["type"] = item.type
    if item.text is not None:
        node["text"] = _text_node(item.text, languages)
    if item.help is not None:
        node["help"] = _text_node(item.help, languages)
    if item.required:
        node["required"] = True
    node.put("show_if", item.show_if_source)
    kind = QUESTION_TYPES[item.type]
    if kind.has_choices:
        node["choices"] = choices
    if item.type == "battery":
        rows = []
        for row in item.rows:
            entry = _Node(flow=True)
            entry["code"] = row.code
            entry["text"] = _text_node(row.text, languages)
            entry.put("condition", row.condition)
            rows.append(entry)
        node["rows"] = rows
        if item.randomize_rows:
            node["randomize_rows"] = True
    if "min" in kind.keys:
        node.put("min", item.min)
        node.put("max", item.max)
    if item.type == "number" and not item.integer:
        node["integer"] = False
    for key, value in (("unit", item.unit), ("min_label", item.min_label)):
        if value is not None:
            node[key] = _text_node(value, languages)
    if item.max_label is not None:
        node["max_label"] = _text_node(item.max_label, languages)
    if isinstance(kind, TextType) and item.max_length not in (None, kind.default_max_length):
        node["max_length"] = item.max_length
    for key in ROLE_COLUMNS:
        node.put(key, getattr(item, key))
    return node


def _page_node(page: Page, languages: Sequence[str], choices: Callable[[Item], object]) -> _Node:
    node = _Node()
    node["id"] = page.id
    if page.title is not None:
        node["title"] = _text_node(page.title, languages)
    if page.intro is not None:
        node["intro"] = _text_node(page.intro, languages)
    node.put("show_if", page.show_if_source)
    if page.randomize_items:
        node["randomize_items"] = True
    node["items"] = [_item_node(item, languages, choices(item)) for item in page.items]
    return node


def question_set_to_yaml(qset: QuestionSet) -> str:
    """The set as a YAML file our loader accepts and that loads to an equal question set.

    Choice lists used by several items (or named in the set's own source) are written once under
    choice_lists; long texts are folded at 100 characters.
    """
    languages = qset.languages
    names, used, known = _list_names(qset)
    shared = {name for name, count in used.items() if count > 1 or name in known}
    tree = _Node()
    consultation = _Node()
    consultation["slug"] = qset.consultation_slug
    consultation["title"] = _text_node(qset.consultation_title, languages)
    tree["consultation"] = consultation
    tree["wave"] = qset.wave
    if qset.version_label is not None:
        tree["version"] = qset.version_label
    tree["languages"] = list(languages)
    if qset.intro is not None:
        tree["intro"] = _text_node(qset.intro, languages)
    tree.put("estimated_minutes", qset.estimated_minutes)
    lists = _Node()
    for key, name in names.items():
        if name in shared:
            lists[name] = [_choice_node(choice, languages) for choice in key]
    if lists:
        tree["choice_lists"] = lists

    def choices(item: Item) -> object:
        name = names.get(_choice_key(item.choices))
        if name in shared:
            return name
        return [_choice_node(choice, languages) for choice in item.choices]

    pages: list[Any] = []
    blocks = {block.id: block for block in qset.blocks}
    for page in qset.pages:
        node = _page_node(page, languages, choices)
        if page.block is None:
            pages.append(node)
            continue
        if not pages or not isinstance(pages[-1], _Node) or pages[-1].get("block") != page.block:
            block = blocks[page.block]
            block_node = _Node()
            block_node["block"] = block.id
            if block.randomize:
                block_node["randomize"] = True
            block_node.put("sample", block.sample)
            block_node["pages"] = []
            pages.append(block_node)
        pages[-1]["pages"].append(node)
    tree["pages"] = pages
    return _write_yaml(tree)[0]


class _SheetBuilder:
    """Rows of one sheet as column -> value; columns appear in a fixed order when used."""

    def __init__(self, columns: Sequence[str], always: Iterable[str]) -> None:
        self.columns = list(columns)
        self.always = set(always)
        self.rows: list[dict[str, object]] = []

    def add(self, **values: object) -> dict[str, object]:
        row = {key: value for key, value in values.items() if value not in (None, "")}
        self.rows.append(row)
        return row

    def text(
        self, row: dict[str, object], base: str, text: Text | None, languages: Sequence[str]
    ) -> None:
        if text is None:
            return
        values = text.as_dict()
        for language in languages:
            if language in values:
                row[f"{base}::{language}"] = values[language]

    def table(self) -> list[list[object]]:
        used = [c for c in self.columns if c in self.always or any(c in row for row in self.rows)]
        return [list(used), *([row.get(column) for column in used] for row in self.rows)]


def _constraint_of(item: Item) -> str | None:
    kind = QUESTION_TYPES[item.type]
    if isinstance(kind, TextType):
        if item.max_length is None or item.max_length == kind.default_max_length:
            return None
        return f"string-length(.) <= {item.max_length}"
    subject = {"number": ".", "multiple": "count-selected(.)"}.get(item.type)
    if subject is None:
        return None
    terms = []
    if item.min is not None:
        terms.append(f"{subject} >= {_number_text(item.min)}")
    if item.max is not None:
        terms.append(f"{subject} <= {_number_text(item.max)}")
    return " and ".join(terms) or None


def question_set_to_xlsform(qset: QuestionSet) -> bytes:
    """The set as an XLSForm workbook (.xlsx bytes) that imports back to an equal set.

    Standard columns carry what other tools understand (groups, selects, relevant, constraint);
    our extra columns (show_if, battery, randomize, sample, roles, ...) carry the rest.
    """
    from openpyxl import Workbook

    languages = qset.languages
    names, _, _ = _list_names(qset)
    text_columns = [f"{base}::{lang}" for base in ("label", "hint") for lang in languages]
    extra_text = [
        f"{base}::{lang}" for base in ("unit", "min_label", "max_label") for lang in languages
    ]
    survey = _SheetBuilder(
        [
            "type",
            "name",
            *text_columns,
            "required",
            "relevant",
            "constraint",
            "appearance",
            "parameters",
            "show_if",
            "battery",
            "randomize",
            "sample",
            *extra_text,
            *ROLE_COLUMNS,
        ],
        ["type", "name", *text_columns, "required", "relevant", "constraint", "appearance"],
    )

    def condition(row: dict[str, object], expr: Expr | None, source: str | None) -> None:
        if expr is not None and source is not None:
            row["relevant"] = xpath_of(expr)
            row["show_if"] = source

    def roles(row: dict[str, object], item: Item) -> None:
        for key in ROLE_COLUMNS:
            value = getattr(item, key)
            if value is not None:
                row[key] = value

    def add_item(item: Item) -> None:
        list_name = names.get(_choice_key(item.choices), "")
        if item.type == "battery":
            row = survey.add(type="begin group", name=item.code, appearance="field-list")
            survey.text(row, "label", item.text, languages)
            survey.text(row, "hint", item.help, languages)
            condition(row, item.show_if, item.show_if_source)
            if item.randomize_rows:
                row["randomize"] = "yes"
            roles(row, item)
            for battery_row in item.rows:
                line = survey.add(
                    type=f"select_one {list_name}",
                    name=battery_row.code,
                    battery=item.code,
                    condition=battery_row.condition,
                    required="yes" if item.required else None,
                )
                survey.text(line, "label", battery_row.text, languages)
            survey.add(type="end group", name=item.code)
            return
        xls_type = {
            "info": "note",
            "single": f"select_one {list_name}",
            "likert": f"select_one {list_name}",
            "multiple": f"select_multiple {list_name}",
            "ranking": f"rank {list_name}",
            "number": "integer" if item.integer else "decimal",
            "slider": "range",
            "text": "text",
            "textarea": "text",
        }[item.type]
        row = survey.add(
            type=xls_type,
            name=item.code,
            required="yes" if item.required else None,
            appearance={"likert": "likert", "textarea": "multiline"}.get(item.type),
        )
        survey.text(row, "label", item.text, languages)
        survey.text(row, "hint", item.help, languages)
        condition(row, item.show_if, item.show_if_source)
        if item.type == "slider":
            start = _number_text(item.min if item.min is not None else 0)
            end = _number_text(item.max if item.max is not None else 10)
            row["parameters"] = f"start={start} end={end} step=1"
        constraint = _constraint_of(item)
        if constraint:
            row["constraint"] = constraint
        survey.text(row, "unit", item.unit, languages)
        survey.text(row, "min_label", item.min_label, languages)
        survey.text(row, "max_label", item.max_label, languages)
        roles(row, item)

    blocks = {block.id: block for block in qset.blocks}
    open_block: str | None = None
    for page in qset.pages:
        if page.block != open_block:
            if open_block is not None:
                survey.add(type="end group", name=open_block)
            if page.block is not None:
                block = blocks[page.block]
                survey.add(
                    type="begin group",
                    name=block.id,
                    randomize="yes" if block.randomize else None,
                    sample=block.sample,
                )
            open_block = page.block
        row = survey.add(type="begin group", name=page.id, appearance="field-list")
        survey.text(row, "label", page.title, languages)
        survey.text(row, "hint", page.intro, languages)
        condition(row, page.show_if, page.show_if_source)
        if page.randomize_items:
            row["randomize"] = "yes"
        for item in page.items:
            add_item(item)
        survey.add(type="end group", name=page.id)
    if open_block is not None:
        survey.add(type="end group", name=open_block)

    label_columns = [f"label::{lang}" for lang in languages]
    choices = _SheetBuilder(
        ["list_name", "name", *label_columns, "missing", "exclusive"],
        ["list_name", "name", *label_columns],
    )
    for key, name in names.items():
        for choice in key:
            row = choices.add(
                list_name=name,
                name=choice.code,
                missing=choice.missing,
                exclusive="yes" if choice.exclusive else None,
            )
            choices.text(row, "label", choice.label, languages)

    settings = _SheetBuilder(
        [
            "form_title",
            *(f"consultation_title::{lang}" for lang in languages[1:]),
            "form_id",
            "version",
            "default_language",
            "wave",
            "intro",
            *(f"intro::{lang}" for lang in languages[1:]),
            "estimated_minutes",
        ],
        ["form_title", "form_id", "version", "default_language", "wave"],
    )
    title = qset.consultation_title.as_dict()
    row = settings.add(
        form_title=title.get("nl"),
        form_id=qset.consultation_slug,
        version=qset.version_label,
        default_language="nl",
        wave=qset.wave,
        estimated_minutes=qset.estimated_minutes,
    )
    for language in languages[1:]:
        row[f"consultation_title::{language}"] = title.get(language)
    if qset.intro is not None:
        intro = qset.intro.as_dict()
        row["intro"] = intro.get("nl")
        for language in languages[1:]:
            row[f"intro::{language}"] = intro.get(language)

    workbook = Workbook()
    first = True
    for title_text, builder in (("survey", survey), ("choices", choices), ("settings", settings)):
        worksheet = workbook.active if first else workbook.create_sheet()
        assert worksheet is not None
        first = False
        worksheet.title = title_text
        for values in builder.table():
            worksheet.append(values)
        for cells in worksheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # a text, never a spreadsheet formula
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
