"""Sets of (protocol, port) that a connection may use, and their notations.

A `PortSet` holds, for each of the three protocols a NetworkPolicy can name (TCP, UDP, SCTP:
`NetworkPolicyPort.protocol`, k8s.io/api networking/v1 types.go), a sorted tuple of disjoint,
non-adjacent inclusive port ranges within 1–65535 (`IsValidPortNum`, k8s.io/apimachinery
pkg/util/validation). Instances are interned, so equal sets are the same object; the set
operations are memoised because the engine applies the same few operations millions of times.

Notations:

* `np_guard_text()` — np-guard netpol-analyzer's connection string (`ConnStrFromConnProperties`
  in pkg/netpol/internal/common/connectionset.go): `All Connections` when every port of every
  protocol is in the set, otherwise one `PROTO ranges` item per protocol, the items sorted as
  strings and joined by `,`, each protocol's ranges joined by `,` (`TCP 80,8000-8080,UDP 53`).
* `to_json()` — topo's JSON: `"all"` or `["TCP/80", "TCP/8000-8080", "UDP/53"]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar

PROTOCOLS = ("TCP", "UDP", "SCTP")
PROTOCOL_INDEX = {name: index for index, name in enumerate(PROTOCOLS)}
MIN_PORT, MAX_PORT = 1, 65535

Spans = tuple[tuple[int, int], ...]


class PortSet:
    """An immutable, interned set of (protocol, port) pairs."""

    __slots__ = ("__weakref__", "_hash", "spans")
    _interned: ClassVar[dict[tuple[Spans, Spans, Spans], PortSet]] = {}

    spans: tuple[Spans, Spans, Spans]
    _hash: int

    def __new__(cls, spans: tuple[Spans, Spans, Spans]) -> PortSet:
        found = cls._interned.get(spans)
        if found is not None:
            return found
        instance = super().__new__(cls)
        instance.spans = spans
        instance._hash = hash(spans)
        cls._interned[spans] = instance
        return instance

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def of(cls, protocol: str, low: int, high: int | None = None) -> PortSet:
        """One protocol's ports `low`..`high` (inclusive); `high` defaults to `low`."""
        high = low if high is None else high
        low, high = max(low, MIN_PORT), min(high, MAX_PORT)
        if low > high:
            return EMPTY
        spans: list[Spans] = [(), (), ()]
        spans[PROTOCOL_INDEX[protocol]] = ((low, high),)
        return cls((spans[0], spans[1], spans[2]))

    @classmethod
    def all_of(cls, protocol: str) -> PortSet:
        return cls.of(protocol, MIN_PORT, MAX_PORT)

    @classmethod
    def union_all(cls, sets: Iterable[PortSet]) -> PortSet:
        result = EMPTY
        for item in sets:
            result = result | item
        return result

    # -- set algebra (memoised) --------------------------------------------------------------

    def __or__(self, other: PortSet) -> PortSet:
        if self is other or other is EMPTY or self is ALL:
            return self
        if self is EMPTY or other is ALL:
            return other
        key = (self, other)
        found = _UNION.get(key)
        if found is None:
            found = PortSet(tuple(_union(a, b) for a, b in zip(self.spans, other.spans)))  # type: ignore[arg-type]
            _UNION[key] = found
        return found

    def __and__(self, other: PortSet) -> PortSet:
        if self is other or other is ALL:
            return self
        if self is ALL:
            return other
        if self is EMPTY or other is EMPTY:
            return EMPTY
        key = (self, other)
        found = _INTERSECTION.get(key)
        if found is None:
            found = PortSet(tuple(_intersection(a, b) for a, b in zip(self.spans, other.spans)))  # type: ignore[arg-type]
            _INTERSECTION[key] = found
        return found

    def __sub__(self, other: PortSet) -> PortSet:
        if other is EMPTY or self is EMPTY:
            return self
        if self is other or other is ALL:
            return EMPTY
        key = (self, other)
        found = _DIFFERENCE.get(key)
        if found is None:
            found = PortSet(tuple(_difference(a, b) for a, b in zip(self.spans, other.spans)))  # type: ignore[arg-type]
            _DIFFERENCE[key] = found
        return found

    def __bool__(self) -> bool:
        return self is not EMPTY

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"PortSet({self.np_guard_text()!r})"

    def __reduce__(self):
        return (PortSet, (self.spans,))

    # -- queries -----------------------------------------------------------------------------

    @property
    def is_all(self) -> bool:
        return self is ALL

    def contains(self, protocol: str, port: int) -> bool:
        for low, high in self.spans[PROTOCOL_INDEX[protocol]]:
            if low <= port <= high:
                return True
            if low > port:
                return False
        return False

    def ranges(self) -> Iterator[tuple[str, int, int]]:
        """(protocol, low, high) for every range, protocols in TCP, UDP, SCTP order."""
        for protocol, spans in zip(PROTOCOLS, self.spans):
            for low, high in spans:
                yield protocol, low, high

    def count(self) -> int:
        return sum(high - low + 1 for spans in self.spans for low, high in spans)

    # -- notations ---------------------------------------------------------------------------

    def np_guard_text(self) -> str:
        """`All Connections`, `No Connections`, or `TCP 80,8000-8080,UDP 53` (np-guard's order)."""
        text = _TEXT.get(self)
        if text is None:
            if self is ALL:
                text = "All Connections"
            elif self is EMPTY:
                text = "No Connections"
            else:
                items = sorted(
                    f"{protocol} {_ranges_text(spans, ',')}"
                    for protocol, spans in zip(PROTOCOLS, self.spans)
                    if spans
                )
                text = ",".join(items)
            _TEXT[self] = text
        return text

    def to_json(self) -> str | list[str]:
        """`"all"`, or `["TCP/80", "TCP/8000-8080", "UDP/53"]` (protocols sorted by name)."""
        if self is ALL:
            return "all"
        items = []
        for protocol, spans in sorted(zip(PROTOCOLS, self.spans)):
            for low, high in spans:
                items.append(f"{protocol}/{low}" if low == high else f"{protocol}/{low}-{high}")
        return items

    def short_text(self) -> str:
        """For messages: `all ports`, `no port`, or `TCP 80, 8000-8080; UDP 53`."""
        if self is ALL:
            return "all ports"
        if self is EMPTY:
            return "no port"
        return "; ".join(
            f"{protocol} {_ranges_text(spans, ', ')}"
            for protocol, spans in zip(PROTOCOLS, self.spans)
            if spans
        )


def _ranges_text(spans: Spans, separator: str) -> str:
    return separator.join(str(low) if low == high else f"{low}-{high}" for low, high in spans)


def _union(a: Spans, b: Spans) -> Spans:
    if not a:
        return b
    if not b:
        return a
    merged: list[list[int]] = []
    for low, high in sorted(a + b):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1][1] = high
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def _intersection(a: Spans, b: Spans) -> Spans:
    result = []
    i = j = 0
    while i < len(a) and j < len(b):
        low = max(a[i][0], b[j][0])
        high = min(a[i][1], b[j][1])
        if low <= high:
            result.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(result)


def _difference(a: Spans, b: Spans) -> Spans:
    if not a or not b:
        return a
    result = []
    for low, high in a:
        for other_low, other_high in b:
            if other_high < low or other_low > high:
                continue
            if other_low > low:
                result.append((low, other_low - 1))
            low = other_high + 1
            if low > high:
                break
        if low <= high:
            result.append((low, high))
    return tuple(result)


EMPTY = PortSet(((), (), ()))
ALL = PortSet((((MIN_PORT, MAX_PORT),),) * 3)

_UNION: dict[tuple[PortSet, PortSet], PortSet] = {}
_INTERSECTION: dict[tuple[PortSet, PortSet], PortSet] = {}
_DIFFERENCE: dict[tuple[PortSet, PortSet], PortSet] = {}
_TEXT: dict[PortSet, str] = {}


def parse_port_query(text: str) -> PortSet:
    """`TCP/80`, `udp/53`, `80` (TCP), `TCP/8000-8080` → a PortSet; ValueError otherwise."""
    protocol, _, ports = text.strip().rpartition("/")
    protocol = (protocol or "TCP").upper()
    if protocol not in PROTOCOL_INDEX:
        raise ValueError(f"unknown protocol {protocol!r} in {text!r} (expected TCP, UDP or SCTP)")
    low_text, _, high_text = ports.partition("-")
    try:
        low = int(low_text)
        high = int(high_text) if high_text else low
    except ValueError:
        raise ValueError(f"expected PROTOCOL/PORT such as TCP/80, got {text!r}") from None
    if not (MIN_PORT <= low <= high <= MAX_PORT):
        raise ValueError(f"port out of range 1-65535 in {text!r}")
    return PortSet.of(protocol, low, high)
