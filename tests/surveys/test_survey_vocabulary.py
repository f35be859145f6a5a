"""The vocabulary a question set declares for its analysis: any consultation's own domains,
conditions, applications, scales and weighting variables, with every problem on its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.loader import load_file, load_question_set, validate_text
from surveys.problems import Problem
from tests.surveys.survey_helpers import line_of

SHIPPED = Path(__file__).parents[2] / "surveys" / "definitions" / "biotech-2026.yaml"

#: A consultation on another subject: a city asks about heat and greenery, weighting by
#: district. Nothing in it is known to the code.
CITY = """\
consultation: {slug: city-heat, title: {nl: Hitte in de stad, en: Heat in the city}}
wave: city-heat-2027
languages: [nl, en]
choice_lists:
  support4:
    - {code: 1, label: {nl: Tegen, en: Against}}
    - {code: 2, label: {nl: Eerder tegen, en: Rather against}}
    - {code: 3, label: {nl: Eerder voor, en: Rather for}}
    - {code: 4, label: {nl: Voor, en: For}}
    - {code: 8, label: {nl: Weet niet, en: Don't know}, missing: dont_know}
  needed2:
    - {code: 0, label: {nl: Niet nodig, en: Not needed}}
    - {code: 1, label: {nl: Nodig, en: Needed}}
vocabulary:
  domains:
    - {code: STREETS, label: {nl: Straten en pleinen, en: Streets and squares}}
  conditions:
    - {code: shade, label: {nl: Schaduw, en: Shade}}
    - {code: dierenwelzijn, label: {nl: Dierenwelzijn, en: Animal welfare}}
  applications:
    - {code: TREES, domain: STREETS, label: {nl: Meer bomen, en: More trees}}
  scales:
    support4: {accepting: [3, 4], dont_know: [8]}
    needed2: {necessary: [1]}
pages:
  - id: p1
    items:
      - {code: ACC_TREES, type: single, text: Bomen, choices: support4, role: acceptance,
         application: TREES}
      - code: COND_TREES
        type: battery
        text: Voorwaarden
        choices: needed2
        role: condition
        application: TREES
        rows:
          - {code: COND_TREES_SHADE, text: Schaduw, condition: shade}
          - {code: COND_TREES_ANIMALS, text: Dieren, condition: dierenwelzijn}
      - code: DISTRICT
        type: single
        text: Wijk
        role: demographic
        choices: [{code: 1, label: Noord}, {code: 2, label: Zuid}]
"""


def problems_with(text: str, fragment: str) -> list[Problem]:
    return [problem for problem in validate_text(text) if fragment in problem.message]


def only(text: str, fragment: str) -> Problem:
    found = problems_with(text, fragment)
    assert len(found) == 1, validate_text(text)
    return found[0]


def test_another_consultation_declares_its_own_words() -> None:
    question_set = load_question_set(CITY)
    vocabulary = question_set.vocabulary
    assert [term.code for term in vocabulary.conditions] == ["shade", "dierenwelzijn"]
    trees = vocabulary.application("TREES")
    assert trees is not None and trees.domain == "STREETS"
    assert trees.label.get("en") == "More trees"
    assert vocabulary.scale("support4").accepting == (3, 4)  # type: ignore[union-attr]
    assert vocabulary.scale("support4").dont_know == (8,)  # type: ignore[union-attr]
    assert question_set.item("COND_TREES").rows[1].condition == "dierenwelzijn"
    assert question_set.item("DISTRICT").role == "demographic"
    assert vocabulary.labels()["domains"] == {
        "STREETS": {"nl": "Straten en pleinen", "en": "Streets and squares"}
    }


def test_the_shipped_set_declares_todays_vocabulary() -> None:
    vocabulary = load_file(SHIPPED).vocabulary
    assert [term.code for term in vocabulary.domains] == ["green", "white", "red"]
    assert [term.code for term in vocabulary.conditions] == [
        "safety",
        "transparency",
        "ethics",
        "public_benefit",
        "shared_responsibility",
        "freedom_of_choice",
        "affordability",
    ]
    assert len(vocabulary.applications) == 11
    assert vocabulary.scale("acceptance5").accepting == (4, 5)  # type: ignore[union-attr]
    assert vocabulary.scale("conditions3").necessary == (3,)  # type: ignore[union-attr]


CASES = [
    (
        "undeclared_condition",
        CITY.replace("condition: dierenwelzijn}", "condition: dierenwelzin}"),
        "row COND_TREES_ANIMALS names condition 'dierenwelzin', which the vocabulary does not "
        "declare (did you mean 'dierenwelzijn'?)",
        "condition: dierenwelzin",
    ),
    (
        "undeclared_application",
        CITY.replace(
            "role: acceptance,\n         application: TREES",
            "role: acceptance,\n         application: HEDGES",
        ),
        "item ACC_TREES names application 'HEDGES', which the vocabulary does not declare",
        "application: HEDGES",
    ),
    (
        "application_in_undeclared_domain",
        CITY.replace("domain: STREETS, label", "domain: PARKS, label"),
        "application TREES is in domain 'PARKS', which the vocabulary does not declare; use "
        "one of: STREETS",
        "domain: PARKS",
    ),
    (
        "application_without_domain",
        CITY.replace("domain: STREETS, label", "label"),
        "application TREES has no 'domain' (required)",
        "code: TREES",
    ),
    (
        "duplicate_condition",
        CITY.replace("{code: dierenwelzijn, label:", "{code: shade, label:"),
        "duplicate condition shade (first defined on line",
        "{code: shade, label: {nl: Dierenwelzijn",
    ),
    (
        "term_without_label",
        CITY.replace("{code: shade, label: {nl: Schaduw, en: Shade}}", "{code: shade}"),
        "condition shade has no 'label' (required)",
        "{code: shade}",
    ),
    (
        "bad_term_code",
        CITY.replace("{code: shade, label:", "{code: 'full shade', label:"),
        "condition code 'full shade' is not valid",
        "code: 'full shade'",
    ),
    (
        "scale_for_unknown_list",
        CITY.replace("    needed2: {necessary: [1]}", "    neded2: {necessary: [1]}"),
        "the vocabulary gives a scale for choice list 'neded2', which is not defined under "
        "choice_lists (did you mean 'needed2'?)",
        "neded2: {necessary",
    ),
    (
        "scale_names_an_unknown_option",
        CITY.replace("accepting: [3, 4]", "accepting: [3, 5]"),
        "'accepting' of the scale of choice list support4 names option 5, which the list does "
        "not have; its options are 1, 2, 3, 4, 8",
        "accepting: [3, 5]",
    ),
    (
        "scale_without_meaning",
        CITY.replace("needed2: {necessary: [1]}", "needed2: {}"),
        "the scale of choice list needed2 must say which options count as accepting, necessary "
        "or dont_know",
        "needed2: {}",
    ),
    (
        "dont_know_also_accepting",
        CITY.replace("accepting: [3, 4], dont_know: [8]", "accepting: [3, 4], dont_know: [4]"),
        "the scale of choice list support4 counts option 4 both as dont_know and as an answer",
        "dont_know: [4]",
    ),
    (
        "acceptance_without_scale",
        CITY.replace("    support4: {accepting: [3, 4], dont_know: [8]}\n", ""),
        "item ACC_TREES has role acceptance, so the vocabulary must say which options of its "
        "choice list support4 count as accepting",
        "choices: support4",
    ),
    (
        "condition_with_inline_choices",
        CITY.replace(
            "        choices: needed2\n        role: condition",
            "        choices: [{code: 1, label: Ja}]\n        role: condition",
        ),
        "item COND_TREES has role condition, so its choices must be a named choice list whose "
        "scale the vocabulary declares (with 'necessary')",
        "choices: [{code: 1, label: Ja}]",
    ),
    (
        "declared_application_not_asked",
        CITY.replace(
            "  scales:",
            "    - {code: ROOFS, domain: STREETS, label: Groene daken}\n  scales:",
        ),
        "application ROOFS is declared, but no item with role acceptance asks about it",
        "code: ROOFS",
    ),
    (
        "second_acceptance_question",
        CITY.replace(
            "      - code: COND_TREES\n",
            "      - {code: ACC_TREES2, type: single, text: Nog eens, choices: support4, "
            "role: acceptance, application: TREES}\n      - code: COND_TREES\n",
        ),
        "item ACC_TREES2 is a second acceptance question for application TREES (the first is "
        "item ACC_TREES)",
        "code: ACC_TREES2",
    ),
    (
        "acceptance_questions_read_differently",
        CITY.replace(
            "  needed2:\n",
            "  support3:\n    - {code: 1, label: Tegen}\n    - {code: 2, label: Voor}\n"
            "  needed2:\n",
        )
        .replace(
            "    needed2: {necessary: [1]}",
            "    needed2: {necessary: [1]}\n    support3: {accepting: [2]}",
        )
        .replace(
            "  applications:\n",
            "  applications:\n    - {code: ROOFS, domain: STREETS, label: Daken}\n",
        )
        .replace(
            "      - code: COND_TREES\n",
            "      - {code: ACC_ROOFS, type: single, text: Daken, choices: support3, "
            "role: acceptance, application: ROOFS}\n      - code: COND_TREES\n",
        ),
        "item ACC_ROOFS reads its answers unlike item ACC_TREES",
        "code: ACC_ROOFS",
    ),
    (
        "retired_domain_key",
        CITY.replace(
            "role: acceptance,\n         application: TREES",
            "role: acceptance,\n         application: TREES, domain: STREETS",
        ),
        "item ACC_TREES has 'domain', which items no longer carry: an item's domain is the one "
        "its application has under vocabulary: applications",
        "domain: STREETS}",
    ),
    (
        "retired_demographic_key",
        CITY.replace(
            "        role: demographic\n",
            "        role: demographic\n        demographic: district\n",
        ),
        "item DISTRICT has 'demographic', which items no longer carry",
        "demographic: district",
    ),
    (
        "weighting_variable_that_is_text",
        CITY.replace(
            "        role: demographic\n        choices: [{code: 1, label: Noord}, "
            "{code: 2, label: Zuid}]\n",
            "        role: demographic\n",
        ).replace(
            "      - code: DISTRICT\n        type: single",
            "      - code: DISTRICT\n        type: text",
        ),
        "item DISTRICT has role demographic, so it must be a single-choice question",
        "role: demographic",
    ),
    (
        "vocabulary_not_a_mapping",
        CITY.replace("vocabulary:\n  domains:", "vocabulary: [domains]\nunused:\n  domains:"),
        "'vocabulary' must be a set of keys: domains, conditions, applications, scales",
        "vocabulary: [domains]",
    ),
]


@pytest.mark.parametrize(
    ("text", "fragment", "marker"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_a_declaration_problem_is_explained_on_its_line(
    text: str, fragment: str, marker: str
) -> None:
    problem = only(text, fragment)
    assert problem.line == line_of(text, marker), problem


def test_the_citys_set_is_valid_as_written() -> None:
    assert validate_text(CITY) == []
