"""Problems of a question set are language-neutral messages: English on the command line (and
`str()`), the reader's language on the web, with the right plural form in each."""

from __future__ import annotations

import pytest

from surveys.loader import Problem, validate_text
from surveys.messages import Message, render
from surveys.problems import on_line
from surveys.tree import SheetRow

SET = """consultation: {{slug: x, title: X}}
wave: x-1
languages: [nl]
pages:
  - id: P1
    items:
      - code: Q1
        type: multiple
        text: Kies
        min: 3
        choices:
{choices}
"""


def _min_problem(options: int) -> Problem:
    choices = "\n".join(
        f"          - {{code: {n}, label: Optie {n}}}" for n in range(1, options + 1)
    )
    problems = validate_text(SET.format(choices=choices))
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    ("options", "english", "dutch"),
    [
        (
            1,
            "line 10: 'min' of item Q1 is 3, but it has only 1 choice",
            "regel 10: 'min' van vraag Q1 is 3, maar de vraag heeft maar 1 antwoordoptie",
        ),
        (
            2,
            "line 10: 'min' of item Q1 is 3, but it has only 2 choices",
            "regel 10: 'min' van vraag Q1 is 3, maar de vraag heeft maar 2 antwoordopties",
        ),
    ],
)
def test_a_plural_problem_in_both_forms_and_both_languages(
    options: int, english: str, dutch: str
) -> None:
    problem = _min_problem(options)
    assert str(problem) == english
    assert problem.render("en") == english
    assert problem.render("nl") == dutch


def test_nested_places_are_translated_as_part_of_the_sentence() -> None:
    text = SET.format(choices="          - {code: 1, label: {nl: A, en: B}}").replace(
        "        min: 3\n", ""
    )
    (problem,) = validate_text(text)
    assert str(problem) == (
        "line 11: the label of option 1 in the choices of item Q1 has a version in 'en', "
        "which is not listed under languages"
    )
    assert problem.render("nl") == (
        "regel 11: de tekst (label) van antwoordoptie 1 in de antwoordopties van vraag Q1 heeft "
        "een versie in 'en', maar die taal staat niet onder languages"
    )


def test_problems_compare_by_their_english_text() -> None:
    """Duplicates are dropped by their English, however the message was built."""
    built = Problem(3, Message("the file is empty"))
    assert built == Problem(3, "the file is empty")
    assert len({built, Problem(3, "the file is empty")}) == 1
    assert Problem(None, "not in any catalogue").render("nl") == "not in any catalogue"


def test_a_place_names_itself_in_the_terms_of_its_file() -> None:
    """A line for a YAML file, a sheet and row for a workbook, in either language."""
    assert render(on_line(12), "en") == "on line 12"
    assert render(on_line(12), "nl") == "op regel 12"
    assert render(on_line(SheetRow("survey", 4)), "en") == "on sheet survey, row 4"
    assert render(on_line(SheetRow("survey", 4)), "nl") == "op blad survey, rij 4"
    assert render(on_line(SheetRow("choices")), "nl") == "op blad choices"
    at_row = Problem(SheetRow("survey", 4), "x")
    assert str(at_row) == "sheet survey, row 4: x"
    assert at_row == Problem(4, "x", sheet="survey")
    assert str(Problem(SheetRow("settings"), "x")) == "sheet settings: x"
