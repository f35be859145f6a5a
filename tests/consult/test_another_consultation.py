"""A consultation on another subject, end to end: a city's consultation on heat and greenery
(surveys/definitions/city-heat-2027.yaml), with its own domains, conditions, scales and
weighting variables, goes through `consult surveys load`, `consult waves margins`,
`consult responses simulate` and `consult report`, and its figures equal R's survey package.

R gets the stored answers of every complete response (read from the database, one row per
response) and the population margins, rakes them with rake() on svydesign(ids=~1) and computes
the report's figures from the rows: the weights; svymean and svyciprop(method="logit") for
every option of every question; svyby by DISTRICT; the share in favour, don't know and "needed"
with the codes the set's labels give them; the lift and the neighbour comparisons as paired
differences; svyratio + svycontrast for the domain averages; svyby + svychisq for the largest
differences between districts and age groups and for tests by district. The engine only ever
sees counts. Agreement to 1e-8 (relative above 1), as tests/analysis/test_against_r.py; the test
prints the largest difference (pytest -s).

To keep R's part under a minute, R leaves out the figures by district of six of the seven
condition batteries and the tests by district of the questions other than support and the general
single choices: the same code makes them as the figures it does compare.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.models import Answer, Response, ResponseStatus, Wave
from consult.results.design import load_design
from demo.simulation import simulate
from surveys.loader import load_file
from surveys.model import Item, QuestionSet
from tests.analysis.analysis_helpers import r_available, read_values, run_r
from tests.conftest import require
from tests.consult.conftest import ROOT

CITY = ROOT / "surveys" / "definitions" / "city-heat-2027.yaml"
CITY_MARGINS = ROOT / "surveys" / "definitions" / "margins-city-heat.csv"
SCRIPT = Path(__file__).with_name("another_consultation.R")
RESPONDENTS, SEED = 1500, 2027
GROUP = "DISTRICT"
"""The report's `--by`: a weighting variable, so its figures come from the weighting cells."""

# What the set's scales mean, as a reader of their labels sees it (not as any code reads them):
IN_FAVOUR = (3, 4)  # steun4: "Eerder voor", "Helemaal voor"
DONT_KNOW = (8,)  # "Weet ik niet"
NEEDED = (1,)  # nodig3: "Nodig: zonder dit ben ik tegen"

UNGROUPED = {
    "VW_WATERPLEIN",
    "VW_PARKEREN",
    "VW_SCHADUWDOEK",
    "VW_GROENDAK",
    "VW_WITDAK",
    "VW_KOELTE",
}
"""Condition batteries whose figures by district R leaves out (svyby takes a third of a second
per question): VW_BOMEN's rows stand for them, made by the same code."""

TOLERANCE = 1e-8
"""As tests/analysis/test_against_r.py; relative for figures above 1 (an effective n, a test's
degrees of freedom). The engine stops raking when every margin is met within 1e-10, R's rake()
at 1e-14: the weights differ in the ninth digit, and so can a figure."""


# --- the consultation itself -----------------------------------------------------------------


def test_the_city_declares_its_own_words_and_weighting_variables() -> None:
    question_set = load_file(CITY)
    vocabulary = question_set.vocabulary
    assert [term.code for term in vocabulary.domains] == ["straten", "gebouwen", "groen_water"]
    assert "dierenwelzijn" in [term.code for term in vocabulary.conditions]
    assert len(vocabulary.applications) == 7
    support, need = vocabulary.scale("steun4"), vocabulary.scale("nodig3")
    assert support is not None and need is not None
    assert (support.accepting, support.dont_know) == (IN_FAVOUR, DONT_KNOW)
    assert (need.necessary, need.dont_know) == (NEEDED, DONT_KNOW)
    demographics = [item.code for item in question_set.all_items() if item.role == "demographic"]
    assert demographics == ["DISTRICT", "AGE"]
    # Demographics come last, each with its "prefer not to say".
    assert question_set.pages[-1].id == "over_u"
    for code in demographics:
        assert [c.missing for c in question_set.item(code).choices][-1] == "refused"
    assert question_set.blocks[0].sample == 4


def test_simulated_city_answers_follow_its_scenario_and_codes() -> None:
    question_set = load_file(CITY)
    data = simulate(question_set, 4000, seed=5, margins=_margins())
    for item in question_set.all_items():
        if item.role in ("acceptance", "conditional_acceptance"):
            assert _given(data.values[item.code]) <= {1, 2, 3, 4, 8}
        if item.role == "condition":
            for row in item.rows:
                assert _given(data.values[row.code]) <= {1, 2, 3, 8}

    def in_favour(code: str) -> float:
        values = data.values[code]
        answered = values[~np.isnan(values) & (values != 8)]
        return float(np.isin(answered, IN_FAVOUR).mean())

    # Trees are liked, giving up parking spaces is not; conditions met, support rises.
    assert in_favour("STEUN_BOMEN") > 0.6 > 0.3 > in_favour("STEUN_PARKEREN")
    for application in ("BOMEN", "PARKEREN", "KOELTE"):
        assert in_favour(f"NA_{application}") > in_favour(f"STEUN_{application}") + 0.05

    def needed(code: str) -> float:
        values = data.values[code]
        return float(np.isin(values[~np.isnan(values)], NEEDED).mean())

    # No extra costs is needed most often; "nice, but not needed" is the likelier of the rest.
    rows = [row.code for row in question_set.item("VW_BOMEN").rows]
    assert max(rows, key=needed) == "VW_BOMEN_KOSTEN"
    animals = data.values["VW_BOMEN_DIEREN"]
    assert np.sum(animals == 2) > np.sum(animals == 3)
    # The sample is older than the city (80+ are 5% of residents): weighting matters.
    assert np.mean(data.values["AGE"] == 80) > 0.05 * 1.5


# --- end to end ------------------------------------------------------------------------------


def test_the_report_speaks_the_sets_own_words(
    app: Flask, load_set: Callable[..., str], tmp_path: Path
) -> None:
    wave = _simulated(app, load_set, 300)
    report = _report(app, tmp_path, "--wave", wave)
    assert report["consultation"] == "city-heat"
    vocabulary = report["vocabulary"]
    assert list(vocabulary["applications"]) == [
        "bomen",
        "waterplein",
        "parkeren_groen",
        "schaduwdoeken",
        "groene_daken",
        "witte_daken",
        "koelteplekken",
    ]
    assert vocabulary["conditions"]["dierenwelzijn"] == {
        "nl": "Dierenwelzijn en biodiversiteit",
        "en": "Animal welfare and biodiversity",
    }
    assert vocabulary["domains"]["gebouwen"] == {"nl": "Gebouwen", "en": "Buildings"}
    method = report["method"]  # the set's own weighting questions, by their wording
    assert "gewogen naar hun antwoord op “In welke wijk woont u?” en “Hoe oud bent u?”." in method
    for word in ("DISTRICT", "AGE", "Wat is uw geslacht?", "In welke provincie woont u?"):
        assert word not in method
    summary = report["summary"]
    assert [a["application"] for a in summary["applications"]] == list(vocabulary["applications"])
    assert [d["domain"] for d in summary["domains"]] == ["groen_water", "straten", "gebouwen"]
    trees = summary["applications"][0]
    assert {c["condition"] for c in trees["conditions"]} == {
        "schaduw",
        "kosten",
        "onderhoud",
        "toegankelijk",
        "dierenwelzijn",
        "inspraak",
    }
    assert [row["option"] for row in trees["distribution"]] == [1, 2, 3, 4, 8]
    assert {d["variable"] for d in report["largest_subgroup_differences"]} <= {"DISTRICT", "AGE"}


def test_the_city_report_equals_r_survey(
    app: Flask, db: Session, load_set: Callable[..., str], tmp_path: Path
) -> None:
    require(r_available(), "Rscript with the R package 'survey' is not installed")
    wave_slug = _simulated(app, load_set, RESPONDENTS)
    overall = _report(app, tmp_path, "--wave", wave_slug)
    by_group = _report(app, tmp_path, "--wave", wave_slug, "--by", GROUP)
    question_set = load_file(CITY)
    db.expire_all()
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    data = _answers(db, wave, question_set)
    spec = _spec(question_set, overall, by_group)
    r, r_weights = _r_reference(tmp_path, data, spec)
    check = Checker(r)

    # Weights: each respondent's, and the report's summary of them.
    design = load_design(db, wave)
    cell_of = {tuple(int(c) for c in row): i for i, row in enumerate(design.cells.categories)}
    mine = np.array(
        [
            design.weights.weights[cell_of[(int(district), int(age))]]  # type: ignore[arg-type]
            for district, age in zip(data.columns["DISTRICT"], data.columns["AGE"], strict=True)
        ]
    )
    check.many("weights.each", mine, r_weights)
    weighting = overall["weighting"]
    assert weighting["converged"] and weighting["max_margin_error"] <= 1e-10
    for name in ("respondents", "cells", "effective_n", "design_effect"):
        check(f"weights.{name}", weighting[name])
    check("weights.min", weighting["weight_min"])
    check("weights.max", weighting["weight_max"])

    # Every figure of every item, overall and by district.
    for row in overall["estimates"]:
        check.estimate(_name(question_set, row), row)
    for row in by_group["estimates"]:
        if question_set.owner_of(row["item"].split(".")[0]).code not in UNGROUPED:
            check.estimate(_name(question_set, row, f"{GROUP}{row['group_code']}."), row, by=True)
    assert by_group["estimates"] and all(row["group"] == GROUP for row in by_group["estimates"])

    # The acceptance summary: per measure, the share in favour and don't know, every condition's
    # share "needed" (ranked as R ranks them), neighbours compared, the lift; per domain, the
    # averages over its measures.
    for application in overall["summary"]["applications"]:
        code = application["application"]
        check.share(f"accept.{code}", application["acceptance"])
        check.share(f"dontknow.{code}", application["dont_know"])
        for row in application["distribution"]:
            check.estimate(f"{row['item']}.{row['option']}", row)
        conditions = application["conditions"]
        for condition in conditions:
            check.share(f"necessary.{condition['item']}", condition["necessary"])
        shares = [r[f"necessary.{c['item']}.est"] for c in conditions]
        if shares != sorted(shares, reverse=True):
            check.failures.append(f"{code}: the conditions are not in the order of R's shares")
        for first, second in zip(conditions, conditions[1:], strict=False):
            versus = first["versus_next"]
            key = f"versus.{first['item']}.{second['item']}"
            check(f"{key}.est", versus["difference"])
            check(f"{key}.se", versus["se"])
            check(f"{key}.lo", versus["ci_low"])
            check(f"{key}.hi", versus["ci_high"])
            check(f"{key}.df", versus["df"])
        lift = application["lift"]
        check.mean(f"lift.{code}", lift["lift"])
        check.share(f"paired.{code}.conditional", lift["conditional"])
        check.share(f"paired.{code}.unconditional", lift["unconditional"])
    for domain in overall["summary"]["domains"]:
        code = domain["domain"]
        for name, row in (("accept", domain["acceptance"]), ("dontknow", domain["dont_know"])):
            check(f"domain.{code}.{name}.est", row["estimate"])
            check(f"domain.{code}.{name}.se", row["se"])
        for condition in domain["conditions"]:
            key, row = f"domain.{code}.necessary.{condition['condition']}", condition["necessary"]
            check(f"{key}.est", row["estimate"])
            check(f"{key}.se", row["se"])
        check(f"domain.{code}.lift.est", domain["lift"]["estimate"])
        check(f"domain.{code}.lift.se", domain["lift"]["se"])

    # The largest differences in support between districts and age groups (svyby), and the
    # Rao-Scott tests by district (svychisq), each over the groups whose figures are all shown
    # (R tests the same subset of the design).
    for difference in overall["largest_subgroup_differences"]:
        key = f"differs.{difference['application']}.{difference['variable']}"
        for end in ("highest", "lowest"):
            row = difference[end]
            check.share(f"{key}.{row['group']}{row['group_code']}", row)
        if difference["test"] is not None and difference["test"]["statistic"] is not None:
            check.test(f"{key}.test", difference["test"])
    assert {d["variable"] for d in overall["largest_subgroup_differences"]} == {"DISTRICT", "AGE"}
    assert (
        len(by_group["subgroup_tests"])
        == len([code for code in question_set.answer_codes() if _is_choice(question_set, code)]) - 1
    )  # every choice question but DISTRICT itself
    tested = [test for test in by_group["subgroup_tests"] if f"test.{test['item']}.F" in r]
    for test in tested:
        check.test(f"test.{test['item']}", test)
    # 1,500 respondents over seven districts leave small cells: most tests are withheld, and
    # those computed leave districts out; R tests the same districts.
    assert len(tested) >= 4 and any(test["left_out"] for test in tested)

    check.done()


# --- comparing -------------------------------------------------------------------------------


@dataclass
class Checker:
    """Collects every comparison with R, so a failure lists all the differences at once."""

    r: dict[str, float]
    failures: list[str] = field(default_factory=list)
    compared: int = 0
    largest: dict[str, float] = field(default_factory=lambda: {"glm": 0.0, "other": 0.0})
    glm_breakdowns: list[str] = field(default_factory=list)
    suppressed: int = 0

    def __call__(self, name: str, value: float | None, *, fitted: bool = False) -> None:
        if name not in self.r:
            self.failures.append(f"{name}: R computed no such figure")
            return
        expected = self.r[name]
        difference = abs((np.nan if value is None else value) - expected) / max(1, abs(expected))
        self.compared += 1
        kind = "glm" if fitted else "other"
        self.largest[kind] = max(self.largest[kind], difference)
        if not difference <= TOLERANCE:
            self.failures.append(f"{name}: Consult {value!r}, R {expected!r}")

    def many(self, name: str, values: np.ndarray, expected: np.ndarray) -> None:
        self.compared += len(values)
        difference = float(np.max(np.abs(values - expected)))
        self.largest["other"] = max(self.largest["other"], difference)
        if not difference <= TOLERANCE:
            self.failures.append(f"{name}: largest difference {difference!r}")

    def share(self, key: str, row: dict[str, Any]) -> None:
        """A share with its logit interval: R's svyciprop(method="logit") fits a glm; where
        R's own glm broke down (its estimate differs from svymean's), its delta-method twin
        "xlogit" gives the same interval without the fit."""
        if row["suppressed"]:
            self.suppressed += 1
            return
        self(f"{key}.est", row["estimate"])
        self(f"{key}.se", row["se"])
        if f"{key}.xlo" in self.r:
            self.glm_breakdowns.append(key)
            self(f"{key}.xlo", row["ci_low"])
            self(f"{key}.xhi", row["ci_high"])
            return
        self(f"{key}.glm", row["estimate"], fitted=True)
        self(f"{key}.lo", row["ci_low"], fitted=True)
        self(f"{key}.hi", row["ci_high"], fitted=True)

    def mean(self, key: str, row: dict[str, Any], *, own: str = "") -> None:
        """A mean or a paired difference, with its t interval on its own degrees of freedom."""
        if row["suppressed"]:
            self.suppressed += 1
            return
        self(f"{key}.est", row["estimate"])
        self(f"{key}.se", row["se"])
        self(f"{key}{own}.lo", row["ci_low"])
        self(f"{key}{own}.hi", row["ci_high"])
        self(f"{key}{own}.df", row["df"])

    def estimate(self, key: str, row: dict[str, Any], *, by: bool = False) -> None:
        """One figure of the report's table. An option nobody in the base chose has no level in
        R: the engine says 0 for it. By group, svyby gives estimates and standard errors."""
        if row["suppressed"]:
            self.suppressed += 1
            return
        if row["kind"] == "mean":
            # By group: estimate and SE from svyby, the interval from the group's own design.
            self.mean(key, row, own=".own" if by else "")
        elif f"{key}.est" not in self.r:
            self.compared += 1
            if row["n"] != 0 or row["estimate"] != 0:
                self.failures.append(f"{key}: R saw nobody choose it, Consult says {row}")
        elif by:
            self(f"{key}.est", row["estimate"])
            self(f"{key}.se", row["se"])
        else:
            self.share(key, row)

    def test(self, key: str, test: dict[str, Any]) -> None:
        self(f"{key}.F", test["statistic"])
        self(f"{key}.ndf", test["ndf"])
        self(f"{key}.ddf", test["ddf"])
        self(f"{key}.p", test["p_value"])

    def done(self) -> None:
        print(
            f"\n{self.compared} comparisons with R ({self.suppressed} suppressed figures skipped); "
            f"largest difference {self.largest['other']:.3g} (svyciprop(method='logit') glm "
            f"estimates and intervals: {self.largest['glm']:.3g}; relative above 1); R's glm broke "
            f"down for {len(self.glm_breakdowns)}"
        )
        assert self.compared > 3000, self.compared
        assert not self.failures, (
            f"{len(self.failures)} of {self.compared} figures differ from R:\n"
            + "\n".join(self.failures[:40])
        )


# --- helpers ---------------------------------------------------------------------------------


def _margins() -> dict[str, dict[int, float]]:
    margins: dict[str, dict[int, float]] = {}
    lines = [line for line in CITY_MARGINS.read_text().splitlines() if not line.startswith("#")]
    for variable, category, share in csv.reader(lines[1:]):
        margins.setdefault(variable, {})[int(category)] = float(share)
    return margins


def _given(values: np.ndarray) -> set[int]:
    return {int(v) for v in values[~np.isnan(values)]}


def _simulated(app: Flask, load_set: Callable[..., str], n: int) -> str:
    wave = load_set(CITY)
    assert wave == "city-heat-2027"
    runner = app.test_cli_runner()
    margins = runner.invoke(args=["waves", "margins", wave, str(CITY_MARGINS)])
    assert margins.exit_code == 0, margins.output
    simulated = runner.invoke(
        args=["responses", "simulate", "--wave", wave, "-n", str(n), "--seed", str(SEED)]
    )
    assert simulated.exit_code == 0, simulated.output
    return wave


def _report(app: Flask, tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "report.json"
    result = app.test_cli_runner().invoke(args=["report", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text())
    return data


CHOICE = ("single", "likert")


def _is_choice(question_set: QuestionSet, code: str) -> bool:
    return question_set.owner_of(code).type in (*CHOICE, "battery")


def _name(question_set: QuestionSet, row: dict[str, Any], prefix: str = "") -> str:
    """R's name of a report row: `CODE.option` for a choice question, `ITEM.option.1` for an
    option of a multiple choice (its 0/1 column), `CODE` for a number, `ITEM.option` for a rank."""
    item = row["item"]
    if row["kind"] == "mean":
        return f"{prefix}{item}"
    if question_set.owner_of(item).type == "multiple":
        return f"{prefix}{item}.{row['option']}.1"
    return f"{prefix}{item}.{row['option']}"


@dataclass
class Rows:
    """The stored answers, one row per complete response: option codes, numbers and ranks, and a
    0/1 column per option of a multiple choice (None = no answer)."""

    columns: dict[str, list[float | None]]

    def write_csv(self, path: Path) -> None:
        names = list(self.columns)
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for row in zip(*(self.columns[name] for name in names), strict=True):
                writer.writerow(["NA" if v is None else _number(v) for v in row])


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _answers(db: Session, wave: Wave, question_set: QuestionSet) -> Rows:
    complete = (Response.wave_id == wave.id) & (Response.status == ResponseStatus.COMPLETE)
    ids = list(db.scalars(select(Response.id).where(complete).order_by(Response.id)))
    position = {id_: index for index, id_ in enumerate(ids)}
    stored = db.execute(
        select(Answer.response_id, Answer.code, Answer.option, Answer.number)
        .join(Response, Response.id == Answer.response_id)
        .where(complete)
    ).all()
    columns: dict[str, list[float | None]] = {}
    items: dict[str, Item] = {}
    for item in question_set.all_items():
        for name in _columns_of(item):
            columns[name] = [None] * len(ids)
        items[item.code] = item
    for response_id, code, option, number in stored:
        at = position[response_id]
        item = question_set.owner_of(code)
        if item.type == "multiple":
            for choice in item.choices:
                column = columns[f"{code}.{choice.code}"]
                column[at] = 1 if choice.code == option else (column[at] or 0)
        elif item.type == "ranking":
            columns[f"{code}.{option}"][at] = number
        elif item.type in ("number", "slider"):
            columns[code][at] = number
        elif code in columns:
            columns[code][at] = option
    assert len(ids) == RESPONDENTS and all(v is not None for v in columns["DISTRICT"])
    return Rows(columns)


def _columns_of(item: Item) -> list[str]:
    if item.type in ("multiple", "ranking"):
        return [f"{item.code}.{choice.code}" for choice in item.choices]
    if item.type in ("single", "likert", "battery", "number", "slider"):
        return list(item.answer_codes)
    return []  # texts and info: no figures


Spec = list[tuple[str, str, str, str, str, str]]
"""R's work list: kind, name, column(s) a, column b or group, answer codes, and for a test
between groups the groups it tests (those whose figures are all shown; empty: all)."""


def _codes(codes: tuple[int, ...]) -> str:
    return " ".join(str(code) for code in codes)


def _spec(question_set: QuestionSet, overall: dict[str, Any], by_group: dict[str, Any]) -> Spec:
    """What R computes: every item's figures (by district too), then the summary's shares with
    the codes IN_FAVOUR, DONT_KNOW and NEEDED, for the applications and conditions the set
    declares. Tests between groups only over the groups the report tested, and only where
    the report has a test (not withheld)."""
    spec: list[tuple[str, str, str, str, str]] = []
    groups: dict[str, str] = {}
    by_role: dict[tuple[str, str], Item] = {
        (item.role, item.application): item
        for item in question_set.all_items()
        if item.role and item.application
    }
    for item in question_set.all_items():
        kind = "mean" if item.type in ("number", "slider", "ranking") else "options"
        group = "" if item.code in UNGROUPED else GROUP
        spec += [(kind, name, name, group, "") for name in _columns_of(item)]
    support, favour, dont_know = {}, _codes(IN_FAVOUR), _codes(DONT_KNOW)
    for application in question_set.vocabulary.applications:
        code = application.code
        acceptance = by_role[("acceptance", code)].code
        conditional = by_role[("conditional_acceptance", code)].code
        support[code] = (acceptance, conditional)
        spec += [
            ("share", f"accept.{code}", acceptance, "", favour),
            ("share", f"dontknow.{code}", acceptance, "", dont_know),
            ("paired", f"lift.{code}", conditional, acceptance, favour),
            ("share", f"paired.{code}.conditional", conditional, acceptance, favour),
            ("share", f"paired.{code}.unconditional", acceptance, conditional, favour),
        ]
        for row in by_role[("condition", code)].rows:
            spec.append(("share", f"necessary.{row.code}", row.code, "", _codes(NEEDED)))
        for variable in ("DISTRICT", "AGE"):
            spec.append(("groups", f"differs.{code}.{variable}", acceptance, variable, favour))
    for difference in overall["largest_subgroup_differences"]:
        test = difference["test"]
        if test is not None and test["column_codes"] is not None:
            name = f"differs.{difference['application']}.{difference['variable']}"
            groups[name] = _codes(tuple(test["column_codes"]))
    # Neighbours in the report's ranking of conditions, compared in R on the same respondents.
    for summary in overall["summary"]["applications"]:
        conditions = summary["conditions"]
        for first, second in zip(conditions, conditions[1:], strict=False):
            name = f"versus.{first['item']}.{second['item']}"
            spec.append(("paired", name, first["item"], second["item"], _codes(NEEDED)))
    for domain in question_set.vocabulary.domains:
        apps = [a.code for a in question_set.vocabulary.applications if a.domain == domain.code]
        accepting = " ".join(support[a][0] for a in apps)
        spec += [
            ("average", f"domain.{domain.code}.accept", accepting, "", favour),
            ("average", f"domain.{domain.code}.dontknow", accepting, "", dont_know),
            (
                "lift_average",
                f"domain.{domain.code}.lift",
                " ".join(support[a][1] for a in apps),
                accepting,
                favour,
            ),
        ]
        for condition in question_set.vocabulary.conditions:
            rows = [
                row.code
                for a in apps
                for row in by_role[("condition", a)].rows
                if row.condition == condition.code
            ]
            if rows:
                name = f"domain.{domain.code}.necessary.{condition.code}"
                spec.append(("average", name, " ".join(rows), "", _codes(NEEDED)))
    # Rao-Scott tests by district of the questions on support and the general single choices
    # (R's svychisq takes a second each; the report's other tests are made by the same code).
    tested = {
        item.code
        for item in question_set.all_items()
        if item.type in CHOICE and item.role in (None, "acceptance", "demographic")
    }
    for test in by_group["subgroup_tests"]:
        if test["item"] in tested and test["statistic"] is not None:
            spec.append(("chisq", f"test.{test['item']}", test["item"], GROUP, ""))
            groups[f"test.{test['item']}"] = _codes(tuple(test["column_codes"]))
    return [(*row, groups.get(row[1], "")) for row in spec]


_R_RESULTS: dict[str, tuple[dict[str, float], np.ndarray]] = {}
"""R's figures by the digest of its input: the same seed gives the same answers on SQLite and
PostgreSQL, so R runs once per distinct input."""


def _r_reference(tmp_path: Path, rows: Rows, spec: Spec) -> tuple[dict[str, float], np.ndarray]:
    workdir = tmp_path / "r"
    workdir.mkdir()
    rows.write_csv(workdir / "data.csv")
    with (workdir / "spec.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "name", "a", "b", "codes", "groups"])
        writer.writerows(spec)
    margins = ["variable,code,share"] + [
        f"{variable},{code},{share!r}"
        for variable, shares in _margins().items()
        for code, share in shares.items()
    ]
    (workdir / "margins.csv").write_text("\n".join(margins) + "\n")
    digest = hashlib.sha256()
    for name in ("data.csv", "spec.csv", "margins.csv"):
        digest.update((workdir / name).read_bytes())
    digest.update(SCRIPT.read_bytes())
    key = digest.hexdigest()
    if key not in _R_RESULTS:
        run_r(SCRIPT.read_text(), workdir)
        weights = np.array(
            [float(v.strip('"')) for v in (workdir / "weights.csv").read_text().split()[1:]]
        )
        _R_RESULTS[key] = (read_values(workdir / "values.csv"), weights)
    return _R_RESULTS[key]
