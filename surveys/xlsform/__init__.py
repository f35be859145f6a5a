"""XLSForm import and export, and a YAML writer for question sets.

Organizers often design questionnaires in a spreadsheet, and other survey tools (ODK, KoboToolbox,
SurveyCTO) exchange them as XLSForm workbooks. Importing one must never bypass our own rules, so
the workbook is *translated* into the YAML question-set language (README.md), and that text is
checked by the one YAML validator in `surveys.loader`. Every YAML line remembers the sheet row it
came from, so the validator's problems point at `sheet survey, row 12` instead of a YAML line the
author never saw. Only what XLSForm adds on top (unsupported types and columns, XPath conditions,
group structure) is checked here.

The imported set's `source` is the generated YAML, so it can be stored and re-read like any set.
See "XLSForm" in surveys/README.md for the mapping, including what cannot be mapped.

The modules, by idea: `sheets` (reading the workbook), `importer` (rows to YAML), `xpath`
(conditions), `yaml_write` (YAML text with row origins), `convert` (the import end to end),
`export` (YAML and XLSForm out).
"""

from surveys.xlsform.convert import validate_xlsform, xlsform_to_question_set
from surveys.xlsform.export import question_set_to_xlsform, question_set_to_yaml
from surveys.xlsform.xpath import xpath_of

__all__ = [
    "question_set_to_xlsform",
    "question_set_to_yaml",
    "validate_xlsform",
    "xlsform_to_question_set",
    "xpath_of",
]
