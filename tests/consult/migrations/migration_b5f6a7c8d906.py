"""b5f6a7c8d906: stored question sets in the earlier language declare their vocabulary.

Up, a version that named domains and demographic variables on its items loads with today's
loader, saying what the code used to assume; down, it reads as it did. Every other row stays.
"""

from __future__ import annotations

import hashlib
import importlib

import yaml
from sqlalchemy import Connection

from surveys.loader import load_question_set
from tests.consult.migrations.migration_a4e5f6d7c805 import at_a4e5
from tests.consult.migrations.rows import Tables, assert_tables, insert, read

#: Block style, as the shipped set was written: domain and demographic on the items.
LEGACY_BLOCK = """\
consultation: {slug: biotech, title: {nl: Biotechnologie, en: Biotechnology}}
wave: biotech-2026
languages: [nl, en]
choice_lists:
  acceptance5:
    - {code: 1, label: {nl: Zeer onaanvaardbaar, en: Very unacceptable}}
    - {code: 4, label: {nl: Aanvaardbaar, en: Acceptable}}
    - {code: 5, label: {nl: Zeer aanvaardbaar, en: Very acceptable}}
    - {code: 9, label: {nl: Weet niet, en: Don't know}, missing: dont_know}
  conditions3:
    - {code: 1, label: {nl: Niet belangrijk, en: Not important}}
    - {code: 3, label: {nl: Noodzakelijk, en: Necessary}}
pages:
  - id: crispr
    title: {nl: Gewassen met CRISPR, en: CRISPR crops}
    items:
      - code: ACC_CRISPR
        type: likert
        text: {nl: Aanvaardbaar, en: Acceptable}
        choices: acceptance5
        role: acceptance
        application: crispr_crops
        domain: green
      - code: COND_CRISPR
        type: battery
        text: {nl: Voorwaarden, en: Conditions}
        choices: conditions3
        role: condition
        application: crispr_crops
        domain: green
        rows:
          - {code: COND_CRISPR_SAFETY, text: {nl: Veilig, en: Safe}, condition: safety}
  - id: about_you
    items:
      - code: SEX
        type: single
        text: {nl: Geslacht, en: Sex}
        role: demographic
        demographic: sex
        choices:
          - {code: 1, label: {nl: Man, en: Male}}
          - {code: 2, label: {nl: Vrouw, en: Female}}
"""

#: Flow style with the role question's choices inline, as an XLSForm import wrote them.
LEGACY_INLINE = """\
consultation: {slug: biotech, title: Biotech}
wave: biotech-2027
languages: [nl]
pages:
  - id: p
    title: Gentherapie
    items:
      - {code: ACC_GT, type: single, text: Aanvaardbaar, role: acceptance,
         application: gene_therapy, domain: red,
         choices: [{code: 4, label: Ja}, {code: 1, label: Nee}]}
"""


def with_sources(tables: Tables, first: str, second: str) -> Tables:
    versions = tables["question_set_version"]
    versions[0] = {**versions[0], "source": first}
    versions[1] = {**versions[1], "source": second}
    return tables


def at_b5f6() -> Tables:
    """The versions after the upgrade: the same sets, with their vocabulary declared."""
    return with_sources(at_a4e5(), _upgrade_of(LEGACY_BLOCK), _upgrade_of(LEGACY_INLINE))


def _upgrade_of(source: str) -> str:
    """What the migration writes (the upgrade tester checks what it means)."""
    module = importlib.import_module(
        "consult.migrations.versions.2026_11_30_b5f6a7c8d906_question_sets_declare_their_vocabulary"
    )
    upgraded: str = module._upgraded(source)
    return upgraded


def _checked_versions(connection: Connection) -> None:
    rows = {row["id"]: row for row in read(connection, "question_set_version")}
    block = load_question_set(rows[1]["source"])
    assert block.vocabulary.application("crispr_crops").domain == "green"  # type: ignore[union-attr]
    assert block.vocabulary.application("crispr_crops").label.get("en") == "CRISPR crops"  # type: ignore[union-attr]
    assert block.vocabulary.condition("safety").label.get("nl") == "Veiligheid"  # type: ignore[union-attr]
    assert block.vocabulary.scale("acceptance5").accepting == (4, 5)  # type: ignore[union-attr]
    assert block.vocabulary.scale("acceptance5").dont_know == (9,)  # type: ignore[union-attr]
    assert block.vocabulary.scale("conditions3").necessary == (3,)  # type: ignore[union-attr]
    assert block.item("SEX").role == "demographic"
    # Only the retired keys and the added block differ: comments and layout are kept.
    assert rows[1]["source"].startswith(
        LEGACY_BLOCK.replace("        domain: green\n", "").replace(
            "        demographic: sex\n", ""
        )
    )
    inline = load_question_set(rows[2]["source"])
    assert inline.item("ACC_GT").choice_list == "acc_gt_choices"
    assert inline.vocabulary.scale("acc_gt_choices").accepting == (4,)  # type: ignore[union-attr]
    assert inline.vocabulary.application("gene_therapy").domain == "red"  # type: ignore[union-attr]
    for row in rows.values():
        assert row["checksum"] == hashlib.sha256(row["source"].encode()).hexdigest() or (
            row["id"] == 7 and row["source"] == "id: mini\n"
        )


class UpgradeTester:
    """Each legacy version loads with today's loader and says what the code assumed; the rest
    (another version that is no question set at all, every other table) is untouched."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, with_sources(at_a4e5(), LEGACY_BLOCK, LEGACY_INLINE))

    def check(self) -> None:
        _checked_versions(self.connection)
        expected = at_a4e5()
        del expected["question_set_version"]
        assert_tables(self.connection, expected)


class DowngradeTester:
    """Down, the block-style version reads exactly as it was written, and the inline one in the
    earlier language again (its domain back on the item, no vocabulary)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load_data(self) -> None:
        insert(self.connection, at_b5f6())

    def check(self) -> None:
        rows = {row["id"]: row for row in read(self.connection, "question_set_version")}
        assert rows[1]["source"] == LEGACY_BLOCK
        assert rows[1]["checksum"] == hashlib.sha256(LEGACY_BLOCK.encode()).hexdigest()
        inline = yaml.safe_load(rows[2]["source"])
        assert "vocabulary" not in inline
        assert inline["pages"][0]["items"][0]["domain"] == "red"
        assert rows[7]["source"] == "id: mini\n"
