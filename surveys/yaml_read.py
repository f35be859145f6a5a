"""The YAML reader: text to the tree of `surveys.tree` (each entry located by its line), with
duplicate keys reported and only true/false read as booleans."""

from __future__ import annotations

import re

import yaml

from surveys.messages import Message
from surveys.problems import Problem, on_line
from surveys.tree import _Map, _Seq

# --------------------------------------------------------------------------- YAML with lines


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers, reports duplicate keys, and only reads
    true/false as booleans (so `en: Yes` or `nl: Nee` stay texts)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[Problem] = []


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    merge_keys = sum(1 for key, _ in node.value if key.tag == "tag:yaml.org,2002:merge")
    own = len(node.value) - merge_keys
    loader.flatten_mapping(node)
    inherited = len(node.value) - own  # entries copied in by `<<: *anchor` come first
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a single word", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in result and index >= inherited and result.key_lines[key] != line:
            loader.duplicate_keys.append(
                Problem(
                    line,
                    Message(
                        "'%(key)s' appears twice in the same place (first %(first)s); "
                        "remove one of them",
                        {"key": key, "first": on_line(result.key_lines[key])},
                    ),
                )
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _read_yaml(text: str) -> tuple[object, list[Problem]]:
    """Parse YAML; a syntax error becomes a Problem with its line."""
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        # PyYAML's own description stays English: it names the characters it found.
        what = exc.problem or exc.context or "unreadable text"
        if "\\t" in what or "tab" in what:
            message = Message(
                "this is not valid YAML (%(error)s); use spaces, not tabs, to indent",
                {"error": what},
            )
        else:
            message = Message(
                "this is not valid YAML (%(error)s); check the indentation, and put a text in "
                "quotes when it contains ': ', ' #' or quote marks (inside { } also when it "
                "contains a comma or question mark)",
                {"error": what},
            )
        return None, [Problem(line, message)]
    except yaml.YAMLError as exc:
        return None, [Problem(None, Message("this is not valid YAML (%(error)s)", {"error": exc}))]
    finally:
        loader.dispose()
    return data, loader.duplicate_keys
