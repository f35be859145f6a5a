"""Input an attacker (or a slip of the keyboard) sends gets a clear 4xx, never a 500.

The app under test re-raises unexpected errors, so a request that would have been a 500 fails
these tests with its traceback.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import AuditEvent, Consultation, QuestionSetVersion, Wave
from surveys.vocabulary import SLUG_MAX, TITLE_MAX, VERSION_LABEL_MAX
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, PASSWORD, admin_token, csrf_from

LoadSet = Callable[..., str]
ORGANIZER = "org@example.org"
HUGE = "999999999999999999999"
ABOVE_INT32 = str(2**31)


# --- signing in -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/admin/\r\nSet-Cookie: x=1", "/admin/c/mini\n", "/admin/\x7f", "/admin/\u2028"]
)
def test_a_control_character_in_next_is_ignored_and_the_sign_in_logged(
    client: FlaskClient, make_user, db: Session, target: str
) -> None:  # type: ignore[no-untyped-def]
    make_user(ORGANIZER, "organizer")
    page = client.get("/admin/login").get_data(as_text=True)
    reply = client.post(
        "/admin/login",
        query_string={"next": target},
        data={"email": ORGANIZER, "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert reply.status_code == 303
    assert reply.headers["Location"] == "/admin/"
    db.expire_all()
    signed_in = db.scalars(select(AuditEvent).where(AuditEvent.action == "sign in")).all()
    assert [event.actor for event in signed_in] == [ORGANIZER]


def test_a_nul_byte_in_the_sign_in_email_is_refused(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(ORGANIZER, "organizer")
    page = client.get("/admin/login").get_data(as_text=True)
    reply = client.post(
        "/admin/login",
        data={"email": "org\x00@example.org", "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert reply.status_code == 400


# --- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ÄÄÄÄ-ÉÉÉÉ", "١٢٣٤-٥٦٧٨", "AAAA-BBBB-ß"])
def test_a_non_ascii_resume_code_is_unknown(
    client: FlaskClient, load_set: LoadSet, code: str
) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}/resume")
    reply = citizen.post(f"/c/{wave}/resume", {"code": code})
    assert reply.status_code == 422
    assert "kennen we niet" in citizen.html


def test_a_non_ascii_invitation_code_is_unknown(app: Flask, load_set: LoadSet, logged_in) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI, open_wave=False)
    runner = app.test_cli_runner()
    runner.invoke(args=["waves", "create", "panel", "--consultation", "mini", "--mode", "invite"])
    runner.invoke(args=["waves", "open", "panel"])
    citizen = app.test_client()
    page = citizen.get("/c/panel?code=ÄÖÜ").get_data(as_text=True)
    started = citizen.post(
        "/c/panel/start",
        data={"consent": "y", "invitation": "ÄÄÄÄ-١٢٣٤", "csrf_token": csrf_from(page)},
    )
    assert started.status_code == 422
    organizer = logged_in("organizer", ("mini",))
    revoked = organizer.post(
        "/admin/w/panel/invitations/revoke",
        data={"code": "ÄÄÄÄ-١٢٣٤", "csrf_token": admin_token(organizer, "/admin/w/panel")},
    )
    assert revoked.status_code == 303


# --- ids and NUL bytes in URLs ----------------------------------------------------------------


@pytest.mark.parametrize("number", [HUGE, ABOVE_INT32])
def test_ids_beyond_the_database_range_are_not_found(
    logged_in, load_set: LoadSet, number: str
) -> None:  # type: ignore[no-untyped-def]
    load_set()
    admin = logged_in("admin")
    token = admin_token(admin)
    for path in (
        f"/admin/c/mini/v/{number}",
        f"/admin/c/mini/v/{number}/preview",
        f"/admin/c/mini/v/{number}/export.yaml",
    ):
        assert admin.get(path).status_code == 404, path
    for path in (f"/admin/c/mini/diff?from={number}", f"/admin/c/mini/diff?to={number}"):
        assert admin.get(path).status_code == 200, path  # as any other non-number: the default
    for path in (f"/admin/users/{number}/deactivate", f"/admin/users/{number}/consultations"):
        assert admin.post(path, data={"csrf_token": token}).status_code == 404, path
    revoked = admin.post(
        "/admin/account/tokens",
        data={"token_id": number, "csrf_token": admin_token(admin, "/admin/account/tokens")},
    )
    assert revoked.status_code in (400, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/c/%00",
        "/c/mini-2026%00",
        "/c/mini-2026%00/thanks",
        "/c/mini-2026/page/%00",
        "/c/mini-2026/resume?code=%00",
        "/results/%00",
        "/admin/login?next=/admin/%00",
        "/api/v1/waves/%00",
    ],
)
def test_a_nul_byte_in_a_url_is_refused(client: FlaskClient, load_set: LoadSet, path: str) -> None:
    load_set()
    assert client.get(path).status_code in (400, 404)


def test_a_nul_byte_in_a_form_is_refused(client: FlaskClient, load_set: LoadSet) -> None:
    wave = load_set()
    citizen = Citizen(client, wave, MINI)
    citizen.get(f"/c/{wave}/resume")
    assert citizen.post(f"/c/{wave}/resume", {"code": "AAAA\x00"}).status_code == 400


# --- the thank-you page -----------------------------------------------------------------------


DRAFT_ROUTES = [
    ("GET", "/c/{wave}"),
    ("POST", "/c/{wave}/start"),
    ("GET", "/c/{wave}/again"),
    ("POST", "/c/{wave}/again"),
    ("POST", "/c/{wave}/forget"),
    ("GET", "/c/{wave}/continue"),
    ("GET", "/c/{wave}/page/1"),
    ("GET", "/c/{wave}/page/knowledge"),
    ("POST", "/c/{wave}/page/knowledge"),
    ("GET", "/c/{wave}/review"),
    ("POST", "/c/{wave}/review"),
    ("GET", "/c/{wave}/thanks"),
    ("GET", "/c/{wave}/resume"),
    ("POST", "/c/{wave}/resume"),
    ("GET", "/results/{wave}"),
    ("GET", "/results/{wave}/items/KNOW"),
    ("GET", "/results/{wave}/codebook"),
    ("GET", "/results/{wave}/downloads"),
    ("GET", "/results/{wave}/downloads/estimates.csv"),
    ("GET", "/results/{wave}/downloads/package.zip"),
    ("GET", "/results/{wave}/downloads/microdata.csv"),
    ("GET", "/results/{wave}/downloads/themes.csv"),
    ("GET", "/results/{wave}/report.html"),
    ("GET", "/results/{wave}/report.pdf"),
    ("GET", "/results/{wave}/answers"),
    ("GET", "/api/v1/waves/{wave}"),
    ("GET", "/api/v1/waves/{wave}/estimates"),
    ("GET", "/api/v1/waves/{wave}/items/KNOW"),
    ("GET", "/api/v1/waves/{wave}/summary"),
    ("GET", "/api/v1/waves/{wave}/codebook"),
]


def test_a_draft_wave_is_not_found_on_any_public_route(
    app: Flask, client: FlaskClient, load_set: LoadSet, db: Session
) -> None:
    """A draft is the organizer's work in progress: no public page names it or takes answers
    (not even when its results were marked published before it opened)."""
    wave = load_set(MINI, open_wave=False)
    draft = db.scalar(select(Wave).where(Wave.slug == wave))
    assert draft is not None
    draft.results_published = True
    db.commit()
    # Every public route that names a wave is tried (a new one must be added above).
    adapter = app.url_map.bind("localhost")
    tried = {adapter.match(path.format(wave=wave), method)[0] for method, path in DRAFT_ROUTES}
    naming_a_wave = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "<wave" in rule.rule and not rule.endpoint.startswith("admin.")
    }
    assert naming_a_wave == tried
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))
    for method, path in DRAFT_ROUTES:
        url = path.format(wave=wave)
        reply = client.open(url, method=method, data={"csrf_token": token, "code": "ABCD-EFGH"})
        assert reply.status_code == 404, f"{method} {url}: {reply.status_code}"
        assert "Kleine consultatie" not in reply.get_data(as_text=True), url
    for listing in ("/", "/results/", "/api/v1/waves"):
        assert "Kleine consultatie" not in client.get(listing).get_data(as_text=True), listing


# --- question sets longer than their columns --------------------------------------------------


def upload(client: FlaskClient, text: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/upload",
        data={"csrf_token": admin_token(client), "file": (io.BytesIO(text.encode()), "set.yaml")},
        content_type="multipart/form-data",
    )


MINI_TEXT = MINI.read_text(encoding="utf-8")
TITLE = "title: {nl: Kleine consultatie, en: Small consultation}"


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (TITLE, "title: {nl: " + "lang " * 61 + ", en: Small}", "300"),
        (TITLE, "title: {nl: Klein, en: " + "long " * 61 + "}", "300"),
        ("wave: mini-2026", 'wave: mini-2026\nversion: "' + "v" * 65 + '"', "64"),
        ("slug: mini", "slug: " + "-".join(["mini"] * 14), "64"),
        ("wave: mini-2026", "wave: " + "-".join(["mini"] * 14), "64"),
    ],
)
def test_texts_longer_than_their_columns_are_a_clear_problem(
    logged_in, db: Session, old: str, new: str, says: str
) -> None:  # type: ignore[no-untyped-def]
    admin = logged_in("admin")
    assert MINI_TEXT.count(old) == 1
    reply = upload(admin, MINI_TEXT.replace(old, new))
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert says in page and "regel" in page
    db.expire_all()
    assert db.scalars(select(QuestionSetVersion)).all() == []
    assert db.scalars(select(Consultation)).all() == []
    assert db.scalars(select(Wave)).all() == []


def test_texts_as_long_as_their_columns_are_stored(logged_in, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = logged_in("admin")
    text = MINI_TEXT.replace(TITLE, "title: {nl: " + "x" * 300 + ", en: " + "y" * 300 + "}")
    text = text.replace("wave: mini-2026", 'wave: mini-2026\nversion: "' + "v" * 64 + '"')
    assert upload(admin, text).status_code == 303
    db.expire_all()
    [version] = db.scalars(select(QuestionSetVersion)).all()
    assert version.label == "v" * 64
    assert version.consultation.title_en == "y" * 300


def test_a_non_ascii_next_still_leads_there(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(ORGANIZER, "organizer")
    page = client.get("/admin/login").get_data(as_text=True)
    reply = client.post(
        "/admin/login",
        query_string={"next": "/admin/c/ğé"},
        data={"email": ORGANIZER, "password": PASSWORD, "csrf_token": csrf_from(page)},
    )
    assert reply.status_code == 303
    assert reply.headers["Location"] == "/admin/c/%C4%9F%C3%A9"


def test_the_question_set_limits_are_the_column_sizes() -> None:
    """The questionnaire language checks lengths without knowing the database: its limits must
    be the columns' sizes."""
    columns = {
        SLUG_MAX: [Consultation.__table__.c.slug, Wave.__table__.c.slug],
        TITLE_MAX: [Consultation.__table__.c.title_nl, Consultation.__table__.c.title_en],
        VERSION_LABEL_MAX: [QuestionSetVersion.__table__.c.label],
    }
    for limit, stored_in in columns.items():
        assert [column.type.length for column in stored_in] == [limit] * len(stored_in)
