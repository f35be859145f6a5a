"""`consult purge`: after the retention period a closed wave's respondent-level data goes, and
every published figure stays as it was."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.models import Answer, AuditEvent, Response, Wave, WeightingCell
from consult.organizing.waves import WaveError, change_version
from tests.consult.conftest import MINI

# The ETag and the request id say nothing about the figures; everything else must be equal.
VOLATILE = re.compile(r"(nonce|csrf_token)[^>]*>")


def published_pages(client: FlaskClient, wave: str) -> dict[str, str]:
    pages = {}
    for path in (
        f"/results/{wave}",
        f"/results/{wave}/items/ACC_CRISPR",
        f"/results/{wave}/items/ACC_CRISPR?by=AGE_GROUP",
        f"/results/{wave}/downloads/estimates.csv",
        f"/api/v1/waves/{wave}/estimates",
        f"/api/v1/waves/{wave}/summary",
    ):
        reply = client.get(path)
        assert reply.status_code == 200, (path, reply.status_code)
        pages[path] = VOLATILE.sub("", reply.get_data(as_text=True))
    return pages


def count(db: Session, model: type, wave_id: int) -> int:
    db.expire_all()
    column = Answer.response_id if model is Answer else model.wave_id  # type: ignore[attr-defined]
    query = select(func.count()).select_from(model)
    if model is Answer:
        query = query.join(Response, Response.id == column).where(Response.wave_id == wave_id)
    else:
        query = query.where(column == wave_id)
    return int(db.scalar(query) or 0)


def test_purge_keeps_every_published_figure_and_logs_it(
    app: Flask, client: FlaskClient, db: Session, small_wave
) -> None:  # type: ignore[no-untyped-def]
    slug = small_wave(10)
    runner = app.test_cli_runner()
    wave_id = db.scalar(select(Wave.id).where(Wave.slug == slug))
    before = published_pages(client, slug)
    assert count(db, Response, wave_id) == 300 and count(db, Answer, wave_id) > 300

    refused = runner.invoke(args=["purge", "--wave", slug, "--yes"])
    assert refused.exit_code != 0 and "close it first" in refused.output
    assert count(db, Response, wave_id) == 300

    assert runner.invoke(args=["waves", "close", slug]).exit_code == 0
    declined = runner.invoke(args=["purge", "--wave", slug], input="n\n")
    assert declined.exit_code != 0 and "300 responses" in declined.output
    assert count(db, Response, wave_id) == 300

    done = runner.invoke(args=["purge", "--wave", slug], input="y\n")
    assert done.exit_code == 0, done.output
    assert count(db, Response, wave_id) == 0 and count(db, Answer, wave_id) == 0
    assert count(db, WeightingCell, wave_id) > 0
    assert published_pages(client, slug) == before

    (entry,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "purge wave"))
    assert entry.target == f"wave:{slug}" and entry.detail is not None
    assert entry.detail.startswith("300 responses")

    # Its counts follow its question set: the version can no more change than before.
    wave = db.scalars(select(Wave).where(Wave.slug == slug)).one()
    with pytest.raises(WaveError, match="already has responses"):
        change_version(db, wave, wave.question_set_version)


def test_a_report_after_a_purge_does_not_recount_from_nothing(
    app: Flask, db: Session, small_wave, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    slug = small_wave(10)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["waves", "close", slug]).exit_code == 0
    assert runner.invoke(args=["purge", "--wave", slug, "--yes"]).exit_code == 0
    wave = db.scalars(select(Wave).where(Wave.slug == slug)).one()
    wave.counts_fingerprint = "an older counting rule"
    db.commit()
    before = db.scalar(
        select(func.sum(WeightingCell.respondents)).where(WeightingCell.wave_id == wave.id)
    )
    result = runner.invoke(args=["report", "--wave", slug, "-o", str(tmp_path / "r.json")])
    db.expire_all()
    after = db.scalar(
        select(func.sum(WeightingCell.respondents)).where(WeightingCell.wave_id == wave.id)
    )
    assert before == after == 300, result.output


def test_purge_refuses_a_draft_wave(app: Flask, load_set) -> None:  # type: ignore[no-untyped-def]
    slug = load_set(MINI, open_wave=False)
    result = app.test_cli_runner().invoke(args=["purge", "--wave", slug, "--yes"])
    assert result.exit_code != 0 and "close it first" in result.output
