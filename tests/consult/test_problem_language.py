"""Question-set problems in the organizer's language: the upload report is Dutch first (English
on request), with the line or the sheet and row to fix; the command line stays English; the
audit log shows the actions it stored in the reader's language."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from surveys.loader import load_file
from surveys.xlsform import question_set_to_xlsform
from tests.consult.conftest import MINI, admin_token
from tests.consult.test_admin import upload

#: MINI with three mistakes: a second item KNOW, a misspelt type, and a minimum of 5 answers
#: out of 4 options.
BROKEN = (
    MINI.read_text()
    .replace("code: AGE\n", "code: KNOW\n")
    .replace("type: ranking", "type: rank")
    .replace("        min: 1\n        max: 2\n", "        min: 5\n        max: 2\n")
)


def _line(text: str, fragment: str, nth: int = 1) -> int:
    """The line number of the nth line of `text` that contains `fragment`."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if fragment in line]
    return found[nth - 1]


def _problems(page: str) -> list[str]:
    """The problems listed on an upload report, as the organizer reads them."""
    report = page[page.index('class="error-summary"') :]
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", report)]


def _broken_workbook() -> bytes:
    """MINI as an XLSForm whose question AGE is renamed to KNOW, a name used two rows up."""
    workbook = load_workbook(io.BytesIO(question_set_to_xlsform(load_file(MINI))))
    survey = workbook["survey"]
    header = [cell.value for cell in survey[1]]
    name = header.index("name")
    for row in survey.iter_rows(min_row=2):
        if row[name].value == "AGE":
            row[name].value = "KNOW"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _survey_rows(workbook: bytes, name: str) -> list[int]:
    """The rows of the survey sheet whose question is called `name`."""
    survey = load_workbook(io.BytesIO(workbook))["survey"]
    header = [cell.value for cell in survey[1]]
    column = header.index("name")
    return [row[0].row for row in survey.iter_rows(min_row=2) if row[column].value == name]


def test_upload_report_of_a_broken_yaml_file_is_dutch_then_english(logged_in) -> None:  # type: ignore[no-untyped-def]
    organizer = logged_in("organizer")
    first, second = _line(BROKEN, "code: KNOW"), _line(BROKEN, "code: KNOW", 2)
    ranking = _line(BROKEN, "type: rank")
    minimum = _line(BROKEN, "min: 5")

    reply = upload(organizer, "broken.yaml", BROKEN.encode())
    assert reply.status_code == 422
    dutch = _problems(reply.get_data(as_text=True))
    assert f"regel {second}: vraagcode KNOW komt twee keer voor (eerst op regel {first})" in dutch
    assert any(
        p.startswith(f"regel {ranking}: vraag ")
        and "onbekend type 'rank' (bedoelt u 'ranking'?)" in p
        for p in dutch
    ), dutch
    assert (
        f"regel {minimum}: 'min' van vraag SOURCES is 5, maar de vraag heeft maar 4 antwoordopties"
        in dutch
    )
    assert not any("line " in p or "duplicate" in p for p in dutch), dutch

    english = organizer.post(
        "/admin/upload?lang=en",
        data={
            "csrf_token": admin_token(organizer),
            "file": (io.BytesIO(BROKEN.encode()), "b.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert english.status_code == 422
    shown = _problems(english.get_data(as_text=True))
    assert f"line {second}: duplicate item code KNOW (first defined on line {first})" in shown
    assert f"line {minimum}: 'min' of item SOURCES is 5, but it has only 4 choices" in shown
    assert len(shown) == len(dutch)


def test_upload_report_of_a_broken_xlsform_names_sheet_and_row_in_both_languages(logged_in) -> None:  # type: ignore[no-untyped-def]
    organizer = logged_in("organizer")
    workbook = _broken_workbook()
    first, second = _survey_rows(workbook, "KNOW")
    reply = upload(organizer, "broken.xlsx", workbook)
    assert reply.status_code == 422
    dutch = _problems(reply.get_data(as_text=True))
    assert (
        f"blad survey, rij {second}: vraagcode KNOW komt twee keer voor "
        f"(eerst op blad survey, rij {first})"
    ) in dutch, dutch

    organizer.get("/admin/?lang=en")  # the choice of language is remembered for the visit
    reply = upload(organizer, "broken.xlsx", workbook)
    english = _problems(reply.get_data(as_text=True))
    assert (
        f"sheet survey, row {second}: duplicate item code KNOW "
        f"(first defined on sheet survey, row {first})"
    ) in english, english


def test_problems_of_the_upload_itself_are_translated(logged_in) -> None:  # type: ignore[no-untyped-def]
    organizer = logged_in("organizer")
    dutch = _problems(upload(organizer, "notes.txt", b"hello").get_data(as_text=True))
    assert dutch == ["upload een vragenlijst als bestand .yaml, .yml of .xlsx (XLSForm)"]
    dutch = _problems(upload(organizer, "bad.yaml", b"\xff\xfe").get_data(as_text=True))
    assert dutch == ["het bestand is geen UTF-8-tekst"]
    unreadable = _problems(upload(organizer, "bad.xlsx", b"not a workbook").get_data(as_text=True))
    assert unreadable[0].startswith("dit is geen leesbaar Excel-werkboek (.xlsx)")


def test_command_line_prints_the_problems_in_english(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    first, second = _line(BROKEN, "code: KNOW"), _line(BROKEN, "code: KNOW", 2)
    result = app.test_cli_runner().invoke(args=["surveys", "validate", str(path)])
    assert result.exit_code == 1
    assert f"line {second}: duplicate item code KNOW (first defined on line {first})" in (
        result.output
    )
    assert "'min' of item SOURCES is 5, but it has only 4 choices" in result.output
    assert "regel" not in result.output and "vraag" not in result.output


def test_audit_log_shows_actions_in_the_readers_language(logged_in, load_set) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    organizer.post(
        "/admin/w/mini-2026/publish",
        data={"csrf_token": admin_token(organizer, "/admin/w/mini-2026")},
    )
    upload(organizer, "broken.yaml", BROKEN.encode())
    admin: FlaskClient = logged_in("admin")
    dutch = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", admin.get("/admin/audit").get_data(as_text=True))
    )
    assert "ronde publiceren wave:mini-2026 uitgevoerd" in dutch, dutch
    assert "vragenlijst uploaden broken.yaml geweigerd" in dutch
    assert "inloggen" in dutch
    assert "publish wave" not in dutch and "upload question set" not in dutch
    english = admin.get("/admin/audit?lang=en").get_data(as_text=True)
    english = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", english))
    assert "publish wave wave:mini-2026 done" in english
    assert "upload question set broken.yaml refused" in english


def test_version_comparison_details_follow_the_language(logged_in, load_set) -> None:  # type: ignore[no-untyped-def]
    load_set(MINI)
    organizer = logged_in("organizer", ("mini",))
    changed = MINI.read_text().replace("Hoe oud bent u?", "Wat is uw leeftijd?")
    changed = changed.replace("        min: 18\n", "        min: 16\n")
    assert upload(organizer, "mini.yaml", changed.encode()).status_code == 303

    def details(query: str) -> str:
        page = organizer.get(f"/admin/c/mini/diff?from=1&to=2{query}").get_data(as_text=True)
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))

    dutch = details("")
    assert "tekst (nl) gewijzigd van 'Hoe oud bent u?' in 'Wat is uw leeftijd?'" in dutch
    assert "min gewijzigd van 18 in 16" in dutch
    assert "changed from" not in dutch
    english = details("&lang=en")
    assert "text (nl) changed from 'Hoe oud bent u?' to 'Wat is uw leeftijd?'" in english
    assert "min changed from 18 to 16" in english
