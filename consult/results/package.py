"""The data package: a ZIP with the aggregate tables as CSV, the codebook (CSV and JSON), the
method note, and a Frictionless `datapackage.json` describing every table (field types, the
option codes a field may hold, what counts as missing, primary and foreign keys), so a reader's
tools can check and load the files without guessing.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from consult.results.downloads import MEDIA_TYPES, Download, csv_bytes, file_stem
from consult.results.tables import (
    ESTIMATE_COLUMNS,
    ITEM_COLUMNS,
    MEASURES,
    OPTION_COLUMNS,
    SUMMARY_COLUMNS,
    THEME_COLUMNS,
    Figures,
    codebook_items,
    codebook_json,
    codebook_options,
    estimate_rows,
    method_lines,
    summary_rows,
    theme_rows,
)

MISSING = [""]
BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}


def _field(name: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": kind}
    constraints = {key: value for key, value in extra.items() if key in ("required", "enum")}
    constraints |= {"minimum": extra["minimum"]} if "minimum" in extra else {}
    if constraints:
        field["constraints"] = constraints
    if "description" in extra:
        field["description"] = extra["description"]
    return field


def _figures_fields() -> list[dict[str, Any]]:
    return [
        _field(
            "n", "integer", minimum=0, description="respondents behind the figure (empty: hidden)"
        ),
        _field(
            "base",
            "integer",
            minimum=0,
            description="respondents in the figure's base (empty: hidden, as with a suppressed "
            "figure or a group whose base would reveal one)",
        ),
        _field("estimate", "number", description="weighted share (0-1), mean or difference"),
        _field("se", "number", description="standard error (Taylor linearization)"),
        _field("ci_low", "number", description="lower bound of the 95% interval"),
        _field("ci_high", "number", description="upper bound of the 95% interval"),
        {**_field("suppressed", required=True), **BOOLEAN},
    ]


def estimates_schema(figures: Figures) -> dict[str, Any]:
    qs = figures.question_set
    options = sorted({choice.code for item in qs.all_items() for choice in item.choices})
    return {
        "fields": [
            _field("item", required=True, description="answer code (ITEM.option: a rank)"),
            _field("item_label"),
            _field("group", required=True, description="'all', or BY=option of the grouping"),
            _field("group_label"),
            _field("option", "integer", enum=options, description="option code (empty: a mean)"),
            _field("option_label"),
            *_figures_fields(),
        ],
        "missingValues": MISSING,
        "primaryKey": ["item", "group", "option"],
    }


def summary_schema(figures: Figures) -> dict[str, Any]:
    vocabulary = figures.question_set.vocabulary
    units = sorted(
        {term.code for term in vocabulary.applications} | {term.code for term in vocabulary.domains}
    )
    options = sorted(
        {
            choice.code
            for item in figures.question_set.all_items()
            if item.role == "acceptance"
            for choice in item.choices
        }
    )
    return {
        "fields": [
            _field("level", required=True, enum=["application", "domain"]),
            _field("unit", required=True, enum=units),
            _field("unit_label"),
            _field("measure", required=True, enum=list(MEASURES)),
            _field("measure_label"),
            _field("condition", enum=sorted(term.code for term in vocabulary.conditions)),
            _field("condition_label"),
            _field("rank", "integer", minimum=1),
            _field("option", "integer", enum=options),
            _field("option_label"),
            *_figures_fields(),
        ],
        "missingValues": MISSING,
        "primaryKey": ["level", "unit", "measure", "condition", "option"],
    }


def themes_schema() -> dict[str, Any]:
    return {
        "fields": [
            _field("item", required=True, description="the open question's code"),
            _field("item_label"),
            _field("group", required=True, description="'all', or BY=option of the grouping"),
            _field("group_label"),
            _field("theme", required=True, description="the theme's code in the codebook"),
            _field("theme_label"),
            *_figures_fields(),
        ],
        "missingValues": MISSING,
        "primaryKey": ["item", "group", "theme"],
    }


def items_schema() -> dict[str, Any]:
    return {
        "fields": [
            _field("code", required=True),
            *(_field(name) for name in ITEM_COLUMNS[1:]),
        ],
        "missingValues": MISSING,
        "primaryKey": ["code"],
    }


def options_schema() -> dict[str, Any]:
    return {
        "fields": [
            _field("item", required=True),
            _field("option", "integer", required=True),
            *(_field(name) for name in OPTION_COLUMNS[2:]),
        ],
        "missingValues": MISSING,
        "primaryKey": ["item", "option"],
        "foreignKeys": [
            {"fields": ["item"], "reference": {"resource": "codebook_items", "fields": ["code"]}}
        ],
    }


def _table(name: str, path: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "title": title,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def datapackage(figures: Figures, stem: str) -> dict[str, Any]:
    wave = figures.wave
    return {
        "name": stem.lower(),
        "title": f"{wave.consultation.slug} {wave.slug}",
        "description": (
            "Weighted estimates of a Consult wave, its acceptance summary and codebook. "
            "The method is in method.txt; the nested codebook in codebook.json."
        ),
        "version": str(wave.question_set_version.number),
        "resources": [
            _table("estimates", "estimates.csv", "Estimates", estimates_schema(figures)),
            _table(
                "acceptance_summary",
                "acceptance_summary.csv",
                "Acceptance summary",
                summary_schema(figures),
            ),
            *(
                [_table("themes", "themes.csv", "Themes of the open answers", themes_schema())]
                if theme_rows(figures)
                else []
            ),
            _table("codebook_items", "codebook_items.csv", "Codebook: items", items_schema()),
            _table(
                "codebook_options", "codebook_options.csv", "Codebook: options", options_schema()
            ),
        ],
    }


def method_note(figures: Figures) -> str:
    return "".join(f"{label}: {text}\n" for label, text in method_lines(figures))


def data_package(figures: Figures) -> Download:
    """The ZIP: every table as CSV, codebook.json, method.txt and datapackage.json."""
    stem = file_stem(figures, "package")
    qs = figures.question_set
    files = {
        "estimates.csv": csv_bytes(ESTIMATE_COLUMNS, estimate_rows(figures)),
        "acceptance_summary.csv": csv_bytes(SUMMARY_COLUMNS, summary_rows(figures)),
        # The open questions' theme shares, when the consultation has a codebook of themes.
        **(
            {"themes.csv": csv_bytes(THEME_COLUMNS, themes)}
            if (themes := theme_rows(figures))
            else {}
        ),
        "codebook_items.csv": csv_bytes(ITEM_COLUMNS, codebook_items(qs)),
        "codebook_options.csv": csv_bytes(OPTION_COLUMNS, codebook_options(qs)),
        "codebook.json": json.dumps(codebook_json(qs), ensure_ascii=False, indent=1).encode(),
        "method.txt": method_note(figures).encode("utf-8"),
        "datapackage.json": json.dumps(datapackage(figures, stem), indent=1).encode(),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            # A fixed date: the same figures give the same bytes (and the same ETag means it).
            info = zipfile.ZipInfo(f"{stem}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return Download(out.getvalue(), MEDIA_TYPES["zip"], stem + ".zip")
