"""The lines of fields located in earlier runs, kept in the parse cache by each file's bytes.

Pointing a finding at its field (topo.load.locate) reads the file's text again and walks or
composes the object: on a large input with findings in most files, about as much CPU as all the
rules. The answer is a function of the file's bytes and of the loader's code only, so it is kept
under the file's parse key (topo.load.cache: the bytes, the last part of the name, the loader's
source) and a file unchanged since an earlier run is neither decoded nor composed again — a run
after a small edit locates only in the edited files.

Each file is read once: its answers, recalled or found, and the key they are kept under come from
the same bytes — or not at all, when its stamp says it is unchanged since an earlier run read it
(topo.load.stamps) and every answer asked for is kept. Nothing is kept by a run whose parse cache
answered no file (a cache that starts empty every time, as in a CI job that does not restore it,
would only cost the writes). Sources that cannot be read again (stdin, rendered charts, git
revisions) are located in the text kept in memory, never kept.
"""

from __future__ import annotations

from topo.load.cache import ParseCache
from topo.load.locate import field_lines
from topo.load.reader import LoadResult, decode_text

Request = tuple[int, str]  # (line where the object starts, field path)


class FieldLineMemory:
    """The lines of fields in a source: recalled for bytes located in before, else located and kept."""

    def __init__(self, loaded: LoadResult, cache: ParseCache | None):
        self.loaded = loaded
        # Only a cache that answered some of this run's files is kept between runs (a CI job
        # that restores it, a developer's machine): a run that found it empty (a CI job that
        # starts from nothing every time) would write an entry per file for nobody, so it locates
        # as without a cache.
        self.cache = cache if cache is not None and cache.hits else None

    def lines(self, name: str, requests: list[Request]) -> tuple[dict[Request, int], int]:
        """The line of each request's field in the source (a request not found is left out), and
        how many cache entries this wrote (0 or 1). The file is read once: the answers and the
        key they are kept under come from the same bytes."""
        cache = self.cache
        if cache is None or not cache.enabled or name in self.loaded.texts:
            text = self.loaded.text_of(name)
            return (field_lines(text, requests) if text is not None else {}), 0
        digest = cache.stamps.digest(name) if cache.stamps is not None else None
        if digest is not None:  # unchanged since an earlier run read it (topo.load.stamps)
            known = cache.get_lines(cache.key_of_digest(digest, name)) or {}
            if all(request in known for request in requests):
                return {request: known[request] for request in requests if known[request]}, 0
        data = _read(name)
        if data is None:
            return {}, 0
        key = cache.key(data, name)
        known = cache.get_lines(key) or {}
        rest = [request for request in requests if request not in known]
        written = 0
        if rest:
            try:
                found = field_lines(decode_text(data), rest)
            except UnicodeDecodeError:
                found = {}
            for request in rest:
                known[request] = found.get(request, 0)  # 0: not found, and not looked for again
            cache.put_lines(key, known)
            written = 1
        return {request: known[request] for request in requests if known.get(request)}, written


def _read(name: str) -> bytes | None:
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError:
        return None
