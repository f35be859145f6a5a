"""New themes suggested from the open answers no theme matched: TF-IDF and k-means clustering.

The answers are normalised and stemmed as for matching (`analysis.themes`), stop words left out;
TF-IDF weighs the stems (and pairs of stems) that set an answer apart, k-means (scikit-learn's
mini-batch variant, so a hundred thousand answers fit in memory and seconds) groups the answers,
and each cluster is described by the stems weighing most in its centre, written as the word
respondents used most for each. E-mail addresses, phone numbers, addresses and IBANs are taken
out first (`analysis.masking`), and a cluster smaller than the wave's minimum cell size is not
suggested. An organizer accepts a cluster as a theme (its terms become
keywords), renames it, or rejects it; the answers themselves are never part of a suggestion.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.masking import mask
from analysis.themes import STOP_WORDS, stem, words

#: The fewest answers a cluster holds to be suggested: a theme that small says little, and
#: a cluster of a few answers could describe someone.
MIN_CLUSTER = 10
#: Up to this many answers, full k-means (several starts); beyond, the mini-batch variant.
SMALL = 20_000


@dataclass(frozen=True)
class Suggestion:
    """One cluster: its characteristic terms, most characteristic first, and its size."""

    terms: tuple[str, ...]
    size: int


def _documents(texts: Sequence[str], languages: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Each answer as its stems joined by spaces, and for each stem the word it stood for most."""
    seen: dict[str, Counter[str]] = {}
    documents = []
    cache: dict[tuple[str, str], str] = {}
    for text, lang in zip(texts, languages, strict=True):
        tokens = [w for w in words(text) if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()]
        missing = [w for w in set(tokens) if (w, lang) not in cache]
        for word, stemmed in zip(missing, stem(missing, lang), strict=True):
            cache[(word, lang)] = stemmed
        stems = [cache[(w, lang)] for w in tokens]
        for word, stemmed in zip(tokens, stems, strict=True):
            seen.setdefault(stemmed, Counter())[word] += 1
        documents.append(" ".join(stems))
    return documents, {s: counts.most_common(1)[0][0] for s, counts in seen.items()}


def suggest_themes(
    texts: Sequence[str],
    languages: Sequence[str] | None = None,
    *,
    clusters: int | None = None,
    top: int = 6,
    seed: int = 0,
    min_size: int = MIN_CLUSTER,
) -> list[Suggestion]:
    """Clusters of `texts` (the unmatched answers), largest first, each with its `top` terms;
    clusters smaller than `min_size` are left out."""
    langs = list(languages) if languages is not None else ["nl"] * len(texts)
    # An e-mail address or phone number in several answers must not become a theme's term.
    documents, readable = _documents([mask(text, blank=True) for text in texts], langs)
    kept = [i for i, document in enumerate(documents) if document]
    if len(kept) < max(min_size, 2):
        return []
    vectorizer = TfidfVectorizer(
        analyzer="word",
        token_pattern=r"\S+",  # noqa: S106 (a pattern, not a password)
        ngram_range=(1, 2),
        min_df=max(2, min(5, len(kept) // 1000)),
        max_df=0.8,
        sublinear_tf=True,
        max_features=20_000,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform([documents[i] for i in kept])
    except ValueError:  # no term in two answers: nothing in common to cluster
        return []
    k = clusters or int(np.clip(round(np.sqrt(len(kept) / 20)), 2, 12))
    k = min(k, matrix.shape[0])
    model = (
        KMeans(n_clusters=k, random_state=seed, n_init=10)
        if matrix.shape[0] <= SMALL
        else MiniBatchKMeans(
            n_clusters=k, random_state=seed, n_init=3, batch_size=4096, max_iter=100
        )
    ).fit(matrix)
    sizes = np.bincount(model.labels_, minlength=k)
    terms = vectorizer.get_feature_names_out()
    found = []
    for cluster in np.argsort(-sizes, kind="stable"):
        if sizes[cluster] < min_size:
            continue
        centre = model.cluster_centers_[cluster]
        best = [terms[j] for j in np.argsort(-centre)[: top * 2] if centre[j] > 0]
        shown: list[str] = []
        for term in best:
            word = " ".join(readable.get(part, part) for part in term.split())
            if word not in shown and not any(word in other.split() for other in shown):
                shown.append(word)
        if shown:
            found.append(Suggestion(tuple(shown[:top]), int(sizes[cluster])))
    return found
