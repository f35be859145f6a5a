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
from dataclasses import dataclass, field
from functools import partial
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
from surveys.messages import N_, Message, english, plural_message, render
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


@dataclass(frozen=True, init=False)
class Problem:
    """One thing wrong with a question set, pointing at the line to fix.

    For a spreadsheet (XLSForm) `sheet` names the sheet and `line` is the row number there, so
    the author is sent to the cell they wrote rather than to generated YAML.

    `explained` is the language-neutral `Message` (domain `surveys`): the web app shows it in
    the organizer's language with `render`; `message` and `str()` give the English, as the
    command line prints it. Two problems are the same when their English is.
    """

    line: int | None
    message: str
    sheet: str | None = None
    explained: Message = field(default_factory=partial(Message, ""), compare=False, repr=False)

    def __init__(self, line: int | None, message: str | Message, sheet: str | None = None):
        explained = message if isinstance(message, Message) else Message(message)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "message", english(explained))
        object.__setattr__(self, "sheet", sheet)
        object.__setattr__(self, "explained", explained)

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
                    Message(
                        "'%(key)s' appears twice in the same place (first %(first)s); "
                        "remove one of them",
                        {"key": key, "first": on_line(result.key_lines[key])},
                    ),
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
        # PyYAML's own description stays English: it names the characters it found.
        what = exc.problem or exc.context or "unreadable text"
        if "\\t" in what or "tab" in what:
            message = Message(
                "this is not valid YAML (%(error)s); use spaces, not tabs, to indent",
                {"error": what},
            )
        else:
            message = Message(
                "this is not valid YAML (%(error)s); check the indentation, and put a text in "
                "quotes when it contains ': ', ' #' or quote marks (inside { } also when it "
                "contains a comma or question mark)",
                {"error": what},
            )
        return None, [Problem(line, message)]
    except yaml.YAMLError as exc:
        return None, [Problem(None, Message("this is not valid YAML (%(error)s)", {"error": exc}))]
    finally:
        loader.dispose()
    return data, loader.duplicate_keys


def _suggest(word: object, candidates: Iterable[str]) -> str | None:
    """The candidate `word` is likely a typo of, if any."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


#: A place in the YAML text, nested in messages; the XLSForm import turns it into a sheet and row.
ON_LINE = Message("on line %(line)s")


def on_line(line: int) -> Message:
    return Message(ON_LINE.text, {"line": line})


#: The names of places in a question set that problems mention, e.g. "page P1". Each is a
#: noun phrase of its own (in the `surveys` catalogue) filled into the sentence of a problem.
def _page(page_id: object) -> Message:
    return Message("page %(id)s", {"id": page_id})


def _block(block_id: object) -> Message:
    return Message("block %(id)s", {"id": block_id})


_PARTS = {
    "title": N_("the title of %(where)s"),
    "intro": N_("the intro of %(where)s"),
    "text": N_("the text of %(where)s"),
    "help": N_("the help of %(where)s"),
    "unit": N_("the unit of %(where)s"),
    "min_label": N_("the min_label of %(where)s"),
    "max_label": N_("the max_label of %(where)s"),
}


def _part(key: str, where: Message) -> Message:
    """A text of a page or item, e.g. "the title of page P1"."""
    return Message(_PARTS[key], {"where": where})


#: choose(): (without, with a suggestion) for each kind of value.
_UNKNOWN_VALUE = {
    "missing kind": (
        N_("%(where)s has unknown missing kind '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown missing kind '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
    "role": (
        N_("%(where)s has unknown role '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown role '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
    "domain": (
        N_("%(where)s has unknown domain '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown domain '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
    "condition": (
        N_("%(where)s has unknown condition '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown condition '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
    "demographic": (
        N_("%(where)s has unknown demographic '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown demographic '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
}


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
    where: Message


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

    def problem(self, line: int | None, message: str | Message, **params: object) -> None:
        """Record a problem: `message` is the English msgid with `%(name)s` placeholders."""
        if isinstance(message, str):
            message = Message(message, params)
        self.problems.append(Problem(line, message))

    # ---- small readers --------------------------------------------------------------

    def check_keys(self, mapping: _Map, allowed: Iterable[str], where: Message) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.unknown_key(mapping.line_of(key), key, where, allowed)

    def unknown_key(self, line: int, key: object, where: Message, allowed: Iterable[str]) -> None:
        guess = _suggest(key, allowed)
        if guess is None:
            self.problem(line, "unknown key '%(key)s' in %(where)s", key=key, where=where)
        else:
            self.problem(
                line,
                "unknown key '%(key)s' in %(where)s (did you mean '%(guess)s'?)",
                key=key,
                where=where,
                guess=guess,
            )

    def text(self, value: object, line: int, what: Message) -> Text | None:
        """A text: a plain string (same in every language) or {nl: ..., en: ...}."""
        if _is_number(value):
            value = str(value)
        if isinstance(value, str):
            if not value.strip():
                self.problem(line, "%(what)s is empty", what=what)
                return None
            return Text.of(value.strip(), self.languages)
        if not isinstance(value, _Map):
            self.problem(
                line,
                "%(what)s must be a text, or one text per language like {nl: ..., en: ...}",
                what=what,
            )
            return None
        texts: dict[str, str] = {}
        for lang, translation in value.items():
            if lang not in self.languages:
                self.problem(
                    value.line_of(lang),
                    "%(what)s has a version in '%(lang)s', which is not listed under languages",
                    what=what,
                    lang=lang,
                )
                continue
            if _is_number(translation):
                translation = str(translation)
            if not isinstance(translation, str) or not translation.strip():
                if lang == "en":
                    self.problem(
                        value.line_of(lang), "the English version of %(what)s is empty", what=what
                    )
                else:
                    self.problem(
                        value.line_of(lang), "the Dutch version of %(what)s is empty", what=what
                    )
                continue
            texts[lang] = translation.strip()
        for lang in self.languages:
            if lang in value:
                continue
            if lang == "nl":
                self.problem(
                    line, "%(what)s has no Dutch (nl) version; Dutch is always required", what=what
                )
            else:
                self.problem(
                    line,
                    "%(what)s has no English (en) version, but en is listed under languages",
                    what=what,
                )
        return Text.from_dict(texts) if "nl" in texts else None

    def optional_text(self, mapping: _Map, key: str, what: Message) -> Text | None:
        if mapping.get(key) is None:
            return None
        return self.text(mapping[key], mapping.line_of(key), what)

    def required_text(self, mapping: _Map, key: str, what: Message, where: Message) -> Text | None:
        if mapping.get(key) is None:
            self.missing(mapping.line_of(key), where, key)
            return None
        return self.text(mapping[key], mapping.line_of(key), what)

    def missing(self, line: int, where: Message, key: str) -> None:
        self.problem(line, "%(where)s has no '%(key)s' (required)", where=where, key=key)

    def boolean(self, mapping: _Map, key: str, where: Message, default: bool) -> bool:
        value = mapping.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(
                mapping.line_of(key),
                "'%(key)s' of %(where)s must be true or false",
                key=key,
                where=where,
            )
            return default
        return value

    def whole_number(self, mapping: _Map, key: str, where: Message, minimum: int) -> int | None:
        value = mapping.get(key)
        if value is None:
            return None
        if not _is_int(value):
            self.problem(
                mapping.line_of(key),
                "'%(key)s' of %(where)s must be a whole number",
                key=key,
                where=where,
            )
            return None
        if value < minimum:
            self.problem(
                mapping.line_of(key),
                "'%(key)s' of %(where)s must be at least %(minimum)s",
                key=key,
                where=where,
                minimum=minimum,
            )
            return None
        return int(value)

    def choose(
        self, mapping: _Map, key: str, allowed: Sequence[str], where: Message, kind: str
    ) -> str | None:
        """A value from a fixed vocabulary (role, domain, condition, ...); `kind` is one of
        `_UNKNOWN_VALUE`'s keys."""
        value = mapping.get(key)
        if value is None:
            return None
        if value not in allowed:
            guess = _suggest(value, allowed)
            params = {"where": where, "value": value, "allowed": ", ".join(allowed)}
            if guess is None:
                self.problem(mapping.line_of(key), _UNKNOWN_VALUE[kind][0], **params)
            else:
                self.problem(mapping.line_of(key), _UNKNOWN_VALUE[kind][1], guess=guess, **params)
            return None
        return str(value)

    def register_code(self, code: str, kind: str, line: int) -> None:
        if code in self.codes:
            _, first = self.codes[code]
            if kind == "row":
                message = N_("duplicate row code %(code)s (first defined %(first)s)")
            else:
                message = N_("duplicate item code %(code)s (first defined %(first)s)")
            self.problem(line, message, code=code, first=on_line(first))
        else:
            self.codes[code] = (kind, line)

    def code(self, mapping: _Map, kind: str, where: Message) -> str | None:
        """An item or row code: format, reserved words and uniqueness."""
        value = mapping.get("code")
        line = mapping.line_of("code")
        row = kind == "row"
        if value is None:
            self.missing(mapping.line, where, "code")
            return None
        if not isinstance(value, str) or not CODE.fullmatch(value):
            if row:
                message = N_(
                    "row code '%(code)s' is not valid: start with a letter and use only letters, "
                    "digits and _ (at most 32 characters)"
                )
            else:
                message = N_(
                    "item code '%(code)s' is not valid: start with a letter and use only "
                    "letters, digits and _ (at most 32 characters)"
                )
            self.problem(line, message, code=value)
            return None
        if value in RESERVED_WORDS:
            if row:
                message = N_("row code '%(code)s' is a reserved word in conditions; choose another")
            else:
                message = N_(
                    "item code '%(code)s' is a reserved word in conditions; choose another"
                )
            self.problem(line, message, code=value)
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
        self.check_keys(data, TOP_KEYS, Message("the top level"))
        for key in ("consultation", "wave", "languages", "pages"):
            if data.get(key) is None:
                self.problem(data.line_of(key), "required key '%(key)s' is missing", key=key)
        self.read_languages(data)
        slug, title = self.read_consultation(data)
        wave = self.read_slug(data, "wave")
        version = data.get("version")
        if version is not None and not isinstance(version, str | int | float):
            self.problem(data.line_of("version"), "'version' must be a short label like 2026.1")
        intro = self.optional_text(data, "intro", Message("the intro"))
        minutes = self.whole_number(data, "estimated_minutes", Message("the question set"), 1)
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
                    "language '%(lang)s' is not supported; use nl and, if wanted, en",
                    lang=lang,
                )
            elif lang in found:
                self.problem(value.line_at(index), "language '%(lang)s' is listed twice", lang=lang)
            else:
                found.append(lang)
        if "nl" not in found:
            self.problem(line, "'languages' must include nl: Dutch is always required")
        elif value[0] != "nl":
            self.problem(line, "nl must come first in 'languages'")
        self.languages = ("nl", *(lang for lang in found if lang != "nl"))

    def read_slug(self, mapping: _Map, key: str) -> str | None:
        """The `wave` (top level) or the consultation's `slug`."""
        value = mapping.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            if key == "wave":
                message = N_(
                    "wave '%(value)s' is not a valid slug: use lower-case letters, digits and "
                    "single '-' between them, e.g. biotech-2026"
                )
            else:
                message = N_(
                    "consultation slug '%(value)s' is not a valid slug: use lower-case letters, "
                    "digits and single '-' between them, e.g. biotech-2026"
                )
            self.problem(mapping.line_of(key), message, value=value)
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
        consultation = Message("consultation")
        self.check_keys(value, CONSULTATION_KEYS, consultation)
        if value.get("slug") is None:
            self.problem(value.line, "consultation has no 'slug' (required)")
        slug = self.read_slug(value, "slug")
        title = self.required_text(value, "title", Message("the consultation title"), consultation)
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
                    "choice list name '%(name)s' is not valid: start with a letter and use only "
                    "letters, digits and _",
                    name=name,
                )
                continue
            where = Message("choice list %(name)s", {"name": name})
            self.choice_lists[name] = self.choices(entries, line, where)

    def choices(self, entries: object, line: int, where: Message) -> tuple[Choice, ...]:
        if not isinstance(entries, _Seq):
            self.problem(
                line,
                "%(where)s must be a list of choices like - {code: 1, label: ...}",
                where=where,
            )
            return ()
        if not entries:
            self.problem(line, "%(where)s is empty: give at least one choice", where=where)
            return ()
        seen: dict[int, int] = {}
        result: list[Choice] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, _Map):
                self.problem(
                    entries.line_at(index),
                    "each choice in %(where)s must look like {code: 1, label: ...}",
                    where=where,
                )
                continue
            self.check_keys(entry, CHOICE_KEYS, Message("a choice of %(where)s", {"where": where}))
            code = entry.get("code")
            code_line = entry.line_of("code")
            valid_code: int | None = None
            if code is None:
                self.problem(
                    entry.line, "a choice of %(where)s has no 'code' (required)", where=where
                )
            elif not _is_int(code):
                self.problem(
                    code_line,
                    "option code '%(code)s' in %(where)s must be a whole number",
                    code=code,
                    where=where,
                )
            elif not 0 <= code <= MAX_OPTION_CODE:
                self.problem(
                    code_line,
                    "option code %(code)s in %(where)s must be between 0 and %(max)s",
                    code=code,
                    where=where,
                    max=MAX_OPTION_CODE,
                )
            elif code in seen:
                self.problem(
                    code_line,
                    "duplicate option code %(code)s in %(where)s (first defined %(first)s)",
                    code=code,
                    where=where,
                    first=on_line(seen[code]),
                )
            else:
                seen[code] = code_line
                valid_code = code
            option_where = Message("option %(code)s in %(where)s", {"code": code, "where": where})
            what = Message("the label of %(where)s", {"where": option_where})
            label = self.required_text(entry, "label", what, option_where)
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
        where = _block(block_id)
        self.check_keys(entry, BLOCK_KEYS, where)
        valid_id = isinstance(block_id, str) and PAGE_ID.fullmatch(block_id) is not None
        if not valid_id:
            self.problem(
                entry.line_of("block"),
                "block id '%(id)s' is not valid: use only letters, digits and _",
                id=block_id,
            )
        elif block_id in self.block_lines:
            self.problem(
                entry.line_of("block"),
                "duplicate block id %(id)s (first defined %(first)s)",
                id=block_id,
                first=on_line(self.block_lines[block_id]),
            )
        else:
            self.block_lines[str(block_id)] = entry.line_of("block")
        randomize = self.boolean(entry, "randomize", where, False)
        sample = entry.get("sample")
        pages = entry.get("pages")
        page_ids: list[str] = []
        if not isinstance(pages, _Seq) or not pages:
            self.problem(entry.line_of("pages"), "%(where)s needs a list of 'pages'", where=where)
            pages = _Seq()
        for index, page in enumerate(pages):
            if not isinstance(page, _Map):
                self.problem(
                    pages.line_at(index), "each entry in %(where)s must be a page", where=where
                )
            elif "block" in page:
                self.problem(
                    page.line,
                    "blocks cannot be nested: block %(inner)s is inside %(where)s",
                    inner=page["block"],
                    where=where,
                )
            else:
                built = self.read_page(page, str(block_id) if valid_id else None)
                if built is not None:
                    page_ids.append(built.id)
        if sample is not None:
            line = entry.line_of("sample")
            if not _is_int(sample):
                self.problem(line, "'sample' of %(where)s must be a whole number", where=where)
                sample = None
            elif sample < 1:
                self.problem(
                    line,
                    "'sample' of %(where)s must be at least 1, not %(sample)s",
                    where=where,
                    sample=sample,
                )
                sample = None
            elif sample > len(pages):
                self.problem(
                    line,
                    plural_message(
                        "'sample' of %(where)s is %(sample)s, but the block has only %(n)s page",
                        "'sample' of %(where)s is %(sample)s, but the block has only %(n)s pages",
                        "n",
                        {"where": where, "sample": sample, "n": len(pages)},
                    ),
                )
                sample = None
        if valid_id:
            self.blocks.append(
                Block(str(block_id), randomize, sample, tuple(page_ids), entry.line_of("block"))
            )

    def read_page(self, entry: _Map, block: str | None) -> Page | None:
        page_id = entry.get("id")
        where = _page(page_id)
        self.check_keys(entry, PAGE_KEYS, where)
        valid_id = isinstance(page_id, str) and PAGE_ID.fullmatch(page_id) is not None
        if not valid_id:
            self.problem(
                entry.line_of("id"),
                "page id '%(id)s' is not valid: use only letters, digits and _",
                id=page_id,
            )
        elif page_id in self.page_lines:
            self.problem(
                entry.line_of("id"),
                "duplicate page id %(id)s (first defined %(first)s)",
                id=page_id,
                first=on_line(self.page_lines[page_id]),
            )
        else:
            self.page_lines[str(page_id)] = entry.line_of("id")
        page_index = len(self.pages)
        title = self.optional_text(entry, "title", _part("title", where))
        intro = self.optional_text(entry, "intro", _part("intro", where))
        show_if, show_if_source = self.expression(entry, where, page_index)
        randomize_items = self.boolean(entry, "randomize_items", where, False)
        raw_items = entry.get("items")
        items: list[Item] = []
        if not isinstance(raw_items, _Seq) or not raw_items:
            self.problem(entry.line_of("items"), "%(where)s needs a list of 'items'", where=where)
        else:
            for index, raw in enumerate(raw_items):
                if not isinstance(raw, _Map):
                    self.problem(
                        raw_items.line_at(index),
                        "each item of %(where)s must be a set of keys (code:, type:, text:, ...)",
                        where=where,
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
        self, entry: _Map, where: Message, page_index: int
    ) -> tuple[Expr | None, str | None]:
        source = entry.get("show_if")
        if source is None:
            return None, None
        line = entry.line_of("show_if")
        if not isinstance(source, str):
            self.problem(
                line,
                'show_if of %(where)s must be a condition in quotes, e.g. "Q1 == 1"',
                where=where,
            )
            return None, None
        try:
            expr = parse_expression(source)
        except ExpressionError as exc:
            # The condition parser's own explanation stays English (see surveys.expressions).
            self.problem(
                line,
                "show_if of %(where)s is not a valid condition: %(error)s "
                '(at character %(column)s of "%(source)s")',
                where=where,
                error=exc.message,
                column=exc.column,
                source=source,
            )
            return None, source
        self.references.append(_Reference(expr, source, line, page_index, where))
        return expr, source

    # ---- items ------------------------------------------------------------------------

    def read_item(self, entry: _Map, page_index: int) -> Item | None:
        code = self.code(entry, "item", Message("an item"))
        if code:
            where = Message("item %(code)s", {"code": code})
        else:
            where = Message("the item %(at)s", {"at": on_line(entry.line)})
        kind_name = entry.get("type")
        kind = QUESTION_TYPES.get(kind_name) if isinstance(kind_name, str) else None
        if kind_name is None:
            self.missing(entry.line, where, "type")
        elif kind is None:
            guess = _suggest(kind_name, QUESTION_TYPES)
            params = {"where": where, "type": kind_name, "types": ", ".join(QUESTION_TYPES)}
            if guess is None:
                message = N_("%(where)s has unknown type '%(type)s'; the types are: %(types)s")
            else:
                params["guess"] = guess
                message = N_(
                    "%(where)s has unknown type '%(type)s' (did you mean '%(guess)s'?); "
                    "the types are: %(types)s"
                )
            self.problem(entry.line_of("type"), message, **params)
        allowed = set(ITEM_KEYS) | (kind.keys if kind is not None else TYPE_KEYS)
        for key in entry:
            if key in allowed:
                continue
            if key in TYPE_KEYS and kind is not None:
                self.problem(
                    entry.line_of(key),
                    "'%(key)s' does not apply to a %(type)s item",
                    key=key,
                    type=kind.name,
                )
            else:
                self.unknown_key(entry.line_of(key), key, where, sorted(allowed))
        is_info = kind is not None and not kind.has_answer
        # An info item's text is what it shows, so every item needs one.
        text = self.required_text(entry, "text", _part("text", where), where)
        help_text = self.optional_text(entry, "help", _part("help", where))
        required = self.boolean(entry, "required", where, False)
        if is_info and required:
            self.problem(
                entry.line_of("required"),
                "%(where)s is an info item and has no answer to require",
                where=where,
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
            unit=self.optional_text(entry, "unit", _part("unit", where)),
            min_label=self.optional_text(entry, "min_label", _part("min_label", where)),
            max_label=self.optional_text(entry, "max_label", _part("max_label", where)),
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

    def item_choices(self, entry: _Map, where: Message) -> tuple[Choice, ...]:
        value = entry.get("choices")
        line = entry.line_of("choices")
        if value is None:
            self.problem(
                line,
                "%(where)s has no 'choices' (required): name a choice list or give a list",
                where=where,
            )
            return ()
        if isinstance(value, str):
            if value not in self.choice_lists:
                guess = _suggest(value, self.choice_lists)
                if guess is None:
                    self.problem(
                        line,
                        "%(where)s uses choice list '%(name)s', which is not defined under "
                        "choice_lists",
                        where=where,
                        name=value,
                    )
                else:
                    self.problem(
                        line,
                        "%(where)s uses choice list '%(name)s', which is not defined under "
                        "choice_lists (did you mean '%(guess)s'?)",
                        where=where,
                        name=value,
                        guess=guess,
                    )
                return ()
            return self.choice_lists[value]
        return self.choices(value, line, Message("the choices of %(where)s", {"where": where}))

    def rows(self, entry: _Map, where: Message) -> tuple[Row, ...]:
        value = entry.get("rows")
        if not isinstance(value, _Seq) or not value:
            self.problem(
                entry.line_of("rows"),
                "%(where)s is a battery and needs a list of 'rows' (each with code and text)",
                where=where,
            )
            return ()
        rows: list[Row] = []
        for index, raw in enumerate(value):
            if not isinstance(raw, _Map):
                self.problem(
                    value.line_at(index),
                    "each row of %(where)s must look like {code: ..., text: ...}",
                    where=where,
                )
                continue
            a_row = Message("a row of %(where)s", {"where": where})
            self.check_keys(raw, ROW_KEYS, a_row)
            code = self.code(raw, "row", a_row)
            row_where = Message("row %(code)s", {"code": code}) if code else a_row
            text = self.required_text(raw, "text", _part("text", row_where), row_where)
            condition = self.choose(raw, "condition", CONDITIONS, row_where, "condition")
            if code and text is not None:
                rows.append(Row(code, text, condition))
        return tuple(rows)

    def bounds(
        self, entry: _Map, where: Message, kind: str | None, choice_count: int
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
                if whole:
                    message = N_("'%(key)s' of %(where)s must be a whole number")
                else:
                    message = N_("'%(key)s' of %(where)s must be a number")
                self.problem(entry.line_of(key), message, key=key, where=where)
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
                    "'min' of %(where)s (%(min)s) is greater than 'max' (%(max)s)",
                    where=where,
                    min=_fmt(minimum),
                    max=_fmt(maximum),
                )
            elif kind == "slider" and minimum == maximum:
                self.problem(line, "'min' and 'max' of %(where)s must differ", where=where)
        if kind == "multiple":
            for key, value in (("min", minimum), ("max", maximum)):
                if value is not None and value < 0:
                    self.problem(
                        entry.line_of(key),
                        "'%(key)s' of %(where)s cannot be negative",
                        key=key,
                        where=where,
                    )
            if minimum is not None and choice_count and minimum > choice_count:
                self.problem(
                    entry.line_of("min"),
                    plural_message(
                        "'min' of %(where)s is %(min)s, but it has only %(n)s choice",
                        "'min' of %(where)s is %(min)s, but it has only %(n)s choices",
                        "n",
                        {"where": where, "min": _fmt(minimum), "n": choice_count},
                    ),
                )
        return minimum, maximum

    def application(self, entry: _Map, where: Message) -> str | None:
        value = entry.get("application")
        if value is None:
            return None
        if not isinstance(value, str) or not APPLICATION.fullmatch(value):
            self.problem(
                entry.line_of("application"),
                "application '%(value)s' of %(where)s is not valid: use lower-case letters, "
                "digits and _, e.g. crispr_crops",
                value=value,
                where=where,
            )
            return None
        return value

    def check_roles(self, entry: _Map, item: Item, where: Message) -> None:
        role = entry.get("role")
        line = entry.line_of("role")
        if role in ROLES_NEEDING_APPLICATION:
            for key in ("application", "domain"):
                if entry.get(key) is None:
                    self.problem(
                        line,
                        "%(where)s has role %(role)s, so it needs '%(key)s'",
                        where=where,
                        role=role,
                        key=key,
                    )
        if role == "condition":
            if item.type == "battery":
                raw_rows = entry.get("rows")
                for raw in raw_rows if isinstance(raw_rows, _Seq) else ():
                    if isinstance(raw, _Map) and raw.get("condition") is None:
                        self.problem(
                            raw.line,
                            "row %(code)s has no 'condition', which every row of a battery with "
                            "role condition needs (%(allowed)s)",
                            code=raw.get("code"),
                            allowed=", ".join(CONDITIONS),
                        )
            elif entry.get("condition") is None:
                self.problem(
                    line, "%(where)s has role condition, so it needs 'condition'", where=where
                )
        if role == "demographic" and entry.get("demographic") is None:
            self.problem(
                line,
                "%(where)s has role demographic, so it needs 'demographic' (%(allowed)s)",
                where=where,
                allowed=", ".join(DEMOGRAPHICS),
            )
        if entry.get("demographic") is not None and role != "demographic":
            self.problem(
                entry.line_of("demographic"),
                "%(where)s has 'demographic' but not role: demographic",
                where=where,
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
            messages: list[Message] = []
            for node in ref.expr.walk():
                if isinstance(node, Name | Call):
                    messages.extend(self.check_target(ref, node, owners, items))
                if isinstance(node, Compare):
                    messages.extend(self.check_comparison(ref, node, owners))
            for message in dict.fromkeys(messages):
                self.problem(ref.line, message)

    def check_target(
        self,
        ref: _Reference,
        node: Name | Call,
        owners: dict[str, tuple[Item, int]],
        items: dict[str, tuple[Item, int]],
    ) -> list[Message]:
        """Whole sentences "show_if of <where> ..." about one code the condition uses."""
        code = node.code
        where = ref.where
        if code not in owners:
            if code in items:
                item = items[code][0]
                if item.type == "battery":
                    example = item.rows[0].code if item.rows else f"{code}_1"
                    return [
                        Message(
                            "show_if of %(where)s refers to battery %(code)s; refer to one of its "
                            "rows instead, e.g. %(example)s",
                            {"where": where, "code": code, "example": example},
                        )
                    ]
                return [
                    Message(
                        "show_if of %(where)s refers to %(code)s, an info item that has no answer",
                        {"where": where, "code": code},
                    )
                ]
            guess = _suggest(code, [*owners, *items])
            if guess is None:
                return [
                    Message(
                        "show_if of %(where)s refers to %(code)s, but there is no item or row "
                        "with that code",
                        {"where": where, "code": code},
                    )
                ]
            return [
                Message(
                    "show_if of %(where)s refers to %(code)s, but there is no item or row with "
                    "that code (did you mean '%(guess)s'?)",
                    {"where": where, "code": code, "guess": guess},
                )
            ]
        item, target_index = owners[code]
        messages: list[Message] = []
        function = node.function if isinstance(node, Call) else None
        if function in ("selected", "count") and item.type != "multiple":
            messages.append(
                Message(
                    "show_if of %(where)s uses %(function)s() on %(code)s, which is a %(type)s "
                    "item; %(function)s() only works on multiple-choice items",
                    {"where": where, "function": function, "code": code, "type": item.type},
                )
            )
        if (
            isinstance(node, Call)
            and function == "selected"
            and item.type == "multiple"
            and node.option is not None
            and item.choice(node.option) is None
        ):
            messages.append(
                Message(
                    "show_if of %(where)s uses selected(%(code)s, %(option)s), but %(code)s has "
                    "no option %(option)s",
                    {"where": where, "code": code, "option": node.option},
                )
            )
        if isinstance(node, Name) and item.type in ("multiple", "ranking"):
            messages.append(
                Message(
                    "show_if of %(where)s compares %(code)s, a %(type)s item, directly; use "
                    "selected(%(code)s, OPTION) or count(%(code)s) instead",
                    {"where": where, "code": code, "type": item.type},
                )
            )
        page = self.pages[ref.page_index]
        target = self.pages[target_index]
        block = next((b for b in self.blocks if b.id == page.block), None)
        shuffled = block is not None and (block.randomize or block.sample is not None)
        if target_index == ref.page_index:
            messages.append(
                Message(
                    "show_if of %(where)s refers to %(code)s, which is on the same page; a "
                    "condition can only use answers from earlier pages",
                    {"where": where, "code": code},
                )
            )
        elif shuffled and block is not None and target.block == block.id:
            params = {"where": where, "code": code, "page": target.id, "block": block.id}
            if block.randomize:
                message = N_(
                    "show_if of %(where)s refers to %(code)s on page %(page)s, in the same "
                    "randomized block %(block)s; pages of such a block are not shown in a fixed "
                    "order, so they cannot depend on each other"
                )
            else:
                message = N_(
                    "show_if of %(where)s refers to %(code)s on page %(page)s, in the same "
                    "sampled block %(block)s; pages of such a block are not shown in a fixed "
                    "order, so they cannot depend on each other"
                )
            messages.append(Message(message, params))
        elif target_index > ref.page_index:
            messages.append(
                Message(
                    "show_if of %(where)s refers to %(code)s, which is on a later page "
                    "(%(page)s); a condition can only use answers from earlier pages",
                    {"where": where, "code": code, "page": target.id},
                )
            )
        return messages

    def check_comparison(
        self, ref: _Reference, node: Compare, owners: dict[str, tuple[Item, int]]
    ) -> list[Message]:
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
                    return [
                        Message(
                            "show_if of %(where)s compares %(code)s with a text, but its answers "
                            "are option codes",
                            {"where": ref.where, "code": name.code},
                        )
                    ]
                if node.op not in ("<", "<=", ">", ">="):
                    for value in values:
                        if isinstance(value, bool) or not isinstance(value, int | float):
                            continue
                        if not float(value).is_integer() or item.choice(int(value)) is None:
                            return [
                                Message(
                                    "show_if of %(where)s compares %(code)s with %(value)s, "
                                    "which is not one of its option codes",
                                    {"where": ref.where, "code": name.code, "value": _fmt(value)},
                                )
                            ]
            if item.type in ("number", "slider") and any(isinstance(v, str) for v in values):
                return [
                    Message(
                        "show_if of %(where)s compares %(code)s with a text, but its answer is a "
                        "number",
                        {"where": ref.where, "code": name.code},
                    )
                ]
            if item.type in ("text", "textarea") and any(_is_number(v) for v in values):
                return [
                    Message(
                        "show_if of %(where)s compares %(code)s with a number, but its answer is "
                        "a text; put the value in quotes",
                        {"where": ref.where, "code": name.code},
                    )
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
        raise QuestionSetError(
            unique or [Problem(None, Message("the file could not be read"))], filename
        )
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


def load_upload(filename: str, data: bytes) -> QuestionSet:
    """Load an uploaded file's bytes by the name's suffix: YAML (UTF-8) or XLSForm (.xlsx);
    raises QuestionSetError listing every problem."""
    lower = filename.lower()
    if lower.endswith(XLSFORM_SUFFIXES):
        from surveys.xlsform import xlsform_to_question_set

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
        from surveys.xlsform import validate_xlsform

        return validate_xlsform(path)
    return validate_file(path)
