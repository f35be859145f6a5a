"""Reading an XLSForm workbook: its sheets, headers, columns and cell values, within limits."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from surveys.messages import N_, Message, excerpt
from surveys.problems import Problem
from surveys.vocabulary import CHOICE_NAME, NUMBER_LIKE
from surveys.xlsform.about_settings import TEXT_COLUMNS

Source = str | Path | bytes | BinaryIO

#: Non-empty rows read per sheet at most: a questionnaire has hundreds, not tens of thousands.
MAX_ROWS = 10_000
#: The last row number read: a sheet going on past it (even with empty rows) is refused.
MAX_ROW_NUMBER = 50_000
#: Columns a sheet may fill: XLSForm uses a few dozen.
MAX_COLUMNS = 200
#: Limits on the .xlsx package, checked before anything is parsed: a workbook of a few sheets
#: has about fifteen parts of a few hundred KB; a "zip bomb" of 1 MB unpacks to gigabytes.
MAX_PARTS = 100
MAX_PART_BYTES = 8 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
#: Packed this many times smaller a large part is only padding (spreadsheet XML packs ~10x).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
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
        *TEXT_COLUMNS,
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
    # Columns of an earlier version of our own language, with what replaced them.
    "domain": N_(
        "items no longer carry a domain: declare each application's domain on the vocabulary sheet"
    ),
    "demographic": N_(
        "no longer needed: role demographic alone makes a weighting variable, and a margins file "
        "names it by its name"
    ),
}
ROLE_COLUMNS = ("role", "application", "condition")
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
_SHEET_ORDER = {"survey": 1, "choices": 2, "settings": 3, "vocabulary": 4}


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
        if number > MAX_ROW_NUMBER:
            message = Message(
                "the sheet goes on past row %(max)s; delete the rows below the questionnaire",
                {"max": MAX_ROW_NUMBER},
            )
            problems.append(Problem(None, message, sheet=title))
            break
        if len(values) > MAX_COLUMNS and any(value is not None for value in values[MAX_COLUMNS:]):
            message = Message(
                "the sheet has more than %(max)s columns; delete the columns to the right of "
                "the questionnaire",
                {"max": MAX_COLUMNS},
            )
            problems.append(Problem(number, message, sheet=title))
            break
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


_SAVE_AGAIN = N_("save it again from your spreadsheet program as 'Excel Workbook (.xlsx)'")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _check_package(data: bytes) -> list[Problem]:
    """Refuse a workbook whose package would unpack into too much, before parsing any of it:
    too many parts, a part or the whole too large or packed suspiciously well, or XML with a
    DOCTYPE (entities: external files or exponential expansion; Excel never writes one).
    A file that is no zip at all is left to the reader, which says so."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    with package:
        parts = package.infolist()
        if len(parts) > MAX_PARTS:
            message = Message(
                "the workbook consists of too many parts (%(count)s, at most %(max)s); %(fix)s",
                {"count": len(parts), "max": MAX_PARTS, "fix": Message(_SAVE_AGAIN)},
            )
            return [Problem(None, message)]
        total = 0
        for part in parts:
            name = excerpt(part.filename)
            if part.file_size > MAX_PART_BYTES:
                message = Message(
                    "part %(part)s of the workbook is too large unpacked (%(size)s MB, at most "
                    "%(max)s MB)",
                    {
                        "part": name,
                        "size": _megabytes(part.file_size),
                        "max": _megabytes(MAX_PART_BYTES),
                    },
                )
                return [Problem(None, message)]
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
                message = Message(
                    "part %(part)s of the workbook is compressed suspiciously well (%(ratio)s "
                    "times); %(fix)s",
                    {"part": name, "ratio": int(ratio), "fix": Message(_SAVE_AGAIN)},
                )
                return [Problem(None, message)]
            total += part.file_size
            if total > MAX_TOTAL_BYTES:
                message = Message(
                    "the workbook is too large unpacked (more than %(max)s MB)",
                    {"max": _megabytes(MAX_TOTAL_BYTES)},
                )
                return [Problem(None, message)]
        for part in parts:
            if _has_doctype(package, part):
                message = Message(
                    "part %(part)s of the workbook contains a DOCTYPE declaration, which Excel "
                    "never writes; %(fix)s",
                    {"part": excerpt(part.filename), "fix": Message(_SAVE_AGAIN)},
                )
                return [Problem(None, message)]
    return []


def _has_doctype(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether a part declares a DOCTYPE or entity, read in chunks up to its declared size."""
    tail = b""
    left = part.file_size
    try:
        with package.open(part) as stream:
            while left > 0:
                chunk = stream.read(min(left, 64 * 1024))
                if not chunk:
                    break
                left -= len(chunk)
                if _DOCTYPE.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return False  # a damaged part: the reader reports the file as unreadable
    return False


def _read_source(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    return source.read()


def _open_workbook(source: Source) -> tuple[dict[str, _Sheet], list[Problem]]:
    """Read every sheet of an .xlsx workbook; an unreadable file is one problem, not a crash.

    The package is checked first (`_check_package`) and sheets are streamed (read-only), so
    no upload can make the reader unpack or hold more than a few tens of MB."""
    from openpyxl import load_workbook  # imported here: only XLSForm users need openpyxl

    problems: list[Problem] = []
    try:
        data = _read_source(source)
    except OSError as error:
        reason = error.strerror or error
        return {}, [
            Problem(None, Message("the file cannot be read (%(reason)s)", {"reason": reason}))
        ]
    refused = _check_package(data)
    if refused:
        return {}, refused
    stream: Any = io.BytesIO(data)
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


def _choice_name(name: str) -> str | None:
    """A choice name kept on its option (ODK and KoboToolbox write it in their data), or None
    when it cannot be one (spaces, ';', a number): such a list is still numbered 1, 2, 3..."""
    valid = CHOICE_NAME.fullmatch(name) and not NUMBER_LIKE.fullmatch(name)
    return name if valid else None


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# The survey sheet's rows as the importer sees them: questions inside (nested) groups.


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
