"""A wave's population margins for weighting: read from CSV and checked against its question set."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from consult.messages import N_, ExplainedError
from consult.models import Wave
from consult.organizing import queries
from consult.organizing.question_sets import question_set_of
from consult.organizing.waves import WaveError
from consult.uploads import UploadBudget, read_within
from surveys.model import Choice, Item, QuestionSet
from surveys.options import match_options, option_name, option_names

Gettext = Callable[[str], str]

SHARE_TOLERANCE = 1e-6
"""How far a variable's shares may add up from 1 without rescaling (as `analysis.rake`)."""


def _number(value: float, lang: str) -> str:
    return format_decimal(value, format="0.0#########", locale=lang)


@dataclass(frozen=True)
class Rescaling:
    """A variable whose shares added up to 1 only within the rounding of their source, rescaled
    because the organizer asked for it."""

    variable: str
    total: float
    factor: float

    def describe(self, gettext: Gettext, lang: str) -> str:
        return gettext(
            N_(
                "%(variable)s: the shares added up to %(total)s; each share was multiplied by "
                "%(factor)s, so that they add up to 1."
            )
        ) % {
            "variable": self.variable,
            "total": _number(self.total, lang),
            "factor": _number(round(self.factor, 9), lang),
        }


@dataclass(frozen=True)
class Unlisted:
    """An answer to a weighting question that the margins do not list. Respondents who give it
    keep their share of the sample when weighting (`analysis.rake`'s rule for refused answers):
    right for "prefer not to say", a gap in the margins for a real group such as "other"."""

    variable: str
    choice: Choice
    respondents: int
    """Complete responses with this answer (0 while nobody gave it)."""

    def describe(self, gettext: Gettext, lang: str) -> str:
        """A warning for the organizer who stores the margins."""
        return gettext(
            N_(
                "%(variable)s: the margins do not list the answer ‘%(answer)s’ (%(code)s). "
                "Respondents who give it keep their share of the sample when weighting "
                "(%(respondents)s so far)."
            )
        ) % self._words(lang)

    def note(self, gettext: Gettext, lang: str, minimum: int) -> str:
        """What the published weighting diagnostics say about it: how many gave it only when
        that is at least the wave's `minimum` (a smaller group's size stays unpublished)."""
        if self.respondents < minimum:
            return gettext(
                N_(
                    "%(variable)s ‘%(answer)s’ (%(code)s, fewer than %(minimum)s respondents): "
                    "not in the population margins, kept at its sample share."
                )
            ) % {**self._words(lang), "minimum": minimum}
        return gettext(
            N_(
                "%(variable)s ‘%(answer)s’ (%(code)s, %(respondents)s respondents): not in the "
                "population margins, kept at its sample share."
            )
        ) % self._words(lang)

    def _words(self, lang: str) -> dict[str, object]:
        return {
            "variable": self.variable,
            "answer": self.choice.label.get(lang),
            "code": self.choice.code,
            "respondents": self.respondents,
        }


def unlisted_answers(
    question_set: QuestionSet,
    shares: Mapping[str, Mapping[int, float]],
    respondents: Mapping[str, Mapping[int, int]],
) -> tuple[Unlisted, ...]:
    """Every answer of a weighting question with margins that the margins do not list, with
    how many respondents gave it (`respondents`: per question, per option)."""
    return tuple(
        Unlisted(item.code, choice, int(respondents.get(item.code, {}).get(choice.code, 0)))
        for item in question_set.weighting_variables()
        if item.code in shares
        for choice in item.choices
        if choice.code not in shares[item.code]
    )


@dataclass(frozen=True)
class StoredMargins:
    """What storing a margins file did: the shares, the variables rescaled, and the answers the
    margins leave out that are not "prefer not to say" (warnings)."""

    shares: dict[str, dict[int, float]]
    rescaled: tuple[Rescaling, ...]
    unlisted: tuple[Unlisted, ...]

    def notes(self, gettext: Gettext, lang: str) -> list[str]:
        """Each rescaling and each warning, in the organizer's language."""
        return [r.describe(gettext, lang) for r in self.rescaled] + [
            u.describe(gettext, lang) for u in self.unlisted
        ]

    def audit_detail(self) -> str | None:
        """Names and numbers for the audit log."""
        parts = [
            f"rescaled {r.variable} (sum {r.total:.6g}, factor {r.factor:.9g})"
            for r in self.rescaled
        ]
        if self.unlisted:
            parts.append(
                "not in the margins: "
                + ", ".join(f"{u.variable} {u.choice.code}" for u in self.unlisted)
            )
        return "; ".join(parts) or None


def _category_problem(
    line: int, item: Item, category: str, found: tuple[Choice, ...]
) -> ExplainedError:
    """A category that names no option of `item`, or more than one."""
    if found:
        return ExplainedError(
            N_(
                "line %(line)s: category ‘%(category)s’ of %(variable)s matches more than one "
                "option: %(options)s; use a code or a name"
            ),
            line=line,
            category=category,
            variable=item.code,
            options=", ".join(option_name(choice) for choice in found),
        )
    return ExplainedError(
        N_("line %(line)s: %(variable)s has no option ‘%(category)s’ (its options: %(options)s)"),
        line=line,
        category=category,
        variable=item.code,
        options=option_names(item.choices),
    )


def _header(line: str, delimiter: str) -> list[str]:
    return [cell.strip().lower() for cell in line.split(delimiter)]


def parse_margins(text: str, wave: Wave) -> dict[str, dict[int, float]]:
    """The shares of a margins file (see `read_margins`), as stored: without rescaling."""
    return read_margins(text, wave).shares


@dataclass(frozen=True)
class _Row:
    """A line of shares as written, kept to rewrite it when its variable is rescaled."""

    line: int
    cells: tuple[str, str, str]
    code: int
    decimals: int
    """Decimals the share was written with: its rounding is half a unit of the last one."""


class _NumberedLines:
    """Feeds the CSV reader one line at a time and remembers the lines its current row took:
    a quoted field may hold a line break, so rows and lines need not agree."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self._lines = iter(lines)
        self._row: list[int] = []

    def __iter__(self) -> _NumberedLines:
        return self

    def __next__(self) -> str:
        number, line = next(self._lines)
        self._row.append(number)
        return line

    def take_row(self) -> tuple[int, int]:
        """The line the row began on and how many lines it took."""
        row, self._row = self._row, []
        return row[0], len(row)


@dataclass(frozen=True)
class ReadMargins:
    shares: dict[str, dict[int, float]]
    rescaled: tuple[Rescaling, ...]
    text: str
    """The file to store: as given, or with the rescaled shares and a comment that says so."""


def read_margins(
    text: str, wave: Wave, *, rescale: bool = False, budget: UploadBudget | None = None
) -> ReadMargins:
    """`read_shares` against the wave's question set, within `budget` (`consult.uploads`)."""
    question_set = question_set_of(wave.question_set_version)
    return read_within(budget, read_shares, text, question_set, rescale)


def read_shares(text: str, question_set: QuestionSet, rescale: bool) -> ReadMargins:
    """Read a margins CSV (`variable,category,share`; `;` or tab separated with decimal commas
    as a Dutch spreadsheet saves it) and check it against the wave's set.

    A category is an option code, a choice name or a label (`surveys.options`), so margins can
    be written in the words of a form made with ODK or KoboToolbox. Every problem is reported
    at once, with its line. A variable's shares must add up to 1; with `rescale`, shares that
    miss 1 by no more than their rounding can explain (half a unit of each share's last decimal,
    together) are rescaled to add up to 1, and the stored file says so.
    """
    demographics = {item.code: item for item in question_set.weighting_variables()}
    problems: list[ExplainedError] = []
    margins: dict[str, dict[int, float]] = {}
    rows_of: dict[str, list[_Row]] = {}
    # Lines starting with '#' are comments (the shipped file names its source and date there).
    source = text.lstrip("\ufeff").splitlines()
    lines = [
        (number, line)
        for number, line in enumerate(source, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    # A spreadsheet saved as CSV in Dutch separates fields with ';' and writes 0,25 for 0.25.
    delimiter = next(
        (
            d
            for d in ",;\t"
            if lines and _header(lines[0][1], d) == ["variable", "category", "share"]
        ),
        None,
    )
    if delimiter is None:
        raise WaveError(N_("The first line that is not a comment must be: variable,category,share"))
    feed = _NumberedLines(lines[1:])
    for row in csv.reader(feed, delimiter=delimiter):
        number, lines_taken = feed.take_row()
        if lines_taken > 1:
            problems.append(
                ExplainedError(
                    N_(
                        "line %(line)s: a quoted field runs over more than one line; write "
                        "each margin on a line of its own"
                    ),
                    line=number,
                )
            )
            continue
        if len(row) != 3:
            problems.append(
                ExplainedError(
                    N_("line %(line)s: expected 3 columns, found %(found)s"),
                    line=number,
                    found=len(row),
                )
            )
            continue
        variable, category, share_text = (cell.strip() for cell in row)
        item = demographics.get(variable)
        if item is None:
            problems.append(
                ExplainedError(
                    N_(
                        "line %(line)s: ‘%(variable)s’ is not a demographic item of this wave "
                        "(demographic items: %(known)s)"
                    ),
                    line=number,
                    variable=variable,
                    known=", ".join(sorted(demographics)) or "–",
                )
            )
            continue
        found = match_options(item.choices, category)
        if len(found) != 1:
            problems.append(_category_problem(number, item, category, found))
            continue
        code = found[0].code
        written = share_text.replace(",", ".") if delimiter != "," else share_text
        try:
            share = float(written)
        except ValueError:
            share = math.nan
        if not (math.isfinite(share) and 0 < share < 1):
            problems.append(
                ExplainedError(
                    N_("line %(line)s: share ‘%(share)s’ must be a number between 0 and 1"),
                    line=number,
                    share=share_text,
                )
            )
            continue
        if code in margins.setdefault(variable, {}):
            problems.append(
                ExplainedError(
                    N_("line %(line)s: %(variable)s %(code)s appears twice"),
                    line=number,
                    variable=variable,
                    code=code,
                )
            )
            continue
        margins[variable][code] = share
        rows_of.setdefault(variable, []).append(
            _Row(number, (row[0], row[1], row[2]), code, _decimals(written))
        )
    rescaled: list[Rescaling] = []
    for variable, shares in margins.items():
        total = math.fsum(shares.values())
        if abs(total - 1) <= SHARE_TOLERANCE:
            continue
        rounding = math.fsum(0.5 * 10.0**-row.decimals for row in rows_of[variable])
        within = abs(total - 1) <= rounding + 1e-12
        if within and rescale:
            factor = 1 / total
            margins[variable] = {code: share * factor for code, share in shares.items()}
            rescaled.append(Rescaling(variable, total, factor))
        elif within:
            problems.append(
                ExplainedError(
                    N_(
                        "%(variable)s: the shares add up to %(total)s, not 1, which rounding "
                        "of the shares can explain (together up to %(rounding)s): to rescale "
                        "them to 1, store them again with rescaling (consult waves margins "
                        "--rescale, or the rescale box on the wave's page)"
                    ),
                    variable=variable,
                    total=f"{total:.6f}",
                    rounding=f"{rounding:g}",
                )
            )
        else:
            problems.append(
                ExplainedError(
                    N_("%(variable)s: the shares add up to %(total)s, not 1"),
                    variable=variable,
                    total=f"{total:.6f}",
                )
            )
    if not margins and not problems:
        problems.append(ExplainedError(N_("the file has no margins")))
    if problems:
        raise WaveError(N_("The margins are not valid: %(problems)s"), problems=problems)
    if rescaled:
        text = _rescaled_text(source, lines[0][0], delimiter, rows_of, margins, rescaled)
    return ReadMargins(margins, tuple(rescaled), text)


def _decimals(share: str) -> int:
    """Decimals a share was written with ("0.10": 2; "1e-3": 3)."""
    try:
        exponent = Decimal(share).as_tuple().exponent
    except InvalidOperation:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _rescaled_text(
    source: list[str],
    header: int,
    delimiter: str,
    rows_of: dict[str, list[_Row]],
    margins: dict[str, dict[int, float]],
    rescaled: list[Rescaling],
) -> str:
    """The file with the rescaled shares in place of the given ones, and a comment above its
    header that says what was rescaled (the results pages show the file's comments)."""
    lines = list(source)
    for rescaling in rescaled:
        variable = rescaling.variable
        for row in rows_of[variable]:
            share = repr(margins[variable][row.code])
            written = share if delimiter == "," else share.replace(".", ",")
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter, lineterminator="").writerow(
                [row.cells[0], row.cells[1], written]
            )
            lines[row.line - 1] = out.getvalue()
    notes = [
        f"# Rescaled when stored, as asked: the shares of {r.variable} added up to "
        f"{r.total:.6g}; each was multiplied by {r.factor:.9g}."
        for r in rescaled
    ]
    lines[header - 1 : header - 1] = notes
    return "\n".join(lines) + "\n"


def set_margins(
    session: Session,
    wave: Wave,
    text: str,
    *,
    rescale: bool = False,
    budget: UploadBudget | None = None,
) -> StoredMargins:
    """Check and store a wave's margins; says what was rescaled and which answers (other than
    "prefer not to say") the margins leave out, with how many respondents gave them so far."""
    read = read_margins(text, wave, rescale=rescale, budget=budget)
    wave.margins = read.text
    return StoredMargins(read.shares, read.rescaled, left_out(session, wave, read.shares))


def left_out(
    session: Session, wave: Wave, shares: Mapping[str, Mapping[int, float]]
) -> tuple[Unlisted, ...]:
    """The answers of the wave's weighting questions that `shares` do not list and that are not
    a kind of "prefer not to say", with how many complete responses gave each so far: a real
    group the margins leave out (its respondents keep their sample share)."""
    question_set = question_set_of(wave.question_set_version)
    respondents = queries.complete_answer_counts(session, wave, list(shares))
    return tuple(
        answer
        for answer in unlisted_answers(question_set, shares, respondents)
        if answer.choice.missing is None
    )
