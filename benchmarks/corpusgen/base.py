"""The corpus generator's state and its random draws: one ``random.Random(seed)`` drawn from in a
fixed order, references that dangle on purpose (5%), small random helpers."""

from __future__ import annotations

import base64
import random

from .state import CorpusStats, ServiceRef
from .vocab import DANGLE, Obj


class CorpusBase:
    """State of one corpus under construction and the random draws every part of it uses."""

    def __init__(
        self, objects: int, seed: int = 0, *, nodes: int | None = None, files_per_namespace: int = 1
    ) -> None:
        if objects < 1:
            raise ValueError("objects must be >= 1")
        if files_per_namespace < 1:
            raise ValueError("files_per_namespace must be >= 1")
        self.target = objects
        self.seed = seed
        self.rng = random.Random(seed)
        self.node_count = nodes if nodes is not None else max(3, min(400, objects // 200))
        self.pv_count = max(2, objects // 400)
        self.files_per_namespace = files_per_namespace
        self.stats = CorpusStats()
        self.registry: list[ServiceRef] = []  # Services of finished namespaces, for cross-namespace DNS
        self.node_names: list[str] = []
        self.nodeport = 30000
        self.last_docs: list[Obj] = []

    # ---- references ------------------------------------------------------------------------------

    def dangles(self, family: str) -> bool:
        """Count one reference; True when this one should point at nothing."""
        self.stats.references += 1
        if self.rng.random() < DANGLE:
            self.stats.dangling[family] += 1
            return True
        return False

    def ref(self, family: str, name: str) -> str:
        """A name to reference: ``name`` itself, or (5%) a name that no object has."""
        if self.dangles(family):
            return f"{name}-{self.rng.choice(('old', 'legacy', 'v0', 'tmp'))}"
        return name

    def ref_selector(self, family: str, selector: dict[str, str]) -> dict[str, str]:
        if self.dangles(family):
            key = self.rng.choice(list(selector))
            return {**selector, key: f"{selector[key]}-{self.rng.choice(('old', 'legacy', 'v0'))}"}
        return dict(selector)

    # ---- small random helpers --------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def token(self, n: int = 18) -> str:
        return base64.b64encode(self.rng.getrandbits(8 * n).to_bytes(n, "big")).decode()

    def version(self) -> str:
        r = self.rng
        return f"{r.randint(1, 4)}.{r.randint(0, 30)}.{r.randint(0, 9)}"

    def resources(self, heavy: bool = False) -> Obj:
        r = self.rng
        cpu = r.choice((50, 100, 250, 500)) * (4 if heavy else 1)
        mem = r.choice((64, 128, 256, 512)) * (8 if heavy else 1)
        out: Obj = {"requests": {"cpu": f"{cpu}m", "memory": f"{mem}Mi"}}
        if self.chance(0.7):
            out["limits"] = (
                {"memory": f"{mem * 2}Mi"}
                if self.chance(0.5)
                else {"cpu": f"{cpu * 2}m", "memory": f"{mem * 2}Mi"}
            )
        return out

    def next_nodeport(self) -> int:
        self.nodeport = 30000 + (self.nodeport - 30000 + 1 + self.rng.randint(0, 40)) % 2768
        return self.nodeport
