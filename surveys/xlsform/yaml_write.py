"""Writing the YAML question-set language, keeping each line's origin (sheet and row)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml

from surveys.loader import (
    _LineLoader,
)
from surveys.xlsform.sheets import YAML_WIDTH, Loc


class _Node(dict[str, Any]):
    """A mapping of the question-set language that remembers the sheet row of each key."""

    def __init__(self, loc: Loc | None = None, *, flow: bool = False) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Loc | None] = {}
        self.flow = flow

    def put(self, key: str, value: object, loc: Loc | None = None) -> None:
        """Set `key` unless the value is absent (None or an empty text)."""
        if value is None or value == "":
            return
        self[key] = value
        if loc is not None:
            self.key_locs[key] = loc

    def loc_of(self, key: str) -> Loc | None:
        return self.key_locs.get(key, self.loc)


_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVER = _LineLoader("")


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether `text` can be written without quotes and reads back as the same string."""
    if not text or text != text.strip() or text[0] in _PLAIN_BAD_START:
        return False
    if not _PRINTABLE.fullmatch(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(char in text for char in ",[]{}?:#"):
        return False
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return bool(tag == "tag:yaml.org,2002:str")


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not _PRINTABLE.fullmatch(char) or char == "\ufeff":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _number_text(value: int | float) -> str:
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def _scalar(value: object, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value)
    text = str(value)
    return text if _plain_ok(text, flow) else _double_quoted(text)


def _folded(text: str, width: int) -> list[str] | None:
    """The lines of a `>-` block for a long text, or None when it cannot be folded exactly."""
    if text != text.strip() or not _PRINTABLE.fullmatch(text.replace("\n", " ")):
        return None
    lines: list[str] = []
    for part in re.split(r"(\n+)", text):
        if part.startswith("\n"):
            lines.extend([""] * len(part))
            continue
        if part != part.strip() or "  " in part or "\t" in part:
            return None
        current = ""
        for word in part.split(" "):
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return lines


class _Writer:
    """Writes a tree of mappings, lists and scalars as block-style YAML, one location per line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.locs: list[Loc | None] = []

    def emit(self, text: str, loc: Loc | None) -> None:
        self.lines.append(text.rstrip())
        self.locs.append(loc)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def mapping(self, node: Mapping[str, Any], indent: int, dash: bool = False) -> None:
        for index, (key, value) in enumerate(node.items()):
            loc = node.loc_of(key) if isinstance(node, _Node) else None
            prefix = " " * (indent - 2) + "- " if dash and index == 0 else " " * indent
            self.entry(prefix, key, value, indent, loc)

    def entry(self, prefix: str, key: str, value: object, indent: int, loc: Loc | None) -> None:
        head = f"{prefix}{key}:"
        if isinstance(value, Mapping):
            flow = self.flow_mapping(value) if getattr(value, "flow", False) else None
            if flow is not None and len(head) + 1 + len(flow) <= YAML_WIDTH:
                self.emit(f"{head} {flow}", loc)
            else:
                self.emit(head, loc)
                self.mapping(value, indent + 2)
        elif isinstance(value, list):
            self.sequence(head, value, indent, loc)
        elif isinstance(value, str) and len(head) + 1 + len(_scalar(value)) > YAML_WIDTH:
            lines = _folded(value, YAML_WIDTH - indent - 2)
            if lines is None:
                self.emit(f"{head} {_scalar(value)}", loc)
            else:
                self.emit(f"{head} >-", loc)
                for line in lines:
                    self.emit(" " * (indent + 2) + line if line else "", loc)
        else:
            self.emit(f"{head} {_scalar(value)}", loc)

    def sequence(self, head: str, values: list[Any], indent: int, loc: Loc | None) -> None:
        if not values:
            self.emit(f"{head} []", loc)
            return
        if all(not isinstance(value, Mapping | list) for value in values):
            self.emit(f"{head} [{', '.join(_scalar(value, flow=True) for value in values)}]", loc)
            return
        self.emit(head, loc)
        for value in values:
            element_loc = value.loc if isinstance(value, _Node) else loc
            if isinstance(value, Mapping):
                flow = self.flow_mapping(value) if getattr(value, "flow", False) else None
                line = " " * (indent + 2) + f"- {flow}"
                if flow is not None and len(line) <= YAML_WIDTH:
                    self.emit(line, element_loc)
                else:
                    self.mapping(value, indent + 4, dash=True)
            else:
                self.emit(" " * (indent + 2) + f"- {_scalar(value)}", element_loc)

    def flow_mapping(self, node: Mapping[str, Any]) -> str | None:
        parts: list[str] = []
        for key, value in node.items():
            if isinstance(value, Mapping):
                inner = self.flow_mapping(value)
                if inner is None:
                    return None
                parts.append(f"{key}: {inner}")
            elif isinstance(value, list):
                return None
            else:
                parts.append(f"{key}: {_scalar(value, flow=True)}")
        return "{" + ", ".join(parts) + "}"


def _write_yaml(
    tree: Mapping[str, Any], header: Sequence[str] = ()
) -> tuple[str, list[Loc | None]]:
    writer = _Writer()
    for line in header:
        writer.emit(f"# {line}" if line else "#", None)
    writer.mapping(tree, 0)
    return writer.text(), writer.locs
