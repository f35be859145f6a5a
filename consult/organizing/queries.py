"""Queries of consultations, question-set versions, waves, invitations and live monitoring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import (
    String,
    cast,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, joinedload, undefer

from consult.counting.queries import complete_responses_of
from consult.models import (
    Answer,
    Consultation,
    Invitation,
    InvitationStatus,
    QuestionSetVersion,
    Response,
    ResponseStatus,
    Wave,
    WaveStatus,
)


def consultation_by_slug(session: Session, slug: str) -> Consultation | None:
    return session.scalar(select(Consultation).where(Consultation.slug == slug))


def version_by_checksum(
    session: Session, consultation: Consultation, checksum: str
) -> QuestionSetVersion | None:
    return session.scalar(
        select(QuestionSetVersion).where(
            QuestionSetVersion.consultation_id == consultation.id,
            QuestionSetVersion.checksum == checksum,
        )
    )


def next_version_number(session: Session, consultation: Consultation) -> int:
    highest = session.scalar(
        select(func.max(QuestionSetVersion.number)).where(
            QuestionSetVersion.consultation_id == consultation.id
        )
    )
    return (highest or 0) + 1


def wave_by_slug(session: Session, slug: str) -> Wave | None:
    """The wave with its question set version (without the source), in one query: every
    citizen's page needs both."""
    return session.scalar(
        select(Wave).where(Wave.slug == slug).options(joinedload(Wave.question_set_version))
    )


def versions_of_open_waves(session: Session) -> list[QuestionSetVersion]:
    return list(
        session.scalars(
            select(QuestionSetVersion)
            .where(
                QuestionSetVersion.id.in_(
                    select(Wave.question_set_version_id).where(Wave.status == WaveStatus.OPEN)
                )
            )
            .options(undefer(QuestionSetVersion.source))
        )
    )


def response_count(session: Session, wave: Wave, status: ResponseStatus | None = None) -> int:
    query = select(func.count(Response.id)).where(Response.wave_id == wave.id)
    if status is not None:
        query = query.where(Response.status == status)
    return session.scalar(query) or 0


def all_consultations(session: Session) -> list[Consultation]:
    return list(session.scalars(select(Consultation).order_by(Consultation.slug)))


def version_by_number(
    session: Session, consultation: Consultation, number: int
) -> QuestionSetVersion | None:
    return session.scalar(
        select(QuestionSetVersion).where(
            QuestionSetVersion.consultation_id == consultation.id,
            QuestionSetVersion.number == number,
        )
    )


def versions_with_responses(session: Session, consultation: Consultation) -> set[int]:
    """Ids of the consultation's versions that respondents have answered (frozen versions)."""
    rows = session.scalars(
        select(Response.question_set_version_id)
        .join(Wave, Wave.id == Response.wave_id)
        .where(Wave.consultation_id == consultation.id)
        .distinct()
    )
    return set(rows)


def invitation_by_hash(
    session: Session, wave: Wave, code_hash: str, *, for_update: bool = False
) -> Invitation | None:
    query = select(Invitation).where(
        Invitation.wave_id == wave.id, Invitation.code_hash == code_hash
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def add_invitations(session: Session, invitations: Sequence[Invitation]) -> None:
    session.add_all(invitations)
    session.flush()


def invitation_counts(session: Session, wave: Wave) -> dict[InvitationStatus, int]:
    rows = session.execute(
        select(Invitation.status, func.count(Invitation.id))
        .where(Invitation.wave_id == wave.id)
        .group_by(Invitation.status)
    )
    counts = {status: 0 for status in InvitationStatus}
    counts.update({status: count for status, count in rows})
    return counts


def revoke_unused_invitations(session: Session, wave: Wave) -> int:
    result = session.execute(
        update(Invitation)
        .where(Invitation.wave_id == wave.id, Invitation.status == InvitationStatus.UNUSED)
        .values(status=InvitationStatus.REVOKED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def waves_with_status(session: Session, status: WaveStatus) -> list[Wave]:
    return list(session.scalars(select(Wave).where(Wave.status == status)))


def duration_distribution(session: Session, wave: Wave) -> list[tuple[int, int]]:
    """(minutes, completes) pairs: the median is read from these counts, not from every row."""
    rows = session.execute(
        select(Response.duration_minutes, func.count(Response.id))
        .where(complete_responses_of(wave), Response.duration_minutes.is_not(None))
        .group_by(Response.duration_minutes)
        .order_by(Response.duration_minutes)
    )
    return [(int(minutes or 0), int(count)) for minutes, count in rows]


def in_progress_by_last_page(session: Session, wave: Wave) -> dict[str, int]:
    rows = session.execute(
        select(Response.last_page_id, func.count(Response.id))
        .where(Response.wave_id == wave.id, Response.status == ResponseStatus.IN_PROGRESS)
        .group_by(Response.last_page_id)
    )
    return {str(page): int(count) for page, count in rows}


def completes_per_day(session: Session, wave: Wave) -> list[tuple[dt.date, int]]:
    rows = session.execute(
        select(Response.submitted_on, func.count(Response.id))
        .where(complete_responses_of(wave))
        .group_by(Response.submitted_on)
        .order_by(Response.submitted_on)
    )
    return [(day, int(count)) for day, count in rows if day is not None]


def identical_answer_groups(session: Session, wave: Wave) -> dict[int, int]:
    """How often complete responses come in groups of each size (size: responses sharing one
    full set of answers; 1 for a set nobody else gave), over the responses with any answer. All
    in SQL, in one pass: each response's answers are written as one string in a fixed order
    (code, option, number, text), the strings grouped, and the groups counted by size.

    PostgreSQL orders inside `string_agg`; SQLite's `group_concat` (before 3.44 without ORDER BY)
    takes the rows in the order of the sorted subquery it reads.
    """
    piece = (
        Answer.code
        + "="
        + func.coalesce(cast(Answer.option, String), "")
        + "/"
        + func.coalesce(cast(Answer.number, String), "")
        + "/"
        + func.coalesce(Answer.text, "")
    )
    order = (Answer.code, Answer.option, Answer.number, Answer.text)
    complete = Response.id == Answer.response_id
    if session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(piece, aggregate_order_by(literal("\x1f"), *order))
        vectors = (
            select(joined.label("vector"))
            .join(Response, complete)
            .where(complete_responses_of(wave))
            .group_by(Answer.response_id)
            .subquery()
        )
    else:
        rows = (
            select(Answer.response_id.label("response_id"), piece.label("piece"))
            .join(Response, complete)
            .where(complete_responses_of(wave))
            .order_by(Answer.response_id, *order)
            .subquery()
        )
        vectors = (
            select(func.group_concat(rows.c.piece, "\x1f").label("vector"))
            .group_by(rows.c.response_id)
            .subquery()
        )
    groups = (
        select(func.count().label("size")).select_from(vectors).group_by(vectors.c.vector)
    ).subquery()
    by_size = select(groups.c.size, func.count()).group_by(groups.c.size)
    return {int(size): int(count) for size, count in session.execute(by_size)}


def complete_answer_counts(
    session: Session, wave: Wave, codes: Sequence[str]
) -> dict[str, dict[int, int]]:
    """For single-choice items `codes`: complete responses per option (one grouped query)."""
    rows = session.execute(
        select(Answer.code, Answer.option, func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(complete_responses_of(wave), Answer.code.in_(list(codes)))
        .group_by(Answer.code, Answer.option)
    )
    counts: dict[str, dict[int, int]] = {code: {} for code in codes}
    for code, option, count in rows:
        if option is not None:
            counts[code][int(option)] = int(count)
    return counts


def delete_respondent_data(session: Session, wave: Wave) -> tuple[int, int, int]:
    """Delete a wave's answers, responses and invitation codes (its counts stay); returns how
    many of each went."""
    responses = select(Response.id).where(Response.wave_id == wave.id).scalar_subquery()
    answers = session.execute(delete(Answer).where(Answer.response_id.in_(responses)))
    deleted = session.execute(delete(Response).where(Response.wave_id == wave.id))
    invitations = session.execute(delete(Invitation).where(Invitation.wave_id == wave.id))
    return (
        int(answers.rowcount or 0),  # type: ignore[attr-defined]
        int(deleted.rowcount or 0),  # type: ignore[attr-defined]
        int(invitations.rowcount or 0),  # type: ignore[attr-defined]
    )
