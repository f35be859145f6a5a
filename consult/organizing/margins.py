"""A wave's population margins for weighting: read from CSV and checked against its question set."""

from __future__ import annotations

import csv
import math

from consult.messages import N_, ExplainedError
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.organizing.waves import WaveError
from surveys.model import Choice, Item
from surveys.options import match_options, option_name, option_names


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
    """Read a margins CSV (`variable,category,share`; `;` or tab separated with decimal commas
    as a Dutch spreadsheet saves it) and check it against the wave's set.

    A category is an option code, a choice name or a label (`surveys.options`), so margins can
    be written in the words of a form made with ODK or KoboToolbox. Every problem is reported
    at once, with its line.
    """
    question_set = question_set_of(wave.question_set_version)
    demographics = {item.code: item for item in question_set.weighting_variables()}
    problems: list[ExplainedError] = []
    margins: dict[str, dict[int, float]] = {}
    # Lines starting with '#' are comments (the shipped file names its source and date there).
    lines = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
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
    rows = zip(
        [n for n, _ in lines[1:]],
        csv.reader((line for _, line in lines[1:]), delimiter=delimiter),
        strict=True,
    )
    for number, row in rows:
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
        try:
            share = float(share_text.replace(",", ".") if delimiter != "," else share_text)
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
    for variable, shares in margins.items():
        total = sum(shares.values())
        if abs(total - 1) > 1e-6:
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
    return margins


def set_margins(wave: Wave, text: str) -> dict[str, dict[int, float]]:
    margins = parse_margins(text, wave)
    wave.margins = text
    return margins
