"""The report to read: `consult report --format html|pdf` and the download on the results page.
The PDF is rendered and its text read back: it holds every section and the same figures as
`consult report --format json`, in Dutch and English; the HTML shows what the results page shows,
suppressed figures as dashes; the download follows the results' access rule."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db as database
from consult.organizing import queries as organizing_queries
from consult.results.findings import findings
from consult.results.pages import percent, points
from consult.results.report import wave_overview
from tests.conftest import next_wave_set
from tests.consult.test_results_pages import MARGINS, cli_report, publish, section, text_of

pypdf = pytest.importorskip("pypdf")

SECTIONS = {
    "nl": (
        "Samenvatting van de belangrijkste uitkomsten",
        "Hoeveel mensen de toepassingen aanvaardbaar vinden",
        "Welke voorwaarden het zwaarst wegen",
        "Waar de aanvaardbaarheid van de voorwaarden afhangt",
        "Welke groepen verschillen",
        "Wat er sinds vorig jaar is veranderd",
        "Aanvaardbaarheid per domein",
        "Voorwaarden die respondenten noodzakelijk vinden",
        "Verschillen tussen groepen",
        "Verandering sinds de vorige ronde",
        "Respons en methode",
        "Zo beschermen we kleine groepen",
        "De cijfers opnieuw maken",
    ),
    "en": (
        "Summary of the main findings",
        "How many accept the applications",
        "Which conditions matter most",
        "Where acceptance depends on the conditions",
        "Which groups differ",
        "What changed since last year",
        "Acceptance per domain",
        "Conditions respondents call necessary",
        "Differences between groups",
        "Change since the previous wave",
        "Response and method",
        "How small groups are protected",
        "Reproducing the figures",
    ),
}
MAJORITY = {"nl": ("een meerderheid", "een minderheid", "ongeveer de helft"),
            "en": ("a majority", "a minority", "about half")}  # fmt: skip


TITLE = {
    "nl": "Onder welke voorwaarden aanvaarden inwoners welke toepassingen?",
    "en": "Under which conditions do citizens accept which applications?",
}


def titles(outline: list) -> Iterator[str]:  # type: ignore[type-arg]
    """The titles of the PDF's bookmarks, nested ones too."""
    for item in outline:
        if isinstance(item, list):
            yield from titles(item)
        else:
            yield item.title


def run(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["report", *args])
    assert result.exit_code == 0, result.output
    return result.output


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_text(reader) -> list[str]:  # type: ignore[no-untyped-def]
    return [words(page.extract_text()) for page in reader.pages]


def interval(row: dict, lang: str) -> str:  # type: ignore[type-arg]
    return f"{percent(row['ci_low'], lang)} – {percent(row['ci_high'], lang)}"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pdf_holds_every_section_and_the_figures_of_the_json_report(
    app: Flask, simulated_wave: str, tmp_path: Path, lang: str
) -> None:
    run(app, "--wave", simulated_wave, "-o", str(tmp_path / "r.json"), "--lang", lang)
    figures = json.loads((tmp_path / "r.json").read_text())
    pdf = tmp_path / "r.pdf"
    output = run(app, "--wave", simulated_wave, "--format", "pdf", "-o", str(pdf), "--lang", lang)
    assert "written to" in output
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    pages = pdf_text(reader)
    text = " ".join(pages)
    for heading in SECTIONS[lang]:
        assert heading in text, heading
    # The summary is one page: it ends before the first section of figures.
    assert SECTIONS[lang][5] in pages[0] and SECTIONS[lang][6] not in pages[0]
    summary = pages[0]
    for domain in figures["summary"]["domains"]:
        acceptance = domain["acceptance"]
        # The summary's sentence: the figure with its interval, in words its interval allows.
        figure = f"{percent(acceptance['estimate'], lang)} ({interval(acceptance, lang)})"
        sentence = next(s for s in summary.split("•") if figure in s)
        majority, minority, half = MAJORITY[lang]
        expected = (
            majority
            if acceptance["ci_low"] > 0.5
            else (minority if acceptance["ci_high"] < 0.5 else half)
        )
        assert expected in sentence, sentence
        lift = domain["lift"]
        assert f"{points(lift['estimate'], lang)} " in summary
    for app_figures in figures["summary"]["applications"]:
        acceptance = app_figures["acceptance"]
        assert f"{percent(acceptance['estimate'], lang)} {interval(acceptance, lang)}" in text
        for condition in app_figures["conditions"]:
            assert percent(condition["necessary"]["estimate"], lang) in text
        if app_figures["lift"] is not None:
            assert points(app_figures["lift"]["lift"]["estimate"], lang) in text
    weighting = figures["weighting"]
    assert str(weighting["respondents"]) in text
    command = f"consult report --wave {simulated_wave} --format pdf"
    assert command in text and f"--lang {lang}" in text
    # Navigable with a screen reader: tagged, its language and title set, bookmarks from the
    # headings.
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    title = reader.metadata.title
    assert title.startswith(TITLE[lang]) and simulated_wave in title
    bookmarks = list(titles(reader.outline))
    assert bookmarks[0] == TITLE[lang]
    for heading in (SECTIONS[lang][0], SECTIONS[lang][6], SECTIONS[lang][10]):
        assert heading in bookmarks


def test_the_html_report_shows_the_pages_figures_and_dashes_for_suppressed_ones(
    app: Flask,
    small_wave,
    client: FlaskClient,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    wave = small_wave(40)  # many cells hidden
    html = tmp_path / "r.html"
    run(app, "--wave", wave, "--format", "html", "-o", str(html), "--lang", "en")
    report = html.read_text()
    page = client.get(f"/results/{wave}?lang=en").get_data(as_text=True)
    # Every section the overview has, the report has, with the same figures: disclosure control
    # holds exactly as on the page (a suppressed figure is a dash in both).
    for heading in ("acceptance", "lift", "groups", "change", "response"):
        ours, theirs = (
            words(text_of(section(report, heading))),
            words(text_of(section(page, heading))),
        )
        if heading == "response":  # the report adds how to make it again, before the protection
            reproduce, protection = " Reproducing the figures ", " How small groups are protected "
            assert reproduce in ours and f"--wave {wave} --format html" in ours
            ours = ours.split(reproduce)[0] + protection + ours.split(protection)[1]
        assert ours == theirs
    assert " – " in text_of(section(report, "acceptance"))
    assert "A dash means the figure is not shown" in report
    assert '<html lang="en">' in report and "<title>" in report and "<script" not in report
    assert "href=" not in report  # a file links to no page


@pytest.fixture
def unpublished(app: Flask, simulated_wave: str) -> str:
    publish(app, simulated_wave, published=False)
    return simulated_wave


def test_the_report_download_follows_the_results_access_rule(
    app: Flask,
    unpublished: str,
    client: FlaskClient,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    for fmt in ("html", "pdf"):
        assert client.get(f"/results/{unpublished}/report.{fmt}").status_code == 404
    organizer = logged_in("organizer", ("biotech",), email="org@example.org")
    reply = organizer.get(f"/results/{unpublished}/report.html?lang=nl")
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    assert "Samenvatting van de belangrijkste uitkomsten" in reply.get_data(as_text=True)
    assert reply.headers["Cache-Control"] == "private, no-cache"
    # Its stylesheet is inside it: the policy allows that one (by its hash) and nothing else.
    policy = reply.headers["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", reply.get_data(as_text=True), re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy and "script-src" not in policy
    overview = organizer.get(f"/results/{unpublished}?lang=en").get_data(as_text=True)
    assert f"/results/{unpublished}/report.pdf?lang=en" in overview
    assert organizer.get(f"/results/{unpublished}/report.doc").status_code == 404
    assert organizer.get(f"/results/{unpublished}/report.html?lang=fr").status_code == 400
    publish(app, unpublished)
    reply = client.get(f"/results/{unpublished}/report.pdf?lang=en")
    assert reply.status_code == 200 and reply.mimetype == "application/pdf"
    assert reply.data.startswith(b"%PDF")
    assert "attachment" in reply.headers["Content-Disposition"]
    repeat = client.get(
        f"/results/{unpublished}/report.pdf?lang=en",
        headers={"If-None-Match": reply.headers["ETag"]},
    )
    assert repeat.status_code == 304


def summary_of(app: Flask, slug: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    """The findings of a wave's report, as the report shows them."""
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        return findings(wave_overview(database.session, wave), lang)


@pytest.fixture
def next_wave(app: Flask, simulated_wave: str, load_set, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """biotech-2027 after the published biotech-2026, one battery row changed in meaning."""
    publish(app, simulated_wave)
    slug: str = load_set(next_wave_set(tmp_path))
    runner = app.test_cli_runner()
    for args in (
        ["waves", "margins", slug, str(MARGINS)],
        ["responses", "simulate", "--wave", slug, "-n", "300", "--seed", "8"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    publish(app, slug)
    return slug


def test_the_summary_names_only_comparable_changes_that_pass_their_test(
    app: Flask, next_wave: str, tmp_path: Path
) -> None:
    report = cli_report(app, next_wave, tmp_path)
    passing = [
        c
        for c in report["changes_since_previous_wave"]
        if c["p_value"] < 0.05 and (c["ci_low"] > 0 or c["ci_high"] < 0)
    ]
    summary = summary_of(app, next_wave)
    assert summary.changes_note.startswith("Changes are tested with a z test")
    if not passing:
        assert summary.changes == (
            "No comparable figure changed by more than chance since wave biotech-2026.",
        )
        return
    assert 1 <= len(summary.changes) <= min(3, len(passing))
    for sentence in summary.changes:
        assert "since wave biotech-2026" in sentence or "than in wave biotech-2026" in sentence
        matching = [
            c
            for c in passing
            if f"from {percent(c['earlier'], 'en')} to {percent(c['later'], 'en')}: "
            f"{points(c['difference'], 'en')} points ({points(c['ci_low'], 'en')} to "
            f"{points(c['ci_high'], 'en')})" in sentence
        ]
        assert matching, sentence
        assert ("rose" in sentence or "more people" in sentence) == (matching[0]["difference"] > 0)
    # The battery row whose meaning changed is never compared, so never named.
    assert not any("Freedom of choice" in s and "Crops" in s for s in summary.changes)


def test_the_summary_cites_no_hidden_figure_and_says_when_nothing_compares(
    app: Flask,
    small_wave,  # type: ignore[no-untyped-def]
) -> None:
    summary = summary_of(app, small_wave(60), "nl")
    sentences = [*summary.acceptance, *summary.conditions, *summary.lift, *summary.groups]
    assert sentences
    for sentence in sentences:
        assert "–" not in sentence.replace("% – ", "") and "nan" not in sentence
    assert summary.changes == (
        "Dit is de eerste ronde van de consultatie met antwoorden: er is nog niets om mee te "
        "vergelijken.",
    )
    assert summary.changes_note == ""
