"""The results pages as a reader sees them: the overview, an item's page (also by a group) and the
codebook show the figures of `consult report`, labelled and formatted, in Dutch and English,
without JavaScript, with a 304 on a repeat visit and a clear page instead of an error."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consult.extensions import db as database
from consult.organizing import queries as organizing_queries
from consult.results import charts
from consult.results.pages import percent, points
from tests.consult.conftest import ROOT

MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"


def publish(app: Flask, slug: str) -> None:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        wave.results_published = True
        database.commit()


def cli_report(app: Flask, slug: str, tmp_path: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(args=["report", "--wave", slug, "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def text_of(page: str) -> str:
    """The page's visible words: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def get(client: FlaskClient, path: str, status: int = 200) -> str:
    reply = client.get(path)
    assert reply.status_code == status, (path, reply.status_code)
    body = reply.get_data(as_text=True)
    assert "<script" not in body  # every results page works without JavaScript
    return body


@pytest.fixture
def published(app: Flask, simulated_wave: str) -> str:
    publish(app, simulated_wave)
    return simulated_wave


def test_overview_shows_the_reports_figures_labelled(
    app: Flask, published: str, client: FlaskClient, tmp_path: Path
) -> None:
    report = cli_report(app, published, tmp_path)
    crispr = next(
        a for a in report["summary"]["applications"] if a["application"] == "crispr_crops"
    )
    red = next(d for d in report["summary"]["domains"] if d["domain"] == "red")
    safety = crispr["conditions"][0]

    english = text_of(get(client, f"/results/{published}?lang=en"))
    row = re.search(
        r"Crops made with new genomic techniques (\S+) (\S+ – \S+) (\S+) (\d+)", english
    )
    assert row is not None, "the application's row in the acceptance table"
    assert row.group(1) == percent(crispr["acceptance"]["estimate"], "en")
    assert row.group(1) == "25.7%"  # the figure `test_report_unchanged` pins
    assert row.group(2) == (
        f"{percent(crispr['acceptance']['ci_low'], 'en')} – "
        f"{percent(crispr['acceptance']['ci_high'], 'en')}"
    )
    assert row.group(3) == percent(crispr["dont_know"]["estimate"], "en")
    assert int(row.group(4)) == crispr["acceptance"]["base"]
    assert (
        f"Red biotechnology (health and care) {percent(red['acceptance']['estimate'], 'en')}"
        in (english)
    )
    # The conditions ranked, with the neighbour test said in words.
    assert safety["condition"] == "safety" and safety["versus_next"]["p_value"] < 0.05
    difference = points(safety["versus_next"]["difference"], "en")
    assert f"significantly more often than Transparency: {difference} points" in english
    # The lift, and the response figures.
    lift = crispr["lift"]["lift"]
    assert points(lift["estimate"], "en") in english
    weighting = report["weighting"]
    assert f"Complete responses {weighting['respondents']}" in english
    assert f"Effective sample size {round(weighting['effective_n'])}" in english
    # Labels, never codes.
    for code in ("crispr_crops", "ACC_CRISPR", "COND_CRISPR_SAFETY", "public_benefit", "green"):
        assert code not in english

    dutch = text_of(get(client, f"/results/{published}?lang=nl"))
    assert "Gewassen met nieuwe genomische technieken 25,7%" in dutch
    assert "Onder welke voorwaarden aanvaarden inwoners welke toepassingen?" in dutch
    assert "significant vaker dan Transparantie" in dutch


def test_the_method_is_explained_in_the_readers_language(
    app: Flask, published: str, client: FlaskClient, tmp_path: Path
) -> None:
    """The overview explains the method in the page's language, plainly first, naming the
    weighting questions by their wording, then for researchers; in the words of `consult
    report`'s method in that language."""
    for lang, plain, other in (
        (
            "nl",
            "De deelnemers zijn gewogen naar hun antwoord op “Hoe oud bent u?”, “Wat is uw "
            "geslacht?”, “Wat is de hoogste opleiding die u heeft afgemaakt?” en “In welke "
            "provincie woont u?”. Mensen uit groepen die minder vaak meededen",
            "en",
        ),
        (
            "en",
            "The respondents are weighted by their answers to “How old are you?”, “What is your "
            "sex?”, “What is the highest level of education you have completed?”, and “In which "
            "province do you live?”. People from groups that took part less often",
            "nl",
        ),
    ):
        page = text_of(get(client, f"/results/{published}?lang={lang}"))
        method = page.split("Hoe de cijfers zijn gemaakt" if lang == "nl" else "How the figures")[1]
        assert plain in method
        own = cli_report(app, published, tmp_path, "--lang", lang)["method"]
        foreign = cli_report(app, published, tmp_path, "--lang", other)["method"]
        for paragraph in own.split("\n\n"):
            assert paragraph in method, paragraph
        for paragraph in foreign.split("\n\n"):
            assert paragraph not in page, paragraph
        assert method.index(plain) < method.index("rake() ")  # plain words before the technical
        for code in ("AGE_GROUP", "EDUCATION", "PROVINCE"):
            assert code not in method
    dutch = text_of(get(client, f"/results/{published}?lang=nl"))
    assert "betrouwbaarheidsinterval van 95%" in dutch


def test_subgroup_differences_say_when_they_are_not_significant(
    app: Flask, published: str, client: FlaskClient, tmp_path: Path
) -> None:
    report = cli_report(app, published, tmp_path)
    differences = report["largest_subgroup_differences"]
    page = text_of(get(client, f"/results/{published}?lang=en"))
    table = page.split("Largest differences in acceptance between groups", 1)[1]
    table = table.split("Change since the previous wave", 1)[0]
    verdicts = re.findall(r"(not significant|significant|no test possible) \(p ([^)]+)\)", table)
    assert verdicts, "every difference carries its verdict"
    shown = sorted(differences, key=lambda d: d["spread"], reverse=True)[: len(verdicts)]
    for (verdict, p_text), difference in zip(verdicts, shown, strict=True):
        p = difference["test"]["p_value"]
        assert verdict == ("significant" if p < 0.05 else "not significant")
        assert p_text == ("< 0.001" if p < 0.001 else f"= {p:.3f}")


def test_an_item_by_a_group_and_a_bad_grouping(
    app: Flask, published: str, client: FlaskClient, tmp_path: Path
) -> None:
    report = cli_report(app, published, tmp_path, "--by", "KNOW_BIO")
    rows = [r for r in report["estimates"] if r["item"] == "GEN_EFFECT"]
    page = get(client, f"/results/{published}/items/GEN_EFFECT?by=KNOW_BIO&lang=en")
    words = text_of(page)
    assert "How much do you know about biotechnology?" in words  # the grouping, by its wording
    assert "A little" in words and "Rather positive" in words  # group and option labels
    shown = next(r for r in rows if r["group_code"] == 2 and r["option"] == 4)
    assert f"Rather positive {percent(shown['estimate'], 'en')}" in words
    # A suppressed cell is a dash, with the footnote saying why.
    assert any(r["suppressed"] for r in rows)
    assert re.search(r"Neither positive nor negative – – – \d+", words)
    assert "fewer than 10 respondents" in words
    # The Rao-Scott test of the breakdown is said in words.
    assert re.search(r"Rao-Scott test[^.]*: (not )?significant", words)
    # A plain GET form picks the grouping: no JavaScript needed.
    assert re.search(r'<form[^>]*method="get"', page) and 'name="by"' in page
    assert '<option value="KNOW_BIO" selected>' in page

    overall = text_of(get(client, f"/results/{published}/items/TRUST?lang=en"))
    assert "Trust" in overall or "trust" in overall

    for bad in ("NOPE", "INFO_SOURCES", "GEN_EFFECT", "TRUST_GOV"):
        reply = text_of(get(client, f"/results/{published}/items/GEN_EFFECT?by={bad}", 400))
        assert "cannot be broken down" in reply
    get(client, f"/results/{published}/items/NOPE", 404)


def test_the_codebook_lists_every_item_in_both_languages(
    published: str, client: FlaskClient
) -> None:
    words = text_of(get(client, f"/results/{published}/codebook?lang=en"))
    assert "ACC_CRISPR" in words and "COND_CRISPR_SAFETY" in words
    assert "Hoe aanvaardbaar vindt u het veredelen van gewassen" in words
    assert "How acceptable do you find breeding crops" in words
    assert "Zeer onaanvaardbaar" in words and "Very unacceptable" in words
    assert "KNOW_BIO in (2, 3, 4)" in words  # the page's show_if
    assert "Waves biotech-2026" in words
    assert "Question set version 1" in words
    assert "weighting variable" in words


def test_a_repeat_visit_is_not_modified_until_the_language_changes(
    published: str, client: FlaskClient
) -> None:
    for path in (
        f"/results/{published}",
        f"/results/{published}/items/ACC_CRISPR?by=EDUCATION",
        f"/results/{published}/codebook",
    ):
        first = client.get(path + ("&" if "?" in path else "?") + "lang=nl")
        tag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.get_data() == b""
        english = client.get(path + ("&" if "?" in path else "?") + "lang=en")
        assert english.status_code == 200 and english.headers["ETag"] != tag


def test_unpublished_empty_and_stale_waves_get_a_clear_page(
    app: Flask,
    simulated_wave: str,
    load_set,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    researcher = logged_in("researcher", ("biotech",), email="res@example.org")
    words = text_of(get(researcher, f"/results/{simulated_wave}?lang=en"))
    assert "Not published yet" in words
    assert app.test_client().get(f"/results/{simulated_wave}").status_code == 404

    mini = load_set()
    admin = logged_in("admin")
    words = text_of(get(admin, f"/results/{mini}?lang=en"))
    assert "no complete responses yet" in words

    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        wave.counts_fingerprint = "counted under an older rule"
        database.commit()
    reply = researcher.get(f"/results/{simulated_wave}?lang=en")
    assert reply.status_code == 503
    assert "being recounted" in text_of(reply.get_data(as_text=True))


def test_the_change_since_the_previous_wave(
    app: Flask, published: str, client: FlaskClient, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    for args in (
        ["waves", "create", "biotech-2027", "--consultation", "biotech"],
        ["waves", "margins", "biotech-2027", str(MARGINS)],
        ["waves", "open", "biotech-2027"],
        ["responses", "simulate", "--wave", "biotech-2027", "-n", "300", "--seed", "8"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    publish(app, "biotech-2027")
    report = cli_report(app, "biotech-2027", tmp_path)
    change = next(
        c
        for c in report["changes_since_previous_wave"]
        if c["item"] == "ACC_CRISPR" and c["option"] == "acceptable"
    )
    words = text_of(get(client, "/results/biotech-2027?lang=en"))
    assert "compared with wave biotech-2026" in words
    verdict = "significant" if change["p_value"] < 0.05 else "not significant"
    assert (
        f"Crops made with new genomic techniques {percent(change['earlier'], 'en')} "
        f"{percent(change['later'], 'en')} {points(change['difference'], 'en')}"
    ) in words
    assert verdict in words
    listing = text_of(get(client, "/results/?lang=en"))
    assert "biotech-2027 300 complete responses" in listing


def test_a_diverging_bar_centres_the_neutral_answer_and_hides_no_width() -> None:
    shares = [0.1, 0.2, 0.2, 0.3, 0.2]
    span = charts.diverging_span([shares])
    assert span == 0.75  # 0.6 right of the centre, rounded up to a quarter
    bar = charts.diverging_bar(shares, list("abcde"), list("abcde"), span)
    neutral = bar[2]
    assert neutral.x + neutral.width / 2 == pytest.approx(50.0, abs=0.01)
    assert bar[0].x == pytest.approx(50 - 0.4 / 0.75 * 50, abs=0.01)  # 0.1 + 0.2 + 0.2 / 2 left
    assert sum(s.width for s in bar) == pytest.approx(100 / 1.5, abs=0.05)  # all of -0.75..0.75
    hidden = charts.diverging_bar([0.1, math.nan, 0.2, 0.3, 0.2], list("abcde"), list("abcde"), 1)
    assert hidden[1].width == 0.0  # a suppressed share takes no width


def test_a_dot_and_its_interval_fall_on_the_axis() -> None:
    axis = charts.Axis(0.0, 1.0)
    dot = charts.dot(axis, 0.257, 0.194, 0.331)
    assert (dot.x, dot.x_low, dot.x_high) == (25.7, 19.4, 33.1)
    assert charts.dot(axis, math.nan, math.nan, math.nan).x is None
    assert charts.difference_axis([0.12, -0.03, 0.21]).high == pytest.approx(0.3)
    ticks = charts.ticks(axis, 4, "{}%", 100)
    assert [t.text for t in ticks] == ["0%", "25%", "50%", "75%", "100%"]
