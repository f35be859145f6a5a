"""The acceptance-conditions summary against direct computations on the individual rows.

The reference here is a row-by-row implementation of R's linearization (numpy, in the helpers);
tests/analysis/test_against_r.py checks the same figures against R itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from analysis.acceptance import (
    Application,
    Coding,
    Condition,
    acceptance_summary,
    summarize_application,
)
from analysis.counts import Grouped
from analysis.weighting import Weights, rake
from tests.analysis.analysis_helpers import (
    MARGINS,
    Sample,
    cells_of,
    generate,
    grouped,
    linearized_se_rows,
    raking_categories,
)


@dataclass
class World:
    sample: Sample
    index: np.ndarray
    design: Weights
    requests: list[tuple[str, ...]]

    @property
    def w(self) -> np.ndarray:
        return self.design.weights[self.index]

    def source(self, items: tuple[str, ...]) -> Grouped:
        self.requests.append(items)
        return grouped(self.index, {item: self.sample[item] for item in items})

    def share_influence(
        self, item: str, codes: tuple[int, ...], base: list[str]
    ) -> tuple[float, np.ndarray]:
        """A share on the rows and its influence values x_i (zero outside the base)."""
        inside = np.ones(self.sample.n, dtype=bool)
        for b in base:
            inside &= self.sample[b] >= 0
        hit = np.isin(self.sample[item], codes).astype(float)
        total = self.w[inside].sum()
        p = float((self.w * hit)[inside].sum() / total)
        return p, np.where(inside, self.w * (hit - p) / total, 0.0)

    def se(self, x: np.ndarray) -> float:
        return linearized_se_rows(self.w, x, raking_categories(self.sample))


@pytest.fixture(scope="module")
def world() -> World:
    sample = generate(n=1500, seed=7)
    cells, index = cells_of(sample)
    return World(sample, index, rake(cells, MARGINS), [])


APP = Application(
    id="crispr_crops",
    domain="green",
    acceptance="q1",
    conditional="q2",
    conditions=(
        Condition("safety", "r1"),
        Condition("transparency", "r2"),
        Condition("ethics", "r3"),
        Condition("public_goal", "r4"),
    ),
)


def test_acceptance_is_the_top_two_share_beside_the_distribution(world: World) -> None:
    summary = summarize_application(world.design, APP, world.source, minimum=None)
    p, x = world.share_influence("q1", (4, 5), ["q1"])
    assert summary.acceptance.estimate == pytest.approx(p, abs=1e-12)
    assert summary.acceptance.se == pytest.approx(world.se(x), abs=1e-12)
    dk, x_dk = world.share_influence("q1", (9,), ["q1"])
    assert summary.dont_know.estimate == pytest.approx(dk, abs=1e-12)
    assert summary.dont_know.se == pytest.approx(world.se(x_dk), abs=1e-12)
    assert [row.option for row in summary.distribution] == [1, 2, 3, 4, 5, 9]
    assert sum(row.estimate for row in summary.distribution) == pytest.approx(1.0)
    by_option = {row.option: row.estimate for row in summary.distribution}
    assert by_option[4] + by_option[5] == pytest.approx(p, abs=1e-12)
    assert by_option[9] == pytest.approx(dk, abs=1e-12)
    assert summary.acceptance.base == int(np.sum(world.sample["q1"] >= 0))


def test_lift_interval_linearizes_the_per_respondent_difference(world: World) -> None:
    summary = summarize_application(world.design, APP, world.source, minimum=None)
    assert summary.lift is not None
    both = ["q1", "q2"]
    p_cond, x_cond = world.share_influence("q2", (4, 5), both)
    p_uncond, x_uncond = world.share_influence("q1", (4, 5), both)
    paired = int(np.sum((world.sample["q1"] >= 0) & (world.sample["q2"] >= 0)))
    lift = summary.lift.lift
    assert lift.estimate == pytest.approx(p_cond - p_uncond, abs=1e-12)
    assert lift.se == pytest.approx(world.se(x_cond - x_uncond), abs=1e-12)
    assert lift.df == paired - 1 and lift.base == paired
    t = stats.t.ppf(0.975, paired - 1)
    assert lift.ci_low == pytest.approx(lift.estimate - t * lift.se, abs=1e-12)
    assert lift.ci_high == pytest.approx(lift.estimate + t * lift.se, abs=1e-12)
    # Two independent intervals would ignore the strong positive correlation of the answers.
    assert lift.se < 0.8 * math.hypot(world.se(x_cond), world.se(x_uncond))
    assert summary.lift.conditional.estimate == pytest.approx(p_cond, abs=1e-12)
    assert summary.lift.unconditional.estimate == pytest.approx(p_uncond, abs=1e-12)
    assert summary.lift.p_value < 1e-6


def test_unweighted_lift_is_the_plain_paired_mean(world: World) -> None:
    summary = summarize_application(
        world.design, APP, world.source, mode="unweighted", minimum=None
    )
    assert summary.lift is not None
    q1, q2 = world.sample["q1"], world.sample["q2"]
    both = (q1 >= 0) & (q2 >= 0)
    d = (np.isin(q2, (4, 5)).astype(float) - np.isin(q1, (4, 5)))[both]
    n, m = world.sample.n, len(d)
    se = math.sqrt(n / (n - 1) * np.sum((d - d.mean()) ** 2) / m**2)
    assert summary.lift.lift.estimate == pytest.approx(d.mean(), abs=1e-12)
    assert summary.lift.lift.se == pytest.approx(se, abs=1e-12)


def test_conditions_are_ranked_with_paired_neighbour_tests(world: World) -> None:
    summary = summarize_application(world.design, APP, world.source, minimum=None)
    ranked = summary.conditions
    assert [c.rank for c in ranked] == [1, 2, 3, 4]
    shares = [c.necessary.estimate for c in ranked]
    assert shares == sorted(shares, reverse=True)
    for c in ranked:
        p, x = world.share_influence(c.item, (3,), [c.item])
        assert c.necessary.estimate == pytest.approx(p, abs=1e-12)
        assert c.necessary.se == pytest.approx(world.se(x), abs=1e-12)
    assert ranked[-1].versus_next is None
    for upper, lower in zip(ranked, ranked[1:], strict=False):
        versus = upper.versus_next
        assert versus is not None
        assert (versus.first, versus.second) == (upper.condition, lower.condition)
        base = [upper.item, lower.item]
        pa, xa = world.share_influence(upper.item, (3,), base)
        pb, xb = world.share_influence(lower.item, (3,), base)
        assert versus.difference == pytest.approx(pa - pb, abs=1e-12)
        assert versus.se == pytest.approx(world.se(xa - xb), abs=1e-12)
        expected_p = 2 * stats.t.sf(abs((pa - pb) / versus.se), versus.df)
        assert versus.p_value == pytest.approx(expected_p, rel=1e-9)
        assert versus.significant == (versus.p_value < 0.05)


def test_domain_figures_average_applications_with_their_covariance(world: World) -> None:
    apps = [
        Application("a", "red", "q1", (Condition("safety", "r1"), Condition("ethics", "r2"))),
        Application("b", "red", "q2", (Condition("safety", "r3"), Condition("ethics", "r4"))),
    ]
    summary = acceptance_summary(world.design, apps, world.source, minimum=None)
    (domain,) = summary.domains
    assert domain.applications == ("a", "b")
    pa, xa = world.share_influence("q1", (4, 5), ["q1"])
    pb, xb = world.share_influence("q2", (4, 5), ["q2"])
    assert domain.acceptance.estimate == pytest.approx((pa + pb) / 2, abs=1e-12)
    assert domain.acceptance.se == pytest.approx(world.se((xa + xb) / 2), abs=1e-12)
    necessary = {}
    for name, rows in (("safety", ("r1", "r3")), ("ethics", ("r2", "r4"))):
        parts = [world.share_influence(r, (3,), [r]) for r in rows]
        necessary[name] = (
            sum(p for p, _ in parts) / 2,
            sum(x for _, x in parts) / 2,
        )
    first, second = domain.conditions
    assert first.necessary.estimate == pytest.approx(necessary[first.condition][0], abs=1e-12)
    assert first.necessary.se == pytest.approx(world.se(necessary[first.condition][1]), abs=1e-12)
    assert second.necessary.estimate == pytest.approx(necessary[second.condition][0], abs=1e-12)
    assert first.versus_next is None  # domain rankings carry no pairwise tests
    assert domain.lift is None  # neither application has a conditional item


def test_table_source_is_asked_for_small_joint_tables_once(world: World) -> None:
    world.requests.clear()
    summarize_application(world.design, APP, world.source)
    assert world.requests, "the summary must fetch counts through the source"
    assert all(list(items) == sorted(items) for items in world.requests)
    assert len(world.requests) == len(set(world.requests))
    assert max(len(items) for items in world.requests) == 2


def test_small_figures_are_suppressed_in_the_summary(world: World) -> None:
    summary = summarize_application(world.design, APP, world.source, minimum=130)
    counts = {row.option: np.sum(world.sample["q1"] == row.option) for row in summary.distribution}
    assert counts[9] < 130  # the don't-know cell is small
    assert summary.dont_know.suppressed and math.isnan(summary.dont_know.estimate)
    hidden = [row.option for row in summary.distribution if row.suppressed]
    assert 9 in hidden and len(hidden) >= 2  # a lone hidden cell would be 1 - the others
    assert all(row.n is None for row in summary.distribution if row.suppressed)
    # Acceptance (4 + 5) stays shown, but then options 4 and 5 are not both shown with one hidden.
    assert not summary.acceptance.suppressed
    assert sum(1 for o in (4, 5) if o in hidden) != 1


def test_a_lift_with_a_hidden_part_publishes_no_number(world: World) -> None:
    """The lift is conditional minus unconditional acceptance on the same respondents: shown
    beside one of them it would give the hidden one back, so it goes with it, p-value, counts
    and degrees of freedom included; so does the domain's average lift."""
    q1, q2 = world.sample["q1"], world.sample["q2"]
    both = (q1 >= 0) & (q2 >= 0)
    parts = {
        "conditional": np.isin(q2[both], (4, 5)),
        "unconditional": np.isin(q1[both], (4, 5)),
    }
    smallest = {name: min(int(hit.sum()), int((~hit).sum())) for name, hit in parts.items()}
    small, large = sorted(smallest, key=smallest.__getitem__)
    assert smallest[small] < smallest[large]  # a minimum between them hides only one part
    minimum = smallest[small] + 1
    apps = [Application("a", "green", "q1", conditional="q2")]
    summary = acceptance_summary(world.design, apps, world.source, minimum=minimum)
    lift = summary.applications[0].lift
    assert lift is not None
    assert getattr(lift, small).suppressed
    # The other part breaks down its question's accepting (4 + 5), whose options are each under
    # this minimum and hidden overall: a published breakdown would narrow them, so it goes too.
    assert getattr(lift, large).suppressed
    row = lift.lift
    assert row.suppressed and row.n is row.base is row.df is None
    assert all(math.isnan(v) for v in (row.estimate, row.se, row.ci_low, row.ci_high))
    assert math.isnan(lift.p_value)
    (domain,) = summary.domains
    assert domain.lift is not None and domain.lift.suppressed and domain.lift.df is None


def test_a_domain_figure_is_hidden_when_an_application_figure_is(world: World) -> None:
    apps = [
        Application("a", "white", "q1", conditional="q2"),
        Application("b", "white", "q2"),
    ]
    summary = acceptance_summary(world.design, apps, world.source, minimum=130)
    (domain,) = summary.domains
    assert summary.applications[0].dont_know.suppressed
    assert domain.dont_know.suppressed
    assert not domain.acceptance.suppressed
    assert domain.lift is not None and not domain.lift.suppressed
    rows = summary.rows()
    assert all(math.isnan(r.estimate) for r in rows if r.suppressed)


def test_domain_lift_averages_the_paired_application_lifts(world: World) -> None:
    apps = [
        Application("a", "green", "q1", conditional="q2"),
        Application("b", "green", "r1", conditional="r2"),
    ]
    coding = Coding(accept=(2, 3, 4, 5))  # r1/r2 use 1..3: "accepting" there means 2 or 3
    summary = acceptance_summary(world.design, apps, world.source, coding=coding, minimum=None)
    (domain,) = summary.domains
    parts = []
    for acc, cond in (("q1", "q2"), ("r1", "r2")):
        pc, xc = world.share_influence(cond, (2, 3, 4, 5), [acc, cond])
        pu, xu = world.share_influence(acc, (2, 3, 4, 5), [acc, cond])
        parts.append((pc - pu, xc - xu))
    assert domain.lift is not None
    assert domain.lift.estimate == pytest.approx((parts[0][0] + parts[1][0]) / 2, abs=1e-12)
    assert domain.lift.se == pytest.approx(world.se((parts[0][1] + parts[1][1]) / 2), abs=1e-12)
    for app, (lift, _) in zip(summary.applications, parts, strict=True):
        assert app.lift is not None and app.lift.lift.estimate == pytest.approx(lift, abs=1e-12)
