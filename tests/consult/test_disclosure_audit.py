"""`consult audit-disclosure` and the linked tables it audits (#12), on the shipped set.

The overall report and a report by subgroup are linked: an attacker who holds both cannot
subtract the shown groups from the overall count to get a hidden one; "X by G" and "G by X"
are one table with one mask, whatever is asked first; and the audit, which holds every table
the results publish, finds no suppressed small count it can narrow down below [0, minimum],
while a suppression without complements fails it.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from flask import Flask

from analysis.disclosure import unsafe
from analysis.linked_tables import Linked
from consult.extensions import db as database
from consult.organizing import queries as organizing_queries
from consult.results import disclosure as results_disclosure
from consult.results.audit import pair_tables
from consult.results.design import load_design
from consult.results.disclosure import Disclosure
from consult.results.figures import item_estimates, table_by
from tests.consult.test_results_pages import cli_report

MINIMUM = 20
"""Raised from 10, so that 600 responses leave many small cells."""


@pytest.fixture
def strict_wave(app: Flask, simulated_wave: str) -> str:
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, simulated_wave)
        assert wave is not None
        wave.min_cell_size = MINIMUM
        database.commit()
    return simulated_wave


def audit(app: Flask, wave: str, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit-disclosure", "--wave", wave, *args])
    return result.exit_code, result.output


def test_the_audit_holds_on_the_shipped_sets_wave(app: Flask, strict_wave: str) -> None:
    by = ("--by", "AGE_GROUP", "--by", "KNOW_BIO", "--by", "ACC_CRISPR")
    code, output = audit(app, strict_wave, *by)
    assert code == 0, output
    assert f"Every suppressed small count can be anything from 0 to at least {MINIMUM}" in output
    code, output = audit(app, strict_wave, *by, "--json")
    assert code == 0, output
    found = json.loads(output)
    assert found["holds"] and found["narrow"] == [] and found["mismatches"] == []
    assert found["groupings"] == ["AGE_GROUP", "KNOW_BIO", "ACC_CRISPR"]
    # Overall tables, three groupings' tables and the overview's (largest differences, lift).
    assert found["tables"] > 3 * 100
    assert found["checked"] > 0 and found["suppressed"] > 1000 and found["linear_programs"] > 0


def test_a_suppression_without_complements_fails_the_audit(
    app: Flask, strict_wave: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = results_disclosure.linked_tables

    def primary_only(specs, respondents, minimum):  # type: ignore[no-untyped-def]
        return [
            replace(mask, hidden=unsafe(mask.values, minimum))
            for mask in real(specs, respondents, minimum)
        ]

    monkeypatch.setattr(results_disclosure, "linked_tables", primary_only)
    code, output = audit(app, strict_wave, "--by", "AGE_GROUP", "--lang", "en")
    assert code == 1, output
    assert "can be narrowed down" in output and "the suppression holds" not in output
    # The tables by age group, shown but for their small cells, give away the overall tables'
    # hidden counts: e.g. "ACC_CRISPR: ACC_CRISPR=9 (Don't know / no opinion): ...: 13
    # respondent(s); the published figures allow 13 to 13, the rule promises 0 to 20."
    assert re.search(r"the published figures allow (\d+) to \1, the rule promises 0 to 20", output)
    # Primary suppression alone leaves thousands: the search stops at its limit and says so.
    assert "20 suppressed count(s) can be narrowed down (the search stopped there" in output
    code, output = audit(app, strict_wave, "--by", "AGE_GROUP", "--json")
    found = json.loads(output)
    assert code == 1 and not found["holds"] and found["stopped"] and len(found["narrow"]) == 20
    assert all(n["low"] > 0 or n["high"] < MINIMUM for n in found["narrow"])


def test_a_grouping_must_be_a_single_choice_question(app: Flask, strict_wave: str) -> None:
    code, output = audit(app, strict_wave, "--by", "TRUST_GOV")
    assert code == 1 and "not a single-choice item" in output


def test_overall_minus_the_shown_subgroups_gives_nothing_away(
    app: Flask, strict_wave: str, tmp_path: Path
) -> None:
    """The issue's attack with the published reports only: every respondent has an age group,
    so an option's overall count is the sum of its groups'; a single hidden group would be the
    overall count less the shown ones."""
    overall = cli_report(app, strict_wave, tmp_path)
    by_age = cli_report(app, strict_wave, tmp_path, "--by", "AGE_GROUP")
    totals = {
        (row["item"], row["option"]): row["n"]
        for row in overall["estimates"]
        if row["kind"] == "proportion" and not row["suppressed"]
    }
    columns: dict[tuple[str, int], list[dict]] = {}  # type: ignore[type-arg]
    for row in by_age["estimates"]:
        if row["kind"] == "proportion":
            columns.setdefault((row["item"], row["option"]), []).append(row)
    attacked = 0
    for key, rows in columns.items():
        hidden = [row for row in rows if row["suppressed"]]
        if key not in totals or not hidden:
            continue
        attacked += 1
        assert len(hidden) != 1, key  # else: total less the shown groups
        rest = totals[key] - sum(row["n"] for row in rows if not row["suppressed"])
        assert rest >= MINIMUM or rest == 0 or len(hidden) > 1
    assert attacked > 50


def test_x_by_g_and_g_by_x_are_one_table_whatever_is_asked_first(
    app: Flask, strict_wave: str
) -> None:
    """ACC_CRISPR by KNOW_BIO and KNOW_BIO by ACC_CRISPR (both read from the answers), and
    ACC_CRISPR by AGE_GROUP (kept counts) and AGE_GROUP by ACC_CRISPR (answers), hide the same
    cells and group bases, asked in either order."""
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, strict_wave)
        assert wave is not None
        session = database.session

        def views(first: tuple[str, str], second: tuple[str, str]) -> dict[str, set]:  # type: ignore[type-arg]
            design = load_design(session, wave)  # nothing kept yet
            hidden: dict[str, set] = {}  # type: ignore[type-arg]
            for code, by in (first, second):
                item = design.question_set.item(code)
                rows = item_estimates(session, design, item, by)
                hidden[f"{code} by {by}"] = {
                    (row.group_code, row.option) for row in rows if row.suppressed
                } | {(row.group_code, "base") for row in rows if row.base is None}
            return hidden

        for x, g in (("ACC_CRISPR", "KNOW_BIO"), ("ACC_CRISPR", "AGE_GROUP")):
            one = views((x, g), (g, x))
            other = views((g, x), (x, g))
            assert one == other
            cells = {(o, grp) for grp, o in one[f"{x} by {g}"] if o != "base"}
            assert cells and cells == {(grp, o) for grp, o in one[f"{g} by {x}"] if o != "base"}


def test_the_audit_counts_the_tables_the_results_publish(app: Flask, strict_wave: str) -> None:
    """The audit counts every pair of questions in one pass over the answers; the results read
    each grouping's counts with a query of their own: the same counts, so the same masks."""
    with app.app_context():
        wave = organizing_queries.wave_by_slug(database.session, strict_wave)
        assert wave is not None
        session = database.session
        design = load_design(session, wave)
        disclosure = Disclosure(design)
        codes = list(disclosure.policy.layouts)
        by = "KNOW_BIO"
        published = disclosure.tables(
            session, by, [(code, table_by(session, design, code, by)) for code in codes]
        )
        audited_design = load_design(session, wave)
        audited = Disclosure(audited_design)
        streamed = pair_tables(session, wave, audited.policy, {by: codes})[by]
        for mask, other in zip(published, audited.tables(session, by, streamed), strict=True):
            assert isinstance(mask, Linked) and isinstance(other, Linked)
            assert np.array_equal(mask.values, other.values)
            assert np.array_equal(mask.hidden, other.hidden)
        assert any(mask.hidden.any() for mask in published)
