"""Theme frequencies of a wave's open questions: weighted shares with intervals, overall and by
subgroup, under the same disclosure control as every other table.

A theme is like an option of a multiple-choice question (an answer can be about several): the
base is everyone who wrote an answer to the open question, and each theme's share is the
weighted share of those answers about it (`results.figures.choice_shares`). Its tables are laid
out as a multiple-choice item's (`Layout("choices")`): the overall table suppressed on its own, a
table by subgroup with both overall tables fixed (`analysis.linked_tables`), and kept with the
design per codebook, so a page, a download and the API publish the same mask.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.orm import Session

from analysis import Estimate, Grouped
from analysis.linked_tables import Layout, Linked, LinkedSpec, Margin, linked_tables, margins
from analysis.themes import Matcher, answered, theme_table
from consult.models import Consultation, Theme, Wave
from consult.results.design import WaveDesign
from consult.results.disclosure import Disclosure, profiles
from consult.results.figures import choice_shares, without_bases
from consult.themes import codebook, queries
from surveys.model import Item, QuestionSet
from surveys.types import Answer, question_type


@dataclass(frozen=True)
class ThemeInfo:
    """A theme as the figures name it (kept figures outlive the session that read the theme)."""

    code: str
    name_nl: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_nl


@dataclass(frozen=True)
class ThemeFigures:
    """The theme shares of every open question (overall, or by one question): `rows` are
    estimates whose item is the open question and whose option is the theme's position in
    `themes`."""

    themes: tuple[ThemeInfo, ...]
    rows: tuple[Estimate, ...]
    fingerprint: str

    def theme_of(self, row: Estimate) -> ThemeInfo:
        return self.themes[int(row.option or 0)]

    def rows_of(self, code: str) -> list[Estimate]:
        return [row for row in self.rows if row.item == code]


def open_questions(question_set: QuestionSet) -> list[Item]:
    """The questions answered in the respondent's own words."""
    return [item for item in question_set.all_items() if question_type(item).answer is Answer.TEXT]


def codebook_of(session: Session, consultation: Consultation) -> list[Theme]:
    return queries.themes_of(session, consultation)


def theme_figures(
    session: Session, design: WaveDesign, themes: list[Theme], by: str | None = None
) -> ThemeFigures:
    """Every open question's theme shares, suppressed as every table of the wave is."""
    infos = tuple(ThemeInfo(t.code, t.name_nl, t.name_en) for t in themes)
    fingerprint = codebook.fingerprint(themes)
    questions = [item.code for item in open_questions(design.question_set)]
    if not themes or not questions:
        return ThemeFigures(infos, (), fingerprint)
    weighting = by is None or by in design.cells.variables
    key = ("theme tables", fingerprint)
    kept = design.masks.get(key)
    if weighting and isinstance(kept, dict):
        pairs = [(kept[code], kept[code]) for code in questions]
    else:  # the answers, read and matched once per codebook (and per grouping not weighted)
        pairs = _tables(session, design, codebook.matcher_of(themes), questions, by, weighting)
        design.masks[key] = {
            code: overall for code, (overall, _) in zip(questions, pairs, strict=True)
        }
    rows: list[Estimate] = []
    for code, (overall, table) in zip(questions, pairs, strict=True):
        rows += _published(session, design, code, overall, table, len(themes), by, fingerprint)
    return ThemeFigures(infos, tuple(rows), fingerprint)


def _tables(
    session: Session,
    design: WaveDesign,
    matcher: Matcher,
    questions: list[str],
    by: str | None,
    weighting: bool,
) -> list[tuple[Grouped, Grouped]]:
    """Per open question, its theme table overall and by `by` (the same table when `by` is a
    weighting variable: the cell tells the group): among those who answered both, as every
    table by a question that is not weighted."""
    wave = session.get(Wave, design.wave.id)
    assert wave is not None
    found = queries.open_answers(session, wave, questions, None if weighting else by)
    out = []
    for code in questions:
        mine = [row for row in found if row[2] == code and row[0] in design.cell_index]
        mine = [row for row, kept in zip(mine, answered(r[3] for r in mine), strict=True) if kept]
        cell = np.array([design.cell_index[row[0] or ""] for row in mine], dtype=np.int64)
        matches = matcher.match([row[3] for row in mine], [row[1] for row in mine])
        overall = theme_table(code, cell, matches)
        if weighting:
            out.append((overall, overall))
            continue
        groups = np.array([-1 if row[4] is None else row[4] for row in mine], dtype=np.int64)
        both = groups >= 0
        out.append((overall, theme_table(code, cell[both], matches[both], groups[both], by)))
    return out


def _published(
    session: Session,
    design: WaveDesign,
    code: str,
    overall_table: Grouped,
    table: Grouped,
    k: int,
    by: str | None,
    fingerprint: str,
) -> list[Estimate]:
    """The theme shares of one open question (`table`: overall, or by `by`), as they may be
    published; `overall_table` gives the overall table's mask, which the other is linked to."""
    layout = Layout("choices", tuple(range(k)))
    respondents = design.cells.n
    minimum = design.wave.min_cell_size
    key = ("themes", fingerprint, code)
    overall = design.masks.get(key)
    if overall is None:
        profile = profiles(layout, overall_table.keys[code], overall_table.counts)
        overall = margins([(layout, profile)], respondents, minimum)[0]
        design.masks[key] = overall
    assert isinstance(overall, Margin)
    estimates = choice_shares(design, table, code, list(range(k)), by)
    if by is None:

        def hides(row: Estimate) -> tuple[bool, bool]:
            chosen = overall.hidden[layout.position[("chosen", int(row.option or 0))]]
            return bool(chosen), bool(overall.hidden[layout.base])

    else:
        mask = design.masks.get((*key, by))
        if mask is None:
            disclosure = Disclosure(design)
            grouping = disclosure.margin(session, by)
            groups = table.keys[by] if by in table.keys else design.cells.column(by)[table.cell]
            counts = profiles(
                layout, table.keys[code], table.counts, groups, grouping.layout.options
            )
            spec = LinkedSpec(
                grouping,
                overall,
                counts,
                pair=False,
                rows_equal=by in disclosure.policy.complete,
            )
            mask = linked_tables([spec], respondents, minimum)[0]
            design.masks[(*key, by)] = mask
        assert isinstance(mask, Linked)
        linked = mask

        def hides(row: Estimate) -> tuple[bool, bool]:
            group = ("option", int(row.group_code or 0))
            chosen = linked.hides(group, ("chosen", int(row.option or 0)))
            return chosen, linked.hides(group, ("base",))

    out = []
    for row in estimates:
        hide_row, hide_base = hides(row)
        published = row.hidden() if hide_row else row
        out.append(replace(published, base=None) if hide_base else published)
    return without_bases(design, out)
