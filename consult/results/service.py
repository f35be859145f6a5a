"""A wave's figures for the results pages, downloads and API: computed once per state of its
counts and kept, so a repeat visit costs a query over the weighting cells, not a computation.

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

from sqlalchemy.orm import Session

from consult.models import Wave
from consult.results import queries, report
from consult.results.design import Mode
from consult.results.report import OverviewFigures, Report


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

    @property
    def etag(self) -> str:
        text = "|".join(str(part) for part in self.__dict__.values())
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def results_state(session: Session, wave: Wave) -> ResultsState:
    cells, respondents = queries.counts_state(session, wave)
    return ResultsState(
        wave_id=wave.id,
        cells=cells,
        respondents=respondents,
        counts_fingerprint=wave.counts_fingerprint,
        version_id=wave.question_set_version_id,
        margins_sha=hashlib.sha256((wave.margins or "").encode()).hexdigest(),
        min_cell_size=wave.min_cell_size,
    )


_Key = tuple[ResultsState, str, str | None, str]
"""(state, what: "overview" or "report", grouping, mode)"""


class _Kept:
    """Overviews and reports by state, grouping and mode, the least recently used dropped beyond
    `size`: a wave's overview and a few groupings and modes, for the waves being read now."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.reports: OrderedDict[_Key, OverviewFigures | Report] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: _Key) -> OverviewFigures | Report | None:
        with self.lock:
            found = self.reports.get(key)
            if found is not None:
                self.reports.move_to_end(key)
            return found

    def put(self, key: _Key, figures: OverviewFigures | Report) -> None:
        with self.lock:
            self.reports[key] = figures
            self.reports.move_to_end(key)
            while len(self.reports) > self.size:
                self.reports.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.reports.clear()


KEPT = _Kept()


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
    key: _Key = (state or results_state(session, wave), "overview", None, mode)
    overview = KEPT.get(key)
    if not isinstance(overview, OverviewFigures):
        overview = report.wave_overview(session, wave, mode)
        KEPT.put(key, overview)
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
    key: _Key = (state, "report", by, mode)
    found = KEPT.get(key)
    if isinstance(found, Report):
        return found
    overview = wave_overview(session, wave, mode=mode, state=state)
    made = report.wave_report(session, wave, by=by, mode=mode, overview=overview)
    KEPT.put(key, made)
    return made
