"""Where things stand in a question set, and which of them moved between two versions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from surveys.messages import Message
from surveys.model import Item, QuestionSet, Row

# Where a change belongs in the question set: ("block", id), ("page", id) or ("code", code).
_Key = tuple[str, str]


def _rows_by_code(qset: QuestionSet) -> dict[str, tuple[Item, Row]]:
    """Every battery row with its battery, so rows can be matched across sets by code."""
    return {row.code: (item, row) for item in qset.all_items() for row in item.rows}


#: The outline of a set: the places under each place (None: the top, with blocks and pages).
_Outline = dict[_Key | None, list[_Key]]


def _outline(qset: QuestionSet) -> _Outline:
    """Blocks and pages at the top (each block just before its first page), items under their
    page, rows under their battery."""
    outline: _Outline = defaultdict(list)
    for page in qset.pages:
        block: _Key | None = ("block", page.block) if page.block is not None else None
        if block is not None and block not in outline[None]:
            outline[None].append(block)
        outline[None].append(("page", page.id))
        for item in page.items:
            outline[("page", page.id)].append(("code", item.code))
            outline[("code", item.code)].extend(("code", row.code) for row in item.rows)
    return outline


def _merged_order(old: _Outline, new: _Outline) -> dict[_Key, int]:
    """Rank of every place in reading order of the new set. A place only in the old set goes
    right after the nearest earlier sibling that is still there, under the same parent, so a
    removed row stays with its battery and a removed item with its page."""
    in_new = {key for children in new.values() for key in children}
    order: list[_Key] = []

    def visit(parent: _Key | None) -> None:
        children = new.get(parent, [])
        here = set(children)
        after: defaultdict[_Key | None, list[_Key]] = defaultdict(list)
        anchor: _Key | None = None
        for key in old.get(parent, []):
            if key in here:
                anchor = key
            elif key not in in_new:
                after[anchor].append(key)
        for key in after[None] + [k for child in children for k in (child, *after[child])]:
            order.append(key)
            visit(key)

    visit(None)
    return {key: rank for rank, key in enumerate(order)}


def _common(order: Sequence[str], other: Sequence[str]) -> list[str]:
    """The elements of `order` that `other` has too, to compare orders without adds/removals."""
    kept = set(other)
    return [value for value in order if value in kept]


def _moved(old: Sequence[str], new: Sequence[str]) -> list[str]:
    """Elements in both whose relative order changed: those outside a longest common
    subsequence, so one item moved is reported once rather than everything it passed."""
    first, second = _common(old, new), _common(new, old)
    if first == second:
        return []
    lengths = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i in range(len(first) - 1, -1, -1):
        for j in range(len(second) - 1, -1, -1):
            if first[i] == second[j]:
                lengths[i][j] = lengths[i + 1][j + 1] + 1
            else:
                lengths[i][j] = max(lengths[i + 1][j], lengths[i][j + 1])
    kept: set[str] = set()
    i = j = 0
    while i < len(first) and j < len(second):
        if first[i] == second[j]:
            kept.add(first[i])
            i += 1
            j += 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return [value for value in second if value not in kept]


def _position(order: Sequence[str], value: str, noun: str) -> Message:
    """'first' or 'after page X' / 'after item X': where an element stands in one version."""
    index = list(order).index(value)
    if index == 0:
        return Message("first")
    if noun == "page":
        return Message("after page %(id)s", {"id": order[index - 1]})
    return Message("after item %(code)s", {"code": order[index - 1]})


# --------------------------------------------------------------------------- wording
