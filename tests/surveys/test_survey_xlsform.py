"""XLSForm import and export: round trips, the mapping, and every kind of refusal.

Workbooks are built in the tests with openpyxl, so each test shows the rows it is about. The
interoperability files from pyxform's test suite live outside the repository (../shared).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from surveys.expressions import evaluate
from surveys.expressions import parse as parse_expression
from surveys.files import load_path, validate_path
from surveys.loader import (
    Problem,
    QuestionSetError,
    load_file,
    load_question_set,
    validate_text,
)
from surveys.model import QuestionSet, Value
from surveys.xlsform import (
    question_set_to_xlsform,
    question_set_to_yaml,
    validate_xlsform,
    xlsform_to_question_set,
    xpath_of,
)
from surveys.yaml_read import _LineLoader
from tests.conftest import interop
from tests.surveys.survey_helpers import EXAMPLE, HEAD, question_set_yaml

BIOTECH = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "biotech-2026.yaml"

Rows = Sequence[Any]  # rows of cells; mixed literals make precise types noisy

SURVEY_HEADER = ["type", "name", "label::nl", "label::en"]
CHOICES_HEADER = ["list_name", "name", "label::nl", "label::en"]
YES_NO = [CHOICES_HEADER, ["yn", 1, "Ja", "Yes"], ["yn", 2, "Nee", "No"]]
SETTINGS = [["form_title", "form_id", "wave"], ["Test", "test", "test-2026"]]


@functools.cache
def loaded(path: Path) -> QuestionSet:
    """A shipped YAML set, loaded once (sets are immutable, so tests can share them)."""
    return load_file(path)


def workbook(
    survey: Rows,
    choices: Rows | None = None,
    settings: Rows | None = SETTINGS,
    titles: tuple[str, str, str] = ("survey", "choices", "settings"),
    vocabulary: Rows | None = None,
) -> bytes:
    """An .xlsx with the given sheets (the first row of each is its header)."""
    book = Workbook()
    sheets = [(titles[0], survey), (titles[1], choices), (titles[2], settings)]
    sheets.append(("vocabulary", vocabulary))
    first = True
    for title, rows in sheets:
        if rows is None:
            continue
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title
        for row in rows:
            sheet.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def structure(value: object) -> object:
    """Every compared field, recursively, leaving out source, checksum and line numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: structure(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare and f.name not in ("source", "checksum", "line")
        }
        return (type(value).__name__, fields)
    if isinstance(value, tuple | list):
        return tuple(structure(element) for element in value)
    return value


def messages(problems: Sequence[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


def only(problems: Sequence[Problem], fragment: str) -> Problem:
    found = [problem for problem in problems if fragment in problem.message]
    assert len(found) == 1, f"expected one problem with {fragment!r}:\n{messages(problems)}"
    return found[0]


def load(survey: Rows, choices: Rows | None = YES_NO, **kwargs: object) -> QuestionSet:
    data = workbook(survey, choices, **kwargs)  # type: ignore[arg-type]
    try:
        return xlsform_to_question_set(data)
    except QuestionSetError as error:
        pytest.fail(str(error))


def problems_of(survey: Rows, choices: Rows | None = YES_NO, **kwargs: object) -> list[Problem]:
    problems = validate_xlsform(workbook(survey, choices, **kwargs))  # type: ignore[arg-type]
    assert problems, "expected problems"
    return problems


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", [EXAMPLE, BIOTECH], ids=["example", "biotech-2026"])
def test_yaml_to_xlsform_to_question_set_gives_the_same_set(path: Path) -> None:
    original = loaded(path)
    imported = xlsform_to_question_set(question_set_to_xlsform(original))
    assert structure(imported) == structure(original)
    # The imported set's source is YAML that loads to the same set again (what the store keeps).
    assert structure(load_question_set(imported.source)) == structure(original)


@pytest.mark.parametrize("path", [EXAMPLE, BIOTECH], ids=["example", "biotech-2026"])
def test_yaml_writer_round_trips(path: Path) -> None:
    original = loaded(path)
    text = question_set_to_yaml(original)
    assert structure(load_question_set(text)) == structure(original)
    # YAML -> XLSForm -> YAML: the same set (lists that were inline now have names).
    via_xlsform = xlsform_to_question_set(question_set_to_xlsform(original))
    again = question_set_to_yaml(via_xlsform)
    assert structure(load_question_set(again)) == structure(original)
    assert question_set_to_yaml(load_question_set(again)) == again  # stable from then on
    assert all(len(line) <= 100 for line in text.splitlines() if not line.startswith("    - {"))


def test_yaml_writer_keeps_named_choice_lists_and_inlines_single_use_ones() -> None:
    text = question_set_to_yaml(loaded(EXAMPLE))
    assert "  acceptance5:\n" in text and "  importance3:\n" in text
    assert "choices: acceptance5" in text
    assert "know_bio" not in text  # KNOW_BIO's own list stays inline


@pytest.mark.parametrize(
    "value",
    [
        "Yes",
        "no",
        "true",
        "null",
        "~",
        "1.0",
        "0x1F",
        "2026-01-01",
        "- a dash",
        "a: colon",
        "hash #tag",
        "#start",
        "it's",
        '"quoted"',
        "back\\slash",
        "tab\there",
        "line\nbreak",
        "para one\n\npara two",
        "  spaced  ",
        "é ü ß 中文 🙂",
        "[brackets], {braces}? and: more",
        "=SUM(A1)",
        "%percent",
        "@at",
        "x" * 250,
        " ".join(["woord"] * 80),
        ("word " * 40).strip() + "\n" + ("next " * 40).strip(),
    ],
)
def test_yaml_writer_and_xlsform_keep_any_text(value: str) -> None:
    source = f"""\
consultation: {{slug: t, title: T}}
wave: t-1
languages: [nl, en]
pages:
  - id: p
    items:
      - code: Q
        type: single
        text: {{nl: {_json(value)}, en: plain}}
        choices:
          - {{code: 1, label: {_json(value)}}}
"""
    original = load_question_set(source)
    assert structure(load_question_set(question_set_to_yaml(original))) == structure(original)
    via_xlsform = xlsform_to_question_set(question_set_to_xlsform(original))
    assert structure(via_xlsform) == structure(original)


def _json(value: str) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


CONDITIONS_YAML = """\
consultation: {slug: c, title: C}
wave: c-1
languages: [nl]
choice_lists:
  abc: [{code: 1, label: a}, {code: 2, label: b}, {code: 3, label: c}]
pages:
  - id: first
    items:
      - {code: S, type: single, text: S, choices: abc}
      - {code: M, type: multiple, text: M, choices: abc}
      - {code: N, type: number, text: N}
      - {code: T, type: text, text: T}
  - id: second
    show_if: "S != 2 and (N >= 18 or T == 'ja')"
    items:
      - {code: A, type: info, text: A, show_if: "S not in (1, 2)"}
      - {code: B, type: info, text: B, show_if: "S in (2, 3) or not answered(T)"}
      - {code: C, type: info, text: C, show_if: "selected(M, 2) and count(M) < 3"}
      - {code: D, type: info, text: D, show_if: "not (N < 0 or T != 'x')"}
      - {code: E, type: info, text: E, show_if: "answered(M) and N != 5"}
"""


def _random_answers(qset: QuestionSet, rng: random.Random) -> dict[str, Value | None]:
    answers: dict[str, Value | None] = {}
    for item in qset.all_items():
        if rng.random() < 0.25:
            continue
        if item.type == "single":
            answers[item.code] = rng.choice([1, 2, 3])
        elif item.type == "multiple":
            answers[item.code] = frozenset(rng.sample([1, 2, 3], rng.randint(0, 3)))
        elif item.type == "number":
            answers[item.code] = rng.choice([-1, 0, 5, 17, 18, 40])
        elif item.type == "text":
            answers[item.code] = rng.choice(["ja", "x", "nee"])  # empty texts are not stored
    return answers


def test_relevant_alone_means_the_same_as_show_if() -> None:
    """Without our show_if column, the exported XPath translates back to equivalent conditions."""
    original = load_question_set(CONDITIONS_YAML)
    book = load_workbook(io.BytesIO(question_set_to_xlsform(original)))
    survey = book["survey"]
    header = [cell.value for cell in survey[1]]
    survey.delete_cols(header.index("show_if") + 1)
    stream = io.BytesIO()
    book.save(stream)
    imported = xlsform_to_question_set(stream.getvalue())
    assert imported.page("second").show_if_source != original.page("second").show_if_source
    rng = random.Random(7)
    for _ in range(400):
        answers = _random_answers(original, rng)
        for page in original.pages:
            other = imported.page(page.id)
            assert evaluate(page.show_if, answers) == evaluate(other.show_if, answers), page.id
            for item in page.items:
                mine, theirs = item.show_if, other.item(item.code).show_if
                assert evaluate(mine, answers) == evaluate(theirs, answers), (item.code, answers)


def test_xpath_of_writes_relevant_for_other_tools() -> None:
    assert xpath_of(parse_expression("KNOW == 1")) == "${KNOW} = 1"
    assert xpath_of(parse_expression("X in (4, 5) and Y >= 2")) == (
        "(${X} = 4 or ${X} = 5) and ${Y} >= 2"
    )
    assert xpath_of(parse_expression("X != 2")) == "${X} != '' and ${X} != 2"
    assert xpath_of(parse_expression("selected(W, 2) or count(W) > 1")) == (
        "selected(${W}, '2') or count-selected(${W}) > 1"
    )
    assert xpath_of(parse_expression("not answered(T)")) == "not(${T} != '')"
    assert xpath_of(parse_expression("""T == 'it\\'s "x"'""")) == (
        """${T} = concat('it', "'", 's "x"')"""
    )


def test_a_stale_show_if_column_is_a_problem() -> None:
    original = load_question_set(CONDITIONS_YAML)
    book = load_workbook(io.BytesIO(question_set_to_xlsform(original)))
    survey = book["survey"]
    header = [cell.value for cell in survey[1]]
    column = header.index("relevant") + 1
    row = next(r for r in range(2, survey.max_row + 1) if survey.cell(r, 2).value == "A")
    survey.cell(row, column).value = "${S} = 3"
    stream = io.BytesIO()
    book.save(stream)
    problem = only(validate_xlsform(stream.getvalue()), "say different things")
    assert (problem.sheet, problem.line) == ("survey", row)


# --------------------------------------------------------------------------- export shape


def test_export_writes_standard_xlsform_with_our_extra_columns() -> None:
    book = load_workbook(io.BytesIO(question_set_to_xlsform(loaded(EXAMPLE))))
    assert book.sheetnames == ["survey", "choices", "settings", "vocabulary"]
    rows = [[cell.value for cell in row] for row in book["survey"].iter_rows()]
    header = rows[0]
    for column in ("type", "name", "label::nl", "label::en", "relevant", "battery", "sample"):
        assert column in header
    by_name = {
        row[header.index("name")]: dict(zip(header, row, strict=True))
        for row in rows[1:]
        if row[0] != "end group"
    }
    assert by_name["KNOW_BIO"]["type"] == "select_one know_bio"
    assert by_name["ACC_CRISPR"]["appearance"] == "likert"
    assert by_name["ACC_CRISPR"]["role"] == "acceptance"
    assert by_name["COND_CRISPR_SAFE"]["battery"] == "COND_CRISPR"
    assert by_name["COND_CRISPR_SAFE"]["condition"] == "safety"
    assert by_name["applications"]["sample"] == 1
    assert by_name["applications"]["randomize"] == "yes"
    assert by_name["TRUST_GOV"]["parameters"] == "start=0 end=10 step=1"
    assert by_name["WORRIES"]["constraint"] == "count-selected(.) <= 2"
    assert by_name["AGE"]["constraint"] == ". >= 16 and . <= 120"
    assert by_name["POSTCODE"]["constraint"] == "string-length(.) <= 4"
    assert by_name["WORRY_TEXT"]["appearance"] == "multiline"
    assert by_name["INFO_CRISPR"]["relevant"] == "${KNOW_BIO} = 1"
    assert by_name["crispr"]["hint::en"].startswith("With CRISPR-Cas")
    settings = [[cell.value for cell in row] for row in book["settings"].iter_rows()]
    values = dict(zip(settings[0], settings[1], strict=True))
    assert values["form_id"] == "biotech" and values["wave"] == "biotech-2026"
    assert values["consultation_title::en"] == "Citizen consultation on biotechnology"
    choices = [[cell.value for cell in row] for row in book["choices"].iter_rows()]
    assert [
        "acceptance5",
        9,
        "Weet niet / geen mening",
        "Don't know / no opinion",
        "dont_know",
    ] in [row[:5] for row in choices]


# --------------------------------------------------------------------------- import mapping

FULL_SURVEY: Rows = [
    [
        *SURVEY_HEADER,
        "hint::nl",
        "hint::en",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "parameters",
        "battery",
        "randomize",
        "sample",
        "role",
        "application",
        "condition",
    ],
    ["select_one yn", "KNOW", "Weet u het?", "Do you know?", None, None, "yes"],
    ["begin group", "p1", "Pagina", "Page", "Uitleg", "Explanation", None, "${KNOW} = 1"],
    ["note", "INFO", "Lees dit", "Read this"],
    ["integer", "AGE", "Leeftijd", "Age", None, None, None, None, ". >= 18 and . <= 120"],
    ["decimal", "INCOME", "Inkomen", "Income", None, None, None, None, ". >= 0.5"],
    [
        "select_multiple five",
        "W",
        "Zorgen",
        "Worries",
        None,
        None,
        None,
        None,
        "count-selected(.) <= 2",
    ],
    ["text", "T", "Tekst", "Text", None, None, None, None, "string-length(.) <= 50", "multiline"],
    ["text", "SHORT", "Kort", "Short", None, None, None, None, "string-length(.) <= 10"],
    [
        "range",
        "S",
        "Schuif",
        "Slide",
        None,
        None,
        None,
        None,
        None,
        "vertical",
        "start=0 end=5 step=1",
    ],
    ["rank five", "R", "Rangorde", "Rank"],
    [
        "select_one five",
        "LIK",
        "Schaal",
        "Scale",
        *[None] * 5,
        "likert",
        *[None] * 4,
        "acceptance",
        "crispr_crops",
    ],
    [
        "begin group",
        "BAT",
        "Voorwaarden",
        "Conditions",
        "Kies",
        "Choose",
        None,
        None,
        None,
        "field-list",
        None,
        None,
        "yes",
        None,
        "condition",
        "crispr_crops",
    ],
    [
        "select_one five",
        "BAT_A",
        "Veilig",
        "Safe",
        None,
        None,
        "yes",
        None,
        None,
        None,
        None,
        "BAT",
        None,
        None,
        None,
        None,
        "safety",
    ],
    [
        "select_one five",
        "BAT_B",
        "Eerlijk",
        "Fair",
        None,
        None,
        "yes",
        None,
        None,
        None,
        None,
        "BAT",
        None,
        None,
        None,
        None,
        "ethics",
    ],
    ["end group"],
    ["end group"],
    ["begin group", "apps", None, None, None, None, None, None, None, None, None, None, "yes", 1],
    ["begin group", "a1", "A1", "A1", None, None, None, "selected(${W}, '2') or not(${AGE} > 30)"],
    [
        "select_one five",
        "ACC_A1",
        "Aanvaardbaar?",
        "Acceptable?",
        None,
        None,
        None,
        None,
        None,
        "likert",
        None,
        None,
        None,
        None,
        "acceptance",
        "a_one",
    ],
    ["end group"],
    ["note", "A2", "Tweede", "Second", None, None, None, "${BAT_A} != 3"],
    ["end group"],
]
FIVE = [
    CHOICES_HEADER + ["missing", "exclusive"],
    *[["five", code, f"nl {code}", f"en {code}"] for code in (1, 2, 3, 4)],
    ["five", 9, "Weet niet", "Don't know", "dont_know", "yes"],
    ["yn", 1, "Ja", "Yes"],
    ["yn", 2, "Nee", "No"],
]
VOCABULARY: Rows = [
    ["kind", "code", "domain", "label::nl", "label::en", "accepting", "necessary", "dont_know"],
    ["domain", "green", None, "Groen", "Green"],
    ["domain", "red", None, "Rood", "Red"],
    ["condition", "safety", None, "Veiligheid", "Safety"],
    ["condition", "ethics", None, "Ethiek", "Ethics"],
    ["application", "crispr_crops", "green", "CRISPR-gewassen", "CRISPR crops"],
    ["application", "a_one", "red", "Toepassing 1", "Application 1"],
    ["scale", "five", None, None, None, "4", "1", "9"],
]


def test_import_maps_groups_types_constraints_and_roles() -> None:
    qset = load(
        FULL_SURVEY,
        FIVE,
        vocabulary=VOCABULARY,
        settings=[
            [
                "form_title",
                "form_title::en",
                "form_id",
                "version",
                "wave",
                "intro",
                "estimated_minutes",
            ],
            ["Titel", "Title", "My_Form", "2026.1", "w-2026", "Welkom", 12],
        ],
    )
    assert qset.consultation_slug == "my-form"
    assert qset.consultation_title.as_dict() == {"nl": "Titel", "en": "Title"}
    assert (qset.wave, qset.version_label, qset.estimated_minutes) == ("w-2026", "2026.1", 12)
    assert (
        qset.intro is not None and qset.intro.get("en") == "Welkom"
    )  # a lone intro: every language
    assert qset.languages == ("nl", "en")
    assert [page.id for page in qset.pages] == ["KNOW", "p1", "a1", "A2"]
    know = qset.item("KNOW")
    assert know.type == "single" and know.required and [c.code for c in know.choices] == [1, 2]
    page = qset.page("p1")
    assert page.title is not None and page.title.get("en") == "Page"
    assert page.intro is not None and page.intro.get("nl") == "Uitleg"
    assert page.show_if_source == "KNOW == 1"
    types = {item.code: item.type for item in page.items}
    assert types == {
        "INFO": "info",
        "AGE": "number",
        "INCOME": "number",
        "W": "multiple",
        "T": "textarea",
        "SHORT": "text",
        "S": "slider",
        "R": "ranking",
        "LIK": "likert",
        "BAT": "battery",
    }
    assert (qset.item("AGE").min, qset.item("AGE").max, qset.item("AGE").integer) == (18, 120, True)
    assert (qset.item("INCOME").min, qset.item("INCOME").integer) == (0.5, False)
    assert qset.item("W").max == 2
    assert qset.item("T").max_length == 50 and qset.item("SHORT").max_length == 10
    assert (qset.item("S").min, qset.item("S").max) == (0, 5)
    nine = qset.item("W").choice(9)
    assert nine is not None and nine.missing == "dont_know" and nine.exclusive
    battery = qset.item("BAT")
    assert battery.required and battery.randomize_rows and battery.help is not None
    assert [(row.code, row.condition) for row in battery.rows] == [
        ("BAT_A", "safety"),
        ("BAT_B", "ethics"),
    ]
    assert (battery.role, battery.application) == ("condition", "crispr_crops")
    application = qset.vocabulary.application("crispr_crops")
    assert application is not None and application.domain == "green"
    block = qset.block("apps")
    assert (block.randomize, block.sample, block.page_ids) == (True, 1, ("a1", "A2"))
    assert qset.page("a1").show_if_source == "selected(W, 2) or not AGE > 30"
    assert qset.item("A2").show_if_source == "not BAT_A == 3"
    assert qset.item("ACC_A1").role == "acceptance"
    assert qset.source.startswith("# Converted from an XLSForm workbook")
    assert structure(load_question_set(qset.source)) == structure(qset)
    # ... and the imported set exports and imports to itself.
    assert structure(xlsform_to_question_set(question_set_to_xlsform(qset))) == structure(qset)


@pytest.mark.parametrize(
    ("relevant", "expected"),
    [
        ("${KNOW} = 1", "KNOW == 1"),
        ("${KNOW}=1", "KNOW == 1"),
        ("${KNOW} = '2'", "KNOW == 2"),
        ("'2' = ${KNOW}", "KNOW == 2"),
        ("selected(${KNOW}, '1')", "KNOW == 1"),
        ("selected(${W}, '2')", "selected(W, 2)"),
        ("count-selected(${W}) >= 2", "count(W) >= 2"),
        ("${W} != ''", "answered(W)"),
        ("${AGE} = ''", "not answered(AGE)"),
        ("${AGE}", "answered(AGE)"),
        ("${AGE} != 30", "not AGE == 30"),
        ("${AGE} > -1 and ${AGE} <= 2.5", "AGE > -1 and AGE <= 2.5"),
        ("${AGE} >= '18'", "AGE >= 18"),
        ("${T} = 'ja'", "T == 'ja'"),
        ('${T} = "it\'s"', "T == 'it\\'s'"),
        ("not(${KNOW} = 1)", "not KNOW == 1"),
        ("not(${KNOW} = 1 or ${AGE} > 3)", "not (KNOW == 1 or AGE > 3)"),
        ("(${KNOW} = 1 or ${AGE} > 3) and ${T} = 'x'", "(KNOW == 1 or AGE > 3) and T == 'x'"),
        ("${KNOW} = 1 and ${AGE} > 3 or ${T} = 'x'", "KNOW == 1 and AGE > 3 or T == 'x'"),
        ("${YN} = 'yes'", "YN == 1"),
        ("selected(${YNM}, 'no')", "selected(YNM, 2)"),
    ],
)
def test_relevant_is_translated(relevant: str, expected: str) -> None:
    survey = [
        [*SURVEY_HEADER, "relevant"],
        ["select_one yn", "KNOW", "K", "K"],
        ["select_multiple yn", "W", "W", "W"],
        ["integer", "AGE", "A", "A"],
        ["text", "T", "T", "T"],
        ["select_one words", "YN", "Y", "Y"],
        ["select_multiple words", "YNM", "Y", "Y"],
        ["note", "LATER", "L", "L", relevant],
    ]
    choices = [*YES_NO, ["words", "yes", "ja", "yes"], ["words", "no", "nee", "no"]]
    assert load(survey, choices).item("LATER").show_if_source == expected


@pytest.mark.parametrize(
    ("relevant", "fragment"),
    [
        ("regex(${T}, '[0-9]+')", "the function regex() has no equivalent"),
        ("${AGE} + 1 > 3", "arithmetic"),
        ("${AGE} div 2 > 3", "arithmetic"),
        ("${T} = ‘x’", "typographic quote"),
        (". > 3", "'.'"),
        ("${KNOW} = 'maybe'", "'maybe' is not a choice of list yn"),
        ("${GPS} != ''", "refers to ${GPS}, which is not imported (row 3: type geopoint)"),
        ("count-selected(${W})", "must be compared"),
        ("${AGE} = 1 = 1", "chained"),
        ("(${AGE} = 1", "expected ')'"),
    ],
)
def test_untranslatable_relevant_names_the_row(relevant: str, fragment: str) -> None:
    survey = [
        [*SURVEY_HEADER, "relevant"],
        ["select_one yn", "KNOW", "K", "K"],
        ["geopoint", "GPS", "G", "G"],
        ["select_multiple yn", "W", "W", "W"],
        ["integer", "AGE", "A", "A"],
        ["text", "T", "T", "T"],
        ["note", "LATER", "L", "L", relevant],
    ]
    problem = only(problems_of(survey), fragment)
    assert (problem.sheet, problem.line) == ("survey", 7)
    assert str(problem).startswith("sheet survey, row 7: relevant ")


@pytest.mark.parametrize(
    ("xls_type", "constraint", "fragment"),
    [
        ("integer", "regex(., '[0-9]')", "cannot be used"),
        ("integer", ". >= ${AGE}", "only comparisons of the answer with a number"),
        ("integer", ". >= 1 or . <= 3", "only comparisons joined with 'and'"),
        ("integer", ". >= 1 and . >= 3", "minimum twice"),
        ("integer", ". = 3", "'=' cannot be translated"),
        ("decimal", ". > 0", "'>' cannot be translated here"),
        ("text", "string-length(.) >= 3", "a minimum text length is not supported"),
        ("select_one yn", ". != 1", "not supported on a select_one yn question"),
    ],
)
def test_unsupported_constraints_are_reported(
    xls_type: str, constraint: str, fragment: str
) -> None:
    survey = [
        [*SURVEY_HEADER, "constraint"],
        ["integer", "AGE", "A", "A"],
        [xls_type, "Q", "Q", "Q", constraint],
    ]
    problem = only(problems_of(survey), fragment)
    assert (problem.sheet, problem.line) == ("survey", 3)


def test_whole_number_bounds_accept_strict_comparisons() -> None:
    survey = [[*SURVEY_HEADER, "constraint"], ["integer", "AGE", "A", "A", "17 < . and . < 121"]]
    item = load(survey).item("AGE")
    assert (item.min, item.max) == (18, 120)


def test_validator_problems_point_at_sheet_rows() -> None:
    survey = [
        [*SURVEY_HEADER, "required"],
        ["select_one yn", "Q1", "Een", "One"],
        ["begin group", "p"],
        ["integer", "Q1", "Twee", None],
        ["note", "N", "Noot", "Note", "yes"],
        ["select_one nolist", "Q3", "Drie", "Three"],
        ["end group"],
    ]
    choices = [*YES_NO, ["yn", 1, "Weer", "Again"]]
    problems = problems_of(survey, choices)
    duplicate = only(problems, "duplicate item code Q1")
    assert (duplicate.sheet, duplicate.line) == ("survey", 4)
    assert "first defined on sheet survey, row 2" in duplicate.message
    assert only(problems, "no English (en) version").line == 4
    assert only(problems, "info item").line == 5
    assert only(problems, "choice list 'nolist'").line == 6
    option = only(problems, "duplicate option code 1")
    assert (option.sheet, option.line) == ("choices", 4)
    assert "first defined on sheet choices, row 2" in option.message
    # ... and nothing is loaded.
    with pytest.raises(QuestionSetError) as error:
        xlsform_to_question_set(workbook(survey, choices))
    assert error.value.problems == problems
    assert "sheet survey, row 4: duplicate item code Q1" in str(error.value)


@pytest.mark.parametrize(
    ("survey", "choices", "expected"),
    [
        (
            [SURVEY_HEADER, ["text", "NAME", "Naam", "Name"], ["integer", "NAME", "Jaar", "Age"]],
            YES_NO,
            "sheet survey, row 3: duplicate item code NAME (first defined on sheet survey, row 2)",
        ),
        (
            [
                [*SURVEY_HEADER, "battery"],
                ["text", "R1", "Naam", "Name"],
                ["begin group", "BAT", "B", "B"],
                ["select_one yn", "R1", "r", "r", "BAT"],
                ["end group"],
            ],
            YES_NO,
            "sheet survey, row 4: duplicate row code R1 (first defined on sheet survey, row 2)",
        ),
        (
            [
                SURVEY_HEADER,
                ["begin group", "p", "P", "P"],
                ["text", "A", "a", "a"],
                ["end group"],
                ["begin group", "p", "P", "P"],
                ["text", "B", "b", "b"],
                ["end group"],
            ],
            YES_NO,
            "sheet survey, row 5: duplicate page id p (first defined on sheet survey, row 2)",
        ),
        (
            [SURVEY_HEADER, ["select_one yn", "Q", "V", "Q"]],
            [*YES_NO, ["yn", 1, "Weer", "Again"]],
            "sheet choices, row 4: duplicate option code 1 in choice list yn "
            "(first defined on sheet choices, row 2)",
        ),
        (
            [[*SURVEY_HEADER, "required"], ["note", "1N", "Noot", "Note", "yes"]],
            YES_NO,
            "sheet survey, row 2: the item on sheet survey, row 2 is an info item and has no "
            "answer to require",
        ),
    ],
)
def test_workbook_problems_are_located_in_the_workbook_without_yaml(
    survey: Rows, choices: Rows, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validator reads the tree the workbook was read into, so a problem, and the other row
    it refers to, are found by sheet and row with no YAML text read in between."""

    def no_yaml(loader: object) -> None:
        raise AssertionError("a workbook was validated by reading YAML")

    monkeypatch.setattr(_LineLoader, "get_single_data", no_yaml)
    problems = problems_of(survey, choices)
    assert expected in [str(problem) for problem in problems], messages(problems)


def test_a_nested_row_is_named_in_the_readers_language() -> None:
    survey = [SURVEY_HEADER, ["text", "NAME", "Naam", "Name"], ["integer", "NAME", "Jaar", "Age"]]
    problem = only(problems_of(survey), "duplicate item code")
    assert problem.render("nl") == (
        "blad survey, rij 3: vraagcode NAME komt twee keer voor (eerst op blad survey, rij 2)"
    )


def test_problems_of_one_row_are_listed_as_a_yaml_file_lists_them() -> None:
    """On one row the problems follow the row's entries (show_if before role), as they follow
    the lines of the equivalent YAML file, not the order the validator found them in."""
    survey = [
        [*SURVEY_HEADER, "relevant", "role"],
        ["integer", "AGE", "Leeftijd", "Age", "${LATER} = 1", "bogus"],
        ["select_one yn", "LATER", "Later", "Later"],
    ]
    head = HEAD.replace("[nl]", "[nl, en]") + (
        "choice_lists:\n  yn:\n    - {code: 1, label: {nl: Ja, en: Yes}}\n"
        "    - {code: 2, label: {nl: Nee, en: No}}\n"
    )
    yaml = question_set_yaml(
        """\
- id: AGE
  items:
    - code: AGE
      type: number
      text: {nl: Leeftijd, en: Age}
      show_if: LATER == 1
      role: bogus
- id: LATER
  items:
    - {code: LATER, type: single, text: {nl: Later, en: Later}, choices: yn}
""",
        head,
    )
    from_yaml = [problem.message for problem in validate_text(yaml)]
    assert [problem.message for problem in problems_of(survey)] == from_yaml
    assert [message.split(" ")[0] for message in from_yaml] == ["show_if", "item"]


def test_problem_keeps_its_yaml_form() -> None:
    assert str(Problem(3, "x")) == "line 3: x"
    assert str(Problem(3, "x", sheet="survey")) == "sheet survey, row 3: x"
    assert str(Problem(None, "x", sheet="settings")) == "sheet settings: x"
    assert Problem(3, "x") == Problem(3, "x", None)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "xls_type",
    [
        "geopoint",
        "image",
        "barcode",
        "calculate",
        "select_one_from_file places.csv",
        "date",
        "time",
        "acknowledge",
        "hidden",
        "audio",
        "file",
        "start",
        "deviceid",
        "select_one yn or_other",
        "select one from yn or specify other",
        "phone number",
        "select_one",
    ],
)
def test_unsupported_types_are_reported_with_row_and_type(xls_type: str) -> None:
    survey = [SURVEY_HEADER, ["text", "OK", "Goed", "Fine"], [xls_type, "BAD", "Fout", "Wrong"]]
    problems = problems_of(survey)
    assert len(problems) == 1, messages(problems)
    assert (problems[0].sheet, problems[0].line) == ("survey", 3)
    assert f"type '{xls_type}'" in problems[0].message


def test_repeats_are_reported_and_their_rows_left_out() -> None:
    survey = [
        [*SURVEY_HEADER, "relevant"],
        ["begin repeat", "kids", "Kinderen", "Children"],
        ["integer", "KID_AGE", "Leeftijd", "Age"],
        ["geopoint", "WHERE", "Waar", "Where"],
        ["begin repeat", "toys", "Speelgoed", "Toys"],
        ["text", "TOY", "Speelgoed", "Toy"],
        ["end repeat"],
        ["end repeat"],
        ["note", "AFTER", "Na", "After", "${KID_AGE} > 3"],
    ]
    problems = problems_of(survey)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (2, "type 'begin repeat' (question kids)"),
        (4, "type 'geopoint' (question WHERE)"),
        (5, "type 'begin repeat' (question toys)"),
        (9, "relevant '${KID_AGE} > 3' cannot be used"),
    ]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        (["text", "Q", "V", "Q", "x", None, None], "choice_filter"),
        (["text", "Q", "V", "Q", None, "3", None], "default answers are not supported"),
        (["text", "Q", "V", "Q", None, None, "a.jpg"], "images, audio and video"),
    ],
)
def test_unsupported_columns_are_reported(row: list[object], fragment: str) -> None:
    survey = [[*SURVEY_HEADER, "choice_filter", "default", "media::image"], row]
    assert only(problems_of(survey), fragment).line == 2


def test_structure_problems() -> None:
    survey = [
        [*SURVEY_HEADER, "battery", "sample", "hint::nl"],
        ["end group"],
        ["begin group", "outer", None, None, None, None, "Uitleg"],
        ["begin group", "mid"],
        ["begin group", "inner"],
        ["note", "N", "n", "n"],
        ["end group"],
        ["end group"],
        ["begin group", "pg", None, None, None, 2],
        ["text", "ROW", "r", "r", "OTHER"],
        ["end group"],
        ["end group"],
        ["begin group", "open"],
        ["note", "M", "m", "m"],
    ]
    problems = problems_of(survey)
    assert only(problems, "has no matching 'begin group'").line == 2
    assert only(problems, "column hint cannot be used on a group of groups").line == 3
    assert only(problems, "cannot contain another block").line == 4
    assert only(problems, "column sample cannot be used on a group (a page)").line == 9
    assert only(problems, "not inside a group named OTHER").line == 10
    assert only(problems, "group open has no 'end group'").line == 13


def test_battery_rows_must_agree() -> None:
    survey = [
        [*SURVEY_HEADER, "battery", "required", "hint::nl"],
        ["begin group", "BAT", "B", "B"],
        ["select_one yn", "R1", "r1", "r1", "BAT", "yes"],
        ["select_one five", "R2", "r2", "r2", "BAT"],
        ["integer", "R3", "r3", "r3", "BAT"],
        ["select_one yn", "R4", "r4", "r4", "NOT_BAT", None, "help"],
        ["end group"],
    ]
    problems = problems_of(survey, [*YES_NO, ["five", 1, "een", "one"]])
    assert only(problems, "must use list yn, not five").line == 4
    assert only(problems, "can only hold select_one rows").line == 5
    assert only(problems, "needs battery = BAT").line == 6
    assert only(problems, "column hint cannot be used on a battery row").line == 6
    assert only(problems, "must all be required or none").line == 2


def test_choice_names_must_be_whole_numbers_unless_all_are_words() -> None:
    survey = [SURVEY_HEADER, ["select_one mixed", "Q", "V", "Q"]]
    choices = [CHOICES_HEADER, ["mixed", 1, "een", "one"], ["mixed", "two", "twee", "two"]]
    problem = only(problems_of(survey, choices), "is not a whole number")
    assert (problem.sheet, problem.line) == ("choices", 3)
    words = [CHOICES_HEADER, ["mixed", "a", "A", "A"], ["mixed", "b", "B", "B"]]
    assert [c.code for c in load(survey, words).item("Q").choices] == [1, 2]
    twice = [*words, ["mixed", "a", "A2", "A2"]]
    assert only(problems_of(survey, twice), "appears twice in list mixed").line == 4
    decimal = [CHOICES_HEADER, ["mixed", 1, "een", "one"], ["mixed", 1.5, "anderhalf", "1.5"]]
    assert only(problems_of(survey, decimal), "'1.5' in list mixed is not a whole").line == 3


def test_duplicate_columns_are_a_problem() -> None:
    survey = [["type", "name", "label", "Label", "label::nl"], ["note", "N", "a", "b", "c"]]
    problems = problems_of(survey, None)
    assert only(problems, "columns C ('label') and D ('Label') are the same column").line == 1
    assert only(problems, "are both the nl label").line == 1


def test_case_insensitive_sheets_columns_and_languages() -> None:
    survey = [
        ["TYPE", "Name", "Label::Nederlands (nl)", "LABEL::English (en)", "Hint:English"],
        ["text", "Q", "Vraag", "Question", None],
        ["select one from yn", "Y", "Ja?", "Yes?", None],
    ]
    choices = [["List Name", "NAME", "label::NL", "label::EN"], ["yn", 1, "Ja", "Yes"]]
    data = workbook(survey, choices, settings=None, titles=("Survey", "CHOICES", "Settings"))
    qset = xlsform_to_question_set(data, filename="Mijn vragen.xlsx")
    assert qset.languages == ("nl", "en")
    question = qset.item("Q").text
    assert question is not None and question.get("en") == "Question"
    assert (qset.consultation_slug, qset.wave) == ("mijn-vragen", "mijn-vragen-draft")
    # the help is only in English, which the validator reports for the Dutch side
    problem_survey = [*survey[:2], ["note", "N", "Noot", "Note", "Only English"]]
    problem = only(validate_xlsform(workbook(problem_survey, choices)), "help of item N")
    assert (problem.sheet, problem.line) == ("survey", 3)


def test_languages() -> None:
    english_only = [["type", "name", "label::English (en)"], ["text", "Q", "What?"]]
    qset = load(english_only, None, settings=None)
    assert qset.languages == ("nl",) and str(qset.item("Q").text) == "What?"
    assert qset.consultation_slug == "xlsform"  # bytes without a name, no form_id
    plain_default_en = [["type", "name", "label", "label::nl"], ["text", "Q", "What?", "Wat?"]]
    settings = [["default_language"], ["English (en)"]]
    qset = load(plain_default_en, None, settings=settings)
    text = qset.item("Q").text
    assert text is not None and text.as_dict() == {"nl": "Wat?", "en": "What?"}
    french = [["type", "name", "label::nl", "label::French (fr)"], ["text", "Q", "Wat?", "Quoi?"]]
    problem = only(problems_of(french, None), "does not offer (fr)")
    assert (problem.sheet, problem.line) == ("survey", 1)
    no_dutch = [["type", "name", "label::en", "label::fr"], ["text", "Q", "What?", "Quoi?"]]
    problem = only(problems_of(no_dutch, None), "has no Dutch texts")
    assert problem.sheet is None


def test_unreadable_workbooks_are_one_problem() -> None:
    problems = validate_xlsform(b"this is not a zip file")
    assert len(problems) == 1 and "not a readable Excel workbook" in problems[0].message
    problems = validate_xlsform(workbook([["a"], ["b"]], None, None, ("questions", "x", "y")))
    assert [p.message for p in problems] == [
        "the workbook has no 'survey' sheet, so it is not an XLSForm"
    ]
    with pytest.raises(QuestionSetError):
        xlsform_to_question_set(b"")


def test_load_path_and_validate_path_dispatch_on_suffix(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(question_set_to_xlsform(loaded(EXAMPLE)))
    assert structure(load_path(path)) == structure(loaded(EXAMPLE))
    assert validate_path(path) == []
    assert structure(load_path(EXAMPLE)) == structure(loaded(EXAMPLE))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook([SURVEY_HEADER, ["geopoint", "G", "g", "g"]]))
    assert [(p.sheet, p.line) for p in validate_path(broken)] == [("survey", None), ("survey", 2)]


# --------------------------------------------------------------------------- interop files

#: Per file: None when it loads, else the rows reported as unsupported types (row -> type).
INTEROP_TYPES: dict[str, dict[int, str] | None] = {
    "text_and_integer.xlsx": None,
    "yes_or_no_question.xlsx": None,
    "extra_columns.xlsx": None,
    "field-list.xlsx": {},
    "group.xlsx": {4: "phone number"},
    "loop.xlsx": {
        2: "select all that apply from toilet_type or specify other",
        3: "begin loop over toilet_type",
    },
    "or_other.xlsx": {2: "select_one colors or_other"},
    "specify_other.xlsx": {2: "select one from sexes or specify other"},
    "choice_filter_test.xlsx": {},
    "case_insensitivity.xlsx": {3: "select_one_external c1", 4: "osm c1"},
    "duplicate_columns.xlsx": {
        16: "begin repeat",
        31: "acknowledge",
        32: "date",
        33: "time",
        34: "datetime",
        35: "geopoint",
        36: "barcode",
        37: "image",
        38: "audio",
        39: "video",
        41: "calculate",
        43: "start",
        45: "end",
        47: "today",
        49: "deviceid",
        51: "simserial",
        53: "phonenumber",
    },
    "xlsform_spec_test.xlsx": {
        15: "begin repeat",
        30: "acknowledge",
        31: "date",
        32: "time",
        33: "datetime",
        34: "geopoint",
        35: "barcode",
        36: "image",
        37: "audio",
        38: "video",
        40: "calculate",
        42: "start",
        44: "end",
        46: "today",
        48: "deviceid",
        50: "uri:deviceid",
        52: "phonenumber",
    },
    "UCL_Biomass_Plot_Form.xlsx": {
        11: "start",
        12: "end",
        16: "select_one_from_file UCL_regions.csv",
        17: "select_one_from_file  UCL_districts.csv",
        18: "select_one_from_file UCL_villages.csv",
        20: "select_one_from_file ULC_Biomass_Plots.csv",
        22: "geopoint",
        23: "image",
        26: "calculate",
        27: "calculate",
        32: "begin repeat",
        33: "calculate",
        35: "select_one_from_file species_names.csv",
        39: "calculate",
        43: "begin repeat",
        44: "calculate",
        46: "image",
        56: "begin repeat",
        57: "select_one_from_file species_names.csv",
        65: "image",
        72: "begin repeat",
        73: "select_one_from_file species_names.csv",
        80: "begin repeat",
        81: "select_one_from_file species_names.csv",
        91: "deviceid",
    },
}

#: Other problems each refused file must report (message fragments, with their row).
INTEROP_OTHER: dict[str, list[tuple[int | None, str]]] = {
    "field-list.xlsx": [
        (1, "column 'label::chinese' is in a language the platform does not offer"),
        (3, "the text of item table_list_question has no Dutch (nl) version"),
    ],
    "loop.xlsx": [(None, "there are no questions left that can be imported")],
    "or_other.xlsx": [(3, "choice_filter (cascading choices) is not supported")],
    "choice_filter_test.xlsx": [
        (3, "choice_filter (cascading choices) is not supported"),
        (4, "choice_filter (cascading choices) is not supported"),
        (6, "choice name 'king' appears twice in list counties"),
    ],
    "case_insensitivity.xlsx": [(None, "ODK entities (the entities sheet) are not supported")],
    "duplicate_columns.xlsx": [
        (1, "columns D ('label') and E ('label') are the same column"),
        (7, "the function regex() has no equivalent"),
        (15, "default answers are not supported"),
    ],
    "xlsform_spec_test.xlsx": [
        (57, "appearance ex:... (an external app) is not supported"),
        (54, "item code '_1' is not valid"),
    ],
    "UCL_Biomass_Plot_Form.xlsx": [
        (None, "the form has no Dutch texts (languages found: sw, en)"),
        (9, "typographic quote"),
        (10, "constraint 'regex("),
    ],
}


def interop_file(name: str) -> Path:
    return interop("xlsform", name)


def test_every_interop_file_has_expectations() -> None:
    folder = interop("xlsform")
    assert {path.name for path in folder.glob("*.xlsx")} == set(INTEROP_TYPES)


@pytest.mark.parametrize("name", sorted(INTEROP_TYPES))
def test_interop_file(name: str) -> None:
    path = interop_file(name)
    try:
        xlsform_to_question_set(path)
        problems: list[Problem] = []
    except QuestionSetError as error:  # never half-loaded: the problems come with the refusal
        problems = error.problems
        assert problems == validate_xlsform(path.read_bytes(), filename=path.name)
    expected = INTEROP_TYPES[name]
    if expected is None:
        assert problems == [], messages(problems)
        qset = xlsform_to_question_set(path)
        assert qset.languages == ("nl",)
        assert all(item.role is None for item in qset.all_items())
        return
    reported = {
        problem.line: problem.message
        for problem in problems
        if problem.message.startswith("type '")
    }
    assert {row: message.split("'")[1] for row, message in reported.items()} == expected
    for problem in problems:
        assert problem.sheet is not None or problem.line is None
    for row, fragment in INTEROP_OTHER.get(name, []):
        assert any(p.line == row and fragment in p.message for p in problems), (
            f"{fragment!r} on row {row} not in:\n{messages(problems)}"
        )


def test_interop_sets_that_load_look_right() -> None:
    yes_no = xlsform_to_question_set(interop_file("yes_or_no_question.xlsx"))
    assert yes_no.consultation_slug == "yes-or-no-question"
    assert yes_no.wave == "yes-or-no-question-draft"
    item = yes_no.item("good_day")
    assert item.type == "single"
    assert [(c.code, str(c.label)) for c in item.choices] == [(1, "yes"), (2, "no")]
    text_int = xlsform_to_question_set(interop_file("text_and_integer.xlsx"))
    assert [(i.code, i.type) for i in text_int.all_items()] == [
        ("your_name", "text"),
        ("your_age", "number"),
    ]
    assert [page.id for page in text_int.pages] == ["your_name", "your_age"]
