"""Addresses outside the cluster: ipBlocks (`cidr` minus `except`), and the ranges they split into.

An `IPSet` is a set of addresses of one family, as sorted disjoint inclusive integer intervals.
`ipBlock` semantics follow k8s.io/api networking/v1 types.go (`IPBlock`: "a particular CIDR ... The
except entry describes CIDRs that should not be included"); validity follows
`ValidateIPBlock` (k8s.io/kubernetes pkg/apis/networking/validation/validation.go): a parsable
CIDR, and every except a *strict* subset of it. Host bits set in a CIDR (`10.0.0.1/8`) are
accepted, as `ParseCIDRSloppy` does.

External peers are shown as np-guard netpol-analyzer shows them: the address space is cut at
every boundary of every ipBlock in play (its `DisjointIPBlocks`, np-guard/models
pkg/netset/ipblock.go), and each piece is printed as a range `first-last` (`0.0.0.0-9.255.255.255`).
Ingress ipBlocks cut the space of sources, egress ipBlocks (and AdminNetworkPolicy `networks`) the
space of destinations, separately, as np-guard's `getDisjointIPBlocks` does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Interval = tuple[int, int]

_UNIVERSE = {4: (0, 2**32 - 1), 6: (0, 2**128 - 1)}


@dataclass(frozen=True, slots=True)
class IPSet:
    family: int  # 4 or 6
    intervals: tuple[Interval, ...]

    @staticmethod
    def universe(family: int = 4) -> IPSet:
        return IPSet(family, (_UNIVERSE[family],))

    def contains_interval(self, low: int, high: int) -> bool:
        return any(a <= low and high <= b for a, b in self.intervals)

    def contains(self, address: int) -> bool:
        return self.contains_interval(address, address)

    def boundaries(self) -> Iterable[int]:
        """Points where a piece starts: every interval's start and one past its end."""
        for low, high in self.intervals:
            yield low
            yield high + 1

    def text(self) -> str:
        return ", ".join(range_text(self.family, low, high) for low, high in self.intervals)


class IPBlockError(ValueError):
    """An ipBlock the API server would refuse (the whole policy is then invalid)."""


def parse_cidr(text: object) -> tuple[int, int, int, int]:
    """(family, first address, last address, prefix length) of a CIDR; IPBlockError if invalid."""
    if not isinstance(text, str) or not text:
        raise IPBlockError(f"invalid CIDR {text!r}")
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise IPBlockError(f"invalid CIDR {text!r}") from None
    if "/" not in text:
        raise IPBlockError(f"invalid CIDR {text!r}: a prefix length is required")
    return network.version, int(network.network_address), int(network.broadcast_address), network.prefixlen


def ip_block(cidr: object, excepts: Iterable[object] = ()) -> IPSet:
    """The addresses of `cidr` minus every `except` CIDR (each must be a strict subset)."""
    family, low, high, prefix = parse_cidr(cidr)
    holes = []
    for item in excepts:
        hole_family, hole_low, hole_high, hole_prefix = parse_cidr(item)
        if hole_family != family or not (low <= hole_low and hole_high <= high) or hole_prefix <= prefix:
            raise IPBlockError(f"except {item!r} must be a strict subset of cidr {cidr!r}")
        holes.append((hole_low, hole_high))
    return IPSet(family, subtract(((low, high),), holes))


def parse_address(text: str) -> tuple[int, int]:
    """(family, integer) of one IP address; ValueError if it is not one."""
    address = ipaddress.ip_address(text.strip())
    return address.version, int(address)


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> tuple[Interval, ...]:
    result = []
    holes = sorted(holes)
    for low, high in sorted(intervals):
        for hole_low, hole_high in holes:
            if hole_high < low or hole_low > high:
                continue
            if hole_low > low:
                result.append((low, hole_low - 1))
            low = max(low, hole_high + 1)
            if low > high:
                break
        if low <= high:
            result.append((low, high))
    return tuple(result)


def range_text(family: int, low: int, high: int) -> str:
    """`first-last` as np-guard prints an address range (`10.0.0.0-10.255.255.255`)."""
    make = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
    return f"{make(low)}-{make(high)}"


@dataclass(frozen=True, slots=True)
class Atom:
    """One piece of the address space that no ipBlock in play splits further."""

    family: int
    low: int
    high: int

    @property
    def text(self) -> str:
        return range_text(self.family, self.low, self.high)

    def sort_key(self) -> tuple[int, int]:
        return (self.family, self.low)


def atoms_of(blocks: Iterable[IPSet]) -> list[Atom]:
    """Cut each family's address space at every boundary of `blocks` (IPv4 always present)."""
    cuts: dict[int, set[int]] = {4: set()}
    for block in blocks:
        cuts.setdefault(block.family, set()).update(block.boundaries())
    atoms = []
    for family in sorted(cuts):
        first, last = _UNIVERSE[family]
        points = sorted(p for p in cuts[family] if first < p <= last) + [last + 1]
        low = first
        for point in points:
            if point > low:
                atoms.append(Atom(family, low, point - 1))
                low = point
    return atoms


def atoms_in(block: IPSet, atoms: list[Atom]) -> list[int]:
    """Indexes of the atoms (of `atoms_of` over a list containing `block`) inside `block`."""
    found = []
    for index, atom in enumerate(atoms):
        if atom.family == block.family and block.contains_interval(atom.low, atom.high):
            found.append(index)
    return found
