"""The labels the kubelet always puts on its Node, for nodes topo models without seeing them.

The kubelet registers its Node with `kubernetes.io/hostname` (the node name), `kubernetes.io/os`
and `kubernetes.io/arch` (runtime.GOOS / GOARCH), and the cloud provider adds the zone and region
labels (k8s.io/kubernetes pkg/kubelet/kubelet_node_status.go initialNode; well-known labels:
https://kubernetes.io/docs/reference/labels-annotations-taints/). A pool of topo.yaml or a Node
written by hand lacks them unless declared, so `nodeSelector: {kubernetes.io/os: linux}` would
fit nothing. topo adds the ones that are missing: linux/amd64 unless the pool or Node says
otherwise (`labels: {kubernetes.io/arch: arm64}`), the region from the zone's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

HOSTNAME = "kubernetes.io/hostname"
OS = "kubernetes.io/os"
ARCH = "kubernetes.io/arch"
ZONE = "topology.kubernetes.io/zone"
REGION = "topology.kubernetes.io/region"

#: Zone names and the region they belong to: GCE `europe-west1-b` → `europe-west1`, AWS
#: `us-east-1a` → `us-east-1`, Azure `westeurope-1` → `westeurope`.
_REGION_OF_ZONE = (re.compile(r"^(.*\d)[a-z]$"), re.compile(r"^(.*)-[a-z]$"), re.compile(r"^(.*)-\d+$"))


def region_of(zone: str) -> str | None:
    for pattern in _REGION_OF_ZONE:
        match = pattern.match(zone)
        if match:
            return match.group(1)
    return None


def with_kubelet_labels(labels: Mapping[str, str], node_name: str, zone: str | None = None) -> dict[str, str]:
    """`labels` plus the kubelet's (and cloud provider's) labels that are not set already."""
    result = {HOSTNAME: node_name, OS: "linux", ARCH: "amd64"}
    zone = zone or labels.get(ZONE)
    if zone:
        result[ZONE] = zone
        region = region_of(zone)
        if region:
            result[REGION] = region
    result.update(labels)
    return result
