"""The builder's choices and items: choice lists, items by type, battery rows and min/max."""

from __future__ import annotations

from surveys.build_references import _References
from surveys.build_roles import _Roles
from surveys.messages import N_, Message, plural_message
from surveys.model import Choice, Item, Row
from surveys.problems import on_line
from surveys.tree import Location, _Map, _Seq
from surveys.types import QUESTION_TYPES, Bounds, QuestionType, TextType
from surveys.vocabulary import (
    CHOICE_KEYS,
    CHOICE_NAME,
    ITEM_KEYS,
    LIST_NAME,
    MAX_OPTION_CODE,
    MISSING_KINDS,
    NUMBER_LIKE,
    RETIRED_ITEM_KEYS,
    ROLES,
    ROW_KEYS,
    TYPE_KEYS,
    _fmt,
    _is_int,
    _is_number,
    _part,
    _suggest,
)


class _Items(_References, _Roles):
    """Reads choice lists and items (see `surveys.loader._Builder`)."""

    # ---- choices --------------------------------------------------------------------

    def read_choice_lists(self, data: _Map) -> None:
        value = data.get("choice_lists")
        if value is None:
            return
        if not isinstance(value, _Map):
            self.problem(
                data.line_of("choice_lists"),
                "'choice_lists' must map a name to a list of choices",
            )
            return
        for name, entries in value.items():
            line = value.line_of(name)
            if not isinstance(name, str) or not LIST_NAME.fullmatch(name):
                self.problem(
                    line,
                    "choice list name '%(name)s' is not valid: start with a letter and use only "
                    "letters, digits and _",
                    name=name,
                )
                continue
            where = Message("choice list %(name)s", {"name": name})
            self.choice_lists[name] = self.choices(entries, line, where)

    def choices(self, entries: object, line: Location, where: Message) -> tuple[Choice, ...]:
        if not isinstance(entries, _Seq):
            self.problem(
                line,
                "%(where)s must be a list of choices like - {code: 1, label: ...}",
                where=where,
            )
            return ()
        if not entries:
            self.problem(line, "%(where)s is empty: give at least one choice", where=where)
            return ()
        seen: dict[int, Location] = {}
        names: dict[str, Location] = {}
        result: list[Choice] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, _Map):
                self.problem(
                    entries.line_at(index),
                    "each choice in %(where)s must look like {code: 1, label: ...}",
                    where=where,
                )
                continue
            self.check_keys(entry, CHOICE_KEYS, Message("a choice of %(where)s", {"where": where}))
            code = entry.get("code")
            code_line = entry.line_of("code")
            valid_code: int | None = None
            if code is None:
                self.problem(
                    entry.line, "a choice of %(where)s has no 'code' (required)", where=where
                )
            elif not _is_int(code):
                self.problem(
                    code_line,
                    "option code '%(code)s' in %(where)s must be a whole number",
                    code=code,
                    where=where,
                )
            elif not 0 <= code <= MAX_OPTION_CODE:
                self.problem(
                    code_line,
                    "option code %(code)s in %(where)s must be between 0 and %(max)s",
                    code=code,
                    where=where,
                    max=MAX_OPTION_CODE,
                )
            elif code in seen:
                self.problem(
                    code_line,
                    "duplicate option code %(code)s in %(where)s (first defined %(first)s)",
                    code=code,
                    where=where,
                    first=on_line(seen[code]),
                )
            else:
                seen[code] = code_line
                valid_code = code
            option_where = Message("option %(code)s in %(where)s", {"code": code, "where": where})
            what = Message("the label of %(where)s", {"where": option_where})
            label = self.required_text(entry, "label", what, option_where)
            missing = self.choose(entry, "missing", MISSING_KINDS, option_where, "missing kind")
            exclusive = self.boolean(entry, "exclusive", option_where, False)
            name = self.choice_name(entry, option_where, names)
            if valid_code is not None and label is not None:
                result.append(Choice(valid_code, label, missing, exclusive, name))
        return tuple(result)

    def choice_name(self, entry: _Map, where: Message, names: dict[str, Location]) -> str | None:
        """The optional `name` of a choice: a word, unique in its list (`names` holds those
        seen so far, with their lines)."""
        name = entry.get("name")
        if name is None:
            return None
        line = entry.line_of("name")
        if (
            not isinstance(name, str)
            or not CHOICE_NAME.fullmatch(name)
            or NUMBER_LIKE.fullmatch(name)
        ):
            self.problem(
                line,
                "the name '%(name)s' of %(where)s is not valid: a name is one word of at most 64 "
                "characters, without spaces or ';', and not a number",
                name=name,
                where=where,
            )
            return None
        if name in names:
            self.problem(
                line,
                "the name '%(name)s' of %(where)s is already used in its list (%(first)s)",
                name=name,
                where=where,
                first=on_line(names[name]),
            )
            return None
        names[name] = line
        return name

    # ---- items ------------------------------------------------------------------------

    def read_item(self, entry: _Map, page_index: int) -> Item | None:
        code = self.code(entry, "item", Message("an item"))
        if code:
            where = Message("item %(code)s", {"code": code})
        else:
            where = Message("the item %(at)s", {"at": on_line(entry.line)})
        kind_name = entry.get("type")
        kind = QUESTION_TYPES.get(kind_name) if isinstance(kind_name, str) else None
        if kind_name is None:
            self.missing(entry.line, where, "type")
        elif kind is None:
            guess = _suggest(kind_name, QUESTION_TYPES)
            params = {"where": where, "type": kind_name, "types": ", ".join(QUESTION_TYPES)}
            if guess is None:
                message = N_("%(where)s has unknown type '%(type)s'; the types are: %(types)s")
            else:
                params["guess"] = guess
                message = N_(
                    "%(where)s has unknown type '%(type)s' (did you mean '%(guess)s'?); "
                    "the types are: %(types)s"
                )
            self.problem(entry.line_of("type"), message, **params)
        allowed = set(ITEM_KEYS) | (kind.keys if kind is not None else TYPE_KEYS)
        for key in entry:
            if key in allowed or key in RETIRED_ITEM_KEYS:
                continue
            if key in TYPE_KEYS and kind is not None:
                self.problem(
                    entry.line_of(key),
                    "'%(key)s' does not apply to a %(type)s item",
                    key=key,
                    type=kind.name,
                )
            else:
                self.unknown_key(entry.line_of(key), key, where, sorted(allowed))
        is_info = kind is not None and not kind.has_answer
        # An info item's text is what it shows, so every item needs one.
        text = self.required_text(entry, "text", _part("text", where), where)
        help_text = self.optional_text(entry, "help", _part("help", where))
        required = self.boolean(entry, "required", where, False)
        if is_info and required:
            self.problem(
                entry.line_of("required"),
                "%(where)s is an info item and has no answer to require",
                where=where,
            )
        show_if, show_if_source = self.expression(entry, where, page_index)

        choices: tuple[Choice, ...] = ()
        named_list = entry.get("choices")
        if kind is not None and kind.has_choices:
            choices = self.item_choices(entry, where)
        rows: tuple[Row, ...] = ()
        if kind is not None and kind.per_row:
            rows = self.rows(entry, where)
        minimum, maximum = self.bounds(entry, where, kind, len(choices))
        integer = True
        if kind is not None and "integer" in kind.keys:
            integer = self.boolean(entry, "integer", where, True)
        max_length: int | None = None
        if isinstance(kind, TextType):
            max_length = self.whole_number(entry, "max_length", where, 1)
            if max_length is None:
                max_length = kind.default_max_length
        item = Item(
            code=code or "",
            type=kind.name if kind is not None else str(kind_name),
            text=text,
            help=help_text,
            required=required,
            show_if=show_if,
            show_if_source=show_if_source,
            choices=choices,
            rows=rows,
            min=minimum,
            max=maximum,
            integer=integer,
            unit=self.optional_text(entry, "unit", _part("unit", where)),
            min_label=self.optional_text(entry, "min_label", _part("min_label", where)),
            max_label=self.optional_text(entry, "max_label", _part("max_label", where)),
            max_length=max_length,
            randomize_rows=self.boolean(entry, "randomize_rows", where, False),
            role=self.choose(entry, "role", ROLES, where, "role"),
            application=self.declared(entry, "application", where),
            condition=self.declared(entry, "condition", where),
            choice_list=named_list if isinstance(named_list, str) and choices else None,
            line=entry.line,
        )
        self.check_roles(entry, item, where)
        return item if code and kind is not None else None

    def item_choices(self, entry: _Map, where: Message) -> tuple[Choice, ...]:
        value = entry.get("choices")
        line = entry.line_of("choices")
        if value is None:
            self.problem(
                line,
                "%(where)s has no 'choices' (required): name a choice list or give a list",
                where=where,
            )
            return ()
        if isinstance(value, str):
            if value not in self.choice_lists:
                guess = _suggest(value, self.choice_lists)
                if guess is None:
                    self.problem(
                        line,
                        "%(where)s uses choice list '%(name)s', which is not defined under "
                        "choice_lists",
                        where=where,
                        name=value,
                    )
                else:
                    self.problem(
                        line,
                        "%(where)s uses choice list '%(name)s', which is not defined under "
                        "choice_lists (did you mean '%(guess)s'?)",
                        where=where,
                        name=value,
                        guess=guess,
                    )
                return ()
            return self.choice_lists[value]
        return self.choices(value, line, Message("the choices of %(where)s", {"where": where}))

    def rows(self, entry: _Map, where: Message) -> tuple[Row, ...]:
        value = entry.get("rows")
        if not isinstance(value, _Seq) or not value:
            self.problem(
                entry.line_of("rows"),
                "%(where)s is a battery and needs a list of 'rows' (each with code and text)",
                where=where,
            )
            return ()
        rows: list[Row] = []
        for index, raw in enumerate(value):
            if not isinstance(raw, _Map):
                self.problem(
                    value.line_at(index),
                    "each row of %(where)s must look like {code: ..., text: ...}",
                    where=where,
                )
                continue
            a_row = Message("a row of %(where)s", {"where": where})
            self.check_keys(raw, ROW_KEYS, a_row)
            code = self.code(raw, "row", a_row)
            row_where = Message("row %(code)s", {"code": code}) if code else a_row
            text = self.required_text(raw, "text", _part("text", row_where), row_where)
            condition = self.declared(raw, "condition", row_where)
            if code and text is not None:
                rows.append(Row(code, text, condition))
        return tuple(rows)

    def bounds(
        self, entry: _Map, where: Message, kind: QuestionType | None, choice_count: int
    ) -> tuple[float | None, float | None]:
        """min/max: selections (multiple), a range (number) or a scale (slider)."""
        if kind is None or kind.bounds is None:
            return None, None
        bounds = kind.bounds
        whole = bounds is not Bounds.RANGE
        values: dict[str, float | None] = {}
        for key in ("min", "max"):
            value = entry.get(key)
            if value is None:
                values[key] = None
            elif (whole and not _is_int(value)) or not _is_number(value):
                if whole:
                    message = N_("'%(key)s' of %(where)s must be a whole number")
                else:
                    message = N_("'%(key)s' of %(where)s must be a number")
                self.problem(entry.line_of(key), message, key=key, where=where)
                values[key] = None
            else:
                values[key] = value
        for key, default in (("min", kind.default_min), ("max", kind.default_max)):
            if default is not None and values[key] is None and key not in entry:
                values[key] = default
        minimum, maximum = values["min"], values["max"]
        line = entry.line_of("min") if "min" in entry else entry.line_of("max")
        if minimum is not None and maximum is not None:
            if minimum > maximum:
                self.problem(
                    line,
                    "'min' of %(where)s (%(min)s) is greater than 'max' (%(max)s)",
                    where=where,
                    min=_fmt(minimum),
                    max=_fmt(maximum),
                )
            elif bounds is Bounds.SCALE and minimum == maximum:
                self.problem(line, "'min' and 'max' of %(where)s must differ", where=where)
        if bounds is Bounds.SELECTIONS:
            for key, value in (("min", minimum), ("max", maximum)):
                if value is not None and value < 0:
                    self.problem(
                        entry.line_of(key),
                        "'%(key)s' of %(where)s cannot be negative",
                        key=key,
                        where=where,
                    )
            if minimum is not None and choice_count and minimum > choice_count:
                self.problem(
                    entry.line_of("min"),
                    plural_message(
                        "'min' of %(where)s is %(min)s, but it has only %(n)s choice",
                        "'min' of %(where)s is %(min)s, but it has only %(n)s choices",
                        "n",
                        {"where": where, "min": _fmt(minimum), "n": choice_count},
                    ),
                )
        return minimum, maximum
