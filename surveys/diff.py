"""Compare two versions of a question set, so next year's wave keeps its codes comparable.

An organizer usually prepares a new wave by editing last year's file. The analysis joins waves on
item and battery-row codes (same code = same question), so this module lists every difference and
marks the ones that make answers under an unchanged code mean something else (`comparable=False`):
such a question needs a new code, or the trend needs a footnote.

Identity: items and battery rows by code (codes are unique across both within a set), pages and
blocks by id. Rules used for `comparable`:

- never comparable: a changed type, a removed option code, a relabelled option (any language), an
  option's `missing` flag changed, a changed scale (slider min/max or anchors, number unit), a
  changed number of options that may be ticked (multiple min/max), an analysis role changed, a
  row moved to a battery with other options, an item turned into a battery row or back;
- comparable: rewording of a text or help text, an added option code, option/row/item/page order,
  `exclusive`, required, show_if, number range, max_length, pages, blocks, and added or removed
  items and rows (a removed code has no new answers to mislead anyone; an added one no old ones).

A whole item added or removed is one `added`/`removed` change for the item and one per battery
row; rows added to, removed from or reworded in a battery that exists in both sets are
`rows_changed` under the row code. Metadata of the set itself (title, intro, version label) is
not compared. Plain Python like the rest of `surveys/`, so it runs in a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from surveys.diff_order import (
    _common,
    _Key,
    _merged_order,
    _moved,
    _outline,
    _position,
    _rows_by_code,
)
from surveys.diff_text import (
    _block_summary,
    _bound_name,
    _missing_text,
    _number,
    _plain,
    _quote_text,
    _sample_text,
    _show_if_change,
    _text_changes,
    _title,
)
from surveys.messages import N_, Message, english, render
from surveys.model import Choice, Item, Page, QuestionSet, Row
from surveys.types import Bounds, question_type

__all__ = ["KINDS", "Change", "QuestionSetDiff", "diff_question_sets"]

#: Every kind of change, in the order `QuestionSetDiff.by_kind` lists them.
KINDS = (
    "added",
    "removed",
    "reworded",
    "options_changed",
    "type_changed",
    "moved",
    "settings_changed",
    "rows_changed",
    "role_changed",
    "page_added",
    "page_removed",
    "page_changed",
    "block_changed",
)

#: What an item means to the analysis; a change to any of these breaks comparison over time.
_ANALYSIS_KEYS = ("role", "application", "domain", "condition", "accepting", "necessary")


def _analysis_of(question_set: QuestionSet, item: Item) -> dict[str, str | None]:
    """An item's role, application and condition, with the domain and the meanings of its
    options that the set's vocabulary gives them."""
    vocabulary = question_set.vocabulary
    application = vocabulary.application(item.application or "")
    scale = vocabulary.scale(item.choice_list) if item.role else None
    return {
        "role": item.role,
        "application": item.application,
        "domain": application.domain if application is not None else None,
        "condition": item.condition,
        "accepting": ", ".join(map(str, scale.accepting)) if scale and scale.accepting else None,
        "necessary": ", ".join(map(str, scale.necessary)) if scale and scale.necessary else None,
    }


@dataclass(frozen=True)
class Change:
    """One difference an organizer should know about; `comparable` says if trends survive it."""

    kind: str
    code: str
    detail: str
    comparable: bool
    #: The detail as a language-neutral message (domain `surveys`); `detail` is its English.
    explained: Message | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of change '{self.kind}'; the kinds are {KINDS}")
        if self.explained is None:
            object.__setattr__(self, "explained", Message(self.detail))

    def render(self, lang: str) -> str:
        """The detail in `lang` (Dutch when `lang` has no catalogue)."""
        return render(self.explained or Message(self.detail), lang)


@dataclass(frozen=True)
class QuestionSetDiff:
    """Every change between two versions, in the order of the new set."""

    changes: tuple[Change, ...]

    def by_kind(self) -> dict[str, list[Change]]:
        """The changes grouped per kind (only kinds that occur, in `KINDS` order), for reports."""
        grouped: dict[str, list[Change]] = {}
        for kind in KINDS:
            found = [change for change in self.changes if change.kind == kind]
            if found:
                grouped[kind] = found
        return grouped

    @property
    def unchanged(self) -> bool:
        """True when the questions, pages and blocks are the same."""
        return not self.changes

    @property
    def incomparable_codes(self) -> tuple[str, ...]:
        """Codes whose answers cannot be compared with the old wave (a battery stands for its
        rows when its type or options changed), each once, in order: candidates for a new code."""
        return tuple(dict.fromkeys(change.code for change in self.changes if not change.comparable))


def diff_question_sets(old: QuestionSet, new: QuestionSet) -> QuestionSetDiff:
    """What changed from `old` (e.g. last year's wave) to `new`, in the new set's order."""
    return _Differ(old, new).run()


# --------------------------------------------------------------------------- the comparison


class _Differ:
    """Collects changes with the place they belong to, then sorts them into reading order."""

    def __init__(self, old: QuestionSet, new: QuestionSet) -> None:
        self.old = old
        self.new = new
        self.old_items = {item.code: item for item in old.all_items()}
        self.new_items = {item.code: item for item in new.all_items()}
        self.old_rows = _rows_by_code(old)
        self.new_rows = _rows_by_code(new)
        self.found: list[tuple[_Key, Change]] = []

    def note(
        self, key: _Key, kind: str, code: str, detail: Message, comparable: bool = True
    ) -> None:
        self.found.append((key, Change(kind, code, english(detail), comparable, detail)))

    def run(self) -> QuestionSetDiff:
        self.blocks()
        self.pages()
        self.items()
        self.rows()
        rank = _merged_order(_outline(self.old), _outline(self.new))
        ordered = sorted(self.found, key=lambda found: rank.get(found[0], len(rank)))
        return QuestionSetDiff(tuple(change for _, change in ordered))

    # ---- blocks -----------------------------------------------------------------------

    def blocks(self) -> None:
        old_blocks = {block.id: block for block in self.old.blocks}
        new_ids = {block.id for block in self.new.blocks}
        for block in self.new.blocks:
            key = ("block", block.id)
            before = old_blocks.get(block.id)
            if before is None:
                self.note(
                    key,
                    "block_changed",
                    block.id,
                    Message(
                        "block %(id)s added (%(summary)s)",
                        {"id": block.id, "summary": _block_summary(block)},
                    ),
                )
                continue
            if before.randomize != block.randomize:
                detail = (
                    Message("pages now shuffled per respondent")
                    if block.randomize
                    else Message("pages no longer shuffled (shown in file order)")
                )
                self.note(key, "block_changed", block.id, detail)
            if before.sample != block.sample:
                self.note(
                    key,
                    "block_changed",
                    block.id,
                    Message(
                        "each respondent now gets %(now)s of its pages (was %(was)s)",
                        {"now": _sample_text(block.sample), "was": _sample_text(before.sample)},
                    ),
                )
        for block in self.old.blocks:
            if block.id not in new_ids:
                self.note(
                    ("block", block.id),
                    "block_changed",
                    block.id,
                    Message(
                        "block %(id)s removed (it had %(summary)s)",
                        {"id": block.id, "summary": _block_summary(block)},
                    ),
                )

    # ---- pages ------------------------------------------------------------------------

    def pages(self) -> None:
        old_pages = {page.id: page for page in self.old.pages}
        new_pages = {page.id: page for page in self.new.pages}
        for page in self.new.pages:
            before = old_pages.get(page.id)
            if before is None:
                if page.block:
                    added = Message(
                        "page %(id)s added in block %(block)s: %(title)s",
                        {"id": page.id, "block": page.block, "title": _title(page)},
                    )
                else:
                    added = Message(
                        "page %(id)s added: %(title)s", {"id": page.id, "title": _title(page)}
                    )
                self.note(("page", page.id), "page_added", page.id, added)
            else:
                self.compare_pages(before, page)
        for page in self.old.pages:
            if page.id not in new_pages:
                self.note(
                    ("page", page.id),
                    "page_removed",
                    page.id,
                    Message(
                        "page %(id)s removed (was %(title)s)",
                        {"id": page.id, "title": _title(page)},
                    ),
                )
        old_order = [page.id for page in self.old.pages]
        new_order = [page.id for page in self.new.pages]
        for page_id in _moved(old_order, new_order):
            self.note(
                ("page", page_id),
                "page_changed",
                page_id,
                Message(
                    "page %(id)s now comes %(now)s (it came %(was)s)",
                    {
                        "id": page_id,
                        "now": _position(new_order, page_id, "page"),
                        "was": _position(old_order, page_id, "page"),
                    },
                ),
            )

    def compare_pages(self, before: Page, after: Page) -> None:
        key = ("page", after.id)
        for sentence in _text_changes(Message("title"), before.title, after.title):
            self.note(key, "page_changed", after.id, sentence)
        for sentence in _text_changes(Message("intro"), before.intro, after.intro):
            self.note(key, "page_changed", after.id, sentence)
        show_if = _show_if_change(before, after)
        if show_if:
            self.note(key, "page_changed", after.id, show_if)
        if before.randomize_items != after.randomize_items:
            detail = (
                Message("items now shuffled per respondent")
                if after.randomize_items
                else Message("items no longer shuffled (shown in file order)")
            )
            self.note(key, "page_changed", after.id, detail)
        if before.block != after.block:
            blocks = {"old": before.block, "new": after.block}
            if before.block is None:
                detail = Message("page moved into block %(new)s", {"new": after.block})
            elif after.block is None:
                detail = Message("page moved out of block %(old)s", {"old": before.block})
            else:
                detail = Message("page moved from block %(old)s to block %(new)s", blocks)
            self.note(key, "page_changed", after.id, detail)
        old_order = [item.code for item in before.items]
        new_order = [item.code for item in after.items]
        for code in _moved(old_order, new_order):
            self.note(
                key,
                "page_changed",
                after.id,
                Message(
                    "item %(code)s now comes %(now)s (it came %(was)s)",
                    {
                        "code": code,
                        "now": _position(new_order, code, "item"),
                        "was": _position(old_order, code, "item"),
                    },
                ),
            )

    # ---- items ------------------------------------------------------------------------

    def items(self) -> None:
        codes = list(self.new_items) + [c for c in self.old_items if c not in self.new_items]
        for code in codes:
            key = ("code", code)
            before = self.old_items.get(code)
            after = self.new_items.get(code)
            if before is not None and after is not None:
                self.compare_items(before, after)
            elif after is not None:
                if code in self.old_rows:
                    battery = self.old_rows[code][0]
                    self.note(
                        key,
                        "type_changed",
                        code,
                        Message(
                            "was a row of battery %(battery)s and is now a %(type)s item",
                            {"battery": battery.code, "type": after.type},
                        ),
                        comparable=False,
                    )
                else:
                    page = self.new.page_of(code).id
                    self.note(
                        key,
                        "added",
                        code,
                        Message(
                            "%(type)s item added on page %(page)s: %(text)s",
                            {"type": after.type, "page": page, "text": _quote_text(after.text)},
                        ),
                    )
            elif before is not None:
                if code in self.new_rows:
                    battery = self.new_rows[code][0]
                    self.note(
                        key,
                        "type_changed",
                        code,
                        Message(
                            "was a %(type)s item and is now a row of battery %(battery)s",
                            {"type": before.type, "battery": battery.code},
                        ),
                        comparable=False,
                    )
                else:
                    page = self.old.page_of(code).id
                    self.note(
                        key,
                        "removed",
                        code,
                        Message(
                            "%(type)s item removed from page %(page)s (was %(text)s)",
                            {"type": before.type, "page": page, "text": _quote_text(before.text)},
                        ),
                    )

    def compare_items(self, before: Item, after: Item) -> None:
        code = after.code
        key = ("code", code)
        old_page = self.old.page_of(code).id
        new_page = self.new.page_of(code).id
        if old_page != new_page:
            moved = Message(
                "moved from page %(old)s to page %(new)s", {"old": old_page, "new": new_page}
            )
            self.note(key, "moved", code, moved)
        if before.type != after.type:
            self.note(
                key,
                "type_changed",
                code,
                Message(
                    "type changed from %(old)s to %(new)s", {"old": before.type, "new": after.type}
                ),
                comparable=False,
            )
        for sentence in _text_changes(Message("text"), before.text, after.text):
            self.note(key, "reworded", code, sentence)
        for sentence in _text_changes(Message("help"), before.help, after.help):
            self.note(key, "reworded", code, sentence)
        if before.choices and after.choices:
            self.compare_choices(key, code, before.choices, after.choices)
        if before.rows and after.rows:
            old_order = [row.code for row in before.rows]
            new_order = [row.code for row in after.rows]
            if _moved(old_order, new_order):
                self.note(
                    key,
                    "rows_changed",
                    code,
                    Message(
                        "rows reordered: now %(now)s (was %(was)s)",
                        {
                            "now": ", ".join(_common(new_order, old_order)),
                            "was": ", ".join(_common(old_order, new_order)),
                        },
                    ),
                )
        self.compare_settings(key, before, after)
        old_analysis = _analysis_of(self.old, before)
        new_analysis = _analysis_of(self.new, after)
        for name in _ANALYSIS_KEYS:
            old_value, new_value = old_analysis[name], new_analysis[name]
            if old_value != new_value:
                self.note(
                    key,
                    "role_changed",
                    code,
                    Message(
                        "%(name)s changed from %(old)s to %(new)s",
                        {"name": name, "old": _plain(old_value), "new": _plain(new_value)},
                    ),
                    comparable=False,
                )

    def compare_choices(
        self, key: _Key, code: str, before: Sequence[Choice], after: Sequence[Choice]
    ) -> None:
        old_by_code = {choice.code: choice for choice in before}
        new_codes = {choice.code for choice in after}
        for choice in after:
            previous = old_by_code.get(choice.code)
            if previous is None:
                self.note(
                    key,
                    "options_changed",
                    code,
                    Message(
                        "option %(code)s added: %(label)s",
                        {"code": choice.code, "label": _quote_text(choice.label)},
                    ),
                )
                continue
            label = Message("option %(code)s label", {"code": choice.code})
            for sentence in _text_changes(label, previous.label, choice.label):
                self.note(key, "options_changed", code, sentence, comparable=False)
            if previous.missing != choice.missing:
                self.note(
                    key,
                    "options_changed",
                    code,
                    Message(
                        "option %(code)s changed from %(old)s to %(new)s",
                        {
                            "code": choice.code,
                            "old": _missing_text(previous.missing),
                            "new": _missing_text(choice.missing),
                        },
                    ),
                    comparable=False,
                )
            if previous.exclusive != choice.exclusive:
                exclusive = (
                    N_("option %(code)s is now exclusive (cannot be combined with other options)")
                    if choice.exclusive
                    else N_(
                        "option %(code)s is no longer exclusive (may be combined with other "
                        "options)"
                    )
                )
                self.note(key, "options_changed", code, Message(exclusive, {"code": choice.code}))
            if previous.name != choice.name:
                # Stored answers keep their codes; only files naming the option read differently.
                renamed = {"code": choice.code, "old": previous.name, "new": choice.name}
                self.note(
                    key,
                    "options_changed",
                    code,
                    Message("option %(code)s named %(new)s (was %(old)s)", renamed)
                    if previous.name and choice.name
                    else Message("option %(code)s named %(new)s", renamed)
                    if choice.name
                    else Message("option %(code)s no longer named %(old)s", renamed),
                )
        for choice in before:
            if choice.code not in new_codes:
                self.note(
                    key,
                    "options_changed",
                    code,
                    Message(
                        "option %(code)s removed (was %(label)s)",
                        {"code": choice.code, "label": _quote_text(choice.label)},
                    ),
                    comparable=False,
                )
        old_order = [str(choice.code) for choice in before]
        new_order = [str(choice.code) for choice in after]
        if _moved(old_order, new_order):
            self.note(
                key,
                "options_changed",
                code,
                Message(
                    "options reordered: now %(now)s (was %(was)s)",
                    {
                        "now": ", ".join(_common(new_order, old_order)),
                        "was": ", ".join(_common(old_order, new_order)),
                    },
                ),
            )

    def compare_settings(self, key: _Key, before: Item, after: Item) -> None:
        code = after.code

        def note(detail: Message, comparable: bool = True) -> None:
            self.note(key, "settings_changed", code, detail, comparable)

        if before.required != after.required:
            note(
                Message("answer now required (was optional)")
                if after.required
                else Message("answer now optional (was required)")
            )
        show_if = _show_if_change(before, after)
        if show_if:
            note(show_if)
        # Ticking "at most 2" versus "at most 3" options, or a 0-10 versus a 1-5 slider, gives
        # different answers to the same question; a number's range only guards typing errors.
        bounds = question_type(after).bounds
        scale = bounds in (Bounds.SELECTIONS, Bounds.SCALE)
        for name in ("min", "max"):
            old_value, new_value = getattr(before, name), getattr(after, name)
            if old_value != new_value:
                note(
                    Message(
                        "%(name)s changed from %(old)s to %(new)s",
                        {
                            "name": _bound_name(bounds, name),
                            "old": _number(old_value),
                            "new": _number(new_value),
                        },
                    ),
                    comparable=not scale,
                )
        if before.integer != after.integer:
            note(
                Message("now whole numbers only (decimals were accepted)")
                if after.integer
                else Message("now accepts decimals (was whole numbers only)")
            )
        for label, value_before, value_after in (
            (Message("unit"), before.unit, after.unit),
            (Message("min_label"), before.min_label, after.min_label),
            (Message("max_label"), before.max_label, after.max_label),
        ):
            for sentence in _text_changes(label, value_before, value_after):
                note(sentence, comparable=False)
        if before.max_length != after.max_length:
            note(
                Message(
                    "max_length changed from %(old)s to %(new)s",
                    {"old": _number(before.max_length), "new": _number(after.max_length)},
                )
            )
        if before.randomize_rows != after.randomize_rows:
            note(
                Message("rows now shuffled per respondent")
                if after.randomize_rows
                else Message("rows no longer shuffled (shown in file order)")
            )

    # ---- battery rows -----------------------------------------------------------------

    def rows(self) -> None:
        codes = list(self.new_rows) + [c for c in self.old_rows if c not in self.new_rows]
        for code in codes:
            key = ("code", code)
            old_entry = self.old_rows.get(code)
            new_entry = self.new_rows.get(code)
            if old_entry is not None and new_entry is not None:
                self.compare_rows(old_entry, new_entry)
            elif new_entry is not None:
                if code in self.old_items:
                    continue  # reported as type_changed with the items
                battery, row = new_entry
                previous = self.old_items.get(battery.code)
                if previous is not None and question_type(previous).per_row:
                    self.note(
                        key,
                        "rows_changed",
                        code,
                        Message(
                            "row added to battery %(battery)s: %(text)s",
                            {"battery": battery.code, "text": _quote_text(row.text)},
                        ),
                    )
                else:
                    self.note(
                        key,
                        "added",
                        code,
                        Message(
                            "row of battery %(battery)s added: %(text)s",
                            {"battery": battery.code, "text": _quote_text(row.text)},
                        ),
                    )
            elif old_entry is not None:
                if code in self.new_items:
                    continue
                battery, row = old_entry
                following = self.new_items.get(battery.code)
                if following is not None and question_type(following).per_row:
                    self.note(
                        key,
                        "rows_changed",
                        code,
                        Message(
                            "row removed from battery %(battery)s (was %(text)s)",
                            {"battery": battery.code, "text": _quote_text(row.text)},
                        ),
                    )
                else:
                    self.note(
                        key,
                        "removed",
                        code,
                        Message(
                            "row of battery %(battery)s removed (was %(text)s)",
                            {"battery": battery.code, "text": _quote_text(row.text)},
                        ),
                    )

    def compare_rows(self, old_entry: tuple[Item, Row], new_entry: tuple[Item, Row]) -> None:
        (old_battery, before), (new_battery, after) = old_entry, new_entry
        code = after.code
        key = ("code", code)
        if old_battery.code != new_battery.code:
            same_scale = old_battery.choices == new_battery.choices
            batteries = {"old": old_battery.code, "new": new_battery.code}
            moved = (
                Message("row moved from battery %(old)s to battery %(new)s", batteries)
                if same_scale
                else Message(
                    "row moved from battery %(old)s to battery %(new)s, which has other options",
                    batteries,
                )
            )
            self.note(key, "moved", code, moved, comparable=same_scale)
        for sentence in _text_changes(Message("row text"), before.text, after.text):
            self.note(key, "rows_changed", code, sentence)
        if before.condition != after.condition:
            self.note(
                key,
                "role_changed",
                code,
                Message(
                    "condition changed from %(old)s to %(new)s",
                    {"old": _plain(before.condition), "new": _plain(after.condition)},
                ),
                comparable=False,
            )
