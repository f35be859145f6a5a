"""The `consult` command as an organizer or `make run` uses it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.cli import main
from consult.models import QuestionSetVersion, Wave, WaveStatus
from tests.conftest import interop
from tests.consult.conftest import MINI, SHIPPED


def run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "surveys", "serve"):
        assert command in result.output


def test_validate_accepts_the_shipped_consultation(app: Flask) -> None:
    code, output = run(app, "surveys", "validate", str(SHIPPED))
    assert code == 0
    assert "valid" in output


def test_validate_lists_every_problem_with_its_line(app: Flask, tmp_path: Path) -> None:
    broken = (
        MINI.read_text()
        .replace("code: AGE\n", "code: KNOW\n")
        .replace("choices: yesno\n        required", "choices: nolist\n        required")
    )
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    code, output = run(app, "surveys", "validate", str(path))
    assert code == 1
    assert "KNOW" in output and "nolist" in output
    assert output.count("line ") >= 2
    assert "nothing was loaded" in output


def test_load_is_all_or_nothing_and_idempotent(app: Flask, db: Session, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(MINI.read_text().replace("type: ranking", "type: rankin"))
    code, _ = run(app, "surveys", "load", str(path))
    assert code == 1
    assert db.scalar(select(func.count(QuestionSetVersion.id))) == 0

    code, output = run(app, "surveys", "load", str(MINI))
    assert code == 0 and "new version 1" in output and "draft" in output
    code, output = run(app, "surveys", "load", str(MINI), "--open")
    assert code == 0 and "unchanged version 1" in output and "open" in output
    db.expire_all()
    assert db.scalar(select(func.count(QuestionSetVersion.id))) == 1
    wave = db.scalar(select(Wave).where(Wave.slug == "mini-2026"))
    assert wave is not None and wave.status == WaveStatus.OPEN


def test_a_changed_set_becomes_a_new_version(app: Flask, db: Session, tmp_path: Path) -> None:
    run(app, "surveys", "load", str(MINI), "--open")
    changed = tmp_path / "changed.yaml"
    changed.write_text(MINI.read_text().replace("Hoe oud bent u?", "Wat is uw leeftijd?"))
    code, output = run(app, "surveys", "load", str(changed))
    assert code == 0 and "new version 2" in output
    db.expire_all()
    wave = db.scalar(select(Wave).where(Wave.slug == "mini-2026"))
    assert wave is not None and wave.question_set_version.number == 2


def test_missing_file_is_a_clear_error(app: Flask) -> None:
    code, output = run(app, "surveys", "validate", "no/such/file.yaml")
    assert code != 0
    assert "no such file" in output


def test_xlsform_files_validate_load_and_export(app: Flask, db: Session, tmp_path: Path) -> None:
    from surveys.loader import load_file, load_question_set
    from surveys.xlsform import question_set_to_xlsform

    workbook = tmp_path / "mini.xlsx"
    workbook.write_bytes(question_set_to_xlsform(load_file(MINI)))
    code, output = run(app, "surveys", "validate", str(workbook))
    assert code == 0, output
    code, output = run(app, "surveys", "load", str(workbook), "--open")
    assert code == 0 and "new version 1" in output
    # The stored version is YAML that loads as the same questions.
    db.expire_all()
    [version] = db.scalars(select(QuestionSetVersion)).all()
    stored = load_question_set(version.source)
    assert [i.code for i in stored.all_items()] == [i.code for i in load_file(MINI).all_items()]


def test_unsupported_xlsform_rows_are_listed(app: Flask) -> None:
    loop = interop("xlsform", "loop.xlsx")
    code, output = run(app, "surveys", "validate", str(loop))
    assert code == 1
    assert "sheet survey, row 3" in output and "loop" in output
