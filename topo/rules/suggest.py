""" "Did you mean …?" over many names in bounded time: a trigram index in front of difflib.

`difflib.get_close_matches` compares a word with every candidate, so explaining each of 15,000
unresolved names against thousands of namespaces or Services costs their product. `NameIndex`
keeps the candidates' trigrams; a query reads the postings of the word's rarest trigrams (at most
`POSTINGS_BUDGET` entries), keeps the `SHORTLIST` candidates that share the most trigrams with it,
and lets difflib rank those with its usual cutoff. Sets of up to `SHORTLIST` names are ranked in
full, so small inputs get exactly difflib's answer; a name that shares no trigram with the word
(nothing alike in any three characters in a row) is not suggested from a large set. Answers are
memoised per word: the same unresolved name in many workloads costs one lookup. With kept answers
(topo.load.answers), what an earlier run answered for the same word over the same names is
recalled, and the index is built only for the words it did not answer.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from typing import Any

from topo.load.answers import KeptAnswers

SHORTLIST = 32
POSTINGS_BUDGET = 2048


def _trigrams(word: str) -> set[str]:
    padded = f"\x02{word}\x03"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class NameIndex:
    """The names to suggest from, indexed by trigram (on the first word to look up)."""

    def __init__(self, names: Iterable[str], kept: KeptAnswers | None = None):
        self.names: tuple[str, ...] = tuple(sorted(set(names)))
        self._postings: dict[str, list[int]] | None = None
        self._memo: dict[tuple[str, int, float], list[str]] = {}
        self._kept = kept
        self._digest: bytes | None = None

    def __len__(self) -> int:
        return len(self.names)

    def close_matches(self, word: str, n: int = 1, cutoff: float = 0.6) -> list[str]:
        """Up to n names close to `word`, best first (difflib's ratio ≥ cutoff)."""
        key = (word, n, cutoff)
        found = self._memo.get(key)
        if found is None:
            kept_key = None if self._kept is None else (self._names_digest(), *key)
            found = None if self._kept is None else self._kept.get(kept_key)
            if found is None:
                found = self._compute(word, n, cutoff)
                if self._kept is not None:
                    self._kept.put(kept_key, found)
            self._memo[key] = found
        return found

    def _compute(self, word: str, n: int, cutoff: float) -> list[str]:
        shortlist = self._shortlist(word)
        if n == 1:
            return _closest(word, shortlist, cutoff)
        return difflib.get_close_matches(word, shortlist, n=n, cutoff=cutoff)

    def _names_digest(self) -> bytes:
        if self._digest is None:
            self._digest = hashlib.blake2b(
                "\0".join(self.names).encode("utf-8", "surrogateescape"), digest_size=16
            ).digest()
        return self._digest

    def _index(self) -> dict[str, list[int]]:
        if self._postings is None:
            self._postings = {}
            for position, name in enumerate(self.names):
                for gram in _trigrams(name):
                    self._postings.setdefault(gram, []).append(position)
        return self._postings

    def _shortlist(self, word: str) -> tuple[str, ...] | list[str]:
        if len(self.names) <= SHORTLIST:
            return self.names
        index = self._index()
        postings = sorted((index[gram] for gram in _trigrams(word) if gram in index), key=len)
        shared: dict[int, int] = {}
        budget = POSTINGS_BUDGET
        for positions in postings:
            if budget <= 0:
                break
            for position in positions[:budget]:
                shared[position] = shared.get(position, 0) + 1
            budget -= len(positions)
        best = sorted(shared, key=lambda position: (-shared[position], position))[:SHORTLIST]
        return [self.names[position] for position in sorted(best)]


def _closest(word: str, names: Iterable[str], cutoff: float) -> list[str]:
    """`difflib.get_close_matches(word, names, n=1, cutoff)`, with the same answer, in less time:
    names are tried from the highest upper bound of their ratio down (difflib's
    `real_quick_ratio`, then `quick_ratio`), and the search stops when no name left can reach
    the best ratio found. Ties go to the greater name, as in difflib (`heapq.nlargest` over
    `(ratio, name)`)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounded = []
    for name in names:
        matcher.set_seq1(name)
        bound = matcher.real_quick_ratio()
        if bound >= cutoff:
            bounded.append((bound, name))
    bounded.sort(reverse=True)
    best: tuple[float, str] | None = None
    for bound, name in bounded:
        if best is not None and bound < best[0]:
            break
        matcher.set_seq1(name)
        if matcher.quick_ratio() < max(cutoff, best[0] if best else cutoff):
            continue
        score = matcher.ratio()
        if score >= cutoff and (best is None or (score, name) > best):
            best = (score, name)
    return [best[1]] if best else []


def valid_suggestions(answer: Any) -> bool:
    """The shape of one kept answer of `close_matches`."""
    return type(answer) is list and all(type(name) is str for name in answer)
