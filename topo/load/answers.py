"""Answers of pure functions over the input's strings, kept between runs in the cache's location.

Some of a run's work is a function of one string at a time and repeats from run to run on the
same strings: the `calls` linker scans every ConfigMap value and env value for host names
(topo.graph.link_calls), `dns-name-unresolved` looks for the closest Service name to each name
that resolves to nothing (topo.rules.suggest). After a small edit nearly every string is the one
an earlier run saw, and its answer can be recalled instead of computed again.

A topic's answers are one entry: the marshal of `{key: answer}`, where a key is the function's
arguments (plain values marshal carries). The entry's name is a hash of the topic, a scope (the
folder that holds the input: each project keeps its own) and topo's code salt (every file of the
package, topo.load.salt: the function and everything it calls), so other code or another input
never sees it. A run reads its topic's entry once, asks it for each key, computes what it does not
hold, and when it computed anything writes the answers it used — this run's, so an entry never
holds more than one run's worth (and only when its parse cache answered some files, as field lines). Safety as for every entry (topo.load.cache): magic number,
checksum, atomic rename, and any failure a miss (a value of the wrong shape too: `valid`); the
LRU size cap covers these entries too. `--no-cache` neither reads nor writes them.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable, Hashable
from typing import Any

from topo.load.cache import ParseCache, input_scope
from topo.load.cache_files import read_entry, write_entry
from topo.load.salt import package_salt

__all__ = ["KeptAnswers", "input_scope"]

MAGIC = b"topo\x00an1"
SUBDIR = "answers-v1"


class KeptAnswers:
    """One topic's answers: those an earlier run kept (for the same code and scope), and this run's."""

    def __init__(
        self,
        cache: ParseCache | None,
        topic: str,
        scope: str,
        valid: Callable[[Any], bool] = lambda _answer: True,
    ):
        self._valid = valid
        self._known: dict[Hashable, Any] = {}
        self._used: dict[Hashable, Any] = {}
        self._computed = 0
        self._cache = cache if cache is not None and cache.enabled else None
        salt = package_salt() if self._cache is not None else None
        self.path: str | None = None
        if self._cache is not None and salt is not None:
            self.path = _entry_path(self._cache.location, salt, topic, scope)
            self._known = _read(self.path)

    def get(self, key: Hashable) -> Any | None:
        """The answer kept for `key` (None: not kept, or not of the expected shape)."""
        answer = self._known.get(key)
        if answer is None or not self._valid(answer):
            return None
        self._used[key] = answer
        return answer

    def release(self) -> None:
        """Let go of the kept answers not asked for: every question of the run has been asked."""
        self._known = {}

    def put(self, key: Hashable, answer: Any) -> None:
        """An answer computed in this run."""
        self._used[key] = answer
        self._computed += 1

    def save(self) -> int:
        """Write this run's answers when it computed any; the number of entries written (0 or 1).
        As field lines (topo.load.field_memory), only by a run whose parse cache answered some of
        its files: a cache that starts empty every time (a CI job that does not restore it) would
        only pay for the write, and hold the whole entry in memory while it is encoded."""
        cache = self._cache
        if self.path is None or not self._computed or cache is None or not cache.enabled or not cache.hits:
            return 0
        try:
            payload = marshal.dumps(self._used)
        except ValueError:  # an answer marshal cannot keep: nothing is kept
            return 0
        self._computed = 0
        if not write_entry(self.path, MAGIC, payload):
            return 0
        cache.note_writes(1)
        return 1


def _entry_path(location: str, salt: bytes, topic: str, scope: str) -> str:
    digest = hashlib.blake2b(salt, digest_size=20)
    digest.update(f"{topic}\0{scope}".encode("utf-8", "surrogateescape"))
    name = digest.hexdigest()
    return os.path.join(location, SUBDIR, name[:2], name[2:])


def _read(path: str) -> dict[Hashable, Any]:
    payload = read_entry(path, MAGIC)  # None unless its whole checksum matches
    if payload is None:
        return {}
    try:
        answers = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    return answers if type(answers) is dict else {}
