"""A consultation's codebook of themes: add, change, remove, and CSV in and out.

A CSV import is all or nothing: every row is checked first, every problem is reported with its
line, and the codebook is replaced only when none has one. Every change is in the audit log
(codes and counts only).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analysis.themes import Matcher, ThemeSpec, words
from consult.accounts import audit
from consult.messages import N_, ExplainedError
from consult.models import Consultation, Theme
from consult.themes import queries

CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
COLUMNS = ("code", "name_nl", "name_en", "keywords")
KEYWORD_SEPARATOR = ";"
MAX_NAME = 200
MAX_KEYWORDS = 200
MAX_KEYWORD = 100
MAX_THEMES = 500
MAX_CSV_BYTES = 1_000_000


@dataclass(frozen=True)
class ThemeFields:
    """A theme as typed by an organizer, before it is stored."""

    code: str
    name_nl: str
    name_en: str
    keywords: tuple[str, ...]


def split_keywords(text: str) -> tuple[str, ...]:
    """Keywords and phrases separated by new lines or semicolons, blanks and repeats dropped."""
    parts = (part.strip() for part in re.split(r"[;\n\r]+", text))
    return tuple(dict.fromkeys(part for part in parts if part))


def problems_of(fields: ThemeFields) -> list[ExplainedError]:
    """Everything wrong with one theme, in plain words (the form and the CSV import share it)."""
    found = []
    if not CODE.match(fields.code):
        found.append(
            ExplainedError(
                N_(
                    "The code %(code)s is not valid: use 1 to 32 capital letters, digits or "
                    "underscores, starting with a letter."
                ),
                code=repr(fields.code),
            )
        )
    for name, empty, long in (
        (fields.name_nl, N_("The Dutch name is empty."), N_("The Dutch name is too long.")),
        (fields.name_en, N_("The English name is empty."), N_("The English name is too long.")),
    ):
        if not name.strip():
            found.append(ExplainedError(empty))
        elif len(name) > MAX_NAME:
            found.append(ExplainedError(long))
    if not fields.keywords:
        found.append(ExplainedError(N_("Give at least one keyword or phrase.")))
    elif len(fields.keywords) > MAX_KEYWORDS:
        found.append(
            ExplainedError(N_("Give at most %(max)s keywords or phrases."), max=MAX_KEYWORDS)
        )
    for keyword in fields.keywords:
        if len(keyword) > MAX_KEYWORD:
            found.append(
                ExplainedError(
                    N_("The keyword %(keyword)s is longer than %(max)s characters."),
                    keyword=repr(keyword[:20] + "…"),
                    max=MAX_KEYWORD,
                )
            )
        elif not words(keyword):
            found.append(
                ExplainedError(
                    N_("The keyword %(keyword)s holds no letter or digit."), keyword=repr(keyword)
                )
            )
    return found


def _check(fields: ThemeFields) -> None:
    found = problems_of(fields)
    if found:
        raise ExplainedError(N_("The theme was not saved: %(problems)s"), problems=found)


def add_theme(
    session: Session, actor: str, consultation: Consultation, fields: ThemeFields
) -> Theme:
    _check(fields)
    if any(theme.code == fields.code for theme in queries.themes_of(session, consultation)):
        raise ExplainedError(
            N_("This consultation already has a theme with the code %(code)s."), code=fields.code
        )
    theme = Theme(
        consultation_id=consultation.id,
        code=fields.code,
        name_nl=fields.name_nl.strip(),
        name_en=fields.name_en.strip(),
        keywords="\n".join(fields.keywords),
    )
    queries.add(session, theme)
    session.flush()
    audit.record(
        session, actor, "add theme", f"consultation {consultation.slug}", detail=fields.code
    )
    return theme


def change_theme(session: Session, actor: str, theme: Theme, fields: ThemeFields) -> None:
    """Change a theme's names and keywords (its code stays: figures and exports name it)."""
    _check(replace_code(fields, theme.code))
    theme.name_nl = fields.name_nl.strip()
    theme.name_en = fields.name_en.strip()
    theme.keywords = "\n".join(fields.keywords)
    session.flush()
    audit.record(session, actor, "change theme", f"theme {theme.code}")


def replace_code(fields: ThemeFields, code: str) -> ThemeFields:
    return ThemeFields(code, fields.name_nl, fields.name_en, fields.keywords)


def remove_theme(session: Session, actor: str, theme: Theme) -> None:
    code = theme.code
    queries.remove(session, theme)
    session.flush()
    audit.record(session, actor, "remove theme", f"theme {code}")


def themes_of(session: Session, consultation: Consultation) -> list[Theme]:
    return queries.themes_of(session, consultation)


def specs_of(themes: list[Theme]) -> list[ThemeSpec]:
    return [ThemeSpec(theme.code, tuple(theme.keyword_list())) for theme in themes]


def matcher_of(themes: list[Theme]) -> Matcher:
    return Matcher(specs_of(themes))


def fingerprint(themes: list[Theme]) -> str:
    """Changes whenever a theme, its names or its keywords change: kept figures follow it."""
    text = "\x1e".join("\x1f".join((t.code, t.name_nl, t.name_en, t.keywords)) for t in themes)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- CSV ------------------------------------------------------------------------------------


def export_csv(themes: list[Theme]) -> str:
    """The codebook as CSV: code, name_nl, name_en, keywords (joined by ';')."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for theme in themes:
        writer.writerow([theme.code, theme.name_nl, theme.name_en, "; ".join(theme.keyword_list())])
    return out.getvalue()


def read_csv(data: bytes) -> list[ThemeFields]:
    """Every row of a codebook CSV, or an `ExplainedError` naming every problem with its line."""
    if len(data) > MAX_CSV_BYTES:
        raise ExplainedError(N_("The file is larger than 1 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExplainedError(N_("The file is not UTF-8 text.")) from None
    sample = text[:4096]
    delimiter = (
        ";" if sample.count(";") > sample.count(",") and "," not in sample.split("\n")[0] else ","
    )
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise ExplainedError(N_("The file is empty.")) from None
    except csv.Error:
        raise ExplainedError(N_("The file is not CSV.")) from None
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ExplainedError(
            N_("The first line must name the columns %(columns)s; missing: %(missing)s."),
            columns=", ".join(COLUMNS),
            missing=", ".join(missing),
        )
    position = {column: header.index(column) for column in COLUMNS}
    found: list[ThemeFields] = []
    problems: list[ExplainedError] = []
    seen: dict[str, int] = {}
    try:
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            fields = ThemeFields(
                code=row[position["code"]].strip().upper(),
                name_nl=row[position["name_nl"]].strip(),
                name_en=row[position["name_en"]].strip(),
                keywords=split_keywords(row[position["keywords"]]),
            )
            for problem in problems_of(fields):
                problems.append(
                    ExplainedError(N_("line %(line)s: %(problem)s"), line=line, problem=[problem])
                )
            if fields.code in seen:
                problems.append(
                    ExplainedError(
                        N_("line %(line)s: the code %(code)s is also on line %(first)s."),
                        line=line,
                        code=fields.code,
                        first=seen[fields.code],
                    )
                )
            seen.setdefault(fields.code, line)
            found.append(fields)
    except csv.Error as error:
        raise ExplainedError(N_("The file is not CSV: %(reason)s."), reason=str(error)) from None
    if len(found) > MAX_THEMES:
        problems.append(ExplainedError(N_("At most %(max)s themes."), max=MAX_THEMES))
    if problems:
        raise ExplainedError(N_("Nothing was imported: %(problems)s"), problems=problems[:50])
    if not found:
        raise ExplainedError(N_("The file holds no theme."))
    return found


def import_csv(session: Session, actor: str, consultation: Consultation, data: bytes) -> int:
    """Replace the consultation's codebook with the file's themes, all or nothing."""
    rows = read_csv(data)
    queries.remove_all_themes(session, consultation)
    session.flush()
    for fields in rows:
        queries.add(
            session,
            Theme(
                consultation_id=consultation.id,
                code=fields.code,
                name_nl=fields.name_nl,
                name_en=fields.name_en,
                keywords="\n".join(fields.keywords),
            ),
        )
    session.flush()
    audit.record(
        session,
        actor,
        "import themes",
        f"consultation {consultation.slug}",
        detail=f"{len(rows)} themes",
    )
    return len(rows)
