"""The lines of fields located in earlier runs, kept in the parse cache by each file's bytes.

Pointing a finding at its field (topo.load.locate) reads the file's text again and walks or
composes the object: on a large input with findings in most files, about as much CPU as all the
rules. The answer is a function of the file's bytes and of the loader's code only, so it is kept
under the file's parse key (topo.load.cache: the bytes, the last part of the name, the loader's
source) and a file unchanged since an earlier run is neither decoded nor composed again — a run
after a small edit locates only in the edited files.

An answer is stored only for the bytes it was computed from: the file is read and hashed once to
recall, and again where it is located; when the two differ (the file changed during the run)
nothing is kept. Sources that cannot be read again (stdin, rendered charts, git revisions) are
located as before, never kept.
"""

from __future__ import annotations

from topo.load.cache import ParseCache
from topo.load.locate import field_lines
from topo.load.reader import LoadResult, decode_text

Request = tuple[int, str]  # (line where the object starts, field path)


class FieldLineMemory:
    """Recall what earlier runs located in a file, locate the rest, keep the answers."""

    def __init__(self, loaded: LoadResult, cache: ParseCache | None):
        self.loaded = loaded
        self.cache = cache
        self._recalled: dict[str, tuple[str, dict[Request, int]]] = {}

    def _kept(self, name: str) -> bool:
        """Whether this source's answers can be kept: a file read from disk, with a cache."""
        return self.cache is not None and self.cache.enabled and name not in self.loaded.texts

    def recall(self, name: str, requests: list[Request]) -> tuple[dict[Request, int], list[Request]]:
        """(the lines known for `requests`, the requests still to locate)."""
        if not self._kept(name):
            return {}, requests
        assert self.cache is not None
        data = _read(name)
        if data is None:
            return {}, requests
        key = self.cache.key(data, name)
        known = self.cache.get_lines(key) or {}
        self._recalled[name] = (key, known)
        return {r: known[r] for r in requests if known.get(r)}, [r for r in requests if r not in known]

    def locate(self, name: str, requests: list[Request]) -> tuple[dict[Request, int], str | None]:
        """The lines of `requests` in the source's text now, and the parse key of the bytes they
        were found in (None when the source is not kept)."""
        if not self._kept(name):
            text = self.loaded.text_of(name)
            return (field_lines(text, requests) if text is not None else {}), None
        assert self.cache is not None
        data = _read(name)
        if data is None:
            return {}, None
        key = self.cache.key(data, name)
        try:
            text = decode_text(data)
        except UnicodeDecodeError:
            return {}, key
        return field_lines(text, requests), key

    def keep(self, name: str, requests: list[Request], found: dict[Request, int], key: str | None) -> None:
        """Remember `found` (0 for a request not found) when `key` is that of the bytes recalled."""
        recalled = self._recalled.get(name)
        if recalled is None or key is None or recalled[0] != key or self.cache is None:
            return
        known = dict(recalled[1])
        for request in requests:
            known[request] = found.get(request, 0)
        self.cache.put_lines(key, known)


def _read(name: str) -> bytes | None:
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError:
        return None
