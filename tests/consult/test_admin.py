"""Organizers run a wave without a developer: sign in, upload, preview, open, invite, monitor."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.accounts.service import passwords_for
from consult.config import Config
from consult.models import (
    AuditEvent,
    Invitation,
    InvitationStatus,
    QuestionSetVersion,
    Response,
    ResponseStatus,
    User,
    Wave,
    WaveStatus,
)
from tests.consult.citizen import Citizen
from tests.consult.conftest import MINI, PASSWORD, admin_token, csrf_from, sign_in

LoadSet = Callable[..., str]
MARGINS = """# test margins
variable,category,share
SEX,1,0.5
SEX,2,0.5
"""


def count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def upload(client: FlaskClient, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/upload",
        data={"csrf_token": admin_token(client), "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


# --- signing in -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_sign_in_form(client: FlaskClient) -> None:
    reply = client.get("/admin/")
    assert reply.status_code == 302
    assert "/admin/login" in reply.headers["Location"]


def test_wrong_password_is_refused_and_logged(client: FlaskClient, db: Session, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    assert sign_in(client, "org@example.org", "wrong password!") == 401
    assert sign_in(client, "nobody@example.org", "wrong password!") == 401
    db.expire_all()
    refused = db.scalars(select(AuditEvent).where(AuditEvent.result == "refused")).all()
    assert [event.actor for event in refused] == ["org@example.org", "unknown"]
    assert all("wrong" not in (event.detail or "") for event in refused)


def test_a_password_hash_of_another_cost_is_upgraded_at_sign_in(
    client: FlaskClient, db: Session, make_user
) -> None:  # type: ignore[no-untyped-def]
    """Raising the configured argon2 cost must reach old accounts: their next sign-in rehashes."""
    make_user("org@example.org", "organizer")
    user = db.scalar(select(User).where(User.email == "org@example.org"))
    assert user is not None
    old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=2).hash(PASSWORD)
    user.password_hash = old
    db.commit()
    assert sign_in(client, "org@example.org") == 303
    db.expire_all()
    upgraded = db.scalar(select(User.password_hash).where(User.email == "org@example.org"))
    assert upgraded != old
    # The configured (test) cost: 8 KiB, one pass, one lane.
    assert upgraded is not None and upgraded.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert sign_in(client.application.test_client(), "org@example.org") == 303


def test_argon2_costs_come_from_the_environment(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    production = Config.from_environment(str(tmp_path))
    library = PasswordHasher()  # the deliberate slowness the app had before it was configurable
    assert (
        production.argon2_time_cost,
        production.argon2_memory_kib,
        production.argon2_parallelism,
    ) == (library.time_cost, library.memory_cost, library.parallelism)
    monkeypatch.setenv("ARGON2_TIME_COST", "4")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "64")
    monkeypatch.setenv("ARGON2_PARALLELISM", "2")
    tuned = Config.from_environment(str(tmp_path))
    assert (tuned.argon2_time_cost, tuned.argon2_memory_kib, tuned.argon2_parallelism) == (
        4,
        64,
        2,
    )
    hasher = passwords_for(tuned).hasher
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (4, 64, 2)
    # The hash verified for unknown e-mails costs the same as a real one.
    assert not hasher.check_needs_rehash(passwords_for(tuned).dummy_hash)


def test_sign_in_starts_a_fresh_session(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert sign_in(client, "org@example.org") == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_idle_session_expires(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("org@example.org", "organizer")
    sign_in(client, "org@example.org")
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    reply = client.get("/admin/")
    assert reply.status_code == 302 and "/admin/login" in reply.headers["Location"]
    assert client.get("/admin/").status_code == 302


def test_users_command_creates_an_account_with_a_generated_password(
    app: Flask, db: Session
) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Admin@Example.org", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    password = re.search(r"Password \(shown only now\): (\S+)", result.output)
    assert password
    user = db.scalar(select(User).where(User.email == "admin@example.org"))
    assert user is not None and user.password_hash.startswith("$argon2")
    assert password.group(1) not in user.password_hash
    client = app.test_client()
    assert sign_in(client, "admin@example.org", password.group(1)) == 303


def test_users_command_reads_the_password_from_stdin(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "r@example.org", "--role", "researcher"], input=PASSWORD
    )
    assert result.exit_code == 0 and "shown only now" not in result.output
    again = runner.invoke(args=["users", "create", "r@example.org", "--role", "researcher"])
    assert again.exit_code != 0 and "already" in again.output


def test_admin_creates_an_organizer_in_the_browser(logged_in, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = logged_in("admin")
    token = admin_token(admin, "/admin/users")
    reply = admin.post(
        "/admin/users", data={"email": "new@example.org", "role": "organizer", "csrf_token": token}
    )
    assert reply.status_code == 200
    shown = re.search(r'class="code">([^<]+)<', reply.get_data(as_text=True))
    assert shown
    assert db.scalar(select(User).where(User.email == "new@example.org")) is not None


# --- question sets ----------------------------------------------------------------------------


def test_upload_a_valid_set_makes_a_new_version(logged_in, db: Session) -> None:  # type: ignore[no-untyped-def]
    organizer = logged_in("organizer")
    reply = upload(organizer, "mini.yaml", MINI.read_bytes())
    assert reply.status_code == 303
    assert reply.headers["Location"].endswith("/admin/c/mini/v/1")
    assert count(db, QuestionSetVersion) == 1
    # The uploader runs the new consultation.
    assert "/admin/c/mini" in organizer.get("/admin/").get_data(as_text=True)
    # The same file again changes nothing.
    upload(organizer, "mini.yaml", MINI.read_bytes())
    assert count(db, QuestionSetVersion) == 1


def test_upload_of_a_broken_set_lists_every_problem_and_stores_nothing(
    logged_in, db: Session
) -> None:  # type: ignore[no-untyped-def]
    organizer = logged_in("organizer")
    broken = (
        MINI.read_text()
        .replace("code: AGE\n", "code: KNOW\n")
        .replace("type: ranking", "type: rank")
    )
    reply = upload(organizer, "broken.yaml", broken.encode())
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "KNOW" in page and "rank" in page
    assert len(re.findall(r"<li>regel \d+", page)) >= 2
    assert count(db, QuestionSetVersion) == 0
    db.expire_all()
    refused = db.scalars(select(AuditEvent).where(AuditEvent.result == "refused")).all()
    assert [(e.action, e.target) for e in refused] == [("upload question set", "broken.yaml")]
    assert upload(organizer, "notes.txt", b"hello").status_code == 422
    assert upload(organizer, "bad.yaml", b"\xff\xfe").status_code == 422


def test_organizer_cannot_upload_into_another_teams_consultation(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    outsider = logged_in("organizer")
    changed = MINI.read_text().replace("Hoe oud bent u?", "Uw leeftijd?").encode()
    reply = upload(outsider, "mini.yaml", changed)
    assert reply.status_code == 422
    assert "hoort bij een ander team" in reply.get_data(as_text=True)
    assert count(db, QuestionSetVersion) == 1


def test_preview_shows_every_page_in_both_languages_and_stores_nothing(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    dutch = organizer.get("/admin/c/mini/v/1/preview").get_data(as_text=True)
    assert "Weet u wat biotechnologie is?" in dutch and "Voorbeeld" in dutch
    english = organizer.get("/admin/c/mini/v/1/preview/knowledge?lang=en").get_data(as_text=True)
    assert "Do you know what biotechnology is?" in english
    # Pages the split ballot hides from some respondents are all previewed.
    for page_id in ("followup", "app_a", "app_b", "closing"):
        assert organizer.get(f"/admin/c/mini/v/1/preview/{page_id}").status_code == 200
    assert organizer.get("/admin/c/mini/v/1/preview/nope").status_code == 404
    assert count(db, Response) == 0


def test_diff_between_versions(logged_in, load_set: LoadSet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    changed = MINI.read_text().replace("Hoe oud bent u?", "Wat is uw leeftijd?")
    changed = changed.replace("      - code: WORRY", "      - code: WORRY2")
    assert upload(organizer, "mini.yaml", changed.encode()).status_code == 303
    page = organizer.get("/admin/c/mini/diff?from=1&to=2").get_data(as_text=True)
    assert "anders geformuleerd" in page and "AGE" in page
    assert "WORRY2" in page and "toegevoegd" in page and "verwijderd" in page


def test_wave_version_is_frozen_once_answered(
    client: FlaskClient, logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    changed = MINI.read_text().replace("Hoe oud bent u?", "Wat is uw leeftijd?")
    upload(organizer, "mini.yaml", changed.encode())
    Citizen(client, wave, MINI).start()
    token = admin_token(organizer, f"/admin/w/{wave}")
    organizer.post(f"/admin/w/{wave}/version", data={"version": "2", "csrf_token": token})
    page = organizer.get(f"/admin/w/{wave}").get_data(as_text=True)
    assert "kan niet meer veranderen" in page
    db.expire_all()
    assert db.scalar(select(Wave).where(Wave.slug == wave)).question_set_version.number == 1  # type: ignore[union-attr]
    version_page = organizer.get("/admin/c/mini/v/1").get_data(as_text=True)
    assert "Vastgezet" in version_page


def test_version_page_shows_what_the_results_are_grouped_by(logged_in, load_set: LoadSet) -> None:  # type: ignore[no-untyped-def]
    """The organizer sees the set's own vocabulary: its domains with their applications, its
    conditions, how its scales read and its weighting variables, in their language."""
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    dutch = organizer.get("/admin/c/mini/v/1?lang=nl").get_data(as_text=True)
    assert "Waarop de uitkomsten zijn ingedeeld" in dutch
    groen = dutch.index("Groen")
    assert groen < dutch.index("Toepassing A") < dutch.index("Rood") < dutch.index("Toepassing B")
    assert "Veiligheid" in dutch and "Ethiek" in dutch
    assert "aanvaardbaar: 1; noodzakelijk: 1; weet niet: 9" in dutch
    assert "Weegvariabelen" in dutch and "SEX" in dutch
    english = organizer.get("/admin/c/mini/v/1?lang=en").get_data(as_text=True)
    assert "Application A" in english and "Safety" in english


# --- waves ------------------------------------------------------------------------------------


def test_create_open_close_and_publish_a_wave(
    logged_in, load_set: LoadSet, db: Session, client: FlaskClient
) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI, open_wave=False)
    organizer = logged_in("organizer", ("mini",))
    token = admin_token(organizer, "/admin/c/mini")
    bad = organizer.post(
        "/admin/c/mini/waves",
        data={
            "slug": "Mini 2027!",
            "version": "1",
            "mode": "open",
            "min_cell_size": "10",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422 and "kleine letters" in bad.get_data(as_text=True)
    reply = organizer.post(
        "/admin/c/mini/waves",
        data={
            "slug": "mini-2027",
            "version": "1",
            "mode": "open",
            "opens_on": "2020-01-01",
            "closes_on": "2099-12-31",
            "min_cell_size": "15",
            "csrf_token": token,
        },
    )
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/admin/w/mini-2027")
    assert client.get("/c/mini-2027").status_code == 404  # a draft is not public yet
    organizer.post("/admin/w/mini-2027/open", data={"csrf_token": token})
    assert client.get("/c/mini-2027").status_code == 200
    organizer.post("/admin/w/mini-2027/publish", data={"csrf_token": token})
    organizer.post("/admin/w/mini-2027/close", data={"csrf_token": token})
    assert client.get("/c/mini-2027").status_code == 410
    db.expire_all()
    wave = db.scalar(select(Wave).where(Wave.slug == "mini-2027"))
    assert wave is not None
    assert (wave.status, wave.results_published, wave.min_cell_size) == (
        WaveStatus.CLOSED,
        True,
        15,
    )
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.target == "wave:mini-2027")
    ).all()
    assert actions == ["create wave", "open wave", "publish wave", "close wave"]


def test_wave_commands(app: Flask, load_set: LoadSet, db: Session) -> None:
    load_set(MINI, open_wave=False)
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run("waves", "create", "mini-late", "--consultation", "mini", "--closes", "2020-01-31")
    assert "open" not in run("waves", "close-expired")
    bad = runner.invoke(args=["waves", "open", "mini-late"])
    assert bad.exit_code != 0 and "has passed" in bad.output
    run("waves", "create", "mini-now", "--consultation", "mini", "--mode", "invite")
    assert "open" in run("waves", "open", "mini-now")
    assert "published" in run("waves", "publish", "mini-now")
    assert "closed" in run("waves", "close", "mini-now")
    missing = runner.invoke(args=["waves", "open", "no-such-wave"])
    assert missing.exit_code != 0 and "no wave" in missing.output


def test_waves_past_their_closing_date_stop_taking_answers(
    app: Flask, load_set: LoadSet, db: Session, client: FlaskClient
) -> None:
    wave = load_set(MINI)
    db.expire_all()
    found = db.scalar(select(Wave).where(Wave.slug == wave))
    assert found is not None
    found.closes_on = found.opens_on = None
    import datetime as dt

    found.closes_on = dt.date.today() - dt.timedelta(days=1)
    db.commit()
    assert client.get(f"/c/{wave}").status_code == 410
    result = app.test_cli_runner().invoke(args=["waves", "close-expired"])
    assert "Closed 1 wave" in result.output
    db.expire_all()
    assert db.scalar(select(Wave.status).where(Wave.slug == wave)) == WaveStatus.CLOSED


def test_margins_are_checked_and_stored(
    app: Flask, logged_in, load_set: LoadSet, db: Session, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    path = tmp_path / "margins.csv"
    path.write_text("variable,category,share\nSEX,1,0.6\nSEX,7,0.5\nKNOW,1,1\n")
    result = app.test_cli_runner().invoke(args=["waves", "margins", wave, str(path)])
    assert result.exit_code != 0
    assert "line 3" in result.output and "line 4" in result.output
    path.write_text(MARGINS)
    result = app.test_cli_runner().invoke(args=["waves", "margins", wave, str(path)])
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert db.scalar(select(Wave.margins).where(Wave.slug == wave)) == MARGINS


# --- invitations and monitoring -------------------------------------------------------------


def invite_wave(app: Flask, load_set: LoadSet) -> str:
    load_set(MINI, open_wave=False)
    runner = app.test_cli_runner()
    runner.invoke(
        args=["waves", "create", "mini-panel", "--consultation", "mini", "--mode", "invite"]
    )
    runner.invoke(args=["waves", "open", "mini-panel"])
    return "mini-panel"


def test_invitation_codes_start_exactly_one_response(
    app: Flask, logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = invite_wave(app, load_set)
    organizer = logged_in("organizer", ("mini",))
    token = admin_token(organizer, f"/admin/w/{wave}")
    reply = organizer.post(
        f"/admin/w/{wave}/invitations", data={"count": "3", "output": "csv", "csrf_token": token}
    )
    assert reply.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply.get_data(as_text=True))))
    assert len(rows) == 3 and all(row["wave"] == wave for row in rows)
    codes = [row["code"] for row in rows]
    db.expire_all()
    stored = db.scalars(select(Invitation.code_hash)).all()
    assert len(stored) == 3 and not set(codes) & set(stored)

    citizen = app.test_client()
    page = citizen.get(f"/c/{wave}?code={codes[0]}").get_data(as_text=True)
    assert f'value="{codes[0]}"' in page
    started = citizen.post(
        f"/c/{wave}/start",
        data={"consent": "y", "invitation": codes[0], "csrf_token": csrf_from(page)},
    )
    assert started.status_code == 303 and "/page/" in started.headers["Location"]

    other = app.test_client()
    page = other.get(f"/c/{wave}").get_data(as_text=True)
    reused = other.post(
        f"/c/{wave}/start",
        data={"consent": "y", "invitation": codes[0], "csrf_token": csrf_from(page)},
    )
    assert reused.status_code == 422
    assert "al gebruikt" in reused.get_data(as_text=True)
    no_code = other.post(f"/c/{wave}/start", data={"consent": "y", "csrf_token": csrf_from(page)})
    assert no_code.status_code == 422
    assert count(db, Response) == 1

    organizer.post(
        f"/admin/w/{wave}/invitations/revoke", data={"code": codes[2].lower(), "csrf_token": token}
    )
    db.expire_all()
    assert count(db, Invitation) == 3
    assert sorted(db.scalars(select(Invitation.status)).all()) == sorted(
        [InvitationStatus.USED, InvitationStatus.REVOKED, InvitationStatus.UNUSED]
    )
    organizer.post(f"/admin/w/{wave}/invitations/revoke", data={"csrf_token": token})
    revoked = other.post(
        f"/c/{wave}/start",
        data={"consent": "y", "invitation": codes[1], "csrf_token": csrf_from(page)},
    )
    assert revoked.status_code == 422
    db.expire_all()
    statuses = sorted(db.scalars(select(Invitation.status)).all())
    assert statuses == sorted(
        [InvitationStatus.USED, InvitationStatus.REVOKED, InvitationStatus.REVOKED]
    )
    page = organizer.get(f"/admin/w/{wave}").get_data(as_text=True)
    assert "Ongebruikt: 0 · gebruikt: 1 · ingetrokken: 2" in page
    events = db.scalars(select(AuditEvent.detail)).all()
    assert not any(code in (detail or "") for code in codes for detail in events)


def test_invitation_codes_on_screen(app: Flask, logged_in, load_set: LoadSet) -> None:  # type: ignore[no-untyped-def]
    wave = invite_wave(app, load_set)
    organizer = logged_in("organizer", ("mini",))
    token = admin_token(organizer, f"/admin/w/{wave}")
    reply = organizer.post(
        f"/admin/w/{wave}/invitations", data={"count": "2", "output": "page", "csrf_token": token}
    )
    assert reply.headers["Cache-Control"] == "no-store"
    assert (
        len(re.findall(r'<td class="code">[A-Z2-7-]{39}</td>', reply.get_data(as_text=True))) == 2
    )
    too_many = organizer.post(
        f"/admin/w/{wave}/invitations", data={"count": "0", "output": "page", "csrf_token": token}
    )
    assert too_many.status_code == 303


def test_monitoring_shows_progress_drop_off_and_representation(
    app: Flask, logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    app.test_cli_runner()
    for know in ("1", "1"):
        citizen = Citizen(app.test_client(), wave, MINI)
        citizen.start()
        citizen.answer_page_validly({"KNOW": [know]})
        citizen.answer_all_pages()
        citizen.submit()
    stopped = Citizen(app.test_client(), wave, MINI)
    stopped.start()
    stopped.answer_page_validly({"KNOW": ["2"]})
    organizer = logged_in("organizer", ("mini",))
    token = admin_token(organizer, f"/admin/w/{wave}")
    organizer.post(
        f"/admin/w/{wave}/margins",
        data={"csrf_token": token, "file": (io.BytesIO(MARGINS.encode()), "m.csv")},
        content_type="multipart/form-data",
    )
    page = organizer.get(f"/admin/w/{wave}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Begonnen 3" in text and "Afgerond 2" in text and "Deel afgerond 67%" in text
    assert "Mediane invultijd 0 minuten" in text
    assert re.search(r"Toepassing [AB] \(app_[ab]\) 1", text)
    # Everyone who finished is a woman: 100% against 50% in the population.
    assert re.search(r"SEX Vrouw 2 100,0% 50,0% 2,00 oververtegenwoordigd", text)
    assert re.search(r"SEX Man 0 0,0% 50,0% 0,00 ondervertegenwoordigd", text)
    # In English the words and the number format follow.
    page = organizer.get(f"/admin/w/{wave}?lang=en").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Started 3" in text and "Completion rate 67%" in text
    assert re.search(r"SEX Woman 2 100\.0% 50\.0% 2\.00 over-represented", text)
    assert re.search(r"Application [AB] \(app_[ab]\) 1", text)
    assert (
        db.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.COMPLETE))
        == 2
    )


def test_audit_log_is_for_admins_and_holds_no_secrets(logged_in, load_set: LoadSet) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    token = admin_token(organizer, "/admin/w/mini-2026")
    organizer.post("/admin/w/mini-2026/publish", data={"csrf_token": token})
    assert organizer.get("/admin/audit").status_code == 403
    page = logged_in("admin").get("/admin/audit?lang=en").get_data(as_text=True)
    assert "publish wave" in page and "wave:mini-2026" in page and "organizer-1@example.org" in page
    assert PASSWORD not in page


def test_upload_an_xlsform_and_export_it_again(logged_in, db: Session) -> None:  # type: ignore[no-untyped-def]
    from surveys.loader import load_file
    from surveys.xlsform import question_set_to_xlsform, xlsform_to_question_set

    organizer = logged_in("organizer")
    workbook = question_set_to_xlsform(load_file(MINI))
    reply = upload(organizer, "mini.xlsx", workbook)
    assert reply.status_code == 303, reply.get_data(as_text=True)
    exported = organizer.get("/admin/c/mini/v/1/export.xlsx")
    assert exported.mimetype.endswith("spreadsheetml.sheet")
    again = xlsform_to_question_set(exported.get_data())
    assert [item.code for item in again.all_items()] == [
        item.code for item in load_file(MINI).all_items()
    ]
    broken = upload(organizer, "broken.xlsx", b"not a workbook")
    assert broken.status_code == 422
