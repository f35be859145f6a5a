"""The one tree both readers build and the builder walks: mappings and sequences that remember
where each entry was written, as a YAML line or as a workbook's sheet and row.

The YAML reader (`surveys.yaml_read`) and the XLSForm reader (`surveys.xlsform`) each turn their
file into this tree, and the one validator (`surveys.loader._Builder`) reads it, so a problem is
located where the author wrote the value, in the file they wrote, without a translation step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias


@dataclass(frozen=True)
class SheetRow:
    """A place in a workbook: the sheet's title as written, and a row number when there is one
    (a problem about a whole sheet, such as a missing column, has none).

    `order` is the entry's place in the tree read from the workbook: it lists the problems of
    one row in the order of the row's entries, as a YAML file lists them by line. It is not
    part of the place: two entries of one row are at the same SheetRow."""

    sheet: str
    row: int | None = None
    order: int = field(default=0, compare=False, repr=False)

    def __str__(self) -> str:
        return f"sheet {self.sheet}" + (f", row {self.row}" if self.row is not None else "")


#: Where something was written: a line of a YAML file, or a sheet and row of a workbook.
Location: TypeAlias = int | SheetRow


class _Map(dict[Any, Any]):
    """A mapping that remembers where it and each of its keys start."""

    line: Location = 0
    key_lines: dict[Any, Location]

    def line_of(self, key: str) -> Location:
        """Where `key` was written if present, else where the mapping itself starts."""
        return self.key_lines.get(key, self.line)


class _Seq(list[Any]):
    """A sequence that remembers where it and each element start."""

    line: Location = 0
    item_lines: list[Location]

    def line_at(self, index: int) -> Location:
        return self.item_lines[index] if index < len(self.item_lines) else self.line
