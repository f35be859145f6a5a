"""Respondent-level data for a consultation's researchers: one row per complete response with its
final raking weight, as CSV, SPSS (.sav) or Stata (.dta) with variable and value labels.

Anonymized: no open texts, no dates, nothing that identifies a response elsewhere. Rows are
numbered 1..n in an order drawn from a secret and the state of the wave's figures, so the order
says nothing about when or how anyone answered, and the same state gives the same file. The
demographic answers are kept as collected (not the coarsened weighting cells).

A national wave has a million respondents and some sixty variables, so nothing here keeps a
Python object per answer: the answers are read a page of respondents at a time
(`counting.queries.answer_arrays_of`) into one small numpy array per variable, of the smallest
whole-number type its values fit (int8 for option codes, ranks and 0/1), its lowest value
standing for "no answer". The CSV is written a page at a time while it is sent, in the file's
shuffled order, so its memory does not grow with the wave (beyond the shuffled ids and cells,
12 bytes a respondent). SPSS and Stata files are written by pyreadstat from a frame of these
arrays (some 2 bytes per answer) into a temporary file, which is then sent a chunk at a time.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any

import numpy as np
import pandas as pd
import pyreadstat
from sqlalchemy.orm import Session

from consult.counting.queries import answer_arrays_of
from consult.messages import N_
from consult.models import Wave
from consult.organizing.question_sets import question_set_of
from consult.results import queries
from consult.results.design import ResultsError
from consult.results.downloads import (
    MEDIA_TYPES,
    MICRODATA_FORMATS,
    Streamed,
    check_format,
    check_language,
    csv_bytes,
)
from consult.results.labels import item_label, translate
from consult.results.service import ResultsState, results_state, wave_results
from surveys.model import QuestionSet
from surveys.types import Answer, question_type

MAX_NAME = 32  # Stata's limit on a variable name (SPSS allows 64)

CHUNK = 10_000
"""Respondents read (and, for the CSV, written) at once: some 600,000 answers, about 20 MB of
arrays while they are placed. The web and `consult export` take `MICRODATA_CHUNK` from the
app's configuration instead when it is set (the tests set a small one, to cross pages)."""

UNBOUNDED = (-(2**31) + 1, 2**31 - 1)
"""The whole numbers an integer question without bounds is stored as (int32, its lowest value
kept for no answer)."""

FILE_CHUNK = 1 << 20
"""Bytes of a written SPSS or Stata file sent at once."""


@dataclass(frozen=True)
class Variable:
    """One column: its name, its label, and how answers fill it."""

    name: str
    label: str
    code: str
    """The answer code it reads."""
    kind: str
    """`option` (the option code), `chosen` (1 if `option` chosen, 0 if not, among those who
    answered), `rank` (the rank given to `option`) or `number`."""
    option: int | None = None
    value_labels: dict[int, str] = field(default_factory=dict)
    missing: tuple[int, ...] = ()
    """Option codes that mean "don't know" or "no answer" (user-missing in SPSS)."""
    whole: tuple[int, int] | None = None
    """The lowest and highest whole value the question set allows, which pick the column's
    storage type; None for a decimal number, or a number without bounds."""


def _name(code: str, taken: set[str]) -> str:
    name = code.replace(".", "_")[:MAX_NAME]
    count = 1
    while name in taken:
        count += 1
        name = f"{code[: MAX_NAME - 4]}_{count}"
    taken.add(name)
    return name


def variables(qs: QuestionSet, lang: str) -> list[Variable]:
    """The answered questions as columns; texts and information items have none."""
    out: list[Variable] = []
    taken = {"respondent", "weight"}
    for item in qs.all_items():
        kind = question_type(item)
        answer = kind.answer
        labels = {choice.code: choice.label.get(lang) for choice in item.choices}
        codes = [choice.code for choice in item.choices] or [0]
        scale = qs.vocabulary.scale(item.choice_list)
        missing = tuple(
            choice.code
            for choice in item.choices
            if choice.missing or (scale is not None and choice.code in scale.dont_know)
        )
        if answer is Answer.OPTION:
            for code in item.answer_codes:
                out.append(
                    Variable(
                        _name(code, taken),
                        item_label(qs, code, lang),
                        code,
                        "option",
                        value_labels=labels,
                        missing=missing,
                        whole=(min(codes), max(codes)),
                    )
                )
        elif answer is Answer.NUMBER:
            low = kind.default_min if item.min is None else item.min
            high = kind.default_max if item.max is None else item.max
            whole = None
            if item.integer:  # without bounds: int32, which a larger number widens
                whole = (
                    UNBOUNDED[0] if low is None else math.floor(low),
                    UNBOUNDED[1] if high is None else math.ceil(high),
                )
            for code in item.answer_codes:
                out.append(
                    Variable(
                        _name(code, taken), item_label(qs, code, lang), code, "number", whole=whole
                    )
                )
        elif answer in (Answer.OPTIONS, Answer.ORDER):
            chosen = answer is Answer.OPTIONS
            yes_no = {
                0: translate(N_("not chosen"), lang),
                1: translate(N_("chosen"), lang),
            }
            for choice in item.choices:
                label = f"{item_label(qs, item.code, lang)}: {labels[choice.code]}"
                if not chosen:
                    label = translate(N_("%(item)s: rank of %(option)s"), lang) % {
                        "item": item_label(qs, item.code, lang),
                        "option": labels[choice.code],
                    }
                out.append(
                    Variable(
                        _name(f"{item.code}_{choice.code}", taken),
                        label,
                        item.code,
                        "chosen" if chosen else "rank",
                        option=choice.code,
                        value_labels=yes_no if chosen else {},
                        whole=(0, 1) if chosen else (1, len(item.choices)),
                    )
                )
    return out


def _shuffle_seed(secret: str, state: ResultsState) -> int:
    digest = hmac.new(secret.encode(), f"microdata|{state.etag}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big")


@dataclass(frozen=True)
class Respondents:
    """The file's rows, in the file's order: which response each one is, and its weight."""

    ids: np.ndarray
    """The response id of each row: the complete responses in an order drawn from the secret
    and the state."""
    cells: np.ndarray
    """The weighting cell of each row, as an index into `weights`."""
    weights: np.ndarray
    """The final raking weight of each weighting cell of the wave's figures."""


def respondents(session: Session, wave: Wave, *, secret: str, state: ResultsState) -> Respondents:
    """Who the rows are and what they weigh: two arrays of n and the weights per cell, all a
    file needs before it reads any answer. Raises `ResultsError` when the wave has responses but
    no weights yet (no margins, or counts under an older rule)."""
    none = Respondents(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0))
    if state.respondents == 0:
        return none
    ids, cell_ids = queries.respondent_cells(session, wave)
    if ids.size == 0:
        return none
    design = wave_results(session, wave, state=state).design
    cells = np.minimum(np.searchsorted(design.cell_ids, cell_ids), len(design.cell_ids) - 1)
    if (design.cell_ids[cells] != cell_ids).any():
        raise ResultsError(
            f"the weighting cells of wave {wave.slug} do not hold all its complete responses; "
            f"`consult report --wave {wave.slug}` recounts them first"
        )
    order = np.random.default_rng(_shuffle_seed(secret, state)).permutation(ids.size)
    return Respondents(ids[order], cells[order].astype(np.int32), design.weights.weights)


def _storage(variable: Variable) -> np.dtype[Any]:
    """The smallest whole-number type holding the variable's values with a lower missing code;
    float64 for decimals (float32 would change a typed 1234.5678 in the files)."""
    if variable.whole is not None:
        low, high = variable.whole
        for kind in (np.int8, np.int16, np.int32):
            info = np.iinfo(kind)
            if info.min < low and high <= info.max:
                return np.dtype(kind)
    return np.dtype(np.float64)


class Block:
    """The answers of some respondents: one array per variable, a row per respondent, whose
    lowest value (NaN for decimals) means no answer."""

    def __init__(self, columns: list[Variable], size: int) -> None:
        self.columns = columns
        self.arrays: dict[str, np.ndarray] = {}
        for column in columns:
            dtype = _storage(column)
            self.arrays[column.name] = np.full(size, _missing_code(dtype), dtype=dtype)
        self.codes = list(dict.fromkeys(column.code for column in columns))
        self._code_index = {code: index for index, code in enumerate(self.codes)}

    def read(self, session: Session, ids: np.ndarray, rows: np.ndarray) -> None:
        """Read the answers of responses `ids` (increasing) into rows `rows` of the block."""
        if ids.size == 0:
            return
        response, code, option, number = answer_arrays_of(session, ids, self.codes)
        self.place(rows[np.searchsorted(ids, response)], code, option, number)

    def place(
        self, rows: np.ndarray, code: np.ndarray, option: np.ndarray, number: np.ndarray
    ) -> None:
        """Put answers (parallel arrays: code an index into `codes`, option -1 and number NaN
        when none) into their rows; the answers of one response come in one call."""
        order = np.argsort(code, kind="stable")
        bounds = np.searchsorted(code[order], np.arange(len(self.codes) + 1))
        for column in self.columns:
            at = self._code_index[column.code]
            picked = order[bounds[at] : bounds[at + 1]]
            where, options, numbers = rows[picked], option[picked], number[picked]
            if column.kind == "option":
                given = options >= 0
                self._put(column.name, where[given], options[given])
            elif column.kind == "number":
                given = ~np.isnan(numbers)
                self._put(column.name, where[given], numbers[given])
            elif column.kind == "chosen":  # who answered a multiple choice and left an option: 0
                self._put(column.name, where, np.zeros(where.size, dtype=np.int8))
                chosen = where[options == column.option]
                self._put(column.name, chosen, np.ones(chosen.size, dtype=np.int8))
            else:  # a rank
                given = (options == column.option) & ~np.isnan(numbers)
                self._put(column.name, where[given], numbers[given])

    def _put(self, name: str, rows: np.ndarray, values: np.ndarray) -> None:
        array = self.arrays[name]
        if array.dtype.kind == "i" and values.size and not _fits(values, array.dtype):
            # A value the question set does not allow (data from before a change of bounds):
            # the column becomes float64 rather than wrap around.
            widened = array.astype(np.float64)
            widened[array == _missing_code(array.dtype)] = np.nan
            array = self.arrays[name] = widened
        array[rows] = values

    def series(self, name: str) -> Any:
        """A column for pandas: whole numbers as a nullable integer array (the missing code
        masked, the values not copied), decimals as they are."""
        array = self.arrays[name]
        if array.dtype.kind != "i":
            return array
        return pd.arrays.IntegerArray(array, array == _missing_code(array.dtype))

    def texts(self, name: str) -> list[str]:
        """The column as CSV cells: whole numbers without ".0", "" for no answer."""
        array = self.arrays[name]
        if array.dtype.itemsize <= 2 and array.dtype.kind == "i":
            return _whole_texts(array.dtype.str)[
                array.astype(np.int32) - _missing_code(array.dtype)
            ].tolist()
        missing = _missing_code(array.dtype)
        return ["" if value == missing else _number_text(value) for value in array.tolist()]


def _missing_code(dtype: np.dtype[Any]) -> Any:
    return np.iinfo(dtype).min if dtype.kind == "i" else np.nan


def _fits(values: np.ndarray, dtype: np.dtype[Any]) -> bool:
    info = np.iinfo(dtype)
    whole = values.dtype.kind == "i" or bool((values == np.round(values)).all())
    return whole and info.min < values.min() and values.max() <= info.max


@cache
def _whole_texts(dtype: str) -> np.ndarray:
    """The text of every value of a small whole-number type, its missing code "": looking a
    column's texts up is some twenty times faster than formatting each value."""
    info = np.iinfo(np.dtype(dtype))
    texts = np.array([str(value) for value in range(info.min, info.max + 1)], dtype=object)
    texts[0] = ""
    return texts


def _number_text(value: float | int) -> str:
    """A whole number without ".0"; NaN as an empty cell; other numbers as Python writes them."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def _prepared(
    session: Session, wave: Wave, lang: str, secret: str, state: ResultsState | None
) -> tuple[list[Variable], Respondents]:
    lang = check_language(lang)
    state = state or results_state(session, wave)
    columns = variables(question_set_of(wave.question_set_version), lang)
    return columns, respondents(session, wave, secret=secret, state=state)


def microdata_frame(
    session: Session,
    wave: Wave,
    *,
    lang: str,
    secret: str,
    state: ResultsState | None = None,
    chunk: int = CHUNK,
) -> tuple[pd.DataFrame, list[Variable]]:
    """The respondents' answers (one row each) with `respondent` (1..n, shuffled) and `weight`
    (the final raking weight of the wave's figures), whole numbers as nullable integer columns
    of the smallest fitting type. Raises `ResultsError` when the wave has responses but no
    weights yet (no margins, or counts under an older rule)."""
    columns, people = _prepared(session, wave, lang, secret, state)
    return _frame(session, columns, people, chunk), columns


def _frame(
    session: Session, columns: list[Variable], people: Respondents, chunk: int
) -> pd.DataFrame:
    """Read in the responses' id order (each page one range of the answers' index), each
    answer put straight into its row of the shuffled file."""
    size = people.ids.size
    block = Block(columns, size)
    rows = np.argsort(people.ids)
    ids = people.ids[rows]
    for start in range(0, size, chunk):
        block.read(session, ids[start : start + chunk], rows[start : start + chunk])
    del rows, ids
    data = {
        "respondent": np.arange(1, size + 1, dtype=np.int32),
        "weight": people.weights[people.cells],
        **{column.name: block.series(column.name) for column in columns},
    }
    return pd.DataFrame(data, copy=False)


def _csv_chunks(
    session: Session, columns: list[Variable], people: Respondents, chunk: int
) -> Generator[bytes, None, None]:
    """The CSV a page of rows at a time, in the file's order: each page's answers are read
    (through the index, wherever the shuffle put them), written and let go. The session is
    closed once the file is done, since it is read after the request's own work is over."""
    try:
        yield csv_bytes(["respondent", "weight", *(column.name for column in columns)], ())
        weights = np.array([_number_text(weight) for weight in people.weights.tolist()], object)
        for start in range(0, people.ids.size, chunk):
            ids = people.ids[start : start + chunk]
            block = Block(columns, ids.size)
            rows = np.argsort(ids)
            block.read(session, ids[rows], rows)
            cells = [
                [str(number) for number in range(start + 1, start + ids.size + 1)],
                weights[people.cells[start : start + ids.size]].tolist(),
                *(block.texts(column.name) for column in columns),
            ]
            # Numbers only: no cell is a text a spreadsheet could run, none needs quotes.
            yield ("\n".join(map(",".join, zip(*cells, strict=True))) + "\n").encode()
    finally:
        session.close()


class _FileChunks:
    """A written file read back a chunk at a time, closed when read to the end or when the
    download is broken off (`close`, which the web server calls)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        block = self.file.read(FILE_CHUNK)
        if not block:
            self.close()
            raise StopIteration
        return block

    def close(self) -> None:
        self.file.close()


def _written(
    writer: Callable[..., Any], suffix: str, frame: pd.DataFrame, **options: Any
) -> tuple[_FileChunks, int]:
    """The file `writer` makes of `frame`, to read back, and its size. The temporary file
    leaves the directory as soon as it is open (its space is freed when it is closed), so no
    copy stays behind, however the download ends."""
    handle, name = tempfile.mkstemp(suffix=suffix)
    os.close(handle)
    try:
        writer(frame, name, **options)
        file = open(name, "rb")  # noqa: SIM115 (closed by _FileChunks)
    finally:
        os.unlink(name)
    return _FileChunks(file), os.fstat(file.fileno()).st_size


def _labels(columns: list[Variable], lang: str) -> tuple[list[str], dict[str, dict[int, str]]]:
    names = [
        translate(N_("respondent (numbered in a random order)"), lang),
        translate(N_("weight (raking to the population margins)"), lang),
        *(column.label for column in columns),
    ]
    value_labels = {column.name: column.value_labels for column in columns if column.value_labels}
    return names, value_labels


def microdata(
    session: Session,
    wave: Wave,
    fmt: str,
    *,
    lang: str,
    secret: str,
    state: ResultsState | None = None,
    chunk: int = CHUNK,
) -> Streamed:
    """The microdata file in `fmt` (csv, sav or dta), to be read to the end (or closed). What
    can fail (no weights yet) fails here, before a byte is sent; the CSV's answers are read
    while it is sent, after which `session` is closed."""
    check_format(fmt, MICRODATA_FORMATS)
    columns, people = _prepared(session, wave, lang, secret, state)
    filename = f"{wave.slug}-microdata-{lang}.{fmt}"
    if fmt == "csv":
        return Streamed(_csv_chunks(session, columns, people, chunk), MEDIA_TYPES["csv"], filename)
    frame = _frame(session, columns, people, chunk)
    labels, value_labels = _labels(columns, lang)
    if fmt == "sav":
        missing = {column.name: list(column.missing) for column in columns if column.missing}
        chunks, size = _written(
            pyreadstat.write_sav,
            ".sav",
            frame,
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
        )
    else:  # Stata attaches value labels to whole numbers only, which the labelled columns are
        chunks, size = _written(
            pyreadstat.write_dta,
            ".dta",
            frame,
            column_labels=[label[:80] for label in labels],
            variable_value_labels=value_labels,
        )
    return Streamed(chunks, MEDIA_TYPES[fmt], filename, size)
