"""Raking: the Kalton & Flores-Cervantes example, the missing-demographic rule, every error."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from analysis.counts import Cells
from analysis.weighting import UNKNOWN, WeightingError, Weights, rake
from tests.analysis.analysis_helpers import (
    RAKE_CONTROL,
    ROOT,
    r_available,
    read_values,
    readme_rake_control,
    run_r,
)
from tests.conftest import require

# Kalton & Flores-Cervantes (2003), J. Official Statistics 19(2), as in R survey's tests/kalton.R:
# a (4 categories) x b (3 categories), a varying fastest.
KALTON_SAMPLE = [20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70]
KALTON_POPULATION = [80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125]
# Table B of the paper (and of kalton.Rout.save): raking weight / sample count, population scale.
KALTON_TABLE_B = [
    [1.81, 1.45, 2.02],
    [1.08, 0.87, 1.21],
    [2.20, 1.76, 2.45],
    [1.83, 1.47, 2.04],
]


def kalton() -> tuple[Cells, dict[str, dict[int, float]]]:
    a = np.tile(np.arange(1, 5), 3)
    b = np.repeat(np.arange(1, 4), 4)
    cells = Cells(("a", "b"), np.column_stack([a, b]), np.array(KALTON_SAMPLE))
    population = np.array(KALTON_POPULATION, dtype=float)
    total = population.sum()
    margins = {
        "a": {k: population[a == k].sum() / total for k in range(1, 5)},
        "b": {k: population[b == k].sum() / total for k in range(1, 4)},
    }
    return cells, margins


def test_kalton_table_b() -> None:
    cells, margins = kalton()
    weights = rake(cells, margins)
    assert weights.converged and weights.max_margin_error <= 1e-10
    # Our weights sum to the sample size (1,000); the paper's to the population (1,500).
    scaled = weights.weights * sum(KALTON_POPULATION) / sum(KALTON_SAMPLE)
    table = np.round(scaled.reshape(3, 4).T, 2)
    assert table.tolist() == KALTON_TABLE_B


KALTON_R = """
suppressMessages(library(survey))
ab <- expand.grid(a = factor(1:4), b = factor(1:3))
kaltonsample <- ab[rep(1:12, c(20,50,100,30,40,140,50,100,40,310,50,70)), ]
kaltonpop <- ab[rep(1:12, c(80,60,170,55,40,150,60,165,55,340,200,125)), ]
dkalton <- suppressWarnings(svydesign(id = ~1, data = kaltonsample))
drake <- rake(dkalton, list(~a, ~b), list(xtabs(~a, kaltonpop), xtabs(~b, kaltonpop)),
              {control})
w <- weights(drake)[!duplicated(kaltonsample)]
cell <- as.integer(kaltonsample$a[!duplicated(kaltonsample)]) +
  4 * (as.integer(kaltonsample$b[!duplicated(kaltonsample)]) - 1)
write.csv(data.frame(name = paste0("w", cell), value = sprintf("%.17g", w)), "values.csv",
          row.names = FALSE)
"""


def kalton_r_weights(control: str, workdir: Path) -> np.ndarray:
    """R's raking weights of the Kalton example's cells under a rake() `control`, on our
    scale (they sum to the sample size)."""
    require(r_available(), "Rscript with the R package 'survey' is not installed")
    run_r(KALTON_R.replace("{control}", control), workdir)
    r = read_values(workdir / "values.csv")
    scale = sum(KALTON_POPULATION) / sum(KALTON_SAMPLE)
    return np.array([r[f"w{c + 1}"] for c in range(12)]) / scale


def test_kalton_weights_equal_r_under_the_readmes_control(tmp_path: Path) -> None:
    cells, margins = kalton()
    weights = rake(cells, margins)
    r = kalton_r_weights(readme_rake_control(), tmp_path)
    assert np.abs(weights.weights - r).max() <= 1e-8


def test_r_defaults_stop_raking_too_soon_to_reproduce_ours(tmp_path: Path) -> None:
    """The control matters: under R's default (maxit = 10, epsilon = 1) the weights differ
    from ours far beyond 1e-8, as the README says."""
    cells, margins = kalton()
    r = kalton_r_weights("control = list(maxit = 10, epsilon = 1)", tmp_path)
    assert np.abs(rake(cells, margins).weights / r - 1).max() > 1e-4


R_SCRIPTS = (
    ROOT / "tests" / "analysis" / "reference.R",
    ROOT / "tests" / "consult" / "another_consultation.R",
)


def test_every_r_comparison_rakes_under_the_control_the_readmes_name() -> None:
    """README.md's R recipe, analysis/README.md and every R script of the tests name one
    rake() control, and every rake() call in those scripts passes exactly it."""
    control = readme_rake_control()
    analysis_readme = (ROOT / "analysis" / "README.md").read_text(encoding="utf-8")
    assert set(RAKE_CONTROL.findall(analysis_readme)) == {control}
    for script in R_SCRIPTS:
        text = script.read_text(encoding="utf-8")
        calls = re.findall(r"\brake\(", text)
        assert calls, f"{script.name} does not rake"
        assert RAKE_CONTROL.findall(text) == [control] * len(calls), script.name
    assert KALTON_R.count("rake(") == 1 and "{control}" in KALTON_R


def test_diagnostics_are_kish() -> None:
    cells, margins = kalton()
    weights = rake(cells, margins)
    per_respondent = np.repeat(weights.weights, cells.counts)
    assert per_respondent.sum() == pytest.approx(1000)
    assert weights.effective_n == pytest.approx(
        per_respondent.sum() ** 2 / (per_respondent**2).sum(), rel=1e-12
    )
    assert weights.design_effect == pytest.approx(1000 / weights.effective_n)
    assert 1 < weights.design_effect < 2
    for variable in ("a", "b"):
        for code, share in weights.achieved(variable).items():
            assert share == pytest.approx(margins[variable][code], abs=1e-10)


def small_cells(codes_age: list[int], counts: list[int]) -> Cells:
    sex = [1 + i % 2 for i in range(len(codes_age))]
    return Cells(("age", "sex"), np.column_stack([codes_age, sex]), np.array(counts))


def test_refused_and_missing_form_one_category_with_their_sample_share() -> None:
    cells = small_cells([1, 1, 2, 2, 99, -1], [30, 20, 25, 15, 6, 4])
    weights = rake(cells, {"age": {1: 0.4, 2: 0.6}, "sex": {1: 0.5, 2: 0.5}})
    unknown_share = 10 / 100
    achieved = weights.achieved("age")
    assert achieved[UNKNOWN] == pytest.approx(unknown_share, abs=1e-10)
    assert achieved[1] == pytest.approx(0.4 * (1 - unknown_share), abs=1e-10)
    assert achieved[2] == pytest.approx(0.6 * (1 - unknown_share), abs=1e-10)
    # 99 and -1 are one category: they share one raking factor (same sex -> same weight).
    w = weights.weights
    assert w[4] / w[0] == pytest.approx(w[5] / w[1], rel=1e-12)
    margin = weights.margins[0]
    assert margin.codes == (1, 2, UNKNOWN)
    assert margin.cell_category[4] == margin.cell_category[5] == 2


def test_a_refused_code_listed_in_the_margins_is_an_ordinary_category() -> None:
    cells = small_cells([1, 2, 99, 99], [40, 40, 10, 10])
    weights = rake(cells, {"age": {1: 0.45, 2: 0.45, 99: 0.10}, "sex": {1: 0.5, 2: 0.5}})
    assert weights.margins[0].codes == (1, 2, 99)
    assert weights.achieved("age")[99] == pytest.approx(0.10, abs=1e-10)


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ({"age": {1: 0.5, 2: 0.6}, "sex": {1: 0.5, 2: 0.5}}, "add up to 1.10000000, not 1"),
        ({"age": {1: 40, 2: 60}, "sex": {1: 0.5, 2: 0.5}}, "shares, not percentages"),
        (
            {"age": {1: 0.5, 2: 0.3, 3: 0.2}, "sex": {1: 0.5, 2: 0.5}},
            "no respondents in 'age' categories [3]",
        ),
        ({"age": {1: 1.0}, "sex": {1: 0.5, 2: 0.5}}, "categories [2] (respondents: {2: 40})"),
        ({"age": {1: 1.0, 2: 0.0}, "sex": {1: 0.5, 2: 0.5}}, "population share of 0"),
        ({"age": {1: 1.2, 2: -0.2}, "sex": {1: 0.5, 2: 0.5}}, "must be numbers >= 0"),
        ({"age": {1: 0.5, 2: 0.5}}, "no population margins for ['sex']"),
        (
            {"age": {1: 0.5, 2: 0.5}, "sex": {1: 0.5, 2: 0.5}, "edu": {1: 1.0}},
            "not weighting variables",
        ),
        ({"age": {1: 0.5, 2: 0.5, -1: 0.0}, "sex": {1: 0.5, 2: 0.5}}, "negative codes"),
    ],
)
def test_margin_errors_say_what_to_fix(margins: dict[str, dict[int, float]], message: str) -> None:
    cells = small_cells([1, 1, 2, 2], [30, 30, 20, 20])
    with pytest.raises(WeightingError) as error:
        rake(cells, margins)
    assert message in str(error.value)


def test_shares_within_a_millionth_of_one_are_accepted() -> None:
    cells = small_cells([1, 1, 2, 2], [30, 30, 20, 20])
    weights = rake(cells, {"age": {1: 0.4, 2: 0.6 + 5e-7}, "sex": {1: 0.5, 2: 0.5}})
    assert weights.achieved("age")[1] == pytest.approx(0.4 / (1 + 5e-7), abs=1e-10)


def test_everyone_refusing_a_variable_is_an_error() -> None:
    cells = small_cells([99, 99], [10, 10])
    with pytest.raises(WeightingError, match="every respondent refused or skipped 'age'"):
        rake(cells, {"age": {1: 0.5, 2: 0.5}, "sex": {1: 0.5, 2: 0.5}})


def test_margins_that_cannot_be_met_together_do_not_converge() -> None:
    # Age 1 are all men and age 2 all women: age 40/60 and sex 50/50 contradict each other.
    cells = Cells(("age", "sex"), np.array([[1, 1], [2, 2]]), np.array([50, 50]))
    margins = {"age": {1: 0.4, 2: 0.6}, "sex": {1: 0.5, 2: 0.5}}
    with pytest.raises(WeightingError, match="did not converge in 1000 sweeps"):
        rake(cells, margins)
    loose = rake(cells, margins, strict=False)
    assert not loose.converged and loose.max_margin_error > 0.05


def test_trimming_bounds_weights_and_still_meets_the_margins() -> None:
    cells, margins = kalton()
    untrimmed = rake(cells, margins)
    low, high = untrimmed.weight_range
    assert high > 1.6 and low < 0.6
    trimmed = rake(cells, margins, trim=(0.6, 1.5))
    assert trimmed.converged and trimmed.max_margin_error <= 1e-10
    t_low, t_high = trimmed.weight_range
    assert t_high <= 1.5 * (1 + 1e-9) and t_low >= 0.6 * (1 - 1e-9)
    for variable in ("a", "b"):
        for code, share in trimmed.achieved(variable).items():
            assert share == pytest.approx(margins[variable][code], abs=1e-10)


def test_trimming_bounds_too_tight_for_the_margins_fail_clearly() -> None:
    cells, margins = kalton()
    with pytest.raises(WeightingError, match="trimming bounds may be too tight"):
        rake(cells, margins, trim=(0.99, 1.01), max_iterations=200)
    with pytest.raises(WeightingError, match="0 <= lower <= 1 <= upper"):
        rake(cells, margins, trim=(0.5, 0.9))


def test_equal_weights_are_an_unweighted_design() -> None:
    cells, _ = kalton()
    weights = Weights.equal(cells)
    assert weights.design_effect == pytest.approx(1.0)
    assert weights.effective_n == pytest.approx(1000)
