"""The tree a workbook becomes: the builder's `_Map`/`_Seq` (see `surveys.tree`), each entry
located at the sheet row it was written in. The exporter builds the same nodes, unlocated, to
write a set as YAML."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import replace

from surveys.tree import Location, SheetRow, _Map, _Seq


class _Node(_Map):
    """A mapping of the question-set language read from one sheet row.

    `flow` is the YAML writer's one hint (`surveys.xlsform.yaml_write`): write the mapping on
    one line, like `{code: 1, label: Ja}`; the builder ignores it.
    """

    def __init__(self, at: Location = 0, *, flow: bool = False) -> None:
        super().__init__()
        self.line = at
        self.key_lines = {}
        self.flow = flow

    def put(self, key: str, value: object, at: Location | None = None) -> None:
        """Set `key`, located at `at` (by default where the mapping is), unless the value is
        absent (None or an empty text).

        A text per language ({nl: ..., en: ...}) and a list become located tree nodes; a whole
        float becomes an int, as a number means the same in the YAML the set is stored as."""
        if value is None or value == "":
            return
        where = self.line if at is None else at
        if isinstance(value, Mapping) and not isinstance(value, _Map):
            texts = _Node(where, flow=True)
            for language, text in value.items():
                texts.put(language, text)
            value = texts
        elif isinstance(value, list):
            value = _seq(value, where)
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        self[key] = value
        self.key_lines[key] = where


def _seq(values: Iterable[object], at: Location) -> _Seq:
    """A located sequence: each mapping where its row is, any other element where the list is."""
    result = _Seq(values)
    result.line = at
    result.item_lines = [value.line if isinstance(value, _Map) else at for value in result]
    return result


def _in_writing_order(tree: _Map) -> None:
    """Number the tree's locations (`SheetRow.order`) in the order its entries are written, so
    the problems found on one row are listed as a YAML file would list them by line: a mapping
    with the flow hint is one line, any other mapping starts a line per key, a list of
    mappings a line per element."""
    count = itertools.count(1)

    def numbered(at: Location, number: int) -> Location:
        return replace(at, order=number) if isinstance(at, SheetRow) else at

    def visit(value: object, number: int) -> None:
        """Number `value`, which starts on line `number`."""
        if isinstance(value, _Map):
            flow = getattr(value, "flow", False)
            value.line = numbered(value.line, number)
            for index, key in enumerate(value):
                line = number if flow or index == 0 else next(count)
                value.key_lines[key] = numbered(value.line_of(key), line)
                child = value[key]
                below = isinstance(child, _Map) and not (flow or getattr(child, "flow", False))
                visit(child, next(count) if below else line)
        elif isinstance(value, _Seq):
            value.line = numbered(value.line, number)
            if not any(isinstance(element, _Map | _Seq) for element in value):
                value.item_lines = [numbered(at, number) for at in value.item_lines]
                return
            for index, element in enumerate(value):
                line = next(count)
                visit(element, line)
                at = element.line if isinstance(element, _Map) else value.item_lines[index]
                value.item_lines[index] = numbered(at, line)

    visit(tree, next(count))
