"""The `about` key: who asks, how to reach them, the privacy and accessibility statements and
the dates, as a question set declares them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from surveys.loader import load_file, load_question_set, validate_text
from tests.surveys.survey_helpers import HEAD, question_set_yaml

SHIPPED = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "biotech-2026.yaml"
PAGES = """\
- id: p1
  items:
    - {code: Q1, type: text, text: Vraag}
"""
ABOUT = """\
about:
  sender: Ministerie van Voorbeelden
  contact: Postbus 1, 2500 AA Den Haag
  privacy:
    controller: De minister
    purpose: Onderzoek
    legal_basis: Algemeen belang
    retention: Twee jaar
    rights: Inzage en verwijderen
  accessibility: WCAG 2.1 AA
  closes_on: 2027-01-31
  results_on: "2027-06-01"
"""


def test_the_shipped_set_names_its_sender_and_statements_in_both_languages() -> None:
    about = load_file(SHIPPED).about
    assert about is not None
    assert about.sender.get("nl") == "Ministerie van Infrastructuur en Waterstaat"
    assert about.sender.get("en") == "Ministry of Infrastructure and Water Management"
    assert "Autoriteit Persoonsgegevens" in about.privacy.rights.get("nl")
    assert about.closes_on is not None and about.results_on is not None
    assert about.closes_on < about.results_on


def test_about_is_read_with_its_dates() -> None:
    qset = load_question_set(question_set_yaml(PAGES, HEAD + ABOUT))
    assert qset.about is not None
    assert qset.about.closes_on == dt.date(2027, 1, 31)
    assert qset.about.results_on == dt.date(2027, 6, 1)
    assert qset.about.privacy.retention.get("nl") == "Twee jaar"
    assert qset.about.logo is None and qset.about.results_where is None


def test_an_incomplete_about_is_refused_with_each_problem() -> None:
    broken = (
        ABOUT.replace("    rights: Inzage en verwijderen\n", "")
        .replace("2027-01-31", "31 januari")
        .replace("  accessibility: WCAG 2.1 AA\n", "  logo: ../geheim.txt\n")
    )
    problems = [str(p) for p in validate_text(question_set_yaml(PAGES, HEAD + broken))]
    assert any("'rights'" in p for p in problems), problems
    assert any("'accessibility'" in p for p in problems), problems
    assert any("closes_on" in p and "2027-01-31" in p for p in problems), problems
    assert any("'logo'" in p for p in problems), problems
