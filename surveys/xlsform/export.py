"""Question sets written out as YAML text or as an XLSForm workbook."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from surveys.expressions import (
    Expr,
)
from surveys.model import Choice, Item, Page, QuestionSet, Text, Vocabulary
from surveys.types import QUESTION_TYPES, Bounds, TextType, question_type
from surveys.vocabulary import LIST_NAME, SCALE_KEYS
from surveys.xlsform import about_settings
from surveys.xlsform.nodes import _Node
from surveys.xlsform.sheets import ROLE_COLUMNS
from surveys.xlsform.xpath import xpath_of
from surveys.xlsform.yaml_write import _number_text, _write_yaml


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


def _list_names(
    qset: QuestionSet,
) -> tuple[dict[tuple[Choice, ...], str], dict[str, int], set[str]]:
    """A name for every distinct choice list, how many items use each, and the names the set
    itself gave (kept, and always written as a named list: the vocabulary's scales refer to
    them)."""
    known: dict[tuple[Choice, ...], str] = {}
    for item in qset.all_items():
        if item.choice_list is not None:
            known.setdefault(_choice_key(item.choices), item.choice_list)
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
    node.put("name", choice.name)
    return node


def _written_names(choices: Sequence[Choice]) -> dict[int, str] | None:
    """The names an XLSForm can carry for a list: only a list of words numbered 1, 2, 3... in
    order reads back with the same codes, so any other list is written with its codes."""
    names = {choice.code: choice.name for choice in choices if choice.name is not None}
    in_order = [choice.code for choice in choices] == list(range(1, len(choices) + 1))
    return names if in_order and len(names) == len(choices) else None


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
    if kind.per_row:
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
    if "integer" in kind.keys and not item.integer:
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


def _vocabulary_node(vocabulary: Vocabulary, languages: Sequence[str]) -> _Node | None:
    """The `vocabulary:` key of the YAML, or None when the set declares nothing."""
    node = _Node()
    for kind, terms in (
        ("domains", vocabulary.domains),
        ("conditions", vocabulary.conditions),
        ("applications", vocabulary.applications),
    ):
        entries = []
        for term in terms:
            entry = _Node(flow=True)
            entry["code"] = term.code
            entry.put("domain", term.domain)
            entry["label"] = _text_node(term.label, languages)
            entries.append(entry)
        if entries:
            node[kind] = entries
    scales = _Node()
    for scale in vocabulary.scales:
        meanings = _Node(flow=True)
        for key in SCALE_KEYS:
            if getattr(scale, key):
                meanings[key] = list(getattr(scale, key))
        scales[scale.choice_list] = meanings
    if scales:
        node["scales"] = scales
    return node or None


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
    tree.put("about", about_settings.as_mapping(qset.about))
    lists = _Node()
    for key, name in names.items():
        if name in shared:
            lists[name] = [_choice_node(choice, languages) for choice in key]
    if lists:
        tree["choice_lists"] = lists
    tree.put("vocabulary", _vocabulary_node(qset.vocabulary, languages))

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
    return _write_yaml(tree)


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


def _given(value: float | None, default: float | None) -> float:
    """An item's bound, else its type's default (a scale always has both)."""
    found = value if value is not None else default
    assert found is not None, "a scale's type declares default_min and default_max"
    return found


def _constraint_of(item: Item) -> str | None:
    kind = QUESTION_TYPES[item.type]
    if isinstance(kind, TextType):
        if item.max_length is None or item.max_length == kind.default_max_length:
            return None
        return f"string-length(.) <= {item.max_length}"
    subjects: dict[Bounds | None, str] = {Bounds.RANGE: ".", Bounds.SELECTIONS: "count-selected(.)"}
    subject = subjects.get(kind.bounds)
    if subject is None:
        return None
    terms = []
    if item.min is not None:
        terms.append(f"{subject} >= {_number_text(item.min)}")
    if item.max is not None:
        terms.append(f"{subject} <= {_number_text(item.max)}")
    return " and ".join(terms) or None


def _vocabulary_sheet(
    qset: QuestionSet, names: Mapping[tuple[Choice, ...], str], languages: Sequence[str]
) -> _SheetBuilder:
    """The `vocabulary` sheet: one row per domain, condition, application and scale."""
    label_columns = [f"label::{lang}" for lang in languages]
    sheet = _SheetBuilder(
        ["kind", "code", "domain", *label_columns, *SCALE_KEYS], ["kind", "code", *label_columns]
    )
    vocabulary = qset.vocabulary
    for kind, terms in (
        ("domain", vocabulary.domains),
        ("condition", vocabulary.conditions),
        ("application", vocabulary.applications),
    ):
        for term in terms:
            row = sheet.add(kind=kind, code=term.code, domain=term.domain)
            sheet.text(row, "label", term.label, languages)
    exported = {
        item.choice_list: names[_choice_key(item.choices)]
        for item in qset.all_items()
        if item.choice_list is not None and _choice_key(item.choices) in names
    }
    for scale in vocabulary.scales:
        sheet.add(
            kind="scale",
            code=exported.get(scale.choice_list, scale.choice_list),
            **{key: " ".join(map(str, getattr(scale, key))) for key in SCALE_KEYS},
        )
    return sheet


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

    # Conditions name the options of a named list by name, as the choices sheet does.
    option_names = {
        code: written
        for item in qset.all_items()
        if (written := _written_names(item.choices)) is not None
        for code in item.answer_codes
    }

    def condition(row: dict[str, object], expr: Expr | None, source: str | None) -> None:
        if expr is not None and source is not None:
            row["relevant"] = xpath_of(expr, option_names)
            row["show_if"] = source

    def roles(row: dict[str, object], item: Item) -> None:
        for key in ROLE_COLUMNS:
            value = getattr(item, key)
            if value is not None:
                row[key] = value

    def add_item(item: Item) -> None:
        list_name = names.get(_choice_key(item.choices), "")
        kind = question_type(item)
        if kind.per_row:
            row = survey.add(type="begin group", name=item.code, appearance="field-list")
            survey.text(row, "label", item.text, languages)
            survey.text(row, "hint", item.help, languages)
            condition(row, item.show_if, item.show_if_source)
            if item.randomize_rows:
                row["randomize"] = "yes"
            roles(row, item)
            for battery_row in item.rows:
                line = survey.add(
                    type=kind.xlsform_type_of(item, list_name),
                    name=battery_row.code,
                    battery=item.code,
                    condition=battery_row.condition,
                    required="yes" if item.required else None,
                )
                survey.text(line, "label", battery_row.text, languages)
            survey.add(type="end group", name=item.code)
            return
        row = survey.add(
            type=kind.xlsform_type_of(item, list_name),
            name=item.code,
            required="yes" if item.required else None,
            appearance=kind.xlsform_appearance,
        )
        survey.text(row, "label", item.text, languages)
        survey.text(row, "hint", item.help, languages)
        condition(row, item.show_if, item.show_if_source)
        if kind.bounds is Bounds.SCALE:
            start = _number_text(_given(item.min, kind.default_min))
            end = _number_text(_given(item.max, kind.default_max))
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
        written = _written_names(key) or {}
        for choice in key:
            row = choices.add(
                list_name=name,
                name=written.get(choice.code, choice.code),
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
            *about_settings.columns(languages),
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
    about_settings.fill(row, qset.about, languages)

    vocabulary = _vocabulary_sheet(qset, names, languages)
    sheets = [("survey", survey), ("choices", choices), ("settings", settings)]
    if vocabulary.rows:
        sheets.append(("vocabulary", vocabulary))
    workbook = Workbook()
    first = True
    for title_text, builder in sheets:
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
