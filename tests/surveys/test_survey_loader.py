"""The YAML loader: the example loads, and every kind of mistake is reported with its line."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from surveys.expressions import evaluate
from surveys.loader import (
    Problem,
    QuestionSetError,
    load_file,
    load_question_set,
    validate_file,
    validate_text,
)
from surveys.model import Text
from tests.surveys.survey_helpers import EXAMPLE, HEAD, line_of, question_set_yaml

README = Path(__file__).parents[2] / "surveys" / "README.md"

SIMPLE_PAGE = """\
- id: p1
  items:
    - code: Q1
      type: single
      text: Vraag
      choices:
        - {code: 1, label: Ja}
        - {code: 2, label: Nee}
"""


def only_problem(text: str, fragment: str) -> Problem:
    """The single problem whose message contains `fragment` (fails if none or several)."""
    problems = validate_text(text)
    matching = [problem for problem in problems if fragment in problem.message]
    assert len(matching) == 1, f"expected one problem with {fragment!r}, got {problems}"
    return matching[0]


# --------------------------------------------------------------------------- happy path


def test_example_loads_with_everything_in_place() -> None:
    qset = load_file(EXAMPLE)
    source = EXAMPLE.read_text(encoding="utf-8")
    assert qset.consultation_slug == "biotech"
    assert qset.consultation_title.get("en") == "Citizen consultation on biotechnology"
    assert qset.wave == "biotech-2026"
    assert qset.version_label == "2026.1"
    assert qset.languages == ("nl", "en")
    assert qset.estimated_minutes == 10
    assert qset.source == source
    assert qset.checksum == hashlib.sha256(source.encode("utf-8")).hexdigest()
    assert [page.id for page in qset.pages] == [
        "start",
        "crispr",
        "gene_therapy",
        "views",
        "more",
        "about_you",
    ]
    (block,) = qset.blocks
    assert (block.id, block.randomize, block.sample) == ("applications", True, 1)
    assert block.page_ids == ("crispr", "gene_therapy")
    assert qset.page("crispr").block == "applications"
    assert qset.page("start").block is None
    assert qset.page("views").randomize_items is True


def test_example_items_have_types_defaults_and_roles() -> None:
    qset = load_file(EXAMPLE)
    acc = qset.item("ACC_CRISPR")
    assert acc.type == "likert" and acc.required
    assert [choice.code for choice in acc.choices] == [1, 2, 3, 4, 5, 9]
    assert acc.choice(9) is not None and acc.choice(9).missing == "dont_know"  # type: ignore[union-attr]
    assert (acc.role, acc.application, acc.choice_list) == (
        "acceptance",
        "crispr_crops",
        "acceptance5",
    )
    vocabulary = qset.vocabulary
    assert vocabulary.application("crispr_crops").domain == "green"  # type: ignore[union-attr]
    assert vocabulary.condition("safety").label.get("en") == "Safety"  # type: ignore[union-attr]
    assert vocabulary.scale("acceptance5").accepting == (4, 5)  # type: ignore[union-attr]
    assert vocabulary.scale("importance3").necessary == (1,)  # type: ignore[union-attr]
    assert [term.code for term in vocabulary.domains] == ["green", "red"]
    battery = qset.item("COND_CRISPR")
    assert battery.answer_codes == ("COND_CRISPR_SAFE", "COND_CRISPR_LABEL")
    assert [row.condition for row in battery.rows] == ["safety", "transparency"]
    assert battery.randomize_rows
    assert qset.owner_of("COND_CRISPR_SAFE") is battery
    assert qset.owner_of("ACC_CRISPR") is acc
    slider = qset.item("TRUST_GOV")
    assert (slider.min, slider.max) == (0, 10)
    assert qset.item("WORRY_TEXT").max_length == 1000
    assert qset.item("POSTCODE").max_length == 4
    assert qset.item("AGE").integer and qset.item("AGE").unit == Text.from_dict(
        {"nl": "jaar", "en": "years"}
    )
    assert qset.item("WORRIES").choice(3).exclusive  # type: ignore[union-attr]
    assert qset.item("INFO_START").answer_codes == ()
    # A plain string label reads the same in every language.
    label = qset.item("AGE_GROUP").choices[0].label
    assert label.get("nl") == label.get("en") == "16-34"
    assert qset.item("AGE_GROUP").choice(99).missing == "refused"  # type: ignore[union-attr]
    assert [item.code for item in qset.all_items()][:3] == ["KNOW_BIO", "INFO_START", "INFO_CRISPR"]
    assert "COND_CRISPR_LABEL" in qset.answer_codes()
    assert "COND_CRISPR" not in qset.answer_codes()


def test_example_show_if_is_parsed_and_keeps_its_source() -> None:
    qset = load_file(EXAMPLE)
    page = qset.page("more")
    assert page.show_if_source == "selected(WORRIES, 1) or count(WORRIES) == 2"
    assert page.show_if is not None
    assert page.show_if.references() == {"WORRIES"}
    assert evaluate(page.show_if, {"WORRIES": frozenset({1})})
    assert not evaluate(page.show_if, {"WORRIES": frozenset({2})})
    postcode = qset.item("POSTCODE")
    assert postcode.show_if is not None
    assert postcode.show_if.references() == {"ACC_CRISPR", "ACC_GENE_THERAPY"}


def test_example_line_numbers_point_at_the_yaml() -> None:
    qset = load_file(EXAMPLE)
    source = EXAMPLE.read_text(encoding="utf-8")
    assert qset.item("AGE").line == line_of(source, "code: AGE")
    assert qset.page("views").line == line_of(source, "id: views")


def test_readme_complete_example_is_the_fixture() -> None:
    """The README's example must be valid: it is the fixture loaded above, byte for byte."""
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## Complete example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match is not None
    assert match.group(1) == EXAMPLE.read_text(encoding="utf-8")


def test_shipped_definitions_are_valid() -> None:
    for path in sorted((README.parent / "definitions").glob("*.yaml")):
        assert validate_file(path) == [], path


def test_validate_returns_nothing_for_a_valid_set() -> None:
    assert validate_text(question_set_yaml(SIMPLE_PAGE)) == []
    assert validate_file(EXAMPLE) == []


def test_plain_text_is_used_for_every_language() -> None:
    head = HEAD.replace("languages: [nl]", "languages: [nl, en]").replace(
        "title: Test", "title: {nl: Test, en: Test}"
    )
    qset = load_question_set(question_set_yaml(SIMPLE_PAGE, head))
    assert qset.item("Q1").text == Text.from_dict({"nl": "Vraag", "en": "Vraag"})


def test_yes_and_no_stay_texts() -> None:
    """YAML 1.1 would turn `Yes`/`No` into booleans; labels must stay text."""
    head = HEAD.replace("languages: [nl]", "languages: [nl, en]").replace(
        "title: Test", "title: {nl: Test, en: Test}"
    )
    page = """\
    - id: p1
      items:
        - code: Q1
          type: single
          required: true
          text: {nl: Vraag, en: Question}
          choices:
            - {code: 1, label: {nl: Ja, en: Yes}}
            - {code: 2, label: {nl: Nee, en: No}}
    """
    qset = load_question_set(question_set_yaml(page, head))
    item = qset.item("Q1")
    assert item.required is True
    assert [choice.label.get("en") for choice in item.choices] == ["Yes", "No"]


def test_battery_rows_behave_like_items_in_show_if() -> None:
    page = """\
    - id: p1
      items:
        - code: B
          type: battery
          text: Stellingen
          choices: [{code: 1, label: Eens}, {code: 2, label: Oneens}]
          rows:
            - {code: B_1, text: Een}
            - {code: B_2, text: Twee}
    - id: p2
      show_if: "B_1 == 1"
      items:
        - {code: Q2, type: text, text: Waarom}
    """
    qset = load_question_set(question_set_yaml(page))
    assert qset.page("p2").show_if is not None
    assert qset.owner_of("B_2").code == "B"


def test_earlier_page_inside_a_plain_block_may_be_referenced() -> None:
    page = """\
    - block: fixed
      pages:
        - id: p1
          items:
            - {code: Q1, type: number, text: Leeftijd}
        - id: p2
          show_if: "Q1 > 18"
          items:
            - {code: Q2, type: text, text: Waarom}
    """
    qset = load_question_set(question_set_yaml(page))
    assert qset.blocks[0].page_ids == ("p1", "p2")


# --------------------------------------------------------------------------- errors

CASES: list[tuple[str, str, str, str]] = [
    # (id, yaml, message fragment, text on the line the problem must point at)
    (
        "unknown_item_key",
        question_set_yaml(SIMPLE_PAGE.replace("type: single", "type: single\n      requird: true")),
        "unknown key 'requird' in item Q1 (did you mean 'required'?)",
        "requird: true",
    ),
    (
        "unknown_top_key",
        HEAD + "estimated_minute: 5\npages:\n" + SIMPLE_PAGE,
        "unknown key 'estimated_minute' in the top level (did you mean 'estimated_minutes'?)",
        "estimated_minute:",
    ),
    (
        "unknown_page_key",
        question_set_yaml(SIMPLE_PAGE.replace("- id: p1", "- id: p1\n  tittle: Hoi")),
        "unknown key 'tittle' in page p1 (did you mean 'title'?)",
        "tittle:",
    ),
    (
        "key_of_other_type",
        question_set_yaml(SIMPLE_PAGE.replace("type: single", "type: single\n      max_length: 3")),
        "'max_length' does not apply to a single item",
        "max_length: 3",
    ),
    (
        "bad_consultation_slug",
        question_set_yaml(SIMPLE_PAGE, HEAD.replace("slug: test", "slug: Bio Tech")),
        "consultation slug 'Bio Tech' is not a valid slug",
        "slug: Bio Tech",
    ),
    (
        "bad_wave_slug",
        question_set_yaml(SIMPLE_PAGE, HEAD.replace("wave: test-2026", "wave: Test_2026")),
        "wave 'Test_2026' is not a valid slug",
        "wave: Test_2026",
    ),
    (
        "bad_item_code",
        question_set_yaml(SIMPLE_PAGE.replace("code: Q1", "code: 1Q")),
        "item code '1Q' is not valid: start with a letter",
        "code: 1Q",
    ),
    (
        "item_code_too_long",
        question_set_yaml(SIMPLE_PAGE.replace("code: Q1", "code: " + "Q" * 33)),
        "(at most 32 characters)",
        "code: QQQ",
    ),
    (
        "reserved_item_code",
        question_set_yaml(SIMPLE_PAGE.replace("code: Q1", "code: count")),
        "item code 'count' is a reserved word",
        "code: count",
    ),
    (
        "bad_page_id",
        question_set_yaml(SIMPLE_PAGE.replace("id: p1", "id: my page")),
        "page id 'my page' is not valid",
        "id: my page",
    ),
    (
        "nl_missing_from_languages",
        question_set_yaml(
            SIMPLE_PAGE,
            HEAD.replace("languages: [nl]", "languages: [en]").replace(
                "title: Test", "title: {en: Test}"
            ),
        ),
        "'languages' must include nl",
        "languages:",
    ),
    (
        "nl_not_first",
        question_set_yaml(SIMPLE_PAGE, HEAD.replace("languages: [nl]", "languages: [en, nl]")),
        "nl must come first",
        "languages:",
    ),
    (
        "unsupported_language",
        question_set_yaml(
            SIMPLE_PAGE, HEAD.replace("languages: [nl]", "languages:\n  - nl\n  - de")
        ),
        "language 'de' is not supported",
        "  - de",
    ),
    (
        "text_missing_declared_language",
        question_set_yaml(
            SIMPLE_PAGE.replace("text: Vraag", "text: {nl: Vraag}"),
            HEAD.replace("languages: [nl]", "languages: [nl, en]").replace(
                "title: Test", "title: {nl: Test, en: Test}"
            ),
        ),
        "the text of item Q1 has no English (en) version, but en is listed under languages",
        "text: {nl: Vraag}",
    ),
    (
        "text_missing_dutch",
        question_set_yaml(
            SIMPLE_PAGE.replace("text: Vraag", "text: {en: Question}"),
            HEAD.replace("languages: [nl]", "languages: [nl, en]").replace(
                "title: Test", "title: {nl: Test, en: Test}"
            ),
        ),
        "the text of item Q1 has no Dutch (nl) version",
        "text: {en: Question}",
    ),
    (
        "text_in_undeclared_language",
        question_set_yaml(SIMPLE_PAGE.replace("text: Vraag", "text: {nl: Vraag, en: Question}")),
        "has a version in 'en', which is not listed under languages",
        "text: {nl: Vraag, en: Question}",
    ),
    (
        "empty_text",
        question_set_yaml(SIMPLE_PAGE.replace("text: Vraag", 'text: "  "')),
        "the text of item Q1 is empty",
        'text: "  "',
    ),
    (
        "duplicate_page_id",
        question_set_yaml(
            SIMPLE_PAGE + SIMPLE_PAGE.replace("Q1", "Q2").replace("id: p1", "id: p1  # again")
        ),
        "duplicate page id p1 (first defined on line 7)",
        "# again",
    ),
    (
        "unknown_item_type",
        question_set_yaml(SIMPLE_PAGE.replace("type: single", "type: singel")),
        "item Q1 has unknown type 'singel' (did you mean 'single'?)",
        "type: singel",
    ),
    (
        "unknown_choice_list",
        question_set_yaml(
            """\
            - id: p1
              items:
                - {code: Q1, type: single, text: Vraag, choices: agree5}
            """
        ),
        "uses choice list 'agree5', which is not defined under choice_lists",
        "choices: agree5",
    ),
    (
        "empty_choice_list",
        HEAD + "choice_lists:\n  empty: []\npages:\n" + SIMPLE_PAGE,
        "choice list empty is empty",
        "empty: []",
    ),
    (
        "duplicate_option_code",
        question_set_yaml(SIMPLE_PAGE.replace("{code: 2, label: Nee}", "{code: 1, label: Nee}")),
        "duplicate option code 1 in the choices of item Q1 (first defined on line 13)",
        "label: Nee",
    ),
    (
        "non_integer_option_code",
        question_set_yaml(SIMPLE_PAGE.replace("{code: 2, label: Nee}", "{code: b, label: Nee}")),
        "option code 'b' in the choices of item Q1 must be a whole number",
        "label: Nee",
    ),
    (
        "option_code_out_of_range",
        question_set_yaml(SIMPLE_PAGE.replace("{code: 2, label: Nee}", "{code: 10000, label: N}")),
        "must be between 0 and 9999",
        "code: 10000",
    ),
    (
        "choice_without_label",
        question_set_yaml(SIMPLE_PAGE.replace("{code: 2, label: Nee}", "{code: 2}")),
        "option 2 in the choices of item Q1 has no 'label' (required)",
        "{code: 2}",
    ),
    (
        "bad_missing_kind",
        question_set_yaml(
            SIMPLE_PAGE.replace("{code: 2, label: Nee}", "{code: 2, label: Nee, missing: dk}")
        ),
        "unknown missing kind 'dk'",
        "missing: dk",
    ),
    (
        "number_min_greater_than_max",
        question_set_yaml(
            """\
            - id: p1
              items:
                - code: AGE
                  type: number
                  text: Leeftijd
                  min: 120
                  max: 16
            """
        ),
        "'min' of item AGE (120) is greater than 'max' (16)",
        "min: 120",
    ),
    (
        "multiple_min_greater_than_max",
        question_set_yaml(
            SIMPLE_PAGE.replace("type: single", "type: multiple\n      min: 2\n      max: 1")
        ),
        "'min' of item Q1 (2) is greater than 'max' (1)",
        "min: 2",
    ),
    (
        "multiple_min_above_choice_count",
        question_set_yaml(SIMPLE_PAGE.replace("type: single", "type: multiple\n      min: 3")),
        "'min' of item Q1 is 3, but it has only 2 choices",
        "min: 3",
    ),
    (
        "slider_min_above_default_max",
        question_set_yaml(
            """\
            - id: p1
              items:
                - {code: S, type: slider, text: Cijfer, min: 11}
            """
        ),
        "'min' of item S (11) is greater than 'max' (10)",
        "min: 11",
    ),
    (
        "slider_decimal_bound",
        question_set_yaml(
            """\
            - id: p1
              items:
                - {code: S, type: slider, text: Cijfer, max: 7.5}
            """
        ),
        "'max' of item S must be a whole number",
        "max: 7.5",
    ),
    (
        "sample_larger_than_block",
        question_set_yaml(
            """\
            - block: apps
              sample: 3
              pages:
                - id: a
                  items: [{code: QA, type: text, text: A}]
                - id: b
                  items: [{code: QB, type: text, text: B}]
            """
        ),
        "'sample' of block apps is 3, but the block has only 2 pages",
        "sample: 3",
    ),
    (
        "sample_below_one",
        question_set_yaml(
            """\
            - block: apps
              sample: 0
              pages:
                - id: a
                  items: [{code: QA, type: text, text: A}]
            """
        ),
        "'sample' of block apps must be at least 1, not 0",
        "sample: 0",
    ),
    (
        "show_if_syntax_error",
        question_set_yaml(
            SIMPLE_PAGE
            + """\
            - id: p2
              show_if: "Q1 = 1"
              items: [{code: Q2, type: text, text: Waarom}]
            """.replace("            ", "")
        ),
        "show_if of page p2 is not a valid condition: use '==' to compare "
        "(a single '=' is not allowed) (at character 4 of \"Q1 = 1\")",
        "show_if:",
    ),
    (
        "show_if_unknown_code",
        question_set_yaml(
            SIMPLE_PAGE
            + '- id: p2\n  items:\n    - {code: Q2, type: text, text: W, show_if: "Q11 == 1"}\n'
        ),
        "show_if of item Q2 refers to Q11, but there is no item or row with that code "
        "(did you mean 'Q1'?)",
        "code: Q2",
    ),
    (
        "show_if_same_page",
        question_set_yaml(
            SIMPLE_PAGE + '    - {code: Q2, type: text, text: W, show_if: "Q1 == 1"}\n'
        ),
        "show_if of item Q2 refers to Q1, which is on the same page",
        "code: Q2",
    ),
    (
        "show_if_later_page",
        question_set_yaml(
            '- id: p0\n  show_if: "Q1 == 1"\n  items: [{code: Q0, type: text, text: W}]\n'
            + SIMPLE_PAGE
        ),
        "show_if of page p0 refers to Q1, which is on a later page (p1)",
        "show_if:",
    ),
    (
        "show_if_same_randomized_block",
        question_set_yaml(
            """\
            - block: apps
              randomize: true
              pages:
                - id: a
                  items: [{code: QA, type: number, text: A}]
                - id: b
                  show_if: "QA > 1"
                  items: [{code: QB, type: text, text: B}]
            """
        ),
        "refers to QA on page a, in the same randomized block apps",
        "show_if:",
    ),
    (
        "show_if_same_sampled_block",
        question_set_yaml(
            """\
            - block: apps
              sample: 1
              pages:
                - id: a
                  items: [{code: QA, type: number, text: A}]
                - id: b
                  items: [{code: QB, type: text, text: B, show_if: "answered(QA)"}]
            """
        ),
        "refers to QA on page a, in the same sampled block apps",
        "code: QB",
    ),
    (
        "show_if_battery_code",
        question_set_yaml(
            """\
            - id: p1
              items:
                - code: B
                  type: battery
                  text: Stellingen
                  choices: [{code: 1, label: Eens}]
                  rows: [{code: B_1, text: Een}]
            - id: p2
              show_if: "B == 1"
              items: [{code: Q2, type: text, text: W}]
            """
        ),
        "refers to battery B; refer to one of its rows instead, e.g. B_1",
        "show_if:",
    ),
    (
        "show_if_info_item",
        question_set_yaml(
            """\
            - id: p1
              items: [{code: I, type: info, text: Hallo}]
            - id: p2
              show_if: "answered(I)"
              items: [{code: Q2, type: text, text: W}]
            """
        ),
        "refers to I, an info item that has no answer",
        "show_if:",
    ),
    (
        "show_if_option_not_in_choices",
        question_set_yaml(
            SIMPLE_PAGE
            + '- id: p2\n  show_if: "Q1 in (1, 7)"\n  items: [{code: Q2, type: text, text: W}]\n'
        ),
        "compares Q1 with 7, which is not one of its option codes",
        "show_if:",
    ),
    (
        "show_if_compares_multiple",
        question_set_yaml(
            SIMPLE_PAGE.replace("type: single", "type: multiple")
            + '- id: p2\n  show_if: "Q1 == 1"\n  items: [{code: Q2, type: text, text: W}]\n'
        ),
        "compares Q1, a multiple item, directly; use selected(Q1, OPTION) or count(Q1)",
        "show_if:",
    ),
    (
        "selected_on_single",
        question_set_yaml(
            SIMPLE_PAGE
            + '- id: p2\n  show_if: "selected(Q1, 1)"\n  items: [{code: Q2, type: text, text: W}]\n'
        ),
        "uses selected() on Q1, which is a single item; selected() only works on "
        "multiple-choice items",
        "show_if:",
    ),
    (
        "selected_unknown_option",
        question_set_yaml(
            SIMPLE_PAGE.replace("type: single", "type: multiple")
            + '- id: p2\n  show_if: "selected(Q1, 5)"\n  items: [{code: Q2, type: text, text: W}]\n'
        ),
        "uses selected(Q1, 5), but Q1 has no option 5",
        "show_if:",
    ),
    (
        "role_without_application",
        question_set_yaml(
            SIMPLE_PAGE.replace("type: single", "type: single\n      role: acceptance")
        ),
        "item Q1 has role acceptance, so it needs 'application'",
        "role: acceptance",
    ),
    (
        "unknown_role",
        question_set_yaml(
            SIMPLE_PAGE.replace("type: single", "type: single\n      role: acceptence")
        ),
        "item Q1 has unknown role 'acceptence' (did you mean 'acceptance'?)",
        "role: acceptence",
    ),
    (
        "unknown_condition",
        question_set_yaml(
            SIMPLE_PAGE.replace("type: single", "type: single\n      condition: safty")
        ),
        "item Q1 names condition 'safty', which the vocabulary does not declare: add it under "
        "vocabulary: conditions",
        "condition: safty",
    ),
    (
        "condition_battery_row_without_condition",
        question_set_yaml(
            """\
            - id: p1
              items:
                - code: C
                  type: battery
                  role: condition
                  application: crispr_crops
                  text: Voorwaarden
                  choices: [{code: 1, label: Nodig}]
                  rows:
                    - {code: C_SAFE, text: Veilig, condition: safety}
                    - {code: C_OPEN, text: Open}
            """
        ),
        "row C_OPEN has no 'condition', which every row of a battery with role condition needs",
        "code: C_OPEN",
    ),
    (
        "battery_without_rows",
        question_set_yaml(SIMPLE_PAGE.replace("type: single", "type: battery")),
        "item Q1 is a battery and needs a list of 'rows'",
        "code: Q1",
    ),
    (
        "required_on_info",
        question_set_yaml(
            SIMPLE_PAGE + "    - {code: I, type: info, text: Hallo, required: true}\n"
        ),
        "item I is an info item and has no answer to require",
        "code: I,",
    ),
    (
        "nested_blocks",
        question_set_yaml(
            """\
            - block: outer
              pages:
                - id: a
                  items: [{code: QA, type: text, text: A}]
                - block: inner
                  pages:
                    - id: b
                      items: [{code: QB, type: text, text: B}]
            """
        ),
        "blocks cannot be nested: block inner is inside block outer",
        "block: inner",
    ),
    (
        "page_without_items",
        question_set_yaml(SIMPLE_PAGE + "- id: p2\n  title: Leeg\n"),
        "page p2 needs a list of 'items'",
        "id: p2",
    ),
    (
        "entry_neither_page_nor_block",
        question_set_yaml(SIMPLE_PAGE + "- title: Zonder id\n"),
        "each entry under pages needs an 'id' (a page) or 'block' (a group of pages)",
        "title: Zonder id",
    ),
    (
        "yaml_duplicate_key",
        question_set_yaml(SIMPLE_PAGE.replace("text: Vraag", "text: Vraag\n      text: Andere")),
        "'text' appears twice in the same place (first on line 11)",
        "text: Andere",
    ),
    (
        "bad_boolean",
        question_set_yaml(SIMPLE_PAGE.replace("type: single", "type: single\n      required: yes")),
        "'required' of item Q1 must be true or false",
        "required: yes",
    ),
]


@pytest.mark.parametrize(
    ("text", "fragment", "marker"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_problem_is_reported_with_its_line(text: str, fragment: str, marker: str) -> None:
    problem = only_problem(text, fragment)
    assert problem.line == line_of(text, marker), problem
    with pytest.raises(QuestionSetError) as raised:
        load_question_set(text)
    assert problem in raised.value.problems


def test_duplicate_item_code_names_both_lines() -> None:
    text = question_set_yaml(SIMPLE_PAGE + "    - {code: Q1, type: text, text: Nog eens}\n")
    problem = only_problem(text, "duplicate item code Q1")
    assert str(problem) == (
        f"line {line_of(text, 'code: Q1', 2)}: duplicate item code Q1 "
        f"(first defined on line {line_of(text, 'code: Q1')})"
    )


def test_duplicate_row_code_also_clashes_with_items() -> None:
    text = question_set_yaml(
        """\
        - id: p1
          items:
            - {code: Q1, type: text, text: Een}
            - code: B
              type: battery
              text: Stellingen
              choices: [{code: 1, label: Eens}]
              rows:
                - {code: B_1, text: Een}
                - {code: B_1, text: Twee}
                - {code: Q1, text: Drie}
        """
    )
    first = only_problem(text, "duplicate row code B_1")
    assert first.line == line_of(text, "{code: B_1, text: Twee}")
    assert f"first defined on line {line_of(text, '{code: B_1, text: Een}')}" in first.message
    second = only_problem(text, "duplicate row code Q1")
    assert f"first defined on line {line_of(text, 'code: Q1, type: text')}" in second.message


@pytest.mark.parametrize(
    ("missing", "fragment"),
    [
        ("consultation", "required key 'consultation' is missing"),
        ("wave", "required key 'wave' is missing"),
        ("languages", "required key 'languages' is missing"),
    ],
)
def test_missing_top_level_key(missing: str, fragment: str) -> None:
    lines = question_set_yaml(SIMPLE_PAGE).splitlines(keepends=True)
    kept = []
    skipping = False
    for line in lines:
        if line.startswith(f"{missing}:"):
            skipping = True
            continue
        if skipping and line.startswith(" "):
            continue
        skipping = False
        kept.append(line)
    problem = only_problem("".join(kept), fragment)
    assert problem.line == 1


def test_missing_pages() -> None:
    problem = only_problem(HEAD, "required key 'pages' is missing")
    assert problem.line == 1


@pytest.mark.parametrize(
    ("old", "new", "fragment", "marker"),
    [
        ("- code: Q1\n      type", "- type", "an item has no 'code' (required)", "- type: single"),
        ("      type: single\n", "", "item Q1 has no 'type' (required)", "code: Q1"),
        ("      text: Vraag\n", "", "item Q1 has no 'text' (required)", "code: Q1"),
        ("  slug: test\n", "", "consultation has no 'slug' (required)", "title: Test"),
        ("  title: Test\n", "", "consultation has no 'title' (required)", "slug: test"),
    ],
)
def test_missing_required_key(old: str, new: str, fragment: str, marker: str) -> None:
    text = question_set_yaml(SIMPLE_PAGE)
    assert old in text
    text = text.replace(old, new, 1)
    problem = only_problem(text, fragment)
    assert problem.line == line_of(text, marker)


def test_yaml_syntax_error_has_a_line() -> None:
    text = HEAD + "pages:\n  - id: p1\n    items: [{code: Q1, type: text, text: Hoi}\n"
    problems = validate_text(text)
    assert len(problems) == 1
    assert "this is not valid YAML" in problems[0].message
    assert problems[0].line is not None and problems[0].line >= line_of(text, "items:")


def test_yaml_bad_indentation_points_at_the_line() -> None:
    text = "consultation:\n  slug: test\n title: x\nwave: w\n"
    (problem,) = validate_text(text)
    assert problem.line == 3
    assert "not valid YAML" in problem.message


def test_tabs_get_a_specific_hint() -> None:
    text = "consultation:\n\tslug: test\n"
    (problem,) = validate_text(text)
    assert problem.line == 2
    assert "use spaces, not tabs" in problem.message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a sentence\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    (problem,) = validate_text(text)
    assert problem.line == 1
    assert "the file must be a set of keys" in problem.message


def test_empty_file() -> None:
    assert [str(problem) for problem in validate_text("")] == ["line 1: the file is empty"]


def test_all_problems_are_collected_in_one_pass_and_sorted() -> None:
    text = question_set_yaml(
        """\
        - id: p1
          items:
            - {code: Q1, type: singel, text: Een}
            - {code: Q1, type: text, text: Twee, requird: true}
            - {code: Q3, type: number, text: Drie, min: 5, max: 1}
        - id: p1
          show_if: "Q9 == 1"
          items: [{code: Q4, type: info, text: Vier, required: true}]
        """,
        HEAD.replace("wave: test-2026", "wave: Bad Wave"),
    )
    problems = validate_text(text)
    assert len(problems) == 8
    assert [problem.line for problem in problems] == sorted(p.line or 0 for p in problems)
    with pytest.raises(QuestionSetError) as raised:
        load_question_set(text, "bad.yaml")
    message = str(raised.value)
    assert message.startswith("bad.yaml: 8 problems\n")
    for problem in problems:
        assert f"  {problem}" in message


def test_error_lists_problems_and_never_returns_partially() -> None:
    with pytest.raises(QuestionSetError) as raised:
        load_question_set("wave: x\n")
    assert {problem.message for problem in raised.value.problems} >= {
        "required key 'consultation' is missing",
        "required key 'pages' is missing",
    }


def test_problem_without_line() -> None:
    assert str(Problem(None, "something")) == "something"
    assert str(Problem(3, "something")) == "line 3: something"


def test_info_item_needs_its_text() -> None:
    from surveys.loader import validate_text

    source = """consultation: {slug: c, title: C}
wave: w
languages: [nl]
pages:
  - id: p
    items:
      - {code: I, type: info}
"""
    problems = validate_text(source)
    assert any(problem.line == 7 and "text" in problem.message for problem in problems), problems
