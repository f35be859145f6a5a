"""Open answers coded by theme: normalisation, Snowball stemming (Dutch and English) and matching.

A theme has keywords and phrases. An answer is about a theme when its words, normalised (lower
case, accents and punctuation dropped) and stemmed, hold one of the theme's keywords, normalised
and stemmed the same way, as a whole word sequence: "zorgen over de veiligheid" holds "veilig"
(both stem to "veilig"), and the phrase "lange termijn" matches "op de lange termijn". Keywords
are stemmed in both languages, so a Dutch keyword also finds a Dutch word in an English answer
and the other way round; the answer itself is stemmed in its respondent's language.

An answer can be about several themes, so a theme is like an option of a multiple-choice
question: `theme_table` lays the matches out as such a table of counts (value -1: answered the
open question; value k: about theme k), which the results treat as every other table, weights,
intervals and disclosure control included.

Speed: the corpus is cleaned as one string, each distinct word is stemmed once (a dictionary
over the corpus), and the matching looks each word up among the keywords' first stems
(`bench/themes.py`: a hundred thousand answers in a few seconds).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer

from analysis.counts import Grouped

LANGUAGES = {"nl": "dutch", "en": "english"}
_NOT_A_WORD = re.compile(r"[^0-9a-z]+")
_NOT_A_WORD_OR_LINE = re.compile(r"[^0-9a-z\n]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

#: Words too common to characterise anything (suggestions leave them out). Keywords may still
#: name them inside a phrase.
_STOP_WORDS = """
    aan al alle alles als altijd andere ben bij daar dan dat de der deze die dit doch doen
    door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe
    hun iemand iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar
    niet niets nog nu of om omdat ons ook op over reeds te tegen toch toen tot u uit uw van
    veel voor want waren was wat we wel werd wezen wie wij wil worden wordt zal ze zelf zich
    zij zijn zo zonder zou echt heel erg vind vinden denk denken graag moeten mogen mag zeer
    goed gaan gaat komen komt a about above after again all also am an and any are as at be
    because been before being but by can could did do does doing for from had has have
    having he her here him his how i if in into is it its just me more most my no nor not of
    on once only or other our out own same she should so some such than that the their them
    then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your think really thanks
    dank bedankt succes verder verdere opmerking opmerkingen vragenlijst alstublieft
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def normalise(text: str) -> str:
    """Lower case, accents dropped (é -> e, ï -> i), everything but letters and digits a space."""
    return _plain(text, _NOT_A_WORD).strip()


def _plain(text: str, not_a_word: re.Pattern[str]) -> str:
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return not_a_word.sub(" ", folded)


def tokenised_corpus(texts: Sequence[str]) -> list[list[str]]:
    """Every text's normalised words, as `words` gives them; the corpus is folded and cleaned
    as one string (one pass of the regular expressions, not one per answer)."""
    if not texts:
        return []
    joined = "\n".join(text.replace("\n", " ") for text in texts)
    return [line.split() for line in _plain(joined, _NOT_A_WORD_OR_LINE).split("\n")]


def words(text: str) -> list[str]:
    return normalise(text).split()


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(LANGUAGES.get(lang, "dutch"))


def stem(tokens: Sequence[str], lang: str) -> list[str]:
    """Snowball stems of normalised words, in `lang` (nl or en; anything else is Dutch)."""
    return list(_stemmer(lang).stemWords(list(tokens)))


@dataclass(frozen=True)
class ThemeSpec:
    """A theme as the matcher sees it: its code and its keywords and phrases as typed."""

    code: str
    keywords: tuple[str, ...]


class CodebookError(ValueError):
    """A theme whose keywords leave nothing to match (only punctuation, say)."""


class Matcher:
    """The codebook compiled for matching: each keyword's stems, in either language, as a word
    sequence pointing at the themes that list it."""

    def __init__(self, themes: Sequence[ThemeSpec]) -> None:
        self.codes = tuple(theme.code for theme in themes)
        self.phrases: dict[tuple[str, ...], set[int]] = {}
        for index, theme in enumerate(themes):
            for keyword in theme.keywords:
                tokens = words(keyword)
                if not tokens:
                    continue
                for lang in LANGUAGES:
                    self.phrases.setdefault(tuple(stem(tokens, lang)), set()).add(index)
        # Keywords by their first stem: an answer's words are looked up one by one.
        self.starting: dict[str, list[tuple[tuple[str, ...], frozenset[int]]]] = {}
        for phrase, found in self.phrases.items():
            self.starting.setdefault(phrase[0], []).append((phrase, frozenset(found)))

    def themes_of(self, stems: Sequence[str]) -> set[int]:
        """The themes whose keyword occurs in a stemmed answer."""
        found: set[int] = set()
        starting = self.starting
        for start, first in enumerate(stems):
            for phrase, themes in starting.get(first, ()):
                if len(phrase) == 1 or tuple(stems[start : start + len(phrase)]) == phrase:
                    found |= themes
        return found

    def match(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
        """A boolean matrix: answer i is about theme k. Each distinct word is stemmed once."""
        out = np.zeros((len(texts), len(self.codes)), dtype=bool)
        if not self.codes:
            return out
        rows, columns = [], []
        for i, stems in enumerate(stemmed_corpus(texts, languages)):
            for k in self.themes_of(stems):
                rows.append(i)
                columns.append(k)
        out[rows, columns] = True
        return out


def stemmed_corpus(texts: Sequence[str], languages: Sequence[str] | None = None) -> list[list[str]]:
    """Every answer's words, normalised and stemmed in its language; each distinct word is
    stemmed once per language."""
    tokenised = tokenised_corpus(texts)
    langs = list(languages) if languages is not None else ["nl"] * len(texts)
    stems: dict[str, dict[str, str]] = {}
    for lang in set(langs):
        vocabulary = sorted(
            {w for tokens, tl in zip(tokenised, langs, strict=True) if tl == lang for w in tokens}
        )
        stems[lang] = dict(zip(vocabulary, stem(vocabulary, lang), strict=True))
    return [
        [stems[lang].__getitem__(w) for w in tokens]
        for tokens, lang in zip(tokenised, langs, strict=True)
    ]


def theme_table(
    code: str,
    cell: np.ndarray,
    matches: np.ndarray,
    groups: np.ndarray | None = None,
    group: str | None = None,
) -> Grouped:
    """The matches as a multiple-choice table: per class (cell, and group) how many answered
    (value -1) and how many answers are about theme k (value k, the theme's position).

    `cell` holds each answer's cell index (and `groups` its answer to `group`, -1 none)."""
    n, k = matches.shape
    classes = np.column_stack([cell, groups if groups is not None else np.zeros(n, np.int64)])
    values = np.concatenate([np.full(n, -1, dtype=np.int64), *(np.full(n, j) for j in range(k))])
    chosen = np.concatenate([np.ones(n, dtype=bool), *(matches[:, j] for j in range(k))])
    rows = np.column_stack([np.tile(classes, (k + 1, 1)), values])[chosen]
    if len(rows) == 0:
        empty = np.zeros(0, dtype=np.int64)
        keys = {code: empty, **({group: empty} if group is not None else {})}
        return Grouped(cell=empty, keys=keys, counts=empty)
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    keys = {code: unique[:, 2]}
    if group is not None:
        keys[group] = unique[:, 1]
    return Grouped(cell=unique[:, 0], keys=keys, counts=counts.astype(np.int64))


def answered(texts: Iterable[str | None]) -> list[bool]:
    """An open answer counts when it holds a letter or digit (not only spaces or dots)."""
    return [bool(text and normalise(text)) for text in texts]
