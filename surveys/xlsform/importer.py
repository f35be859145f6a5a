"""An XLSForm workbook read into the question-set tree (`surveys.tree`), row by row, each entry
located at its sheet row: the workbook as a whole, its languages, settings and choices (the
survey sheet is read by `surveys.xlsform.survey`, the vocabulary sheet by
`surveys.xlsform.vocabulary_sheet`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from surveys.messages import Message
from surveys.xlsform import about_settings
from surveys.xlsform.nodes import _in_writing_order, _Node
from surveys.xlsform.sheets import (
    SURVEY_TEXT_COLUMNS,
    TRANSLATABLE,
    _cell_text,
    _choice_name,
    _Column,
    _language_code,
    _number,
    _Row,
    _Sheet,
    _slugify,
    _yes_no,
)
from surveys.xlsform.survey import _SurveySheet
from surveys.xlsform.vocabulary_sheet import _VocabularySheet


class _Importer(_SurveySheet, _VocabularySheet):
    """Reads the sheets of one workbook into the question-set tree."""

    # ---- whole workbook ---------------------------------------------------------------

    def run(self) -> _Node | None:
        if self.survey is None:
            self.complain(None, None, "the workbook has no 'survey' sheet, so it is not an XLSForm")
            return None
        entities = self.sheets.get("entities")
        if entities is not None and entities.rows:
            self.complain(entities, None, "ODK entities (the entities sheet) are not supported")
        self.read_languages()
        tree = _Node(self.loc(self.settings, self.settings_row))
        tree.put("consultation", self.consultation())
        self.top_level(tree)
        tree.put("languages", list(self.languages), self.loc(self.survey, self.survey.header_row))
        choice_lists = self.choice_lists()
        root = self.structure()
        self.read_targets(root)
        if choice_lists:
            tree.put("choice_lists", choice_lists)
        at = self.loc(self.vocabulary_sheet, None, "vocabulary")
        tree.put("vocabulary", self.vocabulary(), at)
        pages = self.pages(root)
        if not pages:
            self.no_pages = True
            self.complain(self.survey, None, "there are no questions left that can be imported")
        tree.put("pages", pages, self.loc(self.survey, None))
        _in_writing_order(tree)
        return tree

    def text_columns(self) -> Iterable[tuple[_Sheet, _Column]]:
        for sheet, bases in (
            (self.survey, SURVEY_TEXT_COLUMNS),
            (self.choices, ("label",)),
            (self.settings, ("form_title", "intro", *about_settings.TEXT_COLUMNS)),
            (self.vocabulary_sheet, ("label",)),
        ):
            if sheet is None:
                continue
            for column in sheet.columns:
                if column.base in bases:
                    yield sheet, column

    def read_languages(self) -> None:
        """Decide which language each text column is in (see README, 'Languages')."""
        default = _cell_text(self.settings_row.raw("default_language")) if self.settings_row else ""
        self.default_language = _language_code(default) if default else "nl"
        used: dict[str, tuple[_Sheet, _Column]] = {}
        plain_settings = ("form_title", "intro", *about_settings.TEXT_COLUMNS)
        for sheet, column in self.text_columns():
            if sheet is self.settings and column.language is None and column.base in plain_settings:
                continue  # a plain form_title is the same in every language
            if not any(row.texts(column.base).get(column.language) for row in sheet.rows):
                continue
            language = column.language or self.default_language
            used.setdefault(language, (sheet, column))
        if len(used) <= 1:
            self.language_map = {language: "nl" for language in used}
            self.language_map.setdefault(self.default_language, "nl")
            self.languages = ("nl",)
            self.check_plain_clash()
            return
        stand_in: str | None = None
        if "nl" not in used:
            others = [lang for lang in used if lang != "en"]
            stand_in = self.default_language if self.default_language in others else others[0]
            found = ", ".join(used)
            self.complain(
                None,
                None,
                "the form has no Dutch texts (languages found: %(found)s); the platform always "
                "needs Dutch: add label::nl columns (and hint::nl, ... where used)",
                found=found,
            )
        for language in used:
            if language in ("nl", "en"):
                self.language_map[language] = language
            elif language == stand_in:
                self.language_map[language] = "nl"
            else:
                self.language_map[language] = None
                for sheet, column in self.text_columns():
                    if (column.language or self.default_language) == language:
                        self.complain(
                            sheet,
                            sheet.header_row,
                            "column '%(header)s' is in a language the platform does not offer "
                            "(%(language)s); only Dutch (nl) and English (en) are supported: "
                            "remove or rename the column",
                            header=column.header,
                            language=language,
                        )
        mapped = set(self.language_map.values())
        self.languages = ("nl", "en") if "en" in mapped else ("nl",)
        self.check_plain_clash()

    def check_plain_clash(self) -> None:
        """A plain `label` is the default language, so it clashes with `label::<default>`."""
        for sheet in (self.survey, self.choices, self.vocabulary_sheet):
            if sheet is None:
                continue
            for column in sheet.columns:
                if column.language is None and column.base in TRANSLATABLE:
                    for other in sheet.columns:
                        if other.base == column.base and other.language == self.default_language:
                            self.complain(
                                sheet,
                                sheet.header_row,
                                "columns '%(header)s' and '%(other)s' are both the %(language)s "
                                "%(column)s; remove one",
                                header=column.header,
                                other=other.header,
                                language=self.default_language,
                                column=column.base,
                            )

    def consultation(self) -> _Node:
        row = self.settings_row
        loc = self.loc(self.settings, row)
        node = _Node(loc)
        form_id = row.get("form_id") if row else ""
        stem = Path(self.name).stem if self.name else ""
        slug = _slugify(form_id) or _slugify(stem) or "xlsform"
        node.put("slug", slug)
        title = self.text(row, "form_title", plain_everywhere=True) if row else None
        node.put("title", title or form_id or stem or slug)
        self.slug = slug
        return node

    def top_level(self, tree: _Node) -> None:
        row = self.settings_row
        wave = row.get("wave") if row else ""
        tree.put("wave", wave or f"{self.slug}-draft")
        if row is None:
            return
        tree.put("version", row.get("version"))
        tree.put("intro", self.text(row, "intro", plain_everywhere=True))
        minutes = row.get("estimated_minutes")
        number = _number(minutes)
        tree.put("estimated_minutes", number if isinstance(number, int) else minutes)
        about = about_settings.read(
            lambda base: self.text(row, base, plain_everywhere=True), row.get
        )
        if about is not None:
            tree.put("about", about)

    # ---- choices ----------------------------------------------------------------------

    def choice_lists(self) -> _Node:
        lists = _Node(self.loc(self.choices, None, "choices"))
        sheet = self.choices
        if sheet is None:
            return lists
        grouped: dict[str, list[_Row]] = {}
        for row in sheet.rows:
            list_name = row.get("list_name")
            if not list_name:
                if row.get("name") or row.texts("label"):
                    self.complain(sheet, row.number, "this choice has no list_name")
                continue
            grouped.setdefault(list_name, []).append(row)
        for list_name, rows in grouped.items():
            lists.put(list_name, self.choice_list(sheet, list_name, rows), self.loc(sheet, rows[0]))
        return lists

    def choice_list(self, sheet: _Sheet, list_name: str, rows: list[_Row]) -> list[_Node]:
        names = [row.get("name") for row in rows]
        numbers = [_number(name) for name in names]
        # Names are option codes; only a list made entirely of words is numbered for the author.
        words = all(number is None for name, number in zip(names, numbers, strict=True) if name)
        by_name: dict[str, int] = {}
        entries: list[_Node] = []
        first_row: dict[str, int] = {}
        for position, (row, name, number) in enumerate(zip(rows, names, numbers, strict=True)):
            if not name:
                self.complain(
                    sheet, row.number, "a choice of list %(list)s has no name", list=list_name
                )
                continue
            if words:
                code = position + 1
                if name in first_row:
                    self.complain(
                        sheet,
                        row.number,
                        "choice name '%(name)s' appears twice in list %(list)s (first on row "
                        "%(first)s)",
                        name=name,
                        list=list_name,
                        first=first_row[name],
                    )
                    continue
                first_row[name] = row.number
            elif isinstance(number, int):
                code = number
            else:
                self.complain(
                    sheet,
                    row.number,
                    "choice name '%(name)s' in list %(list)s is not a whole number: option "
                    "codes must be whole numbers (a list of only words is numbered 1, 2, 3...)",
                    name=name,
                    list=list_name,
                )
                continue
            by_name.setdefault(name, code)
            entry = _Node(self.loc(sheet, row), flow=True)
            entry.put("code", code)
            entry.put("label", self.text(row, "label"))
            entry.put("missing", row.get("missing"))
            entry.put("name", _choice_name(name) if words else None)
            exclusive = _yes_no(row.raw("exclusive"))
            if exclusive is None:
                self.complain(sheet, row.number, "exclusive must be yes or no")
            elif exclusive:
                entry.put("exclusive", True)
            self.check_columns(sheet, row, frozenset(), Message("a choice"))
            entries.append(entry)
        self.codes[list_name] = by_name
        return entries
