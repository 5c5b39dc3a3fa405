"""Where a chart's template writes a key that a rendered object holds twice in one mapping.

The YAML reader finds such a key on the lines of the rendered template, which are not the
template's: action-only lines are gone from the output, and `toYaml` or `include` output adds
lines. The key is looked up in the template text instead: its path in the rendered object is
walked from the object's document in the template (topo.load.locate_text), and the warning
points at the lines that write it there. A key that no line of the template writes (it comes
from an action) is reported at the object's document, saying so rather than naming a line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from topo.load.locate import compose_documents
from topo.load.locate_text import TextLines, written_key_lines
from topo.load.reader import LATER_KEY_WINS
from topo.load.source import LoadWarning

#: (first line of its document, line of the later key, the key, line of the first key), all
#: lines of the rendered template (reader.load_text's `repeated_keys`)
RepeatedKey = tuple[int, int, str, int]


def repeated_key_warnings(
    file: str,
    rendered: str,
    repeated: Sequence[RepeatedKey],
    objects: Mapping[int, tuple[int, Mapping[str, Any]]],
    template: TextLines,
) -> list[LoadWarning]:
    """One warning per key given more than once in one mapping of a rendered object, at the
    template's lines. `objects`: the first line of each rendered document → (the line of its
    document in the template, the object)."""
    if not repeated:
        return []
    roots = _document_roots(rendered)
    groups: dict[tuple[int, str | None, str], list[int]] = {}  # → rendered lines of the key
    for document, later, key, first in sorted(repeated):
        root = roots.get(document)
        path = None if root is None else _mapping_path(root, later - 1, key)
        groups.setdefault((document, path, key), [first]).append(later)
    warnings = []
    for (document, path, key), rendered_lines in groups.items():
        placed = objects.get(document)
        count = len(rendered_lines)
        times = "twice" if count == 2 else f"{count} times"
        if placed is None or path is None:
            # not met in charts (a `kind: List`): told by the rendered output's lines alone
            where = f"{_lines(rendered_lines)} of the rendered output"
            message = f"key {key!r} is given {times} in one mapping of a rendered document ({where}): "
            warnings.append(LoadWarning(file, 1, message + LATER_KEY_WINS))
            continue
        line, data = placed
        written = written_key_lines(template, line - 1, path, key) if line <= len(template.lines) else None
        if not written:
            how = (
                "written by template actions only (`toYaml`, `include` ...)"
                if written is not None
                else "where the template writes it is not known"
            )
        else:
            line = written[-1]
            how = f"written on {_lines(written)}"
            if len(written) < count:
                how += " and by a template action"
        field = f"{path}.{key}" if path else key
        message = (
            f"key {key!r} is given {times} in one mapping of the rendered {_object(data)} ({field}), {how}: "
        )
        warnings.append(LoadWarning(file, line, message + LATER_KEY_WINS))
    return warnings


def _document_roots(rendered: str) -> dict[int, Node]:
    try:
        return {node.start_mark.line + 1: node for node in compose_documents(rendered)}
    except (yaml.YAMLError, RecursionError):
        return {}


def _mapping_path(root: Node, line: int, key: str) -> str | None:
    """The path of the mapping that holds `key` on 0-based `line` ("" for the object itself), as
    field paths are written (`spec.template.spec.containers[0]`)."""
    for node, path in _walk(root):
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                if (
                    isinstance(key_node, ScalarNode)
                    and key_node.start_mark.line == line
                    and key_node.value == key
                ):
                    return path
    return None


def _walk(root: Node) -> Iterator[tuple[Node, str]]:
    """Every node under `root` with its path, each node once (an alias is not followed again)."""
    seen = set()
    stack = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, path
        if isinstance(node, MappingNode):
            for key_node, value in node.value:
                if isinstance(key_node, ScalarNode):
                    stack.append((value, f"{path}.{key_node.value}" if path else key_node.value))
        elif isinstance(node, SequenceNode):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(node.value))


def _lines(lines: list[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    return f"lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}"


def _object(data: Mapping[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    kind = data.get("kind")
    what = kind if isinstance(kind, str) and kind else "object"
    return f"{what} {name!r}" if isinstance(name, str) and name else what
