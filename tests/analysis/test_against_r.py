"""The engine's figures, computed from counts, equal R's survey package on the individual rows.

One generated sample (2,000 respondents, four skewed demographics with a refused age, items with
don't-know and missing answers, a numeric item, a conditions battery) is written to CSV; R rakes
it with ``rake()`` and computes ``svymean``, ``svyby``, ``svyciprop(method="logit")``,
``svychisq(statistic="F")``, ``svyratio`` + ``svycontrast``; the engine gets only the grouped
counts. Agreement to 1e-8 (svyciprop's point estimate comes from an iterative glm fit).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from analysis.acceptance import Application, Condition, summarize_application, summarize_domain
from analysis.association import rao_scott
from analysis.counts import Grouped
from analysis.estimates import Estimate, means, proportions
from analysis.variance import MODES, Mode
from analysis.weighting import Weights, rake
from tests.analysis.analysis_helpers import (
    MARGINS,
    Sample,
    cells_of,
    generate,
    grouped,
    r_available,
    read_values,
    run_r,
)
from tests.conftest import require

TOLERANCE = 1e-8
SCRIPT = Path(__file__).with_name("reference.R")
COMPARED: list[str] = []
LARGEST: dict[str, float] = {}
"""Largest absolute difference from R: figures of svyciprop's glm fit, and everything else."""


@dataclass
class Reference:
    sample: Sample
    cell_index: np.ndarray
    design: Weights
    r: dict[str, float]
    r_weights: np.ndarray

    def table(self, *items: str) -> Grouped:
        return grouped(self.cell_index, {item: self.sample[item] for item in items})

    def source(self, items: tuple[str, ...]) -> Grouped:
        return self.table(*items)


@pytest.fixture(scope="module")
def ref(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    require(r_available(), "Rscript with the R package 'survey' is not installed")
    workdir = tmp_path_factory.mktemp("r-reference")
    sample = generate()
    sample.write_csv(workdir / "data.csv")
    lines = ["variable,code,share"] + [
        f"{variable},{code},{share!r}"
        for variable, shares in MARGINS.items()
        for code, share in shares.items()
    ]
    (workdir / "margins.csv").write_text("\n".join(lines) + "\n")
    run_r(SCRIPT.read_text(), workdir)
    r_weights = np.array(
        [float(v.strip('"')) for v in (workdir / "weights.csv").read_text().split()[1:]]
    )
    cells, index = cells_of(sample)
    yield Reference(
        sample, index, rake(cells, MARGINS), read_values(workdir / "values.csv"), r_weights
    )


class Checker:
    """Collects every comparison so a failure lists all the differences at once."""

    def __init__(self, r: dict[str, float]) -> None:
        self.r = r
        self.failures: list[str] = []
        self.compared = 0
        self.glm_breakdowns: list[str] = []

    def __call__(self, name: str, value: float, tolerance: float = TOLERANCE) -> None:
        assert name in self.r, f"R wrote no value {name}"
        difference = abs(value - self.r[name])
        self.compared += 1
        COMPARED.append(name)
        if tolerance == TOLERANCE:
            prefix, _, last = name.rpartition(".")
            fitted = last in ("glm", "lo", "hi") and f"{prefix}.glm" in self.r
            key = "glm" if fitted else "other"
            LARGEST[key] = max(LARGEST.get(key, 0.0), difference)
        if not difference <= tolerance:
            self.failures.append(f"{name}: engine {value!r}, R {self.r[name]!r}")

    def row(self, prefix: str, row: Estimate, *, glm: bool = False) -> None:
        self(f"{prefix}.est", row.estimate)
        self(f"{prefix}.se", row.se)
        if not glm:
            self(f"{prefix}.lo", row.ci_low)
            self(f"{prefix}.hi", row.ci_high)
            return
        # svyciprop(method="logit") fits a glm; R's delta-method twin "xlogit" gives the same
        # interval without the fit. Both must agree with the engine, except where R's own glm
        # broke down (its estimate then disagrees with R's svymean, seen on a 71-respondent domain).
        self(f"{prefix}.xlo", row.ci_low)
        self(f"{prefix}.xhi", row.ci_high)
        if abs(self.r[f"{prefix}.glm"] - self.r[f"{prefix}.est"]) > 1e-6:
            self.glm_breakdowns.append(prefix)
            return
        self(f"{prefix}.glm", row.estimate)
        self(f"{prefix}.lo", row.ci_low)
        self(f"{prefix}.hi", row.ci_high)

    def done(self) -> None:
        assert self.compared > 0
        assert not self.failures, "\n".join(self.failures)


def test_raking_weights_equal_r(ref: Reference) -> None:
    mine = ref.design.weights[ref.cell_index]
    assert ref.design.converged and ref.design.max_margin_error <= 1e-10
    assert np.max(np.abs(mine - ref.r_weights)) < TOLERANCE
    # The refused age category keeps its sample share; the listed ages share the rest.
    refused = np.mean(ref.sample["age"] == 99)
    achieved = ref.design.achieved("age")
    assert achieved[-1] == pytest.approx(refused, abs=1e-10)
    assert achieved[3] == pytest.approx(MARGINS["age"][3] * (1 - refused), abs=1e-10)


@pytest.mark.parametrize("mode", MODES)
def test_proportions_and_logit_intervals_equal_r(ref: Reference, mode: Mode) -> None:
    check = Checker(ref.r)
    table = ref.table("q1", "grp")
    for row in proportions(ref.design, table, "q1", mode=mode):
        assert row.df == row.base - 1 if row.base is not None else False
        check.row(f"{mode}.q1.{row.option}", row, glm=True)
    for row in proportions(ref.design, table, "q1", group="grp", mode=mode):
        check.row(f"{mode}.q1.grp{row.group_code}.{row.option}", row, glm=True)
    check.done()


def test_subgroups_equal_svyby(ref: Reference) -> None:
    check = Checker(ref.r)
    table = ref.table("q1", "grp")
    rows = proportions(ref.design, table, "q1", group="grp")
    options = sorted({row.option for row in rows}, key=str)
    for row in rows:
        j = options.index(row.option) + 1
        check(f"svyby.q1.grp{row.group_code}.{j}.est", row.estimate)
        check(f"svyby.q1.grp{row.group_code}.{j}.se", row.se)
    check.done()


def test_refused_demographic_is_a_group_like_any_other(ref: Reference) -> None:
    check = Checker(ref.r)
    # The demographic comes from the cell: the counts need no "age" key.
    rows = proportions(ref.design, ref.table("q1"), "q1", group="age")
    assert {row.group_code for row in rows} == {1, 2, 3, 4, 5, 6, 99}
    for row in rows:
        check.row(f"calibrated.q1.age{row.group_code}.{row.option}", row, glm=True)
    check.done()
    # R's svyglm fails (intercept -3e15, interval [0, 0]) for option 1 among the 71 respondents
    # who refused their age; svyciprop(method="xlogit") and the engine agree there.
    assert check.glm_breakdowns == ["calibrated.q1.age99.1"]


@pytest.mark.parametrize("mode", MODES)
def test_means_equal_r(ref: Reference, mode: Mode) -> None:
    check = Checker(ref.r)
    (row,) = means(ref.design, ref.table("x"), "x", mode=mode)
    check.row(f"{mode}.x", row)
    check(f"{mode}.x.df", row.df)
    if mode == "calibrated":
        by_group = means(ref.design, ref.table("x", "grp"), "x", group="grp")
        check.row("calibrated.x.grp1", next(r for r in by_group if r.group_code == 1))
    check.done()


@pytest.mark.parametrize("mode", MODES)
def test_rao_scott_equals_svychisq(ref: Reference, mode: Mode) -> None:
    check = Checker(ref.r)
    result = rao_scott(ref.design, ref.table("grp", "q1"), "grp", "q1", mode=mode)
    prefix = f"{mode}.chisq.grp"
    check(f"{prefix}.F", result.statistic)
    check(f"{prefix}.ndf", result.ndf)
    check(f"{prefix}.ddf", result.ddf, tolerance=1e-6)  # d0 * (n - 1): 1e-8 relative
    check(f"{prefix}.p", result.p_value)
    # Over the groups whose figures are all shown (group 3 left out): R's test on the subset.
    shown = rao_scott(ref.design, ref.table("q1", "grp"), "q1", "grp", mode=mode, columns=[1, 2])
    assert shown.column_codes == (1, 2)
    check(f"{prefix}12.F", shown.statistic)
    check(f"{prefix}12.ndf", shown.ndf)
    check(f"{prefix}12.ddf", shown.ddf, tolerance=1e-6)
    check(f"{prefix}12.p", shown.p_value)
    if mode == "calibrated":
        age = rao_scott(ref.design, ref.table("q1"), "age", "q1")
        check("calibrated.chisq.age.F", age.statistic)
        check("calibrated.chisq.age.ndf", age.ndf)
        check("calibrated.chisq.age.ddf", age.ddf, tolerance=1e-6)
        check("calibrated.chisq.age.p", age.p_value)
    check.done()


APPLICATION = Application(
    id="test_app",
    domain="green",
    acceptance="q1",
    conditional="q2",
    conditions=tuple(Condition(f"c{j}", f"r{j}") for j in range(1, 5)),
)


@pytest.mark.parametrize("mode", MODES)
def test_lift_is_a_paired_difference_equal_to_r(ref: Reference, mode: Mode) -> None:
    check = Checker(ref.r)
    summary = summarize_application(ref.design, APPLICATION, ref.source, mode=mode)
    assert summary.lift is not None
    check.row(f"{mode}.lift", summary.lift.lift)
    check(f"{mode}.lift.df", summary.lift.lift.df)
    check.row(f"{mode}.paired.q2", summary.lift.conditional)
    check.row(f"{mode}.paired.q1", summary.lift.unconditional)
    # The paired interval is narrower than combining two independent intervals would make it.
    independent = np.hypot(summary.lift.conditional.se, summary.lift.unconditional.se)
    assert summary.lift.lift.se < independent
    check.done()


def test_conditions_ranking_and_neighbour_test_equal_r(ref: Reference) -> None:
    check = Checker(ref.r)
    summary = summarize_application(ref.design, APPLICATION, ref.source)
    for share in summary.conditions:
        check.row(f"calibrated.necessary.{share.item}", share.necessary)
    estimates = [c.necessary.estimate for c in summary.conditions]
    assert estimates == sorted(estimates, reverse=True)
    assert [c.item for c in summary.conditions[:2]] == ["r1", "r2"]
    versus = summary.conditions[0].versus_next
    assert versus is not None and versus.significant
    check("calibrated.diff12.est", versus.difference)
    check("calibrated.diff12.se", versus.se)
    check("calibrated.diff12.lo", versus.ci_low)
    check("calibrated.diff12.hi", versus.ci_high)
    check.done()


def test_domain_average_equals_svycontrast_of_svyratio(ref: Reference) -> None:
    check = Checker(ref.r)
    apps = [
        Application(id="a", domain="green", acceptance="q1"),
        Application(id="b", domain="green", acceptance="q2"),
    ]
    summaries = [summarize_application(ref.design, a, ref.source) for a in apps]
    domain = summarize_domain(ref.design, "green", summaries, apps, ref.source)
    check("calibrated.average.est", domain.acceptance.estimate)
    check("calibrated.average.se", domain.acceptance.se)
    check.done()


def test_report_largest_difference_from_r(ref: Reference) -> None:
    assert LARGEST, "run the whole module: the comparisons above fill LARGEST"
    print(
        f"\n{len(COMPARED)} comparisons with R; largest absolute difference {LARGEST['other']:.3g} "
        f"(svyciprop(method='logit') glm estimates and intervals: {LARGEST['glm']:.3g})"
    )
    assert max(LARGEST.values()) <= TOLERANCE
