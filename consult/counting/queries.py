"""Storing and reading the counts: per-submit upserts, a recount's reads and writes, bulk paths.

Storage only: what is counted is `plan.CountPlan`'s, and the engines (`one`, `many`) count. The
bulk paths use the driver directly (COPY on PostgreSQL, executemany on SQLite): at a million
responses the ORM's per-row bookkeeping would dominate.
"""

from __future__ import annotations

import gc
import itertools
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.orm import Session

from consult.models import (
    Answer,
    AnswerCount,
    Response,
    ResponseStatus,
    Wave,
    WeightingCell,
)


class CountRows(Protocol):
    """Count rows as parallel arrays (as `many.Counts`)."""

    @property
    def cell(self) -> np.ndarray: ...
    @property
    def code(self) -> np.ndarray: ...
    @property
    def value(self) -> np.ndarray: ...
    @property
    def n(self) -> np.ndarray: ...


def add_answer_counts(
    session: Session,
    wave: Wave,
    respondents: Mapping[str, int],
    counts: Mapping[tuple[str, str, float], int],
) -> None:
    """Add complete responses to the wave's counts: `respondents` per cell key, and
    (cell key, code, value) -> k to the answer counts (`n = n + k`).

    A few statements for a submitted response; bulk loads (many thousands of rows) go through
    the driver directly, since the ORM's per-row bookkeeping would dominate.
    """
    if not respondents:
        return
    cursor, postgres, marker = _driver_cursor(session)
    try:
        cursor.executemany(
            ADD_RESPONDENTS.format(marker), [(wave.id, key, n) for key, n in respondents.items()]
        )
        cell_ids = {
            key: id_
            for key, id_ in session.execute(
                select(WeightingCell.key, WeightingCell.id).where(
                    WeightingCell.wave_id == wave.id, WeightingCell.key.in_(list(respondents))
                )
            )
        }
        # In key order, so concurrent submits lock the rows they share in the same order and
        # never deadlock.
        rows = sorted(
            (wave.id, code, cell_ids[key], value, n) for (key, code, value), n in counts.items()
        )
        if not postgres or len(rows) < 1000:
            cursor.executemany(ADD_COUNTS.format(marker), rows)
            return
        # Many rows on PostgreSQL: COPY them into a scratch table, then one upsert from it.
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_count "
            "(LIKE answer_count INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute("DELETE FROM incoming_count")
        with cursor.copy(
            "COPY incoming_count (wave_id, code, cell_id, value, n) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(ADD_INCOMING_COUNTS)
    finally:
        cursor.close()


def _driver_cursor(session: Session) -> tuple[Any, bool, str]:
    """A cursor of the session's driver connection (inside its transaction), whether it is
    PostgreSQL's, and the driver's parameter marker: bulk counts skip the ORM."""
    raw: Any = session.connection().connection.driver_connection
    postgres = session.get_bind().dialect.name == "postgresql"
    return raw.cursor(), postgres, "%s" if postgres else "?"


def add_count_arrays(
    session: Session,
    wave: Wave,
    respondents: Mapping[str, int],
    keys: Sequence[str],
    names: Sequence[str],
    counts: CountRows,
) -> None:
    """Add many responses to the wave's counts, given as arrays (cell: an index into `keys`,
    code: an index into `names`, value, n), as `add_answer_counts` adds a few: the rows go
    through the driver a slice at a time (COPY and one upsert on PostgreSQL, an executemany
    upsert on SQLite), never as one Python object each at once."""
    if not respondents:
        return
    cursor, postgres, marker = _driver_cursor(session)
    try:
        cursor.executemany(
            ADD_RESPONDENTS.format(marker), [(wave.id, key, n) for key, n in respondents.items()]
        )
        cell_ids = {
            key: id_
            for key, id_ in session.execute(
                select(WeightingCell.key, WeightingCell.id).where(WeightingCell.wave_id == wave.id)
            )
        }
        ids = np.array([cell_ids.get(key, -1) for key in keys], dtype=np.int64)[counts.cell]
        code_names = np.asarray(names, dtype=object)
        # In the primary key's order: the index grows at its end, not all over.
        rank = np.empty(len(names), dtype=np.int64)
        rank[sorted(range(len(names)), key=lambda i: names[i])] = np.arange(len(names))
        order = np.lexsort((counts.value, ids, rank[counts.code]))

        def rows() -> Iterator[tuple[int, str, int, float, int]]:
            for start in range(0, len(order), ADDED_ROWS):
                part = order[start : start + ADDED_ROWS]
                yield from zip(
                    itertools.repeat(wave.id),
                    code_names[counts.code[part]].tolist(),
                    ids[part].tolist(),
                    counts.value[part].tolist(),
                    counts.n[part].tolist(),
                )

        if not postgres:
            cursor.executemany(ADD_COUNTS.format(marker), rows())
            return
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_count "
            "(LIKE answer_count INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute("DELETE FROM incoming_count")
        with cursor.copy(
            "COPY incoming_count (wave_id, code, cell_id, value, n) FROM STDIN"
        ) as copy:
            for row in rows():
                copy.write_row(row)
        cursor.execute(ADD_INCOMING_COUNTS)
    finally:
        cursor.close()


ADDED_ROWS = 50_000
"""Count rows made into Python values at once by `add_count_arrays` (some 10 MB)."""


ADD_RESPONDENTS = (
    "INSERT INTO weighting_cell (wave_id, key, respondents) VALUES ({0}, {0}, {0}) "
    "ON CONFLICT (wave_id, key) "
    "DO UPDATE SET respondents = weighting_cell.respondents + excluded.respondents"
)


ADD_COUNTS = (
    "INSERT INTO answer_count (wave_id, code, cell_id, value, n) VALUES ({0}, {0}, {0}, {0}, {0}) "
    "ON CONFLICT (wave_id, code, cell_id, value) DO UPDATE SET n = answer_count.n + excluded.n"
)


ADD_INCOMING_COUNTS = (
    "INSERT INTO answer_count (wave_id, code, cell_id, value, n) "
    "SELECT wave_id, code, cell_id, value, n FROM incoming_count "
    "ON CONFLICT (wave_id, code, cell_id, value) DO UPDATE SET n = answer_count.n + excluded.n"
)


def complete_responses(session: Session, wave: Wave) -> tuple[np.ndarray, list[str]]:
    """The ids of the wave's complete responses in increasing order, and each one's stored
    weighting cell key ('' when none)."""
    rows = session.execute(
        select(Response.id, func.coalesce(Response.cell, ""))
        .where(complete_responses_of(wave))
        .order_by(Response.id)
    ).all()
    return np.array([id_ for id_, _ in rows], dtype=np.int64), [cell for _, cell in rows]


Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Answers as parallel arrays: response id, code index, option (-1: none), number (NaN: none)."""


def answer_arrays(
    session: Session, wave: Wave, first: int, last: int, codes: Sequence[str]
) -> Arrays:
    """The answers under `codes` of the wave's complete responses with ids from `first` to
    `last`, as arrays: response id, code (an index into `codes`), option (-1: none) and number
    (NaN: none). In no particular order.

    A recount reads every answer of a wave (58 million at a million responses), so the rows go
    from the driver straight into numpy: on PostgreSQL packed by the server into one string of
    fixed-width binary records (as `answer_count_arrays`), on SQLite as plain rows."""
    if session.get_bind().dialect.name == "postgresql":
        return _packed_answers(
            session, PACKED_ANSWERS, (list(codes), wave.id, COMPLETE, first, last, first, last)
        )
    return _sqlite_answers(session, SQLITE_ANSWERS, (wave.id, COMPLETE, first, last), codes)


def answer_arrays_of(session: Session, responses: np.ndarray, codes: Sequence[str]) -> Arrays:
    """The answers under `codes` of the given responses (ids, a few thousand, in any order and
    from anywhere in the table), as `answer_arrays` gives them: the microdata read their rows
    in the file's shuffled order, a page of respondents at a time, each through the index."""
    ids = responses.astype(np.int64).tolist()
    if session.get_bind().dialect.name == "postgresql":
        return _packed_answers(session, PACKED_ANSWERS_OF, (list(codes), ids))
    return _sqlite_answers(session, SQLITE_ANSWERS_OF, (json.dumps(ids),), codes)


def _packed_answers(session: Session, statement: str, parameters: tuple[Any, ...]) -> Arrays:
    """PostgreSQL: one string of `_PACKED_ANSWER` records, read as arrays."""
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor(binary=True) as cursor:
        # A chunk is a few percent of the answers, in one range of the (response_id, code)
        # index (or a page of ids in it), but the planner would scan the whole table for each
        # chunk: 5 to 8 s a chunk at a million responses against about 3 s through the index.
        # No JIT either: it compiles the expressions anew for every chunk.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET jit = off")
        try:
            # Never a prepared statement (psycopg prepares one after five runs): its generic
            # plan, blind to the ids, took 4 to 6 s a page of the microdata instead of 0.4 s.
            cursor.execute(statement, parameters, prepare=False)
            packed = cursor.fetchone()[0] or b""
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET jit")
    rows = np.frombuffer(packed, dtype=_PACKED_ANSWER)
    return (
        rows["response"].astype(np.int64),
        rows["code"].astype(np.int64) - 1,
        rows["option"].astype(np.int64),
        rows["number"].astype(np.float64),
    )


def _sqlite_answers(
    session: Session, statement: str, parameters: tuple[Any, ...], codes: Sequence[str]
) -> Arrays:
    """SQLite: (response id, code, option, number) rows, turned into arrays a batch at a time;
    rows under other codes are left out."""
    raw: Any = session.connection().connection.driver_connection
    index = {code: i for i, code in enumerate(codes)}
    cursor = raw.cursor()
    parts = []
    # Millions of row tuples, none in a cycle: the collector would walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        cursor.execute(statement, parameters)
        while listed := cursor.fetchmany(FETCHED_ROWS):
            response, code, option, number = zip(*listed, strict=True)
            del listed
            code_index = np.array([index.get(c, -1) for c in code], dtype=np.int64)
            known = code_index >= 0
            parts.append(
                (
                    np.array(response, dtype=np.int64)[known],
                    code_index[known],
                    np.nan_to_num(np.array(option, dtype=np.float64), nan=-1).astype(np.int64)[
                        known
                    ],
                    np.array(number, dtype=np.float64)[known],
                )
            )
    finally:
        cursor.close()
        if collecting:
            gc.enable()
    if not parts:
        none = np.zeros(0, dtype=np.int64)
        return none, none, none, np.zeros(0)
    response_, code_, option_, number_ = (
        np.concatenate([part[i] for part in parts]) for i in range(4)
    )
    return response_, code_, option_, number_


def answer_options(
    session: Session, wave: Wave, ids: np.ndarray, codes: Sequence[str], rows: int = 2_000_000
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The answers under `codes` of the wave's complete responses (`ids`, increasing, as
    `complete_responses` gives them) without their numbers, a part at a time, in no order:
    response id, code (an index into `codes`) and option (-1: none, a number). What
    `consult audit-disclosure` counts its pairs of questions from.

    On SQLite a part is a range of `rows` answer ids, read in table order and handed over as
    three comma-separated texts (a range of responses through the index, or a row tuple per
    answer, takes three times as long at a million responses), turned into arrays in a second
    thread while the next part is read; answers of other waves in the range are read and left
    out. On PostgreSQL a part is a range of responses (`answer_arrays`)."""
    if not len(ids):
        return
    if session.get_bind().dialect.name == "postgresql":
        for start in range(0, len(ids), 50_000):
            part = ids[start : start + 50_000]
            response, code, option, _ = answer_arrays(
                session, wave, int(part[0]), int(part[-1]), codes
            )
            yield response, code, option
        return
    first = int(ids[0])
    complete = np.zeros(int(ids[-1]) - first + 1, dtype=bool)
    complete[ids - first] = True
    index = {code: i for i, code in enumerate(codes)}

    def arrays(texts: tuple[str, str, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        response_text, code_text, option_text = texts
        response = np.fromstring(response_text, dtype=np.int64, sep=",")
        option = np.fromstring(option_text, dtype=np.int64, sep=",")
        names = code_text.split(",")
        code = np.fromiter(
            map(index.get, names, itertools.repeat(-1)), dtype=np.int64, count=len(names)
        )
        at = response - first
        keep = (code >= 0) & (at >= 0) & (at < len(complete))
        keep[keep] = complete[at[keep]]
        return response[keep], code[keep], option[keep]

    raw: Any = session.connection().connection.driver_connection
    cursor = raw.cursor()
    try:
        low, high = cursor.execute("SELECT min(id), max(id) FROM answer").fetchone()
        with ThreadPoolExecutor(max_workers=1) as worker:
            pending: Future[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
            for start in range(int(low or 0), int(high or -1) + 1, rows):
                texts = cursor.execute(SQLITE_ANSWER_TEXTS, (start, start + rows - 1)).fetchone()
                if pending is not None:
                    yield pending.result()
                    pending = None
                if texts[0] is not None:
                    pending = worker.submit(arrays, texts)
            if pending is not None:
                yield pending.result()
    finally:
        cursor.close()


SQLITE_ANSWER_TEXTS = (
    "SELECT group_concat(response_id), group_concat(code), group_concat(coalesce(option, -1)) "
    "FROM answer WHERE id BETWEEN ? AND ?"
)


FETCHED_ROWS = 250_000
"""Rows taken from SQLite at once: their tuples cost about 40 MB."""


COMPLETE = ResponseStatus.COMPLETE.value


_PACKED_ROWS = (
    "SELECT string_agg(int4send(a.response_id) || int2send(c.i::int2) "
    "|| int4send(coalesce(a.option, -1)) || float8send(coalesce(a.number, 'NaN'::float8)), "
    "''::bytea) "
    "FROM answer a "
)


PACKED_ANSWERS = (
    _PACKED_ROWS + "JOIN response r ON r.id = a.response_id "
    "JOIN unnest(%s::text[]) WITH ORDINALITY AS c(code, i) ON c.code = a.code "
    "WHERE r.wave_id = %s AND r.status = %s AND r.id BETWEEN %s AND %s "
    "AND a.response_id BETWEEN %s AND %s"
)


PACKED_ANSWERS_OF = (
    _PACKED_ROWS + "JOIN unnest(%s::text[]) WITH ORDINALITY AS c(code, i) ON c.code = a.code "
    "WHERE a.response_id = ANY(%s::int4[])"
)


_PACKED_ANSWER = np.dtype(
    [("response", ">i4"), ("code", ">i2"), ("option", ">i4"), ("number", ">f8")]
)
"""One record of `PACKED_ANSWERS` (the code numbered from 1, as WITH ORDINALITY does)."""


SQLITE_ANSWERS = (
    "SELECT a.response_id, a.code, a.option, a.number "
    "FROM response r JOIN answer a ON a.response_id = r.id "
    "WHERE r.wave_id = ? AND r.status = ? AND r.id BETWEEN ? AND ?"
)


SQLITE_ANSWERS_OF = (
    "SELECT a.response_id, a.code, a.option, a.number FROM answer a "
    "WHERE a.response_id IN (SELECT value FROM json_each(?))"
)
"""The ids as one JSON array: a page of thousands of ids is one parameter, not thousands."""


def replace_counts(
    session: Session,
    wave: Wave,
    respondents: Mapping[str, int],
    keys: Sequence[str],
    names: Sequence[str],
    counts: CountRows,
) -> None:
    """Replace the wave's weighting cells and counts: `respondents` per cell key, and count rows
    as arrays (cell: an index into `keys`, code: an index into `names`, value, n). Inserted in
    key order with the driver's bulk path."""
    cell, code, value, n = counts.cell, counts.code, counts.value, counts.n
    # The cells keep their rows (and ids): deleting a cell makes the database look for its
    # counts by cell id, which no index serves (on PostgreSQL a scan of every count row, dead
    # ones included, per cell). Only cells nobody is in any more go.
    session.execute(delete(AnswerCount).where(AnswerCount.wave_id == wave.id))
    existing = {
        key: id_
        for key, id_ in session.execute(
            select(WeightingCell.key, WeightingCell.id).where(WeightingCell.wave_id == wave.id)
        )
    }
    gone = [id_ for key, id_ in existing.items() if key not in respondents]
    if gone:
        session.execute(delete(WeightingCell).where(WeightingCell.id.in_(gone)))
    kept = [
        {"id": existing[key], "respondents": k} for key, k in respondents.items() if key in existing
    ]
    if kept:
        session.execute(update(WeightingCell), kept)
    new = [
        {"wave_id": wave.id, "key": key, "respondents": k}
        for key, k in respondents.items()
        if key not in existing
    ]
    if new:
        session.execute(insert(WeightingCell), new)
    cell_ids = {
        key: id_
        for key, id_ in session.execute(
            select(WeightingCell.key, WeightingCell.id).where(WeightingCell.wave_id == wave.id)
        )
    }
    ids = np.array([cell_ids[key] for key in keys], dtype=np.int64)[cell]
    names_sorted = sorted(range(len(names)), key=lambda i: names[i])
    rank = np.empty(len(names), dtype=np.int64)
    rank[names_sorted] = np.arange(len(names))
    order = np.lexsort((value, ids, rank[code]))
    raw: Any = session.connection().connection.driver_connection

    def rows() -> Iterator[tuple[int, str, int, float, int]]:
        """The rows in key order, made into Python values a slice at a time."""
        for start in range(0, len(order), FETCHED_ROWS):
            part = order[start : start + FETCHED_ROWS]
            yield from zip(
                itertools.repeat(wave.id),
                [names[i] for i in code[part].tolist()],
                ids[part].tolist(),
                value[part].tolist(),
                n[part].tolist(),
            )

    if session.get_bind().dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY answer_count (wave_id, code, cell_id, value, n) FROM STDIN") as copy,
        ):
            for row in rows():
                copy.write_row(row)
    else:
        raw.executemany(
            "INSERT INTO answer_count (wave_id, code, cell_id, value, n) VALUES (?, ?, ?, ?, ?)",
            rows(),
        )


def complete_responses_of(wave: Wave) -> ColumnElement[bool]:
    """The complete responses of a wave: its design."""
    return (Response.wave_id == wave.id) & (Response.status == ResponseStatus.COMPLETE)


def design_cells(session: Session, wave: Wave) -> list[tuple[int, str, int]]:
    """(id, key, complete responses) of a wave's weighting cells: the design."""
    rows = session.execute(
        select(WeightingCell.id, WeightingCell.key, WeightingCell.respondents)
        .where(WeightingCell.wave_id == wave.id, WeightingCell.respondents > 0)
        .order_by(WeightingCell.id)
    )
    return [(int(id_), str(key), int(n)) for id_, key, n in rows]


def answer_counts(session: Session, wave: Wave) -> list[tuple[str, str, float, int]]:
    """Every (code, cell key, value, n) row of the wave's counts."""
    rows = session.execute(
        select(AnswerCount.code, WeightingCell.key, AnswerCount.value, AnswerCount.n)
        .join(WeightingCell, WeightingCell.id == AnswerCount.cell_id)
        .where(AnswerCount.wave_id == wave.id)
    )
    return [(str(code), str(key), float(value), int(n)) for code, key, value, n in rows]


def answer_count_arrays(
    session: Session,
    wave: Wave,
    codes: Sequence[str],
    whole_numbers: Collection[str] = (),
) -> dict[str, np.ndarray]:
    """The counts of some codes: per code, an array of (cell id, value, n) rows.

    A national wave has millions of count rows (2.7 million in the acceptance summary's
    profiles at a million responses), so they go straight from the driver into numpy, one key
    range per code in the primary key's order: on PostgreSQL packed by the server into one
    string of fixed-width binary records (for a national report's 632,000 rows 0.22 s, against
    0.38 s as rows and 0.9 s as a COPY, which sends every row as a message of its own). On
    SQLite the codes in `whole_numbers` (option codes, profile numbers: never a fraction) come
    as one text of integers that numpy parses (SQLite has no binary aggregate): about half the
    time of a Python tuple per row; the others as plain rows."""
    raw: Any = session.connection().connection.driver_connection
    postgres = session.get_bind().dialect.name == "postgresql"
    found = {}
    cursor = raw.cursor(binary=True) if postgres else raw.cursor()
    try:
        for code in dict.fromkeys(codes):
            if postgres:
                cursor.execute(PACKED_COUNTS, (wave.id, code))
                packed = cursor.fetchone()[0] or b""
                rows = np.frombuffer(packed, dtype=_PACKED_COUNT)
                # Mixed int and float columns stack straight into float64.
                found[code] = np.column_stack([rows["cell"], rows["value"], rows["n"]])
            elif code in whole_numbers:
                cursor.execute(SQLITE_WHOLE_COUNTS, (wave.id, code))
                text = cursor.fetchone()[0] or ""
                found[code] = (
                    np.fromstring(text, dtype=np.int64, sep=",").astype(np.float64).reshape(-1, 3)
                )
            else:
                cursor.execute(SQLITE_COUNTS, (wave.id, code))
                found[code] = np.fromiter(
                    itertools.chain.from_iterable(cursor), dtype=np.float64
                ).reshape(-1, 3)
    finally:
        cursor.close()
    return found


SQLITE_COUNTS = (
    "SELECT cell_id, value, n FROM answer_count WHERE wave_id = ? AND code = ? "
    "ORDER BY cell_id, value"
)
SQLITE_WHOLE_COUNTS = (
    "SELECT group_concat(printf('%d,%d,%d', cell_id, CAST(value AS INTEGER), n), ',') FROM "
    "(SELECT cell_id, value, n FROM answer_count WHERE wave_id = ? AND code = ? "
    "ORDER BY cell_id, value)"
)
PACKED_COUNTS = (
    "SELECT string_agg(int4send(cell_id) || float8send(value) || int8send(n), ''::bytea "
    "ORDER BY cell_id, value) FROM answer_count WHERE wave_id = %s AND code = %s"
)
"""In the primary key's order on both databases: the figures sum the rows in this order, so the
same counts give the same figures to the last digit wherever they are kept."""


_PACKED_COUNT = np.dtype([("cell", ">i4"), ("value", ">f8"), ("n", ">i8")])
"""One record of `PACKED_COUNTS`: PostgreSQL's binary forms of int4, float8 and int8."""


def insert_answer_columns(
    session: Session,
    response_ids: np.ndarray,
    codes: np.ndarray,
    options: np.ndarray,
    numbers: np.ndarray,
) -> None:
    """Insert answer rows given as arrays, with the driver's fastest bulk path (COPY on
    PostgreSQL, executemany on SQLite); options < 0 and NaN numbers are stored as NULL."""
    rows = zip(
        response_ids.tolist(),
        codes.tolist(),
        [None if o < 0 else o for o in options.tolist()],
        [None if x != x else x for x in numbers.tolist()],
        strict=True,
    )
    raw: Any = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY answer (response_id, code, option, number) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        raw.executemany(
            "INSERT INTO answer (response_id, code, option, number) VALUES (?, ?, ?, ?)", rows
        )


def answers_purged(session: Session, wave: Wave) -> bool:
    """Whether the wave's counts hold respondents whose answers are no longer stored (deleted
    after the retention period, `consult purge`): then its counts can never be recounted."""
    counted = session.scalar(
        select(func.coalesce(func.sum(WeightingCell.respondents), 0)).where(
            WeightingCell.wave_id == wave.id
        )
    )
    stored = session.scalar(select(Response.id).where(complete_responses_of(wave)).limit(1))
    return bool(counted) and stored is None


def insert_text_answers(
    session: Session, response_ids: Sequence[int], code: str, texts: Sequence[str]
) -> None:
    """Insert open answers (one code) in bulk: the simulation's, which no count holds."""
    if response_ids:
        session.execute(
            insert(Answer),
            [
                {"response_id": r, "code": code, "text": t}
                for r, t in zip(response_ids, texts, strict=True)
            ],
        )
