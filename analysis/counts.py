"""The input of the engine: respondents grouped into classes, never one row per respondent.

A *class* is a set of respondents who share everything an estimate looks at: their weighting cell
and their answers to the items involved. Raking weights depend only on the cell, so all members of
a class have the same weight and the same influence value, and every estimate and variance is a
sum over classes weighted by their counts. The database produces these tables with one GROUP BY.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

MISSING = -1
"""Code of a key when the respondent did not answer (not shown, skipped, or left open)."""


class CountsError(ValueError):
    """The grouped counts are malformed (shapes, negative counts, unknown cells)."""


def is_answered(values: np.ndarray) -> np.ndarray:
    """True where a key holds an answer: integer codes >= 0, or non-NaN numbers for float keys."""
    if np.issubdtype(values.dtype, np.floating):
        return ~np.isnan(values)
    return values >= 0


@dataclass(frozen=True, eq=False)
class Cells:
    """The weighting cells of a design: every complete response of a wave falls in one cell.

    ``categories[c, j]`` is the code of ``variables[j]`` shared by the respondents of cell ``c``
    (a refused or missing demographic keeps its own code, e.g. 99 or -1); ``counts[c]`` is how many
    complete responses the cell holds. The design's n is ``counts.sum()``.
    """

    variables: tuple[str, ...]
    categories: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        categories = np.asarray(self.categories, dtype=np.int64)
        counts = np.asarray(self.counts, dtype=np.int64)
        if categories.ndim == 1 and len(self.variables) == 1:
            categories = categories.reshape(-1, 1)
        if categories.ndim != 2 or categories.shape[1] != len(self.variables):
            raise CountsError(
                f"Cells.categories must have shape (cells, {len(self.variables)}), "
                f"got {categories.shape}"
            )
        if counts.shape != (categories.shape[0],):
            raise CountsError(
                f"Cells.counts must have one count per cell ({categories.shape[0]}), "
                f"got shape {counts.shape}"
            )
        if np.any(counts < 0):
            raise CountsError("Cells.counts must not be negative")
        if len(set(self.variables)) != len(self.variables):
            raise CountsError(f"Cells.variables repeats a name: {self.variables}")
        if categories.shape[0] and len(np.unique(categories, axis=0)) != categories.shape[0]:
            raise CountsError("Cells.categories lists the same cell twice; merge their counts")
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "counts", counts)

    @property
    def n(self) -> int:
        """Number of respondents in the design."""
        return int(self.counts.sum())

    def column(self, variable: str) -> np.ndarray:
        """The codes of one demographic variable, one per cell."""
        try:
            return self.categories[:, self.variables.index(variable)]
        except ValueError:
            raise CountsError(f"no weighting variable {variable!r} in {self.variables}") from None


@dataclass(frozen=True, eq=False)
class Grouped:
    """Respondents of a design grouped by cell and by the answers to some items.

    Row ``r`` is a class of ``counts[r]`` respondents in cell ``cell[r]`` whose answer to key
    ``name`` is ``keys[name][r]``. Integer keys hold answer codes with ``-1`` for "no answer";
    float keys (numeric items) hold the number with NaN for "no answer". Respondents who answered
    none of the keys may be left out: the design's cell counts account for them.
    """

    cell: np.ndarray
    keys: Mapping[str, np.ndarray]
    counts: np.ndarray

    def __post_init__(self) -> None:
        cell = np.asarray(self.cell, dtype=np.int64)
        counts = np.asarray(self.counts)
        if cell.ndim != 1 or counts.shape != cell.shape:
            raise CountsError(
                f"Grouped.cell and Grouped.counts must be 1-d of the same length, "
                f"got {cell.shape} and {counts.shape}"
            )
        if counts.size and (np.any(counts < 0) or np.any(counts != np.round(counts))):
            raise CountsError("Grouped.counts must be whole numbers >= 0")
        keys: dict[str, np.ndarray] = {}
        for name, values in self.keys.items():
            array = np.asarray(values)
            if array.shape != cell.shape:
                raise CountsError(
                    f"key {name!r} has shape {array.shape}, expected {cell.shape} like Grouped.cell"
                )
            if not (
                np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
            ):
                raise CountsError(f"key {name!r} must hold integer codes or numbers")
            if np.issubdtype(array.dtype, np.integer):
                array = array.astype(np.int64)
            else:
                array = array.astype(np.float64)
            keys[name] = array
        object.__setattr__(self, "cell", cell)
        object.__setattr__(self, "counts", counts.astype(np.int64))
        object.__setattr__(self, "keys", keys)

    def __len__(self) -> int:
        return int(self.cell.shape[0])

    def key(self, name: str) -> np.ndarray:
        """The values of one key, with a message naming the keys that exist."""
        try:
            return self.keys[name]
        except KeyError:
            raise CountsError(
                f"the counts have no key {name!r}; they have {sorted(self.keys)}"
            ) from None

    def check_against(self, cells: Cells) -> None:
        """Refuse counts that do not fit the design: unknown cells or too many respondents."""
        if len(self) == 0:
            return
        if self.cell.min() < 0 or self.cell.max() >= len(cells.counts):
            raise CountsError(
                f"Grouped.cell must index the design's {len(cells.counts)} cells, "
                f"found {int(self.cell.min())}..{int(self.cell.max())}"
            )
        per_cell = np.bincount(self.cell, weights=self.counts, minlength=len(cells.counts))
        over = np.flatnonzero(per_cell > cells.counts)
        if over.size:
            c = int(over[0])
            raise CountsError(
                f"cell {c} holds {cells.counts[c]} respondents but the counts put "
                f"{int(per_cell[c])} in it; were the counts taken on another set of responses?"
            )
