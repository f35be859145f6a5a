"""`consult report`: weighted figures from the database's counts, as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from consult.models import Answer, Response, ResponseStatus
from consult.results.report import method_paragraphs
from surveys.loader import load_question_set
from surveys.model import AnswerCell
from tests.consult.conftest import ROOT, SHIPPED
from tests.consult.test_simulation import MARGINS


def report(app: Flask, tmp_path: Path, *args: str) -> tuple[int, str, Path]:
    out = tmp_path / ("report.csv" if "csv" in args else "report.json")
    result = app.test_cli_runner().invoke(args=["report", *args, "-o", str(out)])
    return result.exit_code, result.output, out


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_json_report_has_weighting_estimates_and_summary(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    code, output, path = report(app, tmp_path, "--wave", simulated_wave)
    assert code == 0, output
    data = json.loads(path.read_text())
    weighting = data["weighting"]
    assert weighting["converged"] and weighting["max_margin_error"] <= 1e-10
    assert weighting["respondents"] == 600 and weighting["design_effect"] > 1
    acceptance = [r for r in data["estimates"] if r["item"] == "ACC_CRISPR" and not r["suppressed"]]
    assert acceptance and {r["option"] for r in acceptance} <= {1, 2, 3, 4, 5, 9}
    assert all(r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in acceptance)
    shown = [r["estimate"] for r in data["estimates"] if r["item"] == "KNOW_BIO"]
    if all(value is not None for value in shown):
        assert math.isclose(sum(shown), 1.0, rel_tol=1e-9)
    # Multiple choice: the share choosing each option among those who answered the question.
    sources = [r for r in data["estimates"] if r["item"] == "INFO_SOURCES" and not r["suppressed"]]
    assert sources and all(0 < r["estimate"] < 1 for r in sources)
    # Ranking: the mean rank of each goal, between 1 and the number of goals.
    goals = [r for r in data["estimates"] if r["item"].startswith("GOALS_2040.")]
    assert len(goals) == 4 and all(1 <= r["estimate"] <= 4 and r["kind"] == "mean" for r in goals)
    applications = {a["application"]: a for a in data["summary"]["applications"]}
    assert len(applications) == 11
    crispr = applications["crispr_crops"]
    assert crispr["domain"] == "green"
    ranks = [c["rank"] for c in crispr["conditions"]]
    assert ranks == sorted(ranks)
    assert {d["domain"] for d in data["summary"]["domains"]} == {"green", "white", "red"}
    # The method names the weighting questions by their wording, Dutch unless asked otherwise.
    assert "gewogen naar hun antwoord op “Hoe oud bent u?”, “Wat is uw geslacht?”" in data["method"]
    code, output, path = report(app, tmp_path, "--wave", simulated_wave, "--lang", "en")
    assert code == 0, output
    english = json.loads(path.read_text())
    assert "weighted by their answers to “How old are you?”" in english["method"]
    assert "rake() on svydesign(ids=~1)" in english["method"]
    assert english["estimates"] == data["estimates"]


def test_the_method_names_however_many_weighting_questions_the_set_has() -> None:
    """One weighting question, or none (then nothing is weighted and the text says so), in
    both languages; the technical paragraph follows the plain one."""
    text = SHIPPED.read_text(encoding="utf-8")
    first = text.index("role: demographic") + len("role: demographic")
    one = load_question_set(text[:first] + text[first:].replace("role: demographic", ""))
    plain, _, technical = method_paragraphs(one, "nl", 10)
    assert "gewogen naar hun antwoord op “Hoe oud bent u?”. Mensen uit groepen" in plain
    assert technical.startswith("Voor onderzoekers: de gewichten komen uit raking")
    plain, _, _ = method_paragraphs(one, "en", 10)
    assert "weighted by their answers to “How old are you?”. People from groups" in plain
    none = load_question_set(text.replace("role: demographic", ""))
    plain, _, technical = method_paragraphs(none, "nl", 10)
    assert "De deelnemers zijn niet gewogen" in plain and "gewogen naar" not in plain
    assert technical.startswith("Voor onderzoekers: gelijke gewichten, geen raking.")
    plain, _, technical = method_paragraphs(none, "en", 10)
    assert "The respondents are not weighted" in plain and "95% confidence interval" in plain
    assert technical.startswith("For researchers: equal weights, no raking.")


def test_csv_report_columns_and_subgroups(app: Flask, simulated_wave: str, tmp_path: Path) -> None:
    code, output, path = report(
        app, tmp_path, "--wave", simulated_wave, "--format", "csv", "--by", "SEX"
    )
    assert code == 0, output
    rows = rows_of(path)
    assert list(rows[0]) == [
        "item",
        "item_label",
        "group",
        "group_label",
        "option",
        "option_label",
        "n",
        "base",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "suppressed",
    ]
    groups = {(row["group"], row["group_label"]) for row in rows}
    assert {("SEX=1", "Man"), ("SEX=2", "Vrouw")} <= groups
    knows = next(r for r in rows if r["item"] == "KNOW_BIO" and r["option"] == "1")
    assert knows["item_label"] == "Hoeveel weet u over biotechnologie?"
    assert knows["option_label"] == "(Bijna) niets"
    # Small groups ("anders") are suppressed: no numbers at all.
    for row in rows:
        if row["suppressed"] == "true":
            assert row["estimate"] == row["n"] == ""
    assert any(row["suppressed"] == "true" for row in rows)


def test_unweighted_share_is_the_plain_count_ratio(
    app: Flask, db: Session, simulated_wave: str, tmp_path: Path
) -> None:
    code, output, path = report(
        app, tmp_path, "--wave", simulated_wave, "--format", "csv", "--unweighted"
    )
    assert code == 0, output
    chose = db.scalar(select(func.count()).where(Answer.code == "KNOW_BIO", Answer.option == 3))
    answered = db.scalar(select(func.count()).where(Answer.code == "KNOW_BIO"))
    row = next(r for r in rows_of(path) if r["item"] == "KNOW_BIO" and r["option"] == "3")
    assert math.isclose(float(row["estimate"]), chose / answered, rel_tol=1e-12)
    assert int(row["n"]) == chose


def test_fixed_weight_errors_change_only_the_errors(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    _, _, calibrated = report(app, tmp_path, "--wave", simulated_wave, "--format", "csv")
    calibrated_rows = rows_of(calibrated)
    _, _, fixed = report(
        app, tmp_path, "--wave", simulated_wave, "--format", "csv", "--se", "fixed"
    )
    fixed_rows = rows_of(fixed)
    pairs = [(a, b) for a, b in zip(calibrated_rows, fixed_rows, strict=True) if a["se"]]
    assert all(a["estimate"] == b["estimate"] for a, b in pairs)
    assert any(a["se"] != b["se"] for a, b in pairs)


def test_subgroups_by_a_question_match_the_counts_path(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    """By a demographic the figures come from the kept counts; by any other item from a grouped
    query over the answers. Grouping by the demographic both ways must agree."""
    from consult.extensions import db
    from consult.organizing import queries as organizing_queries
    from consult.results.design import load_design
    from consult.results.figures import item_estimates

    with app.app_context():
        wave = organizing_queries.wave_by_slug(db.session, simulated_wave)
        assert wave is not None
        design = load_design(db.session, wave)
        item = design.question_set.item("KNOW_BIO")
        from_counts = item_estimates(db.session, design, item, "SEX")
        table = design.joint_table(db.session, ("KNOW_BIO", "SEX"))
        from analysis import proportions

        options = [c.code for c in item.choices]
        direct = proportions(design.weights, table, "KNOW_BIO", group="SEX", options=options)
    by_key = {(r.group_code, r.option): r for r in direct}
    for row in from_counts:
        if not row.suppressed:
            other = by_key[(row.group_code, row.option)]
            assert math.isclose(row.estimate, other.estimate, rel_tol=1e-12)
            assert math.isclose(row.se, other.se, rel_tol=1e-9)


def test_figures_by_a_question_from_one_pass_equal_the_per_item_pivot(
    app: Flask, simulated_wave: str
) -> None:
    """By a question that is not a weighting variable, the report reads every item's counts in
    one grouped pass; each table must give the figures of that item's own pivot of the answers
    (choice, battery row and slider; the grouping question against itself too)."""
    from analysis import means, proportions, rao_scott
    from consult.extensions import db
    from consult.organizing import queries as organizing_queries
    from consult.responding import queries as responding_queries
    from consult.results.design import load_design
    from consult.results.figures import item_estimates, subgroup_tests

    by = "KNOW_BIO"
    with app.app_context():
        wave = organizing_queries.wave_by_slug(db.session, simulated_wave)
        assert wave is not None
        design = load_design(db.session, wave)
        # Unfinished responses are in no figure: fifty of them, all alike, would show.
        unfinished = [AnswerCell("KNOW_BIO", option=1), AnswerCell("ACC_CRISPR", option=5)]
        cell = next(iter(design.cell_index))
        last = db.session.scalar(select(func.max(Response.id)))
        responding_queries.insert_complete_responses(
            db.session, wave, [(cell, unfinished)] * 50, dt.date(2026, 11, 23), language="nl"
        )
        db.session.execute(
            update(Response).where(Response.id > last).values(status=ResponseStatus.IN_PROGRESS)
        )
        checked = 0
        for code in ("ACC_CRISPR", "GEN_EFFECT", "COND_CRISPR_SAFETY", "SPEED_CARE", by):
            item = design.question_set.owner_of(code)
            ours = [row for row in item_estimates(db.session, design, item, by) if row.item == code]
            pivot = design.joint_table(db.session, tuple(sorted({code, by})))
            if item.type == "slider":
                direct = means(design.weights, pivot, code, group=by)
            else:
                options = [choice.code for choice in item.choices]
                direct = proportions(design.weights, pivot, code, group=by, options=options)
            by_key = {(r.group_code, r.option): r for r in direct}
            assert {r.group_code for r in ours} == {r.group_code for r in direct}
            for row in ours:
                other = by_key[(row.group_code, row.option)]
                assert row.base in (other.base, None)  # None: hidden (disclosure control)
                if not row.suppressed:
                    checked += 1
                    assert math.isclose(row.estimate, other.estimate, rel_tol=1e-12)
                    assert math.isclose(row.se, other.se, rel_tol=1e-9)
        assert checked > 20
        # The test from the one pass too: with every cell shown (a minimum of 1) it covers
        # every group.
        wave.min_cell_size = 1
        design = load_design(db.session, wave)
        general = design.question_set.item("GEN_EFFECT")
        rows = item_estimates(db.session, design, general, by)
        (test,) = subgroup_tests(db.session, design, general, by, rows)
        assert test.test.result is not None and not test.test.left_out
        pivot = design.joint_table(db.session, ("GEN_EFFECT", by))
        expected = rao_scott(design.weights, pivot, "GEN_EFFECT", by)
        assert math.isclose(test.test.result.statistic, expected.statistic, rel_tol=1e-9)


def test_every_item_type_by_question_equals_the_kept_counts(
    app: Flask, simulated_wave: str
) -> None:
    """Grouped by SEX, read as a question in one pass over the answers, every item type
    (choice, battery, slider, multiple choice, ranking) gives the figures of the kept counts."""
    from analysis import means, proportions
    from consult.extensions import db
    from consult.organizing import queries as organizing_queries
    from consult.results.design import load_design
    from consult.results.figures import _multiple_choice, item_estimates

    by = "SEX"
    with app.app_context():
        wave = organizing_queries.wave_by_slug(db.session, simulated_wave)
        assert wave is not None
        design = load_design(db.session, wave)
        compared = set()
        for item in design.question_set.all_items():
            kept = item_estimates(db.session, design, item, by)
            if item.type == "multiple":
                table = design.subgroup_table(db.session, item.code, by)
                read = _multiple_choice(design, table, item, by)
            elif item.type == "ranking" or item.type in ("slider", "number"):
                codes = (
                    [f"{item.code}.{choice.code}" for choice in item.choices]
                    if item.type == "ranking"
                    else [item.code]
                )
                read = [
                    row
                    for code in codes
                    for row in means(
                        design.weights, design.subgroup_table(db.session, code, by), code, group=by
                    )
                ]
            elif item.type in ("single", "likert", "battery") and item.code != by:
                options = [choice.code for choice in item.choices]
                read = [
                    row
                    for code in item.answer_codes
                    for row in proportions(
                        design.weights,
                        design.subgroup_table(db.session, code, by),
                        code,
                        group=by,
                        options=options,
                    )
                ]
            else:
                continue
            by_key = {(r.item, r.group_code, r.option): r for r in read}
            for row in kept:
                if row.suppressed:
                    continue
                other = by_key[(row.item, row.group_code, row.option)]
                assert row.n == other.n and row.base in (other.base, None), row
                assert math.isclose(row.estimate, other.estimate, rel_tol=1e-12), row
                assert math.isclose(row.se, other.se, rel_tol=1e-9), row
                compared.add(item.type)
        assert compared == {"single", "likert", "battery", "slider", "multiple", "ranking"}


def test_report_errors_are_clear(
    app: Flask, load_set: Callable[..., str], db: Session, tmp_path: Path
) -> None:
    wave = load_set(SHIPPED)
    code, output, _ = report(app, tmp_path, "--wave", wave)
    assert code != 0 and "no complete responses" in output
    app.test_cli_runner().invoke(args=["responses", "simulate", "--wave", wave, "-n", "50"])
    code, output, _ = report(app, tmp_path, "--wave", wave)
    assert code != 0 and "no weighting margins" in output
    code, output, _ = report(app, tmp_path, "--wave", wave, "--unweighted", "--by", "OPEN_WORRIES")
    assert code != 0 and "single-choice" in output
    code, output, _ = report(app, tmp_path, "--wave", "nope")
    assert code != 0 and "no wave nope" in output
    assert (
        db.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.COMPLETE))
        == 50
    )


def test_report_adds_tests_scales_and_largest_subgroup_differences(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    code, output, path = report(app, tmp_path, "--wave", simulated_wave, "--by", "AGE_GROUP")
    assert code == 0, output
    data = json.loads(path.read_text())
    tests = {t["item"]: t for t in data["subgroup_tests"]}
    assert tests["ACC_CRISPR"]["by"] == "AGE_GROUP"
    # Every age group has a hidden cell of ACC_CRISPR (600 respondents, six answers):
    # no test, and the report says why.
    withheld = tests["ACC_CRISPR"]
    assert withheld["withheld"] == "too_few_groups" and withheld["p_value"] is None
    assert withheld["note"] == (
        "Geen toets: bij minder dan twee groepen worden alle cijfers getoond."
    )
    # KNOW_BIO is tested over the groups whose figures are all shown; the others are named.
    knows = tests["KNOW_BIO"]
    assert 0 <= knows["p_value"] <= 1 and knows["ndf"] > 0 and knows["withheld"] is None
    assert {group["code"] for group in knows["left_out"]} == {1, 2, 3, 4, 5, 99}
    assert set(knows["column_codes"]) == {6, 7}
    scales = {s["item"]: s for s in data["scales"]}
    assert -1 < scales["TRUST"]["alpha"] <= 1 and scales["TRUST"]["respondents"] > 100
    differences = data["largest_subgroup_differences"]
    assert {d["application"] for d in differences} >= {"crispr_crops"}
    for d in differences:
        assert d["highest"]["estimate"] >= d["lowest"]["estimate"]
        assert math.isclose(d["spread"], d["highest"]["estimate"] - d["lowest"]["estimate"])
    # The simulated attitude rises with education: acceptance differs most by it somewhere.
    assert any(d["variable"] == "EDUCATION" for d in differences)


def test_change_since_the_previous_wave(app: Flask, simulated_wave: str, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    for args in (
        ["waves", "create", "biotech-2027", "--consultation", "biotech"],
        ["waves", "margins", "biotech-2027", str(MARGINS)],
        ["responses", "simulate", "--wave", "biotech-2027", "-n", "600", "--seed", "8"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    code, output, path = report(app, tmp_path, "--wave", "biotech-2027")
    assert code == 0, output
    later = json.loads(path.read_text())
    changes = later["changes_since_previous_wave"]
    acceptance = [c for c in changes if c["item"] == "ACC_CRISPR"]
    assert acceptance
    for change in acceptance:
        assert math.isclose(change["difference"], change["later"] - change["earlier"])
        assert change["ci_low"] <= change["difference"] <= change["ci_high"]
    # A figure hidden in either wave is not compared (the change would give it back); the
    # report names it.
    code, output, path = report(app, tmp_path, "--wave", simulated_wave)
    assert code == 0, output
    earlier = json.loads(path.read_text())

    def hidden(data: dict) -> set[tuple[str, object]]:  # type: ignore[type-arg]
        rows = [row for app in data["summary"]["applications"] for row in app["distribution"]]
        return {(row["item"], row["option"]) for row in rows if row["suppressed"]}

    left_out = {(entry["item"], entry["option"]) for entry in later["changes_left_out"]}
    assert {entry["reason"] for entry in later["changes_left_out"]} == {"suppressed"}
    compared = {(change["item"], change["option"]) for change in changes}
    assert left_out and not left_out & compared
    distribution = {key for key in left_out if isinstance(key[1], int)}
    assert distribution and distribution <= hidden(earlier) | hidden(later)


@pytest.mark.parametrize("largest_profile", [26, 6])
def test_summary_from_profiles_equals_the_summary_from_every_joint_answer(
    app: Flask, simulated_wave: str, largest_profile: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The summary reads coarsened profiles kept as responses complete; cutting its tables from
    the full joint answers in the database must give the same figures. With a smaller limit on
    profiles (as for a domain of many applications) the summary groups the answers it misses."""
    from consult.counting import plan as counting

    monkeypatch.setattr(counting, "MAX_PROFILE_ITEMS", largest_profile)
    from analysis import acceptance_summary
    from consult.counting.plan import applications_of
    from consult.counting.service import ensure_current_counts
    from consult.extensions import db
    from consult.organizing import queries as organizing_queries
    from consult.results.design import load_design
    from consult.results.figures import summary

    with app.app_context():
        wave = organizing_queries.wave_by_slug(db.session, simulated_wave)
        assert wave is not None
        # A smaller limit is another counting rule: the wave is recounted without the larger
        # profiles.
        assert bool(ensure_current_counts(db.session, [wave])) == (largest_profile != 26)
        design = load_design(db.session, wave)
        from_profiles = summary(db.session, design)
        direct = acceptance_summary(
            design.weights,
            applications_of(design.question_set),
            lambda codes: design.joint_table(db.session, codes),
            minimum=wave.min_cell_size,
        )
    assert from_profiles is not None
    ours, theirs = from_profiles.rows(), direct.rows()
    assert len(ours) == len(theirs) > 100
    for mine, other in zip(ours, theirs, strict=True):
        assert (mine.item, mine.option, mine.suppressed) == (
            other.item,
            other.option,
            other.suppressed,
        )
        if not mine.suppressed:
            assert math.isclose(mine.estimate, other.estimate, rel_tol=1e-12, abs_tol=1e-15)
            assert math.isclose(mine.se, other.se, rel_tol=1e-9, abs_tol=1e-15)
    tests = 0
    for mine_app, other_app in zip(from_profiles.applications, direct.applications, strict=True):
        for mine_c, other_c in zip(mine_app.conditions, other_app.conditions, strict=True):
            if mine_c.versus_next is not None and not mine_c.versus_next.suppressed:
                assert other_c.versus_next is not None
                assert math.isclose(mine_c.versus_next.se, other_c.versus_next.se, rel_tol=1e-9)
                tests += 1
    assert tests > 10


def test_report_recounts_a_wave_counted_by_older_rules(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    from consult.extensions import db
    from consult.models import AnswerCount
    from consult.organizing import queries as organizing_queries
    from consult.results.design import ResultsError, load_design

    with app.app_context():
        wave = organizing_queries.wave_by_slug(db.session, simulated_wave)
        assert wave is not None
        wave.counts_fingerprint = None  # counted before fingerprints, or by another rule
        db.session.execute(delete(AnswerCount).where(AnswerCount.code.startswith("~")))
        db.commit()
        with pytest.raises(ResultsError, match="another counting rule"):
            load_design(db.session, wave)
    code, output, path = report(app, tmp_path, "--wave", simulated_wave)
    assert code == 0, output
    assert f"Recounted {simulated_wave}" in output
    summary = json.loads(path.read_text())["summary"]
    assert all(d["acceptance"]["se"] > 0 for d in summary["domains"])


def test_scales_from_kept_sums_equal_alpha_from_every_answer_pattern(
    app: Flask, simulated_wave: str
) -> None:
    from analysis import cronbach_alpha
    from consult.extensions import db
    from consult.organizing import queries as organizing_queries
    from consult.results.design import load_design
    from consult.results.figures import scale_reliabilities

    with app.app_context():
        wave = organizing_queries.wave_by_slug(db.session, simulated_wave)
        assert wave is not None
        design = load_design(db.session, wave)
        kept = scale_reliabilities(db.session, design)
        assert len(kept) == 12  # eleven conditions batteries and the trust battery
        for scale in kept:
            battery = design.question_set.item(scale.item)
            rows = tuple(row.code for row in battery.rows)
            direct = cronbach_alpha(
                design.weights,
                design.joint_table(db.session, rows),
                rows,
                exclude=[choice.code for choice in battery.choices if choice.missing],
            )
            assert scale.alpha.respondents == direct.respondents > 0
            assert math.isclose(scale.alpha.alpha, direct.alpha, rel_tol=1e-9)


@pytest.mark.parametrize(
    "start", ["import consult.wsgi", "from consult.cli import _create_app; _create_app()"]
)
def test_the_server_and_the_command_compute_on_one_blas_thread(start: str, tmp_path: Path) -> None:
    """Workers share the cores: BLAS threads in the analysis would fight them
    (`consult.app.compute_on_one_core`). Each in a fresh process, as a server or a command."""
    code = (
        f"{start}\n"
        "from threadpoolctl import threadpool_info\n"
        "blas = [lib for lib in threadpool_info() if lib['user_api'] == 'blas']\n"
        "assert blas and all(lib['num_threads'] == 1 for lib in blas), blas\n"
    )
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'blas.sqlite3'}",
        "SECRET_KEY": "test",
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=environment, cwd=ROOT)


def test_several_groupings_in_one_file_with_the_overall_rows(
    app: Flask, simulated_wave: str, tmp_path: Path
) -> None:
    """`--by A --by B` writes one file: the overall figures, then each grouping's, each the
    same as a run with that --by alone gives (a demographic, and a question read from the
    answers); the overview's figures once."""

    def run(name: str, *args: str) -> Path:
        out = tmp_path / name
        result = app.test_cli_runner().invoke(
            args=["report", "--wave", simulated_wave, "-o", str(out), *args]
        )
        assert result.exit_code == 0, result.output
        return out

    single = {
        by: json.loads(run(f"{by}.json", *(["--by", by] if by else [])).read_text())
        for by in (None, "AGE_GROUP", "KNOW_BIO")
    }
    both = json.loads(
        run("both.json", "--by", "AGE_GROUP", "--by", "KNOW_BIO", "--by", "AGE_GROUP").read_text()
    )
    assert both["by"] == ["AGE_GROUP", "KNOW_BIO"]
    assert both["estimates"] == [row for by in single for row in single[by]["estimates"]]
    assert {row["group"] for row in both["estimates"]} == {None, "AGE_GROUP", "KNOW_BIO"}
    assert both["subgroup_tests"] == (
        single["AGE_GROUP"]["subgroup_tests"] + single["KNOW_BIO"]["subgroup_tests"]
    )
    for same in ("weighting", "summary", "scales", "largest_subgroup_differences", "method"):
        assert both[same] == single[None][same], same

    def lines(path: Path) -> list[str]:
        return path.read_text(encoding="utf-8").splitlines()

    csv_single = {
        by: lines(run(f"{by}.csv", "--format", "csv", *(["--by", by] if by else [])))
        for by in (None, "AGE_GROUP", "KNOW_BIO")
    }
    csv_both = run("both.csv", "--format", "csv", "--by", "AGE_GROUP", "--by", "KNOW_BIO")
    header = csv_single[None][0]
    assert lines(csv_both) == [header] + [row for by in csv_single for row in csv_single[by][1:]]
    assert rows_of(csv_both)[0]["group"] == "all"

    exported = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(
        args=["export", "--wave", simulated_wave, "--format", "csv", "-o", str(exported)]
        + ["--by", "AGE_GROUP", "--by", "KNOW_BIO"]
    )
    assert result.exit_code == 0, result.output
    assert exported.read_bytes() == csv_both.read_bytes()
    refused = app.test_cli_runner().invoke(
        args=["export", "--wave", simulated_wave, "--format", "xlsx", "-o", str(exported)]
        + ["--by", "AGE_GROUP", "--by", "KNOW_BIO"]
    )
    assert refused.exit_code != 0 and "--format csv" in refused.output
    wrong = app.test_cli_runner().invoke(
        args=["report", "--wave", simulated_wave, "-o", str(exported)]
        + ["--by", "AGE_GROUP", "--by", "NO_SUCH_ITEM"]
    )
    assert wrong.exit_code != 0 and "there is no item NO_SUCH_ITEM" in wrong.output
