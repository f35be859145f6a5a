"""The counts the analysis reads stay equal to a fresh count of the stored answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.counting.many import Tally
from consult.counting.plan import plan_of
from consult.counting.recount import recount_wave
from consult.counting.service import ensure_current_counts, rebuild_counts
from consult.models import AnswerCount, Response, Wave
from consult.organizing.question_sets import question_set_of
from consult.results.design import ResultsError, load_design
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI

IMPORTED = (
    "KNOW,AGE,SOURCES,ACC_A,COND_A_SAFETY,COND_A_ETHICS,ACC_B,GOALS,SPEED,WORRY,SEX\n"
    "1,34,1;2,1,1,2,,3;1;2,7,Zorgen,1\n"
    "2,,,,,,2,,0,,99\n"
    "9,80,,,,,,1;2;3,,,2\n"
)


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
    for whole_numbers in ((), codes):  # as rows, and as one text of whole numbers
        read = counting_queries.answer_count_arrays(
            db, wave, [*codes, "NOT_A_CODE"], {*whole_numbers, "NOT_A_CODE"}
        )
        assert set(read) == {*codes, "NOT_A_CODE"} and read["NOT_A_CODE"].shape == (0, 3)
        in_bulk = sorted(
            (code, cell_keys[int(cell)], float(value), int(n))
            for code, rows in read.items()
            for cell, value, n in rows
        )
        assert in_bulk == kept
        for rows in read.values():  # in the primary key's order, which the figures sum in
            assert rows[np.lexsort((rows[:, 1], rows[:, 0]))].tolist() == rows.tolist()
    assert any(value < 0 for _, _, value, _ in kept)  # negative values come through too


def test_a_recount_equals_the_counts_kept_by_submits_imports_and_simulations(
    app: Flask,
    db: Session,
    load_set: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One wave filled three ways, each counted by its own engine as it arrives (submits and
    imports by `one`, the simulation by `many`): the streamed recount, in chunks smaller than
    the wave, gives back every count and cell."""
    from demo.simulation import store_simulated

    wave_slug = load_set(MINI)
    for know, sources in (("1", ["2", "3"]), ("2", [])):
        citizen = Citizen(app.test_client(), wave_slug, MINI)
        citizen.start()
        citizen.answer_page_validly({"KNOW": [know], "AGE": ["51"]})
        if sources:
            citizen.answer_page_validly({"SOURCES": sources})
        citizen.answer_all_pages({"SEX": ["2"]})
        citizen.submit()
    csv = tmp_path / "responses.csv"
    csv.write_text(IMPORTED)
    result = app.test_cli_runner().invoke(
        args=["responses", "import", str(csv), "--wave", wave_slug]
    )
    assert result.exit_code == 0, result.output
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    store_simulated(db, wave, 250, seed=9, today=dt.date(2026, 11, 30))
    db.flush()

    kept = sorted(counting_queries.answer_counts(db, wave))
    cells = sorted((key, n) for _, key, n in counting_queries.design_cells(db, wave))
    assert sum(n for _, n in cells) == 2 + 3 + 250
    plan = plan_of(question_set_of(wave.question_set_version))
    assert wave.counts_fingerprint == plan.fingerprint()  # stamped when the wave was made
    assert recount_wave(db, wave, plan, chunk=40) == len(kept)
    assert sorted(counting_queries.answer_counts(db, wave)) == kept
    assert sorted((key, n) for _, key, n in counting_queries.design_cells(db, wave)) == cells
    # Each code's rows from several chunks added up along the way, not only at the end.
    monkeypatch.setattr(Tally, "MERGE_ROWS", 3)
    assert recount_wave(db, wave, plan, chunk=40) == len(kept)
    assert sorted(counting_queries.answer_counts(db, wave)) == kept


def test_counts_under_another_rule_are_recounted_before_a_report(
    app: Flask, db: Session, load_set: Callable[..., str]
) -> None:
    """A wave whose stored fingerprint is not its plan's (counted by older code, or before
    fingerprints: NULL) cannot be reported until it is recounted; a current one is left alone."""
    from demo.simulation import store_simulated

    wave_slug = load_set(MINI)
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    store_simulated(db, wave, 120, seed=2, today=dt.date(2026, 11, 30))
    kept = sorted(counting_queries.answer_counts(db, wave))
    assert ensure_current_counts(db, [wave]) == []

    for stale in (None, "0" * 64):
        wave.counts_fingerprint = stale
        # As if an older rule had left a count that today's rule does not make.
        db.execute(
            update(AnswerCount).where(AnswerCount.code == "KNOW").values(n=AnswerCount.n + 1)
        )
        with pytest.raises(ResultsError, match="another counting rule"):
            load_design(db, wave, mode="unweighted")
        assert ensure_current_counts(db, [wave]) == [wave]
        assert (
            wave.counts_fingerprint
            == plan_of(question_set_of(wave.question_set_version)).fingerprint()
        )
        assert sorted(counting_queries.answer_counts(db, wave)) == kept
        assert load_design(db, wave, mode="unweighted").weights.n == 120
