"""Load and validate a YAML question set (the language described in surveys/README.md).

Authors are organizers, not programmers: every problem in a file is collected in one pass and
reported with its line number in plain English, and nothing is returned unless the whole file
is valid, so a half-checked question set can never be stored.

`_Builder` is the one validator: it walks the tree either reader makes (`surveys.tree`), the YAML
reader here and the XLSForm reader (`surveys.xlsform`, through `build_question_set`); the
module `surveys.files` picks the reader by a file's suffix.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from surveys.build_about import _AboutReader
from surveys.build_items import _Items
from surveys.messages import N_, Message, plural_message
from surveys.model import Block, Item, Page, QuestionSet, Text
from surveys.problems import Problem, QuestionSetError, on_line
from surveys.tree import _Map, _Seq
from surveys.vocabulary import (
    BLOCK_KEYS,
    CONSULTATION_KEYS,
    PAGE_ID,
    PAGE_KEYS,
    SLUG,
    SLUG_MAX,
    SUPPORTED_LANGUAGES,
    TITLE_MAX,
    TOP_KEYS,
    VERSION_LABEL_MAX,
    _block,
    _is_int,
    _page,
    _part,
)
from surveys.yaml_read import _read_yaml

# --------------------------------------------------------------------------- the builder


class _Builder(_Items, _AboutReader):
    """Walks the tree once (`surveys.tree`, from either reader), building model objects and
    collecting every problem where its tree node was written.

    Its parts are mixins: small readers (`surveys.build_base`), choices and items
    (`surveys.build_items`), roles (`surveys.build_roles`) and show_if references
    (`surveys.build_references`); the top level, pages and blocks are read here."""

    def __init__(self) -> None:
        self.problems = []
        self.languages = ("nl",)
        self.codes = {}
        self.page_lines = {}
        self.block_lines = {}
        self.choice_lists = {}
        self.pages = []
        self.blocks = []
        self.references = []
        self.role_items = []

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
        elif version is not None:
            self.check_length(
                data.line_of("version"), str(version), VERSION_LABEL_MAX, Message("'version'")
            )
        intro = self.optional_text(data, "intro", Message("the intro"))
        minutes = self.whole_number(data, "estimated_minutes", Message("the question set"), 1)
        about = self.read_about(data)
        self.read_choice_lists(data)
        self.read_vocabulary(data)
        self.read_pages(data)
        self.check_references()
        self.check_vocabulary_use()
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
            vocabulary=self.vocabulary,
            about=about,
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
        what = Message("the wave name") if key == "wave" else Message("the consultation slug")
        if not self.check_length(mapping.line_of(key), value, SLUG_MAX, what):
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
        if title is not None:
            for lang, text in title.as_dict().items():
                what = Message("the consultation title in %(lang)s", {"lang": lang})
                if not self.check_length(value.line_of("title"), text, TITLE_MAX, what):
                    title = None
        return slug, title

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


# --------------------------------------------------------------------------- public API


def build_question_set(tree: object, source: str) -> tuple[QuestionSet | None, list[Problem]]:
    """The one validator on a tree from either reader: the set (None unless all is well) and
    every problem, in the order found. `source` is the text stored with the set."""
    builder = _Builder()
    qset = builder.build(tree, source)
    return (None if builder.problems else qset), builder.problems


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
