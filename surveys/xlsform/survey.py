"""The XLSForm survey sheet read into the tree: groups become pages and blocks, rows become
items and battery rows, XPath conditions and constraints become show_if and min/max."""

from __future__ import annotations

from surveys.expressions import ExpressionError
from surveys.expressions import parse as parse_expression
from surveys.messages import N_, Message
from surveys.types import QUESTION_TYPES, TextType
from surveys.vocabulary import PAGE_ID
from surveys.xlsform.nodes import _Node
from surveys.xlsform.read_base import _ImporterState
from surveys.xlsform.sheets import (
    _CONTROL,
    _PARAMETER,
    _SELECT,
    BATTERY_COLUMNS,
    BATTERY_ROW_COLUMNS,
    BLOCK_COLUMNS,
    METADATA_REASON,
    METADATA_TYPES,
    OR_OTHER_REASON,
    PAGE_COLUMNS,
    QUESTION_COLUMNS,
    ROLE_COLUMNS,
    SUPPORTED_TYPES,
    TYPE_REASONS,
    _Group,
    _number,
    _Question,
    _Row,
    _yes_no,
)
from surveys.xlsform.xpath import (
    _ConditionTranslator,
    _constraint_bounds,
    _squeeze,
    _Target,
    _XPathError,
    xpath_of,
)


class _SurveySheet(_ImporterState):
    """Reads the survey sheet (see `surveys.xlsform.importer._Importer`)."""

    # ---- survey structure ---------------------------------------------------------------

    def parse_type(self, row: _Row) -> tuple[str, str | None, str | None]:
        """(kind, list name, reason it is unsupported or None)."""
        raw = " ".join(row.get("type").split())
        lower = raw.lower()
        control = _CONTROL.fullmatch(lower)
        if control:
            kind = f"{control.group(1)} {control.group(2)}"
            return kind, None, TYPE_REASONS.get(kind)
        select = _SELECT.fullmatch(raw)
        if select:
            word = select.group(1).lower()
            kind = {"select one": "select_one", "select all that apply": "select_multiple"}.get(
                word, word.replace(" ", "_")
            )
            reason = OR_OTHER_REASON if select.group(3) else None
            return kind, select.group(2), reason
        first = lower.split(" ")[0] if lower else ""
        if lower in SUPPORTED_TYPES and lower not in ("select_one", "select_multiple", "rank"):
            return lower, None, None
        if lower in ("select_one", "select_multiple", "rank"):
            return lower, None, f"{lower} needs a choice list name, e.g. '{lower} yes_no'"
        if lower in METADATA_TYPES:
            return lower, None, METADATA_REASON
        reason = TYPE_REASONS.get(lower) or TYPE_REASONS.get(first)
        return lower, None, reason or N_("this type is not supported")

    def structure(self) -> _Group:
        """Group the survey rows by begin/end group; report and leave out what cannot be used."""
        sheet = self.survey
        assert sheet is not None
        root = _Group(_Row(0, {}))
        stack: list[_Group] = [root]
        skipping: list[tuple[str, _Row]] = []  # open repeats/loops: their rows are left out
        for row in sheet.rows:
            raw_type = row.get("type")
            name = row.get("name")
            if not raw_type:
                if name or row.texts("label"):
                    self.complain(sheet, row.number, "this row has no type")
                continue
            kind, list_name, reason = self.parse_type(row)
            if kind in ("begin repeat", "begin loop"):
                self.unsupported(row, reason or "")
                skipping.append((kind.split()[1], row))
                continue
            if kind in ("end repeat", "end loop"):
                if skipping and skipping[-1][0] == kind.split()[1]:
                    skipping.pop()
                elif skipping:
                    self.complain(
                        sheet,
                        row.number,
                        N_("'%(type)s' closes a repeat")
                        if skipping[-1][0] == "repeat"
                        else N_("'%(type)s' closes a loop"),
                        type=raw_type,
                    )
                    skipping.pop()
                else:
                    self.complain(
                        sheet, row.number, "'%(type)s' has no matching begin", type=raw_type
                    )
                continue
            if skipping:
                # Inside a repeat: nothing is imported; name rows that would fail on their own.
                if name:
                    self.skipped[name] = f"row {skipping[0][1].number} starts a repeat"
                if reason is not None and kind not in ("begin group", "end group"):
                    self.unsupported(row, reason)
                continue
            if reason is not None:
                self.unsupported(row, reason)
                continue
            if kind == "begin group":
                group = _Group(row)
                stack[-1].children.append(group)
                stack.append(group)
            elif kind == "end group":
                if len(stack) == 1:
                    self.complain(sheet, row.number, "'end group' has no matching 'begin group'")
                else:
                    stack.pop()
            else:
                stack[-1].children.append(_Question(row, kind, list_name))
        for group in stack[1:]:
            self.complain(
                sheet, group.row.number, "group %(name)s has no 'end group'", name=group.name
            )
        for _, row in skipping:
            self.complain(sheet, row.number, "'%(type)s' has no matching end", type=row.get("type"))
        return root

    def unsupported(self, row: _Row, reason: str) -> None:
        name = row.get("name")
        if name:
            self.skipped[name] = f"row {row.number}: type {row.get('type')}"
        # The reason is a sentence of its own ("repeats are not supported"), in the catalogue.
        if name:
            self.complain(
                self.survey,
                row.number,
                "type '%(type)s' (question %(name)s): %(reason)s",
                type=row.get("type"),
                name=name,
                reason=Message(reason),
            )
        else:
            self.complain(
                self.survey,
                row.number,
                "type '%(type)s': %(reason)s",
                type=row.get("type"),
                reason=Message(reason),
            )

    def read_targets(self, group: _Group) -> None:
        """What kind of answer each question name gives, for translating conditions."""
        for child in group.children:
            if isinstance(child, _Group):
                self.read_targets(child)
                continue
            kind = {
                "select_one": "choice",
                "select_multiple": "multiple",
                "rank": "ranking",
                "integer": "number",
                "decimal": "number",
                "range": "number",
                "text": "text",
            }.get(child.kind, "info")
            self.targets[child.row.get("name")] = _Target(kind, child.list_name)

    # ---- pages, blocks and items ------------------------------------------------------

    def pages(self, root: _Group) -> list[_Node]:
        pages: list[_Node] = []
        for child in root.children:
            if isinstance(child, _Group) and child.role == "block":
                block = self.block(child)
                if block is not None:
                    pages.append(block)
            else:
                page = self.page(child)
                if page is not None:
                    pages.append(page)
        return pages

    def block(self, group: _Group) -> _Node | None:
        sheet = self.survey
        row = group.row
        if not group.name:
            self.complain(sheet, row.number, "this group has no name")
        self.check_columns(
            sheet, row, BLOCK_COLUMNS, Message("a group of groups (a block of pages)")
        )
        node = _Node(self.loc(sheet, row))
        node.put("block", group.name)
        randomize = self.flag(row, "randomize")
        if randomize:
            node.put("randomize", True)
        sample = row.get("sample")
        number = _number(sample)
        node.put("sample", number if isinstance(number, int) else sample)
        pages: list[_Node] = []
        for child in group.children:
            if isinstance(child, _Group) and child.role == "block":
                self.complain(
                    sheet,
                    child.row.number,
                    "group %(name)s holds groups and is inside group %(outer)s, which "
                    "holds groups too: a block of pages cannot contain another block",
                    name=child.name,
                    outer=group.name,
                )
                continue
            page = self.page(child)
            if page is not None:
                pages.append(page)
        node.put("pages", pages)
        return node

    def page(self, child: _Question | _Group) -> _Node | None:
        sheet = self.survey
        row = child.row
        node = _Node(self.loc(sheet, row))
        if isinstance(child, _Question) or child.role == "battery":
            # A question outside any group is a page of its own (one screen, as in ODK).
            name = row.get("name")
            node.put("id", name if PAGE_ID.fullmatch(name) else f"row_{row.number}")
            item = self.battery(child) if isinstance(child, _Group) else self.item(child)
            node.put("items", [item])
            return node
        if not child.name:
            self.complain(sheet, row.number, "this group has no name")
        self.check_columns(sheet, row, PAGE_COLUMNS, Message("a group (a page)"))
        node.put("id", child.name)
        node.put("title", self.text(row, "label"))
        node.put("intro", self.text(row, "hint"))
        node.put("show_if", self.condition(row))
        if self.flag(row, "randomize"):
            node.put("randomize_items", True)
        items: list[_Node] = []
        for grandchild in child.children:
            if isinstance(grandchild, _Group):
                items.append(self.battery(grandchild))
            else:
                items.append(self.item(grandchild))
        node.put("items", items)
        return node

    def condition(self, row: _Row) -> str | None:
        """The show_if of a row: our `show_if` column, else its translated `relevant`."""
        relevant = row.get("relevant")
        show_if = row.get("show_if")
        translator = _ConditionTranslator(self.targets, self.codes, self.skipped)
        if show_if:
            if relevant:
                try:
                    expected = xpath_of(parse_expression(show_if), translator.option_names())
                except (ExpressionError, ValueError):
                    return show_if  # the validator reports the broken show_if
                if _squeeze(expected) != _squeeze(relevant):
                    self.complain(
                        self.survey,
                        row.number,
                        "relevant (%(relevant)s) and show_if (%(show_if)s) say different things; "
                        "after changing relevant, clear show_if",
                        relevant=relevant,
                        show_if=show_if,
                    )
            return show_if
        if not relevant:
            return None
        try:
            return translator.translate(relevant)
        except _XPathError as error:
            self.complain(
                self.survey,
                row.number,
                "relevant '%(relevant)s' cannot be used: %(error)s",
                relevant=relevant,
                error=error,
            )
            return None

    def common(self, node: _Node, row: _Row) -> None:
        """Keys every item has: text, help, required, show_if and the analysis roles."""
        node.put("text", self.text(row, "label"))
        node.put("help", self.text(row, "hint"))
        required = _yes_no(row.raw("required"))
        if required is None:
            self.complain(
                self.survey,
                row.number,
                "required must be yes or no, not '%(value)s' (conditions in "
                "required are not supported)",
                value=row.get("required"),
            )
        elif required:
            node.put("required", True)  # on a note, the validator explains why not
        node.put("show_if", self.condition(row))
        for column in ROLE_COLUMNS:
            node.put(column, row.get(column))

    def item(self, question: _Question) -> _Node:
        sheet = self.survey
        row = question.row
        node = _Node(self.loc(sheet, row))
        node.put("code", row.get("name"))
        appearance = set(row.get("appearance").lower().split())
        kind = question.kind
        allowed = QUESTION_COLUMNS - {"parameters"} if kind != "range" else QUESTION_COLUMNS
        self.check_columns(sheet, row, allowed, Message("a %(type)s question", {"type": kind}))
        if row.get("battery"):
            self.complain(
                sheet,
                row.number,
                "column battery is filled, but the row is not inside a group named %(name)s",
                name=row.get("battery"),
            )
        if any(word.startswith("ex:") for word in appearance):
            self.complain(sheet, row.number, "appearance ex:... (an external app) is not supported")
        our_type = {
            "note": "info",
            "select_one": "likert" if "likert" in appearance else "single",
            "select_multiple": "multiple",
            "rank": "ranking",
            "integer": "number",
            "decimal": "number",
            "range": "slider",
            "text": "textarea" if "multiline" in appearance else "text",
        }[kind]
        node.put("type", our_type)
        self.common(node, row)
        if question.list_name is not None:
            node.put("choices", question.list_name)
        if kind == "decimal":
            node.put("integer", False)
        if kind == "range":
            self.slider(node, row)
        for column in ("unit", "min_label", "max_label"):
            node.put(column, self.text(row, column))
        self.constraint(node, row, our_type)
        return node

    def slider(self, node: _Node, row: _Row) -> None:
        params = dict(_PARAMETER.findall(row.get("parameters")))
        values: dict[str, int | float | None] = {}
        for key, default in (("start", 1), ("end", 10), ("step", 1)):
            raw = params.pop(key, None)
            values[key] = default if raw is None else _number(raw)
            if raw is not None and values[key] is None:
                self.complain(
                    self.survey,
                    row.number,
                    "parameter %(key)s=%(value)s is not a number",
                    key=key,
                    value=raw,
                )
        for key in params:
            self.complain(
                self.survey, row.number, "range parameter %(key)s is not supported", key=key
            )
        if values["step"] is not None and values["step"] != 1:
            self.complain(
                self.survey,
                row.number,
                "range step %(step)s is not supported: a slider moves in steps of 1",
                step=values["step"],
            )
        node.put("min", values["start"])
        node.put("max", values["end"])

    def constraint(self, node: _Node, row: _Row, our_type: str) -> None:
        source = row.get("constraint")
        if not source:
            return
        kind = QUESTION_TYPES[our_type]
        subjects = {"number": "dot", "multiple": "count-selected"}
        subject = "string-length" if isinstance(kind, TextType) else subjects.get(our_type)
        example = {
            "dot": ". >= 18 and . <= 120",
            "count-selected": "count-selected(.) <= 2",
            "string-length": "string-length(.) <= 200",
        }
        if subject is None:
            self.complain(
                self.survey,
                row.number,
                "constraint '%(constraint)s' is not supported on a %(type)s question",
                constraint=source,
                type=row.get("type"),
            )
            return
        whole = subject != "dot" or node.get("integer", True) is True
        try:
            bounds = _constraint_bounds(source, subject, whole)
        except _XPathError as error:
            self.complain(
                self.survey,
                row.number,
                "constraint '%(constraint)s' cannot be used: %(error)s (supported: %(example)s)",
                constraint=source,
                error=error,
                example=example[subject],
            )
            return
        if subject == "string-length":
            if "min" in bounds:
                self.complain(self.survey, row.number, "a minimum text length is not supported")
            node.put("max_length", bounds.get("max"))
            return
        node.put("min", bounds.get("min"))
        node.put("max", bounds.get("max"))

    def battery(self, group: _Group) -> _Node:
        sheet = self.survey
        row = group.row
        node = _Node(self.loc(sheet, row))
        self.check_columns(sheet, row, BATTERY_COLUMNS, Message("a battery group"))
        node.put("code", group.name)
        node.put("type", "battery")
        self.common(node, row)
        if self.flag(row, "randomize"):
            node.put("randomize_rows", True)
        list_name: str | None = None
        rows: list[_Node] = []
        required: set[bool] = set()
        for child in group.children:
            if isinstance(child, _Group):
                self.complain(
                    sheet, child.row.number, "battery %(name)s cannot hold a group", name=group.name
                )
                continue
            child_row = child.row
            self.check_columns(sheet, child_row, BATTERY_ROW_COLUMNS, Message("a battery row"))
            if child.kind != "select_one":
                self.complain(
                    sheet,
                    child_row.number,
                    "battery %(name)s can only hold select_one rows, not %(kind)s",
                    name=group.name,
                    kind=child.kind,
                )
                continue
            if child_row.get("battery") != group.name:
                self.complain(
                    sheet,
                    child_row.number,
                    "every row of battery %(name)s needs battery = %(name)s",
                    name=group.name,
                )
            if list_name is None:
                list_name = child.list_name
            elif child.list_name != list_name:
                self.complain(
                    sheet,
                    child_row.number,
                    "every row of battery %(name)s must use list %(list)s, not %(other)s",
                    name=group.name,
                    list=list_name,
                    other=child.list_name,
                )
            flag = _yes_no(child_row.raw("required"))
            required.add(bool(flag))
            entry = _Node(self.loc(sheet, child_row), flow=True)
            entry.put("code", child_row.get("name"))
            entry.put("text", self.text(child_row, "label"))
            entry.put("condition", child_row.get("condition"))
            rows.append(entry)
        if len(required) > 1:
            self.complain(
                sheet,
                row.number,
                "the rows of battery %(name)s must all be required or none",
                name=group.name,
            )
        elif required == {True}:
            node.put("required", True)
        node.put("choices", list_name)
        node.put("rows", rows)
        return node
