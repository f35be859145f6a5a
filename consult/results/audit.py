"""The disclosure audit of a wave (`consult audit-disclosure`): every table its results publish,
held together as an attacker would hold them, and for every suppressed small count the values
it could still take (`analysis.disclosure_audit`, whose docstring states the criterion).

The tables are what the results pages, the API and the downloads publish: each item's overall
table (with the acceptance summary's sums of options), the table of every item by every
single-choice question (or by the ones asked for), and the summary's counts published on their
own (the lift's, the paired comparisons' respondents). Their suppression is the results' own
(`consult.results.disclosure`), worked out here from the same counts: the kept counts overall
and by a weighting variable, and for the other groupings one pass over the answers that counts
every pair of questions at once (`pair_tables`). The audit also checks that the summary shows
exactly what the tables say it may.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from analysis import Grouped
from analysis.disclosure import TableSet, unsafe
from analysis.disclosure_audit import Interval, narrow_counts
from analysis.linked_tables import Linked, Margin, Name, add_linked, add_margin, profile_of
from consult.counting import queries as counting
from consult.counting.plan import ANSWERED
from consult.models import Wave
from consult.results.design import ResultsError, WaveDesign, load_design
from consult.results.disclosure import Disclosure, Policy
from consult.results.figures import summary
from consult.results.labels import item_label, option_label

CHUNK = 50_000
"""Responses whose answers are unpacked at once to count their pairs (about 30 MB)."""


@dataclass(frozen=True)
class NarrowCount:
    """A suppressed small count that the published figures pin down too closely."""

    table: str
    row: str
    column: str
    label: str
    count: int
    low: float
    high: float
    allowed_low: float
    allowed_high: float


@dataclass
class Audit:
    """What the audit looked at and what it found."""

    wave: str
    minimum: int
    groupings: list[str]
    tables: int = 0
    counts: int = 0
    suppressed: int = 0
    checked: int = 0
    programs: int = 0
    seconds: float = 0.0
    narrow: list[NarrowCount] = field(default_factory=list)
    stopped: bool = False
    """The search for narrow counts stopped at its limit: there may be more."""
    mismatches: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.narrow and not self.mismatches

    def as_json(self) -> dict[str, Any]:
        return {
            "wave": self.wave,
            "minimum_cell_size": self.minimum,
            "criterion": CRITERION,
            "groupings": self.groupings,
            "tables": self.tables,
            "counts": self.counts,
            "suppressed": self.suppressed,
            "checked": self.checked,
            "linear_programs": self.programs,
            "seconds": round(self.seconds, 3),
            "holds": self.holds,
            "stopped": self.stopped,
            "narrow": [
                {
                    "table": n.table,
                    "row": n.row,
                    "column": n.column,
                    "label": n.label,
                    "count": n.count,
                    "low": n.low,
                    "high": n.high,
                    "allowed_low": n.allowed_low,
                    "allowed_high": n.allowed_high if np.isfinite(n.allowed_high) else None,
                }
                for n in self.narrow
            ],
            "mismatches": self.mismatches,
        }


CRITERION = (
    "A suppressed count n with 0 < n < m (m the minimum cell size) must be able to take every "
    "value from 0 to m given all published figures (linear constraints, integrality relaxed); "
    "a count of a table by subgroup may keep a bound that the overall tables alone imply."
)


def _stored(code: str, policy: Policy) -> tuple[str, int | None]:
    """The code answers are stored under, and the option a ranking's `ITEM.option` stands
    for."""
    base, _, option = code.rpartition(".")
    if base and option.isdigit() and base not in policy.layouts:
        return base, int(option)
    return code, None


def pair_tables(
    session: Session,
    wave: Wave,
    policy: Policy,
    wanted: dict[str, list[str]],
) -> dict[str, list[tuple[str, Grouped]]]:
    """For each grouping (none a weighting variable) the counts of the `wanted` codes by it,
    among the responses that answered both, as `WaveDesign.subgroup_table` would give them
    (without cells, which suppression does not look at): one pass over the answers.

    Each response's answers become bits (one per option of each code, one for a number or a
    rank given, one for a multiple choice answered), 65 bytes a response; then every grouping
    option's bits times every other bit, summed over the responses a chunk at a time, give
    every pair of questions at once (a matrix product)."""
    codes = list(policy.layouts)
    stored: list[str] = []
    atoms: list[tuple[str, int | float]] = []  # (code, value in the counts)
    lookup: dict[tuple[int, int], int] = {}  # (stored code, option; -1: any) -> atom
    answered: dict[int, int] = {}  # a stored multiple choice -> its "answered" atom
    for code in codes:
        name, ranked = _stored(code, policy)
        if name not in stored:
            stored.append(name)
        s = stored.index(name)
        layout = policy.layouts[code]
        if ranked is not None:
            lookup[(s, ranked)] = len(atoms)
            atoms.append((code, 0.0))
        elif layout.kind == "mean":
            lookup[(s, -1)] = len(atoms)
            atoms.append((code, 0.0))
        else:
            for option in layout.options:
                lookup[(s, option)] = len(atoms)
                atoms.append((code, option))
            if layout.kind == "choices":
                answered[s] = len(atoms)
                atoms.append((code, int(ANSWERED)))
    top = max((option for _, option in lookup), default=0) + 2
    table = np.full((len(stored), top), -1, dtype=np.int64)
    for (s, option), atom in lookup.items():
        if option == -1:
            table[s, :] = atom  # a number, whatever its option
        else:
            table[s, option + 1] = atom
    answered_atom = np.array([answered.get(s, -1) for s in range(len(stored))], dtype=np.int64)
    ids, _ = counting.complete_responses(session, wave)
    bits = np.zeros((len(ids), (len(atoms) + 7) // 8), dtype=np.uint8)
    for responses, answer_codes, options in counting.answer_options(session, wave, ids, stored):
        at = np.searchsorted(ids, responses)
        hit = np.full(len(options), -1)
        fits = (options + 1 < top) & (options >= -1)
        hit[fits] = table[answer_codes[fits], options[fits] + 1]
        extra = answered_atom[answer_codes]
        rows = np.concatenate([at[hit >= 0], at[extra >= 0]])
        bit = np.concatenate([hit[hit >= 0], extra[extra >= 0]])
        np.bitwise_or.at(bits, (rows, bit >> 3), (128 >> (bit & 7)).astype(np.uint8))
    groupings = list(wanted)
    grouping_atoms = [
        [lookup[(stored.index(by), option)] for option in policy.layouts[by].options]
        for by in groupings
    ]
    chosen = np.array([a for atoms_of in grouping_atoms for a in atoms_of], dtype=np.int64)
    pairs = np.zeros((len(chosen), len(atoms)))
    for start in range(0, len(ids), CHUNK):
        matrix = np.unpackbits(bits[start : start + CHUNK], axis=1)[:, : len(atoms)]
        matrix = matrix.astype(np.float32)
        pairs += (matrix[:, chosen].T @ matrix).astype(np.float64)
    counts = np.rint(pairs).astype(np.int64)
    by_code: dict[str, list[int]] = {}
    for atom, (code, _) in enumerate(atoms):
        by_code.setdefault(code, []).append(atom)
    found_tables: dict[str, list[tuple[str, Grouped]]] = {}
    row = 0
    for by, atoms_of in zip(groupings, grouping_atoms, strict=True):
        options = np.array(policy.layouts[by].options, dtype=np.int64)
        block = counts[row : row + len(atoms_of)]
        row += len(atoms_of)
        found_tables[by] = []
        for code in wanted[by]:
            mine = by_code[code]
            values = np.tile(np.array([atoms[a][1] for a in mine]), len(options))
            groups = np.repeat(options, len(mine))
            keys = (
                {by: groups}
                if code == by
                else {
                    code: values.astype(
                        np.float64 if policy.layouts[code].kind == "mean" else np.int64
                    ),
                    by: groups,
                }
            )
            n = block[:, mine].reshape(-1)
            table_of = Grouped(cell=np.zeros(len(n), dtype=np.int64), keys=keys, counts=n)
            found_tables[by].append((code, table_of))
    return found_tables


def _label(design: WaveDesign, code: str, name: Name, lang: str) -> str:
    layout = Disclosure(design).policy.layouts[code]
    if name[0] in ("option", "chosen", "not"):
        option = int(name[1])  # type: ignore[misc]
        text = f"{code}={option} ({option_label(design.question_set, code, option, lang)})"
        return text if name[0] != "not" else f"{code}≠{option} (answered, not chosen)"
    if name[0] == "base":
        return f"{code} answered"
    codes = "+".join(str(c) for c in layout.sums[int(name[1])])  # type: ignore[misc]
    return f"{code} in {{{codes}}}" if name[0] == "sum" else f"{code} not in {{{codes}}}"


def _describe(design: WaveDesign, key: Any, lang: str) -> tuple[str, str, str, str]:
    """(table, row, column, label) of an entry of the audit's table set."""
    if isinstance(key, tuple) and len(key) == 3 and isinstance(key[0], tuple):
        (_, rows, columns), row, column = key
        label = f"{_label(design, rows, row, lang)} & {_label(design, columns, column, lang)}"
        return f"{rows} x {columns}", str(row), str(column), label
    if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str):
        code, name = key
        text = item_label(design.question_set, code, lang)
        return code, "", str(name), f"{_label(design, code, name, lang)}: {text}"
    return str(key), "", "", str(key)


def audit_wave(
    session: Session,
    wave: Wave,
    groupings: Sequence[str] | None = None,
    *,
    lang: str = "nl",
    limit: int | None = None,
) -> Audit:
    """Audit what the wave's results publish (by every single-choice question, or `groupings`);
    with `limit`, stop after finding that many narrow counts."""
    start = time.perf_counter()
    design = load_design(session, wave, "unweighted")
    disclosure = Disclosure(design)
    policy = disclosure.policy
    chosen = list(policy.groupings if groupings is None else dict.fromkeys(groupings))
    for by in chosen:
        if by not in policy.groupings:
            raise ResultsError(f"{by} is not a single-choice item; only those can form subgroups")
    audit = Audit(wave.slug, design.wave.min_cell_size, chosen)
    codes = list(policy.layouts)
    disclosure.margins(session, codes)
    # Beside the chosen groupings' tables, those the overview publishes counts of: each
    # acceptance question by each weighting variable (the largest subgroup differences) and by
    # its conditional question (the lift).
    wanted: dict[str, list[str]] = {by: list(codes) for by in chosen}
    for acceptance, conditional in sorted(policy.lifts):
        if policy.accepting(acceptance) is None:
            continue
        for by in policy.weighting:
            wanted.setdefault(by, []).append(acceptance)
        wanted.setdefault(conditional, []).append(acceptance)
    wanted = {by: list(dict.fromkeys(found)) for by, found in wanted.items()}
    for by, found in wanted.items():
        if by in policy.weighting:
            disclosure.tables(session, by, [(c, design.item_table(session, c)) for c in found])
    others = {by: found for by, found in wanted.items() if by not in policy.weighting}
    if others:
        for by, tables in pair_tables(session, wave, policy, others).items():
            disclosure.tables(session, by, tables)
    everything = TableSet()
    margins = {code: disclosure.margin(session, code) for code in codes}
    for code, overall in margins.items():
        add_margin(
            everything,
            code,
            overall.layout,
            profile_of(overall),
            design.cells.n,
            hidden=overall.hidden,
        )
    linked = {
        key: mask
        for key, mask in design.masks.items()
        if isinstance(key, tuple) and key[0] == "linked" and isinstance(mask, Linked)
    }
    for key, mask in linked.items():
        _, rows, columns = key
        spec = mask.spec
        add_linked(
            everything,
            key,
            (rows, margins[rows]),
            (columns, margins[columns]),
            spec.profiles,
            pair=spec.pair,
            rows_equal=spec.rows_equal,
            columns_equal=spec.columns_equal,
            extras=spec.extras,
            hidden=mask.hidden,
        )
    audit.mismatches = _summary_published(session, design, disclosure, margins, everything)
    frozen = everything.frozen()
    shown = frozen.published & ~frozen.hidden
    targets = np.flatnonzero(unsafe(frozen.values, audit.minimum) & ~shown)
    findings = narrow_counts(
        frozen.constraints,
        frozen.values,
        shown,
        targets,
        audit.minimum,
        baseline=frozen.baseline,
        limit=limit,
    )
    audit.stopped = findings.stopped
    audit.tables = len(margins) + len(linked)
    audit.counts = int(frozen.published.sum())
    audit.suppressed = int((frozen.published & frozen.hidden).sum())
    audit.checked = findings.checked
    audit.programs = findings.programs
    audit.narrow = [_narrow(design, frozen.keys[i.entry], i, lang) for i in findings.narrow]
    audit.seconds = time.perf_counter() - start
    return audit


def _narrow(design: WaveDesign, key: Any, found: Interval, lang: str) -> NarrowCount:
    table, row, column, label = _describe(design, key, lang)
    return NarrowCount(
        table,
        row,
        column,
        label,
        found.value,
        found.low,
        found.high,
        found.allowed_low,
        found.allowed_high,
    )


def _summary_published(
    session: Session,
    design: WaveDesign,
    disclosure: Disclosure,
    margins: dict[str, Margin],
    everything: TableSet,
) -> list[str]:
    """Check the acceptance summary against the tables: each count it shows must be one the
    tables show (the same count, not suppressed), and the reverse; put the counts it alone
    publishes (the respondents of a paired comparison of two conditions) in `everything`."""
    found = summary(session, design)
    if found is None:
        return []
    policy = disclosure.policy
    wrong: list[str] = []

    def expect(what: str, code: str, name: Name, n: int | None, shown: bool) -> None:
        margin = margins[code]
        position = margin.layout.position[name]
        tables_show = margin.shown(name)
        if shown != tables_show or (shown and n != int(margin.values[position])):
            wrong.append(
                f"summary {what} of {code} {'shows' if shown else 'hides'} {n}; "
                f"its table {'shows' if tables_show else 'hides'} {int(margin.values[position])}"
            )

    for app in found.applications:
        code = app.acceptance.item
        for row in app.distribution:
            expect(
                "distribution", code, ("option", int(row.option or 0)), row.n, not row.suppressed
            )
        expect("acceptance", code, ("sum", 0), app.acceptance.n, not app.acceptance.suppressed)
        expect("don't know", code, ("sum", 1), app.dont_know.n, not app.dont_know.suppressed)
        for share in app.conditions:
            expect(
                "necessary",
                share.item,
                ("sum", 0),
                share.necessary.n,
                not share.necessary.suppressed,
            )
        for share, following in zip(app.conditions, app.conditions[1:], strict=False):
            versus = share.versus_next
            if versus is None or versus.suppressed or versus.respondents is None:
                continue
            entry = everything.entry(
                ("paired", share.item, following.item),
                versus.respondents,
                fixed=True,
                baseline=True,
            )
            for item in (share.item, following.item):
                everything.bound([entry], everything.index[(item, ("base",))])
        if app.lift is not None:
            conditional = app.lift.conditional.item
            rows, columns = policy.oriented(code, conditional)
            mask = disclosure.kept.get(("linked", rows, columns))
            assert isinstance(mask, Linked), "the audit reads every lift's pair table"
            extras = mask.spec.extras or {}
            accepting = {
                conditional: policy.accepting_sum(conditional),
                code: policy.accepting_sum(code),
            }
            for row, item in ((app.lift.conditional, conditional), (app.lift.unconditional, code)):
                name: tuple[Name, Name] = (
                    (("sum", accepting[item]), ("base",))
                    if item == rows
                    else (("base",), ("sum", accepting[item]))
                )
                if (extras.get(name) == "shown") != (not row.suppressed):
                    wrong.append(
                        f"summary lift of {code} {'hides' if row.suppressed else 'shows'} the "
                        f"accepting of {item}; the pair table {rows} x {columns} does the opposite"
                    )
    return wrong
