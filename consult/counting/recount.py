"""A wave recounted from its stored answers: streamed in chunks through the NumPy engine.

The answers of the wave's complete responses are read a chunk of responses at a time (in
response order, so memory stays flat at a million responses), counted by `many.count_columns`
as the plan says, added up, and written in place of the wave's counts. Each response counts in
the cell stored with it (`Response.cell`), as when it completed.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from consult.counting import queries
from consult.counting.many import AnswerColumns, Tally, count_sliced
from consult.counting.plan import CountPlan
from consult.models import Wave
from consult.progress import SILENT, Progress, stage

CHUNK = 10_000
"""Responses counted at once: about 600,000 answers, some 100 MB of arrays while counted."""


def recount_wave(
    session: Session,
    wave: Wave,
    plan: CountPlan,
    chunk: int = CHUNK,
    progress: Progress = SILENT,
) -> int:
    """Replace the wave's counts by a fresh count of its complete responses; returns the
    number of count rows. Marks the counts as following `plan` (its fingerprint)."""
    ids, cells = queries.complete_responses(session, wave)
    distinct, inverse = np.unique(np.array(cells, dtype=object), return_inverse=True)
    keys = [str(key) for key in distinct]
    cell_of = inverse.reshape(-1).astype(np.int64)
    codes = [counted.code for counted in plan.codes]
    tally = Tally()
    with stage(progress, f"recount {wave.slug}", len(ids), "responses"):
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            response, code, option, number = queries.answer_arrays(
                session, wave, int(part[0]), int(part[-1]), codes
            )
            order = np.argsort(response, kind="stable")
            columns = AnswerColumns(
                tuple(codes), np.searchsorted(part, response), code, option, number
            ).take(order)
            count_sliced(plan, columns, cell_of[start : start + chunk], tally)
            progress.advance(len(part))
    total = tally.total()
    respondents = np.bincount(cell_of, minlength=len(keys))
    with stage(progress, "write counts", None):
        queries.replace_counts(
            session,
            wave,
            {key: int(n) for key, n in zip(keys, respondents.tolist(), strict=True) if n},
            keys,
            plan.names,
            total,
        )
    wave.counts_fingerprint = plan.fingerprint()
    session.flush()
    return len(total)
