"""Parse YAML/JSON text into documents with the line each one starts on.

Safe loading only (PyYAML's C loader when present). The fast path parses the whole stream with one
loader; when any document is broken, the stream is split on document markers and each part is
parsed on its own, so one bad document never hides the good ones next to it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from topo.load.construct import FastLoader, NeedsSafeConstructor, construct, repeated_keys
from topo.load.nesting import too_deep
from topo.load.yamldocs_base import SafeLoader

__all__ = ["ParseFailure", "ParsedDocument", "SafeLoader", "parse_documents"]

#: A document whose aliases expand past this many nodes is refused ("billion laughs").
MAX_EXPANDED_NODES = 1_000_000

# A `---` at the start of a line; a line starts after \n, after \r\n and after a lone \r (old Mac
# line ends, which YAML and PyYAML accept too).
_DOCUMENT_START = re.compile(r"(?:^|(?<=\r))---(?=[ \t\r\n]|$)", re.MULTILINE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Lines that may come before a document's `---`: directives, comments, blanks, an end marker.
_PREAMBLE = re.compile(
    r"(?:[ \t]*(?:%[^\r\n]*|#[^\r\n]*|\.\.\.[ \t]*)?(?:\r\n|\r|\n))*[ \t]*(?:%[^\r\n]*|#[^\r\n]*)?\Z"
)
_ANCHOR = re.compile(r"&[^\s,\[\]{}]")


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """A top-level document: its value, its first line, and the first lines of its list items."""

    value: Any
    line: int
    item_lines: tuple[int, ...] = ()
    #: keys given twice in one mapping: (line of the later key, the key, line of the first), 1-based
    repeated_keys: tuple[tuple[int, str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class ParseFailure:
    line: int
    message: str


def parse_documents(text: str) -> Iterator[ParsedDocument | ParseFailure]:
    """Yield every document of a YAML (or JSON) stream, or a failure for each one that is broken."""
    check_aliases = _ANCHOR.search(text) is not None
    parsed: list[ParsedDocument | ParseFailure] = []
    # A document nested too deeply would crash the C composer (topo.load.nesting): a text that
    # may hold one is read part by part, each part checked before it is composed.
    if too_deep(text) is not None:
        yield from _parse_part_by_part(text, check_aliases)
        return
    try:
        parsed.extend(_parse_stream(text, 0, check_aliases))
    except (yaml.YAMLError, RecursionError, _AliasBomb):
        parsed = list(_parse_part_by_part(text, check_aliases))
    yield from parsed


class _AliasBomb(Exception):
    def __init__(self, line: int, size: int):
        super().__init__(line, size)
        self.line = line
        self.size = size


def _parse_stream(text: str, line_offset: int, check_aliases: bool) -> Iterator[ParsedDocument]:
    loader = FastLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            line = node.start_mark.line + 1 + line_offset
            if check_aliases:
                size = _expanded_size(node)
                if size > MAX_EXPANDED_NODES:
                    raise _AliasBomb(line, size)
            repeated: list[tuple[int, str, int]] = []
            try:
                value = construct(node, repeated)
            except NeedsSafeConstructor:
                value = _construct_safely(loader, node)
                repeated = repeated_keys(node)
            shift = 1 + line_offset
            yield ParsedDocument(
                value,
                line,
                _item_lines(node, line_offset),
                tuple((later + shift, key, first + shift) for later, key, first in repeated),
            )
    finally:
        loader.dispose()


def _construct_safely(loader: Any, node: yaml.Node) -> Any:
    """PyYAML's SafeConstructor for the rare tags the fast path leaves to it; its non-YAML
    exceptions (`!!set {!!int x: }`) become a YAML error at the document."""
    try:
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot construct the document: {type(error).__name__}: {error}", node.start_mark
        ) from None


def _parse_part_by_part(text: str, check_aliases: bool) -> Iterator[ParsedDocument | ParseFailure]:
    for offset, part in _split_documents(text):
        deep = too_deep(part, offset)
        if deep is not None:
            yield ParseFailure(deep.line, deep.message)
            continue
        try:
            yield from list(_parse_stream(part, offset, check_aliases))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = offset + (mark.line + 1 if mark else 1)
            yield ParseFailure(line, f"invalid YAML: {_describe(error)}")
        except yaml.YAMLError as error:
            yield ParseFailure(offset + 1, f"invalid YAML: {error}")
        except RecursionError:
            yield ParseFailure(offset + 1, "invalid YAML: the document is nested too deeply")
        except _AliasBomb as bomb:
            yield ParseFailure(
                bomb.line,
                f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes "
                "(a 'billion laughs' document); refused",
            )


def _split_documents(text: str) -> Iterator[tuple[int, str]]:
    """Cut a stream before each `---` line; yield (lines before the part, the part).

    Linear in the text: lines are counted once, from one cut to the next. A part made only of
    directives (`%YAML 1.1`), comments or an end marker (`...`) stays with the document it
    introduces, so a file that starts with `%YAML` is recovered document by document too.
    """
    count_lines = _count_line_breaks if "\r" in text else _count_newlines
    boundaries = [0]
    for match in _DOCUMENT_START.finditer(text):
        start = _directives_before(text, match.start(), boundaries[-1])
        if start > boundaries[-1] and not _PREAMBLE.match(text, boundaries[-1], start):
            boundaries.append(start)
    boundaries.append(len(text))
    lines_before = 0
    for start, end in itertools.pairwise(boundaries):
        if end > start:
            yield lines_before, text[start:end]
        lines_before += count_lines(text, start, end)


def _directives_before(text: str, start: int, floor: int) -> int:
    """Where the `%` directive lines right before a `---` at `start` begin (they open the next document)."""
    while start > floor:
        end = start - 1 if text[start - 1] in "\r\n" else start  # the previous line, without its break
        if end > floor and text[end] == "\n" and text[end - 1] == "\r":
            end -= 1
        line_start = max(text.rfind("\n", floor, end), text.rfind("\r", floor, end), floor - 1) + 1
        if not text.startswith("%", line_start):
            break
        start = line_start
    return start


def _count_newlines(text: str, start: int, end: int) -> int:
    return text.count("\n", start, end)


def _count_line_breaks(text: str, start: int, end: int) -> int:
    """Line breaks as YAML counts them: \r\n, \r and \n each end one line."""
    return sum(1 for _ in _LINE_BREAK.finditer(text, start, end))


def _describe(error: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (error.context, error.problem) if p]
    return ", ".join(parts) if parts else str(error).splitlines()[0]


def _item_lines(node: yaml.Node, line_offset: int) -> tuple[int, ...]:
    """First lines of the items of a JSON array or of a `kind: List` mapping's `items`."""
    items: Any = None
    if isinstance(node, yaml.SequenceNode):
        items = node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "items":
                if isinstance(value, yaml.SequenceNode):
                    items = value.value
                break
    if not items:
        return ()
    return tuple(item.start_mark.line + 1 + line_offset for item in items)


def _expanded_size(root: yaml.Node) -> int:
    """Number of nodes the document would have with every alias copied out (memoised walk).

    A self-referencing anchor (`&a [*a]`) has no finite size and counts as over the limit.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
            continue
        pending = [child for child in _children(node) if id(child) not in sizes]
        if key in in_progress or not pending:
            if any(id(child) in in_progress and id(child) not in sizes for child in pending):
                return MAX_EXPANDED_NODES + 1
            sizes[key] = 1 + sum(sizes.get(id(child), 0) for child in _children(node))
            in_progress.discard(key)
            if sizes[key] > MAX_EXPANDED_NODES:
                return sizes[key]
            stack.pop()
            continue
        in_progress.add(key)
        stack.extend(pending)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
