"""Uploaded manifest files → one text for `topo.analyze(text=...)`, with a size limit and a map of
lines back to the files they came from. Pure: no I/O, nothing is ever evaluated.

The files are joined with document separators (`---`) into one stream that topo's safe loader reads
document by document, so a broken file never hides the documents of the others; `SourceMap`
translates a line of the joined stream back to (file, line) for everything the page shows.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from dataclasses import dataclass, field

UPLOAD_NAME = "<upload>"
DEFAULT_LIMIT = 20 * 1024 * 1024  # bytes, all files of one upload together
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class UploadedFile:
    name: str
    text: str


@dataclass
class DecodedUpload:
    files: list[UploadedFile] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"file", "line", "message"}, like load errors
    too_large: str | None = None  # the message when the upload is refused as a whole


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


def decode_upload(contents: list[str], names: list[str], limit: int = DEFAULT_LIMIT) -> DecodedUpload:
    """Decode `dcc.Upload` contents (`data:<type>;base64,<data>` strings) into texts.

    Refuses the whole upload above `limit` bytes; a file that is not base64 or not UTF-8/UTF-16
    text becomes an error of that file (line 1), and the other files are kept.
    """
    result = DecodedUpload()
    total = 0
    for content, name in zip(contents or [], names or []):
        name = _safe_name(name)
        if not isinstance(content, str):
            result.errors.append({"file": name, "line": 1, "message": "empty upload"})
            continue
        _, _, payload = content.partition(",")
        total += 3 * (len(payload) // 4)  # refuse before decoding a huge payload
        if total > limit:
            break
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            result.errors.append({"file": name, "line": 1, "message": "the upload is not valid base64 data"})
            continue
        try:
            text = _decode(data)
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            result.errors.append(
                {
                    "file": name,
                    "line": line,
                    "message": f"not UTF-8 text: invalid byte at offset {error.start}",
                }
            )
            continue
        result.files.append(UploadedFile(name, text))
    if total > limit:
        result.files, result.errors = [], []
        result.too_large = (
            f"upload refused: larger than the limit of {human_size(limit)} (all files together)"
        )
    return result


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16 when a BOM says so — what YAML allows."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _safe_name(name) -> str:
    """The file's base name, printable: it is only ever displayed."""
    text = str(name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch if ch.isprintable() else "?" for ch in text)[:200]
    return text or "upload"


@dataclass(frozen=True)
class SourceMap:
    """Where each file starts in the joined stream (1-based lines)."""

    starts: tuple[int, ...]
    names: tuple[str, ...]

    def translate(self, file: str, line: int) -> tuple[str, int]:
        if file != UPLOAD_NAME or not self.starts:
            return file, line
        index = max(0, bisect.bisect_right(self.starts, line) - 1)
        return self.names[index], max(1, line - self.starts[index] + 1)


def combine(files: list[UploadedFile]) -> tuple[str, SourceMap]:
    """One stream of all files, each starting on a new document, and the map back to the files."""
    parts: list[str] = []
    starts: list[int] = []
    line = 1
    for uploaded in files:
        if parts:
            parts.append("---\n")
            line += 1
        starts.append(line)
        text = uploaded.text if uploaded.text.endswith("\n") or not uploaded.text else uploaded.text + "\n"
        parts.append(text)
        line += text.count("\n")
    return "".join(parts), SourceMap(tuple(starts), tuple(f.name for f in files))
