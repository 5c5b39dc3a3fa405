"""Walk a field path in the text of a block-style YAML object, without composing it.

Manifests are almost always block style (`kubectl`, Helm and kustomize write them so): keys at
one indentation, list items as `- ` lines. Following a path then needs only the indentation of
lines, which is a small fraction of the cost of composing the document. Anything else on the way
(flow collections `{...}`/`[...]`, aliases, nested `- -` items, JSON) returns None, and the
caller composes the document (topo.load.locate), so the answer is always the composer's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from topo.load.template_lines import action_run_end, text_after_actions

_INDEX = re.compile(r"\[(\d+)\]")
# a mapping key at the start of `text`: double-quoted, single-quoted or plain, then `:` + space/EOL
_KEY = re.compile(
    r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{\[\-?:][^#]*?|-[^\s#][^#]*?))[ \t]*:(?:[ \t]|$)"""
)


class _NotPlain(Exception):
    """Something on the way the composer must read."""


_BLANK, _END = -1, -2


class TextLines:
    """A file's lines with, per line, its indentation (-1: blank, comment or template action, -2: a `---`/`...`
    document marker) and the next content line at the same or a smaller indentation, so that a
    mapping's keys and a sequence's items are visited without reading their contents. A line of a
    Helm template that begins with actions and goes on with text is read as that text
    (topo.load.template_lines.text_after_actions)."""

    __slots__ = ("indents", "lines", "next_content", "next_sibling")

    def __init__(self, lines: list[str]):
        read = lines  # copied before the first line read otherwise than it is written
        count = len(lines)
        indents = [_BLANK] * count
        index = 0
        while index < count:
            text = lines[index]
            if text.startswith(("---", "...")) and (len(text) == 3 or text[3] in " \t"):
                indents[index] = _END
            elif (stripped := text.lstrip(" ")).startswith("{{"):
                # a Helm template's action lines stay blank, an action over several lines too
                end = action_run_end(lines, index)
                if end is not None:
                    index = end + 1
                    continue
                # actions, then text: the rendered line is that text, which the walk reads
                rendered = text_after_actions(text)
                if rendered is not None:
                    if read is lines:
                        read = list(lines)
                    read[index] = text = rendered
                    stripped = text.lstrip(" ")
                indents[index] = len(text) - len(stripped)
            elif stripped and not stripped.startswith(("#", "\t")):
                indents[index] = len(text) - len(stripped)
            index += 1
        self.lines = read
        self.indents = indents
        self.next_sibling = [count] * count
        self.next_content = [count] * count
        stack: list[tuple[int, int]] = []  # (indentation, line) of content lines below, nearest last
        following = count
        for index in range(count - 1, -1, -1):
            self.next_content[index] = following
            indent = indents[index]
            if indent == _BLANK:
                continue
            following = index
            if indent == _END:
                stack = [(_BLANK, index)]
                continue
            while stack and stack[-1][0] > indent:
                stack.pop()
            self.next_sibling[index] = stack[-1][1] if stack else count
            stack.append((indent, index))


def walk_text(text: TextLines, start: int, path: str) -> int | None:
    """The 1-based line of the deepest written field along `path` in the object whose first line
    is line `start` (0-based); None when the text is not plain block style on the way."""
    try:
        reached = _descend(text, start, path, into_last=False)
    except _NotPlain:
        return None
    return None if reached is None else reached[0] + 1


def written_key_lines(text: TextLines, start: int, path: str, key: str) -> list[int] | None:
    """The 1-based lines of every entry of `key`, in order, in the mapping at `path` ("": the
    object itself) of the object whose first line is line `start` (0-based); None when that
    mapping is not written, or not in plain block style."""
    try:
        reached = _descend(text, start, path, into_last=True)
        if reached is None:
            return None
        _, (kind, line, col), rest = reached
        if rest or kind != "map":
            return None
        return [index + 1 for index, written, _ in _mapping_entries(text, line, col) if written == key]
    except _NotPlain:
        return None


def _descend(
    text: TextLines, start: int, path: str, into_last: bool
) -> tuple[int, tuple[str, int, int], str] | None:
    """(0-based line of the deepest written field along `path`, the node it leads to, the rest of
    the path that is not written); the node of the last field is read only `into_last`. None
    when the text is not plain block style on the way."""
    first = text.lines[start]
    indent = text.indents[start]
    if indent < 0:
        return None
    column: int | None = indent
    if _is_dash(first, indent):
        column = _item_column(first, indent)
    if column is None or not _KEY.match(first, column):
        return None
    # the current node: a mapping (first line, key column) or a sequence (first line, dash column)
    node = ("map", start, column)
    answer = start
    rest = path
    while rest:
        kind, line, col = node
        if rest.startswith("["):
            match = _INDEX.match(rest)
            if match is None or kind != "seq":
                break
            item = _nth_item(text, line, col, int(match.group(1)))
            if item is None:
                break
            rest = rest[match.end() :].removeprefix(".")
            found = _item_node(text.lines[item], item, col)
            if found is None:
                return None
            node, answer = found, item
            continue
        if kind != "map":
            break
        entry = _find_key(text, line, col, rest)
        if entry is None:
            break
        key_line, key, value = entry
        answer = key_line
        rest = rest[len(key) :].removeprefix(".")
        if not rest and not into_last:
            break
        found = _value_node(text, key_line, col, value)
        if found is None:
            return None
        node = found
    return answer, node, rest


def _item_column(text: str, dash: int) -> int | None:
    after = text[dash + 1 :]
    stripped = after.lstrip(" ")
    if not stripped or stripped.startswith(("-", "{", "[", "&", "*", "!", "#")):
        return None
    return dash + 1 + len(after) - len(stripped)


def _is_dash(text: str, indent: int) -> bool:
    return text.startswith("- ", indent) or (
        text.startswith("-", indent) and len(text.rstrip()) == indent + 1
    )


def _find_key(text: TextLines, start: int, col: int, rest: str) -> tuple[int, str, str] | None:
    """The entry of the mapping at (start, col) whose key `rest` starts with (the longest)."""
    best: tuple[int, str, str] | None = None
    for index, key, value in _mapping_entries(text, start, col):
        fits = rest == key or (rest.startswith(key) and rest[len(key)] in ".[")
        if fits and (best is None or len(key) >= len(best[1])):  # a repeated key: the later one, kept
            best = (index, key, value)
    return best


def _mapping_entries(text: TextLines, start: int, col: int) -> Iterator[tuple[int, str, str]]:
    """(line, key, the text after its `:`) of each entry of the mapping at (start, col); none when
    line `start` holds no key."""
    lines, indents = text.lines, text.indents
    index = start
    while index < len(lines):
        line = lines[index]
        if index == start or (indents[index] == col and not _is_dash(line, col)):
            match = _KEY.match(line, col)
            if match is None:
                if index == start:
                    return
            else:
                yield index, _key_text(match), line[match.end() :]
        following = text.next_content[index] if index == start else text.next_sibling[index]
        if following >= len(lines) or indents[following] < col:
            break
        index = following


def _key_text(match: re.Match) -> str:
    if match.group(1) is not None:
        if "\\" in match.group(1):
            raise _NotPlain  # escapes: leave them to the composer
        return match.group(1)
    if match.group(2) is not None:
        return match.group(2).replace("''", "'")
    return match.group(3).rstrip()


def _value_node(text: TextLines, key_line: int, col: int, value: str) -> tuple[str, int, int] | None:
    """The node a key's value starts: ("map", line, key column), ("seq", line, dash column), or
    ("scalar", key line, col); None when it is not plain block style."""
    value = value.strip()
    if value.startswith("#"):
        value = ""
    value = value.split(" #", 1)[0].strip()
    if value:
        if value[0] in "{[&*!":
            return None
        return ("scalar", key_line, col)
    index = text.next_content[key_line]
    if index >= len(text.lines) or text.indents[index] < 0:
        return ("scalar", key_line, col)
    indent, line = text.indents[index], text.lines[index]
    if _is_dash(line, indent):
        return ("seq", index, indent) if indent >= col else ("scalar", key_line, col)
    if indent > col:
        return ("map", index, indent) if _KEY.match(line, indent) else None
    return ("scalar", key_line, col)


def _nth_item(text: TextLines, start: int, dash: int, wanted: int) -> int | None:
    index, count = start, 0
    while index < len(text.lines) and text.indents[index] == dash and _is_dash(text.lines[index], dash):
        if count == wanted:
            return index
        count += 1
        index = text.next_sibling[index]
    return None


def _item_node(line: str, item: int, dash: int) -> tuple[str, int, int] | None:
    after = line[dash + 1 :]
    stripped = after.strip()
    if not stripped or stripped.startswith("#"):
        return None  # the item's content starts on a later line: let the composer place it
    column = dash + 1 + len(after) - len(after.lstrip(" "))
    if stripped[0] in "{[&*!-":
        return None
    if _KEY.match(line, column):
        return ("map", item, column)
    return ("scalar", item, column)
