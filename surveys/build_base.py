"""The builder's shared state and its small readers (texts, booleans, numbers, codes), which
every part of the builder (see `surveys.loader._Builder`) uses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from surveys.expressions import (
    RESERVED_WORDS,
    Expr,
)
from surveys.messages import N_, Message
from surveys.model import Block, Choice, Page, Text
from surveys.problems import Problem, on_line
from surveys.tree import Location, _Map
from surveys.vocabulary import (
    _UNKNOWN_VALUE,
    CODE,
    _is_int,
    _is_number,
    _suggest,
)

# --------------------------------------------------------------------------- shared state


@dataclass
class _Reference:
    """A parsed show_if waiting for the check that needs every code to be known."""

    expr: Expr
    source: str
    line: Location
    page_index: int
    where: Message


class _BuilderState:
    """What the builder's parts share: the problems found and what has been read so far
    (set by `_Builder.__init__`)."""

    problems: list[Problem]
    languages: tuple[str, ...]
    codes: dict[str, tuple[str, Location]]
    page_lines: dict[str, Location]
    block_lines: dict[str, Location]
    choice_lists: dict[str, tuple[Choice, ...]]
    pages: list[Page]
    blocks: list[Block]
    references: list[_Reference]

    def problem(self, line: Location | None, message: str | Message, **params: object) -> None:
        """Record a problem: `message` is the English msgid with `%(name)s` placeholders."""
        if isinstance(message, str):
            message = Message(message, params)
        self.problems.append(Problem(line, message))


class _Readers(_BuilderState):
    """Small readers: keys, texts, booleans, whole numbers, vocabulary values and codes."""

    def check_keys(self, mapping: _Map, allowed: Iterable[str], where: Message) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                self.unknown_key(mapping.line_of(key), key, where, allowed)

    def unknown_key(
        self, line: Location, key: object, where: Message, allowed: Iterable[str]
    ) -> None:
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

    def text(self, value: object, line: Location, what: Message) -> Text | None:
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

    def check_length(self, line: Location, value: str, longest: int, what: Message) -> bool:
        """Whether `value` fits where the web app stores it; a problem when it does not."""
        if len(value) <= longest:
            return True
        self.problem(
            line,
            "%(what)s has %(length)s characters; it may have at most %(max)s",
            what=what,
            length=len(value),
            max=longest,
        )
        return False

    def missing(self, line: Location, where: Message, key: str) -> None:
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

    def register_code(self, code: str, kind: str, line: Location) -> None:
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
