"""Lines of a Helm template file: which hold only template actions, and where each rendered
object's document starts.

A rendered object is matched back to its template file by Helm; inside the file, the object's
document is told by its kind, then by its name where the template writes several documents of one
kind, then by order (the n-th object of kind K, the last document of kind K when a `range`
renders more).
"""

from __future__ import annotations

import re

_KIND = re.compile(r"^\s*kind:\s*(?P<kind>\S.*?)\s*$")
_NAME = re.compile(r"^(?P<indent>\s*)name:\s*(?P<name>\S.*?)\s*$")
_METADATA = re.compile(r"^(?P<indent>\s*)metadata:\s*$")
_ACTION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
#: actions that end a line right after its text, with no space between
_GLUED_ACTIONS = re.compile(r"(?<=\S)(?:\{\{(?:[^}]|\}(?!\}))*\}\})+[ \t]*$")


def action_lines(lines: list[str]) -> list[bool]:
    """Per line: True when it holds only template actions (`{{- if .Values.x }}`, `{{- end }}`),
    counting every line of an action written over several lines — a licence header in a
    `{{/* ... */}}` comment, an `include` whose arguments go on. Helm removes such lines from the
    rendered object (with the whitespace `{{-` trims), so they are not the object's content."""
    only = [False] * len(lines)
    index = 0
    while index < len(lines):
        if lines[index].lstrip().startswith("{{"):
            end = action_run_end(lines, index)
            if end is not None:
                for covered in range(index, end + 1):
                    only[covered] = True
                index = end + 1
                continue
        index += 1
    return only


def action_run_end(lines: list[str], start: int) -> int | None:
    """The last line of the actions that begin line `start`, when nothing but actions and
    whitespace is on the lines they cover; None otherwise."""
    text = lines[start]
    end = start
    while True:
        rest = _ACTION.sub("", text)
        if "{{" not in rest:
            return end if not rest.strip() else None
        if rest[: rest.index("{{")].strip():
            return None  # content before an action that is still open
        if end + 1 >= len(lines):
            return None  # never closed: not a template Helm could render
        end += 1
        text += "\n" + lines[end]


def text_after_actions(line: str) -> str | None:
    """A line that begins with template actions and goes on with text, read as that text at the
    line's indentation, which is what Helm renders when the actions print nothing
    (`{{ if eq .type "Recreate" }}rollingUpdate: null{{ end }}`): the whitespace a `-}}` trims goes
    too, and so do actions glued to the end of the text (`strategy:{{ end }}`); an action that is
    a value of its own (`key: {{ .Values.x }}`) stays. None when the line does not begin with a
    closed action or holds nothing after its actions."""
    rest = line.lstrip(" ")
    indent = line[: len(line) - len(rest)]
    if not rest.startswith("{{"):
        return None
    while (following := rest.lstrip(" \t")).startswith("{{"):
        action = _ACTION.match(following)
        if action is None:
            return None
        # the whitespace between actions renders, unless `{{-` or `-}}` trims it
        kept = "" if following.startswith("{{-") else rest[: len(rest) - len(following)]
        rest = kept + following[action.end() :]
        if action.group().endswith("-}}"):
            rest = rest.lstrip()
    if not rest.strip():
        return None
    glued = _GLUED_ACTIONS.search(rest)
    if glued is not None:
        rest = rest[: glued.start()]
    return indent + rest


class TemplateLines:
    """The line where each rendered object's document starts in its template file."""

    def __init__(self, path: str):
        try:
            with open(path, encoding="utf-8-sig") as handle:
                self.lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            self.lines = []
        self.actions = action_lines(self.lines)
        self.seen: dict[tuple[str, tuple[int, ...]], int] = {}

    def line_for(self, kind: str, name: str = "") -> int:
        """The first content line of the document of the object of `kind` named `name` that comes
        next in rendering order; the file's first content line when no document says its kind."""
        literal, templated = [], []
        for index, line in enumerate(self.lines):
            match = _KIND.match(line)
            if match is None or self.actions[index]:
                continue
            written = match.group("kind").strip("'\"")
            if written == kind:
                literal.append(index)
            elif _ACTION.fullmatch(written):  # `kind: {{ .Values.kind }}`
                templated.append(index)
        matches = literal or templated
        if not matches:
            return self._first_content(0, len(self.lines)) or 1
        # a document whose written name has text of its own and fits is the object's; else the
        # documents whose names are all template actions (or unwritten), in rendering order
        fits = {index: self._name_fit(index, name) for index in matches}
        best = max(fits.values())
        candidates = tuple(index for index in matches if fits[index] == best) if best else tuple(matches)
        order = self.seen.get((kind, candidates), 0)
        self.seen[(kind, candidates)] = order + 1
        kind_line = candidates[min(order, len(candidates) - 1)]
        start, _ = self._document(kind_line)
        return self._first_content(start, kind_line + 1) or kind_line + 1

    def _document(self, line: int) -> tuple[int, int]:
        """The lines [start, end) of the document holding `line`, between `---` markers."""
        start = line
        while start > 0 and not self.lines[start - 1].startswith("---"):
            start -= 1
        end = line + 1
        while end < len(self.lines) and not self.lines[end].startswith("---"):
            end += 1
        return start, end

    def _name_fit(self, kind_line: int, name: str) -> int:
        """How the document's `metadata.name` fits `name`, its template actions read as any text:
        2 it fits and has text of its own, 1 it is all actions or not found, 0 it cannot be `name`."""
        start, end = self._document(kind_line)
        metadata_indent = None
        for index in range(start, end):
            line = self.lines[index]
            if metadata_indent is None:
                if (found := _METADATA.match(line)) is not None:
                    metadata_indent = len(found.group("indent"))
                continue
            found = _NAME.match(line)
            if found is not None and len(found.group("indent")) > metadata_indent:
                literal, pattern = _name_pattern(found.group("name"))
                if pattern.fullmatch(name) is None:
                    return 0
                return 2 if literal else 1
            if line.strip() and not self.actions[index] and len(line) - len(line.lstrip()) <= metadata_indent:
                break  # past the metadata block
        return 1

    def _first_content(self, start: int, end: int) -> int | None:
        for index in range(start, end):
            stripped = self.lines[index].strip()
            if stripped and not stripped.startswith(("#", "---")) and not self.actions[index]:
                return index + 1
        return None


def _name_pattern(written: str) -> tuple[str, re.Pattern[str]]:
    """A written name's own text, and the name as a pattern where its template actions stand for
    any text."""
    if len(written) >= 2 and written[0] == written[-1] and written[0] in "'\"":
        written = written[1:-1]
    parts = _ACTION.split(written)
    return "".join(parts).strip(), re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)
