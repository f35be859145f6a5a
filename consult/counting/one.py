"""The reference engine: what one response adds to the counts, in plain Python.

Used where responses arrive one at a time (submit, CSV import): a submit counts in well under a
millisecond (`bench/counting.py`). `many.count_columns` does the same for arrays of answers and
must agree with it on every count (tests/consult/counting/test_engines_agree.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

from consult.counting.plan import ANSWERED, MISSING, PROFILE_BASE, CountPlan
from surveys.model import AnswerCell


def count_response(plan: CountPlan, cells: Iterable[AnswerCell]) -> Counter[tuple[str, float]]:
    """What one response adds to the counts, per (code, value): its answers as the plan
    counts them, then its profiles and scale sums."""
    counted: Counter[tuple[str, float]] = Counter()
    answered: set[str] = set()
    options: dict[str, int] = {}
    by_code = plan.counted
    for cell in cells:
        rule = by_code.get(cell.code)
        if rule is None:
            continue
        if cell.option is not None:
            previous = options.get(cell.code)
            if previous is None or cell.option > previous:
                options[cell.code] = cell.option
        if rule.ranks:
            if cell.option is None or cell.number is None:
                continue
            name = plan.rank_names.get((cell.code, cell.option))
            if name is not None:
                counted[(name, float(cell.number))] += 1
        elif rule.value == "option":
            if cell.option is not None:
                counted[(cell.code, float(cell.option))] += 1
                if rule.answered:
                    answered.add(cell.code)
        elif cell.number is not None:
            counted[(cell.code, float(cell.number))] += 1
    for code in answered:
        counted[(code, ANSWERED)] += 1
    for profile in plan.profiles:
        value = 0
        for position, (item, groups) in enumerate(zip(profile.items, profile.groups, strict=True)):
            option = options.get(item)
            if option is None:
                continue
            state = next((2 + j for j, codes in enumerate(groups) if option in codes), 1)
            value += state * PROFILE_BASE**position
        if value:
            counted[(profile.code, float(value))] += 1
    for scale in plan.scales:
        answers = [options.get(row, MISSING) for row in scale.rows]
        if any(answer < 0 or answer in scale.excluded for answer in answers):
            continue
        for m, names in enumerate(scale.moments):
            counted[(scale.code, float(m))] += math.prod(answers[j] for j in names)
    return counted


def cell_key(plan: CountPlan, cells: Iterable[AnswerCell]) -> str:
    """The weighting cell of a response: its demographic parts joined by '|' (MISSING when
    unanswered; a whole number as its rounded value)."""
    found: dict[str, int] = {}
    columns = {d.code: d.value for d in plan.demographics}
    for cell in cells:
        column = columns.get(cell.code)
        if column is None or cell.code in found:
            continue
        if column == "option" and cell.option is not None:
            found[cell.code] = cell.option
        elif column == "number" and cell.number is not None:
            found[cell.code] = int(round(cell.number))
    return "|".join(str(found.get(d.code, MISSING)) for d in plan.demographics)
