"""Sessions: signing out or changing a password ends every session of the account, a citizen's
response never stretches a staff session, and no page with a secret on it is kept in a cache."""

from __future__ import annotations

import base64
import datetime as dt
import re
import zlib
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import AuditEvent, Wave, WaveMode
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, PASSWORD, admin_token, sign_in
from tests.consult.test_api import bearer, create_token

LoadSet = Callable[..., str]
ORGANIZER = "org@example.org"
RESUME_CODE = re.compile(r'class="code">([A-Z2-7-]+)<')


def copy_session(source: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding a copy of `source`'s session cookie (a stolen cookie)."""
    cookie = source.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def sent_to_sign_in(client: FlaskClient) -> bool:
    reply = client.get("/admin/")
    return reply.status_code == 302 and "/admin/login" in reply.headers["Location"]


# --- ending sessions ---------------------------------------------------------------------------


def test_sign_out_ends_every_session_of_the_account(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(ORGANIZER, "organizer")
    laptop, phone = app.test_client(), app.test_client()
    assert sign_in(laptop, ORGANIZER) == 303
    assert sign_in(phone, ORGANIZER) == 303
    thief = copy_session(laptop, app)
    assert thief.get("/admin/").status_code == 200  # the copy works while signed in

    signed_out = laptop.post("/admin/logout", data={"csrf_token": admin_token(laptop)})
    assert signed_out.status_code == 303

    assert sent_to_sign_in(thief)
    assert sent_to_sign_in(phone)
    assert sent_to_sign_in(laptop)
    assert sign_in(laptop, ORGANIZER) == 303  # signing in again starts a valid session
    assert laptop.get("/admin/").status_code == 200
    assert sent_to_sign_in(copy_session(phone, app))


def test_a_new_password_ends_every_session_of_the_account(
    app: Flask, make_user, db: Session
) -> None:  # type: ignore[no-untyped-def]
    make_user(ORGANIZER, "organizer")
    laptop = app.test_client()
    assert sign_in(laptop, ORGANIZER) == 303
    thief = copy_session(laptop, app)

    new_password = "a completely different passphrase"
    result = app.test_cli_runner().invoke(
        args=["users", "set-password", ORGANIZER], input=new_password
    )
    assert result.exit_code == 0, result.output
    assert "shown only now" not in result.output

    assert sent_to_sign_in(thief)
    assert sent_to_sign_in(laptop)
    assert sign_in(app.test_client(), ORGANIZER, PASSWORD) == 401
    assert sign_in(app.test_client(), ORGANIZER, new_password) == 303
    db.expire_all()
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.target.contains(ORGANIZER)))
    assert "set password" in list(actions)


def test_a_new_password_revokes_the_api_tokens_and_signing_out_keeps_them(
    app: Flask, make_user, db: Session
) -> None:  # type: ignore[no-untyped-def]
    """A token made by whoever knew the old password must not outlive it; a sign-out ends the
    browser's sessions only (a script's token is not a browser)."""
    make_user(ORGANIZER, "organizer")
    laptop = app.test_client()
    assert sign_in(laptop, ORGANIZER) == 303
    token = create_token(laptop)
    reader = app.test_client()
    assert reader.get("/api/v1/waves", headers=bearer(token)).status_code == 200

    assert laptop.post("/admin/logout", data={"csrf_token": admin_token(laptop)}).status_code == 303
    assert reader.get("/api/v1/waves", headers=bearer(token)).status_code == 200

    result = app.test_cli_runner().invoke(
        args=["users", "set-password", ORGANIZER], input="a completely different passphrase"
    )
    assert result.exit_code == 0, result.output
    assert "personal API tokens (1) are revoked" in result.output
    assert reader.get("/api/v1/waves", headers=bearer(token)).status_code == 401
    db.expire_all()
    detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "set password"))
    assert detail == "1 API tokens revoked"


def test_a_generated_password_is_shown_once(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(ORGANIZER, "organizer")
    result = app.test_cli_runner().invoke(args=["users", "set-password", ORGANIZER])
    assert result.exit_code == 0, result.output
    found = re.search(r"Password \(shown only now\): (\S+)", result.output)
    assert found
    assert sign_in(app.test_client(), ORGANIZER, found.group(1)) == 303
    unknown = app.test_cli_runner().invoke(args=["users", "set-password", "no@example.org"])
    assert unknown.exit_code != 0 and "no user" in unknown.output


# --- citizens and staff in one browser --------------------------------------------------------


def cookie_text(value: str) -> str:
    """What a signed (not encrypted) cookie carries: anyone holding it can read this."""
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if compressed else data).decode("utf-8")


def every_cookie(client: FlaskClient) -> list[str]:
    return [cookie_text(cookie.value) for cookie in client._cookies.values()]


def test_a_citizen_response_does_not_stretch_a_staff_session(
    app: Flask, make_user, load_set: LoadSet
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set()
    make_user(ORGANIZER, "organizer")
    browser = app.test_client()
    assert sign_in(browser, ORGANIZER) == 303
    Citizen(browser, wave, MINI).start()
    staff = browser.get_cookie("session")
    assert staff is not None
    assert staff.expires is None, "the staff session must end when the browser closes"
    # Signing out ends the staff session, not the citizen's response.
    browser.post("/admin/logout", data={"csrf_token": admin_token(browser)})
    assert sent_to_sign_in(browser)
    continued = Citizen(browser, wave, MINI).get(f"/c/{wave}/review")
    assert continued.request.path == f"/c/{wave}/page/1"  # not back at the start


def test_the_resume_code_lives_only_as_long_as_the_response_needs_it(
    app: Flask, load_set: LoadSet, db: Session
) -> None:
    wave = load_set()
    closes = dt.date.today() + dt.timedelta(days=3)
    found = db.scalar(select(Wave).where(Wave.slug == wave))
    assert found is not None
    found.closes_on = closes
    db.commit()
    browser = app.test_client()
    citizen = Citizen(browser, wave, MINI)
    citizen.start()
    code = RESUME_CODE.search(citizen.html)
    assert code
    kept = [c for c in browser._cookies.values() if code.group(1) in cookie_text(c.value)]
    assert len(kept) == 1, "the browser keeps the code to continue the response"
    assert kept[0].expires is not None
    end_of_wave = dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(), dt.UTC)
    assert kept[0].expires <= end_of_wave + dt.timedelta(hours=14)  # whatever the time zone

    citizen.answer_all_pages()
    citizen.submit()
    assert citizen.last is not None and citizen.last.request.path.endswith("/thanks")
    assert not any(code.group(1) in text for text in every_cookie(browser))
    # Back after finishing still leads to the thank-you page, not to a new start.
    assert citizen.get(f"/c/{wave}/page/knowledge").request.path == f"/c/{wave}/thanks"


# --- no copies in caches ----------------------------------------------------------------------


def no_store(reply) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in reply.headers.get("Cache-Control", "")


def test_admin_pages_and_the_one_time_password_are_not_cached(logged_in) -> None:  # type: ignore[no-untyped-def]
    admin = logged_in("admin")
    assert no_store(admin.get("/admin/"))
    assert no_store(admin.get("/admin/users"))
    created = admin.post(
        "/admin/users",
        data={"email": "new@example.org", "role": "researcher", "csrf_token": admin_token(admin)},
    )
    assert created.status_code == 200 and "new@example.org" in created.get_data(as_text=True)
    assert no_store(created)


def test_pages_that_show_a_resume_or_invitation_code_are_not_cached(
    app: Flask, load_set: LoadSet
) -> None:
    wave = load_set(MINI, open_wave=False)
    runner = app.test_cli_runner()
    runner.invoke(args=["waves", "open", wave])
    runner.invoke(args=["waves", "create", "mini-panel", "--consultation", "mini"] + INVITE)
    runner.invoke(args=["waves", "open", "mini-panel"])

    citizen = Citizen(app.test_client(), wave, MINI)
    citizen.start()
    code = RESUME_CODE.search(citizen.html)
    assert code and no_store(citizen.last)
    citizen.get(f"/c/{wave}/review")
    assert code.group(1) in citizen.html and no_store(citizen.last)
    resume = app.test_client().get(f"/c/{wave}/resume?code={code.group(1)}")
    assert code.group(1) in resume.get_data(as_text=True) and no_store(resume)
    invited = app.test_client().get("/c/mini-panel?code=ABCD-EFGH")
    assert "ABCD-EFGH" in invited.get_data(as_text=True) and no_store(invited)


INVITE = ["--mode", WaveMode.INVITE.value]
