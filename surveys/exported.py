"""The columns of a responses file: our own (one column per answer code) or an export of ODK or
KoboToolbox.

A KoboToolbox or ODK export of a form names a column by the question's name after its groups
(`group_ab12/AGE`, `page/sub/AGE`; ODK Central writes `page-AGE`), adds metadata about each
submission (`_uuid`, `_submission_time`, `meta/instanceID`, `start`, ...), and may split a
multiple choice into one column per option (`SOURCES/paper`, 1 or 0) beside or instead of its
joined column. `read_header` says what each column holds; the metadata is never an answer.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass

from surveys.model import Choice, Item, QuestionSet
from surveys.types import QUESTION_TYPES, Answer

#: Metadata KoboToolbox and ODK write about a submission (besides every column whose name starts
#: with '_', such as `_uuid`, and every column under `meta/` or `formhub/`): the form's
#: metadata questions, and ODK Central's and Briefcase's own columns.
METADATA_NAMES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "instanceID",
        "instanceName",
        "SubmissionDate",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    }
)
METADATA_GROUPS = frozenset({"meta", "formhub"})

#: What a split multiple-choice column holds for a ticked and an unticked option.
TICKED = frozenset({"1", "true", "yes"})
UNTICKED = frozenset({"", "0", "false", "no"})

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Column:
    """One column of a responses file and what it holds."""

    header: str
    #: The answer code whose whole answer it holds (None for metadata, a split or unknown column).
    code: str | None = None
    #: For a split multiple-choice column (`ITEM/option`): the item and the option it ticks.
    item: Item | None = None
    option: Choice | None = None
    metadata: bool = False

    @property
    def known(self) -> bool:
        return self.code is not None or self.option is not None or self.metadata


def delimiter_of(text: str) -> str:
    """The field delimiter of a CSV text: the one of `,`, `;` and tab that splits its first line
    into the most fields (KoboToolbox writes `;`, spreadsheets in Dutch often do too)."""
    first = text.split("\n", 1)[0]
    counts = {
        delimiter: len(next(csv.reader([first], delimiter=delimiter), []))
        for delimiter in DELIMITERS
    }
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 1 else ","


def _is_metadata(path: Sequence[str]) -> bool:
    leaf = path[-1]
    first = path[0].split("-", 1)[0]  # ODK Central: meta-instanceID
    return leaf.startswith("_") or leaf in METADATA_NAMES or first in METADATA_GROUPS


def _option_named(item: Item, name: str) -> Choice | None:
    """The option a split column names: by choice name, else by code."""
    for choice in item.choices:
        if name in (choice.name, str(choice.code)):
            return choice
    return None


def read_column(question_set: QuestionSet, header: str) -> Column:
    """What the column named `header` holds in a file of `question_set`'s responses.

    An answer code wins over everything else (so an item named `start` is an item); then the
    name after its group path; then a split multiple-choice column; then metadata.
    """
    name = header.strip()
    if question_set.has_answer_code(name):
        return Column(header, code=name)
    path = [part for part in name.split("/") if part]
    if not path:
        return Column(header)
    leaf = path[-1]
    if question_set.has_answer_code(leaf):
        return Column(header, code=leaf)
    if len(path) >= 2 and question_set.has_answer_code(path[-2]):
        item = question_set.owner_of(path[-2])
        kind = QUESTION_TYPES.get(item.type)
        ticked = kind is not None and kind.answer is Answer.OPTIONS  # one column per option
        option = _option_named(item, leaf) if ticked else None
        if option is not None:
            return Column(header, item=item, option=option)
    if "-" in leaf:  # ODK Central separates groups with '-'; our codes have no '-'
        tail = leaf.rsplit("-", 1)[1]
        if question_set.has_answer_code(tail):
            return Column(header, code=tail)
    if _is_metadata(path):
        return Column(header, metadata=True)
    return Column(header)
