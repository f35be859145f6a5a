"""A new question type is one class and its template: nothing else in the platform names a type.

The test registers a drop-down list (ODK's `minimal` appearance of a single choice) that the
platform does not have, and follows one question of that type from the YAML file to the report
and the XLSForm export. If any module still decided by a type's name, the question would be left
out somewhere: not counted, not simulated, not reported, not allowed as a subgroup, or exported
as the wrong XLSForm row.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.counting import queries as counting_queries
from consult.models import Wave
from surveys.loader import load_file, load_question_set, validate_text
from surveys.types import QUESTION_TYPES, SingleType
from surveys.xlsform import question_set_to_xlsform, question_set_to_yaml
from tests.consult.citizen import Citizen


class DropdownType(SingleType):
    """One option picked from a drop-down list: a single choice that takes little room."""

    name = "dropdown"
    template = "public/items/dropdown.html"
    xlsform_appearance = "minimal"


TEMPLATE = """\
{% set lang = current_language() %}
{% set chosen = fields.get(item.code, []) %}
<label for="{{ item.code }}">{{ item.text.get(lang) }}</label>
<select id="{{ item.code }}" name="{{ item.code }}">
  <option value=""></option>
  {% for choice in item.choices %}
  <option value="{{ choice.code }}"{% if choice.code|string in chosen %} selected{% endif %}>
    {{- choice.label.get(lang) }}</option>
  {% endfor %}
</select>
"""

QUESTION_SET = """\
consultation: {slug: pets, title: {nl: Huisdieren, en: Pets}}
wave: pets-2026
languages: [nl, en]
pages:
  - id: pets
    title: {nl: Huisdieren, en: Pets}
    items:
      - code: PET
        type: dropdown
        required: true
        text: {nl: Welk huisdier hebt u het liefst, en: Which pet do you like best}
        choices:
          - {code: 1, label: {nl: Hond, en: Dog}}
          - {code: 2, label: {nl: Kat, en: Cat}}
          - {code: 9, label: {nl: Geen, en: None}, missing: dont_know}
  - id: cats
    title: {nl: Katten, en: Cats}
    show_if: "PET == 2"
    items:
      - code: CAT_HOURS
        type: number
        required: true
        min: 0
        max: 24
        text: {nl: Hoeveel uur slaapt uw kat, en: How many hours does your cat sleep}
"""


@pytest.fixture
def dropdown(tmp_path: Path) -> Iterator[Path]:
    """The drop-down type registered, and a question set that uses it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(QUESTION_TYPES, DropdownType.name, DropdownType())
        path = tmp_path / "pets.yaml"
        path.write_text(QUESTION_SET, encoding="utf-8")
        yield path


@pytest.fixture
def dropdown_template(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its template, as if it were a file in templates/public/items/."""
    templates = DictLoader({DropdownType.template: TEMPLATE})
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([templates, app.jinja_env.loader]))


def test_a_type_is_loaded_checked_and_exported_from_its_declarations(dropdown: Path) -> None:
    question_set = load_file(dropdown)
    assert question_set.item("PET").type == "dropdown"
    assert question_set.item("PET").answer_codes == ("PET",)

    # Conditions compare its answer with its option codes, as for any single choice.
    problems = validate_text(QUESTION_SET.replace("PET == 2", "PET == 7"))
    assert ["is not one of its option codes" in problem.message for problem in problems] == [True]

    # The XLSForm export writes the row the type declares, and the YAML export reads back.
    workbook = load_workbook(io.BytesIO(question_set_to_xlsform(question_set)))
    rows = list(workbook["survey"].iter_rows(values_only=True))
    header = rows[0]
    pet = next(dict(zip(header, row, strict=True)) for row in rows if "PET" in row)
    assert (pet["type"], pet["appearance"]) == ("select_one pet", "minimal")
    again = load_question_set(question_set_to_yaml(question_set)).item("PET")
    assert replace(again, line=0) == replace(question_set.item("PET"), line=0)


def test_a_type_is_shown_stored_counted_and_reported_from_its_declarations(
    app: Flask,
    db: Session,
    dropdown: Path,
    dropdown_template: None,
    load_set: Callable[..., str],
    tmp_path: Path,
) -> None:
    wave_slug = load_set(dropdown)
    citizen = Citizen(app.test_client(), wave_slug, dropdown)
    citizen.start()
    assert '<select id="PET" name="PET">' in citizen.html  # its own template

    citizen.answer({"PET": ["7"]})
    assert citizen.last is not None and citizen.last.status_code == 422
    citizen.answer({"PET": ["2"]})
    assert citizen.page_id == "cats"  # PET == 2 holds
    citizen.answer({}, action="back")
    assert '<option value="2" selected>Kat</option>' in citizen.html  # filled in again
    citizen.answer({"PET": ["2"]})
    citizen.answer({"CAT_HOURS": ["16"]})
    citizen.submit()

    db.expire_all()
    wave = db.scalar(select(Wave).where(Wave.slug == wave_slug))
    assert wave is not None
    counted = {
        (code, value): n for code, _cell, value, n in counting_queries.answer_counts(db, wave)
    }
    assert counted == {("PET", 2.0): 1, ("CAT_HOURS", 16.0): 1}

    runner = app.test_cli_runner()
    simulated = runner.invoke(
        args=["responses", "simulate", "--wave", wave_slug, "-n", "300", "--seed", "3"]
    )
    assert simulated.exit_code == 0, simulated.output

    def report(*by: str) -> list[dict[str, Any]]:
        out = tmp_path / "report.json"
        args = ["report", "--wave", wave_slug, "--unweighted", *by, "-o", str(out)]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        estimates: list[dict[str, Any]] = json.loads(out.read_text())["estimates"]
        return estimates

    pets = [row for row in report() if row["item"] == "PET" and not row["suppressed"]]
    assert {row["option"] for row in pets} >= {1, 2}  # shares of its options
    assert {row["base"] for row in pets} == {301}  # simulated, and the citizen
    by_pet = [row for row in report("--by", "PET") if not row["suppressed"]]
    hours = [row for row in by_pet if row["item"] == "CAT_HOURS"]
    assert [row["group_code"] for row in hours] == [2]  # only cat owners were asked
