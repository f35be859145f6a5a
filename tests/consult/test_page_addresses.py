"""Question pages are addressed by position, so a log of addresses says nothing of the random order
a respondent was shown (which is stored with the response for the analysis of order effects)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import Answer, Response
from tests.consult.citizen import Citizen, valid_fields
from tests.consult.conftest import MINI, SHIPPED, csrf_from
from tests.consult.test_taking_consultation import responses

LoadSet = Callable[..., str]


def test_addresses_count_pages_and_never_name_them(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set(SHIPPED)
    citizen = Citizen(client, wave, SHIPPED)
    citizen.start()
    addresses = [citizen.last.request.path] if citizen.last else []
    shown: list[str] = []
    while citizen.page_id is not None:
        shown.append(citizen.page_id)
        citizen.answer_page_validly()
        addresses.append(citizen.last.request.path if citizen.last else "")
    page_ids = {page.id for page in citizen.question_set.pages}
    assert not [a for a in addresses if set(a.split("/")) & page_ids], addresses
    positions = [int(a.rsplit("/", 1)[1]) for a in addresses if "/page/" in a]
    assert positions == list(range(1, len(shown) + 1))
    # The order itself is kept with the response (order effects), and it is the order shown.
    [response] = responses(db)
    layout = json.dumps(json.loads(response.layout))
    applications = [page for page in shown if page in layout]
    assert applications == sorted(applications, key=layout.index)


def test_an_address_from_before_positions_leads_to_its_position(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_page_validly({"KNOW": ["1"]})
    old = client.get(f"/c/{wave}/page/followup")
    assert old.status_code == 303 and old.headers["Location"].endswith(f"/c/{wave}/page/2")
    # A form sent to an old address is saved, not lost.
    sent = client.post(
        f"/c/{wave}/page/followup",
        data={"SOURCES": ["3"], "action": "next", "csrf_token": csrf_from(citizen.html)},
    )
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/c/{wave}/page/3")
    [response] = responses(db)
    stored = db.scalars(select(Answer.option).where(Answer.response_id == response.id))
    assert 3 in set(stored)
    for nowhere in ("0", "5", "99999999999999999999", "knowledgeX", "%D9%A3"):
        assert client.get(f"/c/{wave}/page/{nowhere}").status_code == 404, nowhere


def test_a_form_keeps_its_page_when_another_tab_moved_it(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    """Tab one shows the application page as page 2; tab two then answers so that a follow-up page
    comes first. What tab one sends still belongs to the application page: nothing is lost."""
    wave = load_set()
    tab_one = Citizen(client, wave, MINI)
    tab_one.start()
    tab_one.answer_page_validly({"KNOW": ["2"]})
    application = tab_one.page_id
    assert application in ("app_a", "app_b") and tab_one.position == 2
    acceptance = "ACC_A" if application == "app_a" else "ACC_B"
    form = tab_one.html
    tab_two = Citizen(client, wave, MINI)
    tab_two.get(f"/c/{wave}/page/1")
    tab_two.answer_page_validly({"KNOW": ["1"]})
    assert tab_two.page_id == "followup" and tab_two.position == 2
    sent = client.post(
        f"/c/{wave}/page/2",
        data={
            **{
                k: v
                for item in tab_one.question_set.page(application).items
                for k, v in valid_fields(item).items()
            },
            "shown_page": application,
            "action": "next",
            "csrf_token": csrf_from(form),
        },
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    [response] = responses(db)
    codes = set(db.scalars(select(Answer.code).where(Answer.response_id == response.id)))
    assert acceptance in codes
    assert re.search(r"/page/\d+$|/review$", sent.headers["Location"])
    assert isinstance(response, Response)
