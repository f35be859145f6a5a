"""Retention: after its retention period a closed wave's respondent-level data is deleted.

What goes: every response and answer of the wave and its invitation codes. What stays: the
wave, its settings and margins, and its counts (weighting cells and answer counts), from which
every published figure is computed; so the results pages, downloads of estimates and the API
show the same figures after a purge. What can no longer be made: respondent-level downloads,
reports by a question that is not a weighting variable, and a recount.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from consult.messages import N_
from consult.models import Wave, WaveStatus
from consult.organizing import queries
from consult.organizing.waves import WaveError


@dataclass(frozen=True)
class Purged:
    answers: int
    responses: int
    invitations: int


def purge_wave(session: Session, wave: Wave) -> Purged:
    """Delete the respondent-level data of a closed wave; an open or draft wave is refused."""
    if wave.status != WaveStatus.CLOSED:
        raise WaveError(N_("Only a closed wave can be purged; close it first."))
    answers, responses, invitations = queries.delete_respondent_data(session, wave)
    session.flush()
    return Purged(answers, responses, invitations)
