"""The in-memory question set: immutable, so a loaded version can be shared safely.

Everything here is produced by `surveys.loader` after validation; the web app and the analysis
code only read it. Nothing in this module knows about YAML, HTML or a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from surveys.expressions import Expr
    from surveys.tree import Location

#: One answer as seen by expressions and answer validation: option code (single, likert, battery
#: row, slider), number (int or float), text, set of option codes (multiple) or option codes in
#: rank order (ranking).
Value = int | float | str | frozenset[int] | tuple[int, ...]

#: The language every text must have and the fallback for every other language.
DEFAULT_LANGUAGE = "nl"


@dataclass(frozen=True)
class Text:
    """A text in one or more languages, stored as sorted pairs so it is hashable."""

    translations: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str, languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)) -> Text:
        """Build a text that reads the same in every language (a plain YAML string)."""
        return cls.from_dict(dict.fromkeys(languages, value))

    @classmethod
    def from_dict(cls, values: Mapping[str, str]) -> Text:
        """Build from a language -> text mapping; order does not matter for equality."""
        return cls(tuple(sorted(values.items())))

    def as_dict(self) -> dict[str, str]:
        """The texts per language, e.g. for JSON output."""
        return dict(self.translations)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages this text has an explicit version in."""
        return tuple(lang for lang, _ in self.translations)

    def get(self, lang: str) -> str:
        """The text in `lang`, falling back to Dutch (always present after loading)."""
        values = dict(self.translations)
        if lang in values:
            return values[lang]
        if DEFAULT_LANGUAGE in values:
            return values[DEFAULT_LANGUAGE]
        return self.translations[0][1] if self.translations else ""

    def __str__(self) -> str:
        return self.get(DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Choice:
    """One answer option; `code` is what is stored and analysed, the label only shown.

    `name` is the option's word in a form made elsewhere (an XLSForm choice name such as `m` or
    `18-34`), kept so data exported by ODK or KoboToolbox can be read back as codes.
    """

    code: int
    label: Text
    missing: str | None = None
    exclusive: bool = False
    name: str | None = None


@dataclass(frozen=True)
class Row:
    """One row of a battery; answered and stored under its own code like a likert item."""

    code: str
    text: Text
    condition: str | None = None


#: How an item of each type stores its answers: the question types (`surveys.types`, which are
#: built on this module) register here, so the model asks them without importing them.
ANSWER_CODES: dict[str, Callable[[Item], tuple[str, ...]]] = {}


@dataclass(frozen=True)
class Item:
    """One question (or an `info` text). Defaults make items easy to build in tests."""

    code: str
    type: str
    text: Text | None = None
    help: Text | None = None
    required: bool = False
    show_if: Expr | None = None
    show_if_source: str | None = None
    choices: tuple[Choice, ...] = ()
    rows: tuple[Row, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = True
    unit: Text | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    max_length: int | None = None
    randomize_rows: bool = False
    role: str | None = None
    application: str | None = None
    condition: str | None = None
    choice_list: str | None = field(default=None, compare=False)
    """The named choice list the item's options come from (None for inline choices): its
    scale in the vocabulary says which options accept, are necessary or don't know. A name,
    not content, so it takes no part in comparing items."""
    line: Location = 0

    @property
    def answer_codes(self) -> tuple[str, ...]:
        """Codes this item stores answers under, as its type says: its own code, its rows'
        (a battery) or none (info). A type the loader would reject stores under its own code."""
        codes_of = ANSWER_CODES.get(self.type)
        return codes_of(self) if codes_of is not None else (self.code,)

    def choice(self, code: int) -> Choice | None:
        """The option with this code, or None (e.g. a tampered form value)."""
        for choice in self.choices:
            if choice.code == code:
                return choice
        return None

    def row(self, code: str) -> Row | None:
        """The battery row with this code, or None."""
        for row in self.rows:
            if row.code == code:
                return row
        return None


@dataclass(frozen=True)
class Page:
    """One screen of the questionnaire; `block` names the block it belongs to, if any."""

    id: str
    title: Text | None
    intro: Text | None
    show_if: Expr | None
    randomize_items: bool
    items: tuple[Item, ...]
    block: str | None = None
    line: Location = 0
    show_if_source: str | None = None

    def item(self, code: str) -> Item:
        """The item with this code on this page (KeyError when it is not here)."""
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


@dataclass(frozen=True)
class Block:
    """A group of pages that may be shuffled (`randomize`) or split-balloted (`sample`)."""

    id: str
    randomize: bool
    sample: int | None
    page_ids: tuple[str, ...]
    line: Location = 0


@dataclass(frozen=True)
class Term:
    """A word of the set's analysis vocabulary: a domain, a condition or an application
    (which belongs to one of the set's domains)."""

    code: str
    label: Text
    domain: str | None = None
    line: Location = 0


@dataclass(frozen=True)
class Scale:
    """What the options of one named choice list mean to the analysis: which count as
    accepting, as necessary, and as don't know."""

    choice_list: str
    accepting: tuple[int, ...] = ()
    necessary: tuple[int, ...] = ()
    dont_know: tuple[int, ...] = ()
    line: Location = 0


@dataclass(frozen=True)
class Vocabulary:
    """The set's own analysis words: what its results are grouped by and how its scales
    read. Declared in the question set, so another consultation needs no code."""

    domains: tuple[Term, ...] = ()
    conditions: tuple[Term, ...] = ()
    applications: tuple[Term, ...] = ()
    scales: tuple[Scale, ...] = ()

    def domain(self, code: str) -> Term | None:
        return _find(self.domains, code)

    def condition(self, code: str) -> Term | None:
        return _find(self.conditions, code)

    def application(self, code: str) -> Term | None:
        return _find(self.applications, code)

    def scale(self, choice_list: str | None) -> Scale | None:
        """The scale declared for a choice list, if any."""
        return next((scale for scale in self.scales if scale.choice_list == choice_list), None)

    def labels(self) -> dict[str, dict[str, dict[str, str]]]:
        """Every term's label per language, by kind and code (e.g. for a report's readers)."""
        return {
            kind: {term.code: term.label.as_dict() for term in terms}
            for kind, terms in (
                ("domains", self.domains),
                ("conditions", self.conditions),
                ("applications", self.applications),
            )
        }


def _find(terms: tuple[Term, ...], code: str) -> Term | None:
    return next((term for term in terms if term.code == code), None)


@dataclass(frozen=True)
class AnswerCell:
    """One stored answer value: the shape of an `Answer` row in the database."""

    code: str
    option: int | None = None
    number: float | None = None
    text: str | None = None


@dataclass(frozen=True)
class Privacy:
    """The privacy statement in the parts the GDPR (art. 13) asks for."""

    controller: Text
    purpose: Text
    legal_basis: Text
    retention: Text
    rights: Text


@dataclass(frozen=True)
class About:
    """Who asks, how to reach them and what they promise: the frame a citizen trusts a
    consultation by (start page, footer, statements, thank-you page)."""

    sender: Text
    contact: Text
    privacy: Privacy
    accessibility: Text
    logo: str | None = None
    closes_on: dt.date | None = None
    results_on: dt.date | None = None
    results_where: Text | None = None


@dataclass(frozen=True)
class QuestionSet:
    """A whole validated questionnaire; lookups are indexed once at construction."""

    consultation_slug: str
    consultation_title: Text
    wave: str
    version_label: str | None
    languages: tuple[str, ...]
    intro: Text | None
    estimated_minutes: int | None
    pages: tuple[Page, ...]
    blocks: tuple[Block, ...]
    source: str
    checksum: str
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    about: About | None = None
    _pages_by_id: dict[str, Page] = field(init=False, repr=False, compare=False, hash=False)
    _items_by_code: dict[str, Item] = field(init=False, repr=False, compare=False, hash=False)
    _owners: dict[str, Item] = field(init=False, repr=False, compare=False, hash=False)
    _page_of: dict[str, Page] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        pages = {page.id: page for page in self.pages}
        items: dict[str, Item] = {}
        owners: dict[str, Item] = {}
        page_of: dict[str, Page] = {}
        for page in self.pages:
            for item in page.items:
                items[item.code] = item
                page_of[item.code] = page
                for code in item.answer_codes:
                    owners[code] = item
        object.__setattr__(self, "_pages_by_id", pages)
        object.__setattr__(self, "_items_by_code", items)
        object.__setattr__(self, "_owners", owners)
        object.__setattr__(self, "_page_of", page_of)

    def page(self, id: str) -> Page:
        """The page with this id (KeyError when unknown)."""
        return self._pages_by_id[id]

    def item(self, code: str) -> Item:
        """The item with this code; battery row codes are not items (see `owner_of`)."""
        return self._items_by_code[code]

    def owner_of(self, answer_code: str) -> Item:
        """The item that stores answers under `answer_code`: the item itself or its battery."""
        return self._owners[answer_code]

    def page_of(self, item_code: str) -> Page:
        """The page an item is on."""
        return self._page_of[item_code]

    def block(self, id: str) -> Block:
        """The block with this id (KeyError when unknown)."""
        for block in self.blocks:
            if block.id == id:
                return block
        raise KeyError(id)

    def all_items(self) -> Iterator[Item]:
        """Every item in file order, info items included."""
        for page in self.pages:
            yield from page.items

    def weighting_variables(self) -> list[Item]:
        """The items with role demographic, in file order: the order of a weighting cell's key
        and of the margins the weights are raked to."""
        return [item for item in self.all_items() if item.role == "demographic"]

    def answer_codes(self) -> tuple[str, ...]:
        """Every code an answer can be stored under, in file order (the codebook order)."""
        return tuple(code for item in self.all_items() for code in item.answer_codes)

    def has_answer_code(self, code: str) -> bool:
        """True when answers may be stored under `code` in this set."""
        return code in self._owners
