"""Realistic rows for each schema level, and plain-SQL helpers to write and read them.

The tables are reflected from the database as it is at that moment, never taken from
consult.models (which describe only the newest schema), so each insert and read uses the column
types the migrations really created. Values are awkward on purpose: non-ASCII text, NULLs, the
largest 32-bit integers, floats that are not whole numbers, a ranking answer with an option and a
number, a timezone-aware timestamp.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

Row = dict[str, Any]
Tables = dict[str, list[Row]]  # table name -> rows, tables in an order foreign keys allow

INT32_MAX = 2_147_483_647
INT32_MIN = -2_147_483_648
UTC = dt.UTC


def reflect(connection: Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=connection)


def table_names(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


def column_names(connection: Connection, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns(table)}


def index_names(connection: Connection, table: str) -> set[str]:
    return {index["name"] for index in sa.inspect(connection).get_indexes(table) if index["name"]}


def insert(connection: Connection, tables: Tables) -> None:
    """INSERT the rows, table by table, in the order given."""
    for name, rows in tables.items():
        if rows:
            connection.execute(sa.insert(reflect(connection, name)), rows)


def read(connection: Connection, name: str) -> list[Row]:
    """Every row of a table, in primary-key order; timestamps read as UTC-aware on both
    databases (SQLite keeps no offset)."""
    table = reflect(connection, name)
    rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
    return [{key: _aware(value) for key, value in row.items()} for row in rows]


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def assert_tables(connection: Connection, expected: Tables) -> None:
    """Each table holds exactly the expected rows, with every column's value."""
    for name, rows in expected.items():
        key = [column.name for column in reflect(connection, name).primary_key.columns]
        rows = sorted(rows, key=lambda row: tuple(row[column] for column in key))
        found = read(connection, name)
        assert found == rows, f"table {name} changed:\nexpected {rows}\nfound    {found}"


def assert_gone(connection: Connection, *tables: str) -> None:
    left = table_names(connection) & set(tables)
    assert not left, f"tables still there: {sorted(left)}"


def with_column(rows: list[Row], column: str, values: list[Any]) -> list[Row]:
    assert len(values) == len(rows)
    return [{**row, column: value} for row, value in zip(rows, values, strict=True)]


def without_column(rows: list[Row], column: str) -> list[Row]:
    return [{key: value for key, value in row.items() if key != column} for row in rows]


# --------------------------------------------------------------------------- c0a1f3e2d401

SOURCE_NL = (
    "id: biotech\ntitle:\n  nl: Biotechnologie en u — één vragenlijst\n  en: Biotechnology\n"
    "pages:\n  - id: over-u\n    items:\n      - code: q1\n        text:\n"
    "          nl: ‘Wat vindt u van genbewerking?’ (ĳ, é, ü, ß)\n"
)


def at_c0a1() -> Tables:
    """Consultations, question-set versions, waves, responses and answers."""
    return {
        "consultation": [
            {
                "id": 1,
                "slug": "biotech",
                "title_nl": "Biotechnologie en u — één vragenlijst",
                "title_en": "Biotechnology and you",
            },
            {"id": 2, "slug": "mini", "title_nl": "Kleine ‘proef’ ✓ café", "title_en": None},
        ],
        "question_set_version": [
            {
                "id": 1,
                "consultation_id": 1,
                "number": 1,
                "label": "eerste versie",
                "source": SOURCE_NL,
                "checksum": "a" * 64,
                "created_on": dt.date(2026, 11, 1),
            },
            {
                "id": 2,
                "consultation_id": 1,
                "number": 2,
                "label": None,
                "source": SOURCE_NL + "# tweede\n",
                "checksum": "b" * 64,
                "created_on": dt.date(2026, 11, 20),
            },
            {
                "id": 7,
                "consultation_id": 2,
                "number": 1,
                "label": "😀 emoji",
                "source": "id: mini\n",
                "checksum": "c" * 64,
                "created_on": dt.date(1999, 12, 31),
            },
        ],
        "wave": [
            {
                "id": 1,
                "slug": "biotech-2026",
                "consultation_id": 1,
                "question_set_version_id": 2,
                "status": "open",
                "mode": "invite",
                "opens_on": dt.date(2026, 11, 22),
                "closes_on": None,
                "min_cell_size": 10,
                "results_published": False,
            },
            {
                "id": 2,
                "slug": "mini-2026",
                "consultation_id": 2,
                "question_set_version_id": 7,
                "status": "closed",
                "mode": "open",
                "opens_on": None,
                "closes_on": dt.date(2026, 12, 31),
                "min_cell_size": 0,
                "results_published": True,
            },
            {
                "id": 5,
                "slug": "biotech-2027",
                "consultation_id": 1,
                "question_set_version_id": 1,
                "status": "draft",
                "mode": "open",
                "opens_on": None,
                "closes_on": None,
                "min_cell_size": INT32_MAX,
                "results_published": False,
            },
        ],
        "response": [
            {
                "id": 1,
                "public_id": "p" * 32,
                "wave_id": 1,
                "question_set_version_id": 2,
                "status": "complete",
                "language": "nl",
                "started_on": dt.date(2026, 11, 22),
                "submitted_on": dt.date(2026, 11, 23),
                "resume_token_hash": "0" * 64,
                "order_seed": INT32_MAX,
                "layout": '{"pages": ["over-u", "één"], "order": [3, 1, 2]}',
                "last_page_id": "slot",
            },
            {
                "id": 2,
                "public_id": "q" * 32,
                "wave_id": 1,
                "question_set_version_id": 2,
                "status": "in_progress",
                "language": "en",
                "started_on": dt.date(2026, 11, 23),
                "submitted_on": None,
                "resume_token_hash": "1" * 64,
                "order_seed": INT32_MIN,
                "layout": "{}",
                "last_page_id": None,
            },
            {
                "id": 9,
                "public_id": "r" * 32,
                "wave_id": 2,
                "question_set_version_id": 7,
                "status": "complete",
                "language": "nl",
                "started_on": dt.date(2026, 1, 1),
                "submitted_on": dt.date(2026, 1, 1),
                "resume_token_hash": "2" * 64,
                "order_seed": 0,
                "layout": '{"pages": []}',
                "last_page_id": "einde",
            },
        ],
        "answer": [
            # a single choice
            {
                "id": 1,
                "response_id": 1,
                "code": "q1",
                "option": 3,
                "number": None,
                "text": None,
            },
            # a ranking: the option ranked, and its rank
            {
                "id": 2,
                "response_id": 1,
                "code": "rank",
                "option": 2,
                "number": 1.0,
                "text": None,
            },
            {
                "id": 3,
                "response_id": 1,
                "code": "rank",
                "option": 5,
                "number": 2.0,
                "text": None,
            },
            # a large number that is not whole, and a negative one
            {
                "id": 4,
                "response_id": 1,
                "code": "amount",
                "option": None,
                "number": 123456789.125,
                "text": None,
            },
            {
                "id": 5,
                "response_id": 2,
                "code": "temp",
                "option": None,
                "number": -0.5,
                "text": None,
            },
            # open text with every kind of character, and an answer with nothing in it
            {
                "id": 6,
                "response_id": 2,
                "code": "toelichting",
                "option": None,
                "number": None,
                "text": "Ik vind het ‘prima’ — maar: ĳs, café, Ærø, 😀\nnieuwe regel\t'; DROP",
            },
            {
                "id": 7,
                "response_id": 9,
                "code": "q1",
                "option": None,
                "number": None,
                "text": None,
            },
            {
                "id": 8,
                "response_id": 9,
                "code": "q2",
                "option": INT32_MAX,
                "number": 0.0,
                "text": "",
            },
        ],
    }


# --------------------------------------------------------------------------- d1b2c3a4e502

AT_D1B2_NEW_TABLES = ("audit_event", "user_account", "consultation_organizer", "invitation")


def at_d1b2() -> Tables:
    """Adds accounts, organizers, invitations, the audit log, response.duration_minutes and
    wave.margins."""
    tables = at_c0a1()
    tables["wave"] = with_column(
        tables["wave"],
        "margins",
        ['{"geslacht": {"vrouw": 0.507, "man": 0.493}, "regio": {"Fryslân": 0.04}}', None, "{}"],
    )
    tables["response"] = with_column(tables["response"], "duration_minutes", [17, None, INT32_MAX])
    tables["audit_event"] = [
        {
            "id": 1,
            "occurred_at": dt.datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC),
            "actor": "admin@example.org",
            "action": "sign in",
            "target": "user:admin@example.org",
            "result": "ok",
            "detail": None,
        },
        {
            "id": 2,
            "occurred_at": dt.datetime(2026, 11, 23, 0, 0, 1, 250000, tzinfo=UTC),
            "actor": "unknown",
            "action": "sign in",
            "target": "admin",
            "result": "refused",
            "detail": "één poging — ‘te veel’",
        },
    ]
    tables["user_account"] = [
        {
            "id": 1,
            "email": "admin@example.org",
            "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$" + "h" * 43,
            "role": "admin",
            "active": True,
            "created_on": dt.date(2026, 11, 1),
        },
        {
            "id": 2,
            "email": "organisator@gemeente.nl",
            "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$" + "g" * 43,
            "role": "organizer",
            "active": False,
            "created_on": dt.date(2026, 11, 2),
        },
        {
            "id": 3,
            "email": "onderzoeker@universiteit.nl",
            "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$YWJjZGVmZ2g$" + "k" * 43,
            "role": "researcher",
            "active": True,
            "created_on": dt.date(2026, 11, 3),
        },
    ]
    tables["consultation_organizer"] = [
        {"consultation_id": 1, "user_id": 2},
        {"consultation_id": 2, "user_id": 2},
    ]
    tables["invitation"] = [
        {
            "id": 1,
            "wave_id": 1,
            "code_hash": "d" * 64,
            "status": "used",
            "created_on": dt.date(2026, 11, 21),
            "used_on": dt.date(2026, 11, 22),
        },
        {
            "id": 2,
            "wave_id": 1,
            "code_hash": "e" * 64,
            "status": "revoked",
            "created_on": dt.date(2026, 11, 21),
            "used_on": None,
        },
        {
            "id": 3,
            "wave_id": 2,
            "code_hash": "f" * 64,
            "status": "unused",
            "created_on": dt.date(2026, 11, 21),
            "used_on": None,
        },
    ]
    return tables


# --------------------------------------------------------------------------- e2c3d4b5f603


def at_e2c3() -> Tables:
    """Adds response.cell and answer counts keyed by the cell's text."""
    tables = at_d1b2()
    tables["response"] = with_column(
        tables["response"], "cell", ["vrouw|18-34|Fryslân", None, "man|65+|Zuid-Holland"]
    )
    tables["answer_count"] = [
        {"wave_id": 1, "code": "q1", "cell": "vrouw|18-34|Fryslân", "value": 3.0, "n": 12},
        {"wave_id": 1, "code": "amount", "cell": "", "value": 123456789.125, "n": INT32_MAX},
        {"wave_id": 2, "code": "q1", "cell": "man|65+|Zuid-Holland", "value": -0.5, "n": 1},
    ]
    return tables


# --------------------------------------------------------------------------- f3d4e5c6a704


def at_f3d4() -> Tables:
    """Adds wave.counts_version and weighting cells; answer counts refer to a cell by id and
    n is 64-bit."""
    tables = at_e2c3()
    tables["wave"] = with_column(tables["wave"], "counts_version", [3, 0, 3])
    del tables["answer_count"]  # re-added after the cells it refers to
    tables["weighting_cell"] = [
        {"id": 1, "wave_id": 1, "key": "vrouw|18-34|Fryslân", "respondents": 12},
        {"id": 2, "wave_id": 1, "key": "", "respondents": 0},
        {"id": 3, "wave_id": 2, "key": "man|65+|Zuid-Holland", "respondents": INT32_MAX},
    ]
    tables["answer_count"] = [
        {"wave_id": 1, "code": "q1", "cell_id": 1, "value": 3.0, "n": 12},
        {"wave_id": 1, "code": "amount", "cell_id": 2, "value": 123456789.125, "n": 2**40 + 1},
        {"wave_id": 2, "code": "q1", "cell_id": 3, "value": -0.5, "n": 1},
    ]
    return tables
