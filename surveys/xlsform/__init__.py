"""XLSForm import and export, and a YAML writer for question sets.

Organizers often design questionnaires in a spreadsheet, and other survey tools (ODK, KoboToolbox,
SurveyCTO) exchange them as XLSForm workbooks. Importing one must never bypass our own rules, so
the workbook is read into the same tree as a YAML file (`surveys.tree`), each entry located at
its sheet and row, and that tree is checked by the one validator (`surveys.loader._Builder`):
its problems say `sheet survey, row 12` because that is where the tree says the value was
written. Only what XLSForm adds on top (unsupported types and columns, XPath conditions, group
structure) is checked here.

The imported set's `source` is the equivalent YAML, written from the same tree, so it can be
stored and re-read like any set. See "XLSForm" in surveys/README.md for the mapping, including
what cannot be mapped.

The modules, by idea: `sheets` (reading the workbook), `nodes` (the located tree), `read_base`,
`survey`, `vocabulary_sheet` and `importer` (rows to the tree), `xpath` (conditions),
`yaml_write` (YAML text), `convert` (the import end to end), `export` (YAML and XLSForm out).
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
