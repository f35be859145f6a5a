"""A wave's minimum cell size is a setting its organizers change, in the admin and on the command
line: bounded with the reason shown, logged with the old and the new value and who changed it,
and followed at once by everything the results publish (pages, API, downloads, their ETags)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import pandas as pd
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import AuditEvent, Wave
from tests.consult.conftest import MINI, SHIPPED, admin_token

LoadSet = Callable[..., str]
REASON_EN = "Fewer than 3 protects nobody"
REASON_NL = "Minder dan 3 beschermt niemand"


def minimum(db: Session, slug: str) -> int:
    db.expire_all()
    value = db.scalar(select(Wave.min_cell_size).where(Wave.slug == slug))
    assert value is not None
    return value


def audit_lines(db: Session, slug: str) -> list[tuple[str, str, str, str | None]]:
    db.expire_all()
    rows = db.execute(
        select(AuditEvent.actor, AuditEvent.action, AuditEvent.result, AuditEvent.detail)
        .where(AuditEvent.target == f"wave:{slug}", AuditEvent.action == "set minimum cell size")
        .order_by(AuditEvent.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


# --- the command line -----------------------------------------------------------------------


def test_the_command_line_changes_the_minimum_within_its_bounds_and_logs_it(
    app: Flask, load_set: LoadSet, db: Session
) -> None:
    wave = load_set(MINI)
    assert minimum(db, wave) == 10  # what `consult surveys load` gives a new wave
    runner = app.test_cli_runner()

    changed = runner.invoke(args=["waves", "set", wave, "--min-cell-size", "25"])
    assert changed.exit_code == 0, changed.output
    assert "minimum cell size 10 -> 25" in changed.output
    assert minimum(db, wave) == 25
    assert audit_lines(db, wave) == [
        ("command line", "set minimum cell size", "ok", "from 10 to 25")
    ]

    for bad in ("2", "0", "-5", "1001"):
        refused = runner.invoke(args=["waves", "set", wave, "--min-cell-size", bad])
        assert refused.exit_code != 0
        assert "from 3 to 1000" in refused.output and REASON_EN in refused.output
    assert minimum(db, wave) == 25

    same = runner.invoke(args=["waves", "set", wave, "--min-cell-size", "25"])
    assert same.exit_code == 0 and "nothing changed" in same.output
    nothing = runner.invoke(args=["waves", "set", wave])
    assert nothing.exit_code != 0 and "--min-cell-size" in nothing.output
    missing = runner.invoke(args=["waves", "set", "no-such-wave", "--min-cell-size", "12"])
    assert missing.exit_code != 0 and "no wave no-such-wave" in missing.output
    assert len(audit_lines(db, wave)) == 1  # refusals and non-changes change nothing


def test_a_new_wave_takes_the_same_bounds(app: Flask, load_set: LoadSet, db: Session) -> None:
    load_set(MINI, open_wave=False)
    runner = app.test_cli_runner()
    low = runner.invoke(
        args=["waves", "create", "mini-low", "--consultation", "mini", "--min-cell-size", "1"]
    )
    assert low.exit_code != 0 and REASON_EN in low.output
    made = runner.invoke(args=["waves", "create", "mini-now", "--consultation", "mini"])
    assert made.exit_code == 0, made.output
    assert minimum(db, "mini-now") == 10


# --- the admin ------------------------------------------------------------------------------


def test_an_organizer_changes_the_minimum_on_the_waves_page(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    page = organizer.get(f"/admin/w/{wave}").get_data(as_text=True)
    assert 'name="min_cell_size"' in page and 'value="10"' in page
    assert "Kleine groepen in de resultaten" in page
    assert "Van 3 tot en met 1000; standaard is het 10" in text_of(page)
    token = admin_token(organizer, f"/admin/w/{wave}")

    reply = organizer.post(
        f"/admin/w/{wave}/settings", data={"min_cell_size": "20", "csrf_token": token}
    )
    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"/admin/w/{wave}")
    shown = text_of(organizer.get(f"/admin/w/{wave}").get_data(as_text=True))
    assert "De minimale celgrootte is nu 20 (was 10)" in shown
    assert "Minimale celgrootte 20" in shown
    assert minimum(db, wave) == 20
    assert audit_lines(db, wave) == [
        ("organizer-1@example.org", "set minimum cell size", "ok", "from 10 to 20")
    ]


def test_a_minimum_out_of_bounds_is_refused_with_the_reason_in_the_users_language(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    token = admin_token(organizer, f"/admin/w/{wave}")
    for value, lang, reason in (
        ("2", "nl", REASON_NL),
        ("1001", "nl", REASON_NL),
        ("2", "en", REASON_EN),
        ("tien", "en", REASON_EN),
        ("", "nl", REASON_NL),
    ):
        reply = organizer.post(
            f"/admin/w/{wave}/settings?lang={lang}",
            data={"min_cell_size": value, "csrf_token": token},
        )
        assert reply.status_code == 422, value
        page = reply.get_data(as_text=True)
        error = re.search(r'<p class="error-message" id="min_cell_size-error">([^<]+)</p>', page)
        assert error and reason in html.unescape(error.group(1)), (value, lang)
        assert 'aria-describedby="min_cell_size-hint min_cell_size-error"' in page
        # The error summary of every form: its heading, a link naming the field, "Error:" first
        # in the title.
        summary = {"nl": "Er is een probleem", "en": "There is a problem"}
        assert summary[lang] in page and 'href="#min_cell_size"' in page
        link = re.search(r'<a href="#min_cell_size">([^<]+)</a>', page)
        assert link and reason in html.unescape(link.group(1)), (value, lang)
        assert re.search(r"<title>(Fout|Error): ", page)
    assert minimum(db, wave) == 10
    # The attempts are logged as refused (the request's own changes roll back).
    refused = audit_lines(db, wave)
    assert [line[2] for line in refused] == ["refused"] * 5
    assert refused[0][3] == "value '2'"
    without_token = organizer.post(f"/admin/w/{wave}/settings", data={"min_cell_size": "20"})
    assert without_token.status_code == 400
    assert minimum(db, wave) == 10


def test_only_the_consultations_organizers_and_admins_change_it(
    logged_in, load_set: LoadSet, db: Session, client: FlaskClient
) -> None:  # type: ignore[no-untyped-def]
    wave = load_set(MINI)
    load_set(SHIPPED)
    for visitor, status in (
        (logged_in("organizer", ("biotech",), email="other@example.org"), 404),
        (logged_in("researcher", ("mini",)), 403),
        (logged_in("admin"), 303),
    ):
        token = admin_token(visitor, "/admin/account/tokens")
        reply = visitor.post(
            f"/admin/w/{wave}/settings", data={"min_cell_size": "30", "csrf_token": token}
        )
        assert reply.status_code == status
    anonymous = client.post(
        f"/admin/w/{wave}/settings",
        data={"min_cell_size": "40", "csrf_token": admin_token(client, "/admin/login")},
    )
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]
    assert minimum(db, wave) == 30
    assert [line[0] for line in audit_lines(db, wave)] == ["admin-0@example.org"]


# --- what is published follows --------------------------------------------------------------


def published_now(client: FlaskClient, wave: str) -> dict[str, object]:
    """What a reader gets: the API's estimates with their ETag, the CSV download, the page."""
    api = client.get(f"/api/v1/waves/{wave}/estimates?by=AGE_GROUP&lang=en")
    assert api.status_code == 200
    download = client.get(f"/results/{wave}/downloads/estimates.csv?lang=en&by=AGE_GROUP")
    assert download.status_code == 200
    table = pd.read_csv(io.BytesIO(download.get_data()))
    page = text_of(client.get(f"/results/{wave}?lang=en").get_data(as_text=True))
    body = api.get_json()
    return {
        "etag": api.headers["ETag"],
        "minimum": body["minimum_cell_size"],
        "api_hidden": sum(row["suppressed"] for row in body["estimates"]),
        "csv_hidden": int(table["suppressed"].sum()),
        "page": page,
    }


def test_a_change_recomputes_what_is_published(
    app: Flask, logged_in, simulated_wave: str, client: FlaskClient, db: Session
) -> None:  # type: ignore[no-untyped-def]
    wave = simulated_wave
    assert app.test_cli_runner().invoke(args=["waves", "publish", wave]).exit_code == 0
    before = published_now(client, wave)
    assert before["minimum"] == 10 and "Minimum group size 10" in str(before["page"])
    assert before["api_hidden"] == before["csv_hidden"]

    organizer = logged_in("organizer", ("biotech",))
    token = admin_token(organizer, f"/admin/w/{wave}")
    reply = organizer.post(
        f"/admin/w/{wave}/settings", data={"min_cell_size": "60", "csrf_token": token}
    )
    assert reply.status_code == 303
    after = published_now(client, wave)
    assert after["etag"] != before["etag"] and after["minimum"] == 60
    assert "Minimum group size 60" in str(after["page"])
    assert "groups of fewer than 60 respondents" in str(after["page"])
    assert after["api_hidden"] == after["csv_hidden"] > before["api_hidden"]  # type: ignore[operator]
    stale = client.get(
        f"/api/v1/waves/{wave}/estimates?by=AGE_GROUP&lang=en",
        headers={"If-None-Match": str(before["etag"])},
    )
    assert stale.status_code == 200

    # Back to 10 on the command line: the same figures, and the same ETag, as before.
    back = app.test_cli_runner().invoke(args=["waves", "set", wave, "--min-cell-size", "10"])
    assert back.exit_code == 0, back.output
    again = published_now(client, wave)
    assert {k: again[k] for k in ("etag", "minimum", "api_hidden", "csv_hidden")} == {
        k: before[k] for k in ("etag", "minimum", "api_hidden", "csv_hidden")
    }
    assert [line[3] for line in audit_lines(db, wave)] == ["from 10 to 60", "from 60 to 10"]
