"""Cluster assumptions: what the manifests do not say (topo.yaml, flags) → Config."""

from __future__ import annotations

from dataclasses import dataclass, field

from topo.model.kinds import DEFAULT_CLUSTER_DOMAIN


@dataclass(frozen=True)
class Config:
    namespace: str | None = None  # namespace of objects that do not name one
    cluster_domain: str = DEFAULT_CLUSTER_DOMAIN
    external: frozenset[str] = field(default_factory=frozenset)  # ids that exist in the cluster already
