"""Load and validate a YAML question set (the language described in surveys/README.md).

Authors are organizers, not programmers: every problem in a file is collected in one pass and
reported with its line number in plain English, and nothing is returned unless the whole file
is valid, so a half-checked question set can never be stored.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from surveys.expressions import (
    RESERVED_WORDS,
    Call,
    Compare,
    Expr,
    ExpressionError,
    Literal,
    Name,
    TupleLiteral,
)
from surveys.expressions import parse as parse_expression
from surveys.model import Block, Choice, Item, Page, QuestionSet, Row, Text
from surveys.types import QUESTION_TYPES, TextType

# --------------------------------------------------------------------------- vocabulary

SUPPORTED_LANGUAGES = ("nl", "en")
LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}
ROLES = ("acceptance", "condition", "conditional_acceptance", "demographic")
ROLES_NEEDING_APPLICATION = ("acceptance", "condition", "conditional_acceptance")
DOMAINS = ("green", "white", "red")
CONDITIONS = (
    "safety",
    "transparency",
    "ethics",
    "public_benefit",
    "shared_responsibility",
    "freedom_of_choice",
    "affordability",
)
DEMOGRAPHICS = ("age_group", "sex", "education", "province")
MISSING_KINDS = ("dont_know", "refused")

TOP_KEYS = (
    "consultation",
    "wave",
    "version",
    "languages",
    "intro",
    "estimated_minutes",
    "choice_lists",
    "pages",
)
CONSULTATION_KEYS = ("slug", "title")
PAGE_KEYS = ("id", "title", "intro", "show_if", "randomize_items", "items")
BLOCK_KEYS = ("block", "randomize", "sample", "pages")
ITEM_KEYS = (
    "code",
    "type",
    "text",
    "help",
    "required",
    "show_if",
    "role",
    "application",
    "domain",
    "condition",
    "demographic",
)
TYPE_KEYS = frozenset().union(*(kind.keys for kind in QUESTION_TYPES.values()))
ROW_KEYS = ("code", "text", "condition")
CHOICE_KEYS = ("code", "label", "missing", "exclusive")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
PAGE_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
LIST_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
APPLICATION = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_OPTION_CODE = 9999


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a question set, pointing at the line to fix.

    For a spreadsheet (XLSForm) `sheet` names the sheet and `line` is the row number there, so
    the author is sent to the cell they wrote rather than to generated YAML.
    """

    line: int | None
    message: str
    sheet: str | None = None

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


# --------------------------------------------------------------------------- YAML with lines


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers where it and each of its keys start."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: str) -> int:
        """The line of `key` if present, else the line of the mapping itself."""
        return self.key_lines.get(key, self.line)


class _Seq(list[Any]):
    """A YAML sequence that remembers where it and each element start."""

    line: int = 0
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers, reports duplicate keys, and only reads
    true/false as booleans (so `en: Yes` or `nl: Nee` stay texts)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[Problem] = []


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    merge_keys = sum(1 for key, _ in node.value if key.tag == "tag:yaml.org,2002:merge")
    own = len(node.value) - merge_keys
    loader.flatten_mapping(node)
    inherited = len(node.value) - own  # entries copied in by `<<: *anchor` come first
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a single word", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in result and index >= inherited and result.key_lines[key] != line:
            loader.duplicate_keys.append(
                Problem(
                    line,
                    f"'{key}' appears twice in the same place (first on line "
                    f"{result.key_lines[key]}); remove one of them",
                )
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _read_yaml(text: str) -> tuple[object, list[Problem]]:
    """Parse YAML; a syntax error becomes a Problem with its line."""
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "unreadable text"
        hint = (
            "check the indentation, and put a text in quotes when it contains ': ', ' #' or "
            "quote marks (inside { } also when it contains a comma or question mark)"
        )
        if "\\t" in what or "tab" in what:
            hint = "use spaces, not tabs, to indent"
        return None, [Problem(line, f"this is not valid YAML ({what}); {hint}")]
    except yaml.YAMLError as exc:
        return None, [Problem(None, f"this is not valid YAML ({exc})")]
    finally:
        loader.dispose()
    return data, loader.duplicate_keys


def _suggest(word: object, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a likely typo, else ''."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


# --------------------------------------------------------------------------- the checker


@dataclass
class _Reference:
    """A parsed show_if waiting for the check that needs every code to be known."""

    expr: Expr
    source: str
    line: int
    page_index: int
    where: str


class _Builder:
    """Walks the YAML once, building model objects and collecting every problem."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("nl",)
        self.codes: dict[str, tuple[str, int]] = {}
        self.page_lines: dict[str, int] = {}
        self.block_lines: dict[str, int] = {}
        self.choice_lists: dict[str, tuple[Choice, ...]] = {}
        self.pages: list[Page] = []
        self.blocks: list[Block] = []
        self.references: list[_Reference] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(line, message))

    # ---- small readers --------------------------------------------------------------

    def check_keys(self, mapping: _Map, allowed: Iterable[str], where: str) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.problem(
                    mapping.line_of(key),
                    f"unknown key '{key}' in {where}{_suggest(key, allowed)}",
                )

    def text(self, value: object, line: int, what: str) -> Text | None:
        """A text: a plain string (same in every language) or {nl: ..., en: ...}."""
        if _is_number(value):
            value = str(value)
        if isinstance(value, str):
            if not value.strip():
                self.problem(line, f"{what} is empty")
                return None
            return Text.of(value.strip(), self.languages)
        if not isinstance(value, _Map):
            self.problem(
                line, f"{what} must be a text, or one text per language like {{nl: ..., en: ...}}"
            )
            return None
        texts: dict[str, str] = {}
        for lang, translation in value.items():
            if lang not in self.languages:
                self.problem(
                    value.line_of(lang),
                    f"{what} has a version in '{lang}', which is not listed under languages",
                )
                continue
            if _is_number(translation):
                translation = str(translation)
            if not isinstance(translation, str) or not translation.strip():
                name = LANGUAGE_NAMES.get(str(lang), str(lang))
                self.problem(value.line_of(lang), f"the {name} version of {what} is empty")
                continue
            texts[lang] = translation.strip()
        for lang in self.languages:
            if lang in value:
                continue
            if lang == "nl":
                self.problem(line, f"{what} has no Dutch (nl) version; Dutch is always required")
            else:
                name = LANGUAGE_NAMES.get(lang, lang)
                self.problem(
                    line,
                    f"{what} has no {name} ({lang}) version, but {lang} is listed under languages",
                )
        return Text.from_dict(texts) if "nl" in texts else None

    def optional_text(self, mapping: _Map, key: str, what: str) -> Text | None:
        if mapping.get(key) is None:
            return None
        return self.text(mapping[key], mapping.line_of(key), what)

    def required_text(self, mapping: _Map, key: str, what: str, where: str) -> Text | None:
        if mapping.get(key) is None:
            self.problem(mapping.line_of(key), f"{where} has no '{key}' (required)")
            return None
        return self.text(mapping[key], mapping.line_of(key), what)

    def boolean(self, mapping: _Map, key: str, where: str, default: bool) -> bool:
        value = mapping.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(mapping.line_of(key), f"'{key}' of {where} must be true or false")
            return default
        return value

    def whole_number(self, mapping: _Map, key: str, where: str, minimum: int) -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not _is_int(value):
            self.problem(mapping.line_of(key), f"'{key}' of {where} must be a whole number")
            return None
        if value < minimum:
            self.problem(mapping.line_of(key), f"'{key}' of {where} must be at least {minimum}")
            return None
        return int(value)

    def choose(
        self, mapping: _Map, key: str, allowed: Sequence[str], where: str, kind: str
    ) -> str | None:
        """A value from a fixed vocabulary (role, domain, condition, ...)."""
        value = mapping.get(key)
        if value is None:
            return None
        if value not in allowed:
            self.problem(
                mapping.line_of(key),
                f"{where} has unknown {kind} '{value}'{_suggest(value, allowed)}; "
                f"use one of: {', '.join(allowed)}",
            )
            return None
        return str(value)

    def register_code(self, code: str, kind: str, line: int) -> None:
        if code in self.codes:
            _, first = self.codes[code]
            self.problem(line, f"duplicate {kind} code {code} (first defined on line {first})")
        else:
            self.codes[code] = (kind, line)

    def code(self, mapping: _Map, kind: str, where: str) -> str | None:
        """An item or row code: format, reserved words and uniqueness."""
        value = mapping.get("code")
        line = mapping.line_of("code")
        if value is None:
            self.problem(mapping.line, f"{where} has no 'code' (required)")
            return None
        if not isinstance(value, str) or not CODE.fullmatch(value):
            self.problem(
                line,
                f"{kind} code '{value}' is not valid: start with a letter and use only letters, "
                "digits and _ (at most 32 characters)",
            )
            return None
        if value in RESERVED_WORDS:
            self.problem(
                line, f"{kind} code '{value}' is a reserved word in conditions; choose another"
            )
            return None
        self.register_code(value, kind, line)
        return value

    # ---- top level ------------------------------------------------------------------

    def build(self, data: object, source: str) -> QuestionSet | None:
        if data is None:
            self.problem(1, "the file is empty")
            return None
        if not isinstance(data, _Map):
            line = getattr(data, "line", 1)
            self.problem(
                line,
                "the file must be a set of keys (consultation:, wave:, languages:, pages:, ...), "
                "not a list or a single value",
            )
            return None
        self.check_keys(data, TOP_KEYS, "the top level")
        for key in ("consultation", "wave", "languages", "pages"):
            if data.get(key) is None:
                self.problem(data.line_of(key), f"required key '{key}' is missing")
        self.read_languages(data)
        slug, title = self.read_consultation(data)
        wave = self.read_slug(data, "wave")
        version = data.get("version")
        if version is not None and not isinstance(version, str | int | float):
            self.problem(data.line_of("version"), "'version' must be a short label like 2026.1")
        intro = self.optional_text(data, "intro", "the intro")
        minutes = self.whole_number(data, "estimated_minutes", "the question set", 1)
        self.read_choice_lists(data)
        self.read_pages(data)
        self.check_references()
        if self.problems or slug is None or title is None or wave is None:
            return None
        return QuestionSet(
            consultation_slug=slug,
            consultation_title=title,
            wave=wave,
            version_label=None if version is None else str(version),
            languages=self.languages,
            intro=intro,
            estimated_minutes=minutes,
            pages=tuple(self.pages),
            blocks=tuple(self.blocks),
            source=source,
            checksum=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        )

    def read_languages(self, data: _Map) -> None:
        value = data.get("languages")
        if value is None:
            return
        line = data.line_of("languages")
        if isinstance(value, str):
            value = _Seq([value])
            value.line, value.item_lines = line, [line]
        if not isinstance(value, _Seq) or not value:
            self.problem(line, "'languages' must be a list such as [nl, en]")
            return
        found: list[str] = []
        for index, lang in enumerate(value):
            if lang not in SUPPORTED_LANGUAGES:
                self.problem(
                    value.line_at(index),
                    f"language '{lang}' is not supported; use nl and, if wanted, en",
                )
            elif lang in found:
                self.problem(value.line_at(index), f"language '{lang}' is listed twice")
            else:
                found.append(lang)
        if "nl" not in found:
            self.problem(line, "'languages' must include nl: Dutch is always required")
        elif value[0] != "nl":
            self.problem(line, "nl must come first in 'languages'")
        self.languages = ("nl", *(lang for lang in found if lang != "nl"))

    def read_slug(self, mapping: _Map, key: str, what: str | None = None) -> str | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            self.problem(
                mapping.line_of(key),
                f"{what or key} '{value}' is not a valid slug: use lower-case letters, digits and "
                "single '-' between them, e.g. biotech-2026",
            )
            return None
        return value

    def read_consultation(self, data: _Map) -> tuple[str | None, Text | None]:
        value = data.get("consultation")
        if value is None:
            return None, None
        if not isinstance(value, _Map):
            self.problem(
                data.line_of("consultation"), "'consultation' must have a slug and a title"
            )
            return None, None
        self.check_keys(value, CONSULTATION_KEYS, "consultation")
        if value.get("slug") is None:
            self.problem(value.line, "consultation has no 'slug' (required)")
        slug = self.read_slug(value, "slug", "consultation slug")
        title = self.required_text(value, "title", "the consultation title", "consultation")
        return slug, title

    # ---- choices --------------------------------------------------------------------

    def read_choice_lists(self, data: _Map) -> None:
        value = data.get("choice_lists")
        if value is None:
            return
        if not isinstance(value, _Map):
            self.problem(
                data.line_of("choice_lists"),
                "'choice_lists' must map a name to a list of choices",
            )
            return
        for name, entries in value.items():
            line = value.line_of(name)
            if not isinstance(name, str) or not LIST_NAME.fullmatch(name):
                self.problem(
                    line,
                    f"choice list name '{name}' is not valid: start with a letter and use only "
                    "letters, digits and _",
                )
                continue
            self.choice_lists[name] = self.choices(entries, line, f"choice list {name}")

    def choices(self, entries: object, line: int, where: str) -> tuple[Choice, ...]:
        if not isinstance(entries, _Seq):
            self.problem(line, f"{where} must be a list of choices like - {{code: 1, label: ...}}")
            return ()
        if not entries:
            self.problem(line, f"{where} is empty: give at least one choice")
            return ()
        seen: dict[int, int] = {}
        result: list[Choice] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, _Map):
                self.problem(
                    entries.line_at(index),
                    f"each choice in {where} must look like {{code: 1, label: ...}}",
                )
                continue
            self.check_keys(entry, CHOICE_KEYS, f"a choice of {where}")
            code = entry.get("code")
            code_line = entry.line_of("code")
            valid_code: int | None = None
            if code is None:
                self.problem(entry.line, f"a choice of {where} has no 'code' (required)")
            elif not _is_int(code):
                self.problem(code_line, f"option code '{code}' in {where} must be a whole number")
            elif not 0 <= code <= MAX_OPTION_CODE:
                self.problem(
                    code_line,
                    f"option code {code} in {where} must be between 0 and {MAX_OPTION_CODE}",
                )
            elif code in seen:
                self.problem(
                    code_line,
                    f"duplicate option code {code} in {where} (first defined on line {seen[code]})",
                )
            else:
                seen[code] = code_line
                valid_code = code
            what = f"the label of option {code} in {where}"
            label = self.required_text(entry, "label", what, f"option {code} in {where}")
            option_where = f"option {code} in {where}"
            missing = self.choose(entry, "missing", MISSING_KINDS, option_where, "missing kind")
            exclusive = self.boolean(entry, "exclusive", option_where, False)
            if valid_code is not None and label is not None:
                result.append(Choice(valid_code, label, missing, exclusive))
        return tuple(result)

    # ---- pages and blocks -------------------------------------------------------------

    def read_pages(self, data: _Map) -> None:
        value = data.get("pages")
        if value is None:
            return
        if not isinstance(value, _Seq) or not value:
            self.problem(data.line_of("pages"), "'pages' must be a list of pages and blocks")
            return
        for index, entry in enumerate(value):
            if not isinstance(entry, _Map):
                self.problem(
                    value.line_at(index),
                    "each entry under pages must be a page (with id:) or a block (with block:)",
                )
            elif "block" in entry:
                self.read_block(entry)
            elif "id" in entry:
                self.read_page(entry, None)
            else:
                self.problem(
                    entry.line,
                    "each entry under pages needs an 'id' (a page) or 'block' (a group of pages)",
                )

    def read_block(self, entry: _Map) -> None:
        block_id = entry.get("block")
        where = f"block {block_id}"
        self.check_keys(entry, BLOCK_KEYS, where)
        valid_id = isinstance(block_id, str) and PAGE_ID.fullmatch(block_id) is not None
        if not valid_id:
            self.problem(
                entry.line_of("block"),
                f"block id '{block_id}' is not valid: use only letters, digits and _",
            )
        elif block_id in self.block_lines:
            self.problem(
                entry.line_of("block"),
                f"duplicate block id {block_id} (first defined on line "
                f"{self.block_lines[block_id]})",
            )
        else:
            self.block_lines[str(block_id)] = entry.line_of("block")
        randomize = self.boolean(entry, "randomize", where, False)
        sample = entry.get("sample")
        pages = entry.get("pages")
        page_ids: list[str] = []
        if not isinstance(pages, _Seq) or not pages:
            self.problem(entry.line_of("pages"), f"{where} needs a list of 'pages'")
            pages = _Seq()
        for index, page in enumerate(pages):
            if not isinstance(page, _Map):
                self.problem(pages.line_at(index), f"each entry in {where} must be a page")
            elif "block" in page:
                self.problem(
                    page.line,
                    f"blocks cannot be nested: block {page['block']} is inside {where}",
                )
            else:
                built = self.read_page(page, str(block_id) if valid_id else None)
                if built is not None:
                    page_ids.append(built.id)
        if sample is not None:
            line = entry.line_of("sample")
            if not _is_int(sample):
                self.problem(line, f"'sample' of {where} must be a whole number")
                sample = None
            elif sample < 1:
                self.problem(line, f"'sample' of {where} must be at least 1, not {sample}")
                sample = None
            elif sample > len(pages):
                self.problem(
                    line,
                    f"'sample' of {where} is {sample}, but the block has only {len(pages)} "
                    f"page{'s' if len(pages) != 1 else ''}",
                )
                sample = None
        if valid_id:
            self.blocks.append(
                Block(str(block_id), randomize, sample, tuple(page_ids), entry.line_of("block"))
            )

    def read_page(self, entry: _Map, block: str | None) -> Page | None:
        page_id = entry.get("id")
        where = f"page {page_id}"
        self.check_keys(entry, PAGE_KEYS, where)
        valid_id = isinstance(page_id, str) and PAGE_ID.fullmatch(page_id) is not None
        if not valid_id:
            self.problem(
                entry.line_of("id"),
                f"page id '{page_id}' is not valid: use only letters, digits and _",
            )
        elif page_id in self.page_lines:
            self.problem(
                entry.line_of("id"),
                f"duplicate page id {page_id} (first defined on line {self.page_lines[page_id]})",
            )
        else:
            self.page_lines[str(page_id)] = entry.line_of("id")
        page_index = len(self.pages)
        title = self.optional_text(entry, "title", f"the title of {where}")
        intro = self.optional_text(entry, "intro", f"the intro of {where}")
        show_if, show_if_source = self.expression(entry, where, page_index)
        randomize_items = self.boolean(entry, "randomize_items", where, False)
        raw_items = entry.get("items")
        items: list[Item] = []
        if not isinstance(raw_items, _Seq) or not raw_items:
            self.problem(entry.line_of("items"), f"{where} needs a list of 'items'")
        else:
            for index, raw in enumerate(raw_items):
                if not isinstance(raw, _Map):
                    self.problem(
                        raw_items.line_at(index),
                        f"each item of {where} must be a set of keys (code:, type:, text:, ...)",
                    )
                    continue
                item = self.read_item(raw, page_index)
                if item is not None:
                    items.append(item)
        page = Page(
            id=str(page_id),
            title=title,
            intro=intro,
            show_if=show_if,
            randomize_items=randomize_items,
            items=tuple(items),
            block=block,
            line=entry.line,
            show_if_source=show_if_source,
        )
        self.pages.append(page)
        return page if valid_id else None

    def expression(
        self, entry: _Map, where: str, page_index: int
    ) -> tuple[Expr | None, str | None]:
        source = entry.get("show_if")
        if source is None:
            return None, None
        line = entry.line_of("show_if")
        if not isinstance(source, str):
            self.problem(line, f'show_if of {where} must be a condition in quotes, e.g. "Q1 == 1"')
            return None, None
        try:
            expr = parse_expression(source)
        except ExpressionError as exc:
            self.problem(
                line,
                f"show_if of {where} is not a valid condition: {exc.message} "
                f'(at character {exc.column} of "{source}")',
            )
            return None, source
        self.references.append(_Reference(expr, source, line, page_index, where))
        return expr, source

    # ---- items ------------------------------------------------------------------------

    def read_item(self, entry: _Map, page_index: int) -> Item | None:
        code = self.code(entry, "item", "an item")
        where = f"item {code}" if code else f"the item on line {entry.line}"
        kind_name = entry.get("type")
        kind = QUESTION_TYPES.get(kind_name) if isinstance(kind_name, str) else None
        if kind_name is None:
            self.problem(entry.line, f"{where} has no 'type' (required)")
        elif kind is None:
            self.problem(
                entry.line_of("type"),
                f"{where} has unknown type '{kind_name}'{_suggest(kind_name, QUESTION_TYPES)}; "
                f"the types are: {', '.join(QUESTION_TYPES)}",
            )
        allowed = set(ITEM_KEYS) | (kind.keys if kind is not None else TYPE_KEYS)
        for key in entry:
            if key in allowed:
                continue
            if key in TYPE_KEYS and kind is not None:
                self.problem(entry.line_of(key), f"'{key}' does not apply to a {kind.name} item")
            else:
                self.problem(
                    entry.line_of(key),
                    f"unknown key '{key}' in {where}{_suggest(key, sorted(allowed))}",
                )
        is_info = kind is not None and not kind.has_answer
        # An info item's text is what it shows, so every item needs one.
        text = self.required_text(entry, "text", f"the text of {where}", where)
        help_text = self.optional_text(entry, "help", f"the help of {where}")
        required = self.boolean(entry, "required", where, False)
        if is_info and required:
            self.problem(
                entry.line_of("required"), f"{where} is an info item and has no answer to require"
            )
        show_if, show_if_source = self.expression(entry, where, page_index)

        choices: tuple[Choice, ...] = ()
        if kind is not None and kind.has_choices:
            choices = self.item_choices(entry, where)
        rows: tuple[Row, ...] = ()
        if kind is not None and kind.name == "battery":
            rows = self.rows(entry, where)
        minimum, maximum = self.bounds(entry, where, kind.name if kind else None, len(choices))
        integer = True
        if kind is not None and kind.name == "number":
            integer = self.boolean(entry, "integer", where, True)
        max_length: int | None = None
        if isinstance(kind, TextType):
            max_length = self.whole_number(entry, "max_length", where, 1)
            if max_length is None:
                max_length = kind.default_max_length
        item = Item(
            code=code or "",
            type=kind.name if kind is not None else str(kind_name),
            text=text,
            help=help_text,
            required=required,
            show_if=show_if,
            show_if_source=show_if_source,
            choices=choices,
            rows=rows,
            min=minimum,
            max=maximum,
            integer=integer,
            unit=self.optional_text(entry, "unit", f"the unit of {where}"),
            min_label=self.optional_text(entry, "min_label", f"the min_label of {where}"),
            max_label=self.optional_text(entry, "max_label", f"the max_label of {where}"),
            max_length=max_length,
            randomize_rows=self.boolean(entry, "randomize_rows", where, False),
            role=self.choose(entry, "role", ROLES, where, "role"),
            application=self.application(entry, where),
            domain=self.choose(entry, "domain", DOMAINS, where, "domain"),
            condition=self.choose(entry, "condition", CONDITIONS, where, "condition"),
            demographic=self.choose(entry, "demographic", DEMOGRAPHICS, where, "demographic"),
            line=entry.line,
        )
        self.check_roles(entry, item, where)
        return item if code and kind is not None else None

    def item_choices(self, entry: _Map, where: str) -> tuple[Choice, ...]:
        value = entry.get("choices")
        line = entry.line_of("choices")
        if value is None:
            self.problem(
                line,
                f"{where} has no 'choices' (required): name a choice list or give a list",
            )
            return ()
        if isinstance(value, str):
            if value not in self.choice_lists:
                self.problem(
                    line,
                    f"{where} uses choice list '{value}', which is not defined under "
                    f"choice_lists{_suggest(value, self.choice_lists)}",
                )
                return ()
            return self.choice_lists[value]
        return self.choices(value, line, f"the choices of {where}")

    def rows(self, entry: _Map, where: str) -> tuple[Row, ...]:
        value = entry.get("rows")
        if not isinstance(value, _Seq) or not value:
            self.problem(
                entry.line_of("rows"),
                f"{where} is a battery and needs a list of 'rows' (each with code and text)",
            )
            return ()
        rows: list[Row] = []
        for index, raw in enumerate(value):
            if not isinstance(raw, _Map):
                self.problem(
                    value.line_at(index),
                    f"each row of {where} must look like {{code: ..., text: ...}}",
                )
                continue
            self.check_keys(raw, ROW_KEYS, f"a row of {where}")
            code = self.code(raw, "row", f"a row of {where}")
            row_where = f"row {code}" if code else f"a row of {where}"
            text = self.required_text(raw, "text", f"the text of {row_where}", row_where)
            condition = self.choose(raw, "condition", CONDITIONS, row_where, "condition")
            if code and text is not None:
                rows.append(Row(code, text, condition))
        return tuple(rows)

    def bounds(
        self, entry: _Map, where: str, kind: str | None, choice_count: int
    ) -> tuple[float | None, float | None]:
        """min/max: selections (multiple), a range (number) or a scale (slider)."""
        if kind not in ("multiple", "number", "slider"):
            return None, None
        whole = kind != "number"
        values: dict[str, float | None] = {}
        for key in ("min", "max"):
            value = entry.get(key)
            if value is None:
                values[key] = None
            elif (whole and not _is_int(value)) or not _is_number(value):
                kind_text = "a whole number" if whole else "a number"
                self.problem(entry.line_of(key), f"'{key}' of {where} must be {kind_text}")
                values[key] = None
            else:
                values[key] = value
        if kind == "slider":
            values["min"] = 0 if values["min"] is None and "min" not in entry else values["min"]
            values["max"] = 10 if values["max"] is None and "max" not in entry else values["max"]
        minimum, maximum = values["min"], values["max"]
        line = entry.line_of("min") if "min" in entry else entry.line_of("max")
        if minimum is not None and maximum is not None:
            if minimum > maximum:
                self.problem(
                    line,
                    f"'min' of {where} ({_fmt(minimum)}) is greater than 'max' ({_fmt(maximum)})",
                )
            elif kind == "slider" and minimum == maximum:
                self.problem(line, f"'min' and 'max' of {where} must differ")
        if kind == "multiple":
            for key, value in (("min", minimum), ("max", maximum)):
                if value is not None and value < 0:
                    self.problem(entry.line_of(key), f"'{key}' of {where} cannot be negative")
            if minimum is not None and choice_count and minimum > choice_count:
                self.problem(
                    entry.line_of("min"),
                    f"'min' of {where} is {_fmt(minimum)}, but it has only {choice_count} choices",
                )
        return minimum, maximum

    def application(self, entry: _Map, where: str) -> str | None:
        value = entry.get("application")
        if value is None:
            return None
        if not isinstance(value, str) or not APPLICATION.fullmatch(value):
            self.problem(
                entry.line_of("application"),
                f"application '{value}' of {where} is not valid: use lower-case letters, digits "
                "and _, e.g. crispr_crops",
            )
            return None
        return value

    def check_roles(self, entry: _Map, item: Item, where: str) -> None:
        role = entry.get("role")
        line = entry.line_of("role")
        if role in ROLES_NEEDING_APPLICATION:
            for key in ("application", "domain"):
                if entry.get(key) is None:
                    self.problem(line, f"{where} has role {role}, so it needs '{key}'")
        if role == "condition":
            if item.type == "battery":
                raw_rows = entry.get("rows")
                for raw in raw_rows if isinstance(raw_rows, _Seq) else ():
                    if isinstance(raw, _Map) and raw.get("condition") is None:
                        self.problem(
                            raw.line,
                            f"row {raw.get('code')} has no 'condition', which every row of a "
                            f"battery with role condition needs ({', '.join(CONDITIONS)})",
                        )
            elif entry.get("condition") is None:
                self.problem(line, f"{where} has role condition, so it needs 'condition'")
        if role == "demographic" and entry.get("demographic") is None:
            self.problem(
                line,
                f"{where} has role demographic, so it needs 'demographic' "
                f"({', '.join(DEMOGRAPHICS)})",
            )
        if entry.get("demographic") is not None and role != "demographic":
            self.problem(
                entry.line_of("demographic"),
                f"{where} has 'demographic' but not role: demographic",
            )

    # ---- show_if references -----------------------------------------------------------

    def check_references(self) -> None:
        """Every code in a show_if must exist, have an answer, and be on an earlier page."""
        owners: dict[str, tuple[Item, int]] = {}
        items: dict[str, tuple[Item, int]] = {}
        for index, page in enumerate(self.pages):
            for item in page.items:
                items[item.code] = (item, index)
                for code in item.answer_codes:
                    owners[code] = (item, index)
        for ref in self.references:
            messages: list[str] = []
            for node in ref.expr.walk():
                if isinstance(node, Name | Call):
                    messages.extend(self.check_target(ref, node, owners, items))
                if isinstance(node, Compare):
                    messages.extend(self.check_comparison(node, owners))
            for message in dict.fromkeys(messages):
                self.problem(ref.line, f"show_if of {ref.where} {message}")

    def check_target(
        self,
        ref: _Reference,
        node: Name | Call,
        owners: dict[str, tuple[Item, int]],
        items: dict[str, tuple[Item, int]],
    ) -> list[str]:
        code = node.code
        if code not in owners:
            if code in items:
                item = items[code][0]
                if item.type == "battery":
                    example = item.rows[0].code if item.rows else f"{code}_1"
                    return [
                        f"refers to battery {code}; refer to one of its rows instead, "
                        f"e.g. {example}"
                    ]
                return [f"refers to {code}, an info item that has no answer"]
            known = [*owners, *items]
            return [
                f"refers to {code}, but there is no item or row with that code"
                f"{_suggest(code, known)}"
            ]
        item, target_index = owners[code]
        messages: list[str] = []
        function = node.function if isinstance(node, Call) else None
        if function in ("selected", "count") and item.type != "multiple":
            messages.append(
                f"uses {function}() on {code}, which is a {item.type} item; {function}() only "
                f"works on multiple-choice items"
            )
        if (
            isinstance(node, Call)
            and function == "selected"
            and item.type == "multiple"
            and node.option is not None
            and item.choice(node.option) is None
        ):
            messages.append(
                f"uses selected({code}, {node.option}), but {code} has no option {node.option}"
            )
        if isinstance(node, Name) and item.type in ("multiple", "ranking"):
            messages.append(
                f"compares {code}, a {item.type} item, directly; use selected({code}, OPTION) or "
                f"count({code}) instead"
            )
        page = self.pages[ref.page_index]
        target = self.pages[target_index]
        block = next((b for b in self.blocks if b.id == page.block), None)
        shuffled = block is not None and (block.randomize or block.sample is not None)
        if target_index == ref.page_index:
            messages.append(
                f"refers to {code}, which is on the same page; a condition can only use "
                "answers from earlier pages"
            )
        elif shuffled and block is not None and target.block == block.id:
            how = "randomized" if block.randomize else "sampled"
            messages.append(
                f"refers to {code} on page {target.id}, in the same {how} block {block.id}; "
                "pages of such a block are not shown in a fixed order, so they cannot depend "
                "on each other"
            )
        elif target_index > ref.page_index:
            messages.append(
                f"refers to {code}, which is on a later page ({target.id}); a condition can only "
                "use answers from earlier pages"
            )
        return messages

    def check_comparison(self, node: Compare, owners: dict[str, tuple[Item, int]]) -> list[str]:
        """Catch typos such as comparing a choice question with an option it does not have."""
        sides = [(node.left, node.right), (node.right, node.left)]
        for name, other in sides:
            if not isinstance(name, Name) or name.code not in owners:
                continue
            item = owners[name.code][0]
            if isinstance(other, Literal):
                values: tuple[object, ...] = (other.value,)
            elif isinstance(other, TupleLiteral):
                values = other.values
            else:
                continue
            if item.type in ("single", "likert", "battery") and item.choices:
                if any(isinstance(value, str) for value in values):
                    return [f"compares {name.code} with a text, but its answers are option codes"]
                if node.op not in ("<", "<=", ">", ">="):
                    for value in values:
                        if isinstance(value, bool) or not isinstance(value, int | float):
                            continue
                        if not float(value).is_integer() or item.choice(int(value)) is None:
                            return [
                                f"compares {name.code} with {_fmt(value)}, which is not one "
                                "of its option codes"
                            ]
            if item.type in ("number", "slider") and any(isinstance(v, str) for v in values):
                return [f"compares {name.code} with a text, but its answer is a number"]
            if item.type in ("text", "textarea") and any(_is_number(v) for v in values):
                return [
                    f"compares {name.code} with a number, but its answer is a text; put the "
                    "value in quotes"
                ]
        return []


# --------------------------------------------------------------------------- public API


def validate_text(text: str) -> list[Problem]:
    """Every problem in a question set's YAML text, in line order; empty when valid."""
    data, problems = _read_yaml(text)
    builder = _Builder()
    builder.problems.extend(problems)
    if not problems or data is not None:
        builder.build(data, text)
    unique = list(dict.fromkeys(builder.problems))
    return sorted(unique, key=lambda problem: problem.line or 0)


def load_question_set(text: str, filename: str = "<string>") -> QuestionSet:
    """Load a question set from YAML text; raises QuestionSetError listing every problem."""
    data, problems = _read_yaml(text)
    builder = _Builder()
    builder.problems.extend(problems)
    qset = builder.build(data, text) if not problems or data is not None else None
    if builder.problems or qset is None:
        unique = sorted(dict.fromkeys(builder.problems), key=lambda problem: problem.line or 0)
        raise QuestionSetError(unique or [Problem(None, "the file could not be read")], filename)
    return qset


def load_file(path: str | Path) -> QuestionSet:
    """Load a question set from a UTF-8 YAML file."""
    path = Path(path)
    return load_question_set(path.read_text(encoding="utf-8"), str(path))


def validate_file(path: str | Path) -> list[Problem]:
    """Every problem in a question set file; empty when valid."""
    return validate_text(Path(path).read_text(encoding="utf-8"))


#: File name endings read as XLSForm workbooks by `load_path` and `validate_path`.
XLSFORM_SUFFIXES = (".xlsx",)


def load_path(path: str | Path) -> QuestionSet:
    """Load a question set from a YAML file or an XLSForm workbook (.xlsx), by its suffix."""
    path = Path(path)
    if path.suffix.lower() in XLSFORM_SUFFIXES:
        from surveys.xlsform import xlsform_to_question_set  # openpyxl only when needed

        return xlsform_to_question_set(path)
    return load_file(path)


def validate_path(path: str | Path) -> list[Problem]:
    """Every problem in a YAML file or XLSForm workbook (.xlsx), by its suffix."""
    path = Path(path)
    if path.suffix.lower() in XLSFORM_SUFFIXES:
        from surveys.xlsform import validate_xlsform

        return validate_xlsform(path)
    return validate_file(path)
