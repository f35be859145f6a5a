"""Importing panel responses from CSV: validated against the question set, all or nothing."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.counting.service import rebuild_counts
from consult.models import Answer, Response, ResponseStatus, Wave
from consult.organizing.margins import parse_margins
from tests.consult.conftest import MINI, admin_token

HEADER = "KNOW,AGE,SOURCES,ACC_A,COND_A_SAFETY,COND_A_ETHICS,ACC_B,GOALS,SPEED,WORRY,SEX\n"
GOOD = HEADER + "1,34,1;2,1,1,2,,3;1;2,7,Zorgen,1\n" + "2,,,,,,2,,0,,99\n" + "9,80,,,,,,1;2;3,,,2\n"


def run_import(app: Flask, tmp_path: Path, text: str, wave: str = "mini-2026") -> tuple[int, str]:
    path = tmp_path / "responses.csv"
    path.write_text(text)
    result = app.test_cli_runner().invoke(args=["responses", "import", str(path), "--wave", wave])
    return result.exit_code, result.output


def test_import_stores_complete_responses_with_counts(
    app: Flask, db: Session, load_set: Callable[..., str], tmp_path: Path
) -> None:
    load_set(MINI)
    code, output = run_import(app, tmp_path, GOOD)
    assert code == 0, output
    assert "Imported 3 complete responses" in output
    db.expire_all()
    assert (
        db.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.COMPLETE))
        == 3
    )
    sources = db.scalars(select(Answer.option).where(Answer.code == "SOURCES")).all()
    assert sorted(sources) == [1, 2]
    ranks = db.execute(select(Answer.option, Answer.number).where(Answer.code == "GOALS")).all()
    assert sorted(ranks) == [(1, 1.0), (1, 2.0), (2, 2.0), (2, 3.0), (3, 1.0), (3, 3.0)]
    wave = db.scalar(select(Wave).where(Wave.slug == "mini-2026"))
    assert wave is not None
    assert sorted(key for _, key, _ in counting_queries.design_cells(db, wave)) == ["1", "2", "99"]
    imported = sorted(counting_queries.answer_counts(db, wave))
    rebuild_counts(db, wave)
    assert sorted(counting_queries.answer_counts(db, wave)) == imported


def test_import_reports_every_bad_row_and_column_and_stores_nothing(
    app: Flask, db: Session, load_set: Callable[..., str], tmp_path: Path
) -> None:
    load_set(MINI)
    bad = (
        "KNOW,AGE,NOPE,SOURCES,SPEED,SEX\n"
        + "7,34,x,,,1\n"  # option 7 does not exist
        + "1,12,x,1;4,,1\n"  # age below 18; 'none of these' combined with another
        + "2,40,x,1,11,1\n"  # SOURCES hidden when KNOW is 2; slider above 10
        + "1,40,x,,,1,extra\n"  # one value too many
    )
    code, output = run_import(app, tmp_path, bad)
    assert code == 1
    for expected in (
        "column 'NOPE'",
        "row 2, column KNOW",
        "row 3, column AGE",
        "row 3, column SOURCES",
        "row 4, column SOURCES: answered, but not shown",
        "row 4, column SPEED",
        "row 5: more values than columns",
        "nothing was imported",
    ):
        assert expected in output, expected
    db.expire_all()
    assert db.scalar(select(func.count(Response.id))) == 0


def test_import_into_an_unknown_wave(app: Flask, tmp_path: Path) -> None:
    code, output = run_import(app, tmp_path, GOOD, wave="nope")
    assert code != 0 and "no wave nope" in output


# --------------------------------------------------------------------------- a form's own words

FIXTURES = Path(__file__).parent / "fixtures"
#: A KoboToolbox export of the `panel_form` workbook (see `test_a_kobo_export_imports...`).
KOBO_EXPORT = FIXTURES / "kobo-panel-export.csv"

PANEL_SURVEY = [
    ["type", "name", "label::nl", "label::en", "relevant", "role"],
    ["begin group", "about", "Over u", "About you"],
    ["select_one ages", "age", "Leeftijd", "Age", None, "demographic"],
    ["select_one sexes", "sex", "Geslacht", "Sex", None, "demographic"],
    ["select_one edus", "edu", "Opleiding", "Education", None, "demographic"],
    ["end group"],
    ["begin group", "group_xu6ma22", "Uw mening", "Your views"],
    ["select_multiple worries", "worries", "Zorgen", "Worries"],
    ["rank goals", "goals", "Doelen", "Goals"],
    ["select_one yn", "trust", "Vertrouwt u de overheid?", "Do you trust the government?"],
    ["integer", "born", "Geboortejaar", "Year of birth"],
    ["end group"],
    ["begin group", "more", "Toelichting", "More", "${trust} = 'no'"],
    ["text", "why", "Waarom niet?", "Why not?"],
    ["end group"],
]
PANEL_CHOICES = [
    ["list_name", "name", "label::nl", "label::en", "exclusive"],
    ["ages", "18-34", "18 tot 35 jaar", "18 to 34 years"],
    ["ages", "35-64", "35 tot 65 jaar", "35 to 64 years"],
    ["ages", "65plus", "65 jaar of ouder", "65 or older"],
    ["sexes", "m", "Man", "Male"],
    ["sexes", "f", "Vrouw", "Female"],
    ["sexes", "x", "Anders", "Other"],
    ["edus", "low", "Laag", "Low"],
    ["edus", "mid", "Middelbaar", "Middle"],
    ["edus", "high", "Hoog", "High"],
    ["worries", "health", "Gezondheid", "Health"],
    ["worries", "nature", "Natuur", "Nature"],
    ["worries", "none", "Geen van deze", "None of these", "yes"],
    ["goals", "climate", "Klimaat", "Climate"],
    ["goals", "food", "Voedsel", "Food"],
    ["goals", "jobs", "Banen", "Jobs"],
    ["yn", "yes", "Ja", "Yes"],
    ["yn", "no", "Nee", "No"],
]
PANEL_SETTINGS = [["form_title", "form_id", "wave"], ["Burgerpanel", "panel", "panel-2026"]]

NAMED_MARGINS = """variable,category,share
age,18-34,0.28
age,35-64,0.50
age,65plus,0.22
sex,m,0.49
sex,Vrouw,0.51
edu,low,0.30
edu,MID,0.40
edu,Hoog,0.30
"""

NAMED_RESPONSES = (
    "age,sex,edu,worries,goals,trust,born,why\n"
    "18-34,m,low,health nature,food climate jobs,yes,1990,\n"
    '"35 TO 64 years",Vrouw,Middelbaar,Gezondheid;Natuur,Banen;Voedsel;Klimaat,Nee,1970,Te traag\n'
    "65plus,F,HIGH,none,2;1;3,,1950,\n"
)


def panel_form(path: Path) -> Path:
    """An XLSForm as ODK and KoboToolbox users write it: questions named `age`, `sex`, `edu`,
    choices named `18-34`, `m`, `low` (numbered 1, 2, 3 by the importer)."""
    book = Workbook()
    sheets = (("survey", PANEL_SURVEY), ("choices", PANEL_CHOICES), ("settings", PANEL_SETTINGS))
    for index, (title, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def load_panel(app: Flask, tmp_path: Path) -> str:
    code, output = cli(app, "surveys", "load", str(panel_form(tmp_path / "panel.xlsx")), "--open")
    assert code == 0, output
    return "panel-2026"


def stored(db: Session, code: str) -> list[tuple[int, int | None, float | None, str | None]]:
    """Every stored answer to `code` as (response, option, number, text), by response."""
    db.expire_all()
    rows = db.execute(
        select(Answer.response_id, Answer.option, Answer.number, Answer.text)
        .where(Answer.code == code)
        .order_by(Answer.response_id, Answer.number, Answer.option)
    ).all()
    first = min((row[0] for row in rows), default=0)
    return [(row[0] - first, row[1], row[2], row[3]) for row in rows]


def by_response(db: Session, code: str) -> list[list[int | None]]:
    """The options of each response's answer to `code`, in order (rank order for a ranking)."""
    grouped: dict[int, list[int | None]] = {}
    for response, option, _, _ in stored(db, code):
        grouped.setdefault(response, []).append(option)
    return [grouped[key] for key in sorted(grouped)]


def test_an_xlsform_with_names_takes_margins_and_responses_in_its_own_words(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    wave_slug = load_panel(app, tmp_path)
    margins = tmp_path / "margins.csv"
    margins.write_text(NAMED_MARGINS)
    code, output = cli(app, "waves", "margins", wave_slug, str(margins))
    assert code == 0, output
    assert "margins for age, sex, edu" in output
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    assert parse_margins(NAMED_MARGINS, wave) == {
        "age": {1: 0.28, 2: 0.50, 3: 0.22},
        "sex": {1: 0.49, 2: 0.51},
        "edu": {1: 0.30, 2: 0.40, 3: 0.30},
    }
    code, output = run_import(app, tmp_path, NAMED_RESPONSES, wave=wave_slug)
    assert code == 0, output
    assert "Imported 3 complete responses" in output
    assert by_response(db, "age") == [[1], [2], [3]]
    assert by_response(db, "sex") == [[1], [2], [2]]
    assert by_response(db, "edu") == [[1], [2], [3]]
    assert by_response(db, "worries") == [[1, 2], [1, 2], [3]]
    assert by_response(db, "goals") == [[2, 1, 3], [3, 2, 1], [2, 1, 3]]
    assert by_response(db, "trust") == [[1], [2]]
    assert [text for _, _, _, text in stored(db, "why")] == ["Te traag"]


def test_margins_and_an_import_warn_about_a_group_the_margins_leave_out(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    """The panel's margins give no share for sex "x": storing them says so, and so does an
    import that brings respondents who answered it (they keep their sample share)."""
    wave_slug = load_panel(app, tmp_path)
    margins = tmp_path / "margins.csv"
    margins.write_text(NAMED_MARGINS)
    code, output = cli(app, "waves", "margins", wave_slug, str(margins))
    assert code == 0, output
    assert "Warning: sex: the margins do not list the answer ‘Other’ (3)" in output
    assert "(0 so far)" in output
    code, output = run_import(app, tmp_path, NAMED_RESPONSES, wave=wave_slug)
    assert code == 0 and "Warning" not in output, output
    code, output = run_import(
        app, tmp_path, NAMED_RESPONSES.replace("65plus,F,", "65plus,x,"), wave=wave_slug
    )
    assert code == 0, output
    assert (
        "Warning: sex: the margins do not list the answer ‘Other’ (3). Respondents who give it "
        "keep their share of the sample when weighting (1 so far)."
    ) in output


def test_every_unknown_value_is_listed_with_its_row_and_column_and_nothing_is_stored(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    wave_slug = load_panel(app, tmp_path)
    bad = (
        "age,sex,edu,worries,goals,extra,about/sex\n"
        "17-20,m,low,health radio,food climate jobs,,m\n"
        "18-34,q,lower,,jobs food snacks,,f\n"
        "Man,m,low,,,,m\n"
    )
    code, output = run_import(app, tmp_path, bad, wave=wave_slug)
    assert code == 1
    for expected in (
        "column 'extra': not an answer code of panel-2026",
        "the header names sex twice: columns 'sex' and 'about/sex'",
        "row 2, column age: '17-20': ‘17-20’ is not one of the options "
        "(1 (18-34), 2 (35-64), 3 (65plus)).",
        "row 2, column worries: 'health radio': ‘radio’ is not one of the options",
        "row 3, column sex: 'q': ‘q’ is not one of the options (1 (m), 2 (f), 3 (x)).",
        "row 3, column edu: 'lower': ‘lower’ is not one of the options",
        "row 3, column goals: 'jobs food snacks': ‘snacks’ is not one of the options",
        "row 4, column age: 'Man': ‘Man’ is not one of the options",
        "8 problem(s) found; nothing was imported.",
    ):
        assert expected in output, expected
    db.expire_all()
    assert db.scalar(select(func.count(Response.id))) == 0


def test_a_kobo_export_imports_and_its_metadata_is_not_stored(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    """`kobo-panel-export.csv` is the panel form's data as KoboToolbox's "Export data" writes a
    CSV (formpack, the library behind KPI's exports; options "XML values and headers", "Include
    groups in headers" with the group separator '/', select_many "as single and separate
    columns"): UTF-8 with a byte order mark, ';' between fields, every field quoted, the form's
    metadata questions first (start, end, today, deviceid), a select_multiple as its names joined
    by spaces plus one 1/0 column per option (`group/item/option`), a rank as names in rank order,
    and KoboToolbox's own columns (_id, _uuid, _submission_time, ... _index) last."""
    wave_slug = load_panel(app, tmp_path)
    code, output = cli(app, "responses", "import", str(KOBO_EXPORT), "--wave", wave_slug)
    assert code == 0, output
    assert (
        "14 metadata columns ignored: start, end, today, deviceid, _id, _uuid, _submission_time, "
        "_validation_status, _notes, _status, _submitted_by, __version__, _tags, _index"
    ) in output
    assert "3 option columns ignored: group_xu6ma22/worries/health" in output
    assert "Imported 3 complete responses" in output
    db.expire_all()
    codes = set(db.scalars(select(Answer.code).distinct()))
    assert codes == {"age", "sex", "edu", "worries", "goals", "trust", "born", "why"}
    texts = set(db.scalars(select(Answer.text).where(Answer.text.is_not(None))))
    assert texts == {"Ze luisteren niet; nooit"}  # no uuid, date or device id among them
    assert by_response(db, "sex") == [[2], [1], [3]]
    assert by_response(db, "worries") == [[1, 2], [3]]
    assert by_response(db, "goals") == [[1, 2, 3], [3, 2, 1]]
    assert [number for _, _, number, _ in stored(db, "born")] == [1998.0, 1950.0]


def test_a_kobo_export_with_only_separate_option_columns(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    wave_slug = load_panel(app, tmp_path)
    rows = list(csv.reader(io.StringIO(KOBO_EXPORT.read_text("utf-8-sig")), delimiter=";"))
    joined = rows[0].index("group_xu6ma22/worries")
    rows[2][rows[0].index("group_xu6ma22/worries/nature")] = "yes please"
    for row in rows:
        del row[joined]
    path = tmp_path / "separate.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    code, output = cli(app, "responses", "import", str(path), "--wave", wave_slug)
    assert code == 1
    assert (
        "row 3, column group_xu6ma22/worries/nature: 'yes please': a ticked option is 1" in output
    )
    rows[2][rows[0].index("group_xu6ma22/worries/nature")] = "0"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    code, output = cli(app, "responses", "import", str(path), "--wave", wave_slug)
    assert code == 0, output
    assert "option columns ignored" not in output
    assert by_response(db, "worries") == [[1, 2], [3]]


def test_the_web_upload_of_margins_gives_the_command_lines_message(
    app: Flask, db: Session, tmp_path: Path, logged_in
) -> None:  # type: ignore[no-untyped-def]
    wave_slug = load_panel(app, tmp_path)
    bad = NAMED_MARGINS.replace("sex,Vrouw", "sex,Vrouwen").replace("edu,MID", "edu,medium")
    path = tmp_path / "margins.csv"
    path.write_text(bad)
    code, output = cli(app, "waves", "margins", wave_slug, str(path))
    assert code != 0
    expected = (
        "line 6: sex has no option ‘Vrouwen’ (its options: 1 (m), 2 (f), 3 (x)); "
        "line 8: edu has no option ‘medium’ (its options: 1 (low), 2 (mid), 3 (high))"
    )
    assert expected in output
    organizer = logged_in("organizer", ("panel",))

    def upload(text: str, lang: str) -> str:
        page = f"/admin/w/{wave_slug}?lang={lang}"
        token = admin_token(organizer, page)
        organizer.post(
            f"/admin/w/{wave_slug}/margins",
            data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "m.csv")},
            content_type="multipart/form-data",
        )
        return html.unescape(organizer.get(page).get_data(as_text=True))

    assert expected in upload(bad, "en")
    assert (
        "regel 6: sex heeft geen antwoord ‘Vrouwen’ (de antwoorden: 1 (m), 2 (f), 3 (x))"
        in upload(bad, "nl")
    )
    assert "Margins stored." in upload(NAMED_MARGINS, "en")
    db.expire_all()
    assert db.scalar(select(Wave.margins).where(Wave.slug == wave_slug)) == NAMED_MARGINS


def test_margins_saved_by_a_dutch_spreadsheet_read_the_same(
    app: Flask, db: Session, tmp_path: Path
) -> None:
    """Dutch Excel saves CSV with ';' between fields and a decimal comma: the same margins."""
    wave_slug = load_panel(app, tmp_path)
    dutch = NAMED_MARGINS.replace(",", ";").replace(";0.", ";0,")
    path = tmp_path / "marges.csv"
    path.write_text("\ufeff" + dutch)
    code, output = cli(app, "waves", "margins", wave_slug, str(path))
    assert code == 0, output
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    db.refresh(wave)
    assert parse_margins(wave.margins or "", wave) == parse_margins(NAMED_MARGINS, wave)
    assert parse_margins(NAMED_MARGINS, wave)["sex"] == {1: 0.49, 2: 0.51}
