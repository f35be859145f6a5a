"""The question types: what each one's answer is, how it reads an HTML form, validates it and
maps it to stored cells.

One class per type, collected in `QUESTION_TYPES`, so the loader, the web app and the analysis
code agree on what a type is. The other modules read what a type declares (`answer`, `per_row`,
`bounds`, ...) instead of its name, so a new type is one class here plus its template in
`templates/public/items/` (ARCHITECTURE.md, "Question types", names the two readers that still
map names: XLSForm import and CSV import). Form values are never trusted: a tampered option
code, a rank used twice or a control character is a validation message, never an exception.

Forms are `Mapping[str, Sequence[str]]` (field name -> every value sent under it); an object with
a `getlist` method, such as Werkzeug's `MultiDict`, is accepted as well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from surveys.messages import Message, plural_message
from surveys.model import ANSWER_CODES, AnswerCell, Item, QuestionSet, Text, Value
from surveys.options import match_options, option_name, option_names, option_parts

#: What `parse` and `decode` give: one value, or row code -> value for a battery.
ParsedValue = Value | dict[str, Value]
Form = Mapping[str, Sequence[str]]

__all__ = [
    "QUESTION_TYPES",
    "Answer",
    "AnswerCell",
    "Bounds",
    "Form",
    "Message",
    "PageAnswers",
    "ParsedValue",
    "QuestionType",
    "answers_from_cells",
    "decode",
    "encode",
    "flatten",
    "parse_page",
    "question_type",
]

_OPTION = re.compile(r"-?\d{1,6}")
_NUMBER = re.compile(r"[+-]?\d{1,15}(?:[.,]\d{1,10})?")
_GROUPING = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d)")

#: The form fields that stand for one value of an exported data file (see `read_exported`).
Fields = dict[str, list[str]]

REQUIRED_CHOICE = Message("Please choose an answer.")
REQUIRED_TEXT = Message("Please enter an answer.")
INVALID_CHOICE = Message("This choice does not exist. Please choose one of the answers.")


def field_values(form: Form, name: str) -> list[str]:
    """Every non-blank value sent under `name`, stripped."""
    getlist = getattr(form, "getlist", None)
    if callable(getlist):
        raw: Sequence[str] = getlist(name)
    else:
        found = form.get(name, ())
        raw = [found] if isinstance(found, str) else found
    return [value.strip() for value in raw if isinstance(value, str) and value.strip()]


def _parse_option(item: Item, raw: str) -> int | None:
    """The option code in `raw` if it is one of the item's choices, else None."""
    if not _OPTION.fullmatch(raw):
        return None
    code = int(raw)
    return code if item.choice(code) is not None else None


def _cells_for(item: Item, cells: Sequence[AnswerCell]) -> list[AnswerCell]:
    codes = set(item.answer_codes)
    return [cell for cell in cells if cell.code in codes]


class Answer(StrEnum):
    """What one answer to a question is. The web app stores, counts, reports and simulates each
    kind its own way, so a new type whose answer is one of these needs nothing outside its class."""

    NOTHING = "nothing"
    """Text only: nothing to answer (info)."""
    OPTION = "option"
    """One option code."""
    OPTIONS = "options"
    """A set of option codes."""
    ORDER = "order"
    """Every option code once, in rank order (rank 1 first)."""
    NUMBER = "number"
    """A number."""
    TEXT = "text"
    """A text."""


class Bounds(StrEnum):
    """What an item's `min` and `max` bound."""

    SELECTIONS = "selections"
    """How many options may be ticked: other bounds give other answers to the same question."""
    RANGE = "range"
    """Where a typed number may lie: it only guards against typing errors."""
    SCALE = "scale"
    """The ends of the scale the respondent sees: other ends give other answers."""


class QuestionType:
    """Base class: one instance per type lives in QUESTION_TYPES.

    The class attributes are the type's declarations, read by the loader, the web app, the
    counting, the results, the XLSForm export and the simulation instead of its name."""

    name: ClassVar[str] = ""
    template: ClassVar[str] = ""
    #: YAML keys this type accepts besides the common ones (code, type, text, help, ...).
    keys: ClassVar[frozenset[str]] = frozenset()
    #: What one answer is (for a battery: the answer on one row).
    answer: ClassVar[Answer] = Answer.NOTHING
    #: One answer per row, stored under the row's code (a battery), instead of one under the
    #: item's code.
    per_row: ClassVar[bool] = False
    #: What `min` and `max` bound, for a type whose keys include them.
    bounds: ClassVar[Bounds | None] = None
    #: `min` and `max` when the item leaves them out (None: unbounded).
    default_min: ClassVar[float | None] = None
    default_max: ClassVar[float | None] = None
    #: The XLSForm type of its survey row (of each row's, for a battery); `{list}` stands for the
    #: name of its choice list. Written by `surveys.xlsform` when exporting.
    xlsform_type: ClassVar[str] = ""
    xlsform_appearance: ClassVar[str | None] = None

    @property
    def has_answer(self) -> bool:
        """False for text that is only shown."""
        return self.answer is not Answer.NOTHING

    @property
    def has_choices(self) -> bool:
        """Its answers are option codes of a list of choices."""
        return self.answer in (Answer.OPTION, Answer.OPTIONS, Answer.ORDER)

    @property
    def compared(self) -> bool:
        """A show_if condition can compare its answer with a value (`==`, `in`, `<`, ...); a set
        or an order of options can only be asked about with `selected()` and `count()`."""
        return self.answer in (Answer.OPTION, Answer.NUMBER, Answer.TEXT)

    @property
    def functions(self) -> frozenset[str]:
        """The show_if functions that read its answer besides `answered()`."""
        return frozenset({"selected", "count"}) if self.answer is Answer.OPTIONS else frozenset()

    def answer_codes(self, item: Item) -> tuple[str, ...]:
        """Codes the item stores answers under: its own, its rows', or none."""
        if self.per_row:
            return tuple(row.code for row in item.rows)
        if not self.has_answer:
            return ()
        return (item.code,)

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        """Read and validate this item's fields: (value or None, message or None)."""
        raise NotImplementedError

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        """The cells to store for a validated value (none when unanswered)."""
        raise NotImplementedError

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        """The value back from stored cells; cells of other items are ignored."""
        raise NotImplementedError

    def form_fields(self, item: Item, answers: Mapping[str, Value]) -> dict[str, list[str]]:
        """The form fields that would send this item's answer in `answers` (keyed by answer
        code) again, so a revisited page is filled in: the inverse of `parse`."""
        value = answers.get(item.code)
        if value is None:
            return {}
        return {item.code: [_field_text(value)]}

    def xlsform_type_of(self, item: Item, list_name: str) -> str:
        """The XLSForm type of the item's survey row (of each row's, for a battery)."""
        return self.xlsform_type.format(list=list_name)

    def read_exported(self, item: Item, code: str, raw: str) -> tuple[Fields, list[Message]]:
        """The form fields a value in a data file (ours, or an ODK or KoboToolbox export) stands
        for, `code` being the answer code of its column, and a message for each part of it that
        names no option; `parse` then checks the fields as if a respondent had sent them."""
        return ({code: [raw]} if raw.strip() else {}), []

    def __repr__(self) -> str:
        return f"<question type {self.name}>"


def _field_text(value: Value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class InfoType(QuestionType):
    """Text only: nothing to answer, nothing stored."""

    name = "info"
    template = "public/items/info.html"
    xlsform_type = "note"

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        return None, None

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        return []

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        return None


class SingleType(QuestionType):
    """One option from a list (radio buttons)."""

    name = "single"
    template = "public/items/single.html"
    keys = frozenset({"choices"})
    answer = Answer.OPTION
    xlsform_type = "select_one {list}"

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        values = field_values(form, item.code)
        if not values:
            return None, REQUIRED_CHOICE if item.required else None
        if len(values) > 1:
            return None, Message("Please choose only one answer.")
        code = _parse_option(item, values[0])
        if code is None:
            return None, INVALID_CHOICE
        return code, None

    def read_exported(self, item: Item, code: str, raw: str) -> tuple[Fields, list[Message]]:
        return _exported_option(item, code, raw)

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        if value is None:
            return []
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{item.code}: expected an option code, got {value!r}")
        return [AnswerCell(item.code, option=value)]

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        for cell in _cells_for(item, cells):
            if cell.option is not None:
                return cell.option
        return None


class LikertType(SingleType):
    """One option shown as a horizontal scale; stored like `single`."""

    name = "likert"
    template = "public/items/likert.html"
    xlsform_appearance = "likert"


class MultipleType(QuestionType):
    """Any number of options (check boxes), limited by min/max and exclusive options."""

    name = "multiple"
    template = "public/items/multiple.html"
    keys = frozenset({"choices", "min", "max"})
    answer = Answer.OPTIONS
    bounds = Bounds.SELECTIONS
    xlsform_type = "select_multiple {list}"

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        codes: list[int] = []
        for raw in field_values(form, item.code):
            code = _parse_option(item, raw)
            if code is None:
                return None, INVALID_CHOICE
            if code not in codes:
                codes.append(code)
        if not codes:
            return None, REQUIRED_CHOICE if item.required else None
        exclusive = [code for code in codes if _is_exclusive(item, code)]
        if exclusive and len(codes) > 1:
            choice = item.choice(exclusive[0])
            assert choice is not None
            return None, Message(
                "You cannot choose ‘%(option)s’ together with another answer.",
                {"option": choice.label},
            )
        if not exclusive:  # an exclusive answer ("none of these") satisfies min on its own
            if item.min is not None and len(codes) < item.min:
                return None, plural_message(
                    "Please choose at least %(min)s answer.",
                    "Please choose at least %(min)s answers.",
                    "min",
                    {"min": int(item.min)},
                )
            if item.max is not None and len(codes) > item.max:
                return None, plural_message(
                    "Please choose at most %(max)s answer.",
                    "Please choose at most %(max)s answers.",
                    "max",
                    {"max": int(item.max)},
                )
        return frozenset(codes), None

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        if value is None:
            return []
        if not isinstance(value, frozenset):
            raise TypeError(f"{item.code}: expected a set of option codes, got {value!r}")
        return [AnswerCell(item.code, option=code) for code in sorted(value)]

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        codes = frozenset(c.option for c in _cells_for(item, cells) if c.option is not None)
        return codes or None

    def form_fields(self, item: Item, answers: Mapping[str, Value]) -> dict[str, list[str]]:
        value = answers.get(item.code)
        if isinstance(value, frozenset):
            return {item.code: [str(code) for code in sorted(value)]}
        return super().form_fields(item, answers)

    def read_exported(self, item: Item, code: str, raw: str) -> tuple[Fields, list[Message]]:
        options, problems = _exported_options(item, option_parts(item.choices, raw))
        return ({code: [str(option) for option in options]} if options else {}), problems


def _is_exclusive(item: Item, code: int) -> bool:
    choice = item.choice(code)
    return choice is not None and choice.exclusive


class BatteryType(QuestionType):
    """A matrix: one option per row, each row stored under its own code."""

    name = "battery"
    template = "public/items/battery.html"
    keys = frozenset({"choices", "rows", "randomize_rows"})
    answer = Answer.OPTION
    per_row = True
    xlsform_type = "select_one {list}"

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        answers: dict[str, Value] = {}
        for row in item.rows:
            values = field_values(form, row.code)
            if not values:
                continue
            code = _parse_option(item, values[0]) if len(values) == 1 else None
            if code is None:
                return None, INVALID_CHOICE
            answers[row.code] = code
        if item.required and len(answers) < len(item.rows):
            return None, Message("Please give an answer on every row.")
        return answers or None, None

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        if value is None:
            return []
        if not isinstance(value, dict):
            raise TypeError(f"{item.code}: expected row code -> option code, got {value!r}")
        cells = []
        for row in item.rows:
            option = value.get(row.code)
            if option is None:
                continue
            if not isinstance(option, int):
                raise TypeError(f"{row.code}: expected an option code, got {option!r}")
            cells.append(AnswerCell(row.code, option=option))
        return cells

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        answers: dict[str, Value] = {}
        for cell in _cells_for(item, cells):
            if cell.option is not None:
                answers[cell.code] = cell.option
        ordered = {row.code: answers[row.code] for row in item.rows if row.code in answers}
        return ordered or None

    def form_fields(self, item: Item, answers: Mapping[str, Value]) -> dict[str, list[str]]:
        return {row.code: [str(answers[row.code])] for row in item.rows if row.code in answers}

    def read_exported(self, item: Item, code: str, raw: str) -> tuple[Fields, list[Message]]:
        return _exported_option(item, code, raw)


class RankingType(QuestionType):
    """An order of all options; the form sends a rank per option in field `CODE.<option>`."""

    name = "ranking"
    template = "public/items/ranking.html"
    keys = frozenset({"choices"})
    answer = Answer.ORDER
    xlsform_type = "rank {list}"

    @staticmethod
    def field_name(item: Item, option: int) -> str:
        """The form field carrying the rank of one option."""
        return f"{item.code}.{option}"

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        count = len(item.choices)
        known = {self.field_name(item, choice.code) for choice in item.choices}
        prefix = f"{item.code}."
        if any(key.startswith(prefix) and key not in known for key in form):
            return None, INVALID_CHOICE
        ranks: dict[int, int] = {}
        for choice in item.choices:
            values = field_values(form, self.field_name(item, choice.code))
            if not values:
                continue
            if len(values) > 1 or not values[0].isdecimal() or len(values[0]) > 4:
                return None, _rank_range(count)
            rank = int(values[0])
            if not 1 <= rank <= count:
                return None, _rank_range(count)
            ranks[choice.code] = rank
        if not ranks:
            return None, Message(
                "Please put the options in order: give every option a place."
            ) if item.required else None
        if len(ranks) < count:
            unplaced = [choice.label for choice in item.choices if choice.code not in ranks]
            return None, Message(
                "These options have no place yet: %(options)s. Give every option a place from 1 "
                "to %(count)s.",
                {"options": _joined(unplaced), "count": count},
            )
        if len(set(ranks.values())) < count:
            twice = sorted(
                {rank for rank in ranks.values() if list(ranks.values()).count(rank) > 1}
            )
            return None, plural_message(
                "You gave place %(places)s to more than one option. Use each place only once.",
                "You gave places %(places)s to more than one option. Use each place only once.",
                "count",
                {"places": ", ".join(map(str, twice)), "count": len(twice)},
            )
        return tuple(sorted(ranks, key=lambda code: ranks[code])), None

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        if value is None:
            return []
        if not isinstance(value, tuple):
            raise TypeError(f"{item.code}: expected option codes in rank order, got {value!r}")
        return [
            AnswerCell(item.code, option=option, number=float(rank))
            for rank, option in enumerate(value, start=1)
        ]

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        ranked = [
            cell
            for cell in _cells_for(item, cells)
            if cell.option is not None and cell.number is not None
        ]
        ranked.sort(key=lambda cell: cell.number or 0.0)
        return tuple(cell.option for cell in ranked if cell.option is not None) or None

    def form_fields(self, item: Item, answers: Mapping[str, Value]) -> dict[str, list[str]]:
        value = answers.get(item.code)
        if isinstance(value, tuple):
            return {
                self.field_name(item, option): [str(rank)]
                for rank, option in enumerate(value, start=1)
            }
        return super().form_fields(item, answers)

    def read_exported(self, item: Item, code: str, raw: str) -> tuple[Fields, list[Message]]:
        """The options in rank order; a rank per option, as the page sends them."""
        options, problems = _exported_options(item, option_parts(item.choices, raw))
        fields: Fields = {}
        for rank, option in enumerate(options, start=1):
            fields.setdefault(self.field_name(item, option), []).append(str(rank))
        return fields, problems


def _exported_options(item: Item, parts: Sequence[str]) -> tuple[list[int], list[Message]]:
    """The option codes `parts` name (codes, choice names or labels), or a message for each
    part that names none or more than one; no codes at all when any part is wrong."""
    codes: list[int] = []
    problems: list[Message] = []
    for part in parts:
        found = match_options(item.choices, part)
        if len(found) == 1:
            codes.append(found[0].code)
        elif not found:
            problems.append(
                Message(
                    "‘%(value)s’ is not one of the options (%(options)s).",
                    {"value": part, "options": option_names(item.choices)},
                )
            )
        else:
            problems.append(
                Message(
                    "‘%(value)s’ matches more than one option: %(options)s; use a code or a name.",
                    {"value": part, "options": ", ".join(option_name(c) for c in found)},
                )
            )
    return ([] if problems else codes), problems


def _exported_option(item: Item, code: str, raw: str) -> tuple[Fields, list[Message]]:
    """One option (single, likert, a battery row): the whole value names it."""
    options, problems = _exported_options(item, [raw.strip()] if raw.strip() else [])
    return ({code: [str(option) for option in options]} if options else {}), problems


def _joined(labels: Sequence[Text]) -> Text:
    """Option labels as one text per language, each in quotes: ‘a’, ‘b’."""
    languages = {lang for label in labels for lang in label.languages}
    return Text.from_dict(
        {lang: ", ".join(f"‘{label.get(lang)}’" for label in labels) for lang in languages}
    )


def _rank_range(count: int) -> Message:
    return Message("Please use only the places 1 to %(count)s.", {"count": count})


def _range_message(item: Item) -> Message:
    if item.min is not None and item.max is not None:
        return Message(
            "Please enter a number between %(min)s and %(max)s.", {"min": item.min, "max": item.max}
        )
    if item.min is not None:
        return Message("Please enter a number of %(min)s or more.", {"min": item.min})
    return Message("Please enter a number of %(max)s or less.", {"max": item.max})


def _parse_number(item: Item, raw: str, integer: bool) -> tuple[int | float | None, Message | None]:
    """Accept "12", "-3", "3,5" and "3.5"; a whole-number item accepts no separator at all."""
    cleaned = _GROUPING.sub("", raw)
    if not _NUMBER.fullmatch(cleaned):
        return None, Message("Please enter a number, for example 12 or 3.5.")
    has_separator = "," in cleaned or "." in cleaned
    if integer and has_separator:
        # "1.000" may mean one thousand to a Dutch reader: ask rather than guess.
        return None, Message("Please enter a whole number, without a decimal point or comma.")
    number: int | float = int(cleaned) if integer else float(cleaned.replace(",", "."))
    too_low = item.min is not None and number < item.min
    too_high = item.max is not None and number > item.max
    if too_low or too_high:
        return None, _range_message(item)
    return number, None


class NumberType(QuestionType):
    """A number, whole unless `integer: false`, within optional min/max."""

    name = "number"
    template = "public/items/number.html"
    keys = frozenset({"min", "max", "integer", "unit"})
    answer = Answer.NUMBER
    bounds = Bounds.RANGE
    xlsform_type = "integer"  # "decimal" with integer: false

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        values = field_values(form, item.code)
        if not values:
            return None, REQUIRED_TEXT if item.required else None
        return _parse_number(item, values[0], item.integer)

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        if value is None:
            return []
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise TypeError(f"{item.code}: expected a number, got {value!r}")
        return [AnswerCell(item.code, number=float(value))]

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        for cell in _cells_for(item, cells):
            if cell.number is not None:
                return int(round(cell.number)) if item.integer else float(cell.number)
        return None

    def xlsform_type_of(self, item: Item, list_name: str) -> str:
        return self.xlsform_type if item.integer else "decimal"


class SliderType(NumberType):
    """A whole number on a scale from min (default 0) to max (default 10)."""

    name = "slider"
    template = "public/items/slider.html"
    keys = frozenset({"min", "max", "min_label", "max_label"})
    bounds = Bounds.SCALE
    default_min = 0
    default_max = 10
    xlsform_type = "range"

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        values = field_values(form, item.code)
        if not values:
            return None, REQUIRED_CHOICE if item.required else None
        return _parse_number(item, values[0], integer=True)

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        for cell in _cells_for(item, cells):
            if cell.number is not None:
                return int(round(cell.number))
        return None


class TextType(QuestionType):
    """A short text on one line."""

    name = "text"
    template = "public/items/text.html"
    keys = frozenset({"max_length"})
    answer = Answer.TEXT
    xlsform_type = "text"
    default_max_length: ClassVar[int] = 200
    allowed_controls: ClassVar[frozenset[str]] = frozenset()

    def parse(self, item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
        values = field_values(form, item.code)
        if not values:
            return None, REQUIRED_TEXT if item.required else None
        text = values[0].replace("\r\n", "\n").replace("\r", "\n")
        text = unicodedata.normalize("NFC", text)
        for char in text:
            if char in self.allowed_controls:
                continue
            if char == "\n":
                return None, Message("Please write your answer on one line.")
            if unicodedata.category(char) in ("Cc", "Cs"):
                return None, Message(
                    "Your text contains characters that are not allowed. Please remove them."
                )
        limit = item.max_length if item.max_length is not None else self.default_max_length
        if len(text) > limit:
            return None, Message(
                "Please use at most %(max)s characters. You have used %(length)s.",
                {"max": limit, "length": len(text)},
            )
        return text, None

    def encode(self, item: Item, value: ParsedValue | None) -> list[AnswerCell]:
        if value is None:
            return []
        if not isinstance(value, str):
            raise TypeError(f"{item.code}: expected a text, got {value!r}")
        return [AnswerCell(item.code, text=value)]

    def decode(self, item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
        for cell in _cells_for(item, cells):
            if cell.text is not None:
                return cell.text
        return None


class TextareaType(TextType):
    """A long text; new lines and tabs are allowed."""

    name = "textarea"
    template = "public/items/textarea.html"
    xlsform_appearance = "multiline"
    default_max_length = 2000
    allowed_controls = frozenset({"\n", "\t"})


QUESTION_TYPES: dict[str, QuestionType] = {
    question_type.name: question_type
    for question_type in (
        InfoType(),
        SingleType(),
        MultipleType(),
        LikertType(),
        BatteryType(),
        RankingType(),
        NumberType(),
        SliderType(),
        TextType(),
        TextareaType(),
    )
}


ANSWER_CODES.update({name: kind.answer_codes for name, kind in QUESTION_TYPES.items()})


def question_type(item: Item) -> QuestionType:
    """The type object for an item (KeyError for a type the loader would have rejected)."""
    return QUESTION_TYPES[item.type]


def encode(item: Item, value: ParsedValue | None) -> list[AnswerCell]:
    """Shortcut for `question_type(item).encode(item, value)`."""
    return question_type(item).encode(item, value)


def decode(item: Item, cells: Sequence[AnswerCell]) -> ParsedValue | None:
    """Shortcut for `question_type(item).decode(item, cells)`."""
    return question_type(item).decode(item, cells)


def flatten(item: Item, value: ParsedValue | None) -> dict[str, Value]:
    """The value keyed by answer code: battery rows become one entry per row code."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(value)
    return {item.code: value}


@dataclass
class PageAnswers:
    """The outcome of reading one submitted page."""

    values: dict[str, Value] = field(default_factory=dict)  # by answer code
    cells: list[AnswerCell] = field(default_factory=list)
    errors: dict[str, Message] = field(default_factory=dict)  # by item code
    by_item: dict[str, ParsedValue] = field(default_factory=dict)  # valid answers by item code

    @property
    def ok(self) -> bool:
        """True when no item on the page has an error."""
        return not self.errors


def parse_page(qset: QuestionSet, items: Sequence[Item], form: Form) -> PageAnswers:
    """Read every (visible) item of a page; answers of items with an error are left out.

    `qset` is the set the items belong to; pass only the items that were shown, so hidden
    items can never receive an answer.
    """
    result = PageAnswers()
    for item in items:
        kind = question_type(item)
        value, error = kind.parse(item, form)
        if error is not None:
            result.errors[item.code] = error
            continue
        if value is None:
            continue
        result.by_item[item.code] = value
        result.values.update(flatten(item, value))
        result.cells.extend(kind.encode(item, value))
    return result


def answers_from_cells(qset: QuestionSet, cells: Sequence[AnswerCell]) -> dict[str, Value]:
    """Rebuild the answers mapping used by expressions from stored cells.

    Cells whose code is not in this question set (e.g. from another version) are ignored.
    """
    grouped: dict[str, list[AnswerCell]] = {}
    for cell in cells:
        if qset.has_answer_code(cell.code):
            grouped.setdefault(qset.owner_of(cell.code).code, []).append(cell)
    answers: dict[str, Value] = {}
    for code, group in grouped.items():
        item = qset.item(code)
        answers.update(flatten(item, decode(item, group)))
    return answers
