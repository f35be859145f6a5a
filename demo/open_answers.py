"""Simulated open answers: short Dutch (now and then English) texts of the kind citizens write
in the open questions, built from phrases about recurring themes, so that a codebook matches
many of them and some themes (animal welfare, prices) are left for suggestions to find.

An answer now and then holds an e-mail address or phone number, as real ones do: the masking
of what researchers read is tried on them.
"""

from __future__ import annotations

import numpy as np

ANSWER_RATE = 0.35
"""The share of respondents who write something in an optional open question."""

PHRASES_NL = (
    # veiligheid en gezondheid
    "ik maak me zorgen over de veiligheid voor onze gezondheid",
    "wat zijn de gevolgen op de lange termijn, dat weet niemand",
    "eerst goed onderzoek naar de risico's voor de gezondheid",
    "is het wel veilig om dit te eten",
    # natuur en milieu
    "de natuur mag er niet onder lijden",
    "gevolgen voor de biodiversiteit en het milieu",
    "genetisch veranderde planten kunnen zich verspreiden in de natuur",
    # macht van bedrijven
    "grote bedrijven krijgen te veel macht door patenten",
    "het gaat vooral om winst voor multinationals",
    "boeren worden afhankelijk van een paar bedrijven",
    # ethiek
    "we moeten niet voor god spelen",
    "ethisch vind ik dit een grens die we niet over moeten",
    "waar ligt de grens bij het aanpassen van embryo's",
    # informatie en keuzevrijheid
    "duidelijke etiketten zodat ik zelf kan kiezen",
    "eerlijke informatie en voorlichting voor burgers",
    "ik wil weten wat er in mijn eten zit",
    # regels en toezicht
    "strenge regels en onafhankelijk toezicht zijn nodig",
    "de overheid moet dit goed controleren",
    "betere wetgeving in europa",
    # kansen
    "kansen voor nieuwe medicijnen en behandelingen van ziektes",
    "goed voor de voedselzekerheid en het klimaat",
    "het kan boeren helpen met minder bestrijdingsmiddelen",
    # dierenwelzijn (geen thema in het voorbeeld: voor suggesties)
    "denk ook aan het dierenwelzijn, dieren zijn geen proefmateriaal",
    "minder dierproeven en meer aandacht voor het welzijn van dieren",
    "het lijden van dieren in de veehouderij moet stoppen",
    # prijs (geen thema in het voorbeeld: voor suggesties)
    "het moet wel betaalbaar blijven voor gewone mensen",
    "de prijs van medicijnen mag niet omhoog, het moet betaalbaar zijn",
    "dure behandelingen alleen voor rijke mensen, dat is oneerlijk en te duur",
)
PHRASES_EN = (
    "I worry about long term health effects",
    "large companies should not own patents on seeds",
    "clear labels so people can choose",
    "strict rules and independent oversight",
    "good opportunities for new medicines",
)
CLOSINGS = ("", "", "", " geen verdere opmerkingen.", " dank voor deze vragenlijst.", " succes!")
CONTACTS = (" mail me op j.devries@example.nl", " bel gerust 06-12345678")


def open_answers(n: int, rng: np.random.Generator, rate: float = ANSWER_RATE) -> list[str | None]:
    """`n` respondents' answers to one open question (None for those who wrote nothing)."""
    writes = rng.random(n) < rate
    english = rng.random(n) < 0.05
    first = rng.integers(0, len(PHRASES_NL), n)
    second = rng.integers(0, len(PHRASES_NL), n)
    two = rng.random(n) < 0.3
    english_pick = rng.integers(0, len(PHRASES_EN), n)
    closing = rng.integers(0, len(CLOSINGS), n)
    contact = rng.random(n) < 0.01
    contact_pick = rng.integers(0, len(CONTACTS), n)
    out: list[str | None] = []
    for i in range(n):
        if not writes[i]:
            out.append(None)
            continue
        if english[i]:
            text = PHRASES_EN[english_pick[i]] + "."
        else:
            text = PHRASES_NL[first[i]].capitalize() + "."
            if two[i] and second[i] != first[i]:
                text += " " + PHRASES_NL[second[i]].capitalize() + "."
            text += CLOSINGS[closing[i]]
        if contact[i]:
            text += CONTACTS[contact_pick[i]]
        out.append(text)
    return out


EXAMPLE_CODEBOOK = "\r\n".join(
    [
        "code,name_nl,name_en,keywords",
        "SAFETY,Veiligheid en gezondheid,Safety and health,"
        "veilig; gezondheid; risico; lange termijn; long term; health",
        "NATURE,Natuur en milieu,Nature and environment,natuur; milieu; biodiversiteit; klimaat",
        "POWER,Macht van bedrijven,Power of companies,"
        "bedrijven; multinationals; patent; winst; afhankelijk; companies",
        "ETHICS,Ethiek en grenzen,Ethics and limits,ethisch; ethiek; god spelen; grens",
        "INFORMATION,Informatie en keuzevrijheid,Information and freedom of choice,"
        "etiket; informatie; voorlichting; zelf kiezen; labels; choose",
        "RULES,Regels en toezicht,Rules and oversight,"
        "regels; toezicht; controleren; wetgeving; overheid; oversight; rules",
        "OPPORTUNITIES,Kansen,Opportunities,kansen; medicijnen; voedselzekerheid; opportunities",
        "",
    ]
)
"""A codebook that fits the simulated answers (`consult themes import`, tests, the bench)."""
