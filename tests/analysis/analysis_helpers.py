"""Test harness for the analysis engine: individual-level data and the counts built from it.

The engine never sees respondents; these helpers play the database's part (one GROUP BY) with
numpy so that results on counts can be compared with R and with direct formulas on the rows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.counts import Cells, Grouped

DEMOGRAPHICS = ("age", "sex", "edu", "prov")

ROOT = Path(__file__).resolve().parents[2]
RAKE_CONTROL = re.compile(r"control = list\(maxit = [0-9]+, epsilon = [0-9.e+-]+\)")
"""How R's rake() control is written in the READMEs and in every R script of the tests."""


def readme_rake_control() -> str:
    """The rake() control the README's R recipe names: the one every R comparison uses."""
    found = RAKE_CONTROL.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found, "README.md names no rake() control"
    assert len(set(found)) == 1, f"README.md names several rake() controls: {sorted(set(found))}"
    return str(found[0])


# Population shares (made up, deliberately unlike the sample so weights matter).
MARGINS: dict[str, dict[int, float]] = {
    "age": {1: 0.11, 2: 0.16, 3: 0.17, 4: 0.18, 5: 0.20, 6: 0.18},
    "sex": {1: 0.495, 2: 0.505},
    "edu": {1: 0.30, 2: 0.38, 3: 0.32},
    "prov": {1: 0.21, 2: 0.17, 3: 0.15, 4: 0.12, 5: 0.10, 6: 0.09, 7: 0.07, 8: 0.05, 9: 0.04},
}


@dataclass
class Sample:
    """Individual rows: demographics (99 = refused) and items (-1 = no answer, NaN for numbers)."""

    columns: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.columns["age"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def write_csv(self, path: Path) -> None:
        """CSV for R: missing answers as NA."""
        names = list(self.columns)
        lines = [",".join(names)]
        cols = []
        for name in names:
            values = self.columns[name]
            if np.issubdtype(values.dtype, np.floating):
                cols.append(["NA" if np.isnan(v) else repr(float(v)) for v in values])
            else:
                cols.append(["NA" if v < 0 else str(int(v)) for v in values])
        lines += [",".join(row) for row in zip(*cols, strict=True)]
        path.write_text("\n".join(lines) + "\n")


def generate(n: int = 2000, seed: int = 20260101) -> Sample:
    """Skewed demographics, a refused age, items with don't-know and missing answers."""
    rng = np.random.default_rng(seed)
    age = rng.choice(np.arange(1, 7), n, p=[0.05, 0.10, 0.15, 0.20, 0.25, 0.25])
    age[rng.random(n) < 0.04] = 99
    sex = rng.choice([1, 2], n, p=[0.58, 0.42])
    edu = rng.choice([1, 2, 3], n, p=[0.12, 0.30, 0.58])
    prov = rng.choice(np.arange(1, 10), n, p=[0.25, 0.2, 0.15, 0.1, 0.09, 0.08, 0.06, 0.04, 0.03])
    # Acceptance depends on education and age, so weighting moves the figures.
    latent = 0.5 * edu - 0.25 * np.where(age == 99, 3, age) + rng.normal(0, 1.2, n)
    q1 = np.clip(np.round(latent + 2.8), 1, 5).astype(np.int64)
    q1[rng.random(n) < 0.08] = 9
    q1[rng.random(n) < 0.10] = -1
    # Conditional acceptance: higher than unconditional for most.
    shift = rng.choice([0, 1, 2], n, p=[0.5, 0.35, 0.15])
    q2 = np.where(q1 == 9, rng.choice([3, 4, 9], n), np.clip(q1 + shift, 1, 5)).astype(np.int64)
    q2[q1 < 0] = -1
    q2[rng.random(n) < 0.06] = -1
    grp = rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2]) + (edu == 3)
    grp = np.clip(grp, 1, 3).astype(np.int64)
    grp[rng.random(n) < 0.05] = -1
    x = np.round(rng.normal(40 + 8 * edu, 15, n).clip(0, 100), 1)
    x[rng.random(n) < 0.12] = np.nan
    # Conditions battery: four rows, 3 = necessary, 9 = don't know, correlated by a person effect.
    person = rng.normal(0, 1, n)
    rows = {}
    for j, level in enumerate([0.9, 0.5, 0.4, -0.2]):
        score = level + 0.8 * person + rng.normal(0, 0.8, n)
        code = np.digitize(score, [-0.6, 0.4]) + 1
        code[rng.random(n) < 0.05] = 9
        code[rng.random(n) < 0.07 + 0.01 * j] = -1
        rows[f"r{j + 1}"] = code.astype(np.int64)
    return Sample(
        {
            "age": age.astype(np.int64),
            "sex": sex.astype(np.int64),
            "edu": edu.astype(np.int64),
            "prov": prov.astype(np.int64),
            "q1": q1,
            "q2": q2,
            "grp": grp,
            "x": x,
            **rows,
        }
    )


def cells_of(sample: Sample, variables: tuple[str, ...] = DEMOGRAPHICS) -> tuple[Cells, np.ndarray]:
    """The weighting cells and each respondent's cell index."""
    stacked = np.column_stack([sample[v] for v in variables])
    categories, index, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return Cells(variables, categories, counts), index.ravel()


def grouped(cell_index: np.ndarray, columns: Mapping[str, np.ndarray]) -> Grouped:
    """Counts per (cell, answers): what the database's GROUP BY returns.

    Respondents who answered none of the keys are left out, as the database would.
    """
    names = list(columns)
    keep = np.zeros(len(cell_index), dtype=bool)
    for name in names:
        values = columns[name]
        keep |= ~np.isnan(values) if np.issubdtype(values.dtype, np.floating) else values >= 0
    floats = [np.issubdtype(columns[k].dtype, np.floating) for k in names]
    stacked = np.column_stack(
        [cell_index[keep].astype(np.float64)]
        + [np.nan_to_num(columns[k][keep].astype(np.float64), nan=-1e300) for k in names]
    )
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    keys: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        col = rows[:, j + 1]
        if floats[j]:
            keys[name] = np.where(col == -1e300, np.nan, col)
        else:
            keys[name] = col.astype(np.int64)
    return Grouped(cell=rows[:, 0].astype(np.int64), keys=keys, counts=counts)


def r_available() -> bool:
    """Rscript on the PATH with the survey package installed."""
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly = TRUE))"],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0


def run_r(script: str, workdir: Path) -> None:
    """Run an R script in ``workdir``; fail with R's own message if it errors."""
    path = workdir / "script.R"
    path.write_text(script)
    result = subprocess.run(
        ["Rscript", "--vanilla", str(path)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise AssertionError(f"R failed:\n{result.stderr[-4000:]}")


def read_values(path: Path) -> dict[str, float]:
    """A two-column CSV ``name,value`` written by R with 17 significant digits."""
    values: dict[str, float] = {}
    for line in path.read_text().splitlines()[1:]:
        name, value = line.rsplit(",", 1)
        values[name.strip('"')] = float(value.strip('"'))
    return values


def linearized_se_rows(
    weights: np.ndarray,
    influence: np.ndarray,
    margins: list[np.ndarray],
    *,
    calibrated: bool = True,
) -> float:
    """R's svyrecvar for a raked one-stage design, row by row (the reference for the engine).

    ``influence`` is x_i = w_i * 1_d(i) * (y_i - estimate) / W_d on every respondent of the
    design; ``margins`` are the respondents' raking categories in raking order.
    """
    x = influence.astype(np.float64).copy()
    if calibrated:
        for _ in range(10):
            for category in margins:
                _, index = np.unique(category, return_inverse=True)
                means = np.bincount(index, weights=x / weights) / np.bincount(index)
                x = x - weights * means[index]
    n = len(x)
    return float(np.sqrt(n / (n - 1) * np.sum((x - x.mean()) ** 2)))


def raking_categories(
    sample: Sample, variables: tuple[str, ...] = DEMOGRAPHICS
) -> list[np.ndarray]:
    """Each respondent's raking category per variable, refused/missing pooled as the engine does."""
    out = []
    for v in variables:
        codes = sample[v].copy()
        codes[(codes < 0) | (codes == 99)] = -1
        out.append(codes)
    return out
