"""One device, several people: what the start page says, starting again, forgetting the device."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from consult.models import ResponseStatus
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, csrf_from
from tests.consult.test_taking_consultation import answers_of, responses

LoadSet = Callable[..., str]
COOKIE = "response-mini-2026"


def kept_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE, path="/c/mini-2026")
    return cookie.value if cookie else None


def test_the_start_page_says_a_response_is_in_progress_and_offers_continue_or_start_again(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_page_validly({"KNOW": ["1"], "AGE": ["51"]})
    start = citizen.get(f"/c/{wave}")
    assert "Er is op dit apparaat een antwoord in behandeling" in citizen.html
    assert "Verder gaan" in citizen.html and "Opnieuw beginnen" in citizen.html
    assert 'name="consent"' not in citizen.html  # no second start from here
    assert start.status_code == 200
    citizen.get(f"/c/{wave}/continue")
    assert citizen.position == 2 and citizen.page_id == "followup"


def test_starting_again_needs_a_confirmation_and_keeps_the_old_answers(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    first = Citizen(client, wave, MINI)
    first.start()
    first.answer_page_validly({"KNOW": ["1"], "AGE": ["51"]})
    # Without the confirmation nothing changes: a GET only asks.
    first.get(f"/c/{wave}/again")
    assert "Opnieuw beginnen op dit apparaat?" in first.html
    assert len(responses(db)) == 1 and kept_cookie(client)
    first.post(f"/c/{wave}/again", {})
    assert first.last is not None and first.last.request.path == f"/c/{wave}"
    assert 'name="consent"' in first.html and "in behandeling" not in first.html
    assert kept_cookie(client) is None
    second = Citizen(client, wave, MINI)
    second.start()
    assert second.position == 1 and 'value="51"' not in second.html  # nothing of the first
    old, new = responses(db)
    assert old.status == new.status == ResponseStatus.IN_PROGRESS
    assert answers_of(db, old)["AGE"] == [(None, 51.0, None)]  # never deleted


def test_a_device_that_sent_its_answers_does_not_silently_start_again(
    client: FlaskClient, db: Session, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.complete()
    assert citizen.last is not None and citizen.last.request.path == f"/c/{wave}/thanks"
    # The link to the response ends: the cookie keeps no code, the thank-you page still works.
    assert citizen.get(f"/c/{wave}/thanks").status_code == 200
    citizen.get(f"/c/{wave}")
    assert "Er zijn vanaf dit apparaat al antwoorden verstuurd" in citizen.html
    assert 'name="consent"' not in citizen.html
    # A start sent anyway (an old tab) begins nothing.
    again = client.post(
        f"/c/{wave}/start", data={"consent": "y", "csrf_token": csrf_from(citizen.html)}
    )
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/c/{wave}")
    assert [r.status for r in responses(db)] == [ResponseStatus.COMPLETE]
    # Only after "start again" someone else takes part; the sent answers stay.
    citizen.get(f"/c/{wave}/again")
    citizen.post(f"/c/{wave}/again", {})
    citizen.start()
    assert citizen.position == 1
    assert [r.status for r in responses(db)] == [
        ResponseStatus.COMPLETE,
        ResponseStatus.IN_PROGRESS,
    ]


def test_stop_and_forget_this_device(client: FlaskClient, db: Session, load_set: LoadSet) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    citizen.answer_page_validly({"KNOW": ["2"], "AGE": ["63"]})
    assert "Stoppen en dit apparaat vergeten" in citizen.html
    assert kept_cookie(client)
    forgotten = citizen.post(f"/c/{wave}/forget", {})
    assert forgotten.status_code == 200 and "Dit apparaat is uw antwoord vergeten" in citizen.html
    assert kept_cookie(client) is None
    # The next person on this device sees nothing of it, not even by its page addresses.
    assert client.get(f"/c/{wave}/page/1").headers["Location"].endswith(f"/c/{wave}")
    start = citizen.get(f"/c/{wave}")
    assert "in behandeling" not in citizen.html and start.status_code == 200
    citizen.post(f"/c/{wave}/start", {"consent": "y"})
    assert 'value="63"' not in citizen.html
    assert len(responses(db)) == 2
    # Forgetting needs the form's CSRF token: a link on another site cannot do it.
    other = client.post(f"/c/{wave}/forget", data={})
    assert other.status_code == 400 and kept_cookie(client)


def test_the_in_progress_cookie_ends_with_the_wave_and_the_code_with_the_response(
    client: FlaskClient, load_set: LoadSet
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.start()
    cookie = client.get_cookie(COOKIE, path="/c/mini-2026")
    assert cookie is not None and cookie.expires is not None and cookie.http_only
    assert cookie.path == f"/c/{wave}"
