"""Disclosure control holds in every output, tried as an attacker with the published outputs only.

A suppressed figure carries no number of any kind that reveals its size (not its count, base or
degrees of freedom: df + 1 was its base; nor its estimate, standard error or interval) in
`consult report`, the CSV, XLSX and JSON downloads, the data package, the API and the pages.
A test between groups covers only the groups whose figures are all shown, names the others, and
is withheld when fewer than two remain (Pearson's X^2 over every group rebuilt hidden cells).
The method says in plain words, in Dutch and English, how small groups are protected.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from analysis import Estimate, proportions, suppress_estimates
from consult.extensions import db as database
from consult.organizing import queries as organizing_queries
from consult.results.design import load_design
from consult.results.figures import without_bases
from tests.consult.test_results_pages import cli_report, get, publish, text_of

FIGURES = ("n", "base", "df", "estimate", "se", "ci_low", "ci_high")
"""Every number of a row that could reveal the size of the figure it belongs to."""
INTERVAL = ("df", "ci_low", "ci_high")
"""What gives a base back (df + 1, or df through the interval's t quantile)."""


def _plain(value: Any) -> Any:
    """A cell as read from any format: empty is None, "true"/"false" are flags."""
    if value in ("", None):
        return None
    if value in ("true", "false"):
        return value == "true"
    return value


def _figure_rows(document: Any) -> Iterator[dict[str, Any]]:
    """Every row of figures in a JSON document, however deep (estimates, the summary's rows,
    the largest differences' groups)."""
    if isinstance(document, list):
        for value in document:
            yield from _figure_rows(value)
    elif isinstance(document, dict):
        if "suppressed" in document and "estimate" in document:
            yield document
        for value in document.values():
            yield from _figure_rows(value)


def _csv_rows(content: bytes) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8")))
    return [{key: _plain(value) for key, value in row.items()} for row in reader]


def _xlsx_rows(content: bytes) -> list[dict[str, Any]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows: list[dict[str, Any]] = []
    for name in ("estimates", "acceptance_summary"):
        values = list(workbook[name].iter_rows(values_only=True))
        rows += [
            {str(key): _plain(value) for key, value in zip(values[0], row, strict=True)}
            for row in values[1:]
        ]
    return rows


def _every_format(
    app: Flask, client: FlaskClient, wave: str, by: str | None, tmp_path: Path
) -> dict[str, list[dict[str, Any]]]:
    """The rows of figures of one grouping in every format that publishes them."""
    grouping = ("--by", by) if by else ()
    query = f"lang=en&by={by}" if by else "lang=en"
    downloads = f"/results/{wave}/downloads"
    api = f"/api/v1/waves/{wave}"
    formats: dict[str, list[dict[str, Any]]] = {
        "report": list(_figure_rows(cli_report(app, wave, tmp_path, *grouping))),
        "report unweighted": list(
            _figure_rows(cli_report(app, wave, tmp_path, "--unweighted", *grouping))
        ),
        "csv": _csv_rows(client.get(f"{downloads}/estimates.csv?{query}").get_data()),
        "xlsx": _xlsx_rows(client.get(f"{downloads}/estimates.xlsx?{query}").get_data()),
        "json": list(_figure_rows(client.get(f"{downloads}/estimates.json?{query}").get_json())),
        "api": list(_figure_rows(client.get(f"{api}/estimates?{query}").get_json())),
        "api item": list(_figure_rows(client.get(f"{api}/items/GEN_EFFECT?{query}").get_json())),
        "api unweighted": list(
            _figure_rows(client.get(f"{api}/estimates?{query}&mode=unweighted").get_json())
        ),
    }
    package = client.get(f"{downloads}/package.zip?{query}").get_data()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        formats["package"] = [
            row
            for name in archive.namelist()
            if name.endswith(("/estimates.csv", "/acceptance_summary.csv"))
            for row in _csv_rows(archive.read(name))
        ]
    if by is None:
        formats["api summary"] = list(_figure_rows(client.get(f"{api}/summary").get_json()))
    return formats


def test_no_suppressed_row_carries_a_number_in_any_format(
    app: Flask, client: FlaskClient, small_wave: Callable[[int], str], tmp_path: Path
) -> None:
    wave = small_wave(30)
    for by in (None, "AGE_GROUP", "KNOW_BIO"):
        for fmt, rows in _every_format(app, client, wave, by, tmp_path).items():
            hidden = [row for row in rows if row["suppressed"] is True]
            assert hidden and len(hidden) < len(rows), (by, fmt)
            for row in hidden:
                numbers = {name: row[name] for name in FIGURES if name in row}
                assert set(numbers.values()) == {None}, (by, fmt, row)
            # A shown figure whose group's base is hidden has nothing that gives the base back.
            for row in rows:
                if row.get("group") and row["base"] is None and not row["suppressed"]:
                    assert {row.get(name) for name in INTERVAL} == {None}, (by, fmt, row)
    # The pages: a hidden figure's row is dashes only (share, interval, respondents, base).
    for path in ("GEN_EFFECT?by=AGE_GROUP&", "GEN_EFFECT?by=KNOW_BIO&", "TRUST?"):
        page = get(client, f"/results/{wave}/items/{path}lang=en")
        cells = re.findall(
            r'<tr><th scope="row">[^<]*</th><td class="num">([^<]*)</td><td class="ci">([^<]*)'
            r'</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>',
            page,
        )
        dashed = [row for row in cells if row[0] == "–"]
        assert dashed and len(dashed) < len(cells), path
        assert all(row == ("–", "–", "–", "–") for row in dashed), path
        assert "A dash means the figure is not shown" in text_of(page)


def test_df_plus_one_no_longer_gives_a_hidden_base(
    app: Flask, small_wave: Callable[[int], str], tmp_path: Path
) -> None:
    wave = small_wave(30)
    with app.app_context():
        found = organizing_queries.wave_by_slug(database.session, wave)
        assert found is not None
        design = load_design(database.session, found)
        table = design.item_table(database.session, "ACC_CRISPR")
        figures = proportions(design.weights, table, "ACC_CRISPR", group="AGE_GROUP")
    # The attack's premise: every figure's degrees of freedom are its base - 1.
    bases = {(row.group_code, row.option): row.base for row in figures}
    assert all(row.df is not None and row.df + 1 == row.base for row in figures)
    report = cli_report(app, wave, tmp_path, "--by", "AGE_GROUP")
    rows = [row for row in report["estimates"] if row["item"] == "ACC_CRISPR"]
    hidden = [row for row in rows if row["suppressed"]]
    assert hidden and {(row["group_code"], row["option"]) for row in hidden} <= set(bases)
    for row in hidden:  # nothing left to add one to, and no other number
        assert [row[name] for name in FIGURES] == [None] * len(FIGURES)

    # A shown figure of a group whose base is hidden (with the overall row in the same table,
    # the bases add up to the overall base): its df, and its interval, would give the base.
    def row(group: int | None, option: int, n: int, base: int) -> Estimate:
        return Estimate(
            "Q", option, n, base, n / base, 0.03, n / base - 0.06, n / base + 0.06, base - 1,
            group=None if group is None else "G", group_code=group,
        )  # fmt: skip

    groups = {1: (60, 12, 12), 2: (3, 2, 1), 3: (20, 25, 15)}
    overall = [sum(cells[j] for cells in groups.values()) for j in range(3)]
    rows_in = [row(None, j + 1, overall[j], sum(overall)) for j in range(3)] + [
        row(g, j + 1, cells[j], sum(cells)) for g, cells in groups.items() for j in range(3)
    ]
    design = replace(design, wave=replace(design.wave, min_cell_size=10))
    out = without_bases(design, suppress_estimates(rows_in, minimum=10))
    shown_without_base = [r for r in out if not r.suppressed and r.base is None]
    assert [(r.group_code, r.option) for r in shown_without_base] == [(3, 2), (3, 3)]
    for r in shown_without_base:
        assert r.df is None and r.ci_low != r.ci_low and r.ci_high != r.ci_high  # NaN
        assert r.n is not None and r.estimate == r.estimate  # the share itself stays
    unweighted = without_bases(
        replace(design, mode="unweighted"), suppress_estimates(rows_in, minimum=10)
    )
    for r in unweighted:
        if not r.suppressed and r.base is None:  # a share is its count over the base
            assert r.estimate != r.estimate and r.se != r.se


def _groups_with_hidden_figures(rows: list[dict[str, Any]]) -> tuple[set[int], set[int]]:
    shown: set[int] = set()
    hidden: set[int] = set()
    for row in rows:
        if row["group_code"] is None or row["group_code"] < 0:
            continue
        gone = row["suppressed"] or row["base"] is None or row["estimate"] is None
        (hidden if gone else shown).add(row["group_code"])
    return shown - hidden, hidden


def test_tests_between_groups_leave_out_groups_with_hidden_figures(
    app: Flask, client: FlaskClient, simulated_wave: str, tmp_path: Path
) -> None:
    wave = simulated_wave
    publish(app, wave)
    report = cli_report(app, wave, tmp_path, "--by", "AGE_GROUP", "--lang", "en")
    computed = withheld = 0
    for test in report["subgroup_tests"]:
        rows = [row for row in report["estimates"] if row["item"] == test["item"]]
        shown, hidden = _groups_with_hidden_figures(rows)
        assert {group["code"] for group in test["left_out"]} == hidden, test["item"]
        if test["withheld"] is None:
            computed += 1
            assert set(test["column_codes"]) == shown and len(shown) >= 2
            bases = {row["group_code"]: row["base"] for row in rows if row["group_code"] in shown}
            assert test["respondents"] == sum(bases.values())  # shown figures only
            if hidden:
                assert test["note"].startswith("The test leaves out ")
        else:
            withheld += 1
            assert len(shown) < 2 or test["withheld"] == "too_few_answers"
            figures = ("statistic", "ndf", "ddf", "p_value", "pearson", "respondents")
            assert [test[name] for name in figures] == [None] * len(figures)
            assert test["note"].startswith("No test: ")
    assert computed and withheld
    # The API names the groups left out by their labels, in the reader's language.
    body = client.get(f"/api/v1/waves/{wave}/items/KNOW_BIO?by=AGE_GROUP&lang=nl").get_json()
    (test,) = body["subgroup_tests"]
    labels = {row["group_code"]: row["group_label"] for row in body["estimates"]}
    assert test["left_out"] and all(g["label"] == labels[g["code"]] for g in test["left_out"])
    assert test["note"].startswith("De toets laat ")
    # The item page says which groups the test leaves out, or why there is none.
    page = text_of(get(client, f"/results/{wave}/items/KNOW_BIO?by=AGE_GROUP&lang=en"))
    assert "The test leaves out " in page
    page = text_of(get(client, f"/results/{wave}/items/ACC_CRISPR?by=AGE_GROUP&lang=nl"))
    assert "Geen toets: bij minder dan twee groepen worden alle cijfers getoond." in page

    # The largest differences: both ends and the test among the groups whose figures are all
    # shown; the page names the groups the test leaves out.
    overall = cli_report(app, wave, tmp_path, "--lang", "en")
    assert overall["largest_subgroup_differences"]
    for difference in overall["largest_subgroup_differences"]:
        test = difference["test"]
        tested = set(test["column_codes"])
        assert {difference["highest"]["group_code"], difference["lowest"]["group_code"]} <= tested
        assert not tested & {group["code"] for group in test["left_out"]}
    notes = [d["test"]["note"] for d in overall["largest_subgroup_differences"]]
    page = text_of(get(client, f"/results/{wave}?lang=en"))
    assert any(note and note in page for note in notes)


def test_a_minimum_above_every_group_publishes_no_figure_at_all(
    app: Flask, client: FlaskClient, small_wave: Callable[[int], str], tmp_path: Path
) -> None:
    """Cronbach's alpha rests on every respondent who answered a battery's rows, not on a
    group: it says so, and goes too when they are fewer than the minimum."""
    wave = small_wave(1000)
    report = cli_report(app, wave, tmp_path, "--by", "AGE_GROUP", "--lang", "en")
    rows = list(_figure_rows(report))
    assert rows and all(row["suppressed"] for row in rows)
    assert {row[name] for row in rows for name in FIGURES} == {None}
    assert report["subgroup_tests"]
    assert all(test["withheld"] == "too_few_groups" for test in report["subgroup_tests"])
    assert report["largest_subgroup_differences"] == []
    assert report["scales"] and all(
        scale["suppressed"] and scale["alpha"] is None and scale["respondents"] is None
        for scale in report["scales"]
    )
    assert all("not per group" in scale["computed_over"] for scale in report["scales"])
    assert "fewer than 1000 respondents" in report["method"]


def test_the_method_says_how_small_groups_are_protected(
    app: Flask, client: FlaskClient, small_wave: Callable[[int], str], tmp_path: Path
) -> None:
    wave = small_wave(30)
    for lang, protection in (
        (
            "nl",
            "Kleine groepen worden beschermd. We laten geen cijfers zien over groepen van minder "
            "dan 30 respondenten. Ook sommige andere cijfers zijn verborgen, zodat niemand de "
            "verborgen cijfers kan uitrekenen met de totalen of met andere tabellen, zoals "
            "iedereen min de groepen die wel getoond worden. Een antwoord dat niemand gaf, staat "
            "er als 0: dat zegt niets over wie dan ook. Toetsen op verschillen tussen groepen "
            "laten de groepen met verborgen cijfers weg.",
        ),
        (
            "en",
            "Small groups are protected. We do not show figures about groups of fewer than 30 "
            "respondents. Some other figures are hidden too, so that nobody can work out the "
            "hidden ones from totals or from other tables, such as everyone minus the groups that "
            "are shown. An answer that nobody gave is shown as 0: that says nothing about anyone. "
            "Tests of differences between groups leave out the groups with hidden figures.",
        ),
    ):
        assert protection in cli_report(app, wave, tmp_path, "--lang", lang)["method"]
        assert protection in text_of(get(client, f"/results/{wave}?lang={lang}"))
        assert protection in text_of(get(client, f"/results/{wave}/items/KNOW_BIO?lang={lang}"))
        document = client.get(f"/results/{wave}/downloads/estimates.json?lang={lang}").get_json()
        assert any(protection in text for text in document["method"].values())
        api = client.get(f"/api/v1/waves/{wave}?lang={lang}").get_json()
        assert protection in api["method"]
    technical = cli_report(app, wave, tmp_path, "--lang", "en")["method"]
    assert "Rao-Scott tests use only the groups whose figures are all shown" in technical
    assert "Cronbach's alpha is computed over every respondent of the wave" in technical
    assert "a count of 0 is safe and is never chosen as a complement" in technical
    assert "consult audit-disclosure checks by linear programming" in technical
