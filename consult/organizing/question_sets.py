"""Storing question sets as immutable versions, and opening the waves that use them."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult.messages import N_
from consult.models import (
    Consultation,
    QuestionSetVersion,
    Wave,
    WaveMode,
    WaveStatus,
)
from consult.organizing import queries
from consult.organizing.waves import (
    DEFAULT_MIN_CELL_SIZE,
    WaveError,
    WaveSettings,
    change_version,
    create_wave,
)
from consult.uploads import UploadBudget, read_within
from surveys.files import load_upload
from surveys.loader import load_question_set
from surveys.model import QuestionSet


@dataclass(frozen=True)
class StoredVersion:
    version: QuestionSetVersion
    created: bool


@dataclass(frozen=True)
class LoadResult:
    version: QuestionSetVersion
    wave: Wave
    version_created: bool


#: Parsed question sets by checksum: a version never changes, so its checksum names its parse.
_PARSED: dict[str, QuestionSet] = {}
_PARSED_KEPT = 64
_PARSING = threading.Lock()


def question_set_of(version: QuestionSetVersion) -> QuestionSet:
    """The parsed question set of a stored version: parsed once per process, then kept.

    Every citizen's page needs it. Parsing the shipped set takes a good part of a second of CPU,
    and its source is tens of kilobytes: the source (a deferred column) is read from the database
    only the first time, and only one thread parses it while the others wait for that parse.
    """
    parsed = _PARSED.get(version.checksum)
    if parsed is not None:
        return parsed
    with _PARSING:
        parsed = _PARSED.get(version.checksum)
        if parsed is None:
            parsed = load_question_set(version.source, filename=f"version {version.checksum[:8]}")
            if len(_PARSED) >= _PARSED_KEPT:
                del _PARSED[next(iter(_PARSED))]
            _PARSED[version.checksum] = parsed
    return parsed


def parse_open_question_sets(session: Session) -> int:
    """Parse the question sets of the open waves now (a server process starting), so the first
    citizens do not wait for it; returns how many."""
    versions = queries.versions_of_open_waves(session)
    for version in versions:
        question_set_of(version)
    return len(versions)


def parse_upload(filename: str, data: bytes, budget: UploadBudget | None = None) -> QuestionSet:
    """Read an uploaded YAML or XLSForm file, within `budget` (`consult.uploads`); every problem
    is raised at once."""
    # An XLSForm's source is the equivalent YAML, the one format versions are stored in.
    return read_within(budget, load_upload, filename, data)


def store_question_set(
    session: Session, question_set: QuestionSet, today: dt.date
) -> StoredVersion:
    """Store `question_set` as a new version of its consultation, unless identical to one."""
    consultation = queries.consultation_by_slug(session, question_set.consultation_slug)
    if consultation is None:
        consultation = Consultation(slug=question_set.consultation_slug, title_nl="")
        session.add(consultation)
    consultation.title_nl = question_set.consultation_title.get("nl")
    consultation.title_en = question_set.consultation_title.get("en")
    session.flush()

    version = queries.version_by_checksum(session, consultation, question_set.checksum)
    if version is not None:
        return StoredVersion(version, created=False)
    version = QuestionSetVersion(
        consultation=consultation,
        number=queries.next_version_number(session, consultation),
        label=question_set.version_label,
        source=question_set.source,
        checksum=question_set.checksum,
        created_on=today,
    )
    session.add(version)
    session.flush()
    return StoredVersion(version, created=True)


def load_into_store(
    session: Session, question_set: QuestionSet, *, open_wave: bool, today: dt.date
) -> LoadResult:
    """Store `question_set` as a version (unless already stored) and point its wave at it.

    Loading the same file twice changes nothing, so `make run` can load on every start.
    """
    stored = store_question_set(session, question_set, today)
    version, created, consultation = stored.version, stored.created, stored.version.consultation

    wave = queries.wave_by_slug(session, question_set.wave)
    if wave is None:
        wave = create_wave(
            session,
            consultation,
            WaveSettings(
                question_set.wave,
                version,
                WaveMode.OPEN,
                None,
                None,
                min_cell_size=DEFAULT_MIN_CELL_SIZE,
            ),
        )
    elif wave.question_set_version_id != version.id:
        if wave.consultation_id != consultation.id:
            raise WaveError(N_("Wave %(wave)s belongs to another consultation."), wave=wave.slug)
        change_version(session, wave, version)
    if open_wave and wave.status != WaveStatus.OPEN:
        wave.status = WaveStatus.OPEN
    session.flush()
    return LoadResult(version=version, wave=wave, version_created=created)
