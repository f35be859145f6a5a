"""A citizen takes a consultation: the whole way through, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.counting.service import rebuild_counts
from consult.extensions import db as database
from consult.models import Answer, Response, ResponseStatus, Wave, WaveStatus
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, SHIPPED, csrf_from

LoadSet = Callable[..., str]


def responses(db: Session) -> list[Response]:
    db.expire_all()
    return list(db.scalars(select(Response).order_by(Response.id)))


def answers_of(db: Session, response: Response) -> dict[str, list[tuple]]:
    db.expire_all()
    stored: dict[str, list[tuple]] = {}
    for answer in db.scalars(select(Answer).where(Answer.response_id == response.id)):
        stored.setdefault(answer.code, []).append((answer.option, answer.number, answer.text))
    return stored


def test_home_lists_open_consultations_only(client: FlaskClient, load_set: LoadSet) -> None:
    load_set(MINI, open_wave=False)
    assert "Kleine consultatie" not in client.get("/").get_data(as_text=True)
    load_set(MINI, open_wave=True)
    page = client.get("/").get_data(as_text=True)
    assert "Kleine consultatie" in page
    assert 'href="/c/mini-2026"' in page


def test_start_page_explains_privacy_in_both_languages(
    client: FlaskClient, load_set: LoadSet
) -> None:
    load_set()
    dutch = client.get("/c/mini-2026").get_data(as_text=True)
    assert "anoniem" in dutch and "IP-adres" in dutch and 'lang="nl"' in dutch
    english = client.get("/c/mini-2026?lang=en").get_data(as_text=True)
    assert "anonymously" in english and 'lang="en"' in english
    # The choice is remembered on the next page.
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_full_flow_stores_every_answer_once(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    assert citizen.page_id == "knowledge"
    assert "Stap 1 van" in citizen.html
    citizen.answer_all_pages()
    assert "Controleer uw antwoorden" in citizen.html
    done = citizen.submit()
    assert done.request.path == f"/c/{wave}/thanks"
    assert "Bedankt" in done.get_data(as_text=True)

    [response] = responses(db)
    assert response.status == ResponseStatus.COMPLETE
    assert response.submitted_on is not None
    stored = answers_of(db, response)
    assert stored["KNOW"] == [(1, None, None)] or stored["KNOW"] == [(2, None, None)]
    assert stored["AGE"] == [(None, 18.0, None)]
    assert stored["WORRY"] == [(None, None, "Zorgen over veiligheid & <script>")]
    assert sorted(stored["GOALS"]) == [(1, 1.0, None), (2, 2.0, None), (3, 3.0, None)]
    # The split ballot shows exactly one of the two application pages.
    assert ("ACC_A" in stored) != ("ACC_B" in stored)
    assert len([p for p in citizen.pages_seen if p.startswith("app_")]) == 1


def test_order_shown_is_recorded_with_the_response(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    Citizen(client, wave, MINI).start()
    [response] = responses(db)
    recorded = json.loads(response.layout)
    assert "app_a" in json.dumps(recorded) or "app_b" in json.dumps(recorded)
    assert response.order_seed is not None


def test_shipped_consultation_completes(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set(SHIPPED)
    citizen = Citizen(client, wave, SHIPPED)
    citizen.complete()
    assert citizen.last is not None and citizen.last.request.path == f"/c/{wave}/thanks"
    [response] = responses(db)
    assert response.status == ResponseStatus.COMPLETE
    stored = answers_of(db, response)
    # Five of the eleven applications, each with acceptance, conditions and conditional acceptance.
    acceptance = [code for code in stored if code.startswith("ACC_")]
    conditional = [code for code in stored if code.startswith("CACC_")]
    assert len(acceptance) == 5 and len(conditional) == 5
    for code in ("AGE_GROUP", "SEX", "EDUCATION", "PROVINCE"):
        assert code in stored
    print(f"answer rows stored for one complete response: {sum(map(len, stored.values()))}")
    # Its counts, profiles and scale sums included, are what a recount from the answers finds.
    kept = sorted(counting_queries.answer_counts(db, response.wave))
    assert any(code.startswith("~domain:") for code, *_ in kept)
    assert any(code.startswith("~scale:") for code, *_ in kept)
    rebuild_counts(db, response.wave)
    assert sorted(counting_queries.answer_counts(db, response.wave)) == kept


def test_conditions_skip_pages_and_drop_answers_no_longer_shown(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_page_validly({"KNOW": ["1"]})
    assert citizen.page_id == "followup"
    citizen.answer_page_validly({"SOURCES": ["1", "2"]})
    # Go back to the first page and change the answer: the follow-up page disappears.
    citizen.get(f"/c/{wave}/page/knowledge")
    citizen.answer_page_validly({"KNOW": ["2"]})
    assert citizen.page_id in ("app_a", "app_b")
    citizen.answer_all_pages()
    citizen.submit()
    [response] = responses(db)
    stored = answers_of(db, response)
    assert "SOURCES" not in stored
    assert stored["KNOW"] == [(2, None, None)]


def test_back_keeps_answers_and_shows_them_again(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_page_validly({"KNOW": ["2"], "AGE": ["44"]})
    citizen.answer({"ACC_A": ["1"], "ACC_B": ["1"]}, action="back")
    assert citizen.page_id == "knowledge"
    assert 'value="44"' in citizen.html
    assert re.search(r'value="2"\s+checked', citizen.html)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"AGE": ["40"]}, "Kies uw antwoord op ‘Weet u wat biotechnologie is?’"),  # KNOW missing
        ({"KNOW": ["7"]}, "bestaat niet"),  # tampered option code
        ({"KNOW": ["1"], "AGE": ["12"]}, "18"),  # out of range
        ({"KNOW": ["1"], "AGE": ["veertig"]}, "getal"),  # not a number
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_stores_nothing(
    client: FlaskClient,
    db: Session,
    load_set: LoadSet,
    fields: dict[str, list[str]],
    message: str,
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    result = citizen.answer(fields)
    assert result.status_code == 422
    page = citizen.html
    assert message in page
    # The message stands beside the field and is tied to it for screen readers.
    assert re.search(r'aria-describedby="[^"]*-error"', page)
    assert "error-summary" in page
    [response] = responses(db)
    assert answers_of(db, response) == {}
    # What the citizen typed is still there to correct.
    if "AGE" in fields:
        assert f'value="{fields["AGE"][0]}"' in page


def test_error_messages_follow_the_language(client: FlaskClient, load_set: LoadSet) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}?lang=en")
    citizen.post(f"/c/{wave}/start", {"consent": "y"})
    citizen.answer({"AGE": ["40"]})
    assert "Choose your answer to ‘Do you know what biotechnology is?’" in citizen.html


def test_over_long_text_is_refused(client: FlaskClient, db: Session, load_set: LoadSet) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    while citizen.page_id != "closing":
        citizen.answer_page_validly()
    result = citizen.answer({"WORRY": ["x" * 51]})
    assert result.status_code == 422
    assert "50" in citizen.html
    [response] = responses(db)
    assert "WORRY" not in answers_of(db, response)


def test_multiple_choice_limits(client: FlaskClient, load_set: LoadSet) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_page_validly({"KNOW": ["1"]})
    assert citizen.answer({"SOURCES": ["1", "2", "3"]}).status_code == 422
    assert citizen.answer({"SOURCES": ["1", "4"]}).status_code == 422
    assert citizen.answer({"SOURCES": ["4"]}).status_code == 200


def test_consent_is_required_before_anything_is_stored(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}")
    result = citizen.post(f"/c/{wave}/start", {})
    assert result.status_code == 422
    assert "Vink het vakje aan" in citizen.html
    assert responses(db) == []


def test_missing_csrf_token_is_refused_and_stores_nothing(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    result = client.post(f"/c/{wave}/start", data={"consent": "y"})
    assert result.status_code == 400
    assert "niets opgeslagen" in result.get_data(as_text=True)
    assert responses(db) == []
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    forged = client.post(f"/c/{wave}/page/knowledge", data={"KNOW": "1", "csrf_token": "forged"})
    assert forged.status_code == 400
    [response] = responses(db)
    assert answers_of(db, response) == {}


def test_unknown_and_closed_waves(client: FlaskClient, db: Session, load_set: LoadSet) -> None:
    assert client.get("/c/no-such-wave").status_code == 404
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    db.expire_all()
    db.scalar(select(Wave).where(Wave.slug == wave)).status = WaveStatus.CLOSED  # type: ignore[union-attr]
    db.commit()
    closed = client.get(f"/c/{wave}")
    assert closed.status_code == 410
    assert "gesloten" in closed.get_data(as_text=True)
    replay = client.post(
        f"/c/{wave}/page/knowledge", data={"KNOW": "1", "csrf_token": csrf_from(citizen.html)}
    )
    assert replay.status_code == 410
    assert answers_of(db, responses(db)[0]) == {}


def test_submitting_twice_leaves_one_complete_response(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_all_pages()
    token = csrf_from(citizen.html)
    first = client.post(f"/c/{wave}/review", data={"csrf_token": token})
    second = client.post(f"/c/{wave}/review", data={"csrf_token": token})
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"].endswith(f"/c/{wave}/thanks")
    [response] = responses(db)
    assert response.status == ResponseStatus.COMPLETE
    stored = answers_of(db, response)
    # A replayed page POST and the back button after finishing change nothing.
    replay = client.post(
        f"/c/{wave}/page/knowledge", data={"KNOW": "2", "AGE": "99", "csrf_token": token}
    )
    assert replay.status_code == 303 and replay.headers["Location"].endswith("/thanks")
    back = client.get(f"/c/{wave}/page/knowledge", follow_redirects=True)
    assert back.request.path == f"/c/{wave}/thanks"
    assert answers_of(db, response) == stored
    assert len(responses(db)) == 1


def test_required_questions_cannot_be_skipped_by_url(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.get(f"/c/{wave}/page/closing")
    citizen.answer_page_validly()
    assert citizen.page_id == "knowledge"  # sent back to the required question
    citizen.submit()
    assert citizen.page_id == "knowledge"
    assert responses(db)[0].status == ResponseStatus.IN_PROGRESS


def test_double_click_on_start_starts_one_response(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}")
    token = csrf_from(citizen.html)
    client.post(f"/c/{wave}/start", data={"consent": "y", "csrf_token": token})
    client.post(f"/c/{wave}/start", data={"consent": "y", "csrf_token": token})
    assert len(responses(db)) == 1


RESUME_CODE = re.compile(r'class="code">([A-Z2-7-]+)<')


def test_resume_on_another_device(client: FlaskClient, app, db: Session, load_set: LoadSet) -> None:  # type: ignore[no-untyped-def]
    wave = load_set()
    laptop = Citizen(client, wave, MINI)
    laptop.start()
    laptop.answer_page_validly({"KNOW": ["2"], "AGE": ["67"]})
    reached = laptop.page_id
    match = RESUME_CODE.search(laptop.html)
    assert match, "the page shows the resume code"
    code = match.group(1)
    assert len(code.replace("-", "")) == 32  # 160 bits in base 32
    [response] = responses(db)
    assert code not in response.resume_token_hash  # only a hash is stored

    phone = Citizen(app.test_client(), wave, MINI)
    phone.get(f"/c/{wave}/resume?code={code.lower().replace('-', ' ')}")
    phone.post(f"/c/{wave}/resume", {"code": phone_code(phone.html)})
    assert phone.page_id == reached, phone.html
    phone.get(f"/c/{wave}/page/knowledge")
    assert 'value="67"' in phone.html
    phone.answer_all_pages()
    phone.submit()
    assert responses(db)[0].status == ResponseStatus.COMPLETE
    assert len(responses(db)) == 1


def phone_code(html: str) -> str:
    match = re.search(r'id="code" name="code" value="([^"]*)"', html)
    assert match
    return match.group(1)


def test_wrong_resume_code_is_refused_and_attempts_are_limited(
    client: FlaskClient, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}/resume")
    token = csrf_from(citizen.html)
    statuses = []
    for _ in range(12):
        attempt = {"code": "AAAA-BBBB", "csrf_token": token}
        statuses.append(citizen.post(f"/c/{wave}/resume", attempt).status_code)
        if statuses[-1] == 422:
            assert "kennen we niet" in citizen.html
    assert statuses[:10] == [422] * 10
    assert statuses[-1] == 429
    assert "Te veel pogingen" in citizen.html


def test_answers_are_escaped_when_shown_again(client: FlaskClient, load_set: LoadSet) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    while citizen.page_id != "closing":
        citizen.answer_page_validly()
    citizen.answer_page_validly({"WORRY": ['<script>alert("x")</script>']})
    citizen.get(f"/c/{wave}/page/closing")
    assert "<script>alert" not in citizen.html
    assert "&lt;script&gt;alert" in citizen.html


def test_no_client_address_is_stored(client: FlaskClient, db: Session, load_set: LoadSet) -> None:
    wave = load_set()
    Citizen(client, wave, MINI).complete()
    db.expire_all()
    texts = db.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    layouts = db.scalars(select(Response.layout)).all()
    assert not any("127.0.0.1" in value for value in [*texts, *layouts])
    assert {c.name for c in Response.__table__.columns}.isdisjoint(
        {"ip", "ip_address", "user_agent", "created_at", "submitted_at"}
    )
    assert db.scalar(select(func.count(Response.id))) == 1


def test_the_yardstick_page_reads_no_database(app: Flask, client: FlaskClient) -> None:
    """`/hello` is what bench/load.py compares the citizens' pages with: the framework, a
    template and the server alone. A query on it would make the comparison flatter the app."""
    with app.app_context():
        engine = database.engine
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/hello")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert page.status_code == 200
    assert "Naar de startpagina" in page.get_data(as_text=True)
    assert statements == []
