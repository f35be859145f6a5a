"""Live figures for a running wave: progress, drop-off and how well each group is represented.

Only counts: no individual answer is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from consult.models import ResponseStatus, Wave
from consult.organizing import queries
from consult.organizing.margins import parse_margins
from consult.organizing.question_sets import question_set_of


@dataclass(frozen=True)
class GroupFill:
    """One demographic category: its share among completes against its population share."""

    variable: str
    category: str
    completes: int
    sample_share: float
    population_share: float | None

    @property
    def ratio(self) -> float | None:
        """Sample share over population share: below 1 means under-represented."""
        if not self.population_share:
            return None
        return self.sample_share / self.population_share


@dataclass(frozen=True)
class IdenticalAnswers:
    """Complete responses whose whole set of answers equals another's: a sign of one person
    sending the same answers many times (short questionnaires also repeat by chance)."""

    largest_group: int  # the most complete responses sharing one set of answers
    in_groups: int  # complete responses that share their set of answers with at least one other
    groups: int  # distinct sets of answers given by more than one complete response


def identical_answers(rows: object, completed: int) -> IdenticalAnswers:
    """Group complete responses by their full answer vector, given (response id, cell number)
    rows: each distinct answer cell gets a random 64-bit number and each response the sum of
    its cells' numbers (modulo 2**64), so equal vectors get equal sums in one NumPy pass.
    Responses without any answer share the empty vector."""
    pairs = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
    ids, cells = pairs[:, 0], pairs[:, 1]
    weights = np.random.default_rng(20261130).integers(
        0, np.iinfo(np.int64).max, size=int(cells.max(initial=0)) + 1, dtype=np.uint64
    )
    responders, position = np.unique(ids, return_inverse=True)
    sums = np.zeros(responders.size, dtype=np.uint64)
    np.add.at(sums, position, weights[cells])
    _, sizes = np.unique(sums, return_counts=True)
    empty = completed - responders.size
    if empty > 0:
        sizes = np.append(sizes, empty)
    shared = sizes[sizes > 1]
    return IdenticalAnswers(
        largest_group=int(shared.max(initial=0)),
        in_groups=int(shared.sum()),
        groups=int(shared.size),
    )


@dataclass(frozen=True)
class WaveMonitor:
    started: int
    completed: int
    median_minutes: float | None
    stopped_at_page: list[tuple[str, str, int]]  # page id, title, respondents who stopped there
    completes_per_day: list[tuple[dt.date, int]]
    fill: list[GroupFill]
    identical: IdenticalAnswers

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None


def median_from_counts(distribution: list[tuple[int, int]]) -> float | None:
    """The median of values given as sorted (value, count) pairs."""
    total = sum(count for _, count in distribution)
    if total == 0:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    seen = 0
    lower = upper = None
    for value, count in distribution:
        if lower is None and seen + count > lower_rank:
            lower = value
        if seen + count > upper_rank:
            upper = value
            break
        seen += count
    assert lower is not None and upper is not None
    return (lower + upper) / 2


def monitor_wave(session: Session, wave: Wave, lang: str = "nl") -> WaveMonitor:
    question_set = question_set_of(wave.question_set_version)
    completed = queries.response_count(session, wave, ResponseStatus.COMPLETE)
    stopped = queries.in_progress_by_last_page(session, wave)
    pages = [
        (page.id, page.title.get(lang) if page.title else page.id, stopped.get(page.id, 0))
        for page in question_set.pages
    ]
    demographics = question_set.weighting_variables()
    counts = queries.complete_answer_counts(session, wave, [item.code for item in demographics])
    margins = parse_margins(wave.margins, wave) if wave.margins else {}
    fill = []
    for item in demographics:
        for choice in item.choices:
            completes = counts[item.code].get(choice.code, 0)
            fill.append(
                GroupFill(
                    variable=item.code,
                    category=choice.label.get(lang),
                    completes=completes,
                    sample_share=completes / completed if completed else 0.0,
                    population_share=margins.get(item.code, {}).get(choice.code),
                )
            )
    return WaveMonitor(
        started=queries.response_count(session, wave),
        completed=completed,
        median_minutes=median_from_counts(queries.duration_distribution(session, wave)),
        stopped_at_page=pages,
        completes_per_day=queries.completes_per_day(session, wave),
        fill=fill,
        identical=identical_answers(queries.answer_cells_of_completes(session, wave), completed),
    )
