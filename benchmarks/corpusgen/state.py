"""The generator's bookkeeping: corpus statistics, and the namespace under construction with the
Services it publishes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .vocab import Datastore, Obj


@dataclass
class CorpusStats:
    kinds: Counter = field(default_factory=Counter)
    references: int = 0
    dangling: Counter = field(default_factory=Counter)  # by reference family
    namespaces: int = 0
    files: int = 0
    bytes: int = 0

    @property
    def objects(self) -> int:
        return sum(self.kinds.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "namespaces": self.namespaces,
            "files": self.files,
            "bytes": self.bytes,
            "references": self.references,
            "dangling": sum(self.dangling.values()),
            "danglingByFamily": dict(sorted(self.dangling.items())),
            "kinds": dict(sorted(self.kinds.items())),
        }


@dataclass(frozen=True)
class ServiceRef:
    namespace: str
    name: str
    port: int


class Namespace:
    """Objects and names of one namespace under construction."""

    def __init__(self, name: str, team: str, env: str) -> None:
        self.name = name
        self.team = team
        self.env = env
        self.objects: list[Obj] = []
        self.names: set[str] = set()  # membership only, never iterated
        self.services: list[ServiceRef] = []
        self.datastores: list[tuple[Datastore, str]] = []  # (kind of store, its client Service name)
        self.apps: list[str] = []

    def unique(self, base: str) -> str:
        name, i = base, 2
        while name in self.names:
            name, i = f"{base}-{i}", i + 1
        self.names.add(name)
        return name
