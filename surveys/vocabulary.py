"""The words of the question set language: its keys, vocabularies and code formats, and the
helpers that name places and values in problems."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from surveys.messages import N_, Message
from surveys.types import QUESTION_TYPES

# --------------------------------------------------------------------------- vocabulary

SUPPORTED_LANGUAGES = ("nl", "en")
LANGUAGE_NAMES = {"nl": "Dutch", "en": "English"}
ROLES = ("acceptance", "condition", "conditional_acceptance", "demographic")
ROLES_NEEDING_APPLICATION = ("acceptance", "condition", "conditional_acceptance")
MISSING_KINDS = ("dont_know", "refused")

TOP_KEYS = (
    "consultation",
    "wave",
    "version",
    "languages",
    "intro",
    "estimated_minutes",
    "about",
    "choice_lists",
    "vocabulary",
    "pages",
)
#: The consultation's frame: sender, contact, statements and dates (surveys.build_about).
ABOUT_KEYS = (
    "sender",
    "logo",
    "contact",
    "privacy",
    "accessibility",
    "closes_on",
    "results_on",
    "results_where",
)
PRIVACY_KEYS = ("controller", "purpose", "legal_basis", "retention", "rights")
#: The set's own analysis words (surveys.build_vocabulary): none of them is fixed in code.
VOCABULARY_KEYS = ("domains", "conditions", "applications", "scales")
TERM_KEYS = ("code", "label")
SCALE_KEYS = ("accepting", "necessary", "dont_know")
CONSULTATION_KEYS = ("slug", "title")
PAGE_KEYS = ("id", "title", "intro", "show_if", "randomize_items", "items")
BLOCK_KEYS = ("block", "randomize", "sample", "pages")
ITEM_KEYS = (
    "code",
    "type",
    "text",
    "help",
    "required",
    "show_if",
    "role",
    "application",
    "condition",
)
#: Item keys of earlier versions of the language, with what replaced them.
RETIRED_ITEM_KEYS = {
    "domain": N_(
        "%(where)s has 'domain', which items no longer carry: an item's domain is the one its "
        "application has under vocabulary: applications"
    ),
    "demographic": N_(
        "%(where)s has 'demographic', which items no longer carry: role demographic makes a "
        "single-choice item a weighting variable, and a margins file names it by its item code"
    ),
}
TYPE_KEYS = frozenset().union(*(kind.keys for kind in QUESTION_TYPES.values()))
ROW_KEYS = ("code", "text", "condition")
CHOICE_KEYS = ("code", "label", "missing", "exclusive", "name")

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The longest texts the web app stores (its database columns hold no more; a test of the web
# app checks that the two agree): a slug or wave name, a consultation title, a version label.
SLUG_MAX = 64
TITLE_MAX = 300
VERSION_LABEL_MAX = 64
CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
PAGE_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
LIST_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_OPTION_CODE = 9999
#: A choice name: a word as ODK and KoboToolbox write it in data (no spaces, no ';'), not a
#: number (a number in a data file is an option code).
CHOICE_NAME = re.compile(r"[^\s;]{1,64}")
NUMBER_LIKE = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


#: Longest word offered a "did you mean": a typo is in a short name, and matching costs the
#: product of the lengths.
SUGGEST_MAX = 40


def _suggest(word: object, candidates: Iterable[str]) -> str | None:
    """The candidate `word` is likely a typo of, if any (only for a short `word`)."""
    if not isinstance(word, str | int | float) or len(str(word)) > SUGGEST_MAX:
        return None
    short = [candidate for candidate in candidates if len(candidate) <= SUGGEST_MAX]
    matches = difflib.get_close_matches(str(word), short, n=1, cutoff=0.6)
    return matches[0] if matches else None


#: The names of places in a question set that problems mention, e.g. "page P1". Each is a
#: noun phrase of its own (in the `surveys` catalogue) filled into the sentence of a problem.
def _page(page_id: object) -> Message:
    return Message("page %(id)s", {"id": page_id})


def _block(block_id: object) -> Message:
    return Message("block %(id)s", {"id": block_id})


_PARTS = {
    "title": N_("the title of %(where)s"),
    "intro": N_("the intro of %(where)s"),
    "text": N_("the text of %(where)s"),
    "help": N_("the help of %(where)s"),
    "unit": N_("the unit of %(where)s"),
    "min_label": N_("the min_label of %(where)s"),
    "max_label": N_("the max_label of %(where)s"),
}


def _part(key: str, where: Message) -> Message:
    """A text of a page or item, e.g. "the title of page P1"."""
    return Message(_PARTS[key], {"where": where})


#: choose(): (without, with a suggestion) for each kind of value.
_UNKNOWN_VALUE = {
    "missing kind": (
        N_("%(where)s has unknown missing kind '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown missing kind '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
    "role": (
        N_("%(where)s has unknown role '%(value)s'; use one of: %(allowed)s"),
        N_(
            "%(where)s has unknown role '%(value)s' (did you mean '%(guess)s'?); "
            "use one of: %(allowed)s"
        ),
    ),
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
