"""Question types: reading forms, validating, and the encode/decode round trip."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from surveys.loader import load_file
from surveys.messages import Message, plural_message, render
from surveys.model import AnswerCell, Choice, Item, Row, Text
from surveys.types import (
    INVALID_CHOICE,
    QUESTION_TYPES,
    REQUIRED_CHOICE,
    Bounds,
    ParsedValue,
    QuestionType,
    answers_from_cells,
    decode,
    encode,
    flatten,
    parse_page,
    question_type,
)
from tests.surveys.survey_helpers import EXAMPLE

Form = Mapping[str, Sequence[str]]


def choices(*codes: int, exclusive: int | None = None) -> tuple[Choice, ...]:
    return tuple(
        Choice(code, Text.of(f"Optie {code}"), exclusive=code == exclusive) for code in codes
    )


SINGLE = Item("S", "single", Text.of("Vraag"), choices=choices(1, 2, 3, 9))
LIKERT = Item("L", "likert", Text.of("Vraag"), required=True, choices=choices(1, 2, 3, 4, 5))
MULTIPLE = Item("M", "multiple", Text.of("Vraag"), choices=choices(1, 2, 3, 4, exclusive=4))
MULTIPLE_LIMITS = Item(
    "ML", "multiple", Text.of("Vraag"), choices=choices(1, 2, 3, 4), min=2, max=3
)
BATTERY = Item(
    "B",
    "battery",
    Text.of("Stellingen"),
    choices=choices(1, 2, 3),
    rows=(Row("B_1", Text.of("Een")), Row("B_2", Text.of("Twee")), Row("B_3", Text.of("Drie"))),
)
RANKING = Item("R", "ranking", Text.of("Volgorde"), choices=choices(10, 20, 30))
NUMBER = Item("N", "number", Text.of("Leeftijd"), min=16, max=120)
DECIMAL = Item("D", "number", Text.of("Bedrag"), integer=False, min=0)
SLIDER = Item("SL", "slider", Text.of("Cijfer"), min=0, max=10)
TEXT = Item("T", "text", Text.of("Plaats"), max_length=10)
TEXTAREA = Item("TA", "textarea", Text.of("Toelichting"), max_length=50)
INFO = Item("I", "info", Text.of("Uitleg"))


def required(item: Item) -> Item:
    """The same item with required: true (Item is frozen)."""
    fields = {name: getattr(item, name) for name in item.__dataclass_fields__}
    return Item(**{**fields, "required": True})


def parse(item: Item, form: Form) -> tuple[ParsedValue | None, Message | None]:
    return question_type(item).parse(item, form)


# --------------------------------------------------------------------------- registry


def test_registry_has_every_documented_type() -> None:
    readme = (Path(__file__).parents[2] / "surveys" / "README.md").read_text(encoding="utf-8")
    table = readme.split("| type | answer | keys |", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, re.MULTILINE)
    assert documented == list(QUESTION_TYPES)
    for name, kind in QUESTION_TYPES.items():
        assert kind.name == name
        assert kind.template == f"public/items/{name}.html"


@pytest.mark.parametrize("kind", QUESTION_TYPES.values(), ids=lambda kind: kind.name)
def test_every_type_declares_what_the_rest_of_the_platform_reads(kind: QuestionType) -> None:
    """The loader, the web app, the counts, the results, the export and the simulation read these
    declarations instead of the type's name, so they have to agree with its keys."""
    assert (Path(__file__).parents[2] / "templates" / kind.template).is_file()
    assert kind.xlsform_type
    assert kind.has_choices == ("choices" in kind.keys)
    assert kind.per_row == ("rows" in kind.keys)
    assert (kind.bounds is not None) == ("min" in kind.keys)
    if kind.bounds is Bounds.SCALE:
        assert kind.default_min is not None and kind.default_max is not None


# --------------------------------------------------------------------------- valid answers


#: Valid forms: what each gives, and the cells it is stored as.
VALID: list[tuple[Item, Form, ParsedValue, list[AnswerCell]]] = [
    (SINGLE, {"S": ["2"]}, 2, [AnswerCell("S", option=2)]),
    (SINGLE, {"S": [" 9 "]}, 9, [AnswerCell("S", option=9)]),
    (LIKERT, {"L": ["5"]}, 5, [AnswerCell("L", option=5)]),
    (
        MULTIPLE,
        {"M": ["3", "1", "3"]},
        frozenset({1, 3}),
        [AnswerCell("M", option=1), AnswerCell("M", option=3)],
    ),
    (MULTIPLE, {"M": ["4"]}, frozenset({4}), [AnswerCell("M", option=4)]),
    (
        BATTERY,
        {"B_1": ["3"], "B_3": ["1"]},
        {"B_1": 3, "B_3": 1},
        [AnswerCell("B_1", option=3), AnswerCell("B_3", option=1)],
    ),
    (
        RANKING,
        {"R.10": ["2"], "R.20": ["3"], "R.30": ["1"]},
        (30, 10, 20),
        [
            AnswerCell("R", option=30, number=1.0),
            AnswerCell("R", option=10, number=2.0),
            AnswerCell("R", option=20, number=3.0),
        ],
    ),
    (NUMBER, {"N": ["42"]}, 42, [AnswerCell("N", number=42.0)]),
    (NUMBER, {"N": [" 16 "]}, 16, [AnswerCell("N", number=16.0)]),
    (NUMBER, {"N": ["1 20"]}, 120, [AnswerCell("N", number=120.0)]),
    (DECIMAL, {"D": ["3,5"]}, 3.5, [AnswerCell("D", number=3.5)]),
    (DECIMAL, {"D": ["3.25"]}, 3.25, [AnswerCell("D", number=3.25)]),
    (DECIMAL, {"D": ["7"]}, 7.0, [AnswerCell("D", number=7.0)]),
    (SLIDER, {"SL": ["0"]}, 0, [AnswerCell("SL", number=0.0)]),
    (SLIDER, {"SL": ["10"]}, 10, [AnswerCell("SL", number=10.0)]),
    (TEXT, {"T": ["  Utrecht  "]}, "Utrecht", [AnswerCell("T", text="Utrecht")]),
    (
        TEXTAREA,
        {"TA": ["Regel een\r\nRegel\ttwee"]},
        "Regel een\nRegel\ttwee",
        [AnswerCell("TA", text="Regel een\nRegel\ttwee")],
    ),
]


@pytest.mark.parametrize(("item", "form", "value", "cells"), VALID)
def test_parse_encode_decode_round_trip(
    item: Item, form: Form, value: ParsedValue, cells: list[AnswerCell]
) -> None:
    parsed, error = parse(item, form)
    assert error is None
    assert parsed == value
    assert type(parsed) is type(value)
    assert encode(item, parsed) == cells
    decoded = decode(item, cells)
    assert decoded == value
    assert type(decoded) is type(value)


@pytest.mark.parametrize(("item", "form", "value", "cells"), VALID)
def test_a_revisited_page_sends_the_stored_answer_again(
    item: Item, form: Form, value: ParsedValue, cells: list[AnswerCell]
) -> None:
    """The fields a page is filled in with, from the stored cells, parse to the same answer."""
    fields = question_type(item).form_fields(item, flatten(item, decode(item, cells)))
    parsed, error = parse(item, fields)
    assert error is None
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    "item", [SINGLE, MULTIPLE, BATTERY, RANKING, NUMBER, DECIMAL, SLIDER, TEXT, TEXTAREA, INFO]
)
def test_empty_optional_answer_is_none_and_stores_nothing(item: Item) -> None:
    assert parse(item, {}) == (None, None)
    assert parse(item, {item.code: ["", "  "]}) == (None, None)
    assert encode(item, None) == []
    assert decode(item, []) is None


def test_decode_ignores_cells_of_other_items() -> None:
    cells = [AnswerCell("X", option=1), AnswerCell("S", option=3), AnswerCell("B_2", option=2)]
    assert decode(SINGLE, cells) == 3
    assert decode(BATTERY, cells) == {"B_2": 2}
    assert decode(MULTIPLE, cells) is None


def test_info_never_has_an_answer() -> None:
    assert parse(INFO, {"I": ["anything"]}) == (None, None)
    assert encode(INFO, None) == []


def test_werkzeug_like_multidict_is_accepted() -> None:
    class MultiDict(dict[str, str]):
        def __init__(self, pairs: list[tuple[str, str]]) -> None:
            super().__init__(pairs)
            self.pairs = pairs

        def getlist(self, key: str) -> list[str]:
            return [value for name, value in self.pairs if name == key]

    form = MultiDict([("M", "1"), ("M", "2")])
    assert parse(MULTIPLE, form) == (frozenset({1, 2}), None)


def test_a_plain_string_value_counts_as_one_value() -> None:
    assert parse(SINGLE, {"S": "2"}) == (2, None)


# --------------------------------------------------------------------------- validation errors


#: What each kind of validation problem says to a Dutch respondent ({name}: the parameter).
DUTCH = {
    "required_choice": "Kies een antwoord.",
    "required_text": "Vul een antwoord in.",
    "required_rows": "Geef op elke regel een antwoord.",
    "required_ranking": "Zet de opties in volgorde: geef elke optie een plaats.",
    "invalid_choice": "Deze keuze bestaat niet. Kies een van de antwoorden.",
    "choose_one": "Kies maar één antwoord.",
    "choose_at_least": "Kies ten minste {min} antwoorden.",
    "choose_at_most": "Kies ten hoogste {max} antwoorden.",
    "exclusive": "U kunt ‘{option}’ niet samen met een ander antwoord kiezen.",
    "rank_all": "Deze keuzes hebben nog geen plaats: {options}. Geef elke keuze een plaats van 1 "
    "tot en met {count}.",
    "rank_unique": "U gaf plaats {places} aan meer dan één keuze. Gebruik elke plaats maar één "
    "keer.",
    "rank_range": "Gebruik alleen de plaatsen 1 tot en met {count}.",
    "invalid_number": "Vul een getal in, bijvoorbeeld 12 of 3,5.",
    "whole_number": "Vul een heel getal in, zonder komma of punt.",
    "number_range": "Vul een getal in tussen {min} en {max}.",
    "number_min": "Vul een getal in van {min} of meer.",
    "number_max": "Vul een getal in van {max} of minder.",
    "too_long": "Gebruik ten hoogste {max} tekens. U gebruikt er nu {length}.",
    "single_line": "Schrijf uw antwoord op één regel.",
    "invalid_characters": "Uw tekst bevat tekens die niet zijn toegestaan. Haal die weg.",
}


@pytest.mark.parametrize(
    ("item", "form", "key", "params"),
    [
        (required(SINGLE), {}, "required_choice", {}),
        (LIKERT, {"L": [""]}, "required_choice", {}),
        (required(MULTIPLE), {}, "required_choice", {}),
        (required(BATTERY), {"B_1": ["1"], "B_2": ["2"]}, "required_rows", {}),
        (required(RANKING), {}, "required_ranking", {}),
        (required(NUMBER), {"N": [" "]}, "required_text", {}),
        (required(SLIDER), {}, "required_choice", {}),
        (required(TEXT), {"T": ["   "]}, "required_text", {}),
        (required(TEXTAREA), {}, "required_text", {}),
        # tampered option codes
        (SINGLE, {"S": ["7"]}, "invalid_choice", {}),
        (SINGLE, {"S": ["abc"]}, "invalid_choice", {}),
        (SINGLE, {"S": ["1.0"]}, "invalid_choice", {}),
        (SINGLE, {"S": ["1", "2"]}, "choose_one", {}),
        (LIKERT, {"L": ["0"]}, "invalid_choice", {}),
        (MULTIPLE, {"M": ["1", "99"]}, "invalid_choice", {}),
        (BATTERY, {"B_1": ["1"], "B_2": ["5"]}, "invalid_choice", {}),
        (BATTERY, {"B_1": ["1", "2"]}, "invalid_choice", {}),
        (
            RANKING,
            {"R.10": ["1"], "R.20": ["2"], "R.30": ["3"], "R.40": ["4"]},
            "invalid_choice",
            {},
        ),
        # multiple: limits and exclusive options
        (MULTIPLE_LIMITS, {"ML": ["1"]}, "choose_at_least", {"min": 2}),
        (MULTIPLE_LIMITS, {"ML": ["1", "2", "3", "4"]}, "choose_at_most", {"max": 3}),
        (MULTIPLE, {"M": ["1", "4"]}, "exclusive", {"option": Text.of("Optie 4")}),
        # ranking
        (
            RANKING,
            {"R.10": ["1"], "R.20": ["2"]},
            "rank_all",
            {"options": Text.of("‘Optie 30’"), "count": 3},
        ),
        (
            RANKING,
            {"R.10": ["1"], "R.20": ["1"], "R.30": ["2"]},
            "rank_unique",
            {"places": "1", "count": 1},
        ),
        (RANKING, {"R.10": ["1"], "R.20": ["2"], "R.30": ["4"]}, "rank_range", {"count": 3}),
        (RANKING, {"R.10": ["0"], "R.20": ["2"], "R.30": ["3"]}, "rank_range", {"count": 3}),
        (RANKING, {"R.10": ["een"], "R.20": ["2"], "R.30": ["3"]}, "rank_range", {"count": 3}),
        # numbers
        (NUMBER, {"N": ["veertig"]}, "invalid_number", {}),
        (NUMBER, {"N": ["4e1"]}, "invalid_number", {}),
        (NUMBER, {"N": ["nan"]}, "invalid_number", {}),
        (NUMBER, {"N": ["1" * 16]}, "invalid_number", {}),
        (NUMBER, {"N": ["42,5"]}, "whole_number", {}),
        (NUMBER, {"N": ["1.000"]}, "whole_number", {}),
        (NUMBER, {"N": ["15"]}, "number_range", {"min": 16, "max": 120}),
        (NUMBER, {"N": ["121"]}, "number_range", {"min": 16, "max": 120}),
        (DECIMAL, {"D": ["-0,5"]}, "number_min", {"min": 0}),
        (
            Item("NX", "number", Text.of("Aantal"), max=5),
            {"NX": ["6"]},
            "number_max",
            {"max": 5},
        ),
        (SLIDER, {"SL": ["11"]}, "number_range", {"min": 0, "max": 10}),
        (SLIDER, {"SL": ["-1"]}, "number_range", {"min": 0, "max": 10}),
        (SLIDER, {"SL": ["5.5"]}, "whole_number", {}),
        # texts
        (TEXT, {"T": ["Amsterdam-Zuid"]}, "too_long", {"max": 10, "length": 14}),
        (TEXTAREA, {"TA": ["x" * 51]}, "too_long", {"max": 50, "length": 51}),
        (TEXT, {"T": ["een\ntwee"]}, "single_line", {}),
        (TEXT, {"T": ["tab\there"]}, "invalid_characters", {}),
        (TEXT, {"T": ["bel\x07"]}, "invalid_characters", {}),
        (TEXTAREA, {"TA": ["nul\x00byte"]}, "invalid_characters", {}),
        (TEXTAREA, {"TA": ["escape\x1b[31m"]}, "invalid_characters", {}),
    ],
)
def test_validation_errors(item: Item, form: Form, key: str, params: dict[str, object]) -> None:
    value, error = parse(item, form)
    assert value is None and error is not None
    assert error.params == params
    shown = {name: p.get("nl") if isinstance(p, Text) else p for name, p in params.items()}
    assert render(error, "nl") == DUTCH[key].format(**shown)
    english = render(error, "en")
    in_english = {name: p.get("en") if isinstance(p, Text) else p for name, p in params.items()}
    expected = error.text if error.plural is None or params.get("count") == 1 else error.plural
    assert english == expected % in_english
    assert "%(" not in english


def test_exclusive_option_alone_satisfies_min() -> None:
    item = Item("MX", "multiple", Text.of("Vraag"), choices=choices(1, 2, 3, exclusive=3), min=2)
    assert parse(item, {"MX": ["3"]}) == (frozenset({3}), None)
    assert parse(item, {"MX": ["1"]}) == (None, AT_LEAST_TWO)


def test_default_text_limits_apply_without_max_length() -> None:
    text = Item("T2", "text", Text.of("Kort"))
    area = Item("A2", "textarea", Text.of("Lang"))
    assert parse(text, {"T2": ["x" * 200]})[1] is None
    assert render(parse(text, {"T2": ["x" * 201]})[1], "en") == (  # type: ignore[arg-type]
        "Please use at most 200 characters. You have used 201."
    )
    assert parse(area, {"A2": ["x" * 2000]})[1] is None
    assert render(parse(area, {"A2": ["x" * 2001]})[1], "en") == (  # type: ignore[arg-type]
        "Please use at most 2000 characters. You have used 2001."
    )


def test_text_keeps_emoji_and_accents_and_normalises() -> None:
    value, error = parse(TEXT, {"T": ["cafe\u0301 👍🏽"]})
    assert error is None
    assert value == "café 👍🏽"


def test_optional_battery_may_be_partly_answered() -> None:
    assert parse(BATTERY, {"B_2": ["2"]}) == ({"B_2": 2}, None)


def test_encode_refuses_values_of_the_wrong_shape() -> None:
    with pytest.raises(TypeError):
        encode(SINGLE, "2")
    with pytest.raises(TypeError):
        encode(MULTIPLE, 2)
    with pytest.raises(TypeError):
        encode(BATTERY, 2)
    with pytest.raises(TypeError):
        encode(RANKING, frozenset({1}))
    with pytest.raises(TypeError):
        encode(NUMBER, "42")
    with pytest.raises(TypeError):
        encode(TEXT, 42)


# --------------------------------------------------------------------------- messages


AT_LEAST_TWO = plural_message(
    "Please choose at least %(min)s answer.",
    "Please choose at least %(min)s answers.",
    "min",
    {"min": 2},
)


def at_most(n: int) -> Message:
    return plural_message(
        "Please choose at most %(max)s answer.",
        "Please choose at most %(max)s answers.",
        "max",
        {"max": n},
    )


@pytest.mark.parametrize(
    ("message", "nl", "en"),
    [
        (REQUIRED_CHOICE, "Kies een antwoord.", "Please choose an answer."),
        (INVALID_CHOICE, "Deze keuze bestaat niet.", "This choice does not exist."),
        (AT_LEAST_TWO, "Kies ten minste 2 antwoorden.", "at least 2 answers."),
        (at_most(1), "Kies ten hoogste 1 antwoord.", "Please choose at most 1 answer."),
        (at_most(3), "Kies ten hoogste 3 antwoorden.", "Please choose at most 3 answers."),
        (
            Message(
                "Please enter a number between %(min)s and %(max)s.", {"min": 0.5, "max": 10.0}
            ),
            "Vul een getal in tussen 0,5 en 10.",
            "Please enter a number between 0.5 and 10.",
        ),
        (
            Message(
                "Please use at most %(max)s characters. You have used %(length)s.",
                {"max": 200, "length": 250},
            ),
            "Gebruik ten hoogste 200 tekens. U gebruikt er nu 250.",
            "Please use at most 200 characters. You have used 250.",
        ),
        (
            Message(
                "You cannot choose ‘%(option)s’ together with another answer.",
                {"option": Text.from_dict({"nl": "Geen", "en": "None"})},
            ),
            "U kunt ‘Geen’ niet samen met een ander antwoord kiezen.",
            "You cannot choose ‘None’ together with another answer.",
        ),
    ],
)
def test_render(message: Message, nl: str, en: str) -> None:
    """Dutch and English sentences, with the plural form that fits the number."""
    assert nl in render(message, "nl")
    assert en in render(message, "en")


def test_render_falls_back_to_dutch() -> None:
    assert render(REQUIRED_CHOICE, "de") == "Kies een antwoord."


# --------------------------------------------------------------------------- whole pages


def test_parse_page_collects_values_cells_and_errors() -> None:
    qset = load_file(EXAMPLE)
    page = qset.page("crispr")
    form = {
        "ACC_CRISPR": ["4"],
        "COND_CRISPR_SAFE": ["1"],
        "COND_CRISPR_LABEL": ["2"],
    }
    result = parse_page(qset, page.items, form)
    assert result.ok
    assert result.values == {"ACC_CRISPR": 4, "COND_CRISPR_SAFE": 1, "COND_CRISPR_LABEL": 2}
    assert result.by_item["COND_CRISPR"] == {"COND_CRISPR_SAFE": 1, "COND_CRISPR_LABEL": 2}
    assert result.cells == [
        AnswerCell("ACC_CRISPR", option=4),
        AnswerCell("COND_CRISPR_SAFE", option=1),
        AnswerCell("COND_CRISPR_LABEL", option=2),
    ]
    assert answers_from_cells(qset, result.cells) == result.values

    bad = parse_page(qset, page.items, {"COND_CRISPR_SAFE": ["7"]})
    assert not bad.ok
    assert bad.errors == {
        "ACC_CRISPR": REQUIRED_CHOICE,
        "COND_CRISPR": INVALID_CHOICE,
    }
    assert bad.values == {} and bad.cells == []


def test_answers_from_cells_rebuilds_every_type_and_skips_unknown_codes() -> None:
    qset = load_file(EXAMPLE)
    form = {
        "WORRIES": ["1", "2"],
        "GOALS.1": ["3"],
        "GOALS.2": ["1"],
        "GOALS.3": ["2"],
        "TRUST_GOV": ["7"],
        "AGE": ["45"],
        "AGE_GROUP": ["2"],
        "POSTCODE": ["3511"],
        "WORRY_TEXT": ["Zorg\nvoor natuur"],
    }
    items = [qset.item(code) for code in ("WORRIES", "GOALS", "TRUST_GOV")]
    items += [qset.item(code) for code in ("AGE", "AGE_GROUP", "POSTCODE", "WORRY_TEXT")]
    result = parse_page(qset, items, form)
    assert result.errors == {}
    expected = {
        "WORRIES": frozenset({1, 2}),
        "GOALS": (2, 3, 1),
        "TRUST_GOV": 7,
        "AGE": 45,
        "AGE_GROUP": 2,
        "POSTCODE": "3511",
        "WORRY_TEXT": "Zorg\nvoor natuur",
    }
    assert result.values == expected
    stored = [*result.cells, AnswerCell("FROM_OLD_VERSION", option=1)]
    assert answers_from_cells(qset, stored) == expected
