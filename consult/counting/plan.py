"""The counting rule, written once: what a wave's counts hold, built from its question set.

Raking weights depend only on a respondent's weighting cell, so the analysis needs, per code,
value and cell, how many complete responses gave that answer. `CountPlan.of(question_set)` says
which values of which answer codes land in which counts; two engines carry it out and hold no
rule of their own: `one.count_response` for a single response (submit) and
`many.count_columns` for answers as arrays (import, simulation, recount). Beside the answers'
own codes, two kinds of `~` codes keep what figures on several questions need: the acceptance
summary's coarsened joint answers (`Profile`) and the batteries' sums for Cronbach's alpha
(`ScaleSums`).

The plan's `fingerprint()` is stored with a wave's counts: when the rule or the plan changes, the
fingerprint changes and the wave is recounted before its next report.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np

from analysis import Application, Coding, Condition, moment_names
from surveys.model import Item, QuestionSet
from surveys.types import Answer, question_type

MISSING = -1
"""A cell key's part for an unanswered (or not countable) weighting variable."""

ANSWERED = -1.0
"""Value of the row counting who answered a multiple-choice item."""

PROFILE_BASE = 4
"""A profile number is ``sum(state_k * PROFILE_BASE**k)`` (figures decode it two bits a state)."""

RULE = (
    "per counted code: each answer's option (or number) once; ranking: the rank (number) under "
    "CODE.OPTION; multiple choice: also one row at ANSWERED per response that ticked anything. "
    "A response's option under a code is the largest it gave. Profile state: 0 unanswered, "
    "1 answered in no group, 2 + j in group j; a response answering none is not counted. Scale "
    "sums: over responses answering every row with an option not excluded, one row per moment "
    "for every cell with such a response (zero sums too). Cell key: demographic parts joined by "
    "'|', MISSING when unanswered or not countable; a whole number counts as its rounded value."
)
"""What the engines do with a plan, in words: part of the fingerprint, so changing how they
count (and saying so here) recounts every wave."""


def parse_cell_key(key: str) -> list[int]:
    return [int(part) for part in key.split("|")] if key else []


def applications_of(question_set: QuestionSet) -> list[Application]:
    """The summary's descriptors: the applications the set's vocabulary declares, in its order,
    with the items that play each analysis role for them."""
    found: dict[str, dict[str, Any]] = {
        term.code: {"domain": term.domain, "conditions": [], "acceptance": None}
        for term in question_set.vocabulary.applications
    }
    for item in question_set.all_items():
        entry = found.get(item.application or "")
        if entry is None:
            continue
        if item.role == "acceptance":
            entry["acceptance"] = item.code
        elif item.role == "conditional_acceptance":
            entry["conditional"] = item.code
        elif item.role == "condition" and item.rows:
            entry["conditions"] += [
                Condition(row.condition or row.code, row.code) for row in item.rows
            ]
        elif item.role == "condition":
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


def coding_of(question_set: QuestionSet) -> Coding:
    """How the summary reads the set's scales: the options of its acceptance and condition
    questions and which of them count as accepting, don't know and necessary, as the set's
    vocabulary declares (the loader makes sure every question of a role reads them alike)."""
    coding = Coding()
    for item in question_set.all_items():
        scale = question_set.vocabulary.scale(item.choice_list)
        if scale is None:
            continue
        options = tuple(choice.code for choice in item.choices)
        if item.role in ("acceptance", "conditional_acceptance"):
            coding = replace(
                coding,
                acceptance_options=options,
                accept=scale.accepting,
                dont_know=scale.dont_know,
            )
        elif item.role == "condition":
            coding = replace(coding, condition_options=options, necessary=scale.necessary)
    return coding


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


MAX_PROFILE_ITEMS = 26
"""4**26 < 2**53: a profile number stays exact in the counts' float value column."""


def summary_profiles(question_set: QuestionSet) -> list[Profile]:
    """The profiles the acceptance summary reads: per application its conditions; per domain
    its acceptance (with conditional acceptance) and each condition across applications.
    Profiles of more than `MAX_PROFILE_ITEMS` questions are not kept: the summary then groups
    those joint answers from the answers themselves, which is exact but slow."""
    applications = applications_of(question_set)
    coding = coding_of(question_set)
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
            groups.append((coding.accept, coding.dont_know))
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

    @property
    def moments(self) -> list[tuple[int, ...]]:
        """Value m holds the sum of the product of the rows `moments[m]` (() counts)."""
        return moment_names(len(self.rows))


def scale_sums(question_set: QuestionSet) -> list[ScaleSums]:
    """One `ScaleSums` per battery (an option per row) with at least two rows."""
    return [
        ScaleSums(
            _profile_code("scale", item.code),
            item.code,
            tuple(row.code for row in item.rows),
            tuple(choice.code for choice in item.choices if choice.missing),
        )
        for item in question_set.all_items()
        if _is_scale(item) and len(item.rows) >= 2
    ]


def _is_scale(item: Item) -> bool:
    kind = question_type(item)
    return kind.per_row and kind.answer is Answer.OPTION


def _profile_code(*parts: str) -> str:
    """'~' and the parts joined by ':' (no answer code starts with '~'), shortened to fit."""
    code = "~" + ":".join(parts)
    return (
        code if len(code) <= 48 else code[:39] + "~" + hashlib.sha256(code.encode()).hexdigest()[:8]
    )


ValueColumn = Literal["option", "number"]


@dataclass(frozen=True)
class Counted:
    """How the answers under one code are counted: the value each answer adds a count at."""

    code: str
    value: ValueColumn
    """The answer's column that is the counted value: option codes, or numbers."""
    answered: bool = False
    """Multiple choice: also one count at `ANSWERED` per response that ticked anything."""
    ranks: tuple[tuple[int, str], ...] = ()
    """Ranking: option -> the code its rank (the number) is counted under; other options are
    not counted."""


@dataclass(frozen=True)
class Demographic:
    """One part of the cell key: the answer under `code`, or MISSING. `value` None: the item's
    answers cannot be a cell (a multiple choice, a battery, a text or a decimal number)."""

    code: str
    value: ValueColumn | None


COUNTED_ANSWERS: dict[Answer, ValueColumn] = {
    Answer.OPTION: "option",
    Answer.OPTIONS: "option",
    Answer.ORDER: "number",
    Answer.NUMBER: "number",
}
"""Answers with counts (by what the item's type says an answer is), and the column their value
is in: options (one or several), ranks of an order, numbers; texts and info have none."""


def counted_value(item: Item) -> ValueColumn | None:
    """The column an item's counts are kept at, or None when it has no counts (and no figures)."""
    return COUNTED_ANSWERS.get(question_type(item).answer)


@dataclass(frozen=True)
class CountPlan:
    """Everything a wave's counts hold, as data: the engines read nothing else."""

    demographics: tuple[Demographic, ...]
    codes: tuple[Counted, ...]
    profiles: tuple[Profile, ...]
    scales: tuple[ScaleSums, ...]

    @classmethod
    def of(cls, question_set: QuestionSet) -> CountPlan:
        codes = []
        for item in question_set.all_items():
            value = counted_value(item)
            if value is None:
                continue
            answer = question_type(item).answer
            for code in item.answer_codes:
                codes.append(
                    Counted(
                        code,
                        value,
                        answered=answer is Answer.OPTIONS,
                        ranks=tuple((c.code, f"{code}.{c.code}") for c in item.choices)
                        if answer is Answer.ORDER
                        else (),
                    )
                )
        return cls(
            demographics=tuple(
                Demographic(item.code, _key_column(item))
                for item in question_set.weighting_variables()
            ),
            codes=tuple(codes),
            profiles=tuple(summary_profiles(question_set)),
            scales=tuple(scale_sums(question_set)),
        )

    def describe(self) -> dict[str, Any]:
        """A canonical, JSON-ready description of the rule and the plan (the fingerprinted
        text): every constant and choice the engines act on."""
        return {
            "rule": RULE,
            "missing": MISSING,
            "answered": ANSWERED,
            "profile_base": PROFILE_BASE,
            "demographics": [[d.code, d.value] for d in self.demographics],
            "codes": [
                [c.code, c.value, c.answered, [list(rank) for rank in c.ranks]] for c in self.codes
            ],
            "profiles": [
                [p.code, list(p.items), [[list(g) for g in groups] for groups in p.groups]]
                for p in self.profiles
            ],
            "scales": [
                [s.code, list(s.rows), list(s.excluded), [list(m) for m in s.moments]]
                for s in self.scales
            ],
        }

    def fingerprint(self) -> str:
        """sha256 of `describe()`: stored with a wave's counts; any change recounts the wave."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        text = json.dumps(self.describe(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @cached_property
    def counted(self) -> dict[str, Counted]:
        """The counted codes by code."""
        return {counted.code: counted for counted in self.codes}

    @cached_property
    def rank_names(self) -> dict[tuple[str, int], str]:
        """(ranking code, option) -> the code its rank is counted under."""
        return {(c.code, option): name for c in self.codes for option, name in c.ranks}

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Every code a count can be kept under, in plan order: answer codes, rank codes,
        profiles, scales (`many.Counts.code` indexes this)."""
        names = [c.code for c in self.codes if not c.ranks]
        names += [name for c in self.codes for _, name in c.ranks]
        names += [p.code for p in self.profiles] + [s.code for s in self.scales]
        return tuple(names)

    @cached_property
    def optioned(self) -> tuple[str, ...]:
        """The codes whose option (per response: the largest) profiles and scales read."""
        used = [code for p in self.profiles for code in p.items]
        used += [code for s in self.scales for code in s.rows]
        return tuple(dict.fromkeys(used))


_PLANS: dict[tuple[str, int], CountPlan] = {}


def plan_of(question_set: QuestionSet) -> CountPlan:
    """The plan of a question set, built once per process (a submit needs it every time).
    A set is known by its checksum (of its source); the profile limit is part of the key."""
    key = (question_set.checksum, MAX_PROFILE_ITEMS)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= 64:
            _PLANS.clear()
        plan = _PLANS[key] = CountPlan.of(question_set)
    return plan


def _key_column(item: Item) -> ValueColumn | None:
    """Which answer of a weighting item is its part of the cell key (as `cell_key` reads it):
    one option under its own code, or a whole number."""
    kind = question_type(item)
    if kind.answer is Answer.OPTION and not kind.per_row:
        return "option"
    if kind.answer is Answer.NUMBER and item.integer:
        return "number"
    return None


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
