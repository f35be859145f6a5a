"""Hostile question-set uploads are refused quickly with a clear problem, never expanded.

Each file is generated here. It is read in a child process with an address-space limit and a
timeout, so a reader that does expand a bomb fails this test instead of taking the machine down.
The child reports the problems in English and Dutch and its peak memory; the ceiling asserted on
memory is generous (the point is the refusal reason, not a benchmark).
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from surveys.messages import Message, english, render

#: What a child may use: far above a normal upload (about 60 MB), far below a bomb.
ADDRESS_SPACE = 1536 * 1024 * 1024
PEAK_CEILING_MB = 400
TIMEOUT_SECONDS = 60

CHILD = """
import json, sys, time
from surveys.files import load_upload
from surveys.problems import QuestionSetError
name, path = sys.argv[1], sys.argv[2]


def peak_mb():
    # this process's own peak resident memory (VmHWM starts afresh at exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


data = open(path, "rb").read()
started = time.perf_counter()
try:
    load_upload(name, data)
    problems = []
except QuestionSetError as error:
    problems = [
        {"en": str(problem), "nl": problem.render("nl"), "length": len(problem.message)}
        for problem in error.problems
    ]
print(json.dumps({
    "problems": problems,
    "seconds": time.perf_counter() - started,
    "peak_mb": peak_mb(),
}))
"""


@dataclass
class Outcome:
    problems: list[dict[str, str]]
    seconds: float
    peak_mb: float

    def english(self) -> str:
        return "\n".join(problem["en"] for problem in self.problems)

    def dutch(self) -> str:
        return "\n".join(problem["nl"] for problem in self.problems)


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def upload(tmp_path: Path, name: str, data: bytes) -> Outcome:
    """Load `data` as an upload named `name` in a limited child process."""
    path = tmp_path / name
    path.write_bytes(data)
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, name, str(path)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            preexec_fn=_limit_child,
            cwd=root,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name} ({len(data)} bytes) was still being read after {TIMEOUT_SECONDS} s")
    assert done.returncode == 0, f"{name} crashed the reader:\n{done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    outcome = Outcome(result["problems"], result["seconds"], result["peak_mb"])
    print(f"{name}: {len(data)} bytes, {outcome.seconds * 1000:.0f} ms, {outcome.peak_mb:.0f} MB")
    assert outcome.peak_mb < PEAK_CEILING_MB, outcome
    return outcome


def refused(outcome: Outcome, english_part: str, dutch_part: str) -> None:
    """The file was refused and the problem says why, in English and in Dutch."""
    assert outcome.problems, "the hostile file was accepted"
    assert english_part in outcome.english(), outcome.english()
    assert dutch_part in outcome.dutch(), outcome.dutch()


# --------------------------------------------------------------------------- YAML


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each level repeats the one above `width` times (9**9 leaves)."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        refs = ",".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + f"\nconsultation: {{slug: x, title: X}}\nwave: *a{levels}\n"


def test_a_500_byte_alias_bomb_is_refused_for_its_aliases(tmp_path: Path) -> None:
    text = alias_bomb()
    assert len(text) < 600
    outcome = upload(tmp_path, "bomb.yaml", text.encode())
    refused(outcome, "aliases", "aliassen")
    assert len(outcome.problems) == 1  # nothing of the expanded file is validated


def test_an_alias_bomb_in_a_key_and_a_text_is_refused(tmp_path: Path) -> None:
    head = alias_bomb(levels=7, width=9).rsplit("consultation:", 1)[0]
    text = head + "consultation: {slug: x, title: *a7}\nwave: x-1\npages: *a7\n"
    refused(upload(tmp_path, "bomb.yml", text.encode()), "aliases", "aliassen")


def test_a_few_aliases_are_still_fine() -> None:
    from surveys.loader import validate_text

    text = """\
consultation: {slug: x, title: X}
wave: x-1
languages: [nl]
choice_lists:
  yn: &yn
    - {code: 1, label: Ja}
    - {code: 2, label: Nee}
pages:
  - id: P1
    items:
      - {code: Q1, type: single, text: Een, choices: *yn}
      - {code: Q2, type: single, text: Twee, choices: *yn}
"""
    assert validate_text(text) == []


def test_a_deeply_nested_structure_is_refused(tmp_path: Path) -> None:
    depth = 20_000
    text = "consultation: {slug: x, title: X}\nwave: " + "[" * depth + "]" * depth + "\n"
    refused(upload(tmp_path, "deep.yaml", text.encode()), "nested", "genest")


def test_deeply_nested_block_mappings_are_refused(tmp_path: Path) -> None:
    text = "".join(f"{' ' * level}k{level}:\n" for level in range(2_000)) + " " * 2000 + "x\n"
    refused(upload(tmp_path, "deep-block.yaml", text.encode()), "nested", "genest")


def test_a_long_value_is_shown_as_a_short_excerpt(tmp_path: Path) -> None:
    long_value = "X" * 600_000  # not a valid wave name: the problem quotes it
    long_key = "k" * 1000  # a plain key may have 1024 characters at most
    text = f"consultation: {{slug: x, title: X}}\nwave: {long_value}\n{long_key}: 1\n"
    outcome = upload(tmp_path, "long.yaml", text.encode())
    assert outcome.problems
    assert "wave 'XXXXX" in outcome.english()
    assert "kkkkk…'" in outcome.english()
    assert all(problem["length"] < 1000 for problem in outcome.problems), outcome.english()
    assert all(len(problem["nl"]) < 1000 for problem in outcome.problems)


def test_a_message_shows_an_excerpt_of_a_long_parameter() -> None:
    message = Message("wave '%(value)s' is wrong", {"value": "abc" * 10_000})
    for text in (english(message), render(message, "nl"), render(message, "en")):
        assert len(text) < 300
        assert "abcabc" in text
        assert "…" in text


def test_fuzzy_matching_is_skipped_for_long_words() -> None:
    from surveys.vocabulary import _suggest

    assert _suggest("pagez", ["pages"]) == "pages"
    long_word = "question_" * 8
    assert _suggest(long_word + "x", [long_word]) is None


# --------------------------------------------------------------------------- XLSForm


def small_workbook() -> bytes:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label::nl"])
    survey.append(["text", "q1", "Vraag"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "wave"])
    settings.append(["Test", "test", "test-2026"])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def rezip(base: bytes, replace: dict[str, bytes], level: int = 9) -> bytes:
    """`base` with parts replaced or added (deflated at `level`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info, source.read(info.filename))
        for name, data in replace.items():
            target.writestr(name, data, zipfile.ZIP_DEFLATED, compresslevel=level)
    return out.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def test_a_small_workbook_is_still_read(tmp_path: Path) -> None:
    outcome = upload(tmp_path, "ok.xlsx", small_workbook())
    assert outcome.problems == []


def test_a_zip_bomb_sheet_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    rows = b"<row><c t='inlineStr'><is><t>x</t></is></c></row>" * 4_000_000  # about 200 MB
    data = rezip(small_workbook(), {"xl/worksheets/sheet1.xml": SHEET_HEAD + rows + SHEET_TAIL})
    assert len(data) < 1024 * 1024
    refused(upload(tmp_path, "zipbomb.xlsx", data), "unpacked", "uitgepakt")


def test_huge_shared_strings_are_refused(tmp_path: Path) -> None:
    strings = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>"
        + b"a" * 150_000_000
        + b"</t></si></sst>"
    )
    data = rezip(small_workbook(), {"xl/sharedStrings.xml": strings})
    assert len(data) < 1024 * 1024
    refused(upload(tmp_path, "strings.xlsx", data), "unpacked", "uitgepakt")


def test_a_workbook_of_many_parts_is_refused(tmp_path: Path) -> None:
    extra = {f"xl/worksheets/sheet{n}.xml": SHEET_HEAD + SHEET_TAIL for n in range(3, 2003)}
    data = rezip(small_workbook(), extra)
    refused(upload(tmp_path, "parts.xlsx", data), "parts", "onderdelen")


def test_a_highly_compressed_part_is_refused(tmp_path: Path) -> None:
    padding = b" " * 6_000_000  # within the size limit, but 1000 times smaller when packed
    sheet = SHEET_HEAD + padding + SHEET_TAIL
    data = rezip(small_workbook(), {"xl/worksheets/sheet1.xml": sheet})
    refused(upload(tmp_path, "ratio.xlsx", data), "compressed", "gecomprimeerd")


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    ],
    ids=["xxe", "entity-expansion"],
)
def test_xml_with_a_doctype_is_refused(tmp_path: Path, doctype: bytes) -> None:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>type</t></is></c></row>"
        b"<row r='2'><c r='A2' t='inlineStr'><is><t>&e;&d;</t></is></c></row>"
        b"</sheetData></worksheet>"
    )
    data = rezip(small_workbook(), {"xl/worksheets/sheet1.xml": sheet})
    outcome = upload(tmp_path, "xxe.xlsx", data)
    refused(outcome, "DOCTYPE", "DOCTYPE")
    assert "root:" not in outcome.english()


def test_a_sheet_beyond_the_row_limit_is_refused(tmp_path: Path) -> None:
    rows = b"<row r='1'><c r='A1' t='inlineStr'><is><t>type</t></is></c></row>"
    rows += b"<row r='1048576'><c r='A1048576' t='inlineStr'><is><t>x</t></is></c></row>"
    data = rezip(small_workbook(), {"xl/worksheets/sheet1.xml": SHEET_HEAD + rows + SHEET_TAIL})
    refused(upload(tmp_path, "rows.xlsx", data), "rows", "rijen")


def test_a_sheet_beyond_the_column_limit_is_refused(tmp_path: Path) -> None:
    cells = b"".join(b"<c t='inlineStr'><is><t>h%d</t></is></c>" % n for n in range(16_000))
    rows = b"<row r='1'>" + cells + b"</row>"
    rows += b"<row r='2'>" + cells + b"</row>"
    data = rezip(small_workbook(), {"xl/worksheets/sheet1.xml": SHEET_HEAD + rows + SHEET_TAIL})
    refused(upload(tmp_path, "columns.xlsx", data), "columns", "kolommen")
