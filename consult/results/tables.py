"""A wave's figures as plain tables (lists of rows with fixed columns), in a reader's language:
the one source of every download format, so the CSV, XLSX, JSON, data package and the command
line hold the same figures, and those are `consult report`'s (`wave_results`).

Plain Python over the report and the question set: no Flask, so `consult export` and the web
share it. Suppressed figures keep their labels and lose their numbers (None).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from analysis import Estimate
from consult.messages import N_
from consult.models import Wave
from consult.results.labels import (
    group_label,
    item_label,
    option_label,
    term_label,
    translate,
)
from consult.results.report import Report, method_text
from surveys.model import Item, QuestionSet
from surveys.types import question_type

LANGUAGES = ("nl", "en")

ESTIMATE_COLUMNS = (
    "item",
    "item_label",
    "group",
    "group_label",
    "option",
    "option_label",
    "n",
    "base",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "suppressed",
)
THEME_COLUMNS = (
    "item",
    "item_label",
    "group",
    "group_label",
    "theme",
    "theme_label",
    "n",
    "base",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "suppressed",
)
SUMMARY_COLUMNS = (
    "level",
    "unit",
    "unit_label",
    "measure",
    "measure_label",
    "condition",
    "condition_label",
    "rank",
    "option",
    "option_label",
    "n",
    "base",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "suppressed",
)
ITEM_COLUMNS = (
    "code",
    "parent",
    "text_nl",
    "text_en",
    "type",
    "answer",
    "role",
    "application",
    "condition",
    "choice_list",
    "show_if",
    "page_show_if",
)
OPTION_COLUMNS = ("item", "option", "name", "label_nl", "label_en", "missing")

MEASURES = {
    "distribution": N_("share giving this answer"),
    "acceptance": N_("share accepting"),
    "dont_know": N_("share answering don't know"),
    "necessary": N_("share calling the condition necessary"),
    "conditional_acceptance": N_("acceptance if the conditions are met (same respondents)"),
    "unconditional_acceptance": N_("acceptance without conditions (same respondents)"),
    "lift": N_("lift: conditional minus unconditional acceptance"),
}


@dataclass(frozen=True)
class Figures:
    """What one download is made of: the wave, its question set, its report (None while the
    wave has no complete response: the tables are then empty), the grouping and the language."""

    wave: Wave
    question_set: QuestionSet
    report: Report | None
    by: str | None
    lang: str

    @property
    def estimates(self) -> list[Estimate]:
        return self.report.estimates if self.report is not None else []


def number(value: Any) -> Any:
    """A figure as a plain number; None for a suppressed or undefined one."""
    if value is None:
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _figure_columns(row: Estimate) -> dict[str, Any]:
    return {
        "n": None if row.suppressed or row.n is None else int(row.n),
        "base": None if row.base is None else int(row.base),
        "estimate": number(row.estimate),
        "se": number(row.se),
        "ci_low": number(row.ci_low),
        "ci_high": number(row.ci_high),
        "suppressed": bool(row.suppressed),
    }


def all_label(lang: str) -> str:
    return translate(N_("all respondents"), lang)


def estimate_rows(figures: Figures) -> list[dict[str, Any]]:
    """The tidy estimates table: one row per figure, codes and labels side by side."""
    qs, lang = figures.question_set, figures.lang
    rows = []
    for row in figures.estimates:
        grouped = row.group is not None and row.group_code is not None
        rows.append(
            {
                "item": row.item,
                "item_label": item_label(qs, row.item, lang),
                "group": f"{row.group}={row.group_code}" if grouped else "all",
                "group_label": group_label(qs, row.group, row.group_code, lang)
                if grouped
                else all_label(lang),
                "option": row.option,
                "option_label": option_label(qs, row.item, row.option, lang),
                **_figure_columns(row),
            }
        )
    return rows


def theme_rows(figures: Figures) -> list[dict[str, Any]]:
    """The open questions' theme shares (`consult.themes`), like the estimates table with the
    theme's code and name where an option would be."""
    themes = figures.report.themes if figures.report is not None else None
    if themes is None:
        return []
    qs, lang = figures.question_set, figures.lang
    rows = []
    for row in themes.rows:
        grouped = row.group is not None and row.group_code is not None
        theme = themes.theme_of(row)
        rows.append(
            {
                "item": row.item,
                "item_label": item_label(qs, row.item, lang),
                "group": f"{row.group}={row.group_code}" if grouped else "all",
                "group_label": group_label(qs, row.group, row.group_code, lang)
                if grouped
                else all_label(lang),
                "theme": theme.code,
                "theme_label": theme.name(lang),
                **_figure_columns(row),
            }
        )
    return rows


def summary_rows(figures: Figures) -> list[dict[str, Any]]:
    """The acceptance summary as a tidy table: per application and per domain, acceptance, the
    don't-know share, the conditions ranked by the share calling them necessary, and the lift."""
    summary = figures.report.summary if figures.report is not None else None
    if summary is None:
        return []
    qs, lang = figures.question_set, figures.lang
    out: list[dict[str, Any]] = []

    def add(
        level: str,
        unit: str,
        measure: str,
        row: Estimate,
        condition: str | None = None,
        rank: int | None = None,
        option: int | None = None,
    ) -> None:
        out.append(
            {
                "level": level,
                "unit": unit,
                "unit_label": term_label(qs, level, unit, lang),
                "measure": measure,
                "measure_label": translate(MEASURES[measure], lang),
                "condition": condition,
                "condition_label": term_label(qs, "condition", condition, lang)
                if condition
                else None,
                "rank": rank,
                "option": option,
                "option_label": option_label(qs, row.item, option, lang)
                if option is not None
                else None,
                **_figure_columns(row),
            }
        )

    for app in summary.applications:
        for row in app.distribution:
            add("application", app.application, "distribution", row, option=int(row.option or 0))
        add("application", app.application, "acceptance", app.acceptance)
        add("application", app.application, "dont_know", app.dont_know)
        for share in app.conditions:
            add(
                "application",
                app.application,
                "necessary",
                share.necessary,
                share.condition,
                share.rank,
            )
        if app.lift is not None:
            add("application", app.application, "conditional_acceptance", app.lift.conditional)
            add("application", app.application, "unconditional_acceptance", app.lift.unconditional)
            add("application", app.application, "lift", app.lift.lift)
    for domain in summary.domains:
        add("domain", domain.domain, "acceptance", domain.acceptance)
        add("domain", domain.domain, "dont_know", domain.dont_know)
        for share in domain.conditions:
            add("domain", domain.domain, "necessary", share.necessary, share.condition, share.rank)
        if domain.lift is not None:
            add("domain", domain.domain, "lift", domain.lift)
    return out


def _codebook_entries(qs: QuestionSet) -> Iterable[tuple[Item, str, str | None, Any]]:
    """(item, code, parent, text) for every item and every battery row."""
    for item in qs.all_items():
        yield item, item.code, None, item.text
        for row in item.rows:
            yield item, row.code, item.code, row.text


def codebook_items(qs: QuestionSet) -> list[dict[str, Any]]:
    """Every item code (battery rows under their battery): wording in Dutch and English, type,
    what it answers, its role in the analysis and when it is shown."""
    rows = []
    for item, code, parent, text in _codebook_entries(qs):
        battery_row = item.row(code) if parent is not None else None
        row_condition = battery_row.condition if battery_row is not None else None
        rows.append(
            {
                "code": code,
                "parent": parent,
                "text_nl": text.get("nl") if text is not None else None,
                "text_en": text.get("en") if text is not None else None,
                "type": item.type,
                "answer": question_type(item).answer.name.lower(),
                "role": item.role,
                "application": item.application,
                "condition": row_condition or item.condition,
                "choice_list": item.choice_list,
                "show_if": item.show_if_source,
                "page_show_if": qs.page_of(item.code).show_if_source,
            }
        )
    return rows


def codebook_options(qs: QuestionSet) -> list[dict[str, Any]]:
    """Every option of every item: code, name, labels in Dutch and English, missing-value kind."""
    return [
        {
            "item": item.code,
            "option": choice.code,
            "name": choice.name,
            "label_nl": choice.label.get("nl"),
            "label_en": choice.label.get("en"),
            "missing": choice.missing,
        }
        for item in qs.all_items()
        for choice in item.choices
    ]


def codebook_json(qs: QuestionSet) -> dict[str, Any]:
    """The codebook as one nested document: items with their rows and options."""
    options: dict[str, list[dict[str, Any]]] = {}
    for option in codebook_options(qs):
        options.setdefault(option["item"], []).append(
            {key: value for key, value in option.items() if key != "item"}
        )
    items: list[dict[str, Any]] = []
    for entry in codebook_items(qs):
        if entry["parent"] is not None:
            items[-1].setdefault("rows", []).append(
                {"code": entry["code"], "text_nl": entry["text_nl"], "text_en": entry["text_en"]}
                | ({"condition": entry["condition"]} if entry["condition"] else {})
            )
            continue
        items.append({**entry, "options": options.get(entry["code"], [])})
    for entry in items:
        entry.pop("parent", None)
    return {
        "consultation": qs.consultation_slug,
        "wave": qs.wave,
        "version": qs.version_label,
        "languages": list(qs.languages),
        "vocabulary": qs.vocabulary.labels(),
        "items": items,
    }


def method_lines(figures: Figures) -> list[tuple[str, str]]:
    """The method note as (label, text) lines in the reader's language: which wave, how the
    figures were made and what suppression means."""
    lang, wave = figures.lang, figures.wave
    t = lambda text: translate(text, lang)  # noqa: E731
    lines = [
        (t(N_("Consultation")), wave.consultation.slug),
        (t(N_("Wave")), wave.slug),
        (t(N_("Question-set version")), str(wave.question_set_version.number)),
        (t(N_("Subgroups by")), figures.by or t(N_("none (all respondents)"))),
        (t(N_("Minimum cell size")), str(wave.min_cell_size)),
    ]
    report = figures.report
    if report is None:
        lines.append((t(N_("Respondents")), "0"))
        lines.append((t(N_("Figures")), t(N_("none yet: the wave has no complete responses"))))
    else:
        weights = report.design.weights
        low, high = weights.weight_range
        lines += [
            (t(N_("Respondents")), str(weights.n)),
            (t(N_("Weighting")), report.design.mode),
            (t(N_("Effective sample size")), f"{weights.effective_n:.1f}"),
            (t(N_("Design effect")), f"{weights.design_effect:.3f}"),
            (t(N_("Weight range")), f"{low:.3f} - {high:.3f}"),
        ]
    lines += [
        (t(N_("Method")), method_text(figures.question_set, lang, wave.min_cell_size)),
        (
            t(N_("Suppressed figures")),
            t(
                N_(
                    "A figure resting on fewer than %(minimum)s respondents is suppressed "
                    "(shown empty), and so is a second figure wherever the first could be "
                    "worked out from a total; its labels are kept."
                )
            )
            % {"minimum": wave.min_cell_size},
        ),
    ]
    return lines
