"""Labels for a figure's codes in each language: questions, battery rows, options, groups and
the set's own vocabulary."""

from __future__ import annotations

from consult.results.labels import group_label, item_label, option_label, term_label
from surveys.loader import load_file
from tests.consult.conftest import SHIPPED


def test_labels_in_both_languages() -> None:
    question_set = load_file(SHIPPED)
    assert item_label(question_set, "AGE_GROUP", "nl") == "Hoe oud bent u?"
    assert item_label(question_set, "AGE_GROUP", "en") == "How old are you?"
    battery = question_set.item("COND_CRISPR")
    row = battery.rows[0]
    assert (
        item_label(question_set, row.code, "en")
        == f"{battery.text.get('en')}: {row.text.get('en')}"
    )  # type: ignore[union-attr]
    assert item_label(question_set, "COND_CRISPR", "en") == battery.text.get("en")  # type: ignore[union-attr]
    assert option_label(question_set, "SEX", 2, "nl") == "Vrouw"
    assert option_label(question_set, "SEX", None, "nl") == ""
    assert option_label(question_set, "SEX", 42, "nl") == "42"
    # A battery's rows share its options: labelled by a row's code or the battery's own.
    assert option_label(question_set, row.code, 3, "en") == "Necessary"
    assert option_label(question_set, "COND_CRISPR", 3, "nl") == "Noodzakelijk"
    assert group_label(question_set, "SEX", 1, "en") == "Male"
    assert group_label(question_set, None, None, "en") == ""
    assert term_label(question_set, "domain", "red", "nl").startswith("Rode biotechnologie")
    assert term_label(question_set, "application", "gene_therapy", "en").startswith("Gene therapy")
    assert item_label(question_set, "NOT_THERE", "nl") == "NOT_THERE"


def test_a_rankings_average_ranks_are_labelled_with_the_option() -> None:
    """Downloads and the API label a ranking's `ITEM.option` rows through the same function."""
    question_set = load_file(SHIPPED)
    ranking = next(item for item in question_set.all_items() if item.type == "ranking")
    option = ranking.choices[0]
    code = f"{ranking.code}.{option.code}"
    assert item_label(question_set, code, "en") == (
        f"{ranking.text.get('en')}: average rank of {option.label.get('en')}"  # type: ignore[union-attr]
    )
    assert f"gemiddelde rangorde van {option.label.get('nl')}" in item_label(
        question_set, code, "nl"
    )
    assert item_label(question_set, f"{ranking.code}.x", "en") == f"{ranking.code}.x"
