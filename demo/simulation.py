"""Realistic synthetic responses, for demos, tests and benchmarks.

The respondents are skewed away from the population (older and more highly educated than the
margins say), so weighting matters; acceptance of each application depends on a latent attitude
(itself related to education and age) and on the application's domain; respondents who find more
conditions necessary gain more acceptance once those conditions are met. Everything is generated
as arrays, one item at a time, never one respondent at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from consult.counting import queries as counts_queries
from consult.counting.many import AnswerColumns, Tally, cell_keys, count_sliced
from consult.counting.plan import plan_of
from consult.models import Wave
from consult.organizing.margins import parse_margins
from consult.organizing.question_sets import question_set_of
from consult.progress import SILENT, Progress, stage
from consult.responding import queries as responding_queries
from demo.open_answers import open_answers
from demo.scenarios import Scenario, scenario_for
from surveys.expressions import evaluate
from surveys.model import Item, Page, QuestionSet, Value
from surveys.types import Answer, question_type

NAN = float("nan")
SKIP_RATE = 0.02  # optional questions left open
DONT_KNOW_RATE = 0.06


@dataclass(frozen=True)
class Selections:
    """A multiple-choice item's answers: which options (columns) each respondent ticked."""

    options: np.ndarray  # (k,) option codes
    ticked: np.ndarray  # (n, k) bool
    answered: np.ndarray  # (n,) bool


@dataclass
class Simulated:
    """Answers of n respondents: float arrays by answer code (NaN = no answer), the ticks of
    multiple-choice items, and rank matrices of ranking items (0 = not ranked)."""

    n: int
    values: dict[str, np.ndarray] = field(default_factory=dict)
    selections: dict[str, Selections] = field(default_factory=dict)
    ranks: dict[str, np.ndarray] = field(default_factory=dict)
    texts: dict[str, list[str | None]] = field(default_factory=dict)

    def answer_of(self, code: str, index: int) -> Value | None:
        if code in self.values:
            value = self.values[code][index]
            if np.isnan(value):
                return None
            return int(value) if float(value).is_integer() else float(value)
        if code in self.selections:
            chosen = self.selections[code]
            if not chosen.answered[index]:
                return None
            return frozenset(int(c) for c in chosen.options[chosen.ticked[index]])
        return None

    def columns_of(self, code: str) -> list[np.ndarray]:
        """Numeric columns that tell respondents' answers to `code` apart."""
        if code in self.values:
            return [np.nan_to_num(self.values[code], nan=-1e18)]
        if code in self.selections:
            chosen = self.selections[code]
            return [chosen.answered.astype(float), *chosen.ticked.T.astype(float)]
        return [np.full(self.n, -1e18)]


def _choice_codes(item: Item) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Substantive option codes, the don't-know code (or -1), the refused code (or -1)."""
    plain = np.array([c.code for c in item.choices if not c.missing and not c.exclusive])
    dont_know = next((c.code for c in item.choices if c.missing == "dont_know"), -1)
    refused = next((c.code for c in item.choices if c.missing == "refused"), -1)
    return plain, np.array(dont_know), np.array(refused)


def _ordinal(latent: np.ndarray, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cut a latent score (plus logistic noise) into len(codes) ordered categories."""
    noisy = latent + rng.logistic(size=latent.shape)
    k = len(codes)
    cuts = np.linspace(-2.0, 2.0, k - 1) if k > 1 else np.array([])
    return codes[np.searchsorted(cuts, noisy)].astype(float)


def _with_missing(
    values: np.ndarray, item: Item, rng: np.random.Generator, dont_know_rate: float
) -> np.ndarray:
    _, dont_know, _ = _choice_codes(item)
    if dont_know >= 0:
        values = np.where(rng.random(values.shape) < dont_know_rate, float(dont_know), values)
    if not item.required:
        values = np.where(rng.random(values.shape) < SKIP_RATE, NAN, values)
    return values


class Simulator:
    """Generates a wave's answers item by item, honouring conditions and split ballots."""

    def __init__(
        self,
        question_set: QuestionSet,
        margins: dict[str, dict[int, float]] | None,
        n: int,
        seed: int,
    ) -> None:
        self.question_set = question_set
        self.scenario = scenario_for(question_set.consultation_slug)
        self.margins = margins or {}
        self.rng = np.random.default_rng(seed)
        # Open answers draw from their own stream: adding them left every other answer as it was.
        self.text_rng = np.random.default_rng((seed, 13))
        self.data = Simulated(n)
        self.attitude = np.zeros(n)
        self.shown = np.ones(n, dtype=bool)

    def run(self) -> Simulated:
        blocks = {block.id: block for block in self.question_set.blocks}
        in_block: dict[str, np.ndarray] = {}
        for block in blocks.values():
            in_block.update(self._sample_block(block.page_ids, block.sample))
        # Demographics first, whatever their place: the attitudes depend on them.
        for item in self.question_set.all_items():
            if item.role == "demographic":
                self._demographic(item)
        self.attitude = self._attitude()
        for page in self.question_set.pages:
            page_shown = in_block.get(page.id, np.ones(self.data.n, dtype=bool))
            page_shown = page_shown & self._condition(page.show_if)
            for item in page.items:
                if item.role == "demographic" or not item.answer_codes:
                    continue
                self.shown = page_shown & self._condition(item.show_if)
                self._item(item, page)
        return self.data

    # -- structure -----------------------------------------------------------------------------

    def _sample_block(self, page_ids: tuple[str, ...], sample: int | None) -> dict[str, np.ndarray]:
        n, k = self.data.n, len(page_ids)
        if sample is None or sample >= k:
            return {page_id: np.ones(n, dtype=bool) for page_id in page_ids}
        # Each respondent gets the `sample` pages with the smallest random keys.
        order = np.argsort(self.rng.random((n, k)), axis=1)
        chosen = np.zeros((n, k), dtype=bool)
        np.put_along_axis(chosen, order[:, :sample], True, axis=1)
        return {page_id: chosen[:, j] for j, page_id in enumerate(page_ids)}

    def _condition(self, expression: object) -> np.ndarray:
        """Evaluate a show_if for everyone, once per distinct combination of the answers used."""
        n = self.data.n
        if expression is None:
            return np.ones(n, dtype=bool)
        codes = sorted(expression.references())  # type: ignore[attr-defined]
        columns = [column for code in codes for column in self.data.columns_of(code)]
        if not columns:
            return np.full(n, evaluate(expression, {}), dtype=bool)  # type: ignore[arg-type]
        stacked = np.column_stack(columns)
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
        results = np.empty(len(first), dtype=bool)
        for row, index in enumerate(first):
            answers = {code: self.data.answer_of(code, int(index)) for code in codes}
            present = {code: value for code, value in answers.items() if value is not None}
            results[row] = evaluate(expression, present)  # type: ignore[arg-type]
        return results[inverse.reshape(-1)]

    # -- people --------------------------------------------------------------------------------

    def _demographic(self, item: Item) -> None:
        plain, _, refused = _choice_codes(item)
        population = self.margins.get(item.code, {})
        # Categories the margins do not list (e.g. "anders") are rare; without margins, even.
        default = 0.01 if population else 1.0 / len(plain)
        base = np.array([population.get(int(code), default) for code in plain])
        # Tilt towards the later categories (older, more educated): the sample is skewed.
        tilt = np.exp(0.35 * (np.arange(len(plain)) - (len(plain) - 1) / 2))
        if item.code in self.scenario.uneven:
            tilt = self.rng.uniform(0.6, 1.6, len(plain))
        probabilities = base * tilt / (base * tilt).sum()
        values = self.rng.choice(plain, size=self.data.n, p=probabilities).astype(float)
        if refused >= 0:
            values = np.where(self.rng.random(self.data.n) < 0.02, float(refused), values)
        self.data.values[item.code] = values

    def _attitude(self) -> np.ndarray:
        """A latent openness to what is asked, moved by the weighting variables the scenario names
        (for biotechnology: higher with education, lower with age)."""
        attitude = self.rng.normal(size=self.data.n)
        for item in self.question_set.all_items():
            effect = self.scenario.attitude_effect.get(item.code)
            if item.role != "demographic" or effect is None:
                continue
            plain, _, _ = _choice_codes(item)
            position = np.searchsorted(np.sort(plain), self.data.values[item.code])
            position = np.where(
                np.isin(self.data.values[item.code], plain), position, len(plain) / 2
            )
            centred = (position - (len(plain) - 1) / 2) / max(len(plain) - 1, 1)
            attitude += effect * centred
        return attitude

    # -- items ---------------------------------------------------------------------------------

    def _store(self, code: str, values: np.ndarray) -> None:
        self.data.values[code] = np.where(self.shown, values, NAN)

    def _item(self, item: Item, page: Page) -> None:
        n, rng = self.data.n, self.rng
        kind = question_type(item)
        if item.role in ("acceptance", "conditional_acceptance"):
            self._acceptance(item)
        elif kind.per_row and kind.answer is Answer.OPTION:
            for row in item.rows:
                if item.role == "condition":
                    self._condition_row(item, row.code, row.condition or "")
                else:
                    plain, _, _ = _choice_codes(item)
                    values = _ordinal(0.3 * self.attitude + rng.normal(0, 0.3), plain, rng)
                    self._store(row.code, _with_missing(values, item, rng, DONT_KNOW_RATE / 2))
        elif kind.answer is Answer.OPTION:
            plain, _, _ = _choice_codes(item)
            probabilities = rng.dirichlet(np.full(len(plain), 2.0))
            values = rng.choice(plain, size=n, p=probabilities).astype(float)
            self._store(item.code, _with_missing(values, item, rng, DONT_KNOW_RATE / 2))
        elif kind.answer is Answer.OPTIONS:
            self._multiple(item)
        elif kind.answer is Answer.ORDER:
            self._ranking(item)
        elif kind.answer is Answer.TEXT:
            written = open_answers(n, self.text_rng)
            self.data.texts[item.code] = [
                text if shown else None for text, shown in zip(written, self.shown, strict=True)
            ]
        elif kind.answer is Answer.NUMBER:
            low = _first_given(item.min, kind.default_min, 0.0)
            high = _first_given(item.max, kind.default_max, 100.0)
            centre = 1 / (1 + np.exp(-0.5 * self.attitude))
            values = np.round(
                low + (high - low) * rng.beta(4 * centre + 0.5, 4 * (1 - centre) + 0.5)
            )
            if not item.required:
                values = np.where(rng.random(n) < SKIP_RATE, NAN, values)
            self._store(item.code, values)

    def _acceptance(self, item: Item) -> None:
        plain, _, _ = _choice_codes(item)
        application = self.question_set.vocabulary.application(item.application or "")
        domain = application.domain if application is not None else None
        base = self.scenario.domain_effect.get(domain or "", 0.0) + (
            self.scenario.application_effect.get(item.application or "", 0.0)
        )
        latent = base + self.attitude
        if item.role == "conditional_acceptance":
            latent = latent + 0.3 * self._necessary_count(item.application)
        values = _ordinal(latent, plain, self.rng)
        self._store(item.code, _with_missing(values, item, self.rng, DONT_KNOW_RATE))

    def _condition_row(self, item: Item, code: str, condition: str) -> None:
        plain, _, _ = _choice_codes(item)
        necessary = self._necessary_codes(item)
        top = necessary.max()
        # The other options, nearest the necessary one in the list first: "important, but not
        # necessary" is likelier than "not important", whichever end of the list it starts at.
        position = {int(option): index for index, option in enumerate(plain)}
        top_at = position.get(int(top), len(plain))
        rest = np.array(
            sorted(plain[~np.isin(plain, necessary)], key=lambda c: abs(position[int(c)] - top_at))
        )
        weight = self.scenario.condition_weight.get(condition, Scenario.DEFAULT_CONDITION_WEIGHT)
        necessary = self.rng.random(self.data.n) < 1 / (1 + np.exp(-(weight - 0.4 * self.attitude)))
        other = self.rng.choice(rest, size=self.data.n, p=_split(len(rest)))
        values = np.where(necessary, float(top), other.astype(float))
        self._store(code, _with_missing(values, item, self.rng, DONT_KNOW_RATE / 2))

    def _necessary_count(self, application: str | None) -> np.ndarray:
        count = np.zeros(self.data.n)
        for other in self.question_set.all_items():
            if other.role != "condition" or other.application != application:
                continue
            necessary = self._necessary_codes(other)
            for row in other.rows or ():
                count += np.isin(
                    self.data.values.get(row.code, np.full(self.data.n, NAN)), necessary
                )
        return count

    def _necessary_codes(self, item: Item) -> np.ndarray:
        """The options of a condition question that call it necessary (its scale in the set's
        vocabulary; the highest option when the set declares none)."""
        scale = self.question_set.vocabulary.scale(item.choice_list)
        if scale is not None and scale.necessary:
            return np.array(scale.necessary)
        plain, _, _ = _choice_codes(item)
        return np.array([plain.max()])

    def _multiple(self, item: Item) -> None:
        options = np.array([c.code for c in item.choices])
        exclusive = np.array([c.exclusive for c in item.choices])
        ticked = (self.rng.random((self.data.n, len(options))) < 0.3) & ~exclusive
        if item.max is not None:
            # Keep at most `max` ticks: drop the later ones.
            ticked &= np.cumsum(ticked, axis=1) <= int(item.max)
        ticks = ticked.sum(axis=1)
        if exclusive.any():
            # Nothing ticked: "none of these".
            ticked[:, int(np.flatnonzero(exclusive)[0])] = ticks == 0
            ticks = ticked.sum(axis=1)
        answered = self.shown & (ticks >= int(item.min or 1))
        ticked &= answered[:, None]
        self.data.selections[item.code] = Selections(options, ticked, answered)

    def _ranking(self, item: Item) -> None:
        k = len(item.choices)
        strengths = self.rng.dirichlet(np.full(k, 1.5))
        keys = self.rng.gumbel(size=(self.data.n, k)) + np.log(strengths)
        order = np.argsort(-keys, axis=1)
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(1, k + 1), axis=1)
        ranks = np.where(self.shown[:, None], ranks, 0)
        self.data.ranks[item.code] = ranks


def _first_given(*values: float | None) -> float:
    """The first bound that is set: the item's, its type's default, the simulation's guess."""
    return next(value for value in values if value is not None)


def _split(k: int) -> np.ndarray:
    weights = np.linspace(2.0, 1.0, k)
    return weights / weights.sum()


def simulate(
    question_set: QuestionSet, n: int, seed: int, margins: dict[str, dict[int, float]] | None = None
) -> Simulated:
    return Simulator(question_set, margins, n, seed).run()


# --- storing ------------------------------------------------------------------------------------

BATCH = 10_000
"""Responses stored at once (their answers go through the driver as Python rows)."""


def answer_columns(question_set: QuestionSet, data: Simulated) -> AnswerColumns:
    """Every stored answer cell of the simulated respondents, as arrays."""
    parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray]] = []
    for item in question_set.all_items():
        answer = question_type(item).answer
        if answer is Answer.NUMBER:
            values = data.values.get(item.code)
            if values is not None:
                who = np.flatnonzero(~np.isnan(values))
                parts.append((who, item.code, np.full(len(who), -1), values[who]))
        elif answer is Answer.OPTIONS and item.code in data.selections:
            chosen = data.selections[item.code]
            who, column = np.nonzero(chosen.ticked)
            parts.append((who, item.code, chosen.options[column], np.full(len(who), NAN)))
        elif answer is Answer.ORDER and item.code in data.ranks:
            ranks = data.ranks[item.code]
            who, column = np.nonzero(ranks)
            options = np.array([c.code for c in item.choices])
            parts.append((who, item.code, options[column], ranks[who, column].astype(float)))
        else:
            for code in item.answer_codes:
                values = data.values.get(code)
                if values is None:
                    continue
                who = np.flatnonzero(~np.isnan(values))
                parts.append((who, code, values[who].astype(np.int64), np.full(len(who), NAN)))
    return AnswerColumns(
        names=tuple(p[1] for p in parts),
        respondent=np.concatenate([p[0] for p in parts]),
        code=np.concatenate([np.full(len(p[0]), i, dtype=np.int64) for i, p in enumerate(parts)]),
        option=np.concatenate([np.asarray(p[2], dtype=np.int64) for p in parts]),
        number=np.concatenate([np.asarray(p[3], dtype=float) for p in parts]),
    )


def store_simulated(
    session: Session,
    wave: Wave,
    n: int,
    seed: int,
    today: dt.date,
    progress: Progress = SILENT,
) -> int:
    """Simulate `n` complete responses to `wave` and store them with their counts (counted by
    `counting.many`, a batch at a time as it is stored, as a recount would). The answers are
    drawn for everyone at once, so the figures of a seed do not depend on the batches."""
    question_set = question_set_of(wave.question_set_version)
    plan = plan_of(question_set)
    margins = parse_margins(wave.margins, wave) if wave.margins else None
    with stage(progress, "simulate", None):
        data = simulate(question_set, n, seed, margins)
        columns = answer_columns(question_set, data)
        texts = data.texts  # open answers: stored, never counted
        del data
        cell_of, keys = cell_keys(plan, columns, n)
        columns = columns.take(np.argsort(columns.respondent, kind="stable"))
    bounds = np.searchsorted(columns.respondent, np.arange(0, n + BATCH, BATCH))
    names = np.asarray(columns.names, dtype=object)
    tally = Tally()
    with stage(progress, "store", n, "responses"):
        for batch, start in enumerate(range(0, n, BATCH)):
            stop = min(start + BATCH, n)
            ids = np.asarray(
                responding_queries.reserve_response_ids(session, stop - start), dtype=np.int64
            )
            responding_queries.copy_complete_responses(
                session,
                wave,
                ids.tolist(),
                [keys[int(c)] for c in cell_of[start:stop]],
                today,
                language="nl",
            )
            lo, hi = bounds[batch], bounds[batch + 1]
            part = columns.take(slice(lo, hi))
            counts_queries.insert_answer_columns(
                session, ids[part.respondent - start], names[part.code], part.option, part.number
            )
            local = AnswerColumns(
                part.names, part.respondent - start, part.code, part.option, part.number
            )
            count_sliced(plan, local, cell_of[start:stop], tally)
            for code, written_texts in texts.items():
                written = [
                    (i, text)
                    for i, text in enumerate(written_texts[start:stop])
                    if text is not None
                ]
                counts_queries.insert_text_answers(
                    session, [int(ids[i]) for i, _ in written], code, [text for _, text in written]
                )
            progress.advance(stop - start)
    respondents = np.bincount(cell_of, minlength=len(keys))
    with stage(progress, "counts", None):
        counts_queries.add_count_arrays(
            session,
            wave,
            {key: int(n) for key, n in zip(keys, respondents, strict=True) if n},
            keys,
            plan.names,
            tally.total(),
        )
        session.flush()
    return n
