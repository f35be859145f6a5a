"""A wave's figures for the results pages, downloads and API: computed once per state of its
counts and kept, so a repeat visit costs a query over the weighting cells, not a computation.
Its design alone (cells and weights, for the weighting diagnostics) is kept the same way.

The state (`ResultsState`) holds everything the figures depend on: the kept counts (cells and
respondents move with every complete response), the counting plan they follow, the question-set
version, the margins and the minimum cell size. Its `etag` lets a browser or client ask again
with `If-None-Match` and get a 304.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from consult.models import Wave
from consult.results import queries, report
from consult.results.design import Mode, WaveDesign, load_design
from consult.results.report import OverviewFigures, Report
from consult.themes import codebook
from consult.themes import queries as theme_queries

Key = TypeVar("Key")
Kept = TypeVar("Kept")


@dataclass(frozen=True)
class ResultsState:
    """What a wave's figures follow; equal states give equal figures."""

    wave_id: int
    cells: int
    respondents: int
    counts_fingerprint: str | None
    version_id: int
    margins_sha: str
    min_cell_size: int
    published: bool
    codebook: str
    """The fingerprint of the consultation's themes (the open answers' figures follow it)."""
    previous: ResultsState | None
    """The state of the wave the figures are compared with (`queries.previous_wave`)."""

    @property
    def etag(self) -> str:
        text = "|".join(str(part) for part in self.__dict__.values())
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def results_state(session: Session, wave: Wave, *, compared: bool = True) -> ResultsState:
    """The wave's state, with the state of the wave it is compared with unless not `compared`."""
    cells, respondents = queries.counts_state(session, wave)
    earlier = queries.previous_wave(session, wave) if compared else None
    return ResultsState(
        wave_id=wave.id,
        cells=cells,
        respondents=respondents,
        counts_fingerprint=wave.counts_fingerprint,
        version_id=wave.question_set_version_id,
        margins_sha=hashlib.sha256((wave.margins or "").encode()).hexdigest(),
        min_cell_size=wave.min_cell_size,
        published=wave.results_published,
        codebook=codebook.fingerprint(theme_queries.themes_of(session, wave.consultation)),
        previous=results_state(session, earlier, compared=False) if earlier else None,
    )


class _Kept(Generic[Key, Kept]):
    """Values by key (a state and its variant), the least recently used dropped beyond `size`:
    a wave's overview, a few groupings and modes, for the waves being read now."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.values: OrderedDict[Key, Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Key) -> Kept | None:
        with self.lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: Key, value: Kept) -> None:
        with self.lock:
            self.values[key] = value
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


OVERVIEWS: _Kept[tuple[ResultsState, str], OverviewFigures] = _Kept(size=16)
"""Overviews by (state, mode): what the overview page shows, shared by every report."""

KEPT: _Kept[tuple[ResultsState, str | None, str], Report] = _Kept()
"""Reports by (state, grouping, mode)."""

DESIGNS: _Kept[tuple[ResultsState, str], WaveDesign] = _Kept(size=16)
"""Designs by (state, mode), without figures: a few kilobytes each."""


REPORT_FILES: _Kept[tuple[ResultsState, str, str], bytes] = _Kept(size=8)
"""The report's files by (state, format, language): a PDF takes seconds to lay out."""


def clear() -> None:
    """Forget every kept figure (tests and benchmarks start cold with it)."""
    for kept in (OVERVIEWS, KEPT, DESIGNS, REPORT_FILES):
        kept.clear()


def wave_overview(
    session: Session,
    wave: Wave,
    *,
    mode: Mode = "calibrated",
    state: ResultsState | None = None,
) -> OverviewFigures:
    """The wave's overview figures (`consult.results.report.wave_overview`), kept per state:
    the overview page needs only these, so its first visit does not wait for every item's
    figures. Raises `ResultsError` as the report does."""
    key = (state or results_state(session, wave), mode)
    overview = OVERVIEWS.get(key)
    if overview is None:
        overview = report.wave_overview(session, wave, mode)
        OVERVIEWS.put(key, overview)
    return overview


def wave_results(
    session: Session,
    wave: Wave,
    *,
    by: str | None = None,
    mode: Mode = "calibrated",
    state: ResultsState | None = None,
) -> Report:
    """The wave's report (`consult.results.report.wave_report`), from the kept reports when its
    state has not moved since it was computed; it shares the kept overview. Raises
    `ResultsError` as the report does."""
    state = state or results_state(session, wave)
    key = (state, by, mode)
    found = KEPT.get(key)
    if found is None:
        overview = wave_overview(session, wave, mode=mode, state=state)
        found = report.wave_report(session, wave, by=by, mode=mode, overview=overview)
        KEPT.put(key, found)
    return found


def wave_design(
    session: Session, wave: Wave, *, mode: Mode = "calibrated", state: ResultsState | None = None
) -> WaveDesign:
    """The wave's weighting cells and weights (`load_design`), kept per state like the reports
    (the kept overview's when there is one): the weighting diagnostics need no figure. Read no
    figures from a design loaded here (their tables would be kept with it); `wave_results` has
    them. Raises as `load_design` does."""
    state = state or results_state(session, wave)
    key = (state, mode)
    overview = OVERVIEWS.get(key)
    if overview is not None:
        return overview.design
    design = DESIGNS.get(key)
    if design is None:
        design = load_design(session, wave, mode)
        DESIGNS.put(key, design)
    return design
