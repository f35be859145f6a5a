"""Queries of responses and their answers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    delete,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from consult.models import (
    Answer,
    Response,
    ResponseStatus,
    Wave,
    WaveStatus,
)
from surveys.model import AnswerCell


def open_waves(session: Session, today: dt.date) -> list[Wave]:
    """Waves a citizen can answer today, newest first."""
    waves = session.scalars(
        select(Wave).where(Wave.status == WaveStatus.OPEN).order_by(Wave.id.desc())
    )
    return [wave for wave in waves if wave.is_open(today)]


def insert_response_once(session: Session, values: dict[str, Any]) -> None:
    """Insert a response unless one with its resume token hash is there already (a parallel
    click on start in the same browser made it first); either way it is there afterwards.

    A plain statement, not a savepoint: on SQLite it takes the write lock and waits its turn
    (a savepoint would try to upgrade a read transaction and fail at once), on PostgreSQL it
    waits for the other insert's commit and then does nothing."""
    dialect = session.get_bind().dialect.name
    statement = (postgresql if dialect == "postgresql" else sqlite).insert(Response).values(values)
    session.execute(statement.on_conflict_do_nothing(index_elements=[Response.resume_token_hash]))


def response_by_token_hash(
    session: Session, wave: Wave, token_hash: str, *, for_update: bool = False
) -> Response | None:
    """The response a resume token opens; `for_update` locks it so replays wait their turn."""
    query = select(Response).where(
        Response.wave_id == wave.id, Response.resume_token_hash == token_hash
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def answer_cells(session: Session, response: Response) -> list[AnswerCell]:
    rows = session.execute(
        select(Answer.code, Answer.option, Answer.number, Answer.text)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    )
    return [AnswerCell(code, option, number, text) for code, option, number, text in rows]


def replace_answers(
    session: Session, response: Response, codes: Iterable[str], cells: Sequence[AnswerCell]
) -> None:
    """Replace everything stored under `codes` by `cells` (one page's answers)."""
    codes = list(codes)
    if codes:
        session.execute(
            delete(Answer).where(Answer.response_id == response.id, Answer.code.in_(codes))
        )
    rows = [
        {
            "response_id": response.id,
            "code": cell.code,
            "option": cell.option,
            "number": cell.number,
            "text": cell.text,
        }
        for cell in cells
    ]
    if rows:  # one statement, without the ORM's bookkeeping per row
        session.execute(insert(Answer), rows)


def delete_answers_except(session: Session, response: Response, keep: Iterable[str]) -> int:
    """Remove answers to items the respondent was finally not shown; returns how many."""
    result = session.execute(
        delete(Answer).where(Answer.response_id == response.id, Answer.code.not_in(list(keep)))
    )
    return int(getattr(result, "rowcount", 0) or 0)


IMPORTED_LAYOUT = '{"imported": true}'


def insert_complete_response_rows(
    session: Session, wave: Wave, cells: Sequence[str], today: dt.date, *, language: str
) -> list[int]:
    """Complete responses without their answers, one per weighting cell key given (imports,
    simulations); returns their ids in the same order."""
    rows = [
        {
            "public_id": secrets.token_hex(16),
            "wave_id": wave.id,
            "question_set_version_id": wave.question_set_version_id,
            "status": ResponseStatus.COMPLETE,
            "language": language,
            "started_on": today,
            "submitted_on": today,
            # Nobody resumes an imported response: a random, unguessable placeholder hash.
            "resume_token_hash": secrets.token_hex(32),
            "order_seed": 0,
            "layout": IMPORTED_LAYOUT,
            "cell": cell,
        }
        for cell in cells
    ]
    return list(
        session.scalars(
            insert(Response).returning(Response.id, sort_by_parameter_order=True), rows
        ).all()
    )


def insert_complete_responses(
    session: Session,
    wave: Wave,
    responses: Sequence[tuple[str, Sequence[AnswerCell]]],
    today: dt.date,
    *,
    language: str,
) -> None:
    """Store complete responses given as (cell, answer cells), in bulk (imports)."""
    if not responses:
        return
    ids = insert_complete_response_rows(
        session, wave, [cell for cell, _ in responses], today, language=language
    )
    answer_rows = [
        {
            "response_id": response_id,
            "code": cell.code,
            "option": cell.option,
            "number": cell.number,
            "text": cell.text,
        }
        for response_id, (_, cells) in zip(ids, responses, strict=True)
        for cell in cells
    ]
    if answer_rows:
        session.execute(insert(Answer), answer_rows)


def _driver(session: Session) -> tuple[Any, bool]:
    """The DB-API connection under the session's transaction, and whether it is PostgreSQL."""
    raw: Any = session.connection().connection.driver_connection
    return raw, session.get_bind().dialect.name == "postgresql"


def reserve_response_ids(session: Session, n: int) -> list[int]:
    """Ids for `n` new responses. PostgreSQL: from the table's sequence, safe beside other
    writers. SQLite: after the largest id, which is safe because a command's transaction holds
    the write lock from its start (BEGIN IMMEDIATE: `consult.db`)."""
    raw, postgres = _driver(session)
    if postgres:
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('response', 'id')) "
                "FROM generate_series(1, %s)",
                (n,),
            )
            return [row[0] for row in cursor.fetchall()]
    (largest,) = raw.execute("SELECT coalesce(max(id), 0) FROM response").fetchone()
    return list(range(largest + 1, largest + 1 + n))


RESPONSE_COLUMNS = (
    "id, public_id, wave_id, question_set_version_id, status, language, started_on, "
    "submitted_on, resume_token_hash, order_seed, layout, cell"
)
COPY_RESPONSES = f"COPY response ({RESPONSE_COLUMNS}) FROM STDIN"
INSERT_RESPONSES = (
    f"INSERT INTO response ({RESPONSE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 (constants)
)


def copy_complete_responses(
    session: Session,
    wave: Wave,
    ids: Sequence[int],
    cells: Sequence[str],
    today: dt.date,
    *,
    language: str,
) -> None:
    """Complete responses without their answers, with the ids given (`reserve_response_ids`)
    and one weighting cell key each: COPY on PostgreSQL, one executemany on SQLite (bulk
    imports and simulations, where the ORM's bookkeeping per row would dominate)."""
    secret = secrets.token_bytes(48 * len(ids)).hex()
    status = ResponseStatus.COMPLETE.value
    rows = (
        (
            id_,
            secret[96 * i : 96 * i + 32],
            wave.id,
            wave.question_set_version_id,
            status,
            language,
            today,
            today,
            # Nobody resumes an imported response: a random, unguessable placeholder hash.
            secret[96 * i + 32 : 96 * i + 96],
            0,
            IMPORTED_LAYOUT,
            cell,
        )
        for i, (id_, cell) in enumerate(zip(ids, cells, strict=True))
    )
    raw, postgres = _driver(session)
    if postgres:
        with (
            raw.cursor() as cursor,
            cursor.copy(COPY_RESPONSES) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        raw.executemany(
            INSERT_RESPONSES,
            ((*row[:6], row[6].isoformat(), row[7].isoformat(), *row[8:]) for row in rows),
        )


AnswerRow = tuple[int, str, int | None, float | None, str | None]
"""(response id, code, option, number, text): an `Answer` row."""


def copy_answers(session: Session, rows: Iterable[AnswerRow]) -> None:
    """Answer rows in bulk: COPY on PostgreSQL, executemany on SQLite."""
    raw, postgres = _driver(session)
    if postgres:
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY answer (response_id, code, option, number, text) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        raw.executemany(
            "INSERT INTO answer (response_id, code, option, number, text) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
