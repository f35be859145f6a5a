"""Data test of migration a4e5f6d7c805 (wave.counts_version -> wave.counts_fingerprint).

`UpgradeTester` loads rows at f3d4e5c6a704 and checks them after the upgrade; `DowngradeTester`
loads rows at a4e5f6d7c805 and checks them after the downgrade. Beside the wave, the rows that
hang on it (responses, answers, weighting cells, counts: all `ON DELETE CASCADE`) are loaded
too: rebuilding the wave table must lose none of them. Plain SQL on the given connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

WAVES = [
    # id, slug, status, mode, opens_on, closes_on, min_cell_size, results_published, margins
    (1, "biotech-2026", "open", "open", "2026-11-01", None, 10, False, "age_group,1,0.5\n"),
    (2, "biotech-2027", "draft", "invite", None, "2027-12-31", 25, True, None),
]


def _load_common(connection: Connection) -> None:
    connection.execute(
        text("INSERT INTO consultation (id, slug, title_nl, title_en) VALUES (1, 'bio', 'B', 'B')")
    )
    connection.execute(
        text(
            "INSERT INTO question_set_version "
            "(id, consultation_id, number, label, source, checksum, created_on) "
            "VALUES (1, 1, 1, '2026.1', 'wave: biotech-2026', :checksum, '2026-10-01')"
        ),
        {"checksum": "c" * 64},
    )


def _insert_waves(connection: Connection, column: str, values: tuple[Any, Any]) -> None:
    for (id_, slug, status, mode, opens, closes, size, published, margins), value in zip(
        WAVES, values, strict=True
    ):
        connection.execute(
            text(
                "INSERT INTO wave (id, slug, consultation_id, question_set_version_id, status, "
                f"mode, opens_on, closes_on, min_cell_size, results_published, margins, {column}) "
                "VALUES (:id, :slug, 1, 1, :status, :mode, :opens, :closes, :size, :published, "
                ":margins, :value)"
            ),
            {
                "id": id_,
                "slug": slug,
                "status": status,
                "mode": mode,
                "opens": opens,
                "closes": closes,
                "size": size,
                "published": published,
                "margins": margins,
                "value": value,
            },
        )


def _load_dependents(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO response (id, public_id, wave_id, question_set_version_id, status, "
            "language, started_on, submitted_on, resume_token_hash, order_seed, layout, cell) "
            "VALUES (7, :public, 1, 1, 'complete', 'nl', '2026-11-02', '2026-11-02', :token, 3, "
            "'{}', '1|2')"
        ),
        {"public": "p" * 32, "token": "t" * 64},
    )
    connection.execute(
        text("INSERT INTO answer (id, response_id, code, option) VALUES (70, 7, 'Q', 2)")
    )
    connection.execute(
        text("INSERT INTO weighting_cell (id, wave_id, key, respondents) VALUES (5, 1, '1|2', 1)")
    )
    connection.execute(
        text(
            "INSERT INTO answer_count (wave_id, code, cell_id, value, n) VALUES (1, 'Q', 5, 2.0, 1)"
        )
    )


def _check_common(connection: Connection) -> None:
    rows = connection.execute(
        text(
            "SELECT id, slug, status, mode, opens_on, closes_on, min_cell_size, "
            "results_published, margins FROM wave ORDER BY id"
        )
    ).all()
    assert [
        (i, slug, status, mode, str(opens) if opens else None, str(closes) if closes else None)
        + (size, bool(published), margins)
        for i, slug, status, mode, opens, closes, size, published, margins in rows
    ] == [tuple(wave) for wave in WAVES]
    assert connection.execute(text("SELECT id, wave_id, cell FROM response")).all() == [
        (7, 1, "1|2")
    ]
    assert connection.execute(text("SELECT id, response_id, code, option FROM answer")).all() == [
        (70, 7, "Q", 2)
    ]
    assert connection.execute(
        text("SELECT id, wave_id, key, respondents FROM weighting_cell")
    ).all() == [(5, 1, "1|2", 1)]
    assert connection.execute(
        text("SELECT wave_id, code, cell_id, value, n FROM answer_count")
    ).all() == [(1, "Q", 5, 2.0, 1)]


class UpgradeTester:
    """f3d4e5c6a704 -> a4e5f6d7c805: every wave keeps its row and gets no fingerprint (NULL),
    so its counts are recounted before its next report; nothing hanging on it is lost."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        _load_common(self.connection)
        _insert_waves(self.connection, "counts_version", (3, 0))
        _load_dependents(self.connection)

    def check(self) -> None:
        _check_common(self.connection)
        assert self.connection.execute(
            text("SELECT id, counts_fingerprint FROM wave ORDER BY id")
        ).all() == [(1, None), (2, None)]


class DowngradeTester:
    """a4e5f6d7c805 -> f3d4e5c6a704: every wave keeps its row and gets counts_version 0 (older
    rules: the older code recounts it before its next report); nothing hanging on it is lost."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        _load_common(self.connection)
        _insert_waves(self.connection, "counts_fingerprint", ("f" * 64, None))
        _load_dependents(self.connection)

    def check(self) -> None:
        _check_common(self.connection)
        assert self.connection.execute(
            text("SELECT id, counts_version FROM wave ORDER BY id")
        ).all() == [(1, 0), (2, 0)]
