"""Simulated responses: realistic, reproducible, stored with counts equal to a recount."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.counting.service import rebuild_counts
from consult.models import Answer, Response, ResponseStatus, Wave
from demo.simulation import simulate
from surveys.loader import load_file
from tests.consult.conftest import SHIPPED

MARGINS = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "margins-nl-adults.csv"


def test_simulated_answers_follow_the_question_set() -> None:
    question_set = load_file(SHIPPED)
    data = simulate(question_set, 4000, seed=3)
    again = simulate(question_set, 4000, seed=3)
    assert all(np.array_equal(data.values[c], again.values[c], equal_nan=True) for c in data.values)
    # Five of the eleven applications per respondent (split ballot).
    shown = np.column_stack(
        [~np.isnan(data.values[c]) for c in data.values if c.startswith("CACC_")]
    )
    per_respondent = shown.sum(axis=1)
    assert per_respondent.max() == 5 and per_respondent.mean() > 4.8  # a few skip a question
    # Sources are only asked of those who know something (KNOW_BIO in 2, 3, 4).
    sources = data.selections["INFO_SOURCES"]
    know = data.values["KNOW_BIO"]
    assert not np.any(sources.answered & ~np.isin(know, [2, 3, 4]))
    # Acceptance rises when the conditions one finds necessary are met.
    for application in ("CRISPR", "XENO"):
        before, after = data.values[f"ACC_{application}"], data.values[f"CACC_{application}"]
        both = ~np.isnan(before) & ~np.isnan(after) & (before != 9) & (after != 9)
        assert np.mean(after[both] >= 4) > np.mean(before[both] >= 4) + 0.05


def test_simulate_command_stores_complete_responses_and_counts(
    app: Flask, db: Session, load_set: Callable[..., str]
) -> None:
    wave_slug = load_set(SHIPPED)
    runner = app.test_cli_runner()
    runner.invoke(args=["waves", "margins", wave_slug, str(MARGINS)])
    result = runner.invoke(args=["responses", "simulate", "--wave", wave_slug, "-n", "300"])
    assert result.exit_code == 0, result.output
    db.expire_all()
    complete = db.scalar(
        select(func.count(Response.id)).where(Response.status == ResponseStatus.COMPLETE)
    )
    assert complete == 300
    assert (db.scalar(select(func.count(Answer.id))) or 0) > 300 * 40
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    kept = sorted(counting_queries.answer_counts(db, wave))
    rebuild_counts(db, wave)
    assert sorted(counting_queries.answer_counts(db, wave)) == kept
    # Weighting matters: the sample is older than the population.
    oldest = sum(n for code, _, value, n in kept if code == "AGE_GROUP" and value == 7.0)
    assert oldest / 300 > 0.11 * 1.2  # 75+ is 11% of the adult population
