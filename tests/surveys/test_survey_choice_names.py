"""Choice names and data in a form's own words: the YAML `name` key, XLSForm names in and out,
reading a value as an option code, name or label, and the columns of ODK/KoboToolbox exports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from surveys.exported import delimiter_of, read_column
from surveys.loader import load_question_set, validate_text
from surveys.messages import english
from surveys.model import QuestionSet
from surveys.options import match_options, option_parts
from surveys.types import question_type
from surveys.xlsform import question_set_to_xlsform, question_set_to_yaml, xlsform_to_question_set
from tests.surveys.survey_helpers import line_of, question_set_yaml
from tests.surveys.test_survey_xlsform import CHOICES_HEADER, SURVEY_HEADER, structure, workbook

NAMED = question_set_yaml(
    """\
    - id: p1
      items:
        - code: SEX
          type: single
          text: Geslacht
          choices:
            - {code: 1, name: m, label: Man}
            - {code: 2, name: f, label: Vrouw}
            - {code: 9, label: Zeg ik liever niet}
        - code: SOURCES
          type: multiple
          text: Bronnen
          choices:
            - {code: 1, name: paper, label: Krant}
            - {code: 2, name: web, label: Internet}
            - {code: 3, name: tv, label: "Televisie en radio"}
        - code: GOALS
          type: ranking
          text: Doelen
          choices:
            - {code: 1, name: climate, label: Klimaat}
            - {code: 2, name: food, label: Voedsel}
            - {code: 3, name: jobs, label: Banen}
    """
)


def named() -> QuestionSet:
    return load_question_set(NAMED)


# --------------------------------------------------------------------------- the YAML key


def test_a_choice_keeps_its_name_and_the_yaml_writer_writes_it() -> None:
    qset = named()
    assert [c.name for c in qset.item("SEX").choices] == ["m", "f", None]
    text = question_set_to_yaml(qset)
    assert "name: m" in text
    assert structure(load_question_set(text)) == structure(qset)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("two words", "is not valid"),
        ("a;b", "is not valid"),
        ("12", "is not valid"),
        ('"3.5"', "is not valid"),
        ("f", "is already used in its list (on line"),
    ],
)
def test_a_bad_or_repeated_name_is_a_problem_on_its_line(name: str, fragment: str) -> None:
    text = NAMED.replace("{code: 9, label:", f"{{code: 9, name: {name}, label:")
    problems = [problem for problem in validate_text(text) if fragment in problem.message]
    assert len(problems) == 1, validate_text(text)
    assert problems[0].line == line_of(text, "code: 9")


def test_the_same_name_in_two_lists_is_fine() -> None:
    text = NAMED.replace("name: climate", "name: m")
    assert validate_text(text) == []


# --------------------------------------------------------------------------- XLSForm


def test_xlsform_word_names_are_kept_and_exported_back() -> None:
    survey = [
        [*SURVEY_HEADER, "relevant"],
        ["select_one sexes", "sex", "Geslacht", "Sex", None],
        ["select_one ages", "age", "Leeftijd", "Age", None],
        ["text", "why", "Waarom?", "Why?", "${sex} = 'f'"],
    ]
    choices = [
        CHOICES_HEADER,
        ["sexes", "m", "Man", "Male"],
        ["sexes", "f", "Vrouw", "Female"],
        ["ages", "18-34", "18 tot 35", "18 to 34"],
        ["ages", "35plus", "35 of ouder", "35 or older"],
        ["counted", 1, "Een", "One"],
        ["counted", 2, "Twee", "Two"],
    ]
    qset = xlsform_to_question_set(workbook(survey, choices))
    sex, age = qset.item("sex"), qset.item("age")
    assert [(c.code, c.name) for c in sex.choices] == [(1, "m"), (2, "f")]
    assert [(c.code, c.name) for c in age.choices] == [(1, "18-34"), (2, "35plus")]
    assert qset.item("why").show_if_source == "sex == 2"
    exported = question_set_to_xlsform(qset)
    sheets = load_workbook(io.BytesIO(exported))
    names = [row[1] for row in sheets["choices"].iter_rows(min_row=2, values_only=True)]
    assert names == ["m", "f", "18-34", "35plus"]
    header = [cell.value for cell in sheets["survey"][1]]
    relevant = [
        row[header.index("relevant")]
        for row in sheets["survey"].iter_rows(min_row=2, values_only=True)
    ]
    assert "${sex} = 'f'" in relevant  # other tools store the name, so the condition uses it
    assert structure(xlsform_to_question_set(exported)) == structure(qset)


def test_a_named_list_with_other_codes_is_exported_with_its_codes() -> None:
    text = NAMED.replace(
        "{code: 9, label: Zeg ik liever niet}", "{code: 9, name: dk, label: Weet niet}"
    )
    qset = load_question_set(text)
    sheets = load_workbook(io.BytesIO(question_set_to_xlsform(qset)))
    rows = list(sheets["choices"].iter_rows(min_row=2, values_only=True))
    # Names numbered 1, 2, 3 in order read back with the same codes; 1, 2, 9 would not.
    assert [row[1] for row in rows if row[0] == "sex"] == [1, 2, 9]
    assert [row[1] for row in rows if row[0] == "sources"] == ["paper", "web", "tv"]


def test_a_word_name_that_cannot_be_a_name_is_still_numbered() -> None:
    survey = [SURVEY_HEADER, ["select_one yn", "Q", "Vraag", "Question"]]
    choices = [CHOICES_HEADER, ["yn", "yes please", "Ja", "Yes"], ["yn", "no", "Nee", "No"]]
    qset = xlsform_to_question_set(workbook(survey, choices))
    assert [(c.code, c.name) for c in qset.item("Q").choices] == [(1, None), (2, "no")]


# --------------------------------------------------------------------------- reading values


def codes(qset: QuestionSet, item: str, raw: str) -> list[int]:
    return [choice.code for choice in match_options(qset.item(item).choices, raw)]


def test_a_value_is_a_code_a_name_or_a_label() -> None:
    qset = named()
    assert codes(qset, "SEX", "2") == [2]
    assert codes(qset, "SEX", "f") == [2]
    assert codes(qset, "SEX", " F ") == [2]
    assert codes(qset, "SEX", "vrouw") == [2]
    assert codes(qset, "SEX", "zeg  ik LIEVER niet") == [9]
    assert codes(qset, "SEX", "3") == []
    assert codes(qset, "SEX", "x") == []


def test_a_code_comes_before_a_label_and_a_shared_label_is_ambiguous() -> None:
    text = NAMED.replace("label: Man}", "label: '2'}").replace("label: Vrouw}", "label: Man}")
    text = text.replace("{code: 9, label: Zeg ik liever niet}", "{code: 9, label: man}")
    qset = load_question_set(text)
    assert codes(qset, "SEX", "2") == [2]
    assert codes(qset, "SEX", "Man") == [2, 9]


def read(qset: QuestionSet, item_code: str, raw: str) -> tuple[dict[str, list[str]], list[str]]:
    item = qset.item(item_code)
    fields, messages = question_type(item).read_exported(item, item_code, raw)
    return fields, [english(message) for message in messages]


def test_multiple_choice_joined_by_semicolons_or_spaces() -> None:
    qset = named()
    assert read(qset, "SOURCES", "1;3") == ({"SOURCES": ["1", "3"]}, [])
    assert read(qset, "SOURCES", "paper tv") == ({"SOURCES": ["1", "3"]}, [])
    assert read(qset, "SOURCES", "Krant; televisie en RADIO") == ({"SOURCES": ["1", "3"]}, [])
    assert read(qset, "SOURCES", "Televisie en radio") == ({"SOURCES": ["3"]}, [])
    assert option_parts(qset.item("SOURCES").choices, "") == []
    fields, problems = read(qset, "SOURCES", "paper radio blog")
    assert fields == {}
    assert problems == [
        "‘radio’ is not one of the options (1 (paper), 2 (web), 3 (tv)).",
        "‘blog’ is not one of the options (1 (paper), 2 (web), 3 (tv)).",
    ]


def test_a_ranking_is_read_in_order() -> None:
    qset = named()
    expected = {"GOALS.2": ["1"], "GOALS.1": ["2"], "GOALS.3": ["3"]}
    assert read(qset, "GOALS", "food climate jobs") == (expected, [])
    assert read(qset, "GOALS", "2;1;3") == (expected, [])
    assert read(qset, "GOALS", "Voedsel;Klimaat;Banen") == (expected, [])


def test_a_single_choice_and_its_messages() -> None:
    qset = named()
    assert read(qset, "SEX", "f") == ({"SEX": ["2"]}, [])
    assert read(qset, "SEX", "") == ({}, [])
    assert read(qset, "SEX", "x")[1] == ["‘x’ is not one of the options (1 (m), 2 (f), 9)."]


# --------------------------------------------------------------------------- export columns


def test_columns_of_an_odk_or_kobo_export() -> None:
    qset = named()

    def what(header: str) -> tuple[str | None, int | None, bool]:
        column = read_column(qset, header)
        option = column.option.code if column.option is not None else None
        return column.code, option, column.metadata

    assert what("SEX") == ("SEX", None, False)
    assert what("group_ab12/SEX") == ("SEX", None, False)
    assert what("page/sub/SOURCES") == ("SOURCES", None, False)
    assert what("page/SOURCES/web") == (None, 2, False)
    assert what("SOURCES/2") == (None, 2, False)
    assert what("page-SEX") == ("SEX", None, False)  # ODK Central's group separator
    for metadata in (
        "_uuid",
        "_submission_time",
        "__version__",
        "start",
        "today",
        "deviceid",
        "meta/instanceID",
        "meta-instanceID",
        "formhub/uuid",
        "SubmissionDate",
    ):
        assert what(metadata) == (None, None, True), metadata
    assert what("AGE") == (None, None, False)
    assert what("SOURCES/radio") == (None, None, False)


def test_an_item_named_like_metadata_is_an_item() -> None:
    qset = load_question_set(NAMED.replace("code: SEX", "code: start"))
    assert read_column(qset, "start").code == "start"


def test_the_delimiter_is_found_in_the_header() -> None:
    assert delimiter_of('"start";"end";"group/SEX"\n"a";"b";"m"\n') == ";"
    assert delimiter_of("SEX,SOURCES\nm,1;2\n") == ","
    assert delimiter_of("SEX\tSOURCES\n") == "\t"
    assert delimiter_of("SEX\nm\n") == ","
