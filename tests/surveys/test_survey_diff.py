"""Comparing question-set versions: every kind of change, comparability and reading order."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from surveys.diff import KINDS, Change, QuestionSetDiff, diff_question_sets
from surveys.loader import load_file, load_question_set
from surveys.model import QuestionSet
from tests.surveys.survey_helpers import EXAMPLE, HEAD, question_set_yaml

SHIPPED = Path(__file__).parents[2] / "surveys" / "definitions" / "biotech-2026.yaml"

HEAD_NL_EN = """\
consultation:
  slug: test
  title: {nl: Test, en: Test}
wave: test-2026
languages: [nl, en]
"""

START = """\
- id: start
  items:
    - code: Q1
      type: single
      text: Vraag een
      choices:
        - {code: 1, label: Ja}
        - {code: 2, label: Nee}
"""


def load(pages: str, head: str | None = None) -> QuestionSet:
    """A question set from a `pages:` list (dedented) under the standard or a given head."""
    if head is None:
        return load_question_set(question_set_yaml(pages))
    return load_question_set(question_set_yaml(pages, head))


def diff(
    old_pages: str, new_pages: str, head: str | None = None, new_head: str | None = None
) -> QuestionSetDiff:
    return diff_question_sets(load(old_pages, head), load(new_pages, new_head or head))


def only(result: QuestionSetDiff) -> Change:
    """The single change of a diff (fails with the whole list otherwise)."""
    assert len(result.changes) == 1, result.changes
    return result.changes[0]


def summary(result: QuestionSetDiff) -> list[tuple[str, str, bool]]:
    return [(change.kind, change.code, change.comparable) for change in result.changes]


# --------------------------------------------------------------------------- no change


def test_identical_sets_are_unchanged() -> None:
    result = diff(START, START)
    assert result.unchanged
    assert result.changes == ()
    assert result.by_kind() == {}
    assert result.incomparable_codes == ()


def test_shipped_set_compared_with_itself_is_empty() -> None:
    first, second = load_file(SHIPPED), load_file(SHIPPED)
    assert diff_question_sets(first, second).unchanged
    assert diff_question_sets(first, first).changes == ()


def test_rewording_one_dutch_text_in_the_shipped_set_is_one_change() -> None:
    source = SHIPPED.read_text(encoding="utf-8")
    old_text = "Hoeveel weet u over biotechnologie?"
    assert source.count(old_text) == 1
    new = load_question_set(source.replace(old_text, "Hoeveel weet u van biotechnologie?"))
    change = only(diff_question_sets(load_file(SHIPPED), new))
    assert change == Change(
        "reworded",
        "KNOW_BIO",
        "text (nl) changed from 'Hoeveel weet u over biotechnologie?' "
        "to 'Hoeveel weet u van biotechnologie?'",
        True,
    )


def test_layout_only_differences_are_not_changes() -> None:
    old = START + dedent("""\
    - id: p2
      show_if: "Q1 == 1"
      items:
        - {code: Q2, type: text, text: Waarom, show_if: "Q1 in (1, 2)"}
    """)
    new = (
        old.replace('"Q1 == 1"', '"Q1==1"')
        .replace('"Q1 in (1, 2)"', '"Q1 in (1,2)"')
        .replace("{code: 1, label: Ja}", "{label: Ja, code: 1}")
        .replace("text: Vraag een", "text: {nl: Vraag een}")
    )
    assert new != old
    assert diff(old, new).unchanged


# --------------------------------------------------------------------------- items


def test_added_and_removed_items_include_battery_rows() -> None:
    battery = """\
    - id: more
      items:
        - code: B
          type: battery
          text: Stellingen
          choices: [{code: 1, label: Eens}, {code: 2, label: Oneens}]
          rows:
            - {code: B_1, text: Stelling een}
            - {code: B_2, text: Stelling twee}
    """
    with_battery = START + dedent(battery)
    added = diff(START, with_battery)
    assert summary(added) == [
        ("page_added", "more", True),
        ("added", "B", True),
        ("added", "B_1", True),
        ("added", "B_2", True),
    ]
    assert added.changes[1].detail == "battery item added on page more: 'Stellingen'"
    assert added.changes[2].detail == "row of battery B added: 'Stelling een'"
    removed = diff(with_battery, START)
    assert summary(removed) == [
        ("page_removed", "more", True),
        ("removed", "B", True),
        ("removed", "B_1", True),
        ("removed", "B_2", True),
    ]
    assert removed.changes[1].detail == "battery item removed from page more (was 'Stellingen')"
    assert removed.incomparable_codes == ()


def test_reworded_text_and_help_per_language() -> None:
    old = """\
    - id: p
      items:
        - code: Q1
          type: text
          text: {nl: Uw naam, en: Your name}
    """
    new = """\
    - id: p
      items:
        - code: Q1
          type: text
          text: {nl: Uw naam, en: What is your name}
          help: {nl: Mag ook een bijnaam zijn, en: A nickname is fine}
    """
    result = diff(old, new, HEAD_NL_EN)
    assert [change.detail for change in result.changes] == [
        "text (en) changed from 'Your name' to 'What is your name'",
        "help (nl) added: 'Mag ook een bijnaam zijn'",
        "help (en) added: 'A nickname is fine'",
    ]
    assert {change.kind for change in result.changes} == {"reworded"}
    assert all(change.comparable for change in result.changes)
    back = diff(new, old, HEAD_NL_EN)
    assert back.changes[1].detail == "help (nl) removed (was 'Mag ook een bijnaam zijn')"


def test_long_texts_show_only_the_changed_part() -> None:
    words = "een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien " * 2
    old = START.replace("Vraag een", f"{words}oud einde van de vraag {words}".strip())
    new = START.replace("Vraag een", f"{words}nieuw einde van de vraag {words}".strip())
    detail = only(diff(old, new)).detail
    assert detail.startswith("text (nl) changed from '…")
    assert "oud einde" in detail and "nieuw einde" in detail
    assert len(detail) < 200


def test_a_change_in_line_breaks_only_says_so() -> None:
    old = START.replace("text: Vraag een", "text: {nl: Vraag een}")
    new = START.replace("text: Vraag een", 'text: {nl: "Vraag\\neen"}')
    assert only(diff(old, new)).detail == "text (nl) changed in spaces or line breaks only"


def test_type_changed_is_incomparable() -> None:
    change = only(diff(START, START.replace("type: single", "type: likert")))
    assert change == Change("type_changed", "Q1", "type changed from single to likert", False)


def test_item_moved_to_another_page() -> None:
    old = START + dedent("""\
    - id: second
      items:
        - {code: Q2, type: text, text: Tweede}
    """)
    new = dedent("""\
    - id: start
      items:
        - {code: Q2, type: text, text: Tweede}
    - id: second
      items:
        - code: Q1
          type: single
          text: Vraag een
          choices: [{code: 1, label: Ja}, {code: 2, label: Nee}]
    """)
    result = diff(old, new)
    assert summary(result) == [("moved", "Q2", True), ("moved", "Q1", True)]
    assert result.changes[0].detail == "moved from page second to page start"


# --------------------------------------------------------------------------- options


OPTIONS = """\
- id: p
  items:
    - code: Q1
      type: multiple
      text: Welke?
      choices:
        - {code: 1, label: {nl: Rood, en: Red}}
        - {code: 2, label: {nl: Groen, en: Green}}
        - {code: 3, label: {nl: Blauw, en: Blue}}
        - {code: 9, label: {nl: Geen, en: None}}
"""


def options_diff(*replacements: tuple[str, str]) -> QuestionSetDiff:
    new = OPTIONS
    for old_text, new_text in replacements:
        assert old_text in new
        new = new.replace(old_text, new_text)
    return diff(OPTIONS, new, HEAD_NL_EN)


def test_added_option_code_is_comparable() -> None:
    change = only(
        options_diff(
            ("- {code: 9", "- {code: 4, label: {nl: Geel, en: Yellow}}\n        - {code: 9")
        ),
    )
    assert change == Change("options_changed", "Q1", "option 4 added: 'Geel'", True)


def test_relabelled_option_is_incomparable_in_any_language() -> None:
    change = only(options_diff(("en: Green", "en: Greenish")))
    assert change == Change(
        "options_changed", "Q1", "option 2 label (en) changed from 'Green' to 'Greenish'", False
    )
    assert options_diff(("en: Green", "en: Greenish")).incomparable_codes == ("Q1",)


def test_removed_option_code_is_incomparable() -> None:
    change = only(options_diff(("        - {code: 3, label: {nl: Blauw, en: Blue}}\n", "")))
    assert change == Change("options_changed", "Q1", "option 3 removed (was 'Blauw')", False)


def test_missing_flag_is_incomparable_and_exclusive_flag_is_not() -> None:
    missing = only(options_diff(("en: None}}", "en: None}, missing: dont_know}")))
    assert missing.detail == "option 9 changed from an ordinary answer to a 'don't know' answer"
    assert missing.comparable is False
    exclusive = only(options_diff(("en: None}}", "en: None}, exclusive: true}")))
    assert exclusive.detail == "option 9 is now exclusive (cannot be combined with other options)"
    assert exclusive.comparable is True


def test_a_choice_name_change_is_comparable() -> None:
    named = only(options_diff(("en: None}}", "en: None}, name: none}")))
    assert named == Change("options_changed", "Q1", "option 9 named none", True)
    renamed = diff(
        OPTIONS.replace("en: None}}", "en: None}, name: none}"),
        OPTIONS.replace("en: None}}", "en: None}, name: nothing}"),
        HEAD_NL_EN,
    )
    assert only(renamed).detail == "option 9 named nothing (was none)"
    dropped = diff(OPTIONS.replace("en: None}}", "en: None}, name: none}"), OPTIONS, HEAD_NL_EN)
    assert only(dropped).detail == "option 9 no longer named none"


def test_reordered_options_are_comparable() -> None:
    change = only(
        options_diff(
            ("        - {code: 1, label: {nl: Rood, en: Red}}\n", ""),
            ("- {code: 9", "- {code: 1, label: {nl: Rood, en: Red}}\n        - {code: 9"),
        )
    )
    assert change == Change(
        "options_changed", "Q1", "options reordered: now 2, 3, 1, 9 (was 1, 2, 3, 9)", True
    )


# --------------------------------------------------------------------------- batteries


VOCABULARY_HEAD = (
    HEAD
    + """\
choice_lists:
  importance: [{code: 1, label: Belangrijk}, {code: 2, label: Onbelangrijk}]
  acceptance: [{code: 1, label: Ja}, {code: 2, label: Nee}]
vocabulary:
  domains: [{code: green, label: Groen}, {code: red, label: Rood}]
  conditions:
    - {code: safety, label: Veiligheid}
    - {code: transparency, label: Transparantie}
    - {code: ethics, label: Ethiek}
  applications:
    - {code: crispr_crops, domain: green, label: CRISPR-gewassen}
    - {code: gene_drive, domain: red, label: Gene drive}
  scales:
    importance: {necessary: [1]}
    acceptance: {accepting: [1]}
"""
)
"""A head declaring the vocabulary the battery below uses (its choices read as a scale)."""

BATTERY = """\
- id: p
  items:
    - code: B
      type: battery
      text: Hoe belangrijk?
      role: condition
      application: crispr_crops
      choices: importance
      rows:
        - {code: B_SAFE, condition: safety, text: Veilig}
        - {code: B_LABEL, condition: transparency, text: Etiket}
    - {code: ACC_CRISPR, type: single, text: Aanvaardbaar, choices: acceptance, role: acceptance,
       application: crispr_crops}
    - {code: ACC_DRIVE, type: single, text: Aanvaardbaar, choices: acceptance, role: acceptance,
       application: gene_drive}
"""


def test_rows_added_removed_and_reworded_in_a_battery() -> None:
    new = BATTERY.replace(
        "        - {code: B_LABEL, condition: transparency, text: Etiket}\n",
        "        - {code: B_ETHICS, condition: ethics, text: Ethiek}\n",
    ).replace("text: Veilig}", "text: Aantoonbaar veilig}")
    result = diff(BATTERY, new, VOCABULARY_HEAD)
    assert summary(result) == [
        ("rows_changed", "B_SAFE", True),
        ("rows_changed", "B_LABEL", True),
        ("rows_changed", "B_ETHICS", True),
    ]
    assert [change.detail for change in result.changes] == [
        "row text (nl) changed from 'Veilig' to 'Aantoonbaar veilig'",
        "row removed from battery B (was 'Etiket')",
        "row added to battery B: 'Ethiek'",
    ]


def test_rows_reordered_and_row_condition_changed() -> None:
    reordered = BATTERY.replace(
        "        - {code: B_SAFE, condition: safety, text: Veilig}\n", ""
    ).replace(
        "text: Etiket}\n",
        "text: Etiket}\n        - {code: B_SAFE, condition: safety, text: Veilig}\n",
    )
    assert only(diff(BATTERY, reordered, VOCABULARY_HEAD)) == Change(
        "rows_changed", "B", "rows reordered: now B_LABEL, B_SAFE (was B_SAFE, B_LABEL)", True
    )
    recoded = diff(
        BATTERY, BATTERY.replace("condition: safety", "condition: ethics"), VOCABULARY_HEAD
    )
    assert only(recoded) == Change(
        "role_changed", "B_SAFE", "condition changed from safety to ethics", False
    )
    assert recoded.incomparable_codes == ("B_SAFE",)


TWO_BATTERIES = """\
- id: p
  items:
    - code: B
      type: battery
      text: Stellingen
      choices: [{code: 1, label: Eens}, {code: 2, label: Oneens}]
      rows: [{code: B_1, text: Een}, {code: B_2, text: Twee}]
    - code: C
      type: battery
      text: Meer stellingen
      choices: [{code: 1, label: Eens}, {code: 2, label: Oneens}]
      rows: [{code: C_1, text: Drie}]
"""


def test_row_moved_to_another_battery() -> None:
    moved = TWO_BATTERIES.replace(", {code: B_2, text: Twee}]", "]").replace(
        "{code: C_1, text: Drie}]", "{code: C_1, text: Drie}, {code: B_2, text: Twee}]"
    )
    assert only(diff(TWO_BATTERIES, moved)) == Change(
        "moved", "B_2", "row moved from battery B to battery C", True
    )
    other_scale = moved.replace(
        "label: Oneens}]\n      rows: [{code: C_1", "label: Nee}]\n      rows: [{code: C_1"
    )
    assert other_scale != moved
    result = diff(TWO_BATTERIES, other_scale)
    assert ("moved", "B_2", False) in summary(result)
    assert result.by_kind()["moved"][0].detail == (
        "row moved from battery B to battery C, which has other options"
    )


def test_item_turned_into_a_battery_row_is_a_type_change() -> None:
    old = """\
    - id: p
      items:
        - code: Q1
          type: likert
          text: Veilig
          choices: [{code: 1, label: Ja}, {code: 2, label: Nee}]
        - code: B
          type: battery
          text: Stellingen
          choices: [{code: 1, label: Ja}, {code: 2, label: Nee}]
          rows: [{code: B_1, text: Een}]
    """
    new = """\
    - id: p
      items:
        - code: B
          type: battery
          text: Stellingen
          choices: [{code: 1, label: Ja}, {code: 2, label: Nee}]
          rows: [{code: B_1, text: Een}, {code: Q1, text: Veilig}]
    """
    result = diff(old, new)
    assert summary(result) == [("type_changed", "Q1", False)]
    assert result.changes[0].detail == "was a likert item and is now a row of battery B"
    assert summary(diff(new, old)) == [("type_changed", "Q1", False)]


# --------------------------------------------------------------------------- settings, roles


def test_constraints_are_settings_changes() -> None:
    old = """\
    - id: p1
      items:
        - {code: AGE, type: number, text: Leeftijd, min: 16, max: 120}
    - id: p2
      items:
        - {code: NAME, type: text, text: Naam}
        - {code: TRUST, type: slider, text: Vertrouwen}
        - code: PICK
          type: multiple
          text: Kies
          max: 2
          choices: [{code: 1, label: A}, {code: 2, label: B}, {code: 3, label: C}]
    """
    new = """\
    - id: p1
      items:
        - {code: AGE, type: number, text: Leeftijd, min: 18, max: 120, required: true}
    - id: p2
      items:
        - {code: NAME, type: text, text: Naam, max_length: 50, show_if: "AGE >= 18"}
        - {code: TRUST, type: slider, text: Vertrouwen, max: 5}
        - code: PICK
          type: multiple
          text: Kies
          max: 3
          choices: [{code: 1, label: A}, {code: 2, label: B}, {code: 3, label: C}]
    """
    result = diff(old, new)
    assert [(c.code, c.detail, c.comparable) for c in result.changes] == [
        ("AGE", "answer now required (was optional)", True),
        ("AGE", "min changed from 16 to 18", True),
        ("NAME", "show_if added: now shown only when 'AGE >= 18'", True),
        ("NAME", "max_length changed from 200 to 50", True),
        ("TRUST", "max of the scale changed from 10 to 5", False),
        ("PICK", "max (number of options that may be ticked) changed from 2 to 3", False),
    ]
    assert {change.kind for change in result.changes} == {"settings_changed"}
    assert result.incomparable_codes == ("TRUST", "PICK")


def test_show_if_changed_and_removed() -> None:
    old = START + dedent("""\
    - id: p2
      items:
        - {code: Q2, type: text, text: Waarom, show_if: "Q1 == 1"}
    """)
    changed = only(diff(old, old.replace("Q1 == 1", "Q1 == 2")))
    assert changed.detail == "show_if changed from 'Q1 == 1' to 'Q1 == 2'"
    assert changed.kind == "settings_changed" and changed.code == "Q2"
    removed = only(diff(old, old.replace(', show_if: "Q1 == 1"', "")))
    assert removed.detail == "show_if removed: now always shown (was only when 'Q1 == 1')"


def test_analysis_role_changes_are_incomparable() -> None:
    moved = BATTERY.replace(
        "role: condition\n      application: crispr_crops",
        "role: condition\n      application: gene_drive",
    )
    result = diff(BATTERY, moved, VOCABULARY_HEAD)
    assert [(c.kind, c.detail, c.comparable) for c in result.changes] == [
        ("role_changed", "application changed from crispr_crops to gene_drive", False),
        ("role_changed", "domain changed from green to red", False),
    ]
    assert result.incomparable_codes == ("B",)


def test_a_changed_scale_in_the_vocabulary_is_a_role_change() -> None:
    """Counting another option as necessary changes what the figures mean, though no item
    changed."""
    result = diff(
        BATTERY,
        BATTERY,
        VOCABULARY_HEAD,
        VOCABULARY_HEAD.replace("importance: {necessary: [1]}", "importance: {necessary: [1, 2]}"),
    )
    assert [(c.kind, c.code, c.detail, c.comparable) for c in result.changes] == [
        ("role_changed", "B", "necessary changed from 1 to 1, 2", False)
    ]


def test_demographic_role_added() -> None:
    old = START
    new = START.replace("type: single", "type: single\n      role: demographic")
    result = diff(old, new)
    assert [change.detail for change in result.by_kind()["role_changed"]] == [
        "role changed from none to demographic",
    ]


# --------------------------------------------------------------------------- pages, blocks


PAGES = """\
- id: a
  title: {nl: Eerste, en: First}
  items:
    - {code: QA, type: text, text: A}
- id: b
  title: {nl: Tweede, en: Second}
  items:
    - {code: QB, type: text, text: B}
    - {code: QB2, type: text, text: B2}
    - {code: QB3, type: text, text: B3}
- id: c
  items:
    - {code: QC, type: text, text: C}
"""


def test_pages_added_removed_and_changed() -> None:
    new = (
        PAGES.replace("en: Second}", "en: Second page}\n  intro: Lees dit")
        .replace("- id: c\n  items:\n    - {code: QC, type: text, text: C}\n", "")
        .replace("- id: a\n", "- id: z\n  items:\n    - {code: QZ, type: text, text: Z}\n- id: a\n")
        .replace("- id: b\n", '- id: b\n  show_if: "answered(QA)"\n  randomize_items: true\n')
    )
    result = diff(PAGES, new, HEAD_NL_EN)
    assert [(c.kind, c.code, c.detail) for c in result.changes] == [
        ("page_added", "z", "page z added: (no title)"),
        ("added", "QZ", "text item added on page z: 'Z'"),
        ("page_changed", "b", "title (en) changed from 'Second' to 'Second page'"),
        ("page_changed", "b", "intro (nl) added: 'Lees dit'"),
        ("page_changed", "b", "intro (en) added: 'Lees dit'"),
        ("page_changed", "b", "show_if added: now shown only when 'answered(QA)'"),
        ("page_changed", "b", "items now shuffled per respondent"),
        ("page_removed", "c", "page c removed (was (no title))"),
        ("removed", "QC", "text item removed from page c (was 'C')"),
    ]
    assert all(change.comparable for change in result.changes)


def test_page_and_item_order() -> None:
    reordered = dedent("""\
    - id: c
      items:
        - {code: QC, type: text, text: C}
    - id: a
      title: {nl: Eerste, en: First}
      items:
        - {code: QA, type: text, text: A}
    - id: b
      title: {nl: Tweede, en: Second}
      items:
        - {code: QB3, type: text, text: B3}
        - {code: QB, type: text, text: B}
        - {code: QB2, type: text, text: B2}
    """)
    result = diff(PAGES, reordered, HEAD_NL_EN)
    assert [(c.kind, c.code, c.detail, c.comparable) for c in result.changes] == [
        ("page_changed", "c", "page c now comes first (it came after page b)", True),
        ("page_changed", "b", "item QB3 now comes first (it came after item QB2)", True),
    ]


BLOCK = """\
- id: intro
  items:
    - {code: Q0, type: text, text: Start}
- block: apps
  randomize: true
  sample: 1
  pages:
    - id: app1
      items:
        - {code: Q1, type: text, text: Een}
    - id: app2
      items:
        - {code: Q2, type: text, text: Twee}
"""


def test_block_randomize_and_sample_changed() -> None:
    result = diff(
        BLOCK,
        BLOCK.replace("randomize: true", "randomize: false").replace("sample: 1", "sample: 2"),
    )
    assert [(c.kind, c.code, c.detail, c.comparable) for c in result.changes] == [
        ("block_changed", "apps", "pages no longer shuffled (shown in file order)", True),
        ("block_changed", "apps", "each respondent now gets 2 of its pages (was 1)", True),
    ]
    unsampled = only(diff(BLOCK, BLOCK.replace("  sample: 1\n", "")))
    assert unsampled.detail == "each respondent now gets all of its pages (was 1)"


def test_page_moved_out_of_a_block() -> None:
    new = (
        BLOCK.replace(
            "    - id: app2\n      items:\n        - {code: Q2, type: text, text: Twee}\n", ""
        ).replace("  sample: 1\n", "")
        + "- id: app2\n  items:\n    - {code: Q2, type: text, text: Twee}\n"
    )
    result = diff(BLOCK, new)
    assert [(c.kind, c.code, c.detail) for c in result.changes] == [
        ("block_changed", "apps", "each respondent now gets all of its pages (was 1)"),
        ("page_changed", "app2", "page moved out of block apps"),
    ]


# --------------------------------------------------------------------------- the result


def test_changes_follow_the_new_order_with_removals_at_their_old_place() -> None:
    old = PAGES
    new = (
        PAGES.replace("    - {code: QB, type: text, text: B}\n", "")
        .replace("text: A}", "text: AA}")
        .replace("text: C}", "text: CC}")
        .replace("- id: c\n", "- id: n\n  items:\n    - {code: QN, type: text, text: N}\n- id: c\n")
    )
    result = diff(old, new, HEAD_NL_EN)
    assert [(c.kind, c.code) for c in result.changes] == [
        ("reworded", "QA"),
        ("reworded", "QA"),
        ("removed", "QB"),
        ("page_added", "n"),
        ("added", "QN"),
        ("reworded", "QC"),
        ("reworded", "QC"),
    ]


def test_by_kind_groups_in_kind_order_and_example_to_shipped_is_a_real_diff() -> None:
    result = diff_question_sets(load_file(EXAMPLE), load_file(SHIPPED))
    grouped = result.by_kind()
    assert list(grouped) == [kind for kind in KINDS if kind in grouped]
    assert sum(len(changes) for changes in grouped.values()) == len(result.changes)
    assert not result.unchanged
    assert "KNOW_BIO" in result.incomparable_codes
    assert result.incomparable_codes == tuple(dict.fromkeys(result.incomparable_codes))
    kinds = {change.kind for change in result.changes}
    assert {"added", "removed", "moved", "page_added", "page_removed", "block_changed"} <= kinds


def test_change_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        Change("renamed", "Q1", "renamed", True)


def test_diff_module_stays_plain_python() -> None:
    code = (
        "import sys, surveys.diff; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
