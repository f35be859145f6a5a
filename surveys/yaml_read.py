"""The YAML reader: text to the tree of `surveys.tree` (each entry located by its line), with
duplicate keys reported and only true/false read as booleans."""

from __future__ import annotations

import re

import yaml

from surveys.messages import Message
from surveys.problems import Problem, on_line
from surveys.tree import _Map, _Seq

#: Entries a file may have once its aliases (`*name`) are written out: a large question set has a
#: few thousand, a "billion laughs" file of a few hundred bytes has a billion.
MAX_EXPANDED_NODES = 100_000
#: Aliases a file may use at all: a question set reuses a choice list a few dozen times.
MAX_ALIASES = 1_000
#: Levels of nesting: a question set needs about eight; a thousand would exhaust the stack.
MAX_DEPTH = 64

TOO_MANY_ALIASES = Message(
    "the file uses too many aliases (*name): written out it would have more than %(max)s "
    "entries; write the repeated parts out or use fewer aliases"
)
MORE_ALIASES = Message(
    "the file uses more than %(max)s aliases (*name); write the repeated parts out or use "
    "fewer aliases"
)
TOO_DEEP = Message("the file is nested too deeply (more than %(max)s levels)")


class _Refused(yaml.YAMLError):
    """The file exceeds a limit: refused before it is built, with the `Problem` to show."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# --------------------------------------------------------------------------- YAML with lines


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records line numbers, reports duplicate keys, and only reads
    true/false as booleans (so `en: Yes` or `nl: Nee` stay texts).

    Composing is bounded (depth and aliases) so a tiny hostile file cannot expand into
    gigabytes or exhaust the stack; `_expanded_size` bounds what the aliases add up to."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[Problem] = []
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Refused(Problem(line, _with_max(MORE_ALIASES, MAX_ALIASES)))
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(Problem(line, _with_max(TOO_DEEP, MAX_DEPTH)))
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def _with_max(message: Message, limit: int) -> Message:
    return Message(message.text, {"max": limit})


def _expanded_size(root: yaml.Node) -> int:
    """The number of nodes with every alias written out, counted without writing them out
    (each node's size once, so shared nodes cost nothing to count); stops past the limit."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key) + size(value)
                if total > MAX_EXPANDED_NODES:
                    break
        sizes[id(node)] = total
        return total

    return size(root)


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
        node = loader.get_single_node()
        if node is not None and _expanded_size(node) > MAX_EXPANDED_NODES:
            message = _with_max(TOO_MANY_ALIASES, MAX_EXPANDED_NODES)
            return None, [Problem(node.start_mark.line + 1, message)]
        data = loader.construct_document(node) if node is not None else None
    except _Refused as refused:
        return None, [refused.problem]
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
