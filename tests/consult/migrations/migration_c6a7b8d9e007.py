"""c6a7b8d9e007: personal API tokens (a new table `api_token`).

Up, every row stays and the new table holds no token; down, the tokens go with their table and
every other row stays.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from tests.consult.migrations.migration_b5f6a7c8d906 import at_b5f6
from tests.consult.migrations.rows import Tables, assert_gone, assert_tables, insert, read


def at_c6a7() -> Tables:
    """Two tokens of the researcher: one in use, one revoked (a name with non-ASCII text)."""
    tables = at_b5f6()
    tables["api_token"] = [
        {
            "id": 1,
            "user_id": 3,
            "name": "R-script — één",
            "token_hash": "0f" * 32,
            "created_on": dt.date(2026, 11, 5),
            "last_used_on": dt.date(2026, 11, 29),
            "revoked_on": None,
        },
        {
            "id": 2,
            "user_id": 3,
            "name": "laptop",
            "token_hash": "a1" * 32,
            "created_on": dt.date(2026, 11, 6),
            "last_used_on": None,
            "revoked_on": dt.date(2026, 11, 7),
        },
    ]
    return tables


class UpgradeTester:
    """Every row survives; the new table is there and empty."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_b5f6())

    def check(self) -> None:
        assert_tables(self.connection, at_b5f6())
        assert read(self.connection, "api_token") == []


class DowngradeTester:
    """The tokens go with their table; every other row survives."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_c6a7())

    def check(self) -> None:
        assert_tables(self.connection, at_b5f6())
        assert_gone(self.connection, "api_token")
