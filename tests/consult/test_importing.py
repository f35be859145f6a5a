"""Importing panel responses from CSV: validated against the question set, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.counting.service import rebuild_counts
from consult.models import Answer, Response, ResponseStatus, Wave
from tests.consult.conftest import MINI

HEADER = "KNOW,AGE,SOURCES,ACC_A,COND_A_SAFETY,COND_A_ETHICS,ACC_B,GOALS,SPEED,WORRY,SEX\n"
GOOD = HEADER + "1,34,1;2,1,1,2,,3;1;2,7,Zorgen,1\n" + "2,,,,,,2,,0,,99\n" + "9,80,,,,,,1;2;3,,,2\n"


def run_import(app: Flask, tmp_path: Path, text: str, wave: str = "mini-2026") -> tuple[int, str]:
    path = tmp_path / "responses.csv"
    path.write_text(text)
    result = app.test_cli_runner().invoke(args=["responses", "import", str(path), "--wave", wave])
    return result.exit_code, result.output


def test_import_stores_complete_responses_with_counts(
    app: Flask, db: Session, load_set: Callable[..., str], tmp_path: Path
) -> None:
    load_set(MINI)
    code, output = run_import(app, tmp_path, GOOD)
    assert code == 0, output
    assert "Imported 3 complete responses" in output
    db.expire_all()
    assert (
        db.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.COMPLETE))
        == 3
    )
    sources = db.scalars(select(Answer.option).where(Answer.code == "SOURCES")).all()
    assert sorted(sources) == [1, 2]
    ranks = db.execute(select(Answer.option, Answer.number).where(Answer.code == "GOALS")).all()
    assert sorted(ranks) == [(1, 1.0), (1, 2.0), (2, 2.0), (2, 3.0), (3, 1.0), (3, 3.0)]
    wave = db.scalar(select(Wave).where(Wave.slug == "mini-2026"))
    assert wave is not None
    assert sorted(key for _, key, _ in counting_queries.design_cells(db, wave)) == ["1", "2", "99"]
    imported = sorted(counting_queries.answer_counts(db, wave))
    rebuild_counts(db, wave)
    assert sorted(counting_queries.answer_counts(db, wave)) == imported


def test_import_reports_every_bad_row_and_column_and_stores_nothing(
    app: Flask, db: Session, load_set: Callable[..., str], tmp_path: Path
) -> None:
    load_set(MINI)
    bad = (
        "KNOW,AGE,NOPE,SOURCES,SPEED,SEX\n"
        + "7,34,x,,,1\n"  # option 7 does not exist
        + "1,12,x,1;4,,1\n"  # age below 18; 'none of these' combined with another
        + "2,40,x,1,11,1\n"  # SOURCES hidden when KNOW is 2; slider above 10
        + "1,40,x,,,1,extra\n"  # one value too many
    )
    code, output = run_import(app, tmp_path, bad)
    assert code == 1
    for expected in (
        "column 'NOPE'",
        "row 2, column KNOW",
        "row 3, column AGE",
        "row 3, column SOURCES",
        "row 4, column SOURCES: answered, but not shown",
        "row 4, column SPEED",
        "row 5: more values than columns",
        "nothing was imported",
    ):
        assert expected in output, expected
    db.expire_all()
    assert db.scalar(select(func.count(Response.id))) == 0


def test_import_into_an_unknown_wave(app: Flask, tmp_path: Path) -> None:
    code, output = run_import(app, tmp_path, GOOD, wave="nope")
    assert code != 0 and "no wave nope" in output
