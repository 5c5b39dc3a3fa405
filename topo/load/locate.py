"""The line of a field: walk a field path (`spec.template.spec.containers[0].ports[1]`) in the YAML
node tree of the file an object came from.

Used after the analysis, and only for the files that have findings, so the cost of composing
YAML a second time stays off the loading path. A path that leaves the file (a field that is
absent, a default) stops at the deepest field that is written, so the line is always one of the
object's own lines.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from topo.load.construct import FastLoader
from topo.load.locate_text import TextLines, walk_text
from topo.load.nesting import too_deep
from topo.load.yamldocs import _split_documents

_INDEX = re.compile(r"\[(\d+)\]")


def field_lines(text: str, requests: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """For each (line where an object starts, field path): the line of the field in `text`.

    Objects are found by their first line, as the loader recorded it (a document, or an item of
    a `kind: List` or a JSON array); requests for an object that is not found are left out. Only
    the documents (`---` parts) that hold a requested object are composed.
    """
    requests = list(requests)
    if not requests:
        return {}
    found: dict[tuple[int, str], int] = {}
    lines = _plain_lines(text)
    if lines is not None:
        # index only the documents that hold a requested object (between `---` lines)
        markers = [i for i, text_line in enumerate(lines) if text_line.startswith(("---", "..."))]
        documents: dict[int, TextLines] = {}
        rest = []
        for line, path in requests:
            walked = None
            if 0 < line <= len(lines):
                begin = (
                    markers[bisect.bisect_right(markers, line - 1) - 1]
                    if markers and markers[0] < line
                    else 0
                )
                if begin not in documents:
                    after = bisect.bisect_right(markers, begin)
                    end = markers[after] if after < len(markers) else len(lines)
                    documents[begin] = TextLines(lines[begin:end])
                walked = walk_text(documents[begin], line - 1 - begin, path)
            if walked is None:
                rest.append((line, path))
            else:
                found[(line, path)] = walked + begin
        requests = rest
        if not requests:
            return found
    parts = list(_split_documents(text))
    starts = [offset for offset, _ in parts]
    wanted = sorted({bisect.bisect_right(starts, line - 1) - 1 for line, _ in requests})
    roots: dict[int, tuple[Node, int]] = {}
    for index in wanted:
        if index >= 0:
            offset, part = parts[index]
            roots.update(_object_nodes(part, offset))
    for line, path in requests:
        root = roots.get(line)
        if root is not None:
            node, offset = root
            found[(line, path)] = _walk(node, path) + offset
    return found


def _plain_lines(text: str) -> list[str] | None:
    """The lines as PyYAML counts them, when only `\n` (or `\r\n`) breaks lines; else None."""
    if "\r" in text.replace("\r\n", "") or any(c in text for c in "\x85\u2028\u2029"):
        return None
    return [line.removesuffix("\r") for line in text.split("\n")]


def _object_nodes(part: str, offset: int) -> dict[int, tuple[Node, int]]:
    """First line → (node, line offset of its part), for every document and list item."""
    nodes: dict[int, tuple[Node, int]] = {}
    if too_deep(part) is not None:
        return nodes  # refused by the loader too: composing it would overflow the C stack
    try:
        documents = list(compose_documents(part))
    except (yaml.YAMLError, RecursionError):
        return nodes
    for node in documents:
        for candidate in (node, *_items(node)):
            nodes.setdefault(candidate.start_mark.line + 1 + offset, (candidate, offset))
    return nodes


def compose_documents(text: str) -> Iterator[Node]:
    """The node of each document of `text`, as the loader composes it."""
    loader = FastLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    finally:
        loader.dispose()


def _items(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "items" and isinstance(value, SequenceNode):
                return value.value
    return []


def _walk(node: Node, path: str) -> int:
    """The 1-based line (within the node's part) of the deepest written field along `path`.

    Path segments are mapping keys separated by dots and list indexes in brackets; a key may
    itself contain dots (`metadata.labels.app.kubernetes.io/name`): the longest key that the
    rest of the path starts with is taken.
    """
    line = node.start_mark.line + 1
    rest = path
    while rest:
        if rest.startswith("["):
            match = _INDEX.match(rest)
            if match is None or not isinstance(node, SequenceNode):
                break
            index = int(match.group(1))
            if index >= len(node.value):
                break
            node = node.value[index]
            line = node.start_mark.line + 1
            rest = rest[match.end() :].removeprefix(".")
            continue
        if not isinstance(node, MappingNode):
            break
        entry = _longest_key(node, rest)
        if entry is None:
            break
        key, value = entry
        node = value
        line = key.start_mark.line + 1
        rest = rest[len(key.value) :].removeprefix(".")
    return line


def _longest_key(node: MappingNode, rest: str) -> tuple[ScalarNode, Node] | None:
    best: tuple[ScalarNode, Node] | None = None
    for key, value in node.value:
        if not isinstance(key, ScalarNode):
            continue
        text = key.value
        fits = rest == text or (rest.startswith(text) and rest[len(text)] in ".[")
        if fits and (best is None or len(text) >= len(best[0].value)):  # a repeated key: the later one, kept
            best = (key, value)
    return best
