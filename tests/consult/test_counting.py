"""The counts the analysis reads stay equal to a fresh count of the stored answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.counting.service import rebuild_counts
from consult.models import Response, Wave
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI


def test_counts_kept_while_answering_equal_a_recount(
    app: Flask, db: Session, load_set: Callable[..., str]
) -> None:
    wave_slug = load_set(MINI)
    for know, sources, sex in (("1", ["1", "2"], "1"), ("1", ["3"], "2"), ("2", [], "99")):
        citizen = Citizen(app.test_client(), wave_slug, MINI)
        citizen.start()
        citizen.answer_page_validly({"KNOW": [know], "AGE": ["40"]})
        if sources:
            citizen.answer_page_validly({"SOURCES": sources})
        citizen.answer_all_pages({"SEX": [sex]})
        citizen.submit()
    unfinished = Citizen(app.test_client(), wave_slug, MINI)
    unfinished.start()
    unfinished.answer_page_validly({"KNOW": ["1"]})

    db.expire_all()
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    kept = sorted(counting_queries.answer_counts(db, wave))
    cells = {key: n for _, key, n in counting_queries.design_cells(db, wave)}
    assert sum(cells.values()) == 3  # the unfinished response is not in the design
    assert sorted(db.scalars(select(Response.cell).where(Response.cell.is_not(None)))) == [
        "1",
        "2",
        "99",
    ]
    rebuild_counts(db, wave)
    assert sorted(counting_queries.answer_counts(db, wave)) == kept
    assert {key: n for _, key, n in counting_queries.design_cells(db, wave)} == cells

    by_code: dict[str, dict[float, int]] = {}
    for code, _cell, value, n in kept:
        by_code.setdefault(code, {})
        by_code[code][value] = by_code[code].get(value, 0) + n
    assert by_code["KNOW"] == {1.0: 2, 2.0: 1}
    assert by_code["AGE"] == {40.0: 3}
    assert by_code["SOURCES"] == {1.0: 1, 2.0: 1, 3.0: 1, -1.0: 2}  # -1: answered the item
    assert by_code["GOALS.1"] == {1.0: 3} and by_code["GOALS.3"] == {3.0: 3}
    assert "WORRY" not in by_code  # texts are not counted


def test_counts_read_in_bulk_equal_the_counts_read_row_by_row(
    app: Flask, db: Session, load_set: Callable[..., str]
) -> None:
    """The report's fast reader (one binary COPY on PostgreSQL) loses and bends nothing."""
    from demo.simulation import store_simulated

    wave_slug = load_set(MINI)
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    store_simulated(db, wave, 300, seed=4, today=dt.date(2026, 11, 23))
    db.flush()
    cell_keys = {id_: key for id_, key, _ in counting_queries.design_cells(db, wave)}
    kept = sorted(counting_queries.answer_counts(db, wave))
    codes = sorted({code for code, *_ in kept})
    read = counting_queries.answer_count_arrays(db, wave, [*codes, "NOT_A_CODE"])
    assert set(read) == {*codes, "NOT_A_CODE"} and read["NOT_A_CODE"].shape == (0, 3)
    in_bulk = sorted(
        (code, cell_keys[int(cell)], float(value), int(n))
        for code, rows in read.items()
        for cell, value, n in rows
    )
    assert in_bulk == kept
    assert any(value < 0 for _, _, value, _ in kept)  # negative values come through too
