"""What the demo assumes about how people answer a consultation, by the codes its question set
declares. These are invented effect sizes for realistic test data, not vocabulary: the
simulation reads the domains, applications, conditions, weighting variables and scales from the
set itself, and a code no scenario names simply gets no effect of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    """Effects on a respondent's latent openness (a standard normal score): acceptance of an
    application rises with its domain's and its own effect; a condition with a larger weight
    is more often called necessary; a weighting variable's effect moves the openness along the
    order of its categories; an `uneven` variable's sample is drawn unevenly at random instead of
    tilted towards its later categories."""

    domain_effect: Mapping[str, float] = field(default_factory=dict)
    application_effect: Mapping[str, float] = field(default_factory=dict)
    condition_weight: Mapping[str, float] = field(default_factory=dict)
    attitude_effect: Mapping[str, float] = field(default_factory=dict)
    uneven: frozenset[str] = frozenset()

    DEFAULT_CONDITION_WEIGHT = 0.5


#: By consultation slug. Biotechnology: the cabinet's yearly consultation (the shipped set).
SCENARIOS: dict[str, Scenario] = {
    "biotech": Scenario(
        domain_effect={"green": -0.2, "white": 0.4, "red": 0.6},
        application_effect={
            "germline_editing": -1.6,
            "xenotransplantation": -0.8,
            "gene_edited_animals": -0.7,
            "cultivated_meat": -0.3,
            "compassionate_gmo": 0.4,
            "gene_therapy": 0.5,
        },
        condition_weight={
            "safety": 1.8,
            "transparency": 1.2,
            "ethics": 1.0,
            "affordability": 0.9,
            "freedom_of_choice": 0.6,
            "public_benefit": 0.5,
            "shared_responsibility": 0.3,
        },
        attitude_effect={"AGE_GROUP": -0.5, "EDUCATION": 0.8},
        uneven=frozenset({"PROVINCE"}),
    ),
    # A city's consultation on heat and greenery (surveys/definitions/city-heat-2027.yaml):
    # trees and water are popular, giving up parking spaces is not; costs and upkeep are the
    # conditions most often needed; older residents and those further from the centre (the
    # districts are listed from the centre outwards) are less keen.
    "city-heat": Scenario(
        domain_effect={"groen_water": 0.6, "straten": -0.2, "gebouwen": 0.3},
        application_effect={
            "bomen": 0.5,
            "koelteplekken": 0.4,
            "schaduwdoeken": 0.2,
            "witte_daken": -0.4,
            "parkeren_groen": -1.2,
        },
        condition_weight={
            "kosten": 1.1,
            "onderhoud": 0.8,
            "toegankelijk": 0.6,
            "schaduw": 0.3,
            "inspraak": 0.2,
            "dierenwelzijn": -0.2,
        },
        attitude_effect={"AGE": -0.6, "DISTRICT": -0.5},
        uneven=frozenset({"DISTRICT"}),
    ),
}


def scenario_for(consultation_slug: str) -> Scenario:
    """The demo's assumptions for a consultation; none (every effect zero) for one it does not
    know, which still gives skewed, weightable samples."""
    return SCENARIOS.get(consultation_slug, Scenario())
