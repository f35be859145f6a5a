"""Writing the YAML question-set language: a set's `source` and the YAML export."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml

from surveys.xlsform.sheets import YAML_WIDTH
from surveys.yaml_read import _LineLoader

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
    """Writes a tree of mappings, lists and scalars as block-style YAML; a mapping with the
    `flow` hint goes on one line when it fits."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def emit(self, text: str) -> None:
        self.lines.append(text.rstrip())

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def mapping(self, node: Mapping[str, Any], indent: int, dash: bool = False) -> None:
        for index, (key, value) in enumerate(node.items()):
            prefix = " " * (indent - 2) + "- " if dash and index == 0 else " " * indent
            self.entry(prefix, key, value, indent)

    def entry(self, prefix: str, key: str, value: object, indent: int) -> None:
        head = f"{prefix}{_scalar(key)}:"
        if isinstance(value, Mapping):
            flow = self.flow_mapping(value) if getattr(value, "flow", False) else None
            if flow is not None and len(head) + 1 + len(flow) <= YAML_WIDTH:
                self.emit(f"{head} {flow}")
            else:
                self.emit(head)
                self.mapping(value, indent + 2)
        elif isinstance(value, list):
            self.sequence(head, value, indent)
        elif isinstance(value, str) and len(head) + 1 + len(_scalar(value)) > YAML_WIDTH:
            lines = _folded(value, YAML_WIDTH - indent - 2)
            if lines is None:
                self.emit(f"{head} {_scalar(value)}")
            else:
                self.emit(f"{head} >-")
                for line in lines:
                    self.emit(" " * (indent + 2) + line if line else "")
        else:
            self.emit(f"{head} {_scalar(value)}")

    def sequence(self, head: str, values: list[Any], indent: int) -> None:
        if not values:
            self.emit(f"{head} []")
            return
        if all(not isinstance(value, Mapping | list) for value in values):
            self.emit(f"{head} [{', '.join(_scalar(value, flow=True) for value in values)}]")
            return
        self.emit(head)
        for value in values:
            if isinstance(value, Mapping):
                flow = self.flow_mapping(value) if getattr(value, "flow", False) else None
                line = " " * (indent + 2) + f"- {flow}"
                if flow is not None and len(line) <= YAML_WIDTH:
                    self.emit(line)
                else:
                    self.mapping(value, indent + 4, dash=True)
            else:
                self.emit(" " * (indent + 2) + f"- {_scalar(value)}")

    def flow_mapping(self, node: Mapping[str, Any]) -> str | None:
        parts: list[str] = []
        for key, value in node.items():
            if isinstance(value, Mapping):
                inner = self.flow_mapping(value)
                if inner is None:
                    return None
                parts.append(f"{_scalar(key, flow=True)}: {inner}")
            elif isinstance(value, list):
                return None
            else:
                parts.append(f"{_scalar(key, flow=True)}: {_scalar(value, flow=True)}")
        return "{" + ", ".join(parts) + "}"


def _write_yaml(tree: Mapping[str, Any], header: Sequence[str] = ()) -> str:
    """`tree` as YAML text, after `header` as comment lines."""
    writer = _Writer()
    for line in header:
        writer.emit(f"# {line}" if line else "#")
    writer.mapping(tree, 0)
    return writer.text()
