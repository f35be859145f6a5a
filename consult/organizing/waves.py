"""Running a wave: creating, opening, closing and publishing it, and its question-set version."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult.counting.plan import plan_of
from consult.counting.queries import answers_purged
from consult.messages import N_, ExplainedError
from consult.models import Consultation, QuestionSetVersion, Wave, WaveMode, WaveStatus
from consult.organizing import queries

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")

DEFAULT_MIN_CELL_SIZE = 10
MIN_CELL_SIZE, MAX_CELL_SIZE = 3, 1000
"""Bounds of a wave's minimum cell size. Below 3 nothing is protected: in a group of one or two,
a respondent who sees the group's figures can work out the others' answers (the threshold rule
of statistical offices starts at 3)."""
CELL_SIZE_RANGE = N_(
    "The minimum cell size is a whole number from %(low)s to %(high)s. Fewer than %(low)s "
    "protects nobody: in a group of one or two, a respondent can work out the other's answers "
    "from the figures."
)


class WaveError(ExplainedError):
    """A wave action that cannot be done; the message says why in plain words."""


@dataclass(frozen=True)
class WaveSettings:
    slug: str
    version: QuestionSetVersion
    mode: WaveMode
    opens_on: dt.date | None
    closes_on: dt.date | None
    min_cell_size: int


def create_wave(session: Session, consultation: Consultation, settings: WaveSettings) -> Wave:
    if not SLUG.match(settings.slug):
        raise WaveError(
            N_("A wave name uses 3 to 64 lower-case letters, digits and dashes, e.g. biotech-2027.")
        )
    if queries.wave_by_slug(session, settings.slug) is not None:
        raise WaveError(N_("There is already a wave called %(wave)s."), wave=settings.slug)
    if settings.version.consultation_id != consultation.id:
        raise WaveError(N_("That question-set version belongs to another consultation."))
    _check_dates(settings.opens_on, settings.closes_on)
    check_min_cell_size(settings.min_cell_size)
    wave = Wave(
        slug=settings.slug,
        consultation=consultation,
        question_set_version=settings.version,
        status=WaveStatus.DRAFT,
        mode=settings.mode,
        opens_on=settings.opens_on,
        closes_on=settings.closes_on,
        min_cell_size=settings.min_cell_size,
        results_published=False,
        # No counts yet: they follow today's rule from the first response on.
        counts_fingerprint=_counts_fingerprint(settings.version),
    )
    session.add(wave)
    session.flush()
    return wave


def check_min_cell_size(value: int) -> None:
    if not MIN_CELL_SIZE <= value <= MAX_CELL_SIZE:
        raise WaveError(CELL_SIZE_RANGE, low=MIN_CELL_SIZE, high=MAX_CELL_SIZE)


def set_min_cell_size(wave: Wave, value: int) -> int:
    """Change the smallest group a published figure may rest on; returns the old value. The
    results follow at once: the minimum is part of their state (`results.service`)."""
    check_min_cell_size(value)
    old = wave.min_cell_size
    wave.min_cell_size = value
    return old


def _counts_fingerprint(version: QuestionSetVersion) -> str:
    """The counting plan's fingerprint for a wave on `version` (see `counting.plan`)."""
    # question_sets uses this module: imported here, not at the top.
    from consult.organizing.question_sets import question_set_of

    return plan_of(question_set_of(version)).fingerprint()


def _check_dates(opens_on: dt.date | None, closes_on: dt.date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise WaveError(N_("The closing date is before the opening date."))


def change_version(session: Session, wave: Wave, version: QuestionSetVersion) -> None:
    """Point a wave at another version, only while nobody has answered it."""
    if version.consultation_id != wave.consultation_id:
        raise WaveError(N_("That question-set version belongs to another consultation."))
    # A purged wave's responses are gone, but its counts still follow its version.
    if queries.response_count(session, wave) > 0 or answers_purged(session, wave):
        raise WaveError(
            N_("Wave %(wave)s already has responses; its question set can no longer change."),
            wave=wave.slug,
        )
    wave.question_set_version = version
    wave.counts_fingerprint = _counts_fingerprint(version)
    session.flush()


def open_wave(wave: Wave, today: dt.date) -> None:
    if wave.closes_on is not None and wave.closes_on < today:
        raise WaveError(
            N_("The closing date %(date)s has passed; change it first."), date=wave.closes_on
        )
    wave.status = WaveStatus.OPEN


def close_wave(wave: Wave) -> None:
    wave.status = WaveStatus.CLOSED


def close_expired_waves(session: Session, today: dt.date) -> list[Wave]:
    """Mark open waves whose closing date has passed as closed (they already refuse answers)."""
    expired = [
        wave
        for wave in queries.waves_with_status(session, WaveStatus.OPEN)
        if wave.closes_on is not None and wave.closes_on < today
    ]
    for wave in expired:
        wave.status = WaveStatus.CLOSED
    session.flush()
    return expired


def set_published(wave: Wave, published: bool) -> None:
    wave.results_published = published
