"""Themes of open answers, as organizers and researchers use them (SQLite and PostgreSQL): the
codebook in the admin and as CSV, theme shares on the results pages and in the downloads with
disclosure control, suggested themes, and reading the masked answers."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from analysis.themes import answered
from consult.extensions import db as database
from consult.models import Answer, AuditEvent, Response, SuggestionStatus, Theme, ThemeSuggestion
from consult.organizing import queries as organizing_queries
from consult.results.api_schema import SCHEMAS
from consult.results.service import wave_results
from consult.themes import codebook
from demo.open_answers import EXAMPLE_CODEBOOK
from tests.consult.conftest import admin_token, csrf_from

THEMES = "/admin/c/biotech/themes"


def themes_in_db(app: Flask) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = database.session.scalars(select(Theme).order_by(Theme.code))
        return [(t.code, t.name_nl, t.name_en, t.keywords) for t in rows]


@pytest.fixture
def organizer(simulated_wave: str, logged_in) -> FlaskClient:  # type: ignore[no-untyped-def]
    client: FlaskClient = logged_in("organizer", ("biotech",))
    return client


def post(client: FlaskClient, path: str, data: dict[str, Any], page: str = THEMES) -> Any:
    return client.post(path, data={"csrf_token": admin_token(client, page), **data})


def test_an_organizer_adds_changes_and_removes_a_theme(app: Flask, organizer: FlaskClient) -> None:
    reply = post(
        organizer,
        THEMES,
        {
            "code": "safety",
            "name_nl": "Veiligheid",
            "name_en": "Safety",
            "keywords": "veilig\nrisico",
        },
    )
    assert reply.status_code == 303
    assert themes_in_db(app) == [("SAFETY", "Veiligheid", "Safety", "veilig\nrisico")]
    theme_id = _theme_id(app, "SAFETY")
    edit = f"{THEMES}/{theme_id}"
    reply = post(
        organizer,
        edit,
        {"name_nl": "Veiligheid en gezondheid", "name_en": "Safety and health",
         "keywords": "veilig; gezondheid"},
        page=edit,
    )  # fmt: skip
    assert reply.status_code == 303
    assert themes_in_db(app) == [
        ("SAFETY", "Veiligheid en gezondheid", "Safety and health", "veilig\ngezondheid")
    ]
    page = organizer.get(THEMES + "?lang=nl").get_data(as_text=True)
    assert "Veiligheid en gezondheid" in page and "veilig; gezondheid" in page
    assert post(organizer, f"{edit}/remove", {}).status_code == 303
    assert themes_in_db(app) == []
    with app.app_context():
        actions = database.session.scalars(select(AuditEvent.action)).all()
    assert {"add theme", "change theme", "remove theme"} <= set(actions)


def _theme_id(app: Flask, code: str) -> int:
    with app.app_context():
        found = database.session.scalar(select(Theme.id).where(Theme.code == code))
        assert found is not None
        return found


def test_a_wrong_theme_is_refused_with_a_clear_message(app: Flask, organizer: FlaskClient) -> None:
    reply = post(
        organizer,
        THEMES + "?lang=nl",
        {"code": "1 veilig", "name_nl": "", "name_en": "Safety", "keywords": " ; "},
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert "hoofdletters" in page  # the code's rule, in Dutch
    assert "Geef de Nederlandse naam" in page
    assert themes_in_db(app) == []
    post(organizer, THEMES, {"code": "A", "name_nl": "a", "name_en": "a", "keywords": "a"})
    again = post(organizer, THEMES, {"code": "A", "name_nl": "b", "name_en": "b", "keywords": "b"})
    assert again.status_code == 400
    assert "heeft al een thema met de code A" in again.get_data(as_text=True)
    without_token = organizer.post(
        THEMES, data={"code": "B", "name_nl": "b", "name_en": "b", "keywords": "b"}
    )
    assert without_token.status_code == 400
    assert [code for code, *_ in themes_in_db(app)] == ["A"]


def test_the_codebook_goes_out_and_back_in_as_csv(app: Flask, organizer: FlaskClient) -> None:
    reply = post(
        organizer,
        THEMES + "/import",
        {"file": (io.BytesIO(EXAMPLE_CODEBOOK.encode()), "themes.csv")},
    )
    assert reply.status_code == 303
    imported = themes_in_db(app)
    assert len(imported) == len(EXAMPLE_CODEBOOK.strip().splitlines()) - 1
    exported = organizer.get(THEMES.replace("/themes", "/themes.csv"))
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [row["code"] for row in rows] == [code for code, *_ in imported]
    # Removing everything and importing the export gives the same codebook.
    with app.app_context():
        for theme in database.session.scalars(select(Theme)):
            database.session.delete(theme)
        database.commit()
    back = post(organizer, THEMES + "/import", {"file": (io.BytesIO(exported.data), "x.csv")})
    assert back.status_code == 303
    assert themes_in_db(app) == imported


def test_a_bad_csv_imports_nothing_and_names_every_problem(
    app: Flask, organizer: FlaskClient
) -> None:
    post(organizer, THEMES, {"code": "KEEP", "name_nl": "a", "name_en": "a", "keywords": "a"})
    bad = (
        "code,name_nl,name_en,keywords\n"
        "GOOD,Goed,Good,goed\n"
        "bad code,Slecht,Bad,slecht\n"
        "GOOD,Nog eens,Again,weer\n"
        "EMPTY,,Empty,leeg\n"
        "NOWORDS,Geen,None,;;...\n"
    )
    reply = post(organizer, THEMES + "/import", {"file": (io.BytesIO(bad.encode()), "b.csv")})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    for line in ("regel 3", "regel 4", "regel 5", "regel 6"):
        assert line in page
    assert "regel 2:" not in page and "De Nederlandse naam is leeg" in page
    assert [code for code, *_ in themes_in_db(app)] == ["KEEP"]
    for data, words in (
        (b"naam;iets\nA;b\n", "eerste regel"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"", "leeg"),
    ):
        reply = post(organizer, THEMES + "/import", {"file": (io.BytesIO(data), "b.csv")})
        assert reply.status_code == 400 and words in reply.get_data(as_text=True)
    assert [code for code, *_ in themes_in_db(app)] == ["KEEP"]


def _import_codebook(app: Flask) -> None:
    with app.app_context():
        consultation = organizing_queries.consultation_by_slug(database.session, "biotech")
        assert consultation is not None
        codebook.import_csv(database.session, "test", consultation, EXAMPLE_CODEBOOK.encode())
        database.commit()


def _expected_shares(app: Flask, wave_slug: str, item: str) -> dict[str, float]:
    """Each theme's weighted share among the written answers, worked out here from the
    respondents' cells, the raked weights and the answers (not from the report's tables)."""
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, wave_slug)
        assert wave is not None
        design = wave_results(database.session, wave).design
        rows = database.session.execute(
            select(Response.cell, Response.language, Answer.text)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.wave_id == wave.id, Answer.code == item)
        ).all()
        themes = codebook.themes_of(database.session, wave.consultation)
        rows = [row for row, kept in zip(rows, answered(r[2] for r in rows), strict=True) if kept]
        weight = np.array([design.weights.weights[design.cell_index[r[0]]] for r in rows])
        matches = codebook.matcher_of(themes).match([r[2] for r in rows], [r[1] for r in rows])
        return {
            theme.code: float(weight @ matches[:, k] / weight.sum())
            for k, theme in enumerate(themes)
        }


def test_theme_shares_are_weighted_and_in_the_report_and_downloads(
    app: Flask, client: FlaskClient, simulated_wave: str, tmp_path: Path
) -> None:
    _import_codebook(app)
    runner = app.test_cli_runner()
    out = tmp_path / "report.json"
    result = runner.invoke(
        args=["report", "--wave", simulated_wave, "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    rows = [row for row in report["themes"] if row["item"] == "OPEN_WORRIES"]
    expected = _expected_shares(app, simulated_wave, "OPEN_WORRIES")
    assert {row["theme"] for row in rows} == set(expected)
    shown = [row for row in rows if not row["suppressed"]]
    assert shown, "some theme of the simulated answers is frequent enough to be shown"
    for row in shown:
        assert row["estimate"] == pytest.approx(expected[row["theme"]], abs=1e-9)
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        wave.results_published = True
        database.commit()
    page = client.get(f"/results/{simulated_wave}/items/OPEN_WORRIES?lang=nl")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Natuur en milieu" in text and "Kansen" in text
    download = client.get(f"/results/{simulated_wave}/downloads/themes.csv?lang=en")
    table = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert {row["theme_label"] for row in table} >= {"Nature and environment"}
    as_json = json.loads(client.get(f"/results/{simulated_wave}/downloads/estimates.json").data)
    assert len(as_json["themes"]) == len(report["themes"])
    package = zipfile.ZipFile(
        io.BytesIO(client.get(f"/results/{simulated_wave}/downloads/package.zip").data)
    )
    [themes_file] = [name for name in package.namelist() if name.endswith("/themes.csv")]
    assert package.read(themes_file) == download.data
    with tempfile.TemporaryDirectory() as folder:
        package.extractall(folder)
        [descriptor] = Path(folder).glob("*/datapackage.json")
        validation = frictionless.validate(str(descriptor))
        assert validation.valid, validation.flatten(["rowNumber", "fieldName", "note"])[:5]
    api = json.loads(client.get(f"/api/v1/waves/{simulated_wave}/estimates?lang=nl").data)
    for row in api["themes"]:
        jsonschema.validate(row, SCHEMAS["ThemeEstimate"])
    labelled = ("item_label", "group_label", "theme_label")
    assert [{k: v for k, v in row.items() if k not in labelled} for row in api["themes"]] == [
        {k: v for k, v in row.items() if k not in labelled} for row in report["themes"]
    ]
    # No download holds an answer itself.
    with app.app_context():
        some_answer = database.session.scalar(
            select(Answer.text).where(Answer.code == "OPEN_WORRIES", Answer.text.is_not(None))
        )
    assert some_answer
    for body in (text, download.get_data(as_text=True), json.dumps(as_json, ensure_ascii=False)):
        assert some_answer not in body


def test_theme_shares_follow_the_disclosure_control(
    app: Flask, small_wave: Callable[[int], str]
) -> None:
    wave_slug = small_wave(40)
    _import_codebook(app)
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, wave_slug)
        assert wave is not None
        for by in (None, "AGE_GROUP", "KNOW_BIO"):
            figures = wave_results(database.session, wave, by=by).themes
            assert figures is not None and figures.rows
            hidden = [row for row in figures.rows if row.suppressed]
            assert hidden, f"a minimum of 40 on 300 respondents hides some theme ({by})"
            for row in figures.rows:
                if row.suppressed:
                    assert row.n is None and row.base is None and np.isnan(row.estimate)
                else:
                    assert row.n == 0 or row.n >= 40
                    assert row.base is None or row.base >= 40


def test_only_the_consultations_researchers_read_the_answers_masked(
    app: Flask, client: FlaskClient, simulated_wave: str, logged_in
) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        wave.results_published = True
        first = database.session.scalar(
            select(Answer)
            .join(Response)
            .where(Response.wave_id == wave.id, Answer.code == "OPEN_WORRIES")
            .order_by(Answer.response_id)
        )
        assert first is not None
        first.text = "Mail mij: piet@example.nl of bel 06-12345678, ik woon op 1234 AB 5."
        database.commit()
    path = f"/results/{simulated_wave}/answers?code=OPEN_WORRIES"
    assert client.get(path).status_code == 404
    organizer = logged_in("organizer", ("biotech",))
    assert organizer.get(path).status_code == 404
    outsider = logged_in("researcher", (), email="outsider@example.org")
    assert outsider.get(path).status_code == 404
    researcher = logged_in("researcher", ("biotech",))
    reply = researcher.get(path)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "piet@example.nl" not in page and "06-12345678" not in page and "1234 AB" not in page
    assert "[e-mail]" in page and "[tel.]" in page and "[adres]" in page
    assert reply.headers["Cache-Control"] == "no-store"
    with app.app_context():
        events = database.session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(
                AuditEvent.action == "read open answers"
            )
        ).all()
    assert len(events) == 1
    actor, detail = events[0]
    assert actor.startswith("researcher") and "OPEN_WORRIES" in (detail or "")
    assert "piet" not in (detail or "")


def test_suggestions_can_be_accepted_renamed_or_rejected(
    app: Flask, organizer: FlaskClient, simulated_wave: str
) -> None:
    _import_codebook(app)
    reply = post(organizer, THEMES + "/suggest", {"wave": simulated_wave})
    assert reply.status_code == 303
    with app.app_context():
        found = database.session.scalars(
            select(ThemeSuggestion).order_by(ThemeSuggestion.size.desc())
        ).all()
        suggestions = [(s.id, s.term_list(), s.size) for s in found]
    assert len(suggestions) >= 2
    # The simulated answers about animals match no theme of the example codebook.
    assert any(any("dier" in term for term in terms) for _, terms, _ in suggestions)
    page = organizer.get(THEMES).get_data(as_text=True)
    for _, terms, _ in suggestions:
        assert ", ".join(terms) in page
    (accept, terms, _), (reject, _, _) = suggestions[0], suggestions[1]
    token = csrf_from(page)
    reply = organizer.post(
        f"/admin/c/biotech/suggestions/{accept}/accept",
        data={
            "csrf_token": token,
            f"s{accept}-code": "ANIMALS",
            f"s{accept}-name_nl": "Dierenwelzijn",
            f"s{accept}-name_en": "Animal welfare",
            f"s{accept}-keywords": "\n".join(terms),
        },
    )
    assert reply.status_code == 303
    added = [row for row in themes_in_db(app) if row[0] == "ANIMALS"]
    assert added == [("ANIMALS", "Dierenwelzijn", "Animal welfare", "\n".join(terms))]
    reply = organizer.post(
        f"/admin/c/biotech/suggestions/{reject}/reject", data={"csrf_token": token}
    )
    assert reply.status_code == 303
    with app.app_context():
        status = {s.id: s.status for s in database.session.scalars(select(ThemeSuggestion)).all()}
    assert status[accept] == SuggestionStatus.ACCEPTED
    assert status[reject] == SuggestionStatus.REJECTED
