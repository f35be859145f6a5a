"""Per-respondent order: reproducible, varied across respondents, fair in split ballots."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pytest

from surveys.layout import Layout, PagePlan, plan_layout, visible_items, visible_pages
from surveys.loader import load_file, load_question_set
from surveys.model import QuestionSet
from tests.surveys.survey_helpers import EXAMPLE, question_set_yaml


def _page(page_id: str, indent: str = "    ") -> str:
    return (
        f"{indent}- id: {page_id}\n"
        f"{indent}  items: [{{code: Q_{page_id}, type: number, text: Vraag {page_id}}}]\n"
    )


PAGES = (
    _page("intro", "")
    + "- block: apps\n  randomize: true\n  pages:\n"
    + "".join(_page(name) for name in "abcd")
    + "- block: split\n  sample: 2\n  pages:\n"
    + "".join(_page(name) for name in "efgh")
    + "- block: both\n  randomize: true\n  sample: 2\n  pages:\n"
    + "".join(_page(name) for name in "ijk")
    + """\
- id: mixed
  randomize_items: true
  items:
    - {code: M1, type: text, text: Een}
    - {code: M2, type: text, text: Twee}
    - {code: M3, type: text, text: Drie}
    - {code: M4, type: text, text: Vier}
    - {code: M5, type: text, text: Vijf}
- id: grid
  items:
    - code: SHUFFLED
      type: battery
      randomize_rows: true
      text: Stellingen
      choices: [{code: 1, label: Eens}, {code: 2, label: Oneens}]
      rows:
        - {code: R1, text: Een}
        - {code: R2, text: Twee}
        - {code: R3, text: Drie}
        - {code: R4, text: Vier}
        - {code: R5, text: Vijf}
    - code: FIXED
      type: battery
      text: Stellingen
      choices: [{code: 1, label: Eens}]
      rows:
        - {code: F1, text: Een}
        - {code: F2, text: Twee}
    - {code: AFTER, type: text, text: Toelichting}
- id: end
  show_if: "Q_intro > 10"
  items:
    - {code: OLD, type: text, text: Oud, show_if: "Q_a > 1"}
    - {code: ALWAYS, type: text, text: Altijd}
"""
)


@pytest.fixture(scope="module")
def qset() -> QuestionSet:
    return load_question_set(question_set_yaml(PAGES))


def _segment(layout: Layout, names: str) -> tuple[str, ...]:
    return tuple(page_id for page_id in layout.page_ids if page_id in names and len(page_id) == 1)


def test_same_seed_gives_the_same_layout(qset: QuestionSet) -> None:
    reloaded = load_question_set(question_set_yaml(PAGES))
    for seed in (0, 1, 42, 2**40):
        first = plan_layout(qset, seed)
        assert plan_layout(qset, seed) == first
        assert plan_layout(reloaded, seed).to_json() == first.to_json()


def test_layout_is_stable_across_releases() -> None:
    """Stored orders must be reproducible later: pin one layout of the example."""
    layout = plan_layout(load_file(EXAMPLE), 1)
    assert layout.page_ids == ("start", "gene_therapy", "views", "more", "about_you")
    assert layout.plan_for("views").item_codes == ("GOALS", "WORRIES", "TRUST_GOV")


def test_global_random_state_is_not_touched(qset: QuestionSet) -> None:
    random.seed(123)
    expected = random.random()
    random.seed(123)
    plan_layout(qset, 7)
    assert random.random() == expected


def test_fixed_pages_keep_their_place(qset: QuestionSet) -> None:
    for seed in range(20):
        ids = plan_layout(qset, seed).page_ids
        assert ids[0] == "intro"
        assert ids[-3:] == ("mixed", "grid", "end")
        assert len(ids) == 1 + 4 + 2 + 2 + 3


def test_randomized_block_shuffles_all_its_pages(qset: QuestionSet) -> None:
    orders = {_segment(plan_layout(qset, seed), "abcd") for seed in range(100)}
    assert all(sorted(order) == list("abcd") for order in orders)
    assert len(orders) > 15  # 24 possible orders


def test_randomized_block_puts_each_page_first_equally_often(qset: QuestionSet) -> None:
    first = Counter(_segment(plan_layout(qset, seed), "abcd")[0] for seed in range(2000))
    assert set(first) == set("abcd")
    assert all(400 < count < 600 for count in first.values()), first


def test_sample_keeps_k_pages_in_file_order_uniformly(qset: QuestionSet) -> None:
    kept: Counter[str] = Counter()
    pairs: Counter[tuple[str, ...]] = Counter()
    for seed in range(2000):
        chosen = _segment(plan_layout(qset, seed), "efgh")
        assert len(chosen) == 2
        assert list(chosen) == sorted(chosen)  # not randomized: file order
        kept.update(chosen)
        pairs[chosen] += 1
    assert all(900 < kept[name] < 1100 for name in "efgh"), kept  # expected 1000 each
    assert set(pairs) == set(combinations("efgh", 2))
    assert all(250 < count < 420 for count in pairs.values()), pairs  # expected 333 each


def test_sample_with_randomize_varies_the_order(qset: QuestionSet) -> None:
    chosen = [_segment(plan_layout(qset, seed), "ijk") for seed in range(300)]
    assert all(len(pages) == 2 and len(set(pages)) == 2 for pages in chosen)
    assert len(set(chosen)) == 6  # every ordered pair of 3 pages occurs
    assert any(list(pages) != sorted(pages) for pages in chosen)


def test_randomize_items_shuffles_only_that_page(qset: QuestionSet) -> None:
    orders = set()
    for seed in range(100):
        layout = plan_layout(qset, seed)
        mixed = layout.plan_for("mixed").item_codes
        assert sorted(mixed) == ["M1", "M2", "M3", "M4", "M5"]
        orders.add(mixed)
        assert layout.plan_for("grid").item_codes == ("SHUFFLED", "FIXED", "AFTER")
    assert len(orders) > 30


def test_randomize_rows_shuffles_only_that_battery(qset: QuestionSet) -> None:
    orders = set()
    for seed in range(100):
        plan = plan_layout(qset, seed).plan_for("grid")
        rows = plan.rows_for("SHUFFLED")
        assert sorted(rows) == ["R1", "R2", "R3", "R4", "R5"]
        orders.add(rows)
        assert plan.rows_for("FIXED") == ("F1", "F2")
        assert plan.rows_for("AFTER") == ()
    assert len(orders) > 30


def test_different_seeds_give_different_layouts(qset: QuestionSet) -> None:
    layouts = {plan_layout(qset, seed).to_json() for seed in range(50)}
    assert len(layouts) == 50


def test_json_round_trip(qset: QuestionSet) -> None:
    layout = plan_layout(qset, 99)
    text = layout.to_json()
    again = Layout.from_json(text)
    assert again == layout
    assert again.seed == 99
    assert again.plan_for("grid").rows_for("SHUFFLED") == layout.plan_for("grid").rows_for(
        "SHUFFLED"
    )
    assert again.to_json() == text


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"pages": [{"items": []}]}', '{"pages": [{"page": 1, "items": []}]}'],
)
def test_from_json_rejects_other_shapes(text: str) -> None:
    with pytest.raises(ValueError, match="not a stored layout|must be"):
        Layout.from_json(text)


def test_plans_are_immutable_and_hashable() -> None:
    plan = PagePlan("p", ("A", "B"), {"B": ("B1", "B2")})
    with pytest.raises(TypeError):
        plan.row_orders["B"] = ()  # type: ignore[index]
    assert hash(plan) == hash(PagePlan("p", ("A", "B"), {"B": ("B1", "B2")}))
    assert plan.rows_for("A") == ()


def test_visible_pages_apply_page_show_if(qset: QuestionSet) -> None:
    layout = plan_layout(qset, 3)
    assert "end" not in [plan.page_id for plan in visible_pages(qset, layout, {})]
    shown = [plan.page_id for plan in visible_pages(qset, layout, {"Q_intro": 11})]
    assert shown == list(layout.page_ids)


def test_visible_items_apply_item_show_if_in_plan_order(qset: QuestionSet) -> None:
    plan = plan_layout(qset, 3).plan_for("end")
    assert [item.code for item in visible_items(qset, plan, {})] == ["ALWAYS"]
    assert [item.code for item in visible_items(qset, plan, {"Q_a": 2})] == ["OLD", "ALWAYS"]
    mixed = plan_layout(qset, 3).plan_for("mixed")
    assert tuple(item.code for item in visible_items(qset, mixed, {})) == mixed.item_codes
