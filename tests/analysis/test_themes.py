"""Open answers: normalisation, Snowball stemming in Dutch and English, matching to themes,
the table of matches, masking what identifies someone, and suggested themes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.masking import mask
from analysis.theme_suggestions import suggest_themes
from analysis.themes import Matcher, ThemeSpec, normalise, stem, theme_table

CODEBOOK = [
    ThemeSpec("SAFETY", ("veiligheid", "gezondheid", "lange termijn", "long term")),
    ThemeSpec("NATURE", ("natuur", "biodiversiteit", "environment")),
    ThemeSpec("COMPANIES", ("grote bedrijven", "patent")),
]


def test_normalise_drops_case_accents_and_punctuation() -> None:
    assert normalise("Één ZORG: café's, naïef!") == "een zorg cafe s naief"


def test_stems_follow_the_language() -> None:
    veiligheid, veilige, veilig = stem(["veiligheid", "veilige", "veilig"], "nl")
    assert veiligheid == veilige == veilig
    assert len(set(stem(["companies", "company"], "en"))) == 1
    # English rules do not know Dutch words: "veiligheid" keeps its ending there.
    assert stem(["veiligheid"], "en") != [veiligheid]


@pytest.mark.parametrize(
    ("text", "lang", "themes"),
    [
        ("Is het wel VEILIG?", "nl", {"SAFETY"}),  # veiligheid and veilig share a stem
        ("De gevolgen op de lange termijn", "nl", {"SAFETY"}),  # a phrase, as words in order
        ("termijn is lang", "nl", set()),  # the phrase's words, not in order: no match
        ("Natuurlijk niet", "nl", set()),  # a longer word with another stem: no match
        (
            "Biodiversiteit én de natuur; ook patenten van grote bedrijven",
            "nl",
            {"NATURE", "COMPANIES"},
        ),
        ("Long-term effects on the environment", "en", {"SAFETY", "NATURE"}),
        ("Patents held by big companies", "en", {"COMPANIES"}),  # patent(s): the English stem
        ("", "nl", set()),
    ],
)
def test_answers_match_themes_after_normalising_and_stemming(
    text: str, lang: str, themes: set[str]
) -> None:
    matcher = Matcher(CODEBOOK)
    found = matcher.match([text], [lang])[0]
    assert {code for code, hit in zip(matcher.codes, found, strict=True) if hit} == themes


def test_a_codebook_without_themes_matches_nothing() -> None:
    assert Matcher([]).match(["veiligheid"]).shape == (1, 0)


def test_the_theme_table_counts_who_answered_and_each_theme() -> None:
    matches = np.array([[1, 0], [1, 1], [0, 0], [0, 1]], dtype=bool)
    cell = np.array([0, 0, 1, 1])
    table = theme_table("Q", cell, matches)
    counted = {
        (int(c), int(v)): int(n)
        for c, v, n in zip(table.cell, table.keys["Q"], table.counts, strict=True)
    }
    assert counted == {(0, -1): 2, (0, 0): 2, (0, 1): 1, (1, -1): 2, (1, 1): 1}
    grouped = theme_table("Q", cell, matches, np.array([1, 2, 1, 2]), "G")
    by_group = {
        (int(c), int(g), int(v)): int(n)
        for c, g, v, n in zip(
            grouped.cell, grouped.keys["G"], grouped.keys["Q"], grouped.counts, strict=True
        )
    }
    assert by_group == {
        (0, 1, -1): 1,
        (0, 1, 0): 1,
        (0, 2, -1): 1,
        (0, 2, 0): 1,
        (0, 2, 1): 1,
        (1, 1, -1): 1,
        (1, 2, -1): 1,
        (1, 2, 1): 1,
    }


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail j.de-vries+test@voorbeeld.nl gerust", "mail [e-mail] gerust"),
        ("bel 06-12345678", "bel [tel.]"),
        ("bel 06 1234 5678 of 0612345678", "bel [tel.] of [tel.]"),
        ("bel +31 6 12345678", "bel [tel.]"),
        ("bel +31 (0)20 123 4567", "bel [tel.]"),
        ("bel 0031 20 1234567", "bel [tel.]"),
        ("bel 020-1234567 overdag", "bel [tel.] overdag"),
        ("ik woon op 1234 AB 12", "ik woon op [adres]"),
        ("ik woon op 1234AB, 12a", "ik woon op [adres]"),
        ("Kerkstraat 12, 1234 AB Utrecht", "Kerkstraat [adres] Utrecht"),
        ("Dorpsweg 7-2 in Ede", "[adres] in Ede"),
        ("1234ab", "[adres]"),
        ("NL91 ABNA 0417 1643 00", "[IBAN]"),
        ("maak over naar NL91ABNA0417164300.", "maak over naar [IBAN]."),
        # Not personal: years, amounts, percentages and counts stay.
        ("in 2040 en later", "in 2040 en later"),
        ("ongeveer 1500 euro per jaar", "ongeveer 1500 euro per jaar"),
        ("90% van de 12345 mensen", "90% van de 12345 mensen"),
    ],
)
def test_masking_hides_what_identifies_a_respondent(text: str, masked: str) -> None:
    assert mask(text) == masked


def _corpus() -> list[str]:
    rng = np.random.default_rng(1)
    animals = [
        "het welzijn van dieren moet beter",
        "dieren mogen niet lijden",
        "minder proeven op dieren alstublieft",
    ]
    prices = [
        "de prijs moet betaalbaar blijven",
        "een betaalbare prijs voor iedereen",
        "de prijs van medicijnen is te hoog",
    ]
    fillers = ["ik weet het niet", "geen mening"]
    texts = [str(rng.choice(animals)) for _ in range(40)]
    texts += [str(rng.choice(prices)) for _ in range(30)]
    texts += [str(rng.choice(fillers)) for _ in range(5)]
    return texts


def test_suggestions_find_the_clusters_of_a_small_corpus() -> None:
    found = suggest_themes(_corpus(), clusters=2, min_size=10)
    assert len(found) == 2
    assert found[0].size >= found[1].size
    assert sum(s.size for s in found) == 75
    animal, price = sorted(found, key=lambda s: "dieren" not in s.terms)
    assert animal.size == 40 + 5 or price.size == 30 + 5  # the few fillers join one of them
    assert "dieren" in animal.terms and "prijs" in price.terms
    assert "prijs" not in animal.terms and "dieren" not in price.terms


def test_suggestions_never_name_an_address_or_number() -> None:
    texts = [f"{t} mail piet@example.nl of bel 06-12345678" for t in _corpus()]
    terms = " ".join(term for s in suggest_themes(texts, clusters=2) for term in s.terms)
    assert "piet" not in terms and "example" not in terms and "12345678" not in terms
    assert "dieren" in terms


def test_suggestions_leave_out_small_clusters_and_empty_corpora() -> None:
    assert suggest_themes([], min_size=10) == []
    assert suggest_themes(["een paar woorden"] * 3, min_size=10) == []
    found = suggest_themes(_corpus(), clusters=2, min_size=41)
    assert all(s.size >= 41 for s in found)
