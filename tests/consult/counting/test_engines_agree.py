"""The two counting engines carry out one plan: on any question set and any answers, the NumPy
engine's counts equal the sum of the plain-Python engine's counts per response, on every
(cell, code, value), and so do the cells they put each response in."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.counting.many import AnswerColumns, Counts, cell_keys, count_columns
from consult.counting.one import cell_key, count_response
from consult.counting.plan import CountPlan, parse_cell_key
from surveys.loader import load_question_set
from surveys.model import AnswerCell, Item, QuestionSet

HEADER = """\
consultation: {slug: prop, title: Eigenschap}
wave: prop-2026
languages: [nl]
choice_lists:
  acceptance5:
    - {code: 1, label: Zeer onaanvaardbaar}
    - {code: 2, label: Onaanvaardbaar}
    - {code: 3, label: Neutraal}
    - {code: 4, label: Aanvaardbaar}
    - {code: 5, label: Zeer aanvaardbaar}
    - {code: 9, label: Weet niet, missing: dont_know}
  conditions3:
    - {code: 1, label: Onbelangrijk}
    - {code: 2, label: Belangrijk}
    - {code: 3, label: Noodzakelijk}
    - {code: 9, label: Weet niet, missing: dont_know}
  sex:
    - {code: 1, label: Man}
    - {code: 2, label: Vrouw}
    - {code: 99, label: Zeg ik liever niet, missing: refused}
vocabulary:
  domains: [{code: green, label: G}, {code: white, label: W}, {code: red, label: R}]
  conditions:
    - {code: safety, label: S}
    - {code: transparency, label: T}
    - {code: ethics, label: E}
    - {code: public_benefit, label: P}
  scales:
    acceptance5: {accepting: [4, 5], dont_know: [9]}
    conditions3: {necessary: [3]}
"""

CONDITIONS = ("safety", "transparency", "ethics", "public_benefit")


def _choices(codes: list[int], exclusive: bool = False) -> str:
    entries = [f"{{code: {code}, label: Optie {code}}}" for code in codes]
    if exclusive:
        entries.append("{code: 0, label: Geen van deze, exclusive: true}")
    return "[" + ", ".join(entries) + "]"


@st.composite
def question_sets(draw: st.DrawFn) -> QuestionSet:
    """A small valid question set: every counted item type, applications with roles (so the
    plan has profiles and scales) and weighting variables (so responses fall in cells)."""
    items: list[str] = []
    number = iter(range(1, 1000))

    def code() -> str:
        return f"Q{next(number)}"

    for kind in draw(
        st.lists(
            st.sampled_from(
                ["single", "likert", "multiple", "ranking", "battery", "number", "slider", "text"]
            ),
            min_size=1,
            max_size=6,
        )
    ):
        options = draw(st.lists(st.integers(1, 12), min_size=2, max_size=4, unique=True))
        if kind in ("single", "likert"):
            items.append(f"{{code: {code()}, type: {kind}, text: V, choices: {_choices(options)}}}")
        elif kind == "multiple":
            exclusive = draw(st.booleans())
            most = draw(st.one_of(st.none(), st.integers(1, len(options))))
            limit = "" if most is None else f", max: {most}"
            items.append(
                f"{{code: {code()}, type: multiple, text: V{limit}, "
                f"choices: {_choices(options, exclusive)}}}"
            )
        elif kind == "ranking":
            items.append(
                f"{{code: {code()}, type: ranking, text: V, choices: {_choices(options)}}}"
            )
        elif kind == "battery":
            battery = code()
            rows = ", ".join(
                f"{{code: {battery}_R{r}, text: R}}" for r in range(draw(st.integers(1, 3)))
            )
            items.append(
                f"{{code: {battery}, type: battery, text: V, rows: [{rows}], "
                f"choices: [{{code: 1, label: A}}, {{code: 2, label: B}}, {{code: 3, label: C}}, "
                f"{{code: 8, label: Weet niet, missing: dont_know}}]}}"
            )
        elif kind == "number":
            decimal = draw(st.booleans())
            items.append(
                f"{{code: {code()}, type: number, text: V, min: 0, max: 100"
                + (", integer: false}" if decimal else "}")
            )
        elif kind == "slider":
            items.append(f"{{code: {code()}, type: slider, text: V}}")
        else:
            items.append(f"{{code: {code()}, type: text, text: V}}")

    domains = ("green", "white", "red")
    applications: list[str] = []
    for a in range(draw(st.integers(0, 3))):
        applications.append(
            f"    - {{code: app{a}, domain: {draw(st.sampled_from(domains))}, label: A{a}}}\n"
        )
        where = f"application: app{a}"
        items.append(
            f"{{code: ACC{a}, type: likert, text: V, choices: acceptance5, role: acceptance, "
            f"{where}}}"
        )
        if draw(st.booleans()):
            items.append(
                f"{{code: CACC{a}, type: likert, text: V, choices: acceptance5, "
                f"role: conditional_acceptance, {where}}}"
            )
        conditions = draw(st.lists(st.sampled_from(CONDITIONS), max_size=3, unique=True))
        if draw(st.booleans()):
            if conditions:
                rows = ", ".join(
                    f"{{code: COND{a}_{c.upper()}, text: R, condition: {c}}}" for c in conditions
                )
                items.append(
                    f"{{code: COND{a}, type: battery, text: V, choices: conditions3, "
                    f"role: condition, {where}, rows: [{rows}]}}"
                )
        else:
            for c in conditions:
                items.append(
                    f"{{code: COND{a}_{c.upper()}, type: single, text: V, choices: conditions3, "
                    f"role: condition, condition: {c}, {where}}}"
                )

    demographics = draw(
        st.lists(st.sampled_from(["sex", "age_group", "education"]), max_size=3, unique=True)
    )
    for d in demographics:
        if d == "sex":
            items.append("{code: SEX, type: single, text: V, choices: sex, role: demographic}")
        elif d == "age_group":
            # A whole number as a weighting variable: its rounded value is the cell's part.
            items.append("{code: AGE, type: number, text: V, min: 18, max: 99, role: demographic}")
        else:
            items.append(
                f"{{code: EDU, type: likert, text: V, choices: {_choices([1, 2, 3])}, "
                "role: demographic}"
            )
    lines = [f"      - {item}" for item in items]
    declared = "  applications:\n" + "".join(applications) if applications else ""
    page = "pages:\n  - id: p1\n    title: P\n    items:\n" + "\n".join(lines)
    return load_question_set(HEADER + declared + page)


def _cells_of(item: Item, draw: st.DrawFn) -> list[AnswerCell]:
    """Answers as they may be stored for an item: mostly valid, sometimes none, and now and
    then an option no choice has (tampered or from an older version)."""
    options = [choice.code for choice in item.choices] or [1]
    option = st.one_of(st.sampled_from(options), st.integers(0, 20))
    if item.type in ("single", "likert"):
        return [AnswerCell(item.code, option=draw(option))]
    if item.type == "battery":
        return [
            AnswerCell(row.code, option=draw(option)) for row in item.rows if draw(st.booleans())
        ]
    if item.type == "multiple":
        ticked = draw(st.lists(st.sampled_from(options), max_size=len(options), unique=True))
        return [AnswerCell(item.code, option=o) for o in ticked]
    if item.type == "ranking":
        order = draw(st.permutations(options))
        ranked = order[: draw(st.integers(0, len(order)))]
        return [AnswerCell(item.code, option=o, number=float(r)) for r, o in enumerate(ranked, 1)]
    if item.type in ("number", "slider"):
        value = draw(
            st.one_of(st.integers(0, 100).map(float), st.sampled_from([17.5, 18.5, 42.25]))
        )
        return [AnswerCell(item.code, number=value)]
    return [AnswerCell(item.code, text=draw(st.text(max_size=5)))]


@st.composite
def waves(draw: st.DrawFn) -> tuple[QuestionSet, list[list[AnswerCell]]]:
    question_set = draw(question_sets())
    items = [item for item in question_set.all_items() if item.answer_codes]
    responses = []
    for _ in range(draw(st.integers(1, 25))):
        cells: list[AnswerCell] = []
        for item in items:
            if draw(st.integers(0, 9)) > 0:
                cells += _cells_of(item, draw)
        if draw(st.booleans()) and cells:
            twice = draw(st.sampled_from(cells))  # a code stored twice, maybe with another value
            if twice.option is not None and draw(st.booleans()):
                twice = dataclasses.replace(twice, option=draw(st.integers(0, 20)))
            cells.append(twice)
        cells.append(AnswerCell("NOT_IN_THE_SET", option=1))
        responses.append(draw(st.permutations(cells)))
    return question_set, responses


def _columns(responses: list[list[AnswerCell]]) -> AnswerColumns:
    names = sorted({cell.code for cells in responses for cell in cells})
    index = {name: i for i, name in enumerate(names)}
    rows = [(who, cell) for who, cells in enumerate(responses) for cell in cells]
    return AnswerColumns(
        tuple(names),
        np.array([who for who, _ in rows], dtype=np.int64),
        np.array([index[cell.code] for _, cell in rows], dtype=np.int64),
        np.array([-1 if cell.option is None else cell.option for _, cell in rows], dtype=np.int64),
        np.array([np.nan if cell.number is None else cell.number for _, cell in rows]),
    )


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(waves())
def test_both_engines_give_every_count_alike(
    wave: tuple[QuestionSet, list[list[AnswerCell]]],
) -> None:
    question_set, responses = wave
    plan = CountPlan.of(question_set)

    one_by_one: Counter[tuple[str, str, float]] = Counter()
    one_keys = []
    for cells in responses:
        key = cell_key(plan, cells)
        one_keys.append(key)
        for (code, value), n in count_response(plan, cells).items():
            one_by_one[(key, code, value)] += n  # `+=` keeps sums of zero, as the counts do

    columns = _columns(responses)
    cell_of, keys = cell_keys(plan, columns, len(responses))
    assert [keys[cell] for cell in cell_of] == one_keys
    assert keys == sorted(set(keys), key=parse_cell_key)

    at_once = count_columns(plan, columns, cell_of)
    assert at_once.as_dict(plan, keys) == dict(one_by_one)

    # In two parts added up, as a recount streams a wave.
    half = len(responses) // 2
    first = columns.respondent < half
    parts = Counts.empty()
    for chosen, start, stop in ((first, 0, half), (~first, half, len(responses))):
        part = columns.take(chosen)
        local = AnswerColumns(
            part.names, part.respondent - start, part.code, part.option, part.number
        )
        parts = parts.merged(count_columns(plan, local, cell_of[start:stop]))
    assert parts.as_dict(plan, keys) == dict(one_by_one)


def test_the_generated_sets_have_what_the_plan_counts() -> None:
    """The generator reaches every part of a plan (else the property above proves little)."""
    seen: Counter[str] = Counter()

    @settings(max_examples=80, deadline=None, derandomize=True)
    @given(question_sets())
    def look(question_set: QuestionSet) -> None:
        plan = CountPlan.of(question_set)
        seen["profiles"] += bool(plan.profiles)
        seen["scales"] += bool(plan.scales)
        seen["ranks"] += any(counted.ranks for counted in plan.codes)
        seen["answered"] += any(counted.answered for counted in plan.codes)
        seen["whole numbers in cells"] += any(d.value == "number" for d in plan.demographics)

    look()
    assert all(seen[part] >= 8 for part in seen) and len(seen) == 5, seen
