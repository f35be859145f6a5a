"""Live figures for a running wave: progress, drop-off and how well each group is represented.

Only counts: no individual answer is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


def identical_answers(groups_by_size: dict[int, int], completed: int) -> IdenticalAnswers:
    """From how many groups of complete responses with equal answers there are of each size
    (counted in SQL over the responses with any answer) and the number of complete responses:
    those without any answer share the empty set."""
    sizes = {size: count for size, count in groups_by_size.items() if size > 1}
    empty = completed - sum(size * count for size, count in groups_by_size.items())
    if empty > 1:
        sizes[empty] = sizes.get(empty, 0) + 1
    return IdenticalAnswers(
        largest_group=max(sizes, default=0),
        in_groups=sum(size * count for size, count in sizes.items()),
        groups=sum(sizes.values()),
    )


@dataclass(frozen=True)
class WaveMonitor:
    started: int
    completed: int
    median_minutes: float | None
    stopped_at_page: list[tuple[str, str, int]]  # page id, title, respondents who stopped there
    completes_per_day: list[tuple[dt.date, int]]
    fill: list[GroupFill]

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
    )


def identical_in_wave(session: Session, wave: Wave) -> IdenticalAnswers:
    """The complete responses of `wave` that share their full set of answers (one pass over the
    wave's answers in SQL: seconds on a large wave, so on a page of its own)."""
    completed = queries.response_count(session, wave, ResponseStatus.COMPLETE)
    return identical_answers(queries.identical_answer_groups(session, wave), completed)
