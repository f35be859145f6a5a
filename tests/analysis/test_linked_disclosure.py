"""Linked tables (#12): what an attacker who holds every published table can work out.

Every overall table is suppressed on its own, every table by subgroup with its overall tables
fixed; the audit (`narrow_counts`) bounds every suppressed small count by linear programming
over all of them at once and must find none narrower than [0, minimum].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.disclosure import TableSet, suppress_table, unsafe
from analysis.disclosure_audit import Findings, narrow_counts
from analysis.linked_tables import (
    Layout,
    LinkedSpec,
    Margin,
    add_linked,
    add_margin,
    lift_shown,
    linked_tables,
    margin,
    margins,
    profile_of,
)


@dataclass
class Published:
    """A small wave's tables as published, and what the audit found in them."""

    margins: dict[str, Margin]
    tables: dict[tuple[str, str], object]
    findings: Findings


def profile(layout: Layout, values: np.ndarray) -> np.ndarray:
    """An item's profile (`Layout`) over the given answers: counts per option, the base for a
    number; a multiple choice's answers are bit sets of the options ticked."""
    given = values[values >= 0]
    if layout.kind == "mean":
        return np.array([len(given)])
    if layout.kind == "choices":
        chosen = [int(((given >> j) & 1).sum()) for j in range(len(layout.options))]
        return np.array([*chosen, len(given)])
    return np.bincount(given, minlength=len(layout.options))


def profiles_by(layout: Layout, values: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """Per option of a grouping (codes 0..k-1), the item's profile among who answered both."""
    return np.array([profile(layout, values[(groups == g) & (values >= 0)]) for g in range(k)])


def publish(
    answers: Mapping[str, np.ndarray],
    layouts: Mapping[str, Layout],
    complete: set[str],
    pairs: Sequence[tuple[str, str]],
    minimum: int,
    *,
    broken: bool = False,
) -> Published:
    """Suppress and audit a wave of respondents (`answers`: code -> answer per respondent, -1
    none; a mean's answer is 0 when given). `pairs`: (rows, columns) tables, a pair table when
    both are choices; the rows' code groups. `broken`: primary suppression only."""
    n = len(next(iter(answers.values())))

    found = dict(
        zip(
            layouts,
            margins([(layouts[c], profile(layouts[c], answers[c])) for c in layouts], n, minimum),
            strict=True,
        )
    )
    specs = []
    for rows, columns in pairs:
        pair = layouts[columns].kind == "options"
        specs.append(
            LinkedSpec(
                found[rows],
                found[columns],
                profiles_by(
                    layouts[columns], answers[columns], answers[rows], len(layouts[rows].options)
                ),
                pair=pair,
                rows_equal=rows in complete,
                columns_equal=pair and columns in complete,
            )
        )
    masks = linked_tables(specs, n, minimum)
    everything = TableSet()
    for code, overall_table in found.items():
        hidden = overall_table.hidden
        if broken:
            hidden = unsafe(overall_table.values, minimum) & overall_table.layout.published
        add_margin(
            everything, code, overall_table.layout, profile_of(overall_table), n, hidden=hidden
        )
    for (rows, columns), mask in zip(pairs, masks, strict=True):
        spec = mask.spec
        hidden = unsafe(mask.values, minimum) if broken else mask.hidden
        add_linked(
            everything,
            ("linked", rows, columns),
            (rows, found[rows]),
            (columns, found[columns]),
            spec.profiles,
            pair=spec.pair,
            rows_equal=spec.rows_equal,
            columns_equal=spec.columns_equal,
            hidden=hidden,
        )
    frozen = everything.frozen()
    shown = frozen.published & ~frozen.hidden
    targets = np.flatnonzero(unsafe(frozen.values, minimum) & ~shown)
    findings = narrow_counts(
        frozen.constraints, frozen.values, shown, targets, minimum, baseline=frozen.baseline
    )
    return Published(found, dict(zip(pairs, masks, strict=True)), findings)


def test_an_empty_option_no_longer_hides_a_table() -> None:
    """The issue's case: one option nobody chose hid a whole table with cells of 124 and 39.
    A count of 0 reveals nobody: it is not unsafe and never a complement (tau-ARGUS)."""
    layout = Layout("options", (1, 2, 3))
    overall = margin(layout, np.array([124, 39, 0]), 163, 10)
    assert not overall.hidden.any()
    assert not suppress_table(np.array([[124, 39, 0]])).cells.any()
    groups = np.array([[80, 20, 0], [44, 19, 0]])  # by a grouping everyone answered
    grouping = margin(Layout("options", (1, 2)), groups.sum(axis=1), 163, 10)
    (by,) = linked_tables(
        [LinkedSpec(grouping, overall, groups, pair=True, rows_equal=True, columns_equal=True)],
        163,
        10,
    )
    assert not by.hidden.any()


def test_a_zero_is_never_a_complement() -> None:
    # 5 is small; the other shown counts of its line are 0, 0, 40 and 60: 40 goes with it.
    found = margin(Layout("options", (1, 2, 3, 4, 5)), np.array([5, 0, 0, 40, 60]), 105, 10)
    assert found.hidden[:5].tolist() == [True, False, False, True, False]


def test_overall_minus_the_shown_subgroups_gives_nothing_away() -> None:
    """The issue's attack: the overall table minus the subgroups shown beside a hidden one. A
    table by subgroup suppressed on its own protects each group's line only, so an option
    with one hidden group gives it back; linked to the overall table it does not."""
    rng = np.random.default_rng(3)
    groups = rng.choice(3, size=400, p=[0.45, 0.45, 0.10])
    item = np.where(
        groups == 2, rng.choice(3, size=400, p=[0.8, 0.1, 0.1]), rng.choice(3, size=400)
    )
    counts = np.bincount(groups * 3 + item, minlength=9).reshape(3, 3)
    assert unsafe(counts, 10).sum() >= 1
    overall = counts.sum(axis=0)  # the overall report shows every option (all large)
    alone = suppress_table(counts, row_totals=True, column_totals=False).cells
    revealed = [
        (g, o)
        for o in range(3)
        if alone[:, o].sum() == 1
        for g in np.flatnonzero(alone[:, o])
        if overall[o] - counts[~alone[:, o], o].sum() == counts[g, o]
    ]
    assert any(unsafe(counts[g, o], 10) for g, o in revealed)  # the attack worked

    layouts = {"G": Layout("options", (0, 1, 2)), "X": Layout("options", (0, 1, 2))}
    published = publish({"G": groups, "X": item}, layouts, {"G"}, [("G", "X")], 10)
    assert published.findings.narrow == []
    mask = published.tables[("G", "X")]
    cells = mask.hidden[:3, :3]  # type: ignore[attr-defined]
    for o in range(3):  # no option with a single hidden group: subtraction gives nothing
        assert cells[:, o].sum() != 1


def test_the_audit_finds_what_primary_suppression_alone_leaves() -> None:
    rng = np.random.default_rng(5)
    groups = rng.choice(3, size=300, p=[0.5, 0.45, 0.05])
    item = rng.choice(3, size=300, p=[0.5, 0.3, 0.2])
    layouts = {"G": Layout("options", (0, 1, 2)), "X": Layout("options", (0, 1, 2))}
    sound = publish({"G": groups, "X": item}, layouts, {"G"}, [("G", "X")], 10)
    assert sound.findings.narrow == [] and sound.findings.checked > 0
    broken = publish({"G": groups, "X": item}, layouts, {"G"}, [("G", "X")], 10, broken=True)
    assert broken.findings.narrow
    for found in broken.findings.narrow:
        assert found.low > 0 or found.high < 10
        assert found.low <= found.value <= found.high


def test_a_bound_the_overall_tables_imply_alone_is_allowed() -> None:
    """590 of 600 are in one group and 15 chose an option, so at least 5 of that group chose
    it whatever the table by group hides: the criterion holds that against the overall tables,
    not against the table by group, which adds nothing to it."""
    groups = np.array([0] * 590 + [1] * 10)
    item = np.array([0] * 5 + [1] * 585 + [0] * 10)
    layouts = {"G": Layout("options", (0, 1)), "X": Layout("options", (0, 1))}
    published = publish({"G": groups, "X": item}, layouts, {"G", "X"}, [("G", "X")], 10)
    assert published.findings.narrow == []
    mask = published.tables[("G", "X")]
    assert mask.hidden[0, 0]  # type: ignore[attr-defined]  # the 5


def test_the_lift_shows_each_part_on_its_own_terms() -> None:
    accept = (4, 5)
    layout = Layout("options", (1, 2, 3, 4, 5), (accept,), (False,))
    plain = margin(layout, np.array([40, 30, 50, 60, 20]), 300, 10)
    small = margin(layout, np.array([40, 3, 50, 60, 20]), 300, 10)  # 3 hides 20: 4 + 5 unknown
    assert lift_shown(plain, plain, accept, 70, 60, 190, 10) == (True, True)
    assert lift_shown(plain, plain, accept, 5, 60, 190, 10) == (False, True)
    assert lift_shown(plain, small, accept, 70, 60, 190, 10) == (False, True)
    assert lift_shown(small, plain, accept, 70, 60, 190, 10) == (True, False)


@st.composite
def waves(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], dict[str, Layout], int]:
    """Small waves with small and empty cells: two groupings everyone answered (A, E), two
    choices some skipped (B, whose first two options' sum the summary publishes, and C), a
    number (D) and a multiple choice (M); answers skewed so some options are rare."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(20, 160))
    sizes = {name: draw(st.integers(2, 4)) for name in "ABCE"}
    minimum = draw(st.integers(3, 15))
    rng = np.random.default_rng(seed)
    answers: dict[str, np.ndarray] = {}
    for name, k in sizes.items():
        shares = rng.dirichlet(np.full(k, 0.7))
        answers[name] = rng.choice(k, size=n, p=shares)
        if name in "BC":
            answers[name][rng.random(n) < rng.uniform(0, 0.3)] = -1
    answers["D"] = np.where(rng.random(n) < 0.8, 0, -1)
    ticks = (rng.random((n, 3)) < rng.uniform(0.05, 0.6, size=3)) * np.array([1, 2, 4])
    answers["M"] = np.where(ticks.sum(axis=1) > 0, ticks.sum(axis=1), -1)
    layouts = {name: Layout("options", tuple(range(k))) for name, k in sizes.items()}
    layouts["B"] = Layout("options", tuple(range(sizes["B"])), ((0, 1),), (True,))
    layouts["D"] = Layout("mean")
    layouts["M"] = Layout("choices", (0, 1, 2))
    return answers, layouts, minimum


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(waves())
def test_random_waves_leave_no_suppressed_count_narrow(
    wave: tuple[dict[str, np.ndarray], dict[str, Layout], int],
) -> None:
    answers, layouts, minimum = wave
    pairs = [("A", "B"), ("A", "C"), ("B", "C"), ("A", "E"), ("A", "A")]
    pairs += [("A", "D"), ("B", "D"), ("A", "M"), ("C", "M")]
    published = publish(answers, layouts, {"A", "E"}, pairs, minimum)
    assert published.findings.narrow == [], published.findings.narrow
    # Each table's suppression is its own: alone, it comes out the same as with the others.
    for (rows, columns), mask in published.tables.items():
        alone = publish(answers, layouts, {"A", "E"}, [(rows, columns)], minimum)
        assert np.array_equal(alone.tables[(rows, columns)].hidden, mask.hidden)  # type: ignore[attr-defined]
