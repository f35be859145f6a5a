"""Respondent-level data for a consultation's researchers: one row per complete response with its
final raking weight, as CSV, SPSS (.sav) or Stata (.dta) with variable and value labels.

Anonymized: no open texts, no dates, nothing that identifies a response elsewhere. Rows are
numbered 1..n in an order drawn from a secret and the state of the wave's figures, so the order
says nothing about when or how anyone answered, and the same state gives the same file. The
demographic answers are kept as collected (not the coarsened weighting cells).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
from sqlalchemy.orm import Session

from consult.messages import N_
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results import queries
from consult.results.downloads import (
    MEDIA_TYPES,
    MICRODATA_FORMATS,
    Download,
    check_format,
    check_language,
    csv_bytes,
)
from consult.results.labels import item_label, translate
from consult.results.service import ResultsState, results_state, wave_results
from surveys.model import QuestionSet
from surveys.types import Answer, question_type

MAX_NAME = 32  # Stata's limit on a variable name (SPSS allows 64)


@dataclass(frozen=True)
class Variable:
    """One column: its name, its label, and how answers fill it."""

    name: str
    label: str
    code: str
    """The answer code it reads."""
    kind: str
    """`option` (the option code), `chosen` (1 if `option` chosen, 0 if not, among those who
    answered), `rank` (the rank given to `option`) or `number`."""
    option: int | None = None
    value_labels: dict[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()
    """Option codes that mean "don't know" or "no answer" (user-missing in SPSS)."""


def _name(code: str, taken: set[str]) -> str:
    name = code.replace(".", "_")[:MAX_NAME]
    count = 1
    while name in taken:
        count += 1
        name = f"{code[: MAX_NAME - 4]}_{count}"
    taken.add(name)
    return name


def variables(qs: QuestionSet, lang: str) -> list[Variable]:
    """The answered questions as columns; texts and information items have none."""
    out: list[Variable] = []
    taken = {"respondent", "weight"}
    for item in qs.all_items():
        answer = question_type(item).answer
        labels = {choice.code: choice.label.get(lang) for choice in item.choices}
        scale = qs.vocabulary.scale(item.choice_list)
        missing = tuple(
            choice.code
            for choice in item.choices
            if choice.missing or (scale is not None and choice.code in scale.dont_know)
        )
        if answer is Answer.OPTION:
            for code in item.answer_codes:
                out.append(
                    Variable(
                        _name(code, taken),
                        item_label(qs, code, lang),
                        code,
                        "option",
                        value_labels=labels,
                        missing=missing,
                    )
                )
        elif answer is Answer.NUMBER:
            for code in item.answer_codes:
                out.append(Variable(_name(code, taken), item_label(qs, code, lang), code, "number"))
        elif answer in (Answer.OPTIONS, Answer.ORDER):
            chosen = answer is Answer.OPTIONS
            yes_no = {
                0: translate(N_("not chosen"), lang),
                1: translate(N_("chosen"), lang),
            }
            for choice in item.choices:
                label = f"{item_label(qs, item.code, lang)}: {labels[choice.code]}"
                if not chosen:
                    label = translate(N_("%(item)s: rank of %(option)s"), lang) % {
                        "item": item_label(qs, item.code, lang),
                        "option": labels[choice.code],
                    }
                out.append(
                    Variable(
                        _name(f"{item.code}_{choice.code}", taken),
                        label,
                        item.code,
                        "chosen" if chosen else "rank",
                        option=choice.code,
                        value_labels=yes_no if chosen else {},
                    )
                )
    return out


def _shuffle_seed(secret: str, state: ResultsState) -> int:
    digest = hmac.new(secret.encode(), f"microdata|{state.etag}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big")


def microdata_frame(
    session: Session, wave: Wave, *, lang: str, secret: str, state: ResultsState | None = None
) -> tuple[pd.DataFrame, list[Variable]]:
    """The respondents' answers (one row each) with `respondent` (1..n, shuffled) and `weight`
    (the final raking weight of the wave's figures). Raises `ResultsError` when the wave has
    responses but no weights yet (no margins, or counts under an older rule)."""
    lang = check_language(lang)
    state = state or results_state(session, wave)
    qs = question_set_of(wave.question_set_version)
    columns = variables(qs, lang)
    people = queries.respondent_cells(session, wave) if state.respondents else []
    row_of = {response: index for index, (response, _) in enumerate(people)}
    weight = np.zeros(len(people))
    if people:
        design = wave_results(session, wave, state=state).design
        per_cell = design.weights.weights
        weight = np.array([per_cell[design.cell_index[str(cell)]] for _, cell in people])
    data = {column.name: np.full(len(people), np.nan) for column in columns}
    by_code: dict[str, list[Variable]] = {}
    for column in columns:
        by_code.setdefault(column.code, []).append(column)
        if column.kind == "chosen":
            data[column.name] = np.full(len(people), np.nan)
    answered: dict[str, set[int]] = {}
    if people:
        for part in queries.respondent_answers(session, wave, list(by_code)):
            for response, code, option, number in part:
                row = row_of.get(response)
                if row is None:
                    continue
                for column in by_code[code]:
                    _fill(column, data, row, option, number, answered)
    for column in columns:  # who answered a multiple choice and left an option: 0
        if column.kind == "chosen":
            rows = np.array(sorted(answered.get(column.code, ())), dtype=np.int64)
            values = data[column.name]
            if rows.size:
                values[rows] = np.where(np.isnan(values[rows]), 0.0, values[rows])
    frame = pd.DataFrame({"respondent": np.zeros(len(people), dtype=np.int64), **data})
    frame["weight"] = weight
    order = np.random.default_rng(_shuffle_seed(secret, state)).permutation(len(people))
    frame = frame.iloc[order].reset_index(drop=True)
    frame["respondent"] = np.arange(1, len(people) + 1, dtype=np.int64)
    return frame[["respondent", "weight", *(column.name for column in columns)]], columns


def _fill(
    column: Variable,
    data: dict[str, np.ndarray],
    row: int,
    option: int | None,
    number: float | None,
    answered: dict[str, set[int]],
) -> None:
    if column.kind == "option" and option is not None:
        data[column.name][row] = option
    elif column.kind == "number" and number is not None:
        data[column.name][row] = number
    elif column.kind == "chosen":
        answered.setdefault(column.code, set()).add(row)
        if option == column.option:
            data[column.name][row] = 1
    elif column.kind == "rank" and option == column.option and number is not None:
        data[column.name][row] = number


def _labels(columns: list[Variable], lang: str) -> tuple[list[str], dict[str, dict[int, str]]]:
    names = [
        translate(N_("respondent (numbered in a random order)"), lang),
        translate(N_("weight (raking to the population margins)"), lang),
        *(column.label for column in columns),
    ]
    value_labels = {column.name: column.value_labels for column in columns if column.value_labels}
    return names, value_labels


def _write(writer: Callable[..., Any], suffix: str, frame: pd.DataFrame, **options: Any) -> bytes:
    handle, name = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    try:
        writer(frame, name, **options)
        return Path(name).read_bytes()
    finally:
        os.unlink(name)


def microdata(
    session: Session,
    wave: Wave,
    fmt: str,
    *,
    lang: str,
    secret: str,
    state: ResultsState | None = None,
) -> Download:
    """The microdata file in `fmt` (csv, sav or dta)."""
    check_format(fmt, MICRODATA_FORMATS)
    frame, columns = microdata_frame(session, wave, lang=lang, secret=secret, state=state)
    filename = f"{wave.slug}-microdata-{lang}.{fmt}"
    if fmt == "csv":
        rows = (
            {name: _plain(value) for name, value in record.items()}
            for record in frame.to_dict("records")
        )
        content = csv_bytes(list(frame.columns), rows)
        return Download(content, MEDIA_TYPES["csv"], filename)
    labels, value_labels = _labels(columns, lang)
    if fmt == "sav":
        missing = {column.name: list(column.missing) for column in columns if column.missing}
        content = _write(
            pyreadstat.write_sav,
            ".sav",
            frame,
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
        )
        return Download(content, MEDIA_TYPES["sav"], filename)
    stata = frame.copy()
    for column in columns:  # Stata attaches value labels to whole numbers only
        if column.kind != "number":
            stata[column.name] = stata[column.name].astype("Int32")
    content = _write(
        pyreadstat.write_dta,
        ".dta",
        stata,
        column_labels=[label[:80] for label in labels],
        variable_value_labels=value_labels,
    )
    return Download(content, MEDIA_TYPES["dta"], filename)


def _plain(value: Any) -> Any:
    """A whole number without ".0"; NaN as an empty cell."""
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            return int(value)
    return value
