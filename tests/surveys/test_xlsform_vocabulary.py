"""The XLSForm `vocabulary` sheet: one row per domain, condition, application and scale, read
into the same `vocabulary:` declaration a YAML file makes, every problem named by its row."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import Workbook

from surveys.loader import load_question_set
from surveys.problems import Problem
from surveys.xlsform import validate_xlsform, xlsform_to_question_set

Rows = Sequence[Sequence[Any]]

SURVEY = [
    ["type", "name", "label::nl", "label::en", "role", "application"],
    ["select_one agree", "ACC", "Aanvaardbaar?", "Acceptable?", "acceptance", "crispr_crops"],
]
CHOICES = [
    ["list_name", "name", "label::nl", "label::en"],
    ["agree", "no", "Nee", "No"],
    ["agree", "yes", "Ja", "Yes"],
    ["agree", "dont_know", "Weet niet", "Don't know"],
]
SETTINGS = [["form_title", "form_id", "wave"], ["Test", "test", "test-2026"]]
HEADER = ["kind", "code", "domain", "label::nl", "label::en", "accepting", "necessary", "dont_know"]
VOCABULARY = [
    HEADER,
    ["domain", "green", None, "Groen", "Green"],
    ["condition", "safety", None, "Veiligheid", "Safety"],
    ["application", "crispr_crops", "green", "CRISPR-gewassen", "CRISPR crops"],
    ["scale", "agree", None, None, None, "yes", None, "dont_know"],
]


def workbook(vocabulary: Rows, survey: Rows = SURVEY, choices: Rows = CHOICES) -> bytes:
    book = Workbook()
    first = True
    for title, rows in (
        ("survey", survey),
        ("choices", choices),
        ("settings", SETTINGS),
        ("vocabulary", vocabulary),
    ):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title
        for row in rows:
            sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def reported(vocabulary: Rows) -> list[str]:
    return [str(problem) for problem in validate_xlsform(workbook(vocabulary))]


def vocabulary_problems(vocabulary: Rows) -> list[Problem]:
    return [p for p in validate_xlsform(workbook(vocabulary)) if p.sheet == "vocabulary"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["domains", "green", None, "Groen", "Green"],
            "sheet vocabulary, row 6: kind 'domains' is not known; use one of: domain, "
            "condition, application, scale",
        ),
        (
            [None, "green", None, "Groen", "Green"],
            "sheet vocabulary, row 6: this row has no kind (domain, condition, application, scale)",
        ),
        (
            ["condition", "ethics", "green", "Ethiek", "Ethics"],
            "sheet vocabulary, row 6: column domain cannot be used on a condition row",
        ),
        (
            ["scale", "agree", None, "Schaal", "Scale", "yes"],
            "sheet vocabulary, row 6: column label cannot be used on a scale row",
        ),
        (
            ["scale", "agree", None, None, None, "yes"],
            "sheet vocabulary, row 6: the scale of choice list agree is given twice (first on "
            "sheet vocabulary, row 5)",
        ),
        (
            ["scale", None, None, None, None, "yes"],
            "sheet vocabulary, row 6: a scale row needs the name of its choice list in code",
        ),
    ],
)
def test_a_row_the_sheet_cannot_use_is_reported_by_its_row(
    row: list[object], expected: str
) -> None:
    assert expected in reported([*VOCABULARY, row])


def test_a_choice_name_not_in_the_list_is_reported_by_its_row() -> None:
    scale = ["scale", "agree", None, None, None, "yes maybe", None, "dont_know"]
    problems = vocabulary_problems([*VOCABULARY[:-1], scale])
    assert [str(problem) for problem in problems] == [
        "sheet vocabulary, row 5: accepting names 'maybe', which is not a choice of list agree "
        "(its choices are no, yes, dont_know)"
    ]
    assert problems[0].render("nl") == (
        "blad vocabulary, rij 5: accepting noemt 'maybe', maar dat is geen antwoordoptie van "
        "lijst agree (de antwoordopties zijn no, yes, dont_know)"
    )


def test_an_unknown_column_is_reported_once_at_the_header() -> None:
    rows = [[*HEADER, "acepting"], *VOCABULARY[1:]]
    problems = vocabulary_problems(rows)
    assert [str(problem) for problem in problems] == [
        "sheet vocabulary, row 1: column 'acepting' is not a column of the vocabulary sheet; "
        "its columns are kind, code, domain, label, accepting, necessary, dont_know"
    ]


def test_the_sheet_declares_the_vocabulary_with_option_codes() -> None:
    qset = xlsform_to_question_set(workbook(VOCABULARY))
    vocabulary = qset.vocabulary
    assert [(term.code, term.label.as_dict()) for term in vocabulary.domains] == [
        ("green", {"nl": "Groen", "en": "Green"})
    ]
    assert [term.code for term in vocabulary.conditions] == ["safety"]
    application = vocabulary.application("crispr_crops")
    assert application is not None and application.domain == "green"
    scale = vocabulary.scale("agree")
    assert scale is not None
    # choice names become the list's codes: no, yes, dont_know are numbered 1, 2, 3
    assert (scale.accepting, scale.necessary, scale.dont_know) == ((2,), (), (3,))
    # The stored YAML declares the same vocabulary and reads back as it.
    again = load_question_set(qset.source).vocabulary
    assert again.scales[0].accepting == (2,) and [t.code for t in again.applications] == [
        "crispr_crops"
    ]


def test_option_codes_can_be_given_as_they_are() -> None:
    choices = [
        CHOICES[0],
        ["five", 1, "Een", "One"],
        ["five", 4, "Vier", "Four"],
        ["five", 9, "?", "?"],
    ]
    survey = [SURVEY[0], ["select_one five", "ACC", "A", "A", "acceptance", "crispr_crops"]]
    rows = [*VOCABULARY[:-1], ["scale", "five", None, None, None, "4", None, "9"]]
    qset = xlsform_to_question_set(workbook(rows, survey, choices))
    assert qset.vocabulary.scales[0].accepting == (4,)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["domain", "green", None, "Groen", "Green"],
            "sheet vocabulary, row 6: duplicate domain green (first defined on sheet "
            "vocabulary, row 2)",
        ),
        (
            ["application", "gene_therapy", "red", "Gentherapie", "Gene therapy"],
            "sheet vocabulary, row 6: application gene_therapy is in domain 'red', which the "
            "vocabulary does not declare; use one of: green",
        ),
        (
            ["scale", "nope", None, None, None, "1"],
            "sheet vocabulary, row 6: the vocabulary gives a scale for choice list 'nope', "
            "which is not defined under choice_lists",
        ),
    ],
)
def test_the_declaration_is_checked_as_in_yaml_and_named_by_row(
    row: list[object], expected: str
) -> None:
    assert expected in reported([*VOCABULARY, row])


def test_the_earlier_domain_and_demographic_columns_say_what_replaced_them() -> None:
    survey = [
        ["type", "name", "label::nl", "label::en", "role", "application", "domain", "demographic"],
        [*SURVEY[1], "green"],
        ["select_one agree", "SEX", "Geslacht", "Sex", "demographic", None, None, "sex"],
    ]
    problems = [str(problem) for problem in validate_xlsform(workbook(VOCABULARY, survey))]
    assert problems == [
        "sheet survey, row 2: column domain: items no longer carry a domain: declare each "
        "application's domain on the vocabulary sheet",
        "sheet survey, row 3: column demographic: no longer needed: role demographic alone makes "
        "a weighting variable, and a margins file names it by its name",
    ]
