"""e8c9d0f1a209: the theme codebook and theme suggestions (two new tables).

Up, every row stays and both new tables are empty; down, the themes and suggestions go with
their tables and every other row stays.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from tests.consult.migrations.migration_d7b8c9e0f108 import at_d7b8
from tests.consult.migrations.rows import Tables, assert_gone, assert_tables, insert, read


def at_e8c9() -> Tables:
    """Two themes (keywords on several lines, non-ASCII names) and a rejected suggestion."""
    tables = at_d7b8()
    consultation = tables["consultation"][0]["id"]
    wave = tables["wave"][0]["id"]
    tables["theme"] = [
        {
            "id": 1,
            "consultation_id": consultation,
            "code": "SAFETY",
            "name_nl": "Veiligheid en gezondheid — één",
            "name_en": "Safety and health",
            "keywords": "veilig\ngezondheid\nlange termijn",
        },
        {
            "id": 2,
            "consultation_id": consultation,
            "code": "NATURE",
            "name_nl": "Natuur",
            "name_en": "Nature",
            "keywords": "natuur\nbiodiversiteit",
        },
    ]
    tables["theme_suggestion"] = [
        {
            "id": 1,
            "consultation_id": consultation,
            "wave_id": wave,
            "terms": "prijs\nduur\nbetaalbaar",
            "size": 42,
            "status": "rejected",
            "created_on": dt.date(2026, 11, 30),
        }
    ]
    return tables


class UpgradeTester:
    """Every row survives; the new tables are there and empty."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_d7b8())

    def check(self) -> None:
        assert_tables(self.connection, at_d7b8())
        assert read(self.connection, "theme") == []
        assert read(self.connection, "theme_suggestion") == []


class DowngradeTester:
    """The themes and suggestions go with their tables; every other row survives."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_e8c9())

    def check(self) -> None:
        assert_tables(self.connection, at_d7b8())
        assert_gone(self.connection, "theme_suggestion")
        assert_gone(self.connection, "theme")
