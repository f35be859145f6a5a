"""The citizen's forms as GOV.UK and NL Design System build them: an error summary that names
each question, a review page with every answer in words, and Back and the language switch that
never lose what was typed."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import Answer, Response
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI

LoadSet = Callable[..., str]


def stored(db: Session) -> dict[str, list[tuple[int | None, float | None, str | None]]]:
    db.expire_all()
    [response] = db.scalars(select(Response))
    found: dict[str, list[tuple[int | None, float | None, str | None]]] = {}
    for answer in db.scalars(select(Answer).where(Answer.response_id == response.id)):
        found.setdefault(answer.code, []).append((answer.option, answer.number, answer.text))
    return found


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


def test_error_summary_names_each_question_and_links_to_its_first_input(
    client: FlaskClient, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    assert citizen.answer({"AGE": ["twaalf"]}).status_code == 422
    html = citizen.html
    assert re.search(r"<title>Fout: Kennis – Kleine consultatie</title>", html)
    assert '<h2 id="error-summary-title">Er is een probleem</h2>' in html
    assert 'tabindex="-1" autofocus data-error-summary' in html
    links = summary_links(html)
    assert [target for target, _ in links] == ["KNOW-1", "AGE"]
    assert links[0][1] == "Kies uw antwoord op ‘Weet u wat biotechnologie is?’ of ‘Weet niet’."
    assert links[1][1].startswith("‘Hoe oud bent u?’: Vul een getal in")
    for target, _ in links:
        assert f'id="{target}"' in html  # each link lands on an input of the page
    assert 'value="twaalf"' in html  # what was typed stays


def test_error_summary_on_a_ranking_and_a_refusable_question(
    client: FlaskClient, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    while citizen.page_id != "closing":
        citizen.answer_page_validly()
    citizen.answer({"GOALS.1": ["1"], "GOALS.2": ["1"], "GOALS.3": ["2"]})
    links = dict(summary_links(citizen.html))
    assert links["GOALS-1"] == (
        "‘Zet in volgorde’: U gaf plaats 1 aan meer dan één keuze. "
        "Gebruik elke plaats maar één keer."
    )
    citizen.answer({"GOALS.1": ["1"], "SEX": ["1"]})
    links = dict(summary_links(citizen.html))
    assert "Deze keuzes hebben nog geen plaats: ‘Klimaat’, ‘Economie’." in links["GOALS-1"]


def test_refusable_required_question_offers_the_way_out(
    client: FlaskClient, load_set: LoadSet
) -> None:
    from surveys.messages import render
    from surveys.model import Choice, Item, Text
    from surveys.respondent_errors import naming_question
    from surveys.types import REQUIRED_CHOICE

    age = Item(
        "AGEGROUP",
        "single",
        Text.from_dict({"nl": "Wat is uw leeftijd?", "en": "How old are you?"}),
        required=True,
        choices=(
            Choice(1, Text.of("18-34")),
            Choice(
                9,
                Text.from_dict({"nl": "Zeg ik liever niet", "en": "Prefer not to say"}),
                "refused",
            ),
        ),
    )
    named = naming_question(age, REQUIRED_CHOICE)
    assert (
        render(named, "nl") == "Kies uw antwoord op ‘Wat is uw leeftijd?’ of ‘Zeg ik liever niet’."
    )
    assert render(named, "en") == "Choose your answer to ‘How old are you?’ or ‘Prefer not to say’."


def test_review_lists_every_answer_in_words_and_change_returns_to_it(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer({"KNOW": ["1"], "AGE": ["40"]})
    while citizen.page_id is not None:
        citizen.answer_page_validly()
    html = citizen.html
    assert "<h1>Controleer uw antwoorden</h1>" in html
    assert "<dt>Weet u wat biotechnologie is?</dt>" in html
    assert '<span class="summary-line">Ja</span>' in html  # a label, not the code 1
    assert '<span class="summary-line">40</span>' in html
    assert re.search(r'<span class="summary-line">1\. \w+</span>', html)  # the ranking, in order
    change = re.search(r'href="(/c/[^"]+/page/1\?return_to=review)"', html)
    assert change, "no change link for the first page"
    citizen.get(change.group(1))
    assert "Opslaan en terug naar het overzicht" in citizen.html
    citizen.post(change.group(1), {"KNOW": ["2"], "AGE": ["41"], "action": ["next"]})
    assert citizen.last is not None and citizen.last.request.path.endswith("/review")
    assert '<span class="summary-line">41</span>' in citizen.html
    assert stored(db)["AGE"] == [(None, 41.0, None)]


def test_back_keeps_invalid_input_on_the_page_and_says_so(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer({"KNOW": ["1"], "AGE": ["40"]})
    assert citizen.page_id == "followup"
    citizen.get(f"/c/{wave}/page/knowledge")
    result = citizen.answer({"KNOW": ["2"], "AGE": ["veertig"]}, "back")
    assert result.status_code == 422
    assert citizen.page_id == "knowledge"
    assert "U bent nog op deze pagina" in citizen.html
    assert dict(summary_links(citizen.html))["AGE"].startswith("‘Hoe oud bent u?’: Vul een getal")
    assert 'value="veertig"' in citizen.html
    assert re.search(r'id="KNOW-2" name="KNOW" value="2"\s+checked', citizen.html)
    assert stored(db)["AGE"] == [(None, 40.0, None)]  # nothing half-saved
    # Back with a required question left open is fine: it goes back and keeps what was given.
    citizen.get(f"/c/{wave}/page/knowledge")
    citizen.answer({"AGE": ["33"]}, "back")
    assert citizen.last is not None and citizen.last.request.path == f"/c/{wave}"
    assert stored(db)["AGE"] == [(None, 33.0, None)]


def test_language_switch_saves_the_page_and_keeps_what_was_typed(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    assert 'value="language:en"' in citizen.html and 'form="answers"' in citizen.html
    # Valid input: saved, and the page comes back in English, filled in.
    citizen.answer({"KNOW": ["1"], "AGE": ["40"]}, "language:en")
    assert citizen.page_id == "knowledge"
    assert '<html lang="en">' in citizen.html
    assert re.search(r'value="1"\s+checked', citizen.html)
    assert 'value="40"' in citizen.html
    assert stored(db)["AGE"] == [(None, 40.0, None)]
    # Invalid input: the valid part is saved and every typed character stays on the page.
    citizen.answer({"KNOW": ["2"], "AGE": ["veertig"]}, "language:nl")
    assert '<html lang="nl">' in citizen.html
    assert 'value="veertig"' in citizen.html
    assert stored(db)["KNOW"] == [(2, None, None)]
    assert "Er is een probleem" not in citizen.html  # switching is not a check of the answers
