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
from consult.results.service import results_state
from tests.conftest import next_wave_set
from tests.consult.conftest import ROOT

MARGINS = ROOT / "surveys" / "definitions" / "margins-nl-adults.csv"


def publish(app: Flask, slug: str, published: bool = True) -> None:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        wave.results_published = published
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
    # A suppressed cell is a dash, its base too, with the footnote saying why.
    assert any(r["suppressed"] for r in rows)
    assert "Neither positive nor negative – – – –" in words
    assert "fewer than 10 respondents" in words
    # The Rao-Scott test of the breakdown is said in words: here withheld, since every group
    # of KNOW_BIO has a hidden cell of GEN_EFFECT.
    (test,) = [t for t in report["subgroup_tests"] if t["item"] == "GEN_EFFECT"]
    assert test["withheld"] == "too_few_groups"
    assert re.search(r"Rao-Scott test[^.]*: no test possible", words)
    assert "No test: fewer than two groups have all their figures shown." in words
    assert "Tests of differences between groups leave out the groups with hidden figures" in words
    # A plain GET form picks the grouping: no JavaScript needed.
    assert re.search(r'<form[^>]*method="get"', page) and 'name="by"' in page
    assert '<option value="KNOW_BIO" selected>' in page

    overall = text_of(get(client, f"/results/{published}/items/TRUST?lang=en"))
    assert "Trust" in overall or "trust" in overall
    battery = text_of(get(client, f"/results/{published}/items/COND_CRISPR?lang=en"))
    assert re.search(r"Necessary \d+\.\d% \d+\.\d% – \d+\.\d%", battery)  # labels, not codes

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
    assert reply.headers["Retry-After"] == "300"  # a recount's wait, not a database outage's
    assert "being recounted" in text_of(reply.get_data(as_text=True))


def set_minimum(app: Flask, slug: str, minimum: int) -> None:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, slug)
        assert wave is not None
        wave.min_cell_size = minimum
        database.commit()


def section(page: str, heading_id: str) -> str:
    """The HTML of the page's section labelled by the heading `heading_id`."""
    start = page.index(f'<section aria-labelledby="{heading_id}">')
    return page[start : page.index("</section>", start)]


def test_the_lift_is_drawn_per_application_beside_its_table(
    app: Flask, published: str, client: FlaskClient, tmp_path: Path
) -> None:
    # With groups of at least 50 the lift of gene editing in farm animals, and so the green
    # domain's average, rest on too few respondents; pharmacogenetics' lift breaks down its
    # conditional question's accepting, which its distribution hides (a complement).
    set_minimum(app, published, 50)
    report = cli_report(app, published, tmp_path)
    lift = section(get(client, f"/results/{published}?lang=en"), "lift")
    images = {
        html.unescape(label).split(":", 1)[0]: (html.unescape(label), drawing)
        for label, drawing in re.findall(
            r'<svg[^>]*role="img"[^>]*aria-label="([^"]*)"[^>]*>(.*?)</svg>', lift, re.S
        )
    }
    hidden = 0
    for application in report["summary"]["applications"]:
        figures = application["lift"]
        label = ENGLISH_APPLICATIONS[application["application"]]
        described, drawing = images[label]
        words = text_of(lift)
        if figures["lift"]["suppressed"]:
            hidden += 1
            assert described == f"{label}: not shown (too few respondents)"
            assert "<circle" not in drawing  # a hidden figure is not drawn
            # Its row in the table: the share that is shown, dashes for the rest.
            without, with_conditions = figures["unconditional"], figures["conditional"]
            assert None in (without["estimate"], with_conditions["estimate"])
            assert (
                f"{label} {percent(without['estimate'], 'en')} "
                f"{percent(with_conditions['estimate'], 'en')} – – no test possible"
            ) in words
            continue
        without, with_conditions = figures["unconditional"], figures["conditional"]
        difference = figures["lift"]
        interval = f"{points(difference['ci_low'], 'en')} – {points(difference['ci_high'], 'en')}"
        assert described == (
            f"{label}: acceptable {percent(without['estimate'], 'en')}, if the conditions are met "
            f"{percent(with_conditions['estimate'], 'en')}; difference "
            f"{points(difference['estimate'], 'en')} points (95% interval {interval})"
        )
        assert drawing.count("<circle") == 2  # without and with the conditions, joined
        assert (
            f"{label} {percent(without['estimate'], 'en')} "
            f"{percent(with_conditions['estimate'], 'en')} {points(difference['estimate'], 'en')} "
            f"{interval}"
        ) in words
    assert hidden == 2
    # The domains' lifts on their own axis; the hidden ones (an application's is) a dash.
    for hidden_domain in (
        "Green biotechnology (agriculture, food and nature)",
        "Red biotechnology (health and care)",
    ):
        assert images[hidden_domain][0].endswith("not shown (too few respondents)")
    white = next(d for d in report["summary"]["domains"] if d["domain"] == "white")["lift"]
    assert images["White biotechnology (industry and materials)"][0] == (
        f"White biotechnology (industry and materials): {points(white['estimate'], 'en')} "
        f"(95% interval {points(white['ci_low'], 'en')} – {points(white['ci_high'], 'en')})"
    )
    assert "open circle" in text_of(lift)  # the chart is explained in words
    for code in ("gene_edited_animals", "ACC_CRISPR", "CACC_CRISPR", "green", "_paired"):
        assert code not in text_of(lift) + " ".join(a for a, _ in images.values())

    dutch = text_of(section(get(client, f"/results/{published}?lang=nl"), "lift"))
    assert "Aanvaardbaarheid zonder en met voldane voorwaarden: Rode biotechnologie" in dutch
    assert "het open rondje" in dutch


ENGLISH_APPLICATIONS = {
    "crispr_crops": "Crops made with new genomic techniques",
    "precision_fermentation": "Precision fermentation",
    "cultivated_meat": "Cultivated meat",
    "gene_edited_animals": "Gene editing in farm animals",
    "co2_microbes": "Micro-organisms that turn CO2 into raw materials",
    "biobased_plastics": "Plastics from biomass and residual streams",
    "gene_therapy": "Gene therapy for rare diseases",
    "compassionate_gmo": "A GMO medicine for a single patient with no alternative",
    "pharmacogenetics": "A DNA profile for prescribing medicines",
    "xenotransplantation": "Animal organs for people (xenotransplantation)",
    "germline_editing": "Heritable changes to the DNA of embryos (germline modification)",
}


@pytest.fixture
def next_wave(app: Flask, published: str, load_set, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """biotech-2027 after biotech-2026, on a set in which two questions changed their meaning
    (`tests.conftest.next_wave_set`), with 300 simulated responses, published."""
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


def change_text(change: dict, label: str) -> str:  # type: ignore[type-arg]
    """A change's row as the page shows it: label, then, now, change and its interval."""
    return (
        f"{label} {percent(change['earlier'], 'en')} {percent(change['later'], 'en')} "
        f"{points(change['difference'], 'en')} "
        f"{points(change['ci_low'], 'en')} – {points(change['ci_high'], 'en')}"
    )


def test_the_change_since_the_previous_wave(
    app: Flask, next_wave: str, client: FlaskClient, tmp_path: Path
) -> None:
    report = cli_report(app, next_wave, tmp_path)
    changes = {(c["item"], c["option"]): c for c in report["changes_since_previous_wave"]}
    page = get(client, f"/results/{next_wave}?lang=en")
    words = text_of(section(page, "change"))
    assert "compared with wave biotech-2026" in words
    # Acceptance per application and domain, with the test in words.
    crispr = changes[("ACC_CRISPR", "acceptable")]
    assert change_text(crispr, "Crops made with new genomic techniques") in words
    verdict = "significant" if crispr["p_value"] < 0.05 else "not significant"
    assert change_text(crispr, "Crops made with new genomic techniques") + f" {verdict}" in words
    white = changes[("domain:white", "acceptable")]
    assert change_text(white, "White biotechnology (industry and materials)") in words
    # The conditions: per domain, and per application.
    assert change_text(changes[("domain:white", "necessary:safety")], "Safety") in words
    fermentation = words.split("conditions called necessary for Precision fermentation", 1)[1]
    assert change_text(changes[("COND_FERMENT_SAFETY", "necessary")], "Safety") in fermentation
    # The changed battery row is not compared, nor the domain averages it is part of; the page
    # names it.
    assert ("COND_CRISPR_CHOICE", "necessary") not in changes
    assert ("domain:green", "necessary:freedom_of_choice") not in changes
    assert ("domain:white", "necessary:freedom_of_choice") in changes  # no crops in white
    assert "changed since wave biotech-2026" in words
    assert "Crops made with new genomic techniques, condition “Affordability”" in words
    green = words.split("since wave biotech-2026: Green biotechnology", 1)[1].split("Change in", 1)[
        0
    ]
    assert "Freedom of choice not compared" in green
    for code in ("COND_CRISPR_CHOICE", "freedom_of_choice", "domain:", "necessary:"):
        assert code not in words

    dutch = text_of(section(get(client, f"/results/{next_wave}?lang=nl"), "change"))
    assert "Gewassen met nieuwe genomische technieken, voorwaarde “Betaalbaarheid”" in dutch
    assert "Keuzevrijheid niet vergeleken" in dutch
    listing = text_of(get(client, "/results/?lang=en"))
    assert "biotech-2027 300 complete responses" in listing


def test_an_items_change_since_the_previous_wave(
    app: Flask, next_wave: str, client: FlaskClient, tmp_path: Path
) -> None:
    before = cli_report(app, "biotech-2026", tmp_path)["estimates"]
    now = cli_report(app, next_wave, tmp_path)["estimates"]

    def figure(rows: list, item: str, option: int) -> float:  # type: ignore[type-arg]
        return next(r["estimate"] for r in rows if r["item"] == item and r["option"] == option)

    words = text_of(get(client, f"/results/{next_wave}/items/ACC_CRISPR?by=EDUCATION&lang=en"))
    change = words.split("Change since wave biotech-2026", 1)[1]
    earlier, later = figure(before, "ACC_CRISPR", 4), figure(now, "ACC_CRISPR", 4)
    shown = f"{percent(earlier, 'en')} {percent(later, 'en')} {points(later - earlier, 'en')}"
    assert f"Acceptable {shown}" in change  # all respondents, also on the page by a group

    # A battery: its unchanged rows compared, the changed one named and left out.
    words = text_of(get(client, f"/results/{next_wave}/items/COND_CRISPR?lang=en"))
    change = words.split("Change since wave biotech-2026", 1)[1]
    earlier = figure(before, "COND_CRISPR_SAFETY", 3)
    later = figure(now, "COND_CRISPR_SAFETY", 3)
    assert f"Necessary {percent(earlier, 'en')} {percent(later, 'en')}" in change
    left_out = change.split("Left out", 1)[1]
    assert (
        left_out.split("Change since", 1)[0]
        .strip()
        .endswith(
            "There is freedom of choice: people who do not want it can avoid it, and organic "
            "farmers, for example, can continue to work without this technique."
        )
    )
    assert "organic farmers" not in left_out.split("Change since", 1)[1]

    # A question whose options changed is not compared at all.
    words = text_of(get(client, f"/results/{next_wave}/items/KNOW_BIO?lang=en"))
    assert "Not compared: this question changed since wave biotech-2026" in words
    words = text_of(get(client, f"/results/{next_wave}/items/KNOW_BIO?lang=nl"))
    assert "Niet vergeleken" in words
    # The first wave has nothing to compare with.
    words = text_of(get(client, "/results/biotech-2026/items/ACC_CRISPR?lang=en"))
    assert "Change since wave" not in words


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
    one_sided = charts.difference_axis([0.12, 0.27], symmetric=False)
    assert (one_sided.low, one_sided.high) == (0.0, pytest.approx(0.3))
    assert [t.text for t in charts.difference_ticks(one_sided)] == [
        "0",
        "+5",
        "+10",
        "+15",
        "+20",
        "+25",
        "+30",
    ]
    both = charts.difference_ticks(charts.difference_axis([-0.12, 0.3], symmetric=False))
    assert [t.text for t in both] == ["−20", "−10", "0", "+10", "+20", "+30"]
    ticks = charts.ticks(axis, 4, "{}%", 100)
    assert [t.text for t in ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_a_pair_draws_the_differences_interval_from_the_first_figure() -> None:
    axis = charts.Axis(0.0, 0.5)
    pair = charts.pair(axis, 0.2, 0.3, 0.04, 0.16)
    assert (pair.x_from, pair.x_to) == (40.0, 60.0)
    assert (pair.x_low, pair.x_high) == (48.0, 72.0)  # 0.2 + 0.04 and 0.2 + 0.16
    assert charts.pair(axis, 0.2, math.nan, math.nan, math.nan).x_from is None  # suppressed


def test_the_change_follows_the_previous_wave_and_compares_only_with_what_readers_may_see(
    app: Flask, next_wave: str, client: FlaskClient
) -> None:
    """New responses in the previous wave move this wave's changes (no stale page, no 304);
    a published wave is never compared with an unpublished one, which its public may not read."""
    path = f"/results/{next_wave}?lang=en"
    first = client.get(path)
    assert "compared with wave biotech-2026" in text_of(first.get_data(as_text=True))
    etag = first.headers["ETag"]
    more = app.test_cli_runner().invoke(
        args=["responses", "simulate", "--wave", "biotech-2026", "-n", "4", "--seed", "9"]
    )
    assert more.exit_code == 0, more.output
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag

    publish(app, "biotech-2026", False)
    hidden = text_of(get(client, path))
    assert "biotech-2026" not in hidden
    item = text_of(get(client, f"/results/{next_wave}/items/ACC_CRISPR?lang=en"))
    assert "biotech-2026" not in item
    publish(app, next_wave, False)  # now only members read it, and they may read both waves
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, next_wave)
        assert wave is not None
        state = results_state(database.session, wave)
        assert state.previous is not None and state.previous.respondents == 604
