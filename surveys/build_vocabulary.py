"""The builder's vocabulary: the domains, conditions, applications and scales a question set
declares for its analysis, and the checks that its items use them consistently.

A consultation on any subject declares its own words here, so nothing about one consultation's
domains or conditions lives in code. Every problem names the line to fix.
"""

from __future__ import annotations

from surveys.build_base import _Readers
from surveys.messages import N_, Message
from surveys.model import Item, Scale, Term, Vocabulary
from surveys.problems import on_line
from surveys.tree import Location, _Map, _Seq
from surveys.vocabulary import (
    CODE,
    ROLES_NEEDING_APPLICATION,
    SCALE_KEYS,
    TERM_KEYS,
    VOCABULARY_KEYS,
    _is_int,
    _suggest,
)

#: Per kind of term, its singular in messages.
_KINDS = {
    "domains": N_("domain"),
    "conditions": N_("condition"),
    "applications": N_("application"),
}

#: What a scale's meanings are needed for, by the role of the items that use it.
_MEANING_OF_ROLE = {
    "acceptance": "accepting",
    "conditional_acceptance": "accepting",
    "condition": "necessary",
}


class _VocabularyReader(_Readers):
    """Reads `vocabulary:` and checks the items' analysis roles against it."""

    vocabulary: Vocabulary
    role_items: list[tuple[Item, Location]]

    # ---- the declaration ----------------------------------------------------------------

    def read_vocabulary(self, data: _Map) -> None:
        """After the choice lists (scales name them), before the pages (items use the terms)."""
        self.vocabulary = Vocabulary()
        value = data.get("vocabulary")
        if value is None:
            return
        if not isinstance(value, _Map):
            self.problem(
                data.line_of("vocabulary"),
                "'vocabulary' must be a set of keys: domains, conditions, applications, scales",
            )
            return
        self.check_keys(value, VOCABULARY_KEYS, Message("the vocabulary"))
        domains = self.terms(value, "domains", ())
        self.vocabulary = Vocabulary(
            domains=domains,
            conditions=self.terms(value, "conditions", ()),
            applications=self.terms(value, "applications", domains),
            scales=self.scales(value),
        )

    def terms(self, vocabulary: _Map, kind: str, domains: tuple[Term, ...]) -> tuple[Term, ...]:
        entries = vocabulary.get(kind)
        if entries is None:
            return ()
        what = Message(_KINDS[kind])
        if not isinstance(entries, _Seq):
            self.problem(
                vocabulary.line_of(kind),
                "'%(key)s' under vocabulary must be a list like - {code: ..., label: ...}",
                key=kind,
            )
            return ()
        allowed = (*TERM_KEYS, "domain") if kind == "applications" else TERM_KEYS
        found: dict[str, Location] = {}
        terms: list[Term] = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, _Map):
                self.problem(
                    entries.line_at(index),
                    "each entry of '%(key)s' under vocabulary must look like {code: ..., "
                    "label: ...}",
                    key=kind,
                )
                continue
            code = entry.get("code")
            where = Message("%(kind)s %(code)s", {"kind": what, "code": code})
            self.check_keys(entry, allowed, where)
            if code is None:
                self.missing(entry.line, Message("a %(kind)s", {"kind": what}), "code")
                continue
            if not isinstance(code, str) or not CODE.fullmatch(code):
                self.problem(
                    entry.line_of("code"),
                    "%(kind)s code '%(code)s' is not valid: start with a letter and use only "
                    "letters, digits and _ (at most 32 characters)",
                    kind=what,
                    code=code,
                )
                continue
            if code in found:
                self.problem(
                    entry.line_of("code"),
                    "duplicate %(kind)s %(code)s (first defined %(first)s)",
                    kind=what,
                    code=code,
                    first=on_line(found[code]),
                )
                continue
            found[code] = entry.line_of("code")
            label = self.required_text(
                entry, "label", Message("the label of %(where)s", {"where": where}), where
            )
            domain = (
                self.application_domain(entry, where, domains) if kind == "applications" else None
            )
            if label is not None:
                terms.append(Term(code, label, domain, entry.line))
        return tuple(terms)

    def application_domain(
        self, entry: _Map, where: Message, domains: tuple[Term, ...]
    ) -> str | None:
        value = entry.get("domain")
        if value is None:
            self.missing(entry.line, where, "domain")
            return None
        known = [domain.code for domain in domains]
        if value in known:
            return str(value)
        guess = _suggest(value, known)
        if not known:
            self.problem(
                entry.line_of("domain"),
                "%(where)s is in domain '%(value)s', but the vocabulary declares no domains",
                where=where,
                value=value,
            )
        elif guess is None:
            self.problem(
                entry.line_of("domain"),
                "%(where)s is in domain '%(value)s', which the vocabulary does not declare; "
                "use one of: %(allowed)s",
                where=where,
                value=value,
                allowed=", ".join(known),
            )
        else:
            self.problem(
                entry.line_of("domain"),
                "%(where)s is in domain '%(value)s', which the vocabulary does not declare "
                "(did you mean '%(guess)s'?)",
                where=where,
                value=value,
                guess=guess,
            )
        return None

    def scales(self, vocabulary: _Map) -> tuple[Scale, ...]:
        value = vocabulary.get("scales")
        if value is None:
            return ()
        if not isinstance(value, _Map):
            self.problem(
                vocabulary.line_of("scales"),
                "'scales' under vocabulary must name choice lists, like "
                "acceptance5: {accepting: [4, 5], dont_know: [9]}",
            )
            return ()
        scales: list[Scale] = []
        for name, meanings in value.items():
            line = value.line_of(name)
            where = Message("the scale of choice list %(name)s", {"name": name})
            if name not in self.choice_lists:
                guess = _suggest(name, self.choice_lists)
                self.problem(
                    line,
                    N_(
                        "the vocabulary gives a scale for choice list '%(name)s', which is not "
                        "defined under choice_lists"
                    )
                    if guess is None
                    else N_(
                        "the vocabulary gives a scale for choice list '%(name)s', which is not "
                        "defined under choice_lists (did you mean '%(guess)s'?)"
                    ),
                    name=name,
                    guess=guess,
                )
                continue
            if not isinstance(meanings, _Map) or not any(key in meanings for key in SCALE_KEYS):
                self.problem(
                    line,
                    "%(where)s must say which options count as accepting, necessary or "
                    "dont_know, like {accepting: [4, 5], dont_know: [9]}",
                    where=where,
                )
                continue
            self.check_keys(meanings, SCALE_KEYS, where)
            options = [choice.code for choice in self.choice_lists[name]]
            read = {key: self.option_codes(meanings, key, options, where) for key in SCALE_KEYS}
            overlap = sorted(set(read["dont_know"]) & set(read["accepting"] + read["necessary"]))
            if overlap:
                self.problem(
                    meanings.line_of("dont_know"),
                    "%(where)s counts option %(code)s both as dont_know and as an answer",
                    where=where,
                    code=overlap[0],
                )
            scales.append(
                Scale(name, read["accepting"], read["necessary"], read["dont_know"], line)
            )
        return tuple(scales)

    def option_codes(
        self, meanings: _Map, key: str, options: list[int], where: Message
    ) -> tuple[int, ...]:
        value = meanings.get(key)
        if value is None:
            return ()
        values = list(value) if isinstance(value, list) else [value]
        codes: list[int] = []
        for code in values:
            if not _is_int(code) or code not in options:
                self.problem(
                    meanings.line_of(key),
                    "'%(key)s' of %(where)s names option %(code)s, which the list does not "
                    "have; its options are %(options)s",
                    key=key,
                    where=where,
                    code=code,
                    options=", ".join(str(option) for option in options),
                )
            elif code not in codes:
                codes.append(code)
        return tuple(codes)

    # ---- the items ----------------------------------------------------------------------

    def declared(self, entry: _Map, key: str, where: Message) -> str | None:
        """An item's (or row's) `application` or `condition`: a term the vocabulary declares."""
        value = entry.get(key)
        if value is None:
            return None
        terms = self.vocabulary.applications if key == "application" else self.vocabulary.conditions
        known = [term.code for term in terms]
        if value in known:
            return str(value)
        kind = Message(_KINDS[f"{key}s"])
        guess = _suggest(value, known)
        if guess is not None:
            self.problem(
                entry.line_of(key),
                "%(where)s names %(kind)s '%(value)s', which the vocabulary does not declare "
                "(did you mean '%(guess)s'?)",
                where=where,
                kind=kind,
                value=value,
                guess=guess,
            )
        else:
            self.problem(
                entry.line_of(key),
                "%(where)s names %(kind)s '%(value)s', which the vocabulary does not declare: "
                "add it under vocabulary: %(key)s",
                where=where,
                kind=kind,
                value=value,
                key=f"{key}s",
            )
        return None

    def check_role_scale(self, entry: _Map, item: Item, where: Message) -> None:
        """An acceptance or condition question reads its answers through its list's scale."""
        meaning = _MEANING_OF_ROLE.get(item.role or "")
        if meaning is None or not item.choices:
            return
        self.role_items.append((item, entry.line_of("role")))
        scale = self.vocabulary.scale(item.choice_list)
        if scale is not None and getattr(scale, meaning):
            return
        if item.choice_list is None:
            self.problem(
                entry.line_of("choices"),
                "%(where)s has role %(role)s, so its choices must be a named choice list whose "
                "scale the vocabulary declares (with '%(meaning)s')",
                where=where,
                role=item.role,
                meaning=meaning,
            )
        else:
            self.problem(
                entry.line_of("choices"),
                "%(where)s has role %(role)s, so the vocabulary must say which options of its "
                "choice list %(name)s count as %(meaning)s, e.g. scales: %(name)s: "
                "{%(meaning)s: [...]}",
                where=where,
                role=item.role,
                name=item.choice_list,
                meaning=meaning,
            )

    def check_vocabulary_use(self) -> None:
        """Across items: one acceptance question per declared application, and one way of
        reading acceptance and necessity in the whole set (the summary compares them)."""
        acceptance: dict[str, list[Item]] = {}
        for item, _ in self.role_items:
            if item.role == "acceptance" and item.application is not None:
                acceptance.setdefault(item.application, []).append(item)
        for application in self.vocabulary.applications:
            asked = acceptance.get(application.code, [])
            if not asked:
                self.problem(
                    application.line,
                    "application %(code)s is declared, but no item with role acceptance asks "
                    "about it",
                    code=application.code,
                )
            for extra in asked[1:]:
                self.problem(
                    extra.line,
                    "item %(code)s is a second acceptance question for application "
                    "%(application)s (the first is item %(first)s)",
                    code=extra.code,
                    application=application.code,
                    first=asked[0].code,
                )
        for meaning in ("accepting", "necessary"):
            first: tuple[Item, tuple[object, ...]] | None = None
            for item, line in self.role_items:
                if _MEANING_OF_ROLE.get(item.role or "") != meaning:
                    continue
                reading = self.reading(item, meaning)
                if reading is None:
                    continue
                if first is None:
                    first = (item, reading)
                elif reading != first[1]:
                    self.problem(
                        line,
                        "%(where)s reads its answers unlike item %(first)s (other options or "
                        "other codes counted as %(meaning)s): the questions with this role must "
                        "share one scale, so that the summary can compare them",
                        where=Message("item %(code)s", {"code": item.code}),
                        first=first[0].code,
                        meaning=meaning,
                    )

    def reading(self, item: Item, meaning: str) -> tuple[object, ...] | None:
        scale = self.vocabulary.scale(item.choice_list)
        if scale is None or not getattr(scale, meaning):
            return None
        options = tuple(choice.code for choice in item.choices)
        return options, getattr(scale, meaning), scale.dont_know

    def needs_application(self, entry: _Map, role: object, where: Message) -> None:
        if role in ROLES_NEEDING_APPLICATION and entry.get("application") is None:
            self.problem(
                entry.line_of("role"),
                "%(where)s has role %(role)s, so it needs 'application'",
                where=where,
                role=role,
            )
