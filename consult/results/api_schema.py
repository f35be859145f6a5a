"""The JSON API's contract: the JSON Schemas of its answers, each operation's description, and
the OpenAPI 3.1 document built from both and from the routes the app really has.

The schemas here are the one description of every answer: the OpenAPI document publishes them
and the tests check each answer the API gives against them (schemathesis, and plain checks of the
answers it cannot reach, such as a revoked token's 401). Paths come from `app.url_map`, so a route
cannot be missing from the document or documented at a path it does not have.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apispec import APISpec

API_VERSION = "1.0.0"
MODES = ("calibrated", "fixed", "unweighted")
LANGUAGES = ("nl", "en")

NUMBER = {"type": ["number", "null"]}
"""A figure: null when suppressed or undefined (e.g. a standard error with one respondent)."""
COUNT = {"type": ["integer", "null"]}
TEXT = {"type": "string"}
MAYBE_TEXT = {"type": ["string", "null"]}
TRANSLATIONS = {"type": "object", "additionalProperties": {"type": "string"}}
DATE = {"type": ["string", "null"], "format": "date"}


def _object(properties: dict[str, Any], *, open_: bool = False) -> dict[str, Any]:
    """An object with every property required; closed unless `open_` (then only the named
    properties are promised)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": open_,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(name: str) -> dict[str, Any]:
    return {"oneOf": [_ref(name), {"type": "null"}]}


def _list(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


ESTIMATE = _object(
    {
        "item": {**TEXT, "description": "Answer code (a battery row, `ITEM.option` of a rank)"},
        "item_label": TEXT,
        "group": {**MAYBE_TEXT, "description": "The grouping question's code; null overall"},
        "group_code": COUNT,
        "group_label": TEXT,
        "option": {"type": ["integer", "string", "null"]},
        "option_label": TEXT,
        "kind": {"enum": ["proportion", "mean", "difference"]},
        "n": {**COUNT, "description": "Respondents behind the figure; null when suppressed"},
        "base": COUNT,
        "estimate": NUMBER,
        "se": NUMBER,
        "ci_low": NUMBER,
        "ci_high": NUMBER,
        "df": {
            **COUNT,
            "description": "Degrees of freedom of the interval (base - 1); null when the base is "
            "hidden",
        },
        "suppressed": {
            "type": "boolean",
            "description": "Fewer respondents than the wave's minimum cell size (or secondary "
            "suppression): every figure is null, counts, base and degrees of freedom included",
        },
    }
)

THEME_ESTIMATE = _object(
    {
        **{k: v for k, v in ESTIMATE["properties"].items() if k not in ("option", "option_label")},
        "item": {**TEXT, "description": "The open question's code"},
        "theme": {**TEXT, "description": "The theme's code in the consultation's codebook"},
        "theme_label": TEXT,
        "estimate": {
            **NUMBER,
            "description": "Weighted share of the written answers about the theme (an answer "
            "can be about several themes)",
        },
    }
)

TEST = _object(
    {
        "statistic": NUMBER,
        "p_value": NUMBER,
        "respondents": COUNT,
        "left_out": {
            **_list(_object({"code": {"type": "integer"}, "label": TEXT})),
            "description": "Groups left out of the test because some of their figures are "
            "hidden (disclosure control)",
        },
        "withheld": {
            "enum": ["too_few_groups", "too_few_answers", None],
            "description": "Why the test is withheld (its figures are null), or null",
        },
        "note": {**MAYBE_TEXT, "description": "What was left out or withheld and why, in words"},
    },
    open_=True,
)
"""A Rao-Scott test over the groups whose figures are all shown: the documented members; the
others (degrees of freedom, ...) as R names them."""

COMPARISON = _object(
    {
        "first": TEXT,
        "second": TEXT,
        "difference": NUMBER,
        "se": NUMBER,
        "statistic": NUMBER,
        "df": COUNT,
        "p_value": NUMBER,
        "ci_low": NUMBER,
        "ci_high": NUMBER,
        "respondents": COUNT,
        "suppressed": {"type": "boolean"},
    }
)

CONDITION_SHARE = _object(
    {
        "condition": TEXT,
        "condition_label": TEXT,
        "item": TEXT,
        "rank": {"type": "integer"},
        "necessary": _ref("Estimate"),
        "versus_next": _nullable("Comparison"),
    }
)

LIFT = _object(
    {
        "conditional": _ref("Estimate"),
        "unconditional": _ref("Estimate"),
        "lift": _ref("Estimate"),
        "p_value": NUMBER,
    }
)

APPLICATION = _object(
    {
        "application": TEXT,
        "application_label": TEXT,
        "domain": TEXT,
        "domain_label": TEXT,
        "acceptance": _ref("Estimate"),
        "dont_know": _ref("Estimate"),
        "distribution": _list(_ref("Estimate")),
        "conditions": _list(_ref("ConditionShare")),
        "lift": _nullable("Lift"),
    }
)

DOMAIN = _object(
    {
        "domain": TEXT,
        "domain_label": TEXT,
        "applications": _list(TEXT),
        "acceptance": _ref("Estimate"),
        "dont_know": _ref("Estimate"),
        "conditions": _list(_ref("ConditionShare")),
        "lift": _nullable("Estimate"),
    }
)

WEIGHTING = _object(
    {
        "respondents": {"type": "integer", "description": "Complete responses"},
        "cells": {"type": "integer", "description": "Weighting cells with respondents"},
        "converged": {"type": "boolean"},
        "iterations": {"type": "integer"},
        "max_margin_error": NUMBER,
        "effective_n": NUMBER,
        "design_effect": NUMBER,
        "weight_min": NUMBER,
        "weight_max": NUMBER,
        "outside_margins": {
            "description": "Answers to weighting questions that respondents gave and the "
            "margins do not list: each is kept at its sample share",
            **_list(
                _object(
                    {
                        "variable": {**TEXT, "description": "The weighting question's code"},
                        "variable_label": TEXT,
                        "category": {"type": "integer", "description": "The answer's option code"},
                        "category_label": TEXT,
                        "respondents": {
                            **COUNT,
                            "description": "null for fewer than the wave's minimum cell size",
                        },
                        "missing": {
                            **MAYBE_TEXT,
                            "description": "The kind of missing answer (e.g. refused), or null",
                        },
                        "note": {
                            **TEXT,
                            "description": "In words: not in the population margins, kept at its "
                            "sample share",
                        },
                    }
                )
            ),
        },
        "variables": _list(_object({"code": TEXT, "label": TEXT})),
    }
)

SUBGROUP_TEST = {"allOf": [_ref("Test")], "properties": {"item": TEXT, "by": TEXT}}
"""A Rao-Scott test of one answer code (`item`) against the grouping (`by`)."""

LINKS = {"type": "object", "additionalProperties": {"type": "string"}}

WAVE_ENTRY = _object(
    {
        "slug": TEXT,
        "title": TEXT,
        "consultation": _object({"slug": TEXT, "title": TEXT}),
        "status": {"enum": ["draft", "open", "closed"]},
        "published": {"type": "boolean"},
        "opens_on": DATE,
        "closes_on": DATE,
        "links": LINKS,
    }
)

#: What a wave's figures answer has besides its figures.
_FIGURES_HEAD = {
    "wave": TEXT,
    "consultation": TEXT,
    "question_set_version": {"type": "integer"},
    "mode": {"enum": list(MODES)},
    "lang": {"enum": list(LANGUAGES)},
    "minimum_cell_size": {"type": "integer"},
    "available": {
        "type": "boolean",
        "description": "False while the wave has no figures (no complete responses, no "
        "margins, counts awaiting a recount); `unavailable_reason` says why",
    },
    "unavailable_reason": MAYBE_TEXT,
    "suppression_note": TEXT,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": TEXT,
            "title": TEXT,
            "status": {"type": "integer"},
            "detail": TEXT,
            "invalid_params": _list(_object({"name": TEXT, "reason": TEXT})),
        },
        "required": ["type", "title", "status", "detail"],
        "additionalProperties": False,
    },
    "Estimate": ESTIMATE,
    "ThemeEstimate": THEME_ESTIMATE,
    "Comparison": COMPARISON,
    "ConditionShare": CONDITION_SHARE,
    "Lift": LIFT,
    "ApplicationSummary": APPLICATION,
    "DomainSummary": DOMAIN,
    "Test": TEST,
    "Weighting": WEIGHTING,
    "WaveEntry": WAVE_ENTRY,
    "WaveList": _object({"waves": _list(_ref("WaveEntry"))}),
    "Wave": _object(
        {
            **WAVE_ENTRY["properties"],
            "question_set_version": {"type": "integer"},
            "minimum_cell_size": {"type": "integer"},
            "results_available": {"type": "boolean"},
            "unavailable_reason": MAYBE_TEXT,
            "weighting": _nullable("Weighting"),
            "method": MAYBE_TEXT,
        }
    ),
    "Estimates": _object(
        {
            **_FIGURES_HEAD,
            "by": MAYBE_TEXT,
            "by_label": MAYBE_TEXT,
            "weighting": _nullable("Weighting"),
            "estimates": _list(_ref("Estimate")),
            "subgroup_tests": _list(SUBGROUP_TEST),
            "themes": {
                **_list(_ref("ThemeEstimate")),
                "description": "The open questions' theme shares (empty without a codebook)",
            },
        }
    ),
    "Item": _object(
        {
            **_FIGURES_HEAD,
            "item": TEXT,
            "item_label": TEXT,
            "type": {**TEXT, "description": "The question type, as in the codebook"},
            "has_figures": {
                "type": "boolean",
                "description": "False for texts and open answers: they have no estimates",
            },
            "by": MAYBE_TEXT,
            "by_label": MAYBE_TEXT,
            "estimates": _list(_ref("Estimate")),
            "subgroup_tests": _list(SUBGROUP_TEST),
        }
    ),
    "Summary": _object(
        {
            **_FIGURES_HEAD,
            "applications": _list(_ref("ApplicationSummary")),
            "domains": _list(_ref("DomainSummary")),
            "largest_subgroup_differences": _list(
                _object(
                    {
                        "application": TEXT,
                        "application_label": TEXT,
                        "variable": TEXT,
                        "variable_label": TEXT,
                        "spread": NUMBER,
                        "highest": _ref("Estimate"),
                        "lowest": _ref("Estimate"),
                        "test": {"oneOf": [_ref("Test"), {"type": "null"}]},
                    }
                )
            ),
            "changes_since_previous_wave": _list(
                _object(
                    {
                        "item": TEXT,
                        "group": MAYBE_TEXT,
                        "option": {"type": ["integer", "string", "null"]},
                        "earlier": NUMBER,
                        "later": NUMBER,
                        "difference": NUMBER,
                        "se": NUMBER,
                        "z": NUMBER,
                        "p_value": NUMBER,
                        "ci_low": NUMBER,
                        "ci_high": NUMBER,
                    }
                )
            ),
            "changes_left_out": {
                **_list(
                    _object(
                        {
                            "item": TEXT,
                            "option": {"type": ["integer", "string", "null"]},
                            "reason": {"enum": ["suppressed"]},
                        }
                    )
                ),
                "description": "Figures that mean the same in both waves but are not compared: "
                "hidden in this wave or the previous one",
            },
        }
    ),
    "Codebook": _object(
        {
            "wave": TEXT,
            "consultation": TEXT,
            "question_set_version": {"type": "integer"},
            "version_label": MAYBE_TEXT,
            "languages": _list(TEXT),
            "items": _list(
                _object(
                    {
                        "code": TEXT,
                        "type": TEXT,
                        "page": TEXT,
                        "text": TRANSLATIONS,
                        "role": MAYBE_TEXT,
                        "application": MAYBE_TEXT,
                        "condition": MAYBE_TEXT,
                        "required": {"type": "boolean"},
                        "show_if": MAYBE_TEXT,
                        "page_show_if": MAYBE_TEXT,
                        "answer_codes": _list(TEXT),
                        "options": _list(
                            _object(
                                {
                                    "code": {"type": "integer"},
                                    "label": TRANSLATIONS,
                                    "missing": MAYBE_TEXT,
                                }
                            )
                        ),
                        "rows": _list(_object({"code": TEXT, "text": TRANSLATIONS})),
                        "waves": _list(TEXT),
                    }
                )
            ),
            "vocabulary": {"type": "object"},
        }
    ),
}

PARAMETERS: dict[str, dict[str, Any]] = {
    "wave": {
        "name": "wave",
        "in": "path",
        "required": True,
        "description": "The wave's slug, e.g. biotech-2026",
        "schema": {"type": "string"},
    },
    "code": {
        "name": "code",
        "in": "path",
        "required": True,
        "description": "An item's code, e.g. KNOW_BIO (the codebook lists them; a battery's "
        "code gives all its rows)",
        "schema": {"type": "string"},
    },
    "by": {
        "name": "by",
        "in": "query",
        "required": False,
        "description": "Code of a single-choice item: every figure per group of its answers",
        "schema": {"type": "string"},
    },
    "mode": {
        "name": "mode",
        "in": "query",
        "required": False,
        "description": "calibrated (default): raking weights with calibration-aware standard "
        "errors; fixed: the same weights taken as given; unweighted: equal weights",
        "schema": {"enum": list(MODES), "default": "calibrated"},
    },
    "lang": {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of the labels",
        "schema": {"enum": list(LANGUAGES), "default": "nl"},
    },
}

ERRORS = {
    400: "A query parameter is not valid (see `invalid_params`)",
    401: "The `Authorization: Bearer` token is unknown or revoked",
    404: "No such wave, or not readable by this reader",
    429: "Too many requests: wait `Retry-After` seconds",
}


@dataclass(frozen=True)
class Operation:
    """What the document says about one route."""

    summary: str
    schema: str | None
    """The component schema of the 200 answer (None: the answer is this document)."""
    parameters: tuple[str, ...] = ()
    errors: tuple[int, ...] = (401, 429)
    conditional: bool = field(default=True)
    """Answers carry an ETag; a repeat with If-None-Match gets 304."""
    not_found: str = ERRORS[404]
    """What a 404 means here, when the path names more than a wave."""


OPERATIONS: dict[str, Operation] = {}
"""Operation by view function name (`consult.results.api` documents each of its views)."""

View = TypeVar("View", bound=Callable[..., Any])


def documented(operation: Operation) -> Callable[[View], View]:
    """Describe a view in the OpenAPI document (keyed by the view's name)."""

    def decorate(view: View) -> View:
        OPERATIONS[view.__name__] = operation
        return view

    return decorate


ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """Werkzeug's `/waves/<wave>` as OpenAPI's `/waves/{wave}`."""
    return ARGUMENT.sub(r"{\1}", rule)


def openapi_document(routes: Iterable[tuple[str, str]], server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the given (rule, view name) routes, all GET."""
    spec = APISpec(
        title="Consult results API",
        version=API_VERSION,
        openapi_version="3.1.0",
        info={
            "description": "Read-only figures of a consultation's waves: the same weighted "
            "estimates as `consult report` (R survey's rake/svymean/svyciprop), with labels. "
            "Published waves need no sign-in; an unpublished wave's figures need a personal "
            "token of one of its consultation's members, sent as `Authorization: Bearer`. "
            "Every figure respects the wave's minimum cell size (suppressed figures are null).",
        },
        servers=[{"url": server}],
    )
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, component=schema)
    spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "A personal API token"}
    )
    for rule, view in sorted(routes):
        operation = OPERATIONS[view]
        spec.path(path=openapi_path(rule), operations={"get": _operation(view, operation)})
    return spec.to_dict()


def _operation(view: str, operation: Operation) -> dict[str, Any]:
    content = (
        {"application/json": {"schema": _ref(operation.schema)}}
        if operation.schema
        else {"application/json": {"schema": {"type": "object"}}}
    )
    responses: dict[str, Any] = {"200": {"description": "OK", "content": content}}
    if operation.conditional:
        responses["304"] = {"description": "Not modified since the ETag sent in If-None-Match"}
    for status in sorted(operation.errors):
        responses[str(status)] = {
            "description": operation.not_found if status == 404 else ERRORS[status],
            "content": {"application/problem+json": {"schema": _ref("Problem")}},
        }
    return {
        "operationId": view,
        "summary": operation.summary,
        "parameters": [PARAMETERS[name] for name in operation.parameters],
        "security": [{}, {"token": []}],
        "responses": responses,
    }
