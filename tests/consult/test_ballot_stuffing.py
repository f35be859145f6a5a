"""One address starting many responses on an open wave: a short wait past a burst, a ceiling, and
the signs organizers see (bursts, identical answers) without any address stored."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.extensions import db as database
from consult.models import Response, Wave
from consult.organizing import queries
from consult.organizing.monitoring import IdenticalAnswers, identical_answers
from consult.responding import challenge
from consult.responding.queries import insert_complete_responses
from surveys.model import AnswerCell
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, csrf_from
from tests.consult.test_taking_consultation import responses

LoadSet = Callable[..., str]
TICKET = 'name="wait_ticket" value="'


def start_in_new_browser(app: Flask, wave: str, address: str = "192.0.2.7") -> Citizen:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    return citizen


def test_starts_past_a_burst_wait_a_few_seconds_then_go_ahead(
    app: Flask, db: Session, load_set: LoadSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["CONSULT_START_BURST"] = "2 per 10 minutes"
    wave = load_set()
    for _ in range(2):
        assert start_in_new_browser(app, wave).position == 1
    clock = [1_000_000.0]
    monkeypatch.setattr(challenge, "now", lambda: clock[0])
    third = start_in_new_browser(app, wave)
    assert third.last is not None and third.last.status_code == 429
    assert "Een ogenblik geduld" in third.html and TICKET in third.html
    assert int(third.last.headers["Retry-After"]) >= challenge.WAIT_SECONDS - 1
    assert len(responses(db)) == 2  # nothing started yet
    # Pressing the button too early: still waiting, and still nothing stored.
    clock[0] += challenge.WAIT_SECONDS - 3
    early = third.post(f"/c/{wave}/start", {"consent": "y", "wait_ticket": ticket_of(third.html)})
    assert early.status_code == 429 and "3 seconden" in third.html
    assert len(responses(db)) == 2
    # A ticket is bound to its browser: another one cannot use it.
    ticket = ticket_of(third.html)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    token = csrf_from(other.get(f"/c/{wave}").get_data(as_text=True))
    clock[0] += 5
    stolen = other.post(
        f"/c/{wave}/start", data={"consent": "y", "wait_ticket": ticket, "csrf_token": token}
    )
    assert stolen.status_code == 429
    # After the wait the same button starts the response; another address never waited.
    third.post(f"/c/{wave}/start", {"consent": "y", "wait_ticket": ticket})
    assert third.position == 1
    assert start_in_new_browser(app, wave, address="198.51.100.4").position == 1
    assert len(responses(db)) == 4


def test_starts_past_the_ceiling_are_refused_and_continuing_is_not(
    app: Flask, db: Session, load_set: LoadSet
) -> None:
    app.config["CONSULT_START_LIMIT"] = "2 per hour"
    wave = load_set()
    first = start_in_new_browser(app, wave)
    start_in_new_browser(app, wave)
    refused = start_in_new_browser(app, wave)
    assert refused.last is not None and refused.last.status_code == 429
    assert len(responses(db)) == 2
    # Who already started goes on: saving and clicking start again are no new starts.
    first.answer_page_validly({"KNOW": ["2"]})
    assert first.position == 2
    first.get(f"/c/{wave}")
    assert first.get(f"/c/{wave}/continue").status_code == 200 and first.position == 2


def test_invitation_waves_need_no_wait(app: Flask, load_set: LoadSet) -> None:
    """A panel uses one-time codes; those are the limit there."""
    app.config["CONSULT_START_BURST"] = "1 per 10 minutes"
    wave = load_set()
    assert start_in_new_browser(app, wave).position == 1
    with app.app_context():
        from consult.extensions import db as database
        from consult.models import Wave, WaveMode

        found = database.session.scalar(select(Wave).where(Wave.slug == wave))
        assert found is not None
        found.mode = WaveMode.INVITE
        database.session.commit()
    invited = app.test_client()
    invited.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    token = csrf_from(invited.get(f"/c/{wave}").get_data(as_text=True))
    reply = invited.post(
        f"/c/{wave}/start", data={"consent": "y", "invitation": "AAAA", "csrf_token": token}
    )
    assert reply.status_code == 422  # judged by its code, not made to wait


def test_no_address_is_stored_for_the_counts(app: Flask, db: Session, load_set: LoadSet) -> None:
    app.config["CONSULT_START_BURST"] = "1 per 10 minutes"
    wave = load_set()
    start_in_new_browser(app, wave, address="203.0.113.99")
    start_in_new_browser(app, wave, address="203.0.113.99")
    for response in db.scalars(select(Response)):
        assert "203.0.113.99" not in repr(vars(response))


def ticket_of(html: str) -> str:
    start = html.index(TICKET) + len(TICKET)
    return html[start : html.index('"', start)]


def test_responses_without_answers_count_as_one_more_group() -> None:
    groups = {3: 1, 2: 1, 1: 3}  # eight responses with answers
    assert identical_answers(groups, completed=10) == IdenticalAnswers(3, 7, 3)
    assert identical_answers({}, completed=0) == IdenticalAnswers(0, 0, 0)
    assert identical_answers({1: 2}, completed=3) == IdenticalAnswers(0, 0, 0)
    assert identical_answers({2: 1}, completed=4) == IdenticalAnswers(2, 4, 2)


def test_identical_answer_sets_are_counted_in_sql_whatever_order_they_were_stored_in(
    app: Flask, db: Session, load_set: LoadSet
) -> None:
    """Three responses with the same answers stored in different orders, two others."""
    wave_slug = load_set()
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    same = [("KNOW", 2, None, None), ("AGE", None, 40.0, None), ("NOTE", None, None, "ja")]
    vectors = [same, same[::-1], [same[1], same[0], same[2]], same[:2], [("KNOW", 1, None, None)]]
    with app.app_context():
        insert_complete_responses(
            database.session,
            database.session.merge(wave),
            [("", [AnswerCell(*cell) for cell in vector]) for vector in vectors],
            dt.date.today(),
            language="nl",
        )
        database.session.commit()
    assert queries.identical_answer_groups(db, wave) == {3: 1, 1: 2}


def test_the_wave_page_shows_identical_responses_and_the_busiest_minutes(
    app: Flask, load_set: LoadSet, logged_in
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set()
    overrides = {"KNOW": ["2"], "AGE": ["40"], "ACC_A": ["1"], "ACC_B": ["1"]}
    for number in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number}"
        citizen = Citizen(client, wave, MINI)
        citizen.start()
        # The same answers three times (the sampled application page may differ), one other.
        citizen.answer_all_pages({**overrides, "AGE": ["40" if number < 3 else "41"]})
        citizen.submit()
    organizer = logged_in("organizer", ("mini",))
    page = organizer.get(f"/admin/w/{wave}").get_data(as_text=True)
    assert "Tekenen van stembusfraude" in page
    assert re.search(r"<tr><td>0</td><td>4</td></tr>", page), "four completes this minute"
    assert f"/admin/w/{wave}/identical" in page
    identical = organizer.get(f"/admin/w/{wave}/identical").get_data(as_text=True)
    largest = re.search(r"Grootste groep gelijke volledige antwoorden</dt><dd>(\d+)<", identical)
    assert largest is not None and 2 <= int(largest.group(1)) <= 3
    assert "192.0.2" not in page + identical
