"""Statistics on counts: weighting, estimates, acceptance conditions, disclosure control.

Plain Python (numpy, scipy): no Flask, no SQLAlchemy, no web code. Inputs are grouped counts
(``Cells``, ``Grouped``) that the database side produces; see ``analysis/README.md``.
"""

from analysis.acceptance import (
    Application,
    ApplicationSummary,
    Coding,
    Comparison,
    Condition,
    ConditionShare,
    DomainSummary,
    Lift,
    Summary,
    TableSource,
    acceptance_summary,
    summarize_application,
    summarize_domain,
)
from analysis.association import (
    TOO_FEW_ANSWERS,
    TOO_FEW_GROUPS,
    ChiSquare,
    GroupTest,
    rao_scott,
    rao_scott_over_shown,
    shown_groups,
)
from analysis.counts import MISSING, Cells, CountsError, Grouped
from analysis.disclosure import (
    DEFAULT_MINIMUM,
    TableMask,
    suppress_estimates,
    suppress_lines,
    suppress_table,
)
from analysis.estimates import FIELDS, Estimate, logit_interval, mean_interval, means, proportions
from analysis.scales import Alpha, cronbach_alpha, cronbach_alpha_from_moments, moment_names
from analysis.variance import Mode
from analysis.waves import WaveDifference, wave_difference, wave_differences
from analysis.weighting import REFUSED, UNKNOWN, Margin, Margins, WeightingError, Weights, rake

__all__ = [
    "DEFAULT_MINIMUM",
    "FIELDS",
    "MISSING",
    "REFUSED",
    "TOO_FEW_ANSWERS",
    "TOO_FEW_GROUPS",
    "UNKNOWN",
    "Alpha",
    "Application",
    "ApplicationSummary",
    "Cells",
    "ChiSquare",
    "Coding",
    "Comparison",
    "Condition",
    "ConditionShare",
    "CountsError",
    "DomainSummary",
    "Estimate",
    "GroupTest",
    "Grouped",
    "Lift",
    "Margin",
    "Margins",
    "Mode",
    "Summary",
    "TableMask",
    "TableSource",
    "WaveDifference",
    "Weights",
    "WeightingError",
    "acceptance_summary",
    "cronbach_alpha",
    "cronbach_alpha_from_moments",
    "logit_interval",
    "mean_interval",
    "means",
    "moment_names",
    "proportions",
    "rake",
    "rao_scott",
    "rao_scott_over_shown",
    "summarize_application",
    "shown_groups",
    "summarize_domain",
    "suppress_estimates",
    "suppress_lines",
    "suppress_table",
    "wave_difference",
    "wave_differences",
]
