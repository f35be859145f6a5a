"""A wave's margins say what they do: a real group they leave out is named when they are stored
and in the weighting diagnostics of every report, and shares that miss 1 only by the rounding
of their source are rescaled when the organizer asks for it, with the rescaling reported."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.models import Answer, AuditEvent, Response, ResponseStatus, Wave
from consult.organizing.margins import parse_margins
from tests.consult.conftest import ROOT, SHIPPED, admin_token

LoadSet = Callable[..., str]
WAVE = "biotech-2026"
SHIPPED_MARGINS = (ROOT / "surveys" / "definitions" / "margins-nl-adults.csv").read_text()
ROUNDED = SHIPPED_MARGINS.replace("SEX,1,0.496\nSEX,2,0.504", "SEX,1,0.496\nSEX,2,0.503")
"""The shipped margins with SEX's shares adding up to 0.999, as three rounded decimals can."""
WRONG = SHIPPED_MARGINS.replace("SEX,1,0.496\nSEX,2,0.504", "SEX,1,0.600\nSEX,2,0.500")
"""SEX adding up to 1.1: no rounding of three decimals explains that."""


def cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def store(app: Flask, tmp_path: Path, text: str, *options: str) -> tuple[int, str]:
    path = tmp_path / "margins.csv"
    path.write_text(text, encoding="utf-8")
    return cli(app, "waves", "margins", WAVE, str(path), *options)


def stored_margins(db: Session) -> str | None:
    db.expire_all()
    return db.scalar(select(Wave.margins).where(Wave.slug == WAVE))


def answered(db: Session, code: str, option: int) -> int:
    """Complete responses that gave `option` to `code`, counted from the answers themselves."""
    db.expire_all()
    query = (
        select(func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Response.status == ResponseStatus.COMPLETE,
            Answer.code == code,
            Answer.option == option,
        )
    )
    return db.scalar(query) or 0


def margin_details(db: Session, after: int) -> list[str | None]:
    """The details of the margins stored since audit event `after` (other tests' commits, e.g.
    through a subprocess, may have left events of their own)."""
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.detail)
            .where(
                AuditEvent.action == "set margins",
                AuditEvent.result == "ok",
                AuditEvent.id > after,
            )
            .order_by(AuditEvent.id)
        )
    )


def last_audit_event(db: Session) -> int:
    return db.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0


def shown(client: FlaskClient, path: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(client.get(path).get_data(as_text=True)))


# --- a group the margins leave out ----------------------------------------------------------


def test_storing_margins_warns_about_a_real_group_they_leave_out(
    app: Flask, load_set: LoadSet, db: Session, tmp_path: Path
) -> None:
    load_set(SHIPPED)
    code, output = cli(app, "responses", "simulate", "--wave", WAVE, "-n", "300", "--seed", "3")
    assert code == 0, output
    others = answered(db, "SEX", 3)
    assert others > 0
    before = last_audit_event(db)
    code, output = store(app, tmp_path, SHIPPED_MARGINS)
    assert code == 0, output
    assert (
        "Warning: SEX: the margins do not list the answer ‘Other’ (3). Respondents who give it "
        f"keep their share of the sample when weighting ({others} so far)."
    ) in output
    # "Prefer not to say" is left out on purpose: its share comes from the sample by design.
    assert "Prefer not to say" not in output and output.count("Warning:") == 1
    assert margin_details(db, before) == ["not in the margins: SEX 3"]


def test_the_admin_upload_warns_in_the_organizers_language(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    load_set(SHIPPED)
    organizer = logged_in("organizer", ("biotech",))
    for lang, warning in (
        (
            "nl",
            "SEX: het antwoord ‘Anders’ (3) staat niet in de marges. Deelnemers met dat "
            "antwoord houden bij de weging hun aandeel in de steekproef (tot nu toe 0).",
        ),
        (
            "en",
            "SEX: the margins do not list the answer ‘Other’ (3). Respondents who give it keep "
            "their share of the sample when weighting (0 so far).",
        ),
    ):
        page = f"/admin/w/{WAVE}?lang={lang}"
        reply = organizer.post(
            f"/admin/w/{WAVE}/margins",
            data={
                "csrf_token": admin_token(organizer, page),
                "file": (io.BytesIO(SHIPPED_MARGINS.encode()), "margins.csv"),
            },
            content_type="multipart/form-data",
        )
        assert reply.status_code == 303
        assert warning in shown(organizer, page)
    assert stored_margins(db) == SHIPPED_MARGINS


# --- shares that miss 1 by rounding ---------------------------------------------------------


def test_rounded_shares_are_refused_unless_rescaling_is_asked_for(
    app: Flask, load_set: LoadSet, db: Session, tmp_path: Path
) -> None:
    load_set(SHIPPED)
    before = last_audit_event(db)
    code, output = store(app, tmp_path, ROUNDED)
    assert code != 0
    assert "SEX: the shares add up to 0.999000, not 1, which rounding of the shares" in output
    assert "--rescale" in output
    assert stored_margins(db) is None

    code, output = store(app, tmp_path, WRONG, "--rescale")
    assert code != 0
    assert "SEX: the shares add up to 1.100000, not 1" in output and "--rescale" not in output
    assert stored_margins(db) is None

    code, output = store(app, tmp_path, ROUNDED, "--rescale")
    assert code == 0, output
    assert (
        "Rescaled: SEX: the shares added up to 0.999; each share was multiplied by "
        "1.001001001, so that they add up to 1."
    ) in output
    text = stored_margins(db)
    assert text is not None
    assert "# Rescaled when stored, as asked: the shares of SEX added up to 0.999" in text
    assert "# Source: CBS StatLine" in text  # the file's own comments are kept
    wave = db.scalar(select(Wave).where(Wave.slug == WAVE))
    assert wave is not None
    margins = parse_margins(text, wave)
    assert abs(sum(margins["SEX"].values()) - 1) < 1e-12
    assert abs(margins["SEX"][1] - 0.496 / 0.999) < 1e-15
    assert abs(margins["SEX"][2] - 0.503 / 0.999) < 1e-15
    assert margins["AGE_GROUP"] == parse_margins(SHIPPED_MARGINS, wave)["AGE_GROUP"]
    assert margin_details(db, before) == [
        "rescaled SEX (sum 0.999, factor 1.001001); not in the margins: SEX 3"
    ]


def test_a_dutch_spreadsheet_is_rescaled_in_its_own_format(
    app: Flask, load_set: LoadSet, db: Session, tmp_path: Path
) -> None:
    load_set(SHIPPED)
    dutch = ROUNDED.replace(",", ";").replace(";0.", ";0,")
    code, output = store(app, tmp_path, dutch, "--rescale")
    assert code == 0, output
    text = stored_margins(db)
    assert text is not None and "SEX;1;0,4964964964964965" in text
    wave = db.scalar(select(Wave).where(Wave.slug == WAVE))
    assert wave is not None
    code, output = store(app, tmp_path, ROUNDED, "--rescale")
    assert code == 0, output
    assert parse_margins(text, wave) == parse_margins(stored_margins(db) or "", wave)


def test_the_admin_rescales_when_the_box_is_ticked(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    load_set(SHIPPED)
    organizer = logged_in("organizer", ("biotech",))
    page = f"/admin/w/{WAVE}"
    assert 'name="rescale"' in shown(organizer, page)

    def upload(lang: str, **extra: str) -> str:
        organizer.post(
            f"/admin/w/{WAVE}/margins",
            data={
                "csrf_token": admin_token(organizer, f"{page}?lang={lang}"),
                "file": (io.BytesIO(ROUNDED.encode()), "margins.csv"),
                **extra,
            },
            content_type="multipart/form-data",
        )
        return shown(organizer, page)

    refused = upload("nl")
    assert "De marges zijn niet veranderd." in refused
    assert "SEX: de aandelen tellen op tot 0.999000, niet tot 1. Afronding kan dat verklaren" in (
        refused
    )
    assert "--rescale" in refused and stored_margins(db) is None
    assert (
        "SEX: de aandelen waren samen 0,999; elk aandeel is vermenigvuldigd met 1,001001001, "
        "zodat ze samen 1 zijn."
    ) in upload("nl", rescale="y")
    assert (
        "SEX: the shares added up to 0.999; each share was multiplied by 1.001001001, so that "
        "they add up to 1."
    ) in upload("en", rescale="y")
    assert "Rescaled when stored" in (stored_margins(db) or "")


# --- the weighting diagnostics --------------------------------------------------------------


def test_the_weighting_diagnostics_name_each_answer_kept_at_its_sample_share(
    app: Flask, simulated_wave: str, client: FlaskClient, db: Session, tmp_path: Path
) -> None:
    """Every report names the answers to weighting questions that the margins leave out, with
    how many gave each; a group smaller than the wave's minimum keeps its size unpublished."""
    others = answered(db, "SEX", 3)
    refused = answered(db, "SEX", 99)
    assert 0 < others < 10 <= refused  # the fixed wave: "Other" is a small group

    def weighting(*args: str) -> dict[str, dict[str, object]]:
        out = tmp_path / "report.json"
        code, output = cli(app, "report", "--wave", simulated_wave, "-o", str(out), *args)
        assert code == 0, output
        entries = json.loads(out.read_text())["weighting"]["outside_margins"]
        return {f"{e['variable']}={e['category']}": e for e in entries}

    dutch = weighting()
    assert dutch["SEX=3"] == {
        "variable": "SEX",
        "variable_label": "Wat is uw geslacht?",
        "category": 3,
        "category_label": "Anders",
        "respondents": None,
        "missing": None,
        "note": "SEX ‘Anders’ (3, minder dan 10 respondenten): niet in de "
        "bevolkingsverdelingen, houdt zijn aandeel in de steekproef.",
    }
    assert dutch["SEX=99"]["respondents"] == refused and dutch["SEX=99"]["missing"] == "refused"
    assert dutch["SEX=99"]["note"] == (
        f"SEX ‘Zeg ik liever niet’ (99, {refused} respondenten): niet in de "
        "bevolkingsverdelingen, houdt zijn aandeel in de steekproef."
    )
    english = weighting("--lang", "en")
    assert english["SEX=99"]["note"] == (
        f"SEX ‘Prefer not to say’ (99, {refused} respondents): not in the population margins, "
        "kept at its sample share."
    )
    assert set(english) == set(dutch) and {"AGE_GROUP=99", "PROVINCE=99"} <= set(english)
    assert weighting("--unweighted") == {}  # nothing is weighted, nothing kept apart

    assert cli(app, "waves", "publish", simulated_wave)[0] == 0
    api = client.get(f"/api/v1/waves/{simulated_wave}?lang=en").get_json()
    assert {
        f"{e['variable']}={e['category']}": e for e in api["weighting"]["outside_margins"]
    } == english
    page = re.sub(r"<[^>]+>", " ", shown(client, f"/results/{simulated_wave}?lang=en"))
    assert "Answers kept at their sample share" in page
    assert re.search(r"What is your sex\? +Other +fewer than 10 ", page)
    assert re.search(rf"What is your sex\? +Prefer not to say +{refused} ", page)
    dutch_page = re.sub(r"<[^>]+>", " ", shown(client, f"/results/{simulated_wave}?lang=nl"))
    assert "Antwoorden die hun aandeel in de steekproef houden" in dutch_page
    assert re.search(r"Wat is uw geslacht\? +Anders +minder dan 10 ", dutch_page)

    # With a lower minimum the small group's size is published like any other figure.
    assert cli(app, "waves", "set", simulated_wave, "--min-cell-size", "5")[0] == 0
    api = client.get(f"/api/v1/waves/{simulated_wave}?lang=en").get_json()
    small = [e for e in api["weighting"]["outside_margins"] if e["category"] == 3]
    assert small[0]["respondents"] == others
    assert small[0]["note"] == (
        f"SEX ‘Other’ (3, {others} respondents): not in the population margins, kept at its "
        "sample share."
    )


# --- a file a spreadsheet or a hand wrote oddly -----------------------------------------------


def test_a_quoted_field_over_two_lines_is_a_problem_with_its_line_not_an_error(
    logged_in, load_set: LoadSet, db: Session
) -> None:  # type: ignore[no-untyped-def]
    """A line break inside quotes (a spreadsheet cell with a line break) made the lines and the
    CSV rows disagree: a 500. It is refused with its line, and so is one that would match."""
    load_set(SHIPPED)
    organizer = logged_in("organizer", ("biotech",))
    page = f"/admin/w/{WAVE}?lang=en"
    text = SHIPPED_MARGINS.replace("SEX,1,0.496", 'SEX,"1\n",0.496')
    reply = organizer.post(
        f"/admin/w/{WAVE}/margins",
        data={
            "csrf_token": admin_token(organizer, page),
            "file": (io.BytesIO(text.encode()), "margins.csv"),
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    shown_page = shown(organizer, page)
    line = text.splitlines().index('SEX,"1') + 1
    assert "Margins not changed." in shown_page
    assert f"line {line}: a quoted field runs over more than one line" in shown_page
    assert stored_margins(db) is None


def test_a_long_list_of_problems_is_told_in_a_small_cookie(logged_in, load_set: LoadSet) -> None:  # type: ignore[no-untyped-def]
    """The refusal travels in the session cookie to the next page: a thousand wrong lines made
    it 145 KB, which browsers drop. The first problems are told, and how many more there are."""
    load_set(SHIPPED)
    organizer = logged_in("organizer", ("biotech",))
    page = f"/admin/w/{WAVE}?lang=en"
    text = "variable,category,share\n" + "".join(f"NOPE{n},1,0.5\n" for n in range(1000))
    reply = organizer.post(
        f"/admin/w/{WAVE}/margins",
        data={
            "csrf_token": admin_token(organizer, page),
            "file": (io.BytesIO(text.encode()), "margins.csv"),
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    cookie = reply.headers["Set-Cookie"]
    assert len(cookie) < 4000, len(cookie)
    shown_page = shown(organizer, page)
    assert "line 2: ‘NOPE0’ is not a demographic item" in shown_page
    assert "line 11: ‘NOPE9’" in shown_page and "‘NOPE10’" not in shown_page
    assert "and 990 more problems" in shown_page
