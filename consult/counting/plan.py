"""Counts for the analysis, kept up to date as responses complete.

Raking weights depend only on a respondent's weighting cell, so the analysis needs, per code,
value and cell, how many complete responses gave that answer. Those counts are added when a
response completes (about a hundred upserts in the same transaction), and can be rebuilt from
the answers with grouped statements. Beside the answers' own codes, two kinds of `~` codes keep
what figures on several questions need: the acceptance summary's coarsened joint answers
(`Profile`) and the batteries' sums for Cronbach's alpha (`ScaleSums`).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis import Application, Coding, Condition, moment_names
from surveys.model import AnswerCell, Item, QuestionSet, Value

MISSING = -1


ANSWERED = -1.0  # value of the row counting who answered a multiple-choice item


def demographic_items(question_set: QuestionSet) -> list[Item]:
    """The weighting variables, in the question set's order (the order of a cell key)."""
    return [item for item in question_set.all_items() if item.role == "demographic"]


def cell_key(question_set: QuestionSet, answers: Mapping[str, Value]) -> str:
    """The cell of a respondent: demographic option codes joined by '|', -1 when unanswered."""
    codes = []
    for item in demographic_items(question_set):
        value = answers.get(item.code)
        codes.append(str(value) if isinstance(value, int) else str(MISSING))
    return "|".join(codes)


def parse_cell_key(key: str) -> list[int]:
    return [int(part) for part in key.split("|")] if key else []


def applications_of(question_set: QuestionSet) -> list[Application]:
    """The summary's descriptors, from the items' analysis roles."""
    found: dict[str, dict[str, Any]] = {}
    for item in question_set.all_items():
        if item.application is None or item.role not in (
            "acceptance",
            "conditional_acceptance",
            "condition",
        ):
            continue
        entry = found.setdefault(
            item.application, {"domain": item.domain, "conditions": [], "acceptance": None}
        )
        if item.role == "acceptance":
            entry["acceptance"] = item.code
        elif item.role == "conditional_acceptance":
            entry["conditional"] = item.code
        elif item.rows:
            entry["conditions"] += [
                Condition(row.condition or row.code, row.code) for row in item.rows
            ]
        else:
            entry["conditions"].append(Condition(item.condition or item.code, item.code))
    return [
        Application(
            id=application,
            domain=str(entry["domain"]),
            acceptance=entry["acceptance"],
            conditional=entry.get("conditional"),
            conditions=tuple(entry["conditions"]),
        )
        for application, entry in found.items()
        if entry["acceptance"]
    ]


@dataclass(frozen=True)
class Profile:
    """Joint answers to several choice questions, kept as counts under one code.

    The acceptance summary compares and averages shares across questions answered by the same
    respondents, which needs their joint answers per weighting cell. It only ever asks whether an
    answer falls in one of a few groups of codes (acceptable, don't know, necessary), so each
    question is coarsened to a state: 0 unanswered, 1 answered in no group, 2 + j in group j. A
    respondent's states form one number, ``sum(state_k * 4**k)``, counted like an answer code.
    A respondent who answered none of the questions is not counted.
    """

    code: str
    items: tuple[str, ...]
    groups: tuple[tuple[tuple[int, ...], ...], ...]
    """Per item, the groups of option codes told apart (at most two)."""

    def values(self, option_of: Callable[[str], np.ndarray]) -> np.ndarray:
        """Each respondent's profile number (0: answered none), from option arrays (-1: none)."""
        value: np.ndarray | None = None
        for position, (item, groups) in enumerate(zip(self.items, self.groups, strict=True)):
            options = option_of(item)
            state = np.where(options >= 0, 1, 0)
            for index, codes in enumerate(groups):
                state = np.where(np.isin(options, codes), 2 + index, state)
            value = state * 4**position if value is None else value + state * 4**position
        assert value is not None
        return value

    def value_of(self, options: Mapping[str, int]) -> int:
        """One respondent's profile number (as `values`), from its option per code."""
        value = 0
        for position, (item, groups) in enumerate(zip(self.items, self.groups, strict=True)):
            option = options.get(item)
            if option is None:
                continue
            state = next((2 + j for j, codes in enumerate(groups) if option in codes), 1)
            value += state * 4**position
        return value


MAX_PROFILE_ITEMS = 26
"""4**26 < 2**53: a profile number stays exact in the counts' float value column."""


def summary_profiles(question_set: QuestionSet, coding: Coding = Coding()) -> list[Profile]:  # noqa: B008
    """The profiles the acceptance summary reads: per application its conditions; per domain
    its acceptance (with conditional acceptance) and each condition across applications.
    Profiles of more than `MAX_PROFILE_ITEMS` questions are not kept: the summary then groups
    those joint answers from the answers themselves, which is exact but slow."""
    applications = applications_of(question_set)
    profiles = []
    for application in applications:
        if len(application.conditions) > 1:
            rows = tuple(condition.item for condition in application.conditions)
            profiles.append(
                Profile(
                    _profile_code("app", application.id), rows, ((coding.necessary,),) * len(rows)
                )
            )
    for domain in dict.fromkeys(application.domain for application in applications):
        members = [application for application in applications if application.domain == domain]
        items: list[str] = []
        groups: list[tuple[tuple[int, ...], ...]] = []
        for application in members:
            items.append(application.acceptance)
            groups.append((coding.accept, (coding.dont_know,)))
            if application.conditional:
                items.append(application.conditional)
                groups.append((coding.accept,))
        profiles.append(Profile(_profile_code("domain", domain), tuple(items), tuple(groups)))
        names = dict.fromkeys(c.name for a in members for c in a.conditions)
        for name in names:
            rows = tuple(c.item for a in members for c in a.conditions if c.name == name)
            if len(rows) > 1:
                profiles.append(
                    Profile(
                        _profile_code("domain", domain, name),
                        rows,
                        ((coding.necessary,),) * len(rows),
                    )
                )
    return [profile for profile in profiles if len(profile.items) <= MAX_PROFILE_ITEMS]


@dataclass(frozen=True)
class ScaleSums:
    """What Cronbach's alpha needs of a battery, kept as counts under one code: for value m the
    m-th of `analysis.moment_names` (respondents, each row's sum, each product's sum) summed over
    the cell's respondents who answered every row with a substantive code."""

    code: str
    item: str
    rows: tuple[str, ...]
    excluded: tuple[int, ...]
    """Codes that are not on the scale (don't know, refused)."""

    def sums(self, option_of: Callable[[str], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Which respondents count (answered every row on the scale), and their moments."""
        answers = np.column_stack([option_of(row) for row in self.rows])
        complete = np.all(answers >= 0, axis=1) & ~np.any(np.isin(answers, self.excluded), axis=1)
        moments = np.column_stack(
            [np.prod(answers[:, list(name)], axis=1) for name in moment_names(len(self.rows))]
        )
        return complete, moments

    def sums_of(self, options: Mapping[str, int]) -> list[int] | None:
        """One respondent's moments (as `sums`), or None when it does not count."""
        answers = [options.get(row, -1) for row in self.rows]
        if any(answer < 0 or answer in self.excluded for answer in answers):
            return None
        return [math.prod(answers[j] for j in name) for name in moment_names(len(answers))]


def scale_sums(question_set: QuestionSet) -> list[ScaleSums]:
    """One `ScaleSums` per battery with at least two rows."""
    return [
        ScaleSums(
            _profile_code("scale", item.code),
            item.code,
            tuple(row.code for row in item.rows),
            tuple(choice.code for choice in item.choices if choice.missing),
        )
        for item in question_set.all_items()
        if item.type == "battery" and len(item.rows) >= 2
    ]


def _profile_code(*parts: str) -> str:
    """'~' and the parts joined by ':' (no answer code starts with '~'), shortened to fit."""
    code = "~" + ":".join(parts)
    return (
        code if len(code) <= 48 else code[:39] + "~" + hashlib.sha256(code.encode()).hexdigest()[:8]
    )


def counted_values(
    question_set: QuestionSet, cells: Iterable[AnswerCell]
) -> Counter[tuple[str, float]]:
    """What one response adds to the counts, per (code, value): its answers (not texts), and
    its profiles and scale sums."""
    cells = list(cells)
    counted: Counter[tuple[str, float]] = Counter()
    answered_multiple: set[str] = set()
    for cell in cells:
        if not question_set.has_answer_code(cell.code):
            continue
        item = question_set.owner_of(cell.code)
        if item.type == "ranking" and cell.option is not None and cell.number is not None:
            counted[(f"{cell.code}.{cell.option}", float(cell.number))] += 1
        elif cell.option is not None:
            counted[(cell.code, float(cell.option))] += 1
            if item.type == "multiple":
                answered_multiple.add(cell.code)
        elif cell.number is not None:
            counted[(cell.code, float(cell.number))] += 1
    for code in answered_multiple:
        counted[(code, ANSWERED)] += 1
    options = {cell.code: cell.option for cell in cells if cell.option is not None}
    for profile in summary_profiles(question_set):
        value = profile.value_of(options)
        if value:
            counted[(profile.code, float(value))] += 1
    for scale in scale_sums(question_set):
        sums = scale.sums_of(options)
        for m, total in enumerate(sums or ()):
            counted[(scale.code, float(m))] += total
    return counted


def unique_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of integer columns (values >= -1), their inverse and counts.

    The columns are packed into one int64 key first: numpy's row-wise unique sorts rows as
    byte strings and is many times slower.
    """
    shifted = [np.asarray(column, dtype=np.int64) + 1 for column in columns]
    sizes = [int(column.max()) + 1 if column.size else 1 for column in shifted]
    if sum(size.bit_length() for size in sizes) > 63:
        stacked = np.column_stack(shifted)
        unique, inverse, counts = np.unique(
            stacked, axis=0, return_inverse=True, return_counts=True
        )
        return unique - 1, inverse.reshape(-1), counts
    key = np.zeros(len(shifted[0]), dtype=np.int64)
    for column, size in zip(shifted, sizes, strict=True):
        key = key * size + column
    unique_keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    parts = []
    for size in reversed(sizes):
        unique_keys, part = np.divmod(unique_keys, size)
        parts.append(part)
    return np.column_stack(parts[::-1]) - 1, inverse.reshape(-1), counts
