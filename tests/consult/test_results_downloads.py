"""A wave's downloads: the same figures as `consult report` in every format and language, a data
package that Frictionless accepts, microdata only for the consultation's researchers (and
audited), suppression that no format or combination of downloads undoes, neutralized formulas,
304s on a repeat and clear errors for a wrong request."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import frictionless
import numpy as np
import pandas as pd
import pyreadstat
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from consult.extensions import db as database
from consult.models import Answer, AuditEvent, Response, ResponseStatus
from consult.organizing import queries as organizing_queries
from consult.organizing.question_sets import question_set_of
from consult.results.downloads import csv_bytes, neutralized
from consult.results.microdata import UNBOUNDED, Block, Variable, variables
from surveys.loader import load_file
from tests.consult.conftest import MINI

KEY = ["item", "group", "option"]
FIGURES = ["n", "estimate", "se", "ci_low", "ci_high"]
LABELS = ["item_label", "group_label", "option_label"]
HEADER = (
    b"item,item_label,group,group_label,option,option_label,n,base,estimate,se,ci_low,ci_high,"
    b"suppressed\n"
)


def _set_wave(app: Flask, slug: str, **values: object) -> None:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        for name, value in values.items():
            setattr(wave, name, value)
        database.commit()


def _command(
    app: Flask, tmp_path: Path, command: str, wave: str, by: str | None, lang: str
) -> bytes:
    """The CSV file `consult report` or `consult export` writes."""
    output = tmp_path / f"{command}-{by}-{lang}.csv"
    args = [command, "--wave", wave, "--format", "csv", "--lang", lang, "-o", str(output)]
    result = app.test_cli_runner().invoke(args=args + (["--by", by] if by else []))
    assert result.exit_code == 0, result.output
    return output.read_bytes()


def _report(
    app: Flask, tmp_path: Path, wave: str, by: str | None = None, lang: str = "en"
) -> pd.DataFrame:
    content = _command(app, tmp_path, "report", wave, by, lang)
    return _keyed(pd.read_csv(io.BytesIO(content), dtype={"option": str}, keep_default_na=False))


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["option"] = frame["option"].map(lambda v: "" if pd.isna(v) or v == "" else str(int(v)))
    for name in [*FIGURES, "base"]:
        frame[name] = pd.to_numeric(frame[name].replace("", np.nan))
    for name in LABELS:  # a spreadsheet reads an empty label as a missing one
        frame[name] = frame[name].fillna("").astype(str)
    return frame.set_index(KEY).sort_index()


def _get(client: FlaskClient, path: str, status: int = 200) -> bytes:
    reply = client.get(path)
    assert reply.status_code == status, (path, reply.status_code, reply.get_data(as_text=True))
    return reply.get_data()


def _downloads(client: FlaskClient, wave: str, query: str) -> dict[str, pd.DataFrame]:
    """The estimates table of one request in each format, re-read with pandas."""
    base = f"/results/{wave}/downloads/estimates"
    csv = pd.read_csv(io.BytesIO(_get(client, f"{base}.csv?{query}")), dtype={"option": str})
    xlsx = pd.read_excel(io.BytesIO(_get(client, f"{base}.xlsx?{query}")), sheet_name=None)
    document = json.loads(_get(client, f"{base}.json?{query}"))
    return {
        "csv": csv,
        "xlsx": xlsx["estimates"],
        "json": pd.DataFrame(document["estimates"]),
    }


@pytest.fixture
def published(app: Flask, simulated_wave: str) -> str:
    _set_wave(app, simulated_wave, results_published=True)
    return simulated_wave


@pytest.mark.parametrize("by", [None, "AGE_GROUP", "KNOW_BIO"])
def test_every_format_holds_the_figures_of_consult_report(
    app: Flask, client: FlaskClient, published: str, tmp_path: Path, by: str | None
) -> None:
    expected = _report(app, tmp_path, published, by)
    query = f"lang=en&by={by}" if by else "lang=en"
    for fmt, table in _downloads(client, published, query).items():
        got = _keyed(table)
        assert list(got.index) == list(expected.index), fmt
        for name in [*FIGURES, "base"]:
            assert np.allclose(got[name], expected[name], rtol=1e-12, equal_nan=True), (fmt, name)
        for name in LABELS:
            assert list(got[name]) == list(expected[name]), (fmt, name)
        assert (
            got["suppressed"].astype(str).str.lower()
            == expected["suppressed"].astype(str).str.lower()
        ).all()


@pytest.mark.parametrize(("lang", "by"), [("nl", None), ("en", "AGE_GROUP")])
def test_consult_report_writes_the_csv_download_byte_for_byte(
    app: Flask, client: FlaskClient, published: str, tmp_path: Path, lang: str, by: str | None
) -> None:
    """One layout for the estimates: `consult report --format csv`, `consult export --format
    csv` and the web's CSV download are the same file."""
    report = _command(app, tmp_path, "report", published, by, lang)
    assert report.startswith(HEADER)
    query = f"lang={lang}&by={by}" if by else f"lang={lang}"
    assert _get(client, f"/results/{published}/downloads/estimates.csv?{query}") == report
    assert _command(app, tmp_path, "export", published, by, lang) == report
    everyone = {"nl": "alle respondenten", "en": "all respondents"}[lang]
    assert (f",all,{everyone},".encode() in report) is (by is None)


def test_the_method_note_speaks_the_language_asked_for(client: FlaskClient, published: str) -> None:
    """The method sheet (XLSX), the JSON document and the data package's method note explain
    the method in the reader's language and name the weighting questions by their wording."""
    for lang, field, wanted, foreign in (
        (
            "nl",
            "Methode",
            [
                "De deelnemers zijn gewogen naar hun antwoord op “Hoe oud bent u?”, “Wat is uw "
                "geslacht?”, “Wat is de hoogste opleiding die u heeft afgemaakt?” en “In welke "
                "provincie woont u?”.",
                "betrouwbaarheidsinterval van 95%",
                "Voor onderzoekers: de gewichten komen uit raking",
                "Gelijk aan het R-pakket survey: rake() op svydesign(ids=~1)",
            ],
            "The respondents are weighted",
        ),
        (
            "en",
            "Method",
            [
                "The respondents are weighted by their answers to “How old are you?”, “What is "
                "your sex?”, “What is the highest level of education you have completed?”, and "
                "“In which province do you live?”.",
                "95% confidence interval",
                "For researchers: the weights come from raking",
                "As R survey: rake() on svydesign(ids=~1)",
            ],
            "De deelnemers zijn gewogen",
        ),
    ):
        base = f"/results/{published}/downloads"
        sheet = pd.read_excel(
            io.BytesIO(_get(client, f"{base}/estimates.xlsx?lang={lang}")), sheet_name="method"
        )
        texts = {
            "xlsx": dict(zip(sheet["field"], sheet["value"], strict=True))[field],
            "json": json.loads(_get(client, f"{base}/estimates.json?lang={lang}"))["method"][field],
        }
        with zipfile.ZipFile(io.BytesIO(_get(client, f"{base}/package.zip?lang={lang}"))) as zf:
            note = zf.read(next(n for n in zf.namelist() if n.endswith("method.txt"))).decode()
        texts["zip"] = note
        for fmt, text in texts.items():
            for words in wanted:
                assert words in text, (lang, fmt, words)
            assert foreign not in text, (lang, fmt)
            for code in ("AGE_GROUP", "EDUCATION", "PROVINCE"):
                assert code not in text, (lang, fmt, code)


def test_labels_follow_the_language_asked_for(client: FlaskClient, published: str) -> None:
    for lang, item, option, everyone in (
        ("nl", "Hoeveel weet u over biotechnologie?", "(Bijna) niets", "alle respondenten"),
        ("en", "How much do you know about biotechnology?", "(Almost) nothing", "all respondents"),
    ):
        for fmt, table in _downloads(client, published, f"lang={lang}").items():
            options = table["option"].map(lambda v: "" if pd.isna(v) else str(int(v)))
            row = table[(table["item"] == "KNOW_BIO") & (options == "1")]
            assert list(row["item_label"]) == [item], (lang, fmt)
            assert list(row["option_label"]) == [option], (lang, fmt)
            assert list(row["group_label"]) == [everyone], (lang, fmt)
    by_sex = _downloads(client, published, "lang=en&by=SEX")["csv"]
    assert set(by_sex["group"]) >= {"SEX=1", "SEX=2"}
    assert "Woman" in set(by_sex["group_label"]) or "Female" in set(by_sex["group_label"])


def test_the_data_package_validates_with_frictionless(
    client: FlaskClient, published: str, tmp_path: Path
) -> None:
    for query in ("lang=nl", "lang=en&by=AGE_GROUP"):
        content = _get(client, f"/results/{published}/downloads/package.zip?{query}")
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            archive.extractall(tmp_path / query)
        root = tmp_path / query / names[0].split("/")[0]
        assert {p.name for p in root.iterdir()} == {
            "estimates.csv",
            "acceptance_summary.csv",
            "codebook_items.csv",
            "codebook_options.csv",
            "codebook.json",
            "method.txt",
            "datapackage.json",
        }
        report = frictionless.validate(str(root / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
        codebook = json.loads((root / "codebook.json").read_text())
        know = next(item for item in codebook["items"] if item["code"] == "KNOW_BIO")
        assert know["text_nl"] == "Hoeveel weet u over biotechnologie?"
        assert know["options"][0]["label_en"] == "(Almost) nothing"
        summary = pd.read_csv(root / "acceptance_summary.csv")
        assert {"acceptance", "necessary", "lift"} <= set(summary["measure"])
        assert (
            "Minimum" in (root / "method.txt").read_text()
            or "Minimale" in (root / "method.txt").read_text()
        )


def test_a_package_that_breaks_its_schema_fails_validation(
    client: FlaskClient, published: str, tmp_path: Path
) -> None:
    """The validation can fail: an option code outside the declared ones is an error."""
    content = _get(client, f"/results/{published}/downloads/package.zip?lang=en")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        root = tmp_path / archive.namelist()[0].split("/")[0]
        archive.extractall(tmp_path)
    lines = (root / "estimates.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",1,", ",12345,", 1)
    (root / "estimates.csv").write_text("\n".join(lines) + "\n")
    assert not frictionless.validate(str(root / "datapackage.json")).valid


def test_suppression_holds_in_every_format_and_across_downloads(
    client: FlaskClient, small_wave: Callable[[int], str]
) -> None:
    wave = small_wave(30)
    overall = _downloads(client, wave, "lang=en")
    grouped = _downloads(client, wave, "lang=en&by=AGE_GROUP")
    for tables in (overall, grouped):
        csv = tables["csv"]
        hidden = csv["suppressed"]
        assert hidden.any() and (~hidden).any()
        for fmt, table in tables.items():  # a hidden figure is empty in every format
            flags = table["suppressed"].astype(str).str.lower() == "true"
            assert (flags.to_numpy() == hidden.to_numpy()).all(), fmt
            assert table.loc[flags, FIGURES].isna().all().all(), fmt
            assert table.loc[flags, "item_label"].notna().all(), fmt
    # Combining the two downloads: for an option shown overall, never exactly one of its
    # groups is hidden (else the overall count minus the shown groups would give it away).
    by = grouped["csv"]
    shown_overall = overall["csv"][~overall["csv"]["suppressed"]]
    lines = by[by["option"].notna() & (by["option"] != "")].groupby(["item", "option"])
    checked = 0
    for (item, option), line in lines:
        if ((shown_overall["item"] == item) & (shown_overall["option"] == option)).any():
            assert int(line["suppressed"].sum()) != 1, (item, option)
            checked += 1
    assert checked > 20
    # And the hidden numbers appear nowhere in the by-download's other columns or sheets.
    xlsx_sheets = pd.read_excel(
        io.BytesIO(_get(client, f"/results/{wave}/downloads/estimates.xlsx?by=AGE_GROUP")),
        sheet_name=None,
    )
    assert xlsx_sheets["estimates"]["suppressed"].sum() == by["suppressed"].sum()


def test_microdata_are_the_researchers_and_carry_the_reports_weights(
    app: Flask,
    simulated_wave: str,
    logged_in,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    researcher = logged_in("researcher", ("biotech",), email="r@example.org")
    base = f"/results/{simulated_wave}/downloads/microdata"
    frames = {}
    for fmt in ("sav", "dta"):
        path = tmp_path / f"m.{fmt}"
        path.write_bytes(_get(researcher, f"{base}.{fmt}?lang=en"))
        # "Don't know" is user-missing in SPSS: read it as the value it is, like the report.
        options = {"user_missing": True} if fmt == "sav" else {}
        frames[fmt] = getattr(pyreadstat, f"read_{fmt}")(str(path), **options)
    csv = pd.read_csv(io.BytesIO(_get(researcher, f"{base}.csv?lang=nl")))
    estimates = pd.read_csv(
        io.BytesIO(_get(researcher, f"/results/{simulated_wave}/downloads/estimates.csv"))
    )
    accept = estimates[(estimates["item"] == "ACC_CRISPR") & (estimates["option"] == 4)]
    for fmt, data in (("csv", csv), ("sav", frames["sav"][0]), ("dta", frames["dta"][0])):
        assert len(data) == 600 and sorted(data["respondent"]) == list(range(1, 601))
        assert data["weight"].sum() == pytest.approx(600)
        assert not {"OPEN_WORRIES", "OPEN_WISHES", "INFO_BIOTECH"} & set(data.columns)
        assert not any("date" in name.lower() or name.lower() == "id" for name in data.columns)
        answered = data["ACC_CRISPR"].notna()
        share = (data["weight"] * (data["ACC_CRISPR"] == 4))[answered].sum() / data["weight"][
            answered
        ].sum()
        assert share == pytest.approx(float(accept["estimate"].iloc[0]), rel=1e-9), fmt
        assert set(data["AGE_GROUP"].dropna()) <= {1, 2, 3, 4, 5, 6, 7, 99}
    for _, meta in frames.values():
        assert meta.variable_value_labels["KNOW_BIO"][1] == "(Almost) nothing"
        assert meta.column_names_to_labels["KNOW_BIO"].startswith("How much do you know")
    assert frames["sav"][1].missing_ranges["ACC_CRISPR"] == [{"lo": 9.0, "hi": 9.0}]
    with app.app_context():
        lines = database.session.query(AuditEvent).filter_by(action="download_microdata").all()
        assert len(lines) == 3 and {line.actor for line in lines} == {"r@example.org"}
        assert {line.target for line in lines} == {simulated_wave}


def test_microdata_are_nobody_elses(
    app: Flask,
    simulated_wave: str,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    _set_wave(app, simulated_wave, results_published=True)
    path = f"/results/{simulated_wave}/downloads/microdata.csv"
    for client in (
        app.test_client(),
        logged_in("organizer", ("biotech",), email="org@example.org"),
        logged_in("researcher", (), email="elsewhere@example.org"),
        logged_in("admin"),
    ):
        assert client.get(path).status_code == 404
    page = app.test_client().get(f"/results/{simulated_wave}/downloads").get_data(as_text=True)
    assert "microdata" not in page.lower()
    with app.app_context():
        assert not database.session.query(AuditEvent).filter_by(action="download_microdata").all()


def test_formulas_are_neutralized_and_numbers_stay_numbers(
    app: Flask, client: FlaskClient, load_set: Callable[..., str], tmp_path: Path
) -> None:
    assert [neutralized(v) for v in ("=1+1", "+31", "-x", "@SUM(A1)", "\tx", "\rx", "ok")] == [
        "'=1+1",
        "'+31",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
    ]
    assert csv_bytes(["a", "b"], [{"a": -0.5, "b": "=cmd"}]) == b"a,b\n-0.5,'=cmd\n"
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        MINI.read_text().replace("{nl: Krant, en: Newspaper}", '{nl: "=HYPERLINK(1)", en: "@x"}')
    )
    wave = load_set(evil)
    _set_wave(app, wave, results_published=True)
    xlsx = pd.read_excel(
        io.BytesIO(_get(client, f"/results/{wave}/downloads/estimates.xlsx")),
        sheet_name="codebook_options",
    )
    assert "'=HYPERLINK(1)" in set(xlsx["label_nl"]) and "'@x" in set(xlsx["label_en"])
    assert xlsx["option"].dtype.kind == "i"
    content = _get(client, f"/results/{wave}/downloads/package.zip")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("codebook_options.csv"))
        assert "'=HYPERLINK(1)" in archive.read(name).decode()


def test_a_repeat_download_is_a_304_until_the_figures_move(
    app: Flask, client: FlaskClient, published: str
) -> None:
    path = f"/results/{published}/downloads/estimates.csv?lang=en"
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
    dutch = client.get(path.replace("lang=en", "lang=nl"))
    assert dutch.headers["ETag"] != first.headers["ETag"]
    package = client.get(f"/results/{published}/downloads/package.zip")
    assert package.status_code == 200 and package.headers["ETag"]
    assert (
        client.get(
            package.request.url, headers={"If-None-Match": package.headers["ETag"]}
        ).status_code
        == 304
    )
    _set_wave(app, published, min_cell_size=11)
    moved = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200 and moved.headers["ETag"] != first.headers["ETag"]


def test_a_wrong_request_gets_a_clear_4xx(client: FlaskClient, published: str) -> None:
    base = f"/results/{published}/downloads"
    reply = client.get(f"{base}/estimates.pdf?lang=en")
    assert reply.status_code == 400 and "csv, xlsx, json" in reply.get_data(as_text=True)
    reply = client.get(f"{base}/estimates.csv?by=NOPE&lang=en")
    assert reply.status_code == 400 and "AGE_GROUP" in reply.get_data(as_text=True)
    reply = client.get(f"{base}/estimates.csv?by=SPEED_CARE&lang=en")
    assert reply.status_code == 400
    reply = client.get(f"{base}/estimates.json?lang=fr")
    assert reply.status_code == 400 and "lang=nl" in reply.get_data(as_text=True)
    assert client.get(f"{base}?by=NOPE").status_code == 400
    assert client.get("/results/no-such-wave/downloads/estimates.csv").status_code == 404


def test_consult_export_writes_the_files_the_web_serves(
    app: Flask, client: FlaskClient, published: str, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    for fmt in ("csv", "json", "xlsx", "zip", "sav", "dta"):
        output = tmp_path / f"export.{fmt}"
        args = ["export", "--wave", published, "--format", fmt, "-o", str(output), "--lang", "en"]
        result = runner.invoke(args=args + (["--by", "SEX"] if fmt in ("csv", "json") else []))
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
    web = _get(client, f"/results/{published}/downloads/estimates.csv?by=SEX&lang=en")
    assert (tmp_path / "export.csv").read_bytes() == web
    bad = runner.invoke(
        args=[
            "export",
            "--wave",
            published,
            "--format",
            "csv",
            "-o",
            str(tmp_path / "x"),
            "--by",
            "NOPE",
        ]
    )
    assert bad.exit_code == 2 and "single-choice" in bad.output
    bad = runner.invoke(args=["export", "--wave", published, "--format", "pdf", "-o", "x"])
    assert bad.exit_code == 2 and "pdf" in bad.output


def test_a_wave_without_responses_has_empty_tables_and_its_codebook(
    app: Flask, client: FlaskClient, load_set: Callable[..., str]
) -> None:
    wave = load_set(MINI)
    _set_wave(app, wave, results_published=True)
    csv = _get(client, f"/results/{wave}/downloads/estimates.csv")
    assert csv.decode().strip() == ",".join(
        ["item", "item_label", "group", "group_label", "option", "option_label"]
        + ["n", "base", "estimate", "se", "ci_low", "ci_high", "suppressed"]
    )
    page = client.get(f"/results/{wave}/downloads?lang=nl").get_data(as_text=True)
    assert "Gegevenspakket" in page and "Schattingen" in page
    grouped = client.get(f"/results/{wave}/downloads?lang=en&by=KNOW").get_data(as_text=True)
    assert "Subgroups: Do you know what biotechnology is?" in grouped  # the question, not its code


def _cells(value: object) -> str:
    """A value as the CSV writes it: whole numbers without ".0", nothing for no answer."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else repr(number)


def _stored_rows(app: Flask, slug: str) -> list[str]:
    """Each complete response's answers as a microdata row would hold them (without the shuffled
    number and the weight), read straight from the stored answers: sorted, since the file's
    order is drawn at random."""
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        columns = variables(question_set_of(wave.question_set_version), "en")
        complete = select(Response.id).where(
            Response.wave_id == wave.id, Response.status == ResponseStatus.COMPLETE
        )
        given: dict[int, list[tuple[str, int | None, float | None]]] = defaultdict(list)
        for response, code, option, number in database.session.execute(
            select(Answer.response_id, Answer.code, Answer.option, Answer.number).where(
                Answer.response_id.in_(complete)
            )
        ):
            given[response].append((code, option, number))
        rows = []
        for response in database.session.scalars(complete):
            row = []
            for column in columns:
                mine = [
                    (option, number)
                    for code, option, number in given[response]
                    if code == column.code
                ]
                if column.kind == "option":
                    value = next((option for option, _ in mine if option is not None), None)
                elif column.kind == "number":
                    value = next((number for _, number in mine if number is not None), None)
                elif column.kind == "chosen":
                    value = (
                        int(any(option == column.option for option, _ in mine)) if mine else None
                    )
                else:
                    value = next(
                        (n for option, n in mine if option == column.option and n is not None), None
                    )
                row.append(_cells(value))
            rows.append(",".join(row))
    return sorted(rows)


def test_streamed_microdata_hold_every_answer_across_pages(
    app: Flask,
    simulated_wave: str,
    logged_in,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read 7 respondents a page (86 pages for 600), the CSV is sent while it is made and holds
    exactly the stored answers; other page sizes and `consult export` give the same bytes, and
    SPSS and Stata the same values with their labels."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    researcher = logged_in("researcher", ("biotech",), email="r@example.org")
    base = f"/results/{simulated_wave}/downloads/microdata"
    app.config["MICRODATA_CHUNK"] = 7
    reply = researcher.get(f"{base}.csv?lang=en")
    assert reply.status_code == 200 and "Content-Length" not in reply.headers  # streamed
    paged = reply.get_data()
    lines = paged.decode().splitlines()
    assert lines[0].startswith("respondent,weight,KNOW_BIO,") and len(lines) == 601
    assert [int(line.split(",")[0]) for line in lines[1:]] == list(range(1, 601))
    assert sorted(line.split(",", 2)[2] for line in lines[1:]) == _stored_rows(app, simulated_wave)

    app.config["MICRODATA_CHUNK"] = 1000  # one page
    assert _get(researcher, f"{base}.csv?lang=en") == paged
    output = tmp_path / "export.csv"
    args = ["export", "--wave", simulated_wave, "--format", "csv", "--microdata", "-o"]
    result = app.test_cli_runner().invoke(args=[*args, str(output), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == paged

    app.config["MICRODATA_CHUNK"] = 7
    csv = pd.read_csv(io.BytesIO(paged))
    for fmt, options in (("sav", {"user_missing": True}), ("dta", {})):
        reply = researcher.get(f"{base}.{fmt}?lang=en")
        content = reply.get_data()
        assert reply.status_code == 200 and int(reply.headers["Content-Length"]) == len(content)
        (tmp_path / f"m.{fmt}").write_bytes(content)
        data, meta = getattr(pyreadstat, f"read_{fmt}")(str(tmp_path / f"m.{fmt}"), **options)
        assert list(data.columns) == list(csv.columns)
        for name in csv.columns:
            assert np.array_equal(
                data[name].to_numpy(float), csv[name].to_numpy(float), equal_nan=True
            ), (fmt, name)
        assert meta.variable_value_labels["KNOW_BIO"][1] == "(Almost) nothing"
        chosen = [name for name in csv.columns if name.startswith("INFO_SOURCES_")]
        assert chosen and all(
            meta.variable_value_labels[name] == {0: "not chosen", 1: "chosen"} for name in chosen
        )
        assert meta.column_names_to_labels["weight"].startswith("weight")
        if fmt == "sav":
            assert meta.missing_ranges["ACC_CRISPR"] == [{"lo": 9.0, "hi": 9.0}]
            assert (data["ACC_CRISPR"] == 9).any()  # "don't know" kept, as user-missing
        else:  # Stata: labelled variables are whole numbers
            assert meta.readstat_variable_types["KNOW_BIO"] != "double"
    assert not list(scratch.iterdir())  # the temporary SPSS and Stata files are gone

    with app.app_context():
        lines = database.session.query(AuditEvent).filter_by(action="download_microdata").all()
        assert sorted(line.detail or "" for line in lines) == [
            "format=csv lang=en status=200",
            "format=csv lang=en status=200",
            "format=dta lang=en status=200",
            "format=sav lang=en status=200",
        ]
        assert {line.actor for line in lines} == {"r@example.org"}


def test_a_value_outside_the_declared_ones_widens_the_column() -> None:
    """An answer the question set does not allow (older data) makes the column decimal, never
    wraps around in a small integer type; negative numbers stay numbers in the CSV."""
    age = Variable("AGE", "Age", "AGE", "number", whole=(18, 120))
    know = Variable("KNOW", "Know", "KNOW", "option", whole=(1, 9))
    block = Block([age, know], 4)
    assert block.arrays["AGE"].dtype == np.int8 and block.arrays["KNOW"].dtype == np.int8
    block.place(
        rows=np.array([0, 0, 1, 2, 3]),
        code=np.array([0, 1, 0, 0, 1]),
        option=np.array([-1, 2, -1, -1, 9]),
        number=np.array([30.0, np.nan, -4.5, 250.0, np.nan]),
    )
    assert block.texts("AGE") == ["30", "-4.5", "250", ""]
    assert block.texts("KNOW") == ["2", "", "", "9"]
    assert block.arrays["KNOW"].dtype == np.int8
    assert list(pd.Series(block.series("KNOW")).isna()) == [False, True, True, False]
    assert np.isnan(block.series("AGE")[3])
    # The question set's own bounds pick the type: an unbounded whole number is int32.
    mini = {column.name: column for column in variables(load_file(MINI), "en")}
    assert Block([mini["AGE"]], 1).arrays["AGE"].dtype == np.int8
    unbounded = Block([Variable("N", "N", "N", "number", whole=UNBOUNDED)], 2)
    assert unbounded.arrays["N"].dtype == np.int32
    unbounded.place(np.array([0]), np.array([0]), np.array([-1]), np.array([3e10]))
    assert unbounded.texts("N") == ["30000000000", ""]
