"""The model: texts fall back to Dutch, lookups find items and battery rows, all is immutable."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from surveys.loader import load_file
from surveys.model import Choice, Item, Row, Text
from tests.surveys.survey_helpers import EXAMPLE

SURVEYS = Path(__file__).parents[2] / "surveys"


def test_text_get_falls_back_to_dutch() -> None:
    text = Text.from_dict({"nl": "Hallo", "en": "Hello"})
    assert text.get("en") == "Hello"
    assert text.get("nl") == "Hallo"
    assert text.get("fr") == "Hallo"
    assert str(text) == "Hallo"
    assert Text.from_dict({"nl": "Alleen Nederlands"}).get("en") == "Alleen Nederlands"


def test_text_of_is_the_same_in_every_language() -> None:
    text = Text.of("16-34", ("nl", "en"))
    assert text.get("nl") == text.get("en") == "16-34"
    assert Text.of("Ja").get("en") == "Ja"


def test_text_is_hashable_and_order_independent() -> None:
    first = Text.from_dict({"nl": "A", "en": "B"})
    second = Text.from_dict({"en": "B", "nl": "A"})
    assert first == second and hash(first) == hash(second)
    assert first.as_dict() == {"nl": "A", "en": "B"}
    assert first.languages == ("en", "nl")
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.translations = ()  # type: ignore[misc]


def test_item_answer_codes_and_choice_lookup() -> None:
    choices = (Choice(1, Text.of("Ja")), Choice(2, Text.of("Nee"), missing="refused"))
    single = Item("Q", "single", Text.of("Vraag"), choices=choices)
    battery = Item(
        "B", "battery", Text.of("Stellingen"), choices=choices, rows=(Row("B_1", Text.of("x")),)
    )
    info = Item("I", "info", Text.of("Uitleg"))
    assert single.answer_codes == ("Q",)
    assert battery.answer_codes == ("B_1",)
    assert info.answer_codes == ()
    assert single.choice(2) == choices[1]
    assert single.choice(3) is None
    assert battery.row("B_1") == Row("B_1", Text.of("x"))
    assert battery.row("B_9") is None
    assert hash(single) == hash(Item("Q", "single", Text.of("Vraag"), choices=choices))


def test_question_set_lookups() -> None:
    qset = load_file(EXAMPLE)
    assert qset.page("views").id == "views"
    assert qset.item("GOALS").type == "ranking"
    assert qset.owner_of("COND_CRISPR_LABEL").code == "COND_CRISPR"
    assert qset.owner_of("GOALS").code == "GOALS"
    assert qset.page_of("GOALS").id == "views"
    assert qset.block("applications").sample == 1
    assert qset.has_answer_code("COND_CRISPR_SAFE")
    assert not qset.has_answer_code("COND_CRISPR")
    assert not qset.has_answer_code("INFO_START")
    with pytest.raises(KeyError):
        qset.item("COND_CRISPR_SAFE")  # a row is not an item
    with pytest.raises(KeyError):
        qset.owner_of("INFO_START")  # info stores nothing
    with pytest.raises(KeyError):
        qset.page("nope")
    with pytest.raises(KeyError):
        qset.block("nope")
    assert len(list(qset.all_items())) == sum(len(page.items) for page in qset.pages)


def test_question_set_is_immutable_and_comparable() -> None:
    qset = load_file(EXAMPLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        qset.wave = "other"  # type: ignore[misc]
    assert qset == load_file(EXAMPLE)


def test_surveys_never_imports_web_or_database_code() -> None:
    for path in SURVEYS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for banned in ("flask", "sqlalchemy", "consult"):
            assert f"import {banned}" not in source, path
            assert f"from {banned}" not in source, path
    code = (
        "import sys, surveys, surveys.loader, surveys.layout, surveys.types; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_package_exports_the_main_names() -> None:
    import surveys

    for name in surveys.__all__:
        assert hasattr(surveys, name), name
    assert surveys.load_question_set is not None
