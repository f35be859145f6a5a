"""What an item's page and the codebook show: one item's distribution with intervals, overall or
by a single-choice item, and every item's definition with the waves it appears in.

Like `pages`, plain Python over a `Report` and the question set, labelled and formatted in the
reader's language; the view only picks the wave, the item, the grouping and the language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis import Estimate, WaveDifference, wave_differences
from consult.results import charts
from consult.results.charts import Dot, Segment, Tick
from consult.results.design import reported, single_choice
from consult.results.labels import option_label, term_label
from consult.results.pages import (
    ChangeView,
    Shown,
    Test,
    change_view,
    group_verdict,
    number,
    shown,
)
from consult.results.report import Report, method_paragraphs, test_note
from surveys.model import Item, QuestionSet
from surveys.types import Answer, question_type


def _text(text: object, lang: str) -> str:
    get = getattr(text, "get", None)
    return get(lang) if get is not None else ""


def diverging(item: Item) -> bool:
    """A shared scale of 5 or 7 ordered options around a neutral middle (plus "don't know"):
    drawn as a diverging bar. Other choices get a dot and interval per option."""
    substantive = [choice for choice in item.choices if choice.missing is None]
    return item.choice_list is not None and len(substantive) in (5, 7)


@dataclass(frozen=True)
class GroupRows:
    """The figures of one answer code within one group (or overall: label "")."""

    label: str
    rows: tuple[Shown, ...]
    bar: tuple[Segment, ...]
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class Panel:
    """Chart and table rows for one option across the groups (small multiples, by a grouping)."""

    label: str
    rows: tuple[tuple[str, Shown, Dot], ...]


@dataclass(frozen=True)
class FigureTable:
    """One answer code's figures: a question's, a battery row's or a ranking's means."""

    code: str
    label: str
    mean: bool
    diverging: bool
    groups: tuple[GroupRows, ...]
    panels: tuple[Panel, ...]
    axis_ticks: tuple[Tick, ...]
    test: Test | None
    statistic: str
    test_note: str | None = None
    """The groups the test leaves out (some of their figures are hidden), or why it is
    withheld."""


@dataclass(frozen=True)
class ItemPage:
    code: str
    label: str
    help: str
    by: str | None
    by_label: str
    groupings: tuple[tuple[str, str], ...]
    """Every single-choice item (code, wording) a reader can break the figures down by."""
    tables: tuple[FigureTable, ...]
    legend: tuple[tuple[str, str], ...]
    span_ticks: tuple[Tick, ...]
    suppressed: bool
    """Some figure is hidden, or shown without its base and interval: the footnote says why."""
    has_figures: bool
    change: ItemChange | None = None
    """The change since the previous wave (None: there is none)."""
    protection: str = ""
    """How small groups are protected, in plain words (the method's paragraph)."""
    themes: bool = False
    """The figures are an open question's themes (`consult.themes`), not its answers."""
    open_question: bool = False


@dataclass(frozen=True)
class ChangeTable:
    """One answer code's figures now and in the previous wave."""

    label: str
    rows: tuple[ChangeView, ...]
    mean: bool
    """Means (changes in their own unit), not shares (changes in percentage points)."""


@dataclass(frozen=True)
class ItemChange:
    """The item's overall figures compared with the previous wave, or why they are not:
    `comparable` False when the question changed its meaning (`surveys.diff`), `asked` False
    when the previous wave did not ask it. No tables when nothing could be compared (the
    previous wave has no figures, or all of them are suppressed)."""

    previous: str
    comparable: bool
    asked: bool
    tables: tuple[ChangeTable, ...]
    left_out: tuple[str, ...] = ()
    """The battery rows that changed their meaning (the others are compared)."""


def groupings(question_set: QuestionSet, lang: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (item.code, _text(item.text, lang) or item.code)
        for item in question_set.all_items()
        if single_choice(item)
    )


def _row_label(question_set: QuestionSet, item: Item, row: Estimate, lang: str) -> str:
    if question_type(item).answer is Answer.ORDER:
        choice = item.choice(int(row.item.rsplit(".", 1)[1]))
        return choice.label.get(lang) if choice else row.item
    if row.kind == "mean":
        return ""
    return option_label(question_set, item.code, row.option, lang)


def _code_label(item: Item, code: str, lang: str) -> str:
    """A battery row's wording or a ranking option's label; "" for the item's own code."""
    row = item.row(code)
    if row is not None:
        return _text(row.text, lang)
    return ""


def item_page(report: Report, item: Item, lang: str, change: ItemChange | None = None) -> ItemPage:
    """One item's figures from the report (overall, or by the report's grouping), and its
    change since the previous wave (`item_change`)."""
    question_set = report.design.question_set
    themes = report.themes if question_type(item).answer is Answer.TEXT else None
    rows = themes.rows_of(item.code) if themes is not None else report.rows_of(item)

    def row_label(row: Estimate) -> str:
        if themes is not None:
            return themes.theme_of(row).name(lang)
        return _row_label(question_set, item, row, lang)

    ranked = question_type(item).answer is Answer.ORDER
    by = report.by
    is_diverging = diverging(item) and not ranked
    substantive = [c.code for c in item.choices if c.missing is None]
    tables_rows: dict[str, list[Estimate]] = {}
    for row in rows:
        key = item.code if ranked else row.item
        tables_rows.setdefault(key, []).append(row)
    bars = [
        [r.estimate for r in group if r.option in substantive]
        for code_rows in tables_rows.values()
        for group in _by_group(code_rows).values()
    ]
    span = charts.diverging_span(bars) if is_diverging else 1.0
    tests = {test.item: test.test for test in report.tests_of(item)}
    tables = []
    for code, code_rows in tables_rows.items():
        mean = all(r.kind == "mean" for r in code_rows)
        axis = (
            charts.number_axis([v for r in code_rows for v in (r.ci_low, r.ci_high)])
            if mean
            else charts.share_axis([r.ci_high for r in code_rows])
        )
        groups = []
        for group_code, group in _by_group(code_rows).items():
            label = option_label(question_set, by, group_code, lang) if by else ""
            figures = tuple(shown(r, row_label(r), lang) for r in group)
            on_scale = [f for f, r in zip(figures, group, strict=True) if r.option in substantive]
            bar = (
                charts.diverging_bar(
                    [f.value for f in on_scale],
                    [f.label for f in on_scale],
                    [f.text for f in on_scale],
                    span,
                )
                if is_diverging
                and len(on_scale) == len(substantive)
                and all(math.isfinite(f.value) for f in on_scale)
                else []
            )
            dots = tuple(charts.dot(axis, f.value, f.low, f.high) for f in figures)
            groups.append(GroupRows(label, figures, tuple(bar), dots))
        panels = _panels(groups)
        test = tests.get(code)
        result = test.result if test is not None else None
        tables.append(
            FigureTable(
                code,
                _code_label(item, code, lang),
                mean,
                is_diverging,
                tuple(groups),
                panels,
                tuple(charts.ticks(axis, 4) if mean else charts.share_ticks(axis)),
                group_verdict(test, lang) if test is not None else None,
                (
                    f"F = {number(result.statistic, lang, 2)}, "
                    f"df = {number(result.ndf, lang, 2)}; {number(result.ddf, lang, 1)}"
                )
                if result is not None
                else "",
                test_note(test, question_set, by, lang) if test is not None and by else None,
            )
        )
    legend: tuple[tuple[str, str], ...] = ()
    if is_diverging:
        colours = charts.DIVERGING[len(substantive)]
        legend = tuple(
            (option_label(question_set, item.code, code, lang), colour)
            for code, colour in zip(substantive, colours, strict=True)
        )
    return ItemPage(
        item.code,
        _text(item.text, lang) or item.code,
        _text(item.help, lang),
        by,
        (_text(question_set.item(by).text, lang) or by) if by else "",
        groupings(question_set, lang),
        tuple(tables),
        legend,
        tuple(charts.diverging_ticks(span)) if is_diverging else (),
        any(row.suppressed or row.base is None for row in rows),
        reported(item) or bool(rows),
        change,
        method_paragraphs(question_set, lang, report.design.wave.min_cell_size).protection,
        themes is not None and bool(rows),
        question_type(item).answer is Answer.TEXT,
    )


def item_change(now: Report, before: Report | None, item: Item, lang: str) -> ItemChange | None:
    """The item's figures for all respondents in `now` (a wave's overall report) against those
    in `before` (the previous wave's), paired by code and option with the z test of their
    difference. Only when the item means the same in both waves' question sets."""
    if now.previous is None or not reported(item):
        return None
    changed = [code for code in item.answer_codes if code in now.incomparable]
    if item.code in now.incomparable or (changed and len(changed) == len(item.answer_codes)):
        return ItemChange(now.previous, False, True, ())
    if before is None:
        return ItemChange(now.previous, True, True, ())
    if not any(before.design.question_set.has_answer_code(c) for c in item.answer_codes):
        return ItemChange(now.previous, True, False, ())
    question_set = now.design.question_set

    def overall(report: Report) -> list[Estimate]:
        return [r for r in report.rows_of(item) if r.group is None and r.item not in changed]

    tables: dict[str, list[WaveDifference]] = {}
    for change in wave_differences(overall(before), overall(now)):
        key = item.code if question_type(item).answer is Answer.ORDER else change.later.item
        tables.setdefault(key, []).append(change)
    return ItemChange(
        now.previous,
        True,
        True,
        tuple(
            ChangeTable(
                _code_label(item, code, lang),
                tuple(
                    change_view(_row_label(question_set, item, c.later, lang), c, lang)
                    for c in changes
                ),  # a mean's label is "": the page says "Mean"
                all(c.later.kind == "mean" for c in changes),
            )
            for code, changes in tables.items()
        ),
        tuple(_code_label(item, code, lang) for code in changed),
    )


def _by_group(rows: Sequence[Estimate]) -> dict[int | None, list[Estimate]]:
    grouped: dict[int | None, list[Estimate]] = {}
    for row in rows:
        if row.group_code is not None and row.group_code < 0:
            continue  # no answer to the grouping question: not a group a reader can name
        grouped.setdefault(row.group_code, []).append(row)
    return grouped


def _panels(groups: Sequence[GroupRows]) -> tuple[Panel, ...]:
    """Per option (or mean), its figure in every group: the small multiples of a breakdown."""
    if len(groups) < 2:
        return ()
    count = max(len(g.rows) for g in groups)
    panels = []
    for index in range(count):
        found = [(g.label, g.rows[index], g.dots[index]) for g in groups if index < len(g.rows)]
        panels.append(Panel(found[0][1].label, tuple(found)))
    return tuple(panels)


# The codebook ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionEntry:
    code: int
    name: str
    label_nl: str
    label_en: str
    missing: str


@dataclass(frozen=True)
class RowEntry:
    code: str
    text_nl: str
    text_en: str
    condition: str


@dataclass(frozen=True)
class CodebookEntry:
    code: str
    type: str
    text_nl: str
    text_en: str
    role: str
    application: str
    show_if: str
    options: tuple[OptionEntry, ...]
    rows: tuple[RowEntry, ...]
    waves: tuple[str, ...]
    has_figures: bool


def codebook(
    question_set: QuestionSet, waves: Iterable[tuple[str, QuestionSet]], lang: str
) -> tuple[CodebookEntry, ...]:
    """Every item of the set with its wording in both languages, its options and rows, and the
    waves of the consultation whose question set holds an item of that code."""
    waves = list(waves)
    entries = []
    for item in question_set.all_items():
        page = question_set.page_of(item.code)
        conditions = [text for text in (page.show_if_source, item.show_if_source) if text]
        entries.append(
            CodebookEntry(
                code=item.code,
                type=item.type,
                text_nl=_text(item.text, "nl"),
                text_en=_text(item.text, "en"),
                role=item.role or "",
                application=(
                    _term(question_set, item.application, lang) if item.application else ""
                ),
                show_if=" and ".join(f"({c})" for c in conditions)
                if len(conditions) > 1
                else (conditions[0] if conditions else ""),  # fmt: skip
                options=tuple(
                    OptionEntry(
                        choice.code,
                        choice.name or "",
                        choice.label.get("nl"),
                        choice.label.get("en"),
                        choice.missing or "",
                    )
                    for choice in item.choices
                ),
                rows=tuple(
                    RowEntry(
                        row.code,
                        row.text.get("nl"),
                        row.text.get("en"),
                        _term_kind(question_set, "condition", row.condition, lang)
                        if row.condition
                        else "",
                    )
                    for row in item.rows
                ),
                waves=tuple(slug for slug, other in waves if _holds(other, item.code)),
                has_figures=reported(item),
            )
        )
    return tuple(entries)


def _holds(question_set: QuestionSet, code: str) -> bool:
    try:
        question_set.item(code)
    except KeyError:
        return False
    return True


def _term(question_set: QuestionSet, code: str, lang: str) -> str:
    return _term_kind(question_set, "application", code, lang)


def _term_kind(question_set: QuestionSet, kind: str, code: str, lang: str) -> str:
    return term_label(question_set, kind, code, lang)
