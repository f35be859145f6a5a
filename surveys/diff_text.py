"""What changed in a text, a condition or a setting, told in a short excerpt."""

from __future__ import annotations

import os

from surveys.messages import N_, Message
from surveys.model import DEFAULT_LANGUAGE, Block, Item, Page, Text
from surveys.types import Bounds

#: Longest text quoted in full; longer texts are cut down to the part that changed.
_QUOTE_LIMIT = 90
#: Characters of unchanged text kept on each side of a change in a long text.
_CONTEXT = 25

#: How a `missing` option counts, as a whole phrase ("a 'don't know' answer").
_MISSING_KINDS = {
    "dont_know": N_("a 'don't know' answer"),
    "refused": N_("a 'refused' answer"),
}


def _language_order(lang: str) -> tuple[bool, str]:
    return (lang != DEFAULT_LANGUAGE, lang)


def _text_changes(label: Message, before: Text | None, after: Text | None) -> list[Message]:
    """One sentence per language whose text differs, e.g. "text (nl) changed from 'a' to 'b'";
    `label` names the text ("text", "option 3 label")."""
    old_values = before.as_dict() if before is not None else {}
    new_values = after.as_dict() if after is not None else {}
    sentences: list[Message] = []
    for lang in sorted(set(old_values) | set(new_values), key=_language_order):
        old_value, new_value = old_values.get(lang), new_values.get(lang)
        if old_value == new_value:
            continue
        params: dict[str, object] = {"label": label, "lang": lang}
        if old_value is None:
            params["text"] = _quote(new_value or "")
            sentences.append(Message("%(label)s (%(lang)s) added: %(text)s", params))
        elif new_value is None:
            params["text"] = _quote(old_value)
            sentences.append(Message("%(label)s (%(lang)s) removed (was %(text)s)", params))
        elif _flat(old_value) == _flat(new_value):
            sentences.append(
                Message("%(label)s (%(lang)s) changed in spaces or line breaks only", params)
            )
        else:
            params["old"], params["new"] = _excerpts(old_value, new_value)
            sentences.append(
                Message("%(label)s (%(lang)s) changed from %(old)s to %(new)s", params)
            )
    return sentences


def _flat(text: str) -> str:
    """The text on one line: YAML line breaks mean nothing to a reader of a change list."""
    return " ".join(text.split())


def _quote(text: str) -> str:
    """A text in quotes, cut at a word boundary when it is long."""
    flat = _flat(text)
    if len(flat) > _QUOTE_LIMIT:
        cut = flat.rfind(" ", 0, _QUOTE_LIMIT)
        flat = flat[: cut if cut > 0 else _QUOTE_LIMIT] + "…"
    return f"'{flat}'"


def _quote_text(text: Text | None) -> str | Message:
    return _quote(str(text)) if text is not None else Message("(no text)")


def _excerpts(before: str, after: str) -> tuple[str, str]:
    """Both versions quoted; long ones cut to the changed part with a little context, so the
    organizer sees what differs instead of two near-identical paragraphs."""
    old, new = _flat(before), _flat(after)
    if len(old) <= _QUOTE_LIMIT and len(new) <= _QUOTE_LIMIT:
        return f"'{old}'", f"'{new}'"
    prefix = len(os.path.commonprefix([old, new]))
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - _CONTEXT)
    if start > 0:
        start = old.rfind(" ", 0, start) + 1

    def excerpt(text: str) -> str:
        end = min(len(text), len(text) - suffix + _CONTEXT)
        space = text.find(" ", end)
        end = len(text) if space < 0 else space
        middle = text[start:end]
        if len(middle) > 3 * _QUOTE_LIMIT:
            middle = middle[: 3 * _QUOTE_LIMIT] + "…"
        lead = "…" if start > 0 else ""
        tail = "…" if end < len(text) and not middle.endswith("…") else ""
        return f"'{lead}{middle}{tail}'"

    return excerpt(old), excerpt(new)


def _show_if_change(before: Page | Item, after: Page | Item) -> Message | None:
    """A sentence when the condition differs in meaning; spacing alone is not a change."""
    old_expr, new_expr = before.show_if, after.show_if
    if old_expr is None and new_expr is None:
        return None
    if old_expr is not None and new_expr is not None and str(old_expr) == str(new_expr):
        return None
    old_source, new_source = before.show_if_source, after.show_if_source
    sources = {"old": old_source, "new": new_source}
    if old_expr is None:
        return Message("show_if added: now shown only when '%(new)s'", sources)
    if new_expr is None:
        return Message("show_if removed: now always shown (was only when '%(old)s')", sources)
    return Message("show_if changed from '%(old)s' to '%(new)s'", sources)


def _bound_name(bounds: Bounds | None, name: str) -> str | Message:
    """min/max, named for what it bounds (a phrase the sentence is built around)."""
    if bounds is Bounds.SELECTIONS:
        if name == "min":
            return Message("min (number of options that may be ticked)")
        return Message("max (number of options that may be ticked)")
    if bounds is Bounds.SCALE:
        return Message("min of the scale") if name == "min" else Message("max of the scale")
    return name


def _number(value: float | None) -> str | Message:
    if value is None:
        return Message("none")
    return str(int(value)) if float(value).is_integer() else str(value)


def _plain(value: str | None) -> str | Message:
    return value if value is not None else Message("none")


def _missing_text(missing: str | None) -> Message:
    if missing is None:
        return Message("an ordinary answer")
    if missing in _MISSING_KINDS:
        return Message(_MISSING_KINDS[missing])
    return Message("a '%(kind)s' answer", {"kind": missing})


def _sample_text(sample: int | None) -> str | Message:
    return Message("all") if sample is None else str(sample)


def _block_summary(block: Block) -> Message:
    """What a block holds: its pages, and whether they are shuffled or sampled."""
    params = {"pages": ", ".join(block.page_ids), "sample": block.sample}
    if block.randomize and block.sample is not None:
        return Message("pages %(pages)s; shuffled; each respondent gets %(sample)s", params)
    if block.randomize:
        return Message("pages %(pages)s; shuffled", params)
    if block.sample is not None:
        return Message("pages %(pages)s; each respondent gets %(sample)s", params)
    return Message("pages %(pages)s", params)


def _title(page: Page) -> str | Message:
    return _quote_text(page.title) if page.title is not None else Message("(no title)")
