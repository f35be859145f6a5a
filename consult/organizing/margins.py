"""A wave's population margins for weighting: read from CSV and checked against its question set."""

from __future__ import annotations

import csv
import math

from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.organizing.waves import WaveError


def parse_margins(text: str, wave: Wave) -> dict[str, dict[int, float]]:
    """Read a margins CSV (`variable,category,share`) and check it against the wave's set.

    Every problem is reported at once, with its line.
    """
    question_set = question_set_of(wave.question_set_version)
    demographics = {
        item.code: item for item in question_set.all_items() if item.role == "demographic"
    }
    problems: list[str] = []
    margins: dict[str, dict[int, float]] = {}
    # Lines starting with '#' are comments (the shipped file names its source and date there).
    lines = [
        (number, line)
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines or [h.strip().lower() for h in lines[0][1].split(",")] != [
        "variable",
        "category",
        "share",
    ]:
        raise WaveError("the first line that is not a comment must be: variable,category,share")
    rows = zip([n for n, _ in lines[1:]], csv.reader(line for _, line in lines[1:]), strict=True)
    for number, row in rows:
        if len(row) != 3:
            problems.append(f"line {number}: expected 3 columns, found {len(row)}")
            continue
        variable, category, share_text = (cell.strip() for cell in row)
        item = demographics.get(variable)
        if item is None:
            known = ", ".join(sorted(demographics)) or "none"
            problems.append(
                f"line {number}: '{variable}' is not a demographic item of this wave "
                f"(demographic items: {known})"
            )
            continue
        try:
            code = int(category)
        except ValueError:
            problems.append(f"line {number}: category '{category}' is not an option code")
            continue
        if item.choice(code) is None:
            problems.append(f"line {number}: {variable} has no option {code}")
            continue
        try:
            share = float(share_text)
        except ValueError:
            share = math.nan
        if not (math.isfinite(share) and 0 < share < 1):
            problems.append(f"line {number}: share '{share_text}' must be a number between 0 and 1")
            continue
        if code in margins.setdefault(variable, {}):
            problems.append(f"line {number}: {variable} {code} appears twice")
            continue
        margins[variable][code] = share
    for variable, shares in margins.items():
        total = sum(shares.values())
        if abs(total - 1) > 1e-6:
            problems.append(f"{variable}: the shares add up to {total:.6f}, not 1")
    if not margins and not problems:
        problems.append("the file has no margins")
    if problems:
        raise WaveError("; ".join(problems))
    return margins


def set_margins(wave: Wave, text: str) -> dict[str, dict[int, float]]:
    margins = parse_margins(text, wave)
    wave.margins = text
    return margins
